import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse

from practice.problems import problem_response

logger = logging.getLogger(__name__)


class APIErrorMiddleware:
    """An unexpected failure under `/api/` answers a problem document, never a traceback page;
    a database that does not answer (down, hung past its timeouts) answers 503 with
    `Retry-After` on every path.

    The traceback goes to the log; the client sees only that the server failed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        is_api = request.path.startswith("/api/")
        # Connection refused or lost, a connect timeout, a statement cancelled by its timeout:
        # not the code's own failure (a constraint, a bad query), so the client may retry.
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning("Database unavailable on %s: %s", request.method, exception)
            detail = "The database does not answer; try again shortly."
            if is_api:
                response = problem_response(503, detail)
            else:
                response = HttpResponse(detail, status=503, content_type="text/plain")
            response["Retry-After"] = str(settings.DATABASE_RETRY_AFTER_SECONDS)
            return response
        if not is_api:
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return problem_response(500, "The server failed; the error has been logged.")


class RequestBodyLimitMiddleware:
    """A body longer than `MAX_REQUEST_BODY_BYTES` answers 413 before it is read; bulk imports
    (`IMPORTS_PATH`) may send up to `MAX_IMPORT_BODY_BYTES`. Under `/api/` the answer is a
    problem document."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = (
            settings.MAX_IMPORT_BODY_BYTES
            if request.path.startswith(settings.IMPORTS_PATH)
            else settings.MAX_REQUEST_BODY_BYTES
        )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length <= limit:
            return self.get_response(request)
        detail = f"The request body may hold at most {limit} bytes."
        if request.path.startswith("/api/"):
            return problem_response(413, detail)
        return HttpResponse(detail, status=413, content_type="text/plain; charset=utf-8")
