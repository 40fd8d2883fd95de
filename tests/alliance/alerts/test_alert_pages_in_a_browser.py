"""A clinician goes from the alert email to "resolved" in a real browser, keyboard only.

Playwright drives Debian's Chromium against pytest-django's live server, on a phone and on a
desktop: open the emailed alert link signed out, ask for a sign-in link, open it from the
email, confirm, land on the alert, acknowledge and resolve it. axe-core checks every page on
the way, and every page again in Spanish, for serious or critical violations.

As in the survey page's browser test, Django's ORM is used only before the browser starts and
after it stops (Playwright's sync API runs an event loop in this thread, where Django refuses
ORM calls); the emails are read from `mail.outbox`, which the live server's thread fills.
"""

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect, sync_playwright

from alliance.models import Alert, AlertAction
from tests import factories
from tests.alliance.surveys.test_survey_page_in_a_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    PHONE,
    tab_to,
)

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}
SCREENSHOTS = Path("/tmp")  # noqa: S108 - for a person to look at, not asserted
ALERT_LINK = re.compile(r"https?://[^/\s]+(/app/alerts/[0-9a-f-]{36}/)")
SIGN_IN_LINK = re.compile(r"https?://[^/\s]+(/app/sign-in/[A-Za-z0-9_-]{43}/)")
SERIOUS = {"serious", "critical"}


@contextmanager
def browser_page(language: str = "en", **device) -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(locale=language, **device)
            yield context.new_page()
        finally:
            browser.close()


def accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    results = Axe().run(page)
    serious = [
        (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]
    assert not serious, f"{page.url}: {serious}"


def has_no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def latest_link(pattern: re.Pattern) -> str:
    for message in reversed(mail.outbox):
        found = pattern.search(message.body)
        if found:
            return found.group(1)
    raise AssertionError(f"No email holds a link like {pattern.pattern}")


def an_emailed_alert() -> tuple[Alert, str]:
    """A clinician member whose client, after three good weeks, asked to talk: a red alert,
    emailed to the clinician, and a session with the client later today."""
    practice = factories.make_practice("Rooted Wellness").practice
    clinician = factories.make_clinician(practice, name="Dr. Alma Ortiz")
    factories.make_member(practice, role="clinician", clinician=clinician, email=clinician.email)
    client = factories.make_client(practice, clinician=clinician, name="Robin Example")
    with transaction.atomic():
        for weeks_ago, score in ((3, 10), (2, 9), (1, 10)):
            with time_machine.travel(timezone.now() - timedelta(weeks=weeks_ago)):
                answers = dict.fromkeys(("comfort", "respect", "heard", "goals", "progress"), score)
                factories.make_response(practice, client, answers=answers)
        factories.make_response(
            practice,
            client,
            answers={"comfort": 6, "respect": 9, "heard": 7, "goals": 8, "progress": 7},
            comment="Felt rushed today.",
            discuss_request=True,
        )
        factories.make_session(
            practice, client=client, starts_at=timezone.now() + timedelta(hours=1)
        )
        mail.outbox.clear()
        factories.deliver_outbox()
    alert = Alert.across_practices_unsafe.get(client=client, kind="discuss_request")
    return alert, clinician.email


def sign_in_from_the_alert_email(page: Page, base: str, alert: Alert, email: str) -> None:
    """Open the alert's emailed link signed out, ask for a sign-in link, use it: keyboard
    only."""
    alert_links = {link for message in mail.outbox for link in ALERT_LINK.findall(message.body)}
    assert f"/app/alerts/{alert.pk}/" in alert_links
    page.goto(f"{base}/app/alerts/{alert.pk}/")
    expect(page).to_have_url(re.compile(r"/app/sign-in/\?next="))
    accessible(page)
    tab_to(page, "input[type=email]")
    page.keyboard.type(email)
    page.keyboard.press("Enter")
    expect(page.locator("input[type=email]")).to_have_count(0)  # the "check your email" page
    accessible(page)

    page.goto(base + latest_link(SIGN_IN_LINK))
    accessible(page)
    tab_to(page, "main button[type=submit]")
    page.keyboard.press("Enter")


@pytest.mark.browser
@pytest.mark.timeout(240)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("device", ["phone", "desktop"])
def test_a_clinician_goes_from_the_alert_email_to_resolved_with_the_keyboard(live_server, device):
    alert, email = an_emailed_alert()

    with browser_page(**VIEWPORTS[device]) as page:
        console = []
        page.on("console", lambda message: console.append(message.text))
        sign_in_from_the_alert_email(page, live_server.url, alert, email)

        expect(page).to_have_url(f"{live_server.url}/app/alerts/{alert.pk}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Wants to talk about it")
        expect(page.get_by_text("The client asked to talk about this next session")).to_be_visible()
        assert has_no_horizontal_scroll(page)
        accessible(page)
        page.screenshot(path=SCREENSHOTS / f"alert-{device}.png")
        page.goto(f"{live_server.url}/app/")
        expect(page.get_by_role("link", name="Robin Example").first).to_be_visible()
        page.screenshot(path=SCREENSHOTS / f"today-{device}.png")
        page.go_back()

        tab_to(page, "textarea[name=acknowledge-note]")
        page.keyboard.type("Seen; will ask about it on Thursday.")
        tab_to(page, "form[action$='/acknowledge/'] button")
        page.keyboard.press("Enter")
        expect(page.get_by_text("Acknowledged", exact=True).first).to_be_visible()
        accessible(page)

        tab_to(page, "textarea[name=resolve-note]")
        page.keyboard.type("We talked it through; pace agreed.")
        tab_to(page, "form[action$='/resolve/'] button")
        page.keyboard.press("Enter")
        expect(page.get_by_text("We talked it through; pace agreed.")).to_be_visible()
        accessible(page)

        page.goto(f"{live_server.url}/app/clients/{alert.client_id}/")
        expect(page.get_by_text("Felt rushed today.")).to_be_visible()
        assert has_no_horizontal_scroll(page)
        accessible(page)
        page.screenshot(path=SCREENSHOTS / f"client-{device}.png")
        page.goto(f"{live_server.url}/app/")
        accessible(page)
        assert not [text for text in console if "Content Security Policy" in text]

    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED
    actions = AlertAction.across_practices_unsafe.filter(alert=alert).order_by("created_at")
    assert [(a.kind, a.by) for a in actions] == [("acknowledged", email), ("resolved", email)]


@pytest.mark.browser
@pytest.mark.timeout(240)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_is_accessible_in_spanish(live_server):
    alert, email = an_emailed_alert()

    with browser_page(language="es-ES", **PHONE) as page:
        sign_in_from_the_alert_email(page, live_server.url, alert, email)
        expect(page).to_have_url(f"{live_server.url}/app/alerts/{alert.pk}/")
        assert page.locator("html").get_attribute("lang") == "es"
        expect(page.get_by_role("heading", level=1)).to_have_text("Quiere hablarlo")
        accessible(page)
        unknown_alert = f"/app/alerts/{uuid.uuid4()}/"
        for path in ("/app/", f"/app/clients/{alert.client_id}/", unknown_alert):
            page.goto(live_server.url + path)
            accessible(page)
