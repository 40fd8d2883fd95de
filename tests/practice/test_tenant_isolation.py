"""Practice B's key can never see, change or even detect practice A's records."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from alliance.models import Alert, Instrument, SurveyInvitation, SurveyResponse
from notifications.models import OutboxMessage, SuppressedAddress, WebhookEndpoint
from notifications.services import address_suppress, webhook_endpoint_create
from practice.imports import bulk_import_create
from practice.models import BulkImport, Client, Clinician, Membership, Session
from practice.tenancy import practice_scope
from tests import factories
from tests.factories import make_clinician

pytestmark = pytest.mark.django_db

# Every API route with an id needs a way to make practice A's object for it. A route added
# without an entry here fails the matrix below.
OBJECT_FIXTURES = {
    "member": "clinician_member_a",
    "clinician": "clinician_a",
    "clinician-brief": "clinician_a",
    "client": "client_a",
    "client-alliance": "client_a",
    "session": "session_a",
    "session-survey-link": "session_a",
    "instrument": "own_instrument_a",
    "survey-invitation": "invitation_a",
    "response": "response_a",
    "message": "message_a",
    "alert": "alert_a",
    "webhook": "webhook_a",
    "import": "import_a",
    "suppression": "suppression_a",
}
MODELS = {
    "member": Membership,
    "clinician": Clinician,
    "clinician-brief": Clinician,
    "client": Client,
    "client-alliance": Client,
    "session": Session,
    "session-survey-link": Session,
    "instrument": Instrument,
    "survey-invitation": SurveyInvitation,
    "response": SurveyResponse,
    "message": OutboxMessage,
    "alert": Alert,
    "webhook": WebhookEndpoint,
    "import": BulkImport,
    "suppression": SuppressedAddress,
}
LOOKUP = re.compile(r"\(\?P<(\w+)>")
ANY_BODY = {"name": "Taken over", "active": False, "status": "discharged", "duration_minutes": 5}


@pytest.fixture
def own_instrument_a(practice_a):
    return factories.make_instrument(practice_a.practice)


@pytest.fixture
def invitation_a(practice_a, client_a):
    invitation, _ = factories.make_sent_invitation(practice_a.practice, client_a)
    return invitation


@pytest.fixture
def alert_a(practice_a, client_a):
    factories.make_response(practice_a.practice, client_a, discuss_request=True)
    return Alert.across_practices_unsafe.get(practice=practice_a.practice)


@pytest.fixture
def webhook_a(practice_a):
    with practice_scope(practice_a.practice):
        endpoint, _ = webhook_endpoint_create(
            url="https://a.example/hook", events=["alert.created"]
        )
    return endpoint


@pytest.fixture
def import_a(practice_a):
    with practice_scope(practice_a.practice):
        return bulk_import_create(
            content=b"external_id,name,email\nC-1,Dr. Ruiz,r@example.org\n",
            file_name="clinicians.csv",
            record_type="clinician",
            process=False,
        )


@pytest.fixture
def suppression_a(practice_a):
    with practice_scope(practice_a.practice):
        return address_suppress(address="gone@example.org", reason="bounced")


@pytest.fixture
def message_a(practice_a, invitation_a):
    return OutboxMessage.across_practices_unsafe.get(practice=practice_a.practice)


@pytest.fixture
def response_a(practice_a, client_a):
    return factories.make_response(practice_a.practice, client_a)


def _api_routes_with_an_id(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes_with_an_id(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and LOOKUP.search(route) and route.startswith("api/"):
            yield pattern, route


def _matrix():
    for pattern, route in _api_routes_with_an_id():
        basename = pattern.callback.initkwargs.get("basename")
        lookup = LOOKUP.search(route).group(1)
        for method in pattern.callback.actions:
            if lookup == "external_id" and method == "put":
                continue  # a practice's own external ids: see the upsert test below
            yield pytest.param(
                basename, pattern.name, lookup, method, id=f"{method} {pattern.name}"
            )


@pytest.mark.parametrize(("basename", "route_name", "lookup", "method"), list(_matrix()))
def test_another_practices_object_answers_exactly_as_a_missing_one_and_changes_nothing(
    request, api_b, basename, route_name, lookup, method
):
    assert basename in OBJECT_FIXTURES, f"No practice-A object fixture for route {route_name}"
    obj = request.getfixturevalue(OBJECT_FIXTURES[basename])
    model = MODELS[basename]
    if lookup == "external_id":
        model.across_practices_unsafe.filter(pk=obj.pk).update(external_id="A-1")
        obj.refresh_from_db()
    before = list(model.across_practices_unsafe.filter(pk=obj.pk).values())
    missing_value = uuid.uuid4() if lookup in ("pk", "id") else "no-such-code"

    body = ANY_BODY if method in ("post", "put", "patch") else None
    foreign_url = reverse(route_name, kwargs={lookup: getattr(obj, lookup)})
    missing_url = reverse(route_name, kwargs={lookup: missing_value})
    foreign = getattr(api_b, method)(foreign_url, body, format="json")
    missing = getattr(api_b, method)(missing_url, body, format="json")

    assert foreign.status_code == 404
    assert foreign.json() == missing.json()
    assert list(model.across_practices_unsafe.filter(pk=obj.pk).values()) == before


def test_putting_another_practices_external_id_makes_ones_own_record_and_touches_none_of_its(
    api_b, clinician_a, client_a
):
    for model, obj in ((Clinician, clinician_a), (Client, client_a)):
        model.across_practices_unsafe.filter(pk=obj.pk).update(external_id="A-1")

    def practice_a_rows():
        practice = clinician_a.practice
        return [
            list(Clinician.across_practices_unsafe.filter(practice=practice).values()),
            list(Client.across_practices_unsafe.filter(practice=practice).values()),
        ]

    before = practice_a_rows()

    clinician = api_b.put(
        "/api/v1/clinicians/external/A-1/",
        {"name": "B's own", "email": clinician_a.email},
        format="json",
    )
    client = api_b.put(
        "/api/v1/clients/external/A-1/",
        {"name": "B's own", "email": "own@b.example", "clinician_external_id": "A-1"},
        format="json",
    )

    assert (clinician.status_code, client.status_code) == (201, 201)
    assert client.json()["clinician"] == clinician.json()["id"] != str(clinician_a.pk)
    assert client.json()["id"] != str(client_a.pk)
    assert practice_a_rows() == before


def test_the_matrix_covers_every_api_route_with_an_id():
    covered = {
        pattern.callback.initkwargs.get("basename") for pattern, _ in _api_routes_with_an_id()
    }
    assert covered <= set(OBJECT_FIXTURES), covered - set(OBJECT_FIXTURES)
    assert len(list(_matrix())) >= 20


@pytest.mark.parametrize(
    "resource",
    [
        "clinicians",
        "clients",
        "sessions",
        "survey-invitations",
        "responses",
        "messages",
        "alerts",
        "webhooks",
        "deletions",
        "imports",
        "suppressions",
    ],
)
def test_lists_never_contain_another_practices_rows(
    api_b, response_a, alert_a, webhook_a, import_a, suppression_a, resource
):
    response = api_b.get(f"/api/v1/{resource}/")

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_member_list_holds_only_the_practices_own_members(
    api_b, outsider_b, owner_a, clinician_member_a
):
    response = api_b.get("/api/v1/members/")

    assert [row["id"] for row in response.json()["results"]] == [str(outsider_b.pk)]


def test_filtering_by_another_practices_client_finds_nothing(api_b, session_a):
    response = api_b.get("/api/v1/sessions/", {"client": str(session_a.client_id)})

    assert response.json()["results"] == []


def test_a_session_for_another_practices_client_is_a_field_error(api_b, client_a):
    response = api_b.post(
        "/api/v1/sessions/",
        {"client": str(client_a.pk), "starts_at": "2026-05-04T15:00:00+02:00"},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"client"}
    assert Session.across_practices_unsafe.count() == 0


def test_a_client_for_another_practices_clinician_is_a_field_error(api_b, clinician_a):
    response = api_b.post(
        "/api/v1/clients/",
        {"name": "Eve", "email": "eve@example.org", "clinician": str(clinician_a.pk)},
        format="json",
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"clinician"}


def test_reassigning_a_client_to_another_practices_clinician_is_a_field_error(
    api_a, client_a, practice_b
):
    outsider = make_clinician(practice_b.practice)

    response = api_a.patch(
        f"/api/v1/clients/{client_a.pk}/", {"clinician": str(outsider.pk)}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"clinician"}
