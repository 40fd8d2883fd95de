"""The one path by which tenant data is read and written.

Every tenant-owned row carries its practice. Code that touches tenant data runs inside
`practice_scope(practice)`: the API's base view enters it from the request's API key, commands
and tasks enter it from an explicit practice id. The default manager of every tenant-owned model
filters by the practice in scope and raises `NoPracticeInScope` when there is none, so a
forgotten scope fails closed instead of returning every practice's rows.

Platform-wide code says so in its name: authentication and beat jobs that fan out per practice
use the `across_practices_unsafe` manager, and Django admin (for platform admins, who look
across practices) runs each of its views inside `across_practices_unsafe()`.
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


class _AcrossPractices:
    """The scope of platform-wide views: every practice's rows, and no practice to write as."""


ACROSS_PRACTICES = _AcrossPractices()

_scope: ContextVar["Practice | _AcrossPractices | None"] = ContextVar(
    "practice_scope", default=None
)


@contextmanager
def _entered(scope: "Practice | _AcrossPractices") -> Iterator[None]:
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


@contextmanager
def practice_scope(practice: "Practice") -> Iterator["Practice"]:
    """Run the enclosed block as `practice`; the previous scope is restored on exit."""
    with _entered(practice):
        yield practice


@contextmanager
def practice_scope_by_id(practice_id) -> Iterator["Practice"]:
    """`practice_scope` for tasks and commands, which receive ids, never model instances."""
    from practice.models import Practice

    with practice_scope(Practice.objects.get(pk=practice_id)) as practice:
        yield practice


def across_practices_unsafe():
    """Let the enclosed block read every practice's rows. For platform admins only."""
    return _entered(ACROSS_PRACTICES)


def current_practice() -> "Practice":
    """The practice in scope, for code that writes as that practice."""
    scope = _scope.get()
    if scope is None or scope is ACROSS_PRACTICES:
        raise NoPracticeInScope("Tenant data needs a practice in scope: use practice_scope().")
    return scope


class PracticeScopedManager(models.Manager):
    """Returns only the rows of the practice in scope, and refuses to run without one."""

    def get_queryset(self) -> models.QuerySet:
        if _scope.get() is ACROSS_PRACTICES:
            return super().get_queryset()
        # By the column, not the instance: the same SQL, built in half the time.
        return super().get_queryset().filter(practice_id=current_practice().pk)


class PracticeOrSharedManager(models.Manager):
    """Rows of the practice in scope plus the shared rows that belong to no practice."""

    def get_queryset(self) -> models.QuerySet:
        if _scope.get() is ACROSS_PRACTICES:
            return super().get_queryset()
        return (
            super()
            .get_queryset()
            .filter(models.Q(practice=current_practice()) | models.Q(practice=None))
        )


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
        scope = _scope.get()
        if scope not in (None, ACROSS_PRACTICES) and self.practice_id != scope.pk:
            raise CrossPracticeWrite(
                f"{type(self).__name__} of another practice saved inside a practice scope."
            )
        super().save(*args, **kwargs)
