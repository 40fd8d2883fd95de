"""A client's page: the alliance over real time, each answer, the alerts with their evidence and
what was done about them."""

import pytest

from tests.alliance.alerts.pages import make_alert
from tests.members import post_form, signed_in

pytestmark = pytest.mark.django_db


def test_it_shows_each_answer_with_its_items_comment_and_wish_to_talk(
    practice_a, clinician_member_a, client_a
):
    make_alert(practice_a.practice, client_a, comment="Felt rushed at the end.")

    page = signed_in(clinician_member_a).get(f"/app/clients/{client_a.pk}/").content.decode()

    assert "Felt rushed at the end." in page
    assert "Would like to talk about this next session." in page
    assert "I felt heard" in page or "heard" in page.lower()
    assert "<svg" in page


def test_it_shows_the_alerts_evidence_and_history(practice_a, clinician_member_a, client_a):
    alert = make_alert(practice_a.practice, client_a)
    browser = signed_in(clinician_member_a)
    post_form(browser, f"/app/alerts/{alert.pk}/acknowledge/", {"acknowledge-note": "On it."})

    page = browser.get(f"/app/clients/{client_a.pk}/").content.decode()

    assert "The client asked to talk about this next session." in page
    assert "On it." in page
    assert clinician_member_a.email in page


def test_the_chart_has_a_dated_axis_and_the_threshold(practice_a, clinician_member_a, client_a):
    make_alert(practice_a.practice, client_a)

    page = signed_in(clinician_member_a).get(f"/app/clients/{client_a.pk}/").content.decode()

    assert "threshold" in page
    assert 'class="axis-date"' in page
