"""The API's JSON parser: JSON that no request of this API needs is refused as malformed."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# The deepest request body of the API (an instrument's item translations) nests 5 levels.
MAX_JSON_DEPTH = 20


class StrictJSONParser(JSONParser):
    """JSON without the NUL character (PostgreSQL text cannot store it) and nested at most
    `MAX_JSON_DEPTH` levels (deeper ones exhaust the recursion of whatever walks them)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError(_too_deep()) from error
        _refuse_nul_and_depth(data)
        return data


def _too_deep() -> str:
    return f"JSON may nest at most {MAX_JSON_DEPTH} levels."


def _refuse_nul_and_depth(data) -> None:
    pending = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ParseError("Text may not contain the NUL character (\\u0000).")
            continue
        if not isinstance(value, dict | list):
            continue
        if depth >= MAX_JSON_DEPTH:
            raise ParseError(_too_deep())
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children)
