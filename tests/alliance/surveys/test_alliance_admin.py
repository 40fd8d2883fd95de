import json

import pytest

from alliance.models import Alert, Instrument
from tests.factories import make_instrument, make_response, set_survey_policy

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "page",
    [
        "alliance/instrument",
        "alliance/surveypolicy",
        "alliance/surveyinvitation",
        "alliance/surveyresponse",
        "alliance/alert",
        "alliance/alertrules",
        "notifications/outboxmessage",
        "notifications/webhookendpoint",
    ],
)
def test_each_changelist_loads_with_rows_of_every_practice(
    platform_admin, practice_a, client_a, practice_b, page
):
    make_response(practice_a.practice, client_a, discuss_request=True)
    make_response(practice_b.practice, discuss_request=True)

    assert platform_admin.get(f"/admin/{page}/").status_code == 200


def test_an_alerts_admin_page_shows_its_evidence(platform_admin, practice_a, client_a):
    make_response(practice_a.practice, client_a, discuss_request=True)
    alert = Alert.across_practices_unsafe.get()

    page = platform_admin.get(f"/admin/alliance/alert/{alert.pk}/change/").content.decode()

    assert "discuss_request" in page


def test_the_clients_admin_page_shows_their_alliance_chart(platform_admin, practice_a, client_a):
    make_response(practice_a.practice, client_a)

    page = platform_admin.get(f"/admin/practice/client/{client_a.pk}/change/").content.decode()

    assert "<svg " in page
    assert "1 answers, oldest first: 50." in page


def test_editing_an_answered_instrument_in_admin_makes_a_new_version(
    platform_admin, practice_a, client_a
):
    instrument = make_instrument(practice_a.practice)
    set_survey_policy(practice_a.practice, instrument_code=instrument.code)
    make_response(practice_a.practice, client_a, answers={"bond": 5, "progress": 5})

    response = platform_admin.post(
        f"/admin/alliance/instrument/{instrument.pk}/change/",
        {
            "practice": str(practice_a.practice.pk),
            "code": instrument.code,
            "name": "Renamed",
            "items": json.dumps(instrument.items),
            "scoring": json.dumps(instrument.scoring),
            "threshold": "6",
        },
    )

    assert response.status_code == 302
    versions = Instrument.across_practices_unsafe.filter(code=instrument.code).order_by("version")
    assert [(v.version, v.name, v.is_current) for v in versions] == [
        (1, "Our check", False),
        (2, "Renamed", True),
    ]


def test_built_in_instruments_are_read_only_in_admin(platform_admin):
    built_in = Instrument.across_practices_unsafe.get(code="alliance-check", practice=None)

    response = platform_admin.post(
        f"/admin/alliance/instrument/{built_in.pk}/change/", {"name": "Changed"}
    )

    assert response.status_code == 403
