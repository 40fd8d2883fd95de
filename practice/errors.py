"""The application's error hierarchy.

Services raise these; `practice.problems` maps them, once, to RFC 9457 problem details.
"""


class ApplicationError(Exception):
    status_code = 400
    slug = "bad-request"
    title = "Bad request"

    def __init__(self, detail: str, *, errors: dict[str, list[str]] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class InvalidInput(ApplicationError):
    slug = "invalid-input"
    title = "The request has invalid fields"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("See `errors` for what to correct.", errors=errors)


class Conflict(ApplicationError):
    status_code = 409
    slug = "conflict"
    title = "The request conflicts with the current state"

    def __init__(
        self, detail: str, *, errors: dict[str, list[str]] | None = None, existing_id=None
    ):
        super().__init__(detail, errors=errors)
        # The record already holding what was asked for, so the caller can adopt or fix it.
        self.existing_id = existing_id


class IdempotencyKeyReused(ApplicationError):
    status_code = 422
    slug = "idempotency-key-reused"
    title = "Idempotency-Key reused with a different request"


class IdempotentRequestInProgress(ApplicationError):
    status_code = 409
    slug = "idempotent-request-in-progress"
    title = "A request with this Idempotency-Key is still being processed"
