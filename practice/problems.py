"""Every error on `/api/` as RFC 9457 problem details (`application/problem+json`)."""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler

from practice.errors import ApplicationError

PROBLEM_CONTENT_TYPE = "application/problem+json"

_DRF_SLUGS = {
    exceptions.ValidationError: ("invalid-input", "The request has invalid fields"),
    exceptions.ParseError: ("malformed-request", "The request body is not valid JSON"),
    exceptions.NotAuthenticated: ("not-authenticated", "Authentication required"),
    exceptions.AuthenticationFailed: ("not-authenticated", "Authentication failed"),
    exceptions.PermissionDenied: ("forbidden", "Forbidden"),
    exceptions.NotFound: ("not-found", "Not found"),
    exceptions.MethodNotAllowed: ("method-not-allowed", "Method not allowed"),
    exceptions.NotAcceptable: ("not-acceptable", "Not acceptable"),
    exceptions.UnsupportedMediaType: ("unsupported-media-type", "Unsupported media type"),
    exceptions.Throttled: ("rate-limited", "Too many requests"),
}


def problem(*, status: int, slug: str, title: str, detail: str, errors: dict | None = None) -> dict:
    body = {
        "type": f"urn:alliance:problem:{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def _field_errors(detail) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return detail
    return {"non_field_errors": detail if isinstance(detail, list) else [detail]}


def problem_exception_handler(exc, context):
    """DRF's exception handler, answering problem details for every handled error."""
    if isinstance(exc, ApplicationError):
        body = problem(
            status=exc.status_code,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            errors=exc.errors,
        )
        if getattr(exc, "existing_id", None) is not None:
            body["existing_id"] = str(exc.existing_id)
        return Response(body, status=exc.status_code, content_type=PROBLEM_CONTENT_TYPE)

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None

    slug, title = next(
        (names for kind, names in _DRF_SLUGS.items() if isinstance(exc, kind)),
        ("error", HTTPStatus(response.status_code).phrase),
    )
    if isinstance(exc, exceptions.ValidationError):
        detail, errors = "See `errors` for what to correct.", _field_errors(exc.detail)
    else:
        detail, errors = str(exc.detail), None
    response.data = problem(
        status=response.status_code, slug=slug, title=title, detail=detail, errors=errors
    )
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def problem_response(status: int, detail: str) -> JsonResponse:
    """A problem response for errors raised outside DRF's views (unknown URLs, crashes)."""
    phrase = HTTPStatus(status).phrase
    body = problem(
        status=status, slug=phrase.lower().replace(" ", "-"), title=phrase, detail=detail
    )
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


@csrf_exempt
def api_not_found(request, *args, **kwargs) -> JsonResponse:
    """Unknown addresses under `/api/` answer problem details, not an HTML page.

    Exempt from CSRF, like the API's views, so that a POST to an unknown address answers 404
    rather than Django's HTML CSRF page; it changes nothing.
    """
    return problem_response(404, "There is nothing at this address.")
