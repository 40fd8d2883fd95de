"""What every list takes besides its own filters: `?updated_since=` and `?ordering=`."""

import functools
from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.forms import Widget
from django.forms.widgets import ChoiceWidget
from django.utils.dateparse import parse_datetime
from django_filters.filters import ChoiceFilter, Filter, QuerySetRequestMixin
from django_filters.filterset import BaseFilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

UPDATED_SINCE = "updated_since"
ORDERING = "ordering"


def orderable_fields(model) -> list[str]:
    """The date-time fields a list of `model` may be ordered by: those an index serves, i.e.
    the second field of an index that starts with the practice. Never null, so that a cursor
    can always hold them."""
    fields = []
    for index in model._meta.indexes:
        if len(index.fields) < 2 or index.fields[0] != "practice":
            continue
        field = model._meta.get_field(index.fields[1])
        if isinstance(field, models.DateTimeField) and not field.null and field.name not in fields:
            fields.append(field.name)
    return sorted(fields)


# Real time zones' offsets span -12:00 to +14:00; years far from now are typos or probes (and
# some of them overflow the database's timestamps).
MAX_UTC_OFFSET = timedelta(hours=14)
YEARS_ACCEPTED = range(1900, 2201)
REASONABLE_TIME_MESSAGE = (
    f"Give a year from {YEARS_ACCEPTED[0]} to {YEARS_ACCEPTED[-1]} and a UTC offset from -14:00 "
    "to +14:00."
)


def parse_time_or_none(value) -> datetime | None:
    """An ISO 8601 date-time, or None for anything else (a well-formed impossible date too)."""
    try:
        return parse_datetime(value) if isinstance(value, str) else None
    except ValueError:
        return None


def is_reasonable_time(moment: datetime) -> bool:
    offset = moment.utcoffset()
    return moment.year in YEARS_ACCEPTED and (offset is None or abs(offset) <= MAX_UTC_OFFSET)


def parse_aware_datetime(name: str, value: str):
    parsed = parse_time_or_none(value)
    if parsed is None or parsed.tzinfo is None:
        raise ValidationError(
            {name: ["Give an ISO 8601 time with its UTC offset, e.g. 2026-05-04T15:00:00Z."]}
        )
    if not is_reasonable_time(parsed):
        raise ValidationError({name: [REASONABLE_TIME_MESSAGE]})
    return parsed


class ChangesFilter(BaseFilterBackend):
    """`?updated_since=` (inclusive) for incremental sync, ordered by `(updated_at, id)` so that
    paging through it misses nothing; `?ordering=` on the fields an index serves, ascending or
    with `-` descending, ties broken by id."""

    def filter_queryset(self, request, queryset, view):
        since = request.query_params.get(UPDATED_SINCE)
        if since is not None:
            queryset = queryset.filter(updated_at__gte=parse_aware_datetime(UPDATED_SINCE, since))
        return queryset

    def get_ordering(self, request, queryset, view):
        requested = request.query_params.get(ORDERING)
        if request.query_params.get(UPDATED_SINCE) is not None:
            if requested not in (None, "updated_at"):
                raise ValidationError(
                    {ORDERING: ["A list asked for by `updated_since` is ordered by updated_at."]}
                )
            return ("updated_at", "id")
        if requested is None:
            return None
        allowed = orderable_fields(queryset.model)
        if requested.lstrip("-") not in allowed:
            raise ValidationError({ORDERING: [f"Order by one of: {', '.join(allowed)}."]})
        return (requested, "-id" if requested.startswith("-") else "id")

    @staticmethod
    def query_parameters(view) -> set[str]:
        model = getattr(view, "model", None)
        return {UPDATED_SINCE, ORDERING} if model and "updated_at" in _field_names(model) else set()

    def get_schema_operation_parameters(self, view):
        if "updated_at" not in _field_names(view.model):
            return []
        orderings = [
            option for field in orderable_fields(view.model) for option in (field, f"-{field}")
        ]
        return [
            {
                "name": UPDATED_SINCE,
                "required": False,
                "in": "query",
                "description": (
                    "Only records changed at or after this time (ISO 8601 with its offset), "
                    "ordered by (updated_at, id): follow `next` to the end and keep the last "
                    "`updated_at` for the next sync."
                ),
                "schema": {"type": "string", "format": "date-time"},
            },
            {
                "name": ORDERING,
                "required": False,
                "in": "query",
                "description": "Sort by this field (`-` for descending); ties by id.",
                "schema": {"type": "string", "enum": orderings},
            },
        ]


def _field_names(model) -> set[str]:
    return {field.name for field in model._meta.get_fields()}


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, without building a filter set and its form where plain filters
    decide alone.

    django-filter makes, for every filtered request, a copy of every filter, their form fields
    with their labels, a form class and a form: most of the time of a list filtered by client.
    Where every filter the request names is a plain one (a value cleaned by its form field and
    compared with one column: `client=`, `status=`, `starts_after=`), the list is filtered by
    the filter set's own filters and fields directly, which is what django-filter ends up doing
    with them. Anything else (a filter with a method, a value its field refuses) goes through
    django-filter's own path, whose form is built once per filter set class.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            filtered = _filtered_by_plain_filters(filterset_class, request.query_params, queryset)
            if filtered is not None:
                return filtered
        return super().filter_queryset(request, queryset, view)

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        return _form_class_built_once(filterset_class) if filterset_class else None


def _filtered_by_plain_filters(filterset_class, data, queryset):
    """`queryset` filtered as django-filter would, or None where it has to decide itself."""
    plain_fields = _plain_filter_fields(filterset_class)
    if plain_fields is None:
        return None
    for name, base_filter in filterset_class.base_filters.items():
        if name not in data:
            if base_filter.extra.get("required"):
                return None
            continue
        field = plain_fields.get(name)
        if field is None:
            return None
        try:
            value = field.clean(field.widget.value_from_datadict(data, {}, name))
        except DjangoValidationError:
            return None
        queryset = base_filter.filter(queryset, value)
    return queryset


# Bounded: a view with `filterset_fields` gets a new filter set class from django-filter on
# every request, and must not grow this for ever.
@functools.lru_cache(maxsize=64)
def _plain_filter_fields(filterset_class) -> dict[str, forms.Field] | None:
    """The form field of each plain filter of `filterset_class`, built once; None when the
    filter set does not apply its filters django-filter's own way."""
    if not _filters_plainly(filterset_class):
        return None
    return {
        name: base_filter.field
        for name, base_filter in filterset_class.base_filters.items()
        if _is_plain(base_filter)
    }


def _filters_plainly(filterset_class) -> bool:
    """The filter set applies its filters in order, with a plain form: django-filter's own."""
    return (
        filterset_class.filter_queryset is BaseFilterSet.filter_queryset
        and filterset_class.__init__ is BaseFilterSet.__init__
        and filterset_class._meta.form is forms.Form
    )


def _is_plain(base_filter) -> bool:
    """A filter that compares one column with the value its form field cleaned from one query
    parameter, with nothing of the request or the filter set. Its type is checked before its
    field is built: a field that depends on the request (a queryset per practice) is never
    built outside one."""
    if (
        isinstance(base_filter, QuerySetRequestMixin)
        or base_filter.method is not None
        or type(base_filter).filter not in (Filter.filter, ChoiceFilter.filter)
    ):
        return False
    widget = base_filter.field.widget
    # The widget reads one parameter, absent when the request does not name it.
    return type(widget).value_from_datadict in _ONE_PARAMETER_READERS and not getattr(
        widget, "allow_multiple_selected", False
    )


_ONE_PARAMETER_READERS = (Widget.value_from_datadict, ChoiceWidget.value_from_datadict)


class _FormClassBuiltOnce:
    def get_form_class(self):
        filterset_class = type(self)
        if "form_class" not in vars(filterset_class):
            filterset_class.form_class = super().get_form_class()
        return filterset_class.form_class


@functools.lru_cache(maxsize=64)
def _form_class_built_once(filterset_class):
    return type(filterset_class.__name__, (_FormClassBuiltOnce, filterset_class), {})
