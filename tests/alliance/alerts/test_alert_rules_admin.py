"""Alert rules in admin: checked like the API, and previewed before they are saved."""

import json

import pytest

from alliance.models import AlertRules

pytestmark = pytest.mark.django_db


def _post(platform_admin, practice, settings, **extra):
    return platform_admin.post(
        "/admin/alliance/alertrules/add/",
        {"practice": practice.pk, "settings": json.dumps(settings), "preview_days": 90} | extra,
    )


def test_previewing_shows_both_settings_figures_and_saves_nothing(platform_admin, practice_a):
    response = _post(platform_admin, practice_a.practice, {"drop": {"alert_at": 4.0}}, _preview="1")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Preview: the last 90 days" in page
    assert "simulated cohort" in page
    assert not AlertRules.across_practices_unsafe.exists()


def test_settings_out_of_bounds_are_refused_with_the_field_named(platform_admin, practice_a):
    response = _post(platform_admin, practice_a.practice, {"drop": {"alert_at": 99}})

    assert response.status_code == 200
    assert "drop.alert_at: Must be between 0.1 and 20." in response.content.decode()
    assert not AlertRules.across_practices_unsafe.exists()


def test_saving_stores_the_practices_own_settings(platform_admin, practice_a, api_a):
    response = _post(
        platform_admin, practice_a.practice, {"non_response": {"consecutive_expired": 4}}
    )

    assert response.status_code == 302
    rules = api_a.get("/api/v1/alert-rules/").json()
    assert rules["non_response"]["consecutive_expired"] == 4


def test_changing_a_practices_rules_previews_against_what_it_saved(
    platform_admin, practice_a, api_a
):
    api_a.patch("/api/v1/alert-rules/", {"drop": {"alert_at": 3.0}}, format="json")
    rules = AlertRules.across_practices_unsafe.get()
    url = f"/admin/alliance/alertrules/{rules.pk}/change/"
    form = {"settings": json.dumps({"drop": {"alert_at": 5.0}}), "preview_days": 30}

    preview = platform_admin.post(url, form | {"_preview": "1"})
    unchanged = api_a.get("/api/v1/alert-rules/").json()["drop"]["alert_at"]
    saved = platform_admin.post(url, form)

    assert "Preview: the last 30 days" in preview.content.decode()
    assert unchanged == 3.0
    assert saved.status_code == 302
    assert api_a.get("/api/v1/alert-rules/").json()["drop"]["alert_at"] == 5.0
