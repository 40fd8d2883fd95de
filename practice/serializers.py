"""Reading records out as JSON without DRF's per-field, per-row machinery.

A page of 50 rows through a `ModelSerializer` spends most of its time in DRF: the fields are
built again for every request, and every value of every row goes through `get_attribute` and
a time-zone lookup. `PlainRepresentation` gives the same output from a plan made once per
serializer class: for each field, how to read it from the instance and turn it into JSON.
"""

from datetime import datetime

from django.db import models
from django.utils import timezone
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.fields import SkipField

# Fields whose output depends on nothing but the value: the plan keeps one bound instance of
# each and calls its `to_representation`.
_VALUE_ONLY_FIELDS = (
    drf_fields.CharField,
    drf_fields.EmailField,
    drf_fields.SlugField,
    drf_fields.URLField,
    drf_fields.ChoiceField,
    drf_fields.BooleanField,
    drf_fields.IntegerField,
    drf_fields.FloatField,
    drf_fields.JSONField,
    drf_fields.ReadOnlyField,
)


def _iso_datetime(value, zone):
    """DRF's `DateTimeField` output for an aware datetime: in the current zone, UTC as `Z`."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class _Plan:
    """How to read one field: its name, the attributes to follow, and the conversion."""

    __slots__ = ("attribute", "convert", "field", "kind", "name", "path")

    def __init__(self, field, kind: str, path: list[str], convert=None):
        self.name = field.field_name
        self.field = field
        self.kind = kind
        self.path = path
        # Most fields read one attribute of the instance: read it without walking a path.
        self.attribute = path[0] if len(path) == 1 else None
        self.convert = convert


def _plan_for(field, model) -> _Plan | None:
    """The plan of one field, or None where only DRF's own path is sure to be right."""
    if isinstance(field, serializers.SerializerMethodField):
        return _Plan(field, "method", [], field.method_name)
    path = list(field.source_attrs)
    if field.source == "*" or not path:
        return None
    kind = type(field)
    if kind is relations.PrimaryKeyRelatedField and field.pk_field is None and len(path) == 1:
        return _Plan(field, "value", [model._meta.get_field(path[0]).attname])
    if kind is relations.SlugRelatedField:
        return _Plan(field, "slug", path, field.slug_field)
    if kind.to_representation is drf_fields.DateTimeField.to_representation:
        default_format = getattr(field, "format", drf_fields.empty) in (
            drf_fields.empty,
            drf_fields.ISO_8601,
        )
        if default_format and not hasattr(field, "timezone"):
            return _Plan(field, "datetime", path)
        return None
    if kind is drf_fields.UUIDField and field.uuid_format == "hex_verbose":
        return _Plan(field, "convert", path, str)
    if isinstance(field, serializers.ListSerializer) and len(path) == 1:
        # Related rows, as DRF reads them: the manager's rows through the child serializer.
        return _Plan(field, "convert", path, field.to_representation)
    if any(kind.to_representation is value.to_representation for value in _VALUE_ONLY_FIELDS):
        return _Plan(field, "convert", path, field.to_representation)
    return None


class PlainRepresentation:
    """Mixin for a `ModelSerializer`: the same JSON as DRF's, read through a plan per class.

    A serializer with a field the plan does not know (a nested serializer, a hyperlink) keeps
    DRF's own path, and so does anything given a dict instead of a model instance.
    """

    _plans: dict[type, list[_Plan] | None] = {}

    @classmethod
    def _read_plan(cls) -> list[_Plan] | None:
        if cls not in PlainRepresentation._plans:
            model = cls.Meta.model
            plans = [_plan_for(field, model) for field in cls()._readable_fields]
            PlainRepresentation._plans[cls] = None if None in plans else plans
        return PlainRepresentation._plans[cls]

    def _zone(self):
        """The current time zone, read once per serializer: the rows of a page share it."""
        try:
            return self._current_zone
        except AttributeError:
            self._current_zone = timezone.get_current_timezone()
            return self._current_zone

    def to_representation(self, instance):
        plans = self._read_plan()
        if plans is None or not isinstance(instance, models.Model):
            return super().to_representation(instance)
        zone = self._zone()
        represented = {}
        for plan in plans:
            if plan.kind == "method":
                represented[plan.name] = getattr(self, plan.convert)(instance)
                continue
            if plan.attribute is not None:
                value = getattr(instance, plan.attribute, None)
            else:
                value = instance
                for attribute in plan.path:
                    value = getattr(value, attribute, None) if value is not None else None
            if value is None:
                if len(plan.path) > 1 and plan.kind != "slug":
                    # A missing link on the way: DRF decides (a default, null, or no key).
                    try:
                        attribute = plan.field.get_attribute(instance)
                    except SkipField:
                        continue
                    represented[plan.name] = (
                        None if attribute is None else plan.field.to_representation(attribute)
                    )
                    continue
                represented[plan.name] = None
            elif plan.kind == "value":
                represented[plan.name] = value
            elif plan.kind == "slug":
                represented[plan.name] = getattr(value, plan.convert)
            elif plan.kind == "datetime":
                represented[plan.name] = (
                    _iso_datetime(value, zone)
                    if isinstance(value, datetime) and timezone.is_aware(value)
                    else plan.field.to_representation(value)
                )
            else:
                represented[plan.name] = plan.convert(value)
        return represented
