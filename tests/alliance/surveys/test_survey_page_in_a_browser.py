"""The client's survey page in a real browser on a phone-sized screen.

Playwright drives Debian's Chromium (`make test-browser` installs it) against pytest-django's
live server, so the page, its CSRF cookie, its content policy and the form's POST are the ones a
client's phone gets. Django's ORM is used only before the browser starts and after it stops:
Playwright's sync API marks an asyncio loop as running in this thread while it is open, and
Django refuses ORM calls there (SynchronousOnlyOperation).
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import transaction
from playwright.sync_api import Page, expect, sync_playwright

from alliance.models import SurveyInvitation, SurveyResponse
from tests.factories import make_client, make_practice, make_sent_invitation

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
SCREENSHOT = "/tmp/survey-phone.png"  # noqa: S108 - for a person to look at, not asserted
# WCAG 2.2 (2.5.8, AA) asks for 24 by 24 CSS pixels; the page keeps them 44 high, and as wide
# as eleven side by side allow on a phone, so that a scale reads as one line.
TAP_TARGET_PX = 24

COMMENT = "Felt a bit rushed at the end — can we slow down next time?"
DISCUSS = "I'd like to talk about this next session"
BY_KEYBOARD = {"comfort": 8, "respect": 9, "progress": 7}
BY_MOUSE = {"heard": 6, "goals": 3}
CHOSEN = BY_KEYBOARD | BY_MOUSE


@contextmanager
def phone_page() -> Iterator[Page]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test-browser` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_context(**PHONE).new_page()
        finally:
            browser.close()


def tab_to(page: Page, selector: str, *, presses: int = 30) -> None:
    """Press Tab, as a keyboard user does, until the focused element matches `selector`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("selector => document.activeElement.matches(selector)", selector):
            return
    raise AssertionError(f"{presses} presses of Tab never reached {selector}")


def choose_with_keyboard(page: Page, code: str, value: int) -> None:
    """Tab into the item's radio group, Space on its first choice, arrows up to `value`."""
    tab_to(page, f"input[type=radio][name={code}]")
    expect(page.locator(f"input[name={code}][value='0']")).to_be_focused()
    page.keyboard.press("Space")
    for _ in range(value):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"input[name={code}]:checked")).to_have_value(str(value))


def choose_with_mouse(page: Page, question: str, value: int) -> None:
    """Click the choice's label inside the radio group named by the question."""
    group = page.get_by_role("radiogroup", name=question)
    group.locator("label").filter(has_text=re.compile(rf"^\s*{value}\s*$")).click()
    expect(group.get_by_role("radio", name=str(value), exact=True)).to_be_checked()


def has_no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def check_labels_and_targets(page: Page, questions: dict[str, str]) -> None:
    """Every control has an accessible name, every choice a label and a finger-sized target."""
    controls = page.locator("input:not([type=hidden]), textarea, button, select")
    expect(controls).to_have_count(len(questions) * 11 + 3)  # the radios, comment, box, Send
    for control in controls.all():
        expect(control).to_have_accessible_name(re.compile(r"\S"))
    assert page.evaluate(
        "() => [...document.querySelectorAll('input[type=radio]')].every(r => r.closest('label'))"
    ), "a radio button outside a <label>"
    legends = page.evaluate(
        "() => [...document.querySelectorAll('fieldset')]"
        ".map(f => f.querySelector(':scope > legend')?.textContent.trim() ?? '')"
    )
    assert legends and all(legends), f"a fieldset without a legend: {legends}"
    for question in questions.values():
        group = page.get_by_role("radiogroup", name=question)
        expect(group.get_by_role("radio")).to_have_count(11)
        for choice in group.locator("label").all():
            box = choice.bounding_box()  # also proves the page's nonce'd styles were applied
            assert box["width"] >= TAP_TARGET_PX, box
            assert box["height"] >= TAP_TARGET_PX, box


@pytest.mark.browser
@pytest.mark.timeout(180)  # a cold Chromium start on a busy two-core machine
# The live server needs committed rows, so this test's are truncated after it; the rollback
# restores the built-in instruments from migrations for any browser test after this one.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_client_answers_on_a_phone_with_keyboard_and_mouse(live_server):
    practice = make_practice().practice
    # As in a test in a transaction: the survey email is sent by the factory, not on commit.
    with transaction.atomic():
        invitation, token = make_sent_invitation(practice, make_client(practice))
    questions = {item["code"]: item["text"] for item in invitation.instrument.items}
    assert set(questions) == set(CHOSEN)

    with phone_page() as page:
        console = []
        page.on("console", lambda message: console.append(message.text))
        opened = page.goto(f"{live_server.url}/s/{token}/")
        assert opened.status == 200
        assert "csrftoken" in {cookie["name"] for cookie in page.context.cookies()}
        expect(page.get_by_role("heading", level=1)).to_contain_text("How was your session")
        assert has_no_horizontal_scroll(page)
        check_labels_and_targets(page, questions)

        for code, question in questions.items():  # in the page's order: Tab only goes forward
            if code in BY_KEYBOARD:
                choose_with_keyboard(page, code, BY_KEYBOARD[code])
            else:
                choose_with_mouse(page, question, BY_MOUSE[code])
        tab_to(page, "textarea[name=comment]")
        page.keyboard.type(COMMENT)
        expect(page.get_by_role("textbox", name=re.compile("Anything"))).to_have_value(COMMENT)
        page.get_by_text(DISCUSS).click()
        expect(page.get_by_role("checkbox", name=DISCUSS)).to_be_checked()
        page.screenshot(path=SCREENSHOT, full_page=True)

        tab_to(page, "button[type=submit]")
        with page.expect_response(lambda response: response.request.method == "POST") as sent:
            page.keyboard.press("Enter")
        # 403 here was Django's CSRF check refusing the `Origin: null` that browsers send from
        # a page served with `Referrer-Policy: no-referrer`.
        assert sent.value.status == 200, f"the POST was answered {sent.value.status}"
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
        assert has_no_horizontal_scroll(page)
        assert not [text for text in console if "Content Security Policy" in text]

    saved = SurveyResponse.across_practices_unsafe.get(invitation=invitation)
    assert saved.answers == CHOSEN
    assert (saved.total, saved.comment, saved.discuss_request) == (33, COMMENT, True)
    invitation = SurveyInvitation.across_practices_unsafe.get(pk=invitation.pk)
    assert invitation.status == SurveyInvitation.Status.COMPLETED
