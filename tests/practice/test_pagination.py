import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_client, make_session

pytestmark = pytest.mark.django_db


def _walk(api, url):
    seen = []
    while url:
        body = api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    return seen


def test_following_next_visits_every_row_once_newest_first(api_a, practice_a, clinician_a):
    clients = [make_client(practice_a.practice, clinician=clinician_a) for _ in range(7)]

    seen = _walk(api_a, "/api/v1/clients/?page_size=3")

    assert seen == [str(c.pk) for c in reversed(clients)]


def test_a_page_has_results_next_and_previous(api_a, client_a):
    body = api_a.get("/api/v1/clients/").json()

    assert set(body) == {"results", "next", "previous"}


@pytest.mark.parametrize("resource", ["clinicians", "clients", "sessions"])
def test_list_queries_do_not_grow_with_page_size(api_a, practice_a, client_a, resource):
    for _ in range(12):
        make_session(practice_a.practice, client=make_client(practice_a.practice))

    counts = []
    for page_size in (2, 12):
        api_a.get(f"/api/v1/{resource}/")  # the key's last use is written once a minute at most
        with CaptureQueriesContext(connection) as queries:
            response = api_a.get(f"/api/v1/{resource}/", {"page_size": page_size})
        assert len(response.json()["results"]) == page_size
        counts.append(len(queries))

    assert counts[0] == counts[1]
