"""Lists in pages that a sync can walk without missing or repeating a row."""

import base64
import json
from functools import reduce
from operator import and_, or_

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.utils.urls import replace_query_param


class CreatedCursorPagination(CursorPagination):
    """`{"results", "next", "previous"}`, newest first unless the request orders otherwise.

    Keyset pagination: a cursor holds the values of the ordering fields of the row it stops
    at, and the next page is the rows strictly after it in that order. The ordering always
    ends with a unique field (`id`), so rows that share a time (a whole chunk of an import)
    are neither skipped nor repeated, and a row updated while a sync walks an
    `?updated_since=` list moves behind the cursor, to be seen on a later page.

    The ordering is the first one a filter backend's `get_ordering()` gives (`?ordering=`,
    `?updated_since=`), else `ordering` here.
    """

    ordering = ("-created_at", "-id")
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = "This cursor is not one this list gave."

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.ordering = self.get_ordering(request, queryset, view)
        values, backwards = self._decode_cursor(request, queryset.model)
        order = [_flip(field) for field in self.ordering] if backwards else list(self.ordering)
        if values is not None:
            queryset = queryset.filter(_after(order, values))
        rows = list(queryset.order_by(*order)[: self.page_size + 1])
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
        self._first, self._last = (rows[0], rows[-1]) if rows else (None, None)
        self._has_next = True if backwards else more
        self._has_previous = more if backwards else values is not None
        return rows

    def get_next_link(self):
        if not (self._has_next and self._last is not None):
            return None
        return self._link(self._last, backwards=False)

    def get_previous_link(self):
        if not (self._has_previous and self._first is not None):
            return None
        return self._link(self._first, backwards=True)

    def _link(self, row, *, backwards: bool) -> str:
        values = [_plain(getattr(row, field.lstrip("-"))) for field in self.ordering]
        token = json.dumps({"v": values, "b": backwards}, separators=(",", ":"))
        encoded = base64.urlsafe_b64encode(token.encode()).decode()
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def _decode_cursor(self, request, model) -> tuple[list | None, bool]:
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None, False
        try:
            token = json.loads(base64.urlsafe_b64decode(encoded.encode()))
            raw_values, backwards = token["v"], bool(token["b"])
            if len(raw_values) != len(self.ordering):
                raise ValueError
            values = [
                model._meta.get_field(field.lstrip("-")).to_python(value)
                for field, value in zip(self.ordering, raw_values, strict=True)
            ]
        except (ValueError, TypeError, KeyError, DjangoValidationError) as error:
            message = [self.invalid_cursor_message]
            raise ValidationError({self.cursor_query_param: message}) from error
        return values, backwards


def _flip(field: str) -> str:
    return field[1:] if field.startswith("-") else f"-{field}"


def _after(order: list[str], values: list) -> Q:
    """Rows strictly after `values` in `order`: (a > x) or (a = x and b > y) or …

    The bound on the first field alone (a >= x) adds nothing to that, but it is what lets
    PostgreSQL start the index scan at the cursor, so a later page reads only its own rows
    instead of every row before it.
    """
    first = order[0]
    bound = Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]})
    alternatives = []
    for i, field in enumerate(order):
        name = field.lstrip("-")
        lookup = "lt" if field.startswith("-") else "gt"
        equal_before = [Q(**{f.lstrip("-"): v}) for f, v in zip(order[:i], values[:i], strict=True)]
        alternatives.append(reduce(and_, [*equal_before, Q(**{f"{name}__{lookup}": values[i]})]))
    return bound & reduce(or_, alternatives)


def _plain(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
