"""The clinician's pages speak the browser's language: English or Spanish."""

import pytest
from django.core import mail
from django.test import Client

from tests.alliance.alerts.pages import make_alert
from tests.members import ask_for_sign_in_link, signed_in

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_and_its_email_are_in_spanish(clinician_member_a):
    browser = Client(HTTP_ACCEPT_LANGUAGE="es")

    page = browser.get("/app/sign-in/").content.decode()
    ask_for_sign_in_link(browser, clinician_member_a.email)

    assert '<html lang="es">' in page
    assert "Enviarme un enlace para entrar" in page
    assert mail.outbox[-1].subject.startswith("Entrar en ")


def test_an_alert_reads_in_spanish(practice_a, clinician_member_a, client_a):
    alert = make_alert(practice_a.practice, client_a)
    browser = signed_in(clinician_member_a, Client(HTTP_ACCEPT_LANGUAGE="es"))

    page = browser.get(f"/app/alerts/{alert.pk}/").content.decode()

    assert "Quiere hablarlo" in page
    assert "Marcar como vista" in page
