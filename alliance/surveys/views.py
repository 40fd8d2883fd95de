"""The client's survey page: reached from an emailed link, no login, no JavaScript."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from alliance.models import SurveyInvitation
from alliance.surveys import selectors, services
from practice.errors import InvalidInput
from practice.pages import page_headers
from practice.rate_limits import Rate, rate_limit_hit
from practice.tenancy import practice_scope
from practice.tokens import looks_like_token

# Guessing tokens is hopeless (256 bits), but a client that keeps trying is told to stop.
MISSES_RATE = Rate(limit=20, window_seconds=600)

CLOSED_PAGES = {
    "answered": "alliance/survey_answered.html",
    "expired": "alliance/survey_expired.html",
    "unavailable": "alliance/survey_unavailable.html",
    "replaced": "alliance/survey_replaced.html",
}


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "unknown")


def _miss(request):
    """An unknown token: 404, or 429 once this address has missed too often. A valid link
    always works, so that guessers cannot lock real clients out."""
    verdict = rate_limit_hit(f"survey-miss:{_client_address(request)}", MISSES_RATE)
    if not verdict.allowed:
        return render(request, "alliance/survey_rate_limited.html", {"language": "en"}, status=429)
    return render(request, "alliance/survey_not_found.html", {"language": "en"}, status=404)


def _find_link(token: str):
    return selectors.survey_link_for_token(token) if looks_like_token(token) else None


def _page_context(invitation: SurveyInvitation, language: str) -> dict:
    return {
        "practice_name": invitation.practice.name,
        "clinician_first_name": invitation.client.clinician.first_name,
        "items": _localized_items(invitation.instrument.items, language),
        "language": language,
    }


def _localized_items(items: list[dict], language: str) -> list[dict]:
    localized = []
    for item in items:
        translated = item.get("translations", {}).get(language, {})
        item = item | translated
        values = _choice_values(item)
        localized.append(item | {"choices": values, "described_by": f"{item['code']}-scale"})
    return localized


def _choice_values(item: dict) -> list:
    """The values to offer as radio buttons, or [] where a number input suits better."""
    low, high, step = item["min"], item["max"], item["step"]
    count = round((high - low) / step) + 1
    if step != int(step) or count > 11:
        return []
    return list(range(int(low), int(high) + 1, int(step)))


@contextmanager
def _in_the_links_practice_and_language(link) -> Iterator[str]:
    """The link's practice in scope, speaking the language of its client's surveys."""
    with practice_scope(link.practice):
        language = selectors.survey_language(link.invitation.client)
        with translation.override(language):
            yield language


def _closed(request, reason: str, language: str):
    return render(request, CLOSED_PAGES[reason], {"language": language}, status=410)


def no_favicon(request):
    """Browsers ask every page for an icon; answering 204 keeps their consoles quiet."""
    return HttpResponse(status=204)


@page_headers
@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    link = _find_link(token)
    if link is None:
        return _miss(request)
    invitation = link.invitation
    with _in_the_links_practice_and_language(link) as language:
        if link.revoked_at is not None:
            return _closed(request, "replaced", language)
        if link.expires_at is not None and link.expires_at <= timezone.now():
            return _closed(request, "expired", language)  # a link shown in the session
        context = _page_context(invitation, language)
        try:
            if request.method == "GET":
                services.invitation_open(invitation=invitation)
                return render(request, "alliance/survey_form.html", context)
            services.response_submit(
                invitation=invitation,
                submitted={
                    item["code"]: request.POST.get(item["code"]) for item in context["items"]
                },
                comment=request.POST.get("comment", ""),
                discuss_request=request.POST.get("discuss") == "yes",
            )
        except services.SurveyClosed as closed:
            return _closed(request, closed.reason, language)
        except InvalidInput as invalid:
            context |= {
                "errors": invalid.errors,
                "submitted": request.POST,
                "comment": request.POST.get("comment", ""),
                "discuss": request.POST.get("discuss") == "yes",
            }
            return render(request, "alliance/survey_form.html", context, status=400)
        return render(request, "alliance/survey_thanks.html", context)


@csrf_exempt  # RFC 8058 one-click unsubscribe posts without a form; the token is the secret.
@page_headers
@require_http_methods(["GET", "POST"])
def stop_surveys(request, token: str):
    """The unsubscribe link of every survey email (and the target of one-click
    `List-Unsubscribe-Post`): a POST stops all surveys for this client."""
    link = _find_link(token)
    if link is None:
        return _miss(request)
    with _in_the_links_practice_and_language(link) as language:
        context = {"language": language, "practice_name": link.practice.name, "token": token}
        if request.method == "POST":
            services.client_opt_out_of_surveys(client=link.invitation.client)
            return render(request, "alliance/surveys_stopped.html", context)
        return render(request, "alliance/stop_surveys.html", context)


@page_headers
@require_http_methods(["GET", "POST"])
def resume_surveys(request, token: str):
    """The client's way back after stopping surveys: from a link they hold, confirmed with a
    POST (a link fetched by a mail scanner changes nothing). Only the client can undo their
    own opt-out; the practice's system cannot."""
    link = _find_link(token)
    if link is None:
        return _miss(request)
    with _in_the_links_practice_and_language(link) as language:
        client = link.invitation.client
        context = {"language": language, "practice_name": link.practice.name}
        if request.method == "POST":
            services.client_opt_back_in_to_surveys(client=client)
            return render(request, "alliance/surveys_resumed.html", context)
        if client.opted_out_at is None:
            return render(request, "alliance/surveys_resumed.html", context)
        return render(request, "alliance/resume_surveys.html", context)
