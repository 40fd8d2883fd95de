"""What every server-rendered page shares: its headers, and the signed-in member.

The pages need no JavaScript. Each answer carries a content policy that allows the page's own
nonce'd style sheet and its own form only, `Cache-Control: no-store` (a shared computer's
browser keeps no copy of a client's data), and no referrer outside this site.

A member's session holds their membership's id and practice, and when they were last seen.
Every request loads the membership again, so that a member removed or deactivated is signed
out at once, and a session idle longer than `MEMBER_IDLE_TIMEOUT_HOURS` is over.
"""

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone

from practice.models import Membership
from practice.selectors import member_timezone
from practice.tenancy import practice_scope

SESSION_MEMBER = "member_id"
SESSION_PRACTICE = "member_practice_id"
SESSION_SEEN_AT = "member_seen_at"
# Noting that a member was seen writes the session, so it is noted at most once a minute.
SEEN_RESOLUTION = timedelta(minutes=1)


def page_headers(view: Callable) -> Callable:
    """No caching, no referrer outside this site, and a content policy that allows this page's
    own styles and form only.

    `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null` with a
    form's POST, and Django's CSRF check refuses it.
    """

    @wraps(view)
    def with_headers(request, *args, **kwargs):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Referrer-Policy"] = "same-origin"
        response["Content-Security-Policy"] = (
            f"default-src 'none'; style-src 'nonce-{request.csp_nonce}'; img-src 'self'; "
            "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return with_headers


def member_session_start(request, member: Membership) -> None:
    """Sign `member` in: a new session id (the old one may have been seen), then the member."""
    request.session.cycle_key()
    request.session[SESSION_MEMBER] = str(member.pk)
    request.session[SESSION_PRACTICE] = str(member.practice_id)
    _note_seen(request)


def member_session_end(request) -> None:
    request.session.flush()


def _note_seen(request) -> None:
    request.session[SESSION_SEEN_AT] = timezone.now().isoformat()
    request.session.set_expiry(int(settings.MEMBER_IDLE_TIMEOUT.total_seconds()))


def member_of_session(request) -> Membership | None:
    """The signed-in member, still active, with their practice; None when signed out or idle."""
    member_id = request.session.get(SESSION_MEMBER)
    seen_at = request.session.get(SESSION_SEEN_AT)
    if member_id is None or seen_at is None:
        return None
    idle = timezone.now() - datetime.fromisoformat(seen_at)
    if idle > settings.MEMBER_IDLE_TIMEOUT:
        member_session_end(request)
        return None
    # The session names the member; nothing else is known yet to scope by.
    member = (
        Membership.across_practices_unsafe.select_related("practice", "clinician")
        .filter(pk=member_id, practice_id=request.session.get(SESSION_PRACTICE), active=True)
        .first()
    )
    if member is None:
        member_session_end(request)
        return None
    if idle > SEEN_RESOLUTION:
        _note_seen(request)
    return member


def sign_in_redirect(request) -> HttpResponseRedirect:
    query = urlencode({"next": request.get_full_path()})
    return HttpResponseRedirect(f"/app/sign-in/?{query}")


def member_page(view: Callable) -> Callable:
    """A page for signed-in members: inside their practice's scope, in their browser's
    language, with `request.member`. Signed out, the member is sent to sign in and back."""

    @page_headers
    @wraps(view)
    def for_member(request, *args, **kwargs):
        member = member_of_session(request)
        if member is None:
            return sign_in_redirect(request)
        request.member = member
        # Times on the pages are the member's own: their clinician's time zone, or the practice's.
        with practice_scope(member.practice), timezone.override(member_timezone(member)):
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                # Another practice's record, another clinician's client and an unknown id
                # all answer this same page.
                response = render(request, "practice/pages/not_found.html", status=404)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            return response

    return for_member


def managers_page(view: Callable) -> Callable:
    """A page for owners and admins only; to a clinician it does not exist."""

    @member_page
    @wraps(view)
    def for_manager(request, *args, **kwargs):
        if not request.member.sees_whole_practice:
            raise Http404
        return view(request, *args, **kwargs)

    return for_manager
