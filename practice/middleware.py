import logging

from practice.problems import problem_response

logger = logging.getLogger(__name__)


class APIErrorMiddleware:
    """An unexpected failure under `/api/` answers a problem document, never a traceback page.

    The traceback goes to the log; the client sees only that the server failed.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith("/api/"):
            return None
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return problem_response(500, "The server failed; the error has been logged.")
