"""A nurse sets up and uses two-step sign-in on a desktop; a patient on a phone gets
back in with a recovery code; the new pages pass axe in light and dark."""

import re
import threading
import time
from pathlib import Path

import pyotp
import pytest
from playwright.sync_api import expect

from journal.accounts import users as accounts
from journal.platform.db import connect
from tests.browser.conftest import axe_in_both_themes
from tests.conftest import PASSWORD


def add_user(app, email, role):
    db = connect(app.config["JOURNAL_DB"])
    try:
        password_hash = app.extensions["passwords"].hash(PASSWORD)
        accounts.create_user(db, email, password_hash, role=role)
    finally:
        db.close()


def sign_in_form(page, server, email, password=PASSWORD):
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_nurse_sets_up_two_step_sign_in_then_signs_in_with_a_code(desktop, server, live_app,
                                                                  shoot):
    page = desktop
    add_user(live_app, "ward.nurse@example.com", "nurse")
    sign_in_form(page, server, "ward.nurse@example.com")
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator("#secret").inner_text().replace(" ", "")
    shoot(page, "set-up")
    axe_in_both_themes(page, "set-up")

    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Finish set-up").click()
    # Signed in, on the nurse's own start page: the inbox.
    expect(page).to_have_url(re.compile(r"/care$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Inbox")
    expect(page.locator(".flash")).to_contain_text("Two-step sign-in is set up")
    page.get_by_role("link", name="Account").click()
    expect(page).to_have_url(re.compile(r"/account$"))
    expect(page.get_by_text(re.compile(r"On since \d+ \w+ \d{4}"))).to_be_visible()
    shoot(page, "account")
    axe_in_both_themes(page, "account")

    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in_form(page, server, "ward.nurse@example.com")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your code")
    # The code just used is spent; a wrong one is refused with the form kept.
    page.get_by_label("6-digit code").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#code-error")).to_contain_text("That code did not work")
    shoot(page, "code")
    axe_in_both_themes(page, "code")
    # The next time step's code (an app a little ahead) works once.
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/care$"))
    assert page.viewport_size == {"width": 1280, "height": 800}


@pytest.mark.console_errors_expected  # the wrong code's 422 answer is logged by Chromium
def test_patient_gets_back_in_with_a_recovery_code_on_a_phone(phone, server, shoot):
    page = phone
    page.goto(server.url + "/sign-up")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Password").fill("first garden path")
    page.get_by_label("I agree").check()
    shoot(page, "sign-up")
    axe_in_both_themes(page, "sign-up")
    page.get_by_role("button", name="Create account").click()
    # The codes are a step of their own, not the foot of a long page.
    expect(page).to_have_url(re.compile(r"/account/recovery-codes/keep$"))
    codes = page.locator(".codes code")
    expect(codes).to_have_count(8)
    code = codes.nth(2).inner_text()
    expect(page.get_by_role("link", name="Download as a file")).to_be_visible()
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#announce")).to_contain_text("Your recovery codes are copied")
    assert code in page.evaluate("navigator.clipboard.readText()")
    shoot(page, "recovery-codes-step", full_page=False)
    axe_in_both_themes(page, "recovery codes step")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as a file").click()
    assert code in Path(download.value.path()).read_text()

    # Leaving early: every page keeps a banner that leads back to the same codes.
    page.get_by_role("link", name="Do this later").click()
    expect(page).to_have_url(re.compile(r"/home$"))
    banner = page.get_by_role("region", name="Recovery codes not kept yet")
    expect(banner).to_be_visible()
    page.goto(server.url + "/timeline")
    banner.get_by_role("link", name="Keep my codes").click()
    expect(page.locator(".codes code").nth(2)).to_have_text(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#kept-error")).to_contain_text("Tick the box")
    page.get_by_label("I have kept my recovery codes somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.get_by_role("region", name="Recovery codes not kept yet")).to_have_count(0)

    page.get_by_role("link", name="More", exact=True).click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto(server.url + "/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Recovery code").fill("k7mq-2xfp-9hdt")
    page.get_by_label("New password").fill("second garden path")
    page.get_by_role("button", name="Set new password").click()
    expect(page.locator("#code-error")).to_contain_text("do not match")
    expect(page.get_by_label("Email")).to_have_value("robin@example.com")
    shoot(page, "forgotten-error")
    axe_in_both_themes(page, "forgotten password")

    page.get_by_label("Recovery code").fill(code.upper())
    page.get_by_label("New password").fill("second garden path")
    page.get_by_role("button", name="Set new password").click()
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.locator(".flash")).to_contain_text("7 recovery codes left")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.get_by_role("link", name="More", exact=True).click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in_form(page, server, "robin@example.com", "second garden path")
    expect(page).to_have_url(re.compile(r"/home$"))


@pytest.mark.parametrize("width", [320])
def test_account_pages_fit_a_small_phone_and_a_new_notice_asks_again(phone, server, live_app,
                                                                    shoot, width):
    page = phone
    page.set_viewport_size({"width": width, "height": 700})
    # axe on each page in its plain state is in tests/browser/test_accessibility.py.
    page.goto(server.url + "/privacy")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    shoot(page, "privacy")

    page.goto(server.url + "/sign-up")
    page.get_by_label("Email").fill("kit@example.com")
    page.get_by_label("Password").fill("steady river stones")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/account/recovery-codes/keep$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # At 320 px the codes and the way on are both there without sideways scrolling.
    expect(page.locator(".codes code")).to_have_count(8)
    shoot(page, "keep-codes")
    for path, name in [("/account", "account"), ("/account/password", "password"),
                       ("/account/recovery-codes", "recovery-codes")]:
        page.goto(server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        shoot(page, name)

    # A new notice version: the patient is asked again before going on.
    from journal.accounts import consent

    db = connect(live_app.config["JOURNAL_DB"])
    db.execute("UPDATE privacy_agreements SET version = 'older'")
    db.close()
    page.goto(server.url + "/home")
    expect(page).to_have_url(re.compile(r"/privacy/agree$"))
    shoot(page, "agree-again")
    axe_in_both_themes(page, "agree again")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/home$"))
    db = connect(live_app.config["JOURNAL_DB"])
    assert db.execute("SELECT version FROM privacy_agreements ORDER BY id DESC").fetchone()[0] \
        == consent.VERSION
    db.close()


@pytest.mark.console_errors_expected  # the refused post is a 403, which Chromium logs
def test_a_form_posted_from_another_site_leaves_the_person_signed_in(phone, server, live_app):
    """Another origin (127.0.0.2, so another site too) posts a form to sign the person out."""
    from werkzeug.serving import make_server

    from journal.accounts import consent

    add_user(live_app, "pat@example.com", "patient")
    db = connect(live_app.config["JOURNAL_DB"])
    try:
        consent.agree(db, accounts.user_by_email(db, "pat@example.com")["id"])
    finally:
        db.close()
    sign_in_form(phone, server, "pat@example.com")
    expect(phone).to_have_url(re.compile(r"/home$"))

    def session_token():
        # The cookie's "seen" time moves with every use (the service worker's fetch too), so
        # compare the session it holds, not its bytes.
        [cookie] = [c for c in phone.context.cookies()
                    if c["name"] == live_app.config["SESSION_COOKIE_NAME"]]
        serializer = live_app.session_interface.get_signing_serializer(live_app)
        return serializer.loads(cookie["value"])["token"]

    before = session_token()

    form = (f'<!doctype html><title>Win a prize</title><form method="post"'
            f' action="{server.url}/sign-out"><button>Claim</button></form>').encode()

    def elsewhere(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html")])
        return [form]

    other = make_server("127.0.0.2", 0, elsewhere)
    thread = threading.Thread(target=other.serve_forever, daemon=True)
    thread.start()
    try:
        phone.goto(f"http://127.0.0.2:{other.server_port}/")
        phone.get_by_role("button", name="Claim").click()
        expect(phone.get_by_role("heading", level=1)).to_have_text("We did not send that")
    finally:
        other.shutdown()
        other.server_close()

    assert session_token() == before
    phone.goto(server.url + "/account")
    expect(phone).to_have_url(re.compile(r"/account$"))
    expect(phone.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
