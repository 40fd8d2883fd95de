"""The one path by which tenant data is read and written.

Every tenant-owned row carries its practice. Code that touches tenant data runs inside
`practice_scope(practice)`: the API's base view enters it from the request's API key, commands
and tasks enter it from an explicit practice id. The default manager of every tenant-owned model
filters by the practice in scope and raises `NoPracticeInScope` when there is none, so a
forgotten scope fails closed instead of returning every practice's rows.

Platform-wide code (authentication, Django admin, beat jobs that fan out per practice) uses the
`across_practices_unsafe` manager, whose name says what it does.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from practice.models import Practice


class NoPracticeInScope(RuntimeError):
    """Tenant data was queried outside `practice_scope`."""


class CrossPracticeWrite(RuntimeError):
    """A row of one practice was about to be saved while another practice is in scope."""


_practice_in_scope: ContextVar["Practice | None"] = ContextVar("practice_in_scope", default=None)


@contextmanager
def practice_scope(practice: "Practice") -> Iterator["Practice"]:
    """Run the enclosed block as `practice`; the previous scope is restored on exit."""
    token = _practice_in_scope.set(practice)
    try:
        yield practice
    finally:
        _practice_in_scope.reset(token)


def current_practice() -> "Practice":
    practice = _practice_in_scope.get()
    if practice is None:
        raise NoPracticeInScope("Tenant data needs a practice in scope: use practice_scope().")
    return practice


class PracticeScopedManager(models.Manager):
    """Returns only the rows of the practice in scope, and refuses to run without one."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(practice=current_practice())


class PracticeOwnedModel(models.Model):
    """Base of every tenant-owned table.

    The practice is a column of the row itself (never only reached through a parent), it leads
    every unique constraint and index, and (practice, id) is unique so that the tables can later
    be distributed by practice.
    """

    practice = models.ForeignKey("practice.Practice", on_delete=models.CASCADE, related_name="+")

    objects = PracticeScopedManager()
    across_practices_unsafe = models.Manager()  # noqa: DJ012 - a manager, not a field

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        practice = _practice_in_scope.get()
        if practice is not None and self.practice_id != practice.pk:
            raise CrossPracticeWrite(
                f"{type(self).__name__} of another practice saved inside a practice scope."
            )
        super().save(*args, **kwargs)
