import pytest

from tests.factories import make_instrument, make_response, set_survey_policy

pytestmark = pytest.mark.django_db

OWN = {
    "code": "our-check",
    "name": "Our check",
    "items": [
        {"code": "bond", "text": "We work well together.", "min": 1, "max": 5},
        {
            "code": "progress",
            "text": "I am getting somewhere.",
            "min": 1,
            "max": 5,
            "role": "progress",
        },
    ],
    "threshold": 6,
}


def test_every_practice_sees_the_three_built_in_instruments(api_a):
    codes = [i["code"] for i in api_a.get("/api/v1/instruments/").json()["results"]]

    assert codes == ["alliance-check", "srs", "wai-sr"]


def test_an_instrument_shows_its_items_scoring_and_threshold(api_a):
    body = api_a.get("/api/v1/instruments/alliance-check/").json()

    assert body["version"] == 1
    assert body["built_in"] is True
    assert body["threshold"] == 45
    assert body["items"][0] == body["items"][0] | {
        "code": "comfort",
        "min": 0,
        "max": 10,
        "min_label": "Not at all",
        "max_label": "Completely",
    }


def test_a_practice_adds_its_own_instrument_seen_only_by_it(api_a, api_b):
    created = api_a.post("/api/v1/instruments/", OWN, format="json")

    assert created.status_code == 201
    assert created.json() | {"version": 1, "built_in": False} == created.json()
    assert created.json()["items"][0]["step"] == 1
    assert "our-check" in [i["code"] for i in api_a.get("/api/v1/instruments/").json()["results"]]
    assert "our-check" not in [
        i["code"] for i in api_b.get("/api/v1/instruments/").json()["results"]
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": []}, "items"),
        ({"items": [OWN["items"][0], OWN["items"][0]]}, "items"),
        ({"items": [{"code": "x", "text": "X", "min": 5, "max": 1}]}, "items"),
        ({"scoring": {"method": "sum", "subscales": {"s": ["nope"]}}}, "scoring"),
        ({"scoring": {"method": "median"}}, "scoring"),
        ({"code": "Not A Slug"}, "code"),
    ],
)
def test_an_invalid_instrument_is_a_field_error(api_a, change, field):
    response = api_a.post("/api/v1/instruments/", OWN | change, format="json")

    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_a_practice_may_supply_licensed_wording_under_a_built_in_code(api_a):
    licensed = OWN | {"code": "srs", "name": "SRS (licensed)"}

    created = api_a.post("/api/v1/instruments/", licensed, format="json")

    assert created.status_code == 201
    assert api_a.get("/api/v1/instruments/srs/").json()["name"] == "SRS (licensed)"


def test_editing_an_instrument_without_answers_changes_it_in_place(api_a, practice_a):
    make_instrument(practice_a.practice)

    response = api_a.patch("/api/v1/instruments/our-check/", {"threshold": 7}, format="json")

    assert response.json()["version"] == 1
    assert response.json()["threshold"] == 7


def test_editing_an_answered_instrument_makes_a_new_version_and_keeps_old_answers(
    api_a, practice_a, client_a
):
    make_instrument(practice_a.practice)
    set_survey_policy(practice_a.practice, instrument_code="our-check")
    answered = make_response(practice_a.practice, client_a, answers={"bond": 2, "progress": 3})

    response = api_a.patch(
        "/api/v1/instruments/our-check/", {"name": "Our check, v2"}, format="json"
    )

    assert response.json()["version"] == 2
    assert api_a.get("/api/v1/instruments/our-check/").json()["name"] == "Our check, v2"
    kept = api_a.get(f"/api/v1/responses/{answered.pk}/").json()
    assert (kept["instrument"], kept["version"]) == ("our-check", 1)


def test_built_in_instruments_cannot_be_edited(api_a):
    response = api_a.patch("/api/v1/instruments/alliance-check/", {"threshold": 1}, format="json")

    assert response.status_code == 409


def test_an_unknown_instrument_is_404(api_a):
    assert api_a.get("/api/v1/instruments/no-such/").status_code == 404
