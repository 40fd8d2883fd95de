"""The OpenAPI document: generated across practices, with every error answer documented."""

from drf_spectacular.generators import SchemaGenerator

from practice.problems import PROBLEM_CONTENT_TYPE
from practice.tenancy import across_practices_unsafe


class PlatformWideSchemaGenerator(SchemaGenerator):
    """The generator inspects models through their default managers (building empty querysets,
    reading no rows), so it runs outside any one practice: in the schema view, in
    `manage.py spectacular` and in the system checks of `manage.py check`."""

    def get_schema(self, request=None, public=False):
        with across_practices_unsafe():
            return super().get_schema(request=request, public=public)


PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An RFC 9457 problem document.",
    "properties": {
        "type": {"type": "string", "example": "urn:alliance:problem:invalid-input"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "For invalid input: the messages of each field.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    },
    "required": ["type", "title", "status", "detail"],
}

_ANY_OPERATION = {
    "400": "The request is malformed or has invalid fields or query parameters.",
    "401": "No API key, or one that is invalid or revoked.",
    "429": "Too many requests for this key (or, without a valid key, this address).",
    "503": "The database does not answer; retry after `Retry-After` seconds.",
}
_WITH_PATH_PARAMETERS = {"404": "No such record in this practice."}
_WITH_BODY = {
    "413": "The body is larger than the documented limit.",
    "415": "The body is not JSON.",
}
_POST = {
    "409": "The request conflicts with the current state, or an earlier request with this "
    "Idempotency-Key is still running.",
    "422": "This Idempotency-Key was used with a different request.",
}


def document_problem_responses(result, generator, request, public):
    """A postprocessing hook: every operation answers its errors as problem documents, and
    the schema says which (400, 401, 429 and 503 everywhere; 404 with path parameters; 413
    and 415 with a body; 409 and 422 for POST)."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            errors = dict(_ANY_OPERATION)
            if "{" in path:
                errors |= _WITH_PATH_PARAMETERS
            if method in ("post", "put", "patch"):
                errors |= _WITH_BODY
            if method == "post":
                errors |= _POST
            responses = operation.setdefault("responses", {})
            for status, description in errors.items():
                responses.setdefault(status, {"description": description, "content": problem})
    return result
