"""What every view of the REST API shares: the practice scope, pagination, idempotent POST."""

from contextlib import ExitStack

from django.db import transaction
from rest_framework import mixins, viewsets
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated, ValidationError
from rest_framework.response import Response

from practice.idempotency import (
    MAX_KEY_LENGTH,
    StoredResponse,
    idempotency_claim,
    idempotency_release,
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
    header claims the key before the handler runs; the handler then runs in a transaction
    that also stores its response for replays.
    """

    idempotency_key: str | None = None
    _claimed: tuple | None = None
    # Fields of a response that are shown once (a new secret): never stored for a replay.
    shown_once_fields: tuple[str, ...] = ()
    # The model of the records the view serves; their rows come from `select_records()`.
    model: type
    # The actions that answer a page of records, and so take the list's query parameters.
    list_actions: tuple[str, ...] = ("list",)
    # Query parameters an action takes beyond those of lists, e.g. {"retrieve": ("date",)}.
    extra_query_params: dict[str, tuple[str, ...]] = {}
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

    def filter_queryset(self, queryset):
        if not self.request.query_params:
            # With nothing to filter by, the filters change nothing, and building their forms
            # was a fifth of a record's GET.
            return queryset
        return super().filter_queryset(queryset)

    def dispatch(self, request, *args, **kwargs):
        try:
            with ExitStack() as self._scope_exit:
                response = super().dispatch(request, *args, **kwargs)
        except Exception:
            self._release_unanswered_claim()
            raise
        if response.status_code >= 500:
            self._release_unanswered_claim()
        return response

    def initial(self, request, *args, **kwargs):
        try:
            super().initial(request, *args, **kwargs)
        except (NotAuthenticated, AuthenticationFailed):
            # Without a valid key the throttles count the address, and answer 429 past it.
            self.check_throttles(request)
            raise
        self._scope_exit.enter_context(practice_scope(request.auth.practice))
        self._refuse_unknown_query_parameters(request)
        if request.method == "POST":
            self._claim_idempotency_key(request)

    def _refuse_unknown_query_parameters(self, request) -> None:
        """A misspelt filter must not silently answer the whole list: every query parameter
        that the action does not take answers 400."""
        unknown = set(request.query_params) - self.query_parameters()
        if unknown:
            raise ValidationError(
                {name: ["This query parameter is not known here."] for name in sorted(unknown)}
            )

    def query_parameters(self) -> set[str]:
        """The query parameters this request's action takes: a list's filters, paging, sync
        and ordering, and the action's own `extra_query_params`."""
        known = set(self.extra_query_params.get(self.action, ()))
        if self.action not in self.list_actions:
            return known
        if self.paginator is not None:
            known |= {self.paginator.cursor_query_param, self.paginator.page_size_query_param}
        filterset_class = getattr(self, "filterset_class", None)
        if filterset_class is not None:
            known |= set(filterset_class.base_filters)
        for backend in self.filter_backends:
            if hasattr(backend, "query_parameters"):
                known |= backend.query_parameters(self)
        return known

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
        self._claimed = (request.auth.practice, key)
        # The handler's writes and the stored response commit together, or not at all: a
        # claim whose write committed always holds its response, and is never taken for
        # abandoned and run again.
        self._scope_exit.enter_context(transaction.atomic())

    def handle_exception(self, exc):
        if isinstance(exc, _ReplayStoredResponse):
            status = exc.stored.status_code
            # Stored errors were problem documents, and are replayed as such.
            content_type = PROBLEM_CONTENT_TYPE if status >= 400 else None
            response = Response(exc.stored.body, status=status, content_type=content_type)
            response["Idempotent-Replayed"] = "true"
            return response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        if self.idempotency_key is not None:
            if response.status_code >= 500:
                # Nothing of a failed request is kept; its key is released once rolled back.
                transaction.set_rollback(True)
            else:
                idempotency_store(
                    key=self.idempotency_key,
                    status_code=response.status_code,
                    body=self._replayable_body(response),
                )
            self.idempotency_key = None
        return super().finalize_response(request, response, *args, **kwargs)

    def _replayable_body(self, response):
        body = getattr(response, "data", None)
        if isinstance(body, dict) and self.shown_once_fields:
            return {
                name: value for name, value in body.items() if name not in self.shown_once_fields
            }
        return body

    def _release_unanswered_claim(self) -> None:
        if self._claimed is not None:
            practice, key = self._claimed
            idempotency_release(practice=practice, key=key)
            self._claimed = None


class ReadOnlyRecordViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, PracticeScopedViewSet
):
    """List and read a practice's records, found by their UUID."""

    lookup_value_regex = UUID_PATTERN
