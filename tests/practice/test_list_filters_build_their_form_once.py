"""A list's filters build their form class once per filter set, and filter as django-filter
does: the same rows, the same refusals."""

import pytest
from django.http import QueryDict

from practice.api import SessionFilter
from practice.listing import FilterBackend
from practice.models import Session
from practice.tenancy import practice_scope
from tests.factories import make_client, make_session

pytestmark = pytest.mark.django_db


class _SessionsView:
    filterset_class = SessionFilter


def _filterset_class():
    return FilterBackend().get_filterset_class(_SessionsView(), Session.objects.none())


def test_every_request_uses_the_same_form_class(practice_a):
    with practice_scope(practice_a.practice):
        first = _filterset_class()(QueryDict("status=completed"), Session.objects.all())
        second = _filterset_class()(QueryDict("status=scheduled"), Session.objects.all())

        assert first.form is not second.form
        assert type(first.form) is type(second.form)


def test_it_filters_the_rows_django_filter_does(practice_a):
    practice = practice_a.practice
    client = make_client(practice)
    make_session(practice, client=client)
    make_session(practice, client=make_client(practice))
    query = QueryDict(f"client={client.pk}")

    with practice_scope(practice):
        ours = _filterset_class()(query, Session.objects.all()).qs
        theirs = SessionFilter(query, Session.objects.all()).qs

        assert list(ours) == list(theirs) == list(client.sessions.all())


def test_it_refuses_what_django_filter_refuses(practice_a):
    query = QueryDict("client=not-a-uuid&status=maybe")

    with practice_scope(practice_a.practice):
        ours = _filterset_class()(query, Session.objects.all())
        theirs = SessionFilter(query, Session.objects.all())

        assert (ours.is_valid(), ours.errors) == (False, theirs.errors)
