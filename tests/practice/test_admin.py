import re

import pytest

from practice.models import APIKey, Session
from practice.selectors import api_key_for_raw_key
from tests.conftest import api_client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["practice", "membership", "apikey", "clinician", "client", "session"]
)
def test_each_changelist_shows_every_practices_rows(platform_admin, session_a, practice_b, model):
    response = platform_admin.get(f"/admin/practice/{model}/", {"q": ""})

    assert response.status_code == 200


def test_the_client_list_shows_no_names_or_emails(platform_admin, client_a):
    page = platform_admin.get("/admin/practice/client/").content.decode()

    assert str(client_a.pk) in page
    assert client_a.name not in page
    assert client_a.email not in page


def test_a_client_can_be_edited_in_admin(platform_admin, client_a):
    url = f"/admin/practice/client/{client_a.pk}/change/"
    response = platform_admin.post(
        url,
        {
            "practice": str(client_a.practice_id),
            "name": "Renamed",
            "email": client_a.email,
            "clinician": str(client_a.clinician_id),
            "timezone": "UTC",
            "language": "es",
            "status": "active",
        },
    )

    assert response.status_code == 302
    client_a.refresh_from_db()
    assert (client_a.name, client_a.language) == ("Renamed", "es")


def test_creating_an_api_key_shows_it_once(platform_admin, practice_a):
    response = platform_admin.post(
        "/admin/practice/apikey/add/",
        {"practice": str(practice_a.practice.pk), "name": "Integration"},
        follow=True,
    )

    raw_key = re.search(r"API key: (alk_\S+) ", response.content.decode()).group(1)
    assert api_client_for(raw_key).get("/api/v1/clients/").status_code == 200
    assert APIKey.across_practices_unsafe.filter(name="Integration").count() == 1
    assert raw_key not in platform_admin.get("/admin/practice/apikey/").content.decode()


def test_revoking_keys_in_admin_locks_them_out(platform_admin, practice_a):
    api_key = api_key_for_raw_key(practice_a.api_key)

    platform_admin.post(
        "/admin/practice/apikey/",
        {"action": "revoke", "_selected_action": [str(api_key.pk)]},
    )

    assert api_client_for(practice_a.api_key).get("/api/v1/clients/").status_code == 401


def test_sessions_can_be_marked_completed_from_admin(platform_admin, session_a):
    platform_admin.post(
        "/admin/practice/session/",
        {"action": "mark_completed", "_selected_action": [str(session_a.pk)]},
    )

    assert Session.across_practices_unsafe.get(pk=session_a.pk).status == "completed"
