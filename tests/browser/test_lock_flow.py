"""Lock this phone, in Chromium at phone size: turn the lock on from Account, let the clock
run past it, find the lock screen, and unlock with a passkey (the DevTools virtual
authenticator) or the password, with what she was writing still there. Without JavaScript
too: a check-in sent while locked is held and sent after unlocking."""

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from journal.platform.db import connect
from tests.browser.conftest import add_account, run_axe
from tests.browser.test_passkeys_flow import localhost, virtual_authenticator
from tests.conftest import PASSWORD
from tests.helpers import move_clock

NOTE = "Wrote this on the bus, phone in my lap."
PAST_THE_LOCK = timedelta(minutes=5, seconds=30)


def sign_in(page, base, email):
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/home")


def turn_lock_on(page, base, words="5 minutes"):
    page.goto(base + "/account")
    lock = page.locator("#lock")
    lock.get_by_text(words, exact=True).click()
    lock.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"This phone now locks after {words} unused.")).to_be_visible()


def start_a_check_in(page, base):
    page.goto(base + "/home")
    page.locator("label[for=d6]").click()
    page.get_by_text("Add a note, feelings or what is on your mind").click()
    page.get_by_label("Note (optional)").fill(NOTE)


def drafts(page):
    return page.evaluate(
        "() => Object.keys(localStorage).filter((k) => k.startsWith('ww-draft:'))"
        ".map((k) => JSON.parse(localStorage.getItem(k)).values.note[0])")


def notes(app):
    db = connect(app.config["JOURNAL_DB"])
    try:
        return [row["note"] for row in db.query("SELECT note FROM entries ORDER BY id")]
    finally:
        db.close()


def expect_lock_screen(page):
    expect(page.get_by_role("heading", name="Waiting Well is locked")).to_be_visible()
    expect(page.get_by_text("Hello Pat.")).to_be_visible()
    for number in ("999", "111", "0808 800 4040"):
        expect(page.locator("a.tel[href^='tel:']", has_text=number)).to_be_visible()
    expect(page.get_by_role("link", name="Timeline")).to_have_count(0)


def check_and_photograph(page):
    """axe in light and dark; the screenshots people look at, in /tmp."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = run_axe(page)
        assert results.violations_count == 0, f"lock screen ({scheme}):\n" \
                                              f"{results.generate_report()}"
        page.screenshot(path=str(Path("/tmp") / f"lock-{scheme}.png"), full_page=True)
    page.emulate_media(color_scheme="light")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_patient_locks_her_phone_and_unlocks_it_with_her_passkey(phone, server, live_app,
                                                                 monkeypatch):
    page, base = phone, localhost(server)
    add_account(live_app, "lock.pk@example.com", first_name="Pat")
    cdp, authenticator = virtual_authenticator(page)
    sign_in(page, base, "lock.pk@example.com")
    page.goto(base + "/account")
    page.get_by_label("Name for this passkey").fill("My phone")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey is added")).to_be_visible()
    turn_lock_on(page, base)
    expect(page.locator("#lock-5")).to_be_checked()
    results = run_axe(page)
    assert results.violations_count == 0, results.generate_report()
    page.locator("#lock").screenshot(path="/tmp/lock-account-setting.png")

    start_a_check_in(page, base)
    assert drafts(page) == [NOTE]
    move_clock(monkeypatch, PAST_THE_LOCK)
    page.reload()
    page.wait_for_url(base + "/locked?next=/home")
    expect_lock_screen(page)
    expect(page.get_by_text(NOTE)).to_have_count(0)
    assert drafts(page) == [NOTE], "the lock must leave the draft on the phone"
    check_and_photograph(page)

    page.get_by_role("button", name="Unlock with a passkey").click()
    page.wait_for_url(base + "/home")
    expect(page.get_by_label("Note (optional)")).to_have_value(NOTE)
    expect(page.locator("#checkin .form-message")).to_contain_text("not saved yet")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_contain_text("Saved at")
    assert notes(live_app) == [NOTE]
    used = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert used["credentials"][0]["signCount"] >= 2  # added, then unlocked


# The browser logs the lock's 401 to the check-in and the wrong password's 422.
@pytest.mark.console_errors_expected
def test_a_check_in_saved_while_locked_waits_for_the_password(phone, server, live_app,
                                                              monkeypatch):
    page, base = phone, localhost(server)
    add_account(live_app, "lock.pw@example.com", first_name="Pat")
    sign_in(page, base, "lock.pw@example.com")
    turn_lock_on(page, base)
    expect(page.get_by_text("Unlock with a passkey")).to_have_count(0)

    start_a_check_in(page, base)
    move_clock(monkeypatch, PAST_THE_LOCK)
    page.get_by_role("button", name="Save check-in").click()
    page.wait_for_url(base + "/locked?next=/home")
    expect_lock_screen(page)
    expect(page.get_by_role("status").filter(has_text="Waiting Well locked before what you "
                                             "wrote was saved")).to_be_visible()
    expect(page.get_by_role("button", name="Unlock with a passkey")).to_have_count(0)
    assert notes(live_app) == [] and drafts(page) == [NOTE]

    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Unlock").click()
    expect(page.locator("#error-summary")).to_contain_text("That is not your password.")
    expect(page.get_by_label("Your password")).to_have_attribute("aria-invalid", "true")
    check_and_photograph_error(page)
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Unlock").click()
    page.wait_for_url(base + "/home")
    expect(page.get_by_label("Note (optional)")).to_have_value(NOTE)
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_contain_text("Saved at")
    assert notes(live_app) == [NOTE]


def check_and_photograph_error(page):
    results = run_axe(page)
    assert results.violations_count == 0, results.generate_report()
    page.screenshot(path="/tmp/lock-wrong-password.png", full_page=True)


def test_sign_out_from_the_lock_screen(phone, server, live_app, monkeypatch):
    page, base = phone, localhost(server)
    add_account(live_app, "lock.out@example.com", first_name="Pat")
    sign_in(page, base, "lock.out@example.com")
    turn_lock_on(page, base, "15 minutes")
    move_clock(monkeypatch, timedelta(minutes=16))
    page.goto(base + "/timeline")
    page.wait_for_url(base + "/locked?next=/timeline")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(base + "/timeline")
    page.wait_for_url(lambda url: "/sign-in" in url)


def test_without_javascript_a_check_in_sent_while_locked_is_sent_after_unlocking(
        make_context, server, live_app, monkeypatch):
    context = make_context("phone", java_script_enabled=False)
    page, base = context.new_page(), localhost(server)
    try:
        add_account(live_app, "lock.plain@example.com", first_name="Pat")
        sign_in(page, base, "lock.plain@example.com")
        turn_lock_on(page, base)
        page.goto(base + "/home")
        page.locator("label[for=d6]").click()
        page.locator("summary", has_text="Add a note").click()
        page.get_by_label("Note (optional)").fill(NOTE)
        move_clock(monkeypatch, PAST_THE_LOCK)
        page.get_by_role("button", name="Save check-in").click()
        page.wait_for_url(base + "/locked")
        expect(page.get_by_text("What you were sending is kept.")).to_be_visible()
        assert notes(live_app) == []
        page.get_by_label("Your password").fill(PASSWORD)
        page.get_by_role("button", name="Unlock").click()
        page.wait_for_url(base + "/unlock/held")
        expect(page.get_by_role("heading", name="Send what you wrote?")).to_be_visible()
        page.get_by_role("button", name="Send it now").click()
        page.wait_for_url(lambda url: "/unlock/held" not in url)
        assert notes(live_app) == [NOTE]
    finally:
        context.close()
