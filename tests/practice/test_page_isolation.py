"""On the clinician's pages, another practice's member and another clinician of the same
practice get exactly what an unknown id gets, for every page and action, and change nothing."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from alliance.models import Alert, AlertAction
from practice.models import Client, Membership
from tests.alliance.alerts.pages import make_alert
from tests.members import signed_in

pytestmark = pytest.mark.django_db

# Every page with an id needs practice A's object for it; a page added without an entry here
# fails `test_the_matrix_covers_every_page_with_an_id`.
OBJECTS = {"client_id": "client_a", "alert_id": "alert_a", "member_id": "owner_a"}
LOOKUP = re.compile(r"<uuid:(\w+)>")
# Owners and admins see every client: a clinician of A sees none of a colleague's.
PERSONAS = ["colleague_a", "outsider_b"]


@pytest.fixture
def alert_a(practice_a, client_a):
    return make_alert(practice_a.practice, client_a)


def _page_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _page_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and route.startswith("app/") and LOOKUP.search(route):
            yield route


def _matrix():
    for route in _page_routes():
        for method in ("get", "post"):
            yield pytest.param(route, method, id=f"{method} {route}")


def _state() -> list:
    return [
        list(model.across_practices_unsafe.order_by("pk").values())
        for model in (Alert, AlertAction, Client, Membership)
    ]


def _comparable(response, *ids) -> str:
    page = response.content.decode()
    for id_ in ids:
        page = page.replace(str(id_), "ID")
    page = re.sub(r'nonce="[^"]+"', "", page)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("route", "method"), list(_matrix()))
def test_another_practices_member_and_a_colleague_get_what_an_unknown_id_gets(
    request, client_a, alert_a, owner_a, persona, route, method
):
    lookup = LOOKUP.search(route).group(1)
    target = request.getfixturevalue(OBJECTS[lookup])
    browser = signed_in(request.getfixturevalue(persona))
    body = {
        "acknowledge-note": "x",
        "resolve-note": "x",
        "discussed-session": str(alert_a.session_id),
        "email": "x@example.org",
        "role": "owner",
    }
    unknown = uuid.uuid4()
    before = _state()

    foreign = getattr(browser, method)("/" + LOOKUP.sub(str(target.pk), route), body)
    missing = getattr(browser, method)("/" + LOOKUP.sub(str(unknown), route), body)

    assert foreign.status_code == missing.status_code
    assert foreign.status_code in (404, 405)
    assert _comparable(foreign, target.pk) == _comparable(missing, unknown)
    assert _state() == before


def test_the_matrix_covers_every_page_with_an_id():
    lookups = {LOOKUP.search(route).group(1) for route in _page_routes()}

    assert lookups <= set(OBJECTS), lookups - set(OBJECTS)
    assert len(list(_matrix())) >= 14
