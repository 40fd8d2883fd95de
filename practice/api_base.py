"""What every view of the REST API shares: the practice scope, pagination, idempotent POST."""

from contextlib import ExitStack

from rest_framework import mixins, viewsets
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ValidationError
from rest_framework.response import Response

from practice.idempotency import (
    MAX_KEY_LENGTH,
    StoredResponse,
    idempotency_claim,
    idempotency_store,
    request_fingerprint,
)
from practice.problems import PROBLEM_CONTENT_TYPE
from practice.tenancy import practice_scope

UUID_PATTERN = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"


class _ReplayStoredResponse(Exception):
    def __init__(self, stored: StoredResponse):
        self.stored = stored


class PracticeScopedViewSet(viewsets.GenericViewSet):
    """Base of every API view: runs the request inside its API key's practice scope.

    Authentication happens in `initial()`, so the scope is entered there and left when
    `dispatch()` returns, whatever happened in between. A POST with an `Idempotency-Key`
    header claims the key before the handler runs and stores the response after it.
    """

    idempotency_key: str | None = None
    # The model of the records the view serves; their rows come from `select_records()`.
    model: type
    # The scope is entered and left by these; a subclass that overrode one could serve rows
    # outside its practice, so defining them again is refused when the class is made.
    SEALED_METHODS = ("dispatch", "initial", "get_queryset")

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        overridden = [name for name in cls.SEALED_METHODS if name in vars(cls)]
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(overridden)}: the practice scope is "
                "entered there. Implement select_records() instead."
            )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # The schema is generated without a request, so without a practice.
            return self.model.across_practices_unsafe.none()
        return self.select_records()

    def select_records(self):
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        with ExitStack() as self._scope_exit:
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except (NotAuthenticated, AuthenticationFailed):
            # Without a valid key the throttles count the address, and answer 429 past it.
            self.check_throttles(request)
            raise
        self._scope_exit.enter_context(practice_scope(request.auth.practice))
        if request.method == "POST":
            self._claim_idempotency_key(request)

    def _claim_idempotency_key(self, request) -> None:
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationError(
                {"Idempotency-Key": [f"Use between 1 and {MAX_KEY_LENGTH} characters."]}
            )
        fingerprint = request_fingerprint(request.method, request.path, request.body)
        stored = idempotency_claim(key=key, fingerprint=fingerprint)
        if stored is not None:
            raise _ReplayStoredResponse(stored)
        self.idempotency_key = key

    def handle_exception(self, exc):
        if isinstance(exc, _ReplayStoredResponse):
            status = exc.stored.status_code
            # Stored errors were problem documents, and are replayed as such.
            content_type = PROBLEM_CONTENT_TYPE if status >= 400 else None
            response = Response(exc.stored.body, status=status, content_type=content_type)
            response["Idempotent-Replayed"] = "true"
            return response
        try:
            return super().handle_exception(exc)
        except Exception:
            self._store_idempotent_response(status_code=500, body=None)
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        if self.idempotency_key is not None:
            self._store_idempotent_response(
                status_code=response.status_code, body=getattr(response, "data", None)
            )
        return super().finalize_response(request, response, *args, **kwargs)

    def _store_idempotent_response(self, *, status_code: int, body) -> None:
        if self.idempotency_key is not None:
            idempotency_store(key=self.idempotency_key, status_code=status_code, body=body)
            self.idempotency_key = None


class ReadOnlyRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, PracticeScopedViewSet
):
    """List and read a practice's records, found by their UUID."""

    lookup_value_regex = UUID_PATTERN
