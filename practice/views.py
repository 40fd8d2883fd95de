"""The members' pages of the practice app: signing in and out, and managing the members."""

import hashlib

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from practice import selectors, services, sign_in
from practice.errors import ApplicationError
from practice.models import Membership
from practice.pages import (
    managers_page,
    member_of_session,
    member_session_end,
    member_session_start,
    page_headers,
)
from practice.rate_limits import Rate, rate_limit_hit
from practice.tenancy import practice_scope
from practice.tokens import looks_like_token

SIGN_IN_WINDOW_SECONDS = 15 * 60
# Guessing a link is hopeless (256 bits), but an address that keeps trying is told to stop.
LINK_MISSES = Rate(limit=20, window_seconds=SIGN_IN_WINDOW_SECONDS)


class SignInForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


def _network_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _address_key(email: str) -> str:
    # Counters are keyed by a hash: addresses are not kept in the cache.
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _within_sign_in_limits(request, email: str) -> bool:
    per_ip = rate_limit_hit(
        f"sign-in:ip:{_network_address(request)}",
        Rate(limit=settings.SIGN_IN_REQUESTS_PER_IP, window_seconds=SIGN_IN_WINDOW_SECONDS),
    )
    per_address = rate_limit_hit(
        f"sign-in:address:{_address_key(email)}",
        Rate(limit=settings.SIGN_IN_REQUESTS_PER_ADDRESS, window_seconds=SIGN_IN_WINDOW_SECONDS),
    )
    return per_ip.allowed and per_address.allowed


@page_headers
@require_http_methods(["GET", "POST"])
def sign_in_page(request):
    """One email field. Whatever the address, the answer is the same "check your email" page."""
    next_path = sign_in.safe_next_path(request.POST.get("next") or request.GET.get("next"))
    if request.method == "GET":
        if member_of_session(request) is not None:
            return HttpResponseRedirect(next_path)
        form = SignInForm(initial={"next": next_path})
        return render(request, "practice/pages/sign_in.html", {"form": form})
    form = SignInForm(request.POST)
    if not form.is_valid():
        return render(request, "practice/pages/sign_in.html", {"form": form}, status=400)
    email = form.cleaned_data["email"]
    if not _within_sign_in_limits(request, email):
        return render(request, "practice/pages/sign_in_limited.html", status=429)
    sign_in.sign_in_request(
        email=email, next_path=next_path, language=translation.get_language() or "en"
    )
    return render(request, "practice/pages/sign_in_sent.html", {"email": email})


def _link_or_none(request, token: str):
    link = sign_in.sign_in_link_for_token(token) if looks_like_token(token) else None
    if (
        link is None
        and not rate_limit_hit(
            f"sign-in-link-miss:{_network_address(request)}", LINK_MISSES
        ).allowed
    ):
        return None, render(request, "practice/pages/sign_in_limited.html", status=429)
    if link is None:
        return None, render(request, "practice/pages/sign_in_link_invalid.html", status=404)
    return link, None


@page_headers
@require_http_methods(["GET", "POST"])
def sign_in_link_page(request, token: str):
    """The emailed link. Opening it only asks to confirm: mail scanners open links too, and
    must not use them up. The button signs in, and leads where the member was going."""
    link, refusal = _link_or_none(request, token)
    if refusal is not None:
        return refusal
    if request.method == "GET":
        return render(
            request, "practice/pages/sign_in_link.html", {"practice_name": link.practice.name}
        )
    try:
        with practice_scope(link.practice):
            member = sign_in.sign_in_link_use(link=link)
    except sign_in.SignInLinkInvalid:
        return render(request, "practice/pages/sign_in_link_invalid.html", status=404)
    member_session_start(request, member)
    return HttpResponseRedirect(sign_in.safe_next_path(link.next_path), status=303)


@page_headers
@require_POST
def sign_out_page(request):
    member_session_end(request)
    return render(request, "practice/pages/signed_out.html")


# Managing members (owners and admins)


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)
    clinician = forms.ModelChoiceField(
        label=_("Clinician"),
        queryset=None,
        required=False,
        empty_label=_("Not a clinician"),
        help_text=_("Required for the clinician role: whose clients this member sees."),
    )
    active = forms.BooleanField(label=_("May sign in"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinician"].queryset = selectors.clinician_list().order_by("name")
        self.fields["role"].choices = [
            (Membership.Role.OWNER, _("Owner")),
            (Membership.Role.ADMIN, _("Admin")),
            (Membership.Role.CLINICIAN, _("Clinician")),
        ]


def _apply(form: MemberForm, change) -> bool:
    """Call the service with the form's data; its refusals become the form's errors."""
    if not form.is_valid():
        return False
    try:
        change(**form.cleaned_data)
    except ApplicationError as refused:
        for field, messages in (refused.errors or {"__all__": [refused.detail]}).items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
        return False
    return True


@managers_page
@require_http_methods(["GET", "POST"])
def members_page(request):
    form = MemberForm(request.POST or None)
    if request.method == "POST" and _apply(form, services.member_create):
        return HttpResponseRedirect("/app/members/", status=303)
    status = 400 if form.is_bound else 200
    context = {"members": selectors.member_list(), "form": form}
    return render(request, "practice/pages/members.html", context, status=status)


def _member_or_404(member_id) -> Membership:
    member = selectors.member_list().filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


def _member_form(member: Membership, data=None) -> MemberForm:
    initial = {
        "email": member.email,
        "role": member.role,
        "clinician": member.clinician_id,
        "active": member.active,
    }
    return MemberForm(data, initial=initial)


@managers_page
@require_http_methods(["GET", "POST"])
def member_page(request, member_id):
    member = _member_or_404(member_id)
    form = _member_form(member, request.POST or None)
    if request.method == "POST" and _apply(
        form, lambda **data: services.member_update(member=member, **data)
    ):
        return HttpResponseRedirect("/app/members/", status=303)
    status = 400 if form.is_bound else 200
    return render(
        request, "practice/pages/member.html", {"member": member, "form": form}, status=status
    )


@managers_page
@require_POST
def member_remove_page(request, member_id):
    member = _member_or_404(member_id)
    try:
        services.member_delete(member=member)
    except ApplicationError as refused:
        context = {"member": member, "form": _member_form(member), "refusal": refused.detail}
        return render(request, "practice/pages/member.html", context, status=409)
    return HttpResponseRedirect("/app/members/", status=303)
