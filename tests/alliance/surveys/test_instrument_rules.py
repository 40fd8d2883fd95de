"""An instrument's rules hold for the API and admin alike: every item a usable scale, words
only in translations, subscales of known items, one instrument per code."""

import json

import pytest

from alliance.models import Instrument
from tests.factories import make_instrument

pytestmark = pytest.mark.django_db

ITEM = {"code": "bond", "text": "We work well together.", "min": 1, "max": 5, "step": 1}
OWN = {"code": "our-check", "name": "Our check", "items": [ITEM]}
HUGE = 1e308


def _without(name: str) -> dict:
    return {k: v for k, v in ITEM.items() if k != name}


BROKEN_ITEMS = [
    [_without("min")],
    [_without("max")],
    [ITEM | {"min": -HUGE}],
    [ITEM | {"max": HUGE}],
    [ITEM | {"step": 0}],
    [ITEM | {"step": 0.3}],
    [ITEM | {"min": 5, "max": 1}],
    [ITEM | {"translations": {"es": {"text": "Trabajamos bien.", "step": 0}}}],
    [ITEM | {"translations": {"fr": {"text": "On travaille bien."}}}],
    [ITEM | {"translations": {"es": {"text": 5}}}],
    [ITEM | {"translations": ["es"]}],
    [ITEM, ITEM],
]


@pytest.mark.parametrize("items", BROKEN_ITEMS)
def test_creating_an_instrument_with_a_broken_item_is_a_field_error(api_a, items):
    response = api_a.post("/api/v1/instruments/", OWN | {"items": items}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "items" in response.json()["errors"]


@pytest.mark.parametrize("items", BROKEN_ITEMS)
def test_patching_an_instrument_with_a_broken_item_is_a_field_error(api_a, practice_a, items):
    make_instrument(practice_a.practice)

    response = api_a.patch("/api/v1/instruments/our-check/", {"items": items}, format="json")

    assert response.status_code == 400
    assert "items" in response.json()["errors"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"scoring": {"method": "sum", "subscales": {"s": ["nope"]}}}, "scoring"),
        ({"threshold": HUGE}, "threshold"),
        ({"reliability": 1}, "reliability"),
        ({"standard_deviation": 0}, "standard_deviation"),
    ],
)
def test_an_instruments_other_parts_are_checked_too(api_a, change, field):
    response = api_a.post("/api/v1/instruments/", OWN | change, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_translation_of_the_words_is_kept(api_a):
    words = {"text": "Trabajamos bien juntos.", "min_label": "Nunca", "max_label": "Siempre"}
    item = ITEM | {"translations": {"es": words}}

    response = api_a.post("/api/v1/instruments/", OWN | {"items": [item]}, format="json")

    assert response.status_code == 201
    assert response.json()["items"][0]["translations"] == {"es": words}


def test_a_taken_code_is_refused(api_a, practice_a):
    make_instrument(practice_a.practice)

    response = api_a.post("/api/v1/instruments/", OWN, format="json")

    assert response.status_code == 400
    assert "code" in response.json()["errors"]


def _admin_form(practice, **fields) -> dict:
    return {
        "practice": str(practice.pk),
        "code": "our-check",
        "name": "Our check",
        "items": json.dumps([ITEM]),
        "scoring": json.dumps({"method": "sum", "subscales": {}}),
    } | fields


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"items": json.dumps([_without("step")])}, "items[0].step: This field is required."),
        (
            {"items": json.dumps([ITEM | {"translations": {"es": {"step": 0}}}])},
            "items[0].translations.es.step: Unknown setting.",
        ),
        ({"scoring": json.dumps({"method": "median"})}, "method: Must be one of sum, mean."),
        ({"code": "Not A Slug"}, "slug"),
    ],
)
def test_admin_shows_a_broken_rule_on_the_form_and_saves_nothing(
    platform_admin, practice_a, fields, message
):
    response = platform_admin.post(
        "/admin/alliance/instrument/add/", _admin_form(practice_a.practice, **fields)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Instrument.across_practices_unsafe.filter(code=fields.get("code", "our-check"))


def test_admin_refuses_a_code_the_practice_already_has(platform_admin, practice_a):
    make_instrument(practice_a.practice)

    response = platform_admin.post(
        "/admin/alliance/instrument/add/", _admin_form(practice_a.practice)
    )

    assert response.status_code == 200
    assert "This code is taken" in response.content.decode()
    assert Instrument.across_practices_unsafe.filter(code="our-check").count() == 1


def test_admin_adds_an_instrument_through_the_same_service(platform_admin, practice_a):
    response = platform_admin.post(
        "/admin/alliance/instrument/add/", _admin_form(practice_a.practice)
    )

    assert response.status_code == 302
    added = Instrument.across_practices_unsafe.get(code="our-check")
    assert (added.practice_id, added.version, added.items) == (practice_a.practice.pk, 1, [ITEM])
