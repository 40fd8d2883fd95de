"""The one way an update service writes a row: only the fields it changes.

A whole-row `save()` writes back every field as it was read, so a PATCH racing a
compare-and-swap transition (a session completed, a client opting out) would undo it. Writing
only the changed fields (and `updated_at`, which incremental sync reads) leaves what another
request changed meanwhile alone.
"""

from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, models, transaction

from practice.errors import InvalidInput

Row = TypeVar("Row", bound=models.Model)


def model_update(
    *,
    instance: Row,
    fields: list[str] | tuple[str, ...],
    data: dict,
    check: Callable[[Row], None] | None = None,
) -> tuple[Row, list[str]]:
    """Set the `fields` that `data` gives on `instance`, validate them and save only those.

    `data` may hold only names in `fields` (the service's whitelist). `check` sees the row
    with its new values before it is saved (a uniqueness check that answers 409 naming the
    record in the way); a concurrent write that wins meanwhile fails the save and is found by
    the same check. Returns the row and the names of the fields that changed; nothing is
    written when none did.
    """
    not_allowed = sorted(set(data) - set(fields))
    if not_allowed:
        raise InvalidInput({name: ["This field cannot be changed."] for name in not_allowed})
    changed = []
    for name, value in data.items():
        field = instance._meta.get_field(name)
        before = field.value_from_object(instance)
        setattr(instance, name, value)
        if field.value_from_object(instance) != before:
            changed.append(name)
    if not changed:
        return instance, []
    untouched = [f.name for f in instance._meta.concrete_fields if f.name not in changed]
    try:
        instance.full_clean(exclude=untouched, validate_unique=False, validate_constraints=False)
    except DjangoValidationError as error:
        raise InvalidInput(_field_errors(error)) from error
    save_checked(instance, check=check, update_fields=[*changed, *_updated_at(instance, changed)])
    return instance, changed


def save_checked(
    record: Row,
    *,
    check: Callable[[Row], None] | None = None,
    update_fields: list[str] | None = None,
    check_first: bool = True,
) -> None:
    """Save `record` after `check` (which raises a 409 naming the record in the way); a
    concurrent write that wins the race meanwhile fails the save and is found by the same
    check. `check_first=False` when a database constraint refuses all that `check` looks for:
    it then runs only to explain a refusal, and a save costs one query less (bulk imports)."""
    if check is not None and check_first:
        check(record)
    try:
        with transaction.atomic():
            record.save(update_fields=update_fields)
    except IntegrityError:
        if check is not None:
            check(record)
        raise


def _updated_at(instance: models.Model, changed: list[str]) -> list[str]:
    has_updated_at = any(f.name == "updated_at" for f in instance._meta.concrete_fields)
    return ["updated_at"] if has_updated_at and "updated_at" not in changed else []


def _field_errors(error: DjangoValidationError) -> dict[str, list[str]]:
    errors = error.message_dict
    if NON_FIELD_ERRORS in errors:
        errors["non_field_errors"] = errors.pop(NON_FIELD_ERRORS)
    return errors
