"""Lists filtered by plain filters (a value compared with a column) skip django-filter's filter
set and form, and select exactly what django-filter selects; anything else takes its path."""

import uuid
from unittest import mock

import pytest
from django_filters import rest_framework as filters
from django_filters.filterset import BaseFilterSet
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from alliance.alerts.api import AlertFilter
from alliance.surveys.api import InvitationFilter, ResponseFilter
from practice.api import ClientFilter, SessionFilter, TombstoneFilter
from practice.listing import FilterBackend
from practice.models import Client, Session
from practice.tenancy import practice_scope

pytestmark = pytest.mark.django_db

SOME_ID = uuid.uuid4()
CASES = [
    (SessionFilter, f"client={SOME_ID}"),
    (SessionFilter, f"client={str(SOME_ID).upper()}&status=completed"),
    (SessionFilter, f"status=no_show&clinician={SOME_ID}&external_id=%20ehr-7%20"),
    (SessionFilter, "starts_after=2026-05-04T15:00:00%2B02:00&starts_before=2026-06-01T00:00:00Z"),
    (SessionFilter, f"client={SOME_ID}&client={uuid.uuid4()}"),
    (SessionFilter, "status=&client="),
    (SessionFilter, "cursor=abc&page_size=3&status=scheduled"),
    (SessionFilter, "client=not-a-uuid"),
    (SessionFilter, "status=maybe&client=also-not"),
    (SessionFilter, "status=null"),
    (SessionFilter, "starts_after=yesterday"),
    (SessionFilter, "starts_after=1800-01-01T00:00:00Z"),
    (ClientFilter, f"clinician={SOME_ID}&status=active"),
    (AlertFilter, "kind=drop&severity=red&status=open"),
    (InvitationFilter, f"session={SOME_ID}&status=sent"),
    (ResponseFilter, f"client={SOME_ID}"),
    (TombstoneFilter, "since=2026-05-04T15:00:00Z"),
    (TombstoneFilter, "since=whenever"),
]


class _View:
    def __init__(self, filterset_class):
        self.filterset_class = filterset_class


def _filtered(backend, filterset_class, query):
    request = Request(APIRequestFactory().get(f"/?{query}"))
    queryset = filterset_class._meta.model.objects.all()
    try:
        return str(backend.filter_queryset(request, queryset, _View(filterset_class)).query)
    except ValidationError as refused:
        return refused.detail


@pytest.mark.parametrize(("filterset_class", "query"), CASES)
def test_it_selects_or_refuses_as_django_filter_does(practice_a, filterset_class, query):
    with practice_scope(practice_a.practice):
        ours = _filtered(FilterBackend(), filterset_class, query)
        theirs = _filtered(DjangoFilterBackend(), filterset_class, query)

    assert ours == theirs


def test_plain_filters_build_no_filter_set(practice_a):
    with (
        practice_scope(practice_a.practice),
        mock.patch.object(BaseFilterSet, "__init__", side_effect=AssertionError),
    ):
        query = _filtered(FilterBackend(), SessionFilter, f"client={SOME_ID}&status=completed")

    assert "client_id" in query


def test_a_filter_with_a_method_goes_through_django_filter(practice_a):
    with (
        practice_scope(practice_a.practice),
        mock.patch.object(BaseFilterSet, "__init__", side_effect=AssertionError),
        pytest.raises(AssertionError),
    ):
        _filtered(FilterBackend(), TombstoneFilter, "since=2026-05-04T15:00:00Z")


def test_a_filter_whose_choices_depend_on_the_request_is_built_only_with_the_request(practice_a):
    requests_seen = []

    def clients_of_the_request(request):
        requests_seen.append(request)
        return Client.objects.all()

    class ByClient(filters.FilterSet):
        client = filters.ModelChoiceFilter(queryset=clients_of_the_request)

        class Meta:
            model = Session
            fields = ["client"]

    with practice_scope(practice_a.practice):
        _filtered(FilterBackend(), ByClient, f"client={SOME_ID}")

    assert requests_seen and None not in requests_seen


def test_a_filter_set_that_narrows_itself_goes_through_django_filter(practice_a):
    class OnlyCompleted(filters.FilterSet):
        status = filters.CharFilter()

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.queryset = self.queryset.filter(status="completed")

        class Meta:
            model = Session
            fields = ["status"]

    with practice_scope(practice_a.practice):
        query = _filtered(FilterBackend(), OnlyCompleted, "status=scheduled")

    assert '"status" = completed' in query
