"""A patient adds a passkey from Account and signs in with it, in Chromium with the DevTools
virtual authenticator standing in for the phone's fingerprint reader."""

import re

import pyotp
from playwright.sync_api import expect

from journal.platform.db import connect
from tests.browser.conftest import add_account, axe_in_both_themes
from tests.conftest import PASSWORD


def localhost(server):
    """WebAuthn needs a secure context and a domain RP id: localhost, not 127.0.0.1."""
    return server.url.replace("127.0.0.1", "localhost")


def virtual_authenticator(page, verified=True):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    made = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": verified,
        "automaticPresenceSimulation": True}})
    return cdp, made["authenticatorId"]


def test_patient_adds_a_passkey_then_signs_in_with_it(phone, server, live_app, shoot):
    page = phone
    base = localhost(server)
    user_id, _ = add_account(live_app, "pk.patient@example.com", first_name="Pat")
    cdp, authenticator = virtual_authenticator(page)

    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill("pk.patient@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/home")

    page.goto(base + "/account")
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    expect(page.get_by_text("needs a browser that supports passkeys")).to_be_hidden()
    page.get_by_label("Name for this passkey").fill("My phone")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey is added")).to_be_visible()
    expect(page.locator(".passkeys strong")).to_have_text("My phone")
    expect(page.get_by_role("button", name="Remove My phone")).to_be_visible()
    expect(page.get_by_text("Not used yet.")).to_be_visible()
    credentials = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(credentials["credentials"]) == 1
    assert credentials["credentials"][0]["rpId"] == "localhost"
    shoot(page, "account")
    axe_in_both_themes(page, "account")

    page.get_by_role("button", name="Sign out").first.click()
    page.goto(base + "/sign-in")
    expect(page.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
    shoot(page, "sign-in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(base + "/home")
    page.goto(base + "/account")
    expect(page.get_by_text(re.compile(r"Last used"))).to_be_visible()
    shoot(page, "after-sign-in")

    db = connect(live_app.config["JOURNAL_DB"])
    try:
        row = next(db.query("SELECT sign_count, last_used_at FROM passkeys WHERE user_id = ?",
                            [user_id]))
    finally:
        db.close()
    assert row["last_used_at"] is not None


def test_nurse_signs_in_with_a_verified_passkey_instead_of_the_code(desktop, server, live_app,
                                                                   shoot):
    page = desktop
    base = localhost(server)
    add_account(live_app, "pk.nurse@example.com", role="nurse", first_name="Priya")
    cdp, authenticator = virtual_authenticator(page)

    # First time: password and setting up the code, as every nurse does.
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill("pk.nurse@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/sign-in/code")
    secret = page.locator("#secret").inner_text().replace(" ", "")
    page.get_by_label("6-digit code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Finish set-up").click()
    page.wait_for_url(base + "/care")

    page.goto(base + "/account")
    expect(page.get_by_text("It also stands in for the code from your app.")).to_be_visible()
    page.get_by_label("Name for this passkey").fill("Ward laptop")
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey is added")).to_be_visible()
    page.get_by_role("button", name="Sign out").first.click()

    # The fingerprint checked: straight in, no code asked.
    page.goto(base + "/sign-in")
    axe_in_both_themes(page, "sign-in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.wait_for_url(base + "/care")
    page.get_by_role("button", name="Sign out").first.click()

    # Password first, then the passkey in place of the code.
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill("pk.nurse@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/sign-in/code")
    axe_in_both_themes(page, "code step")
    shoot(page, "code-step")
    page.get_by_role("button", name="Use a passkey instead").click()
    page.wait_for_url(base + "/care")
    page.get_by_role("button", name="Sign out").first.click()

    # Fingerprint not recognised: Chromium itself gives nothing to send, the page says so,
    # and nobody is signed in. (The server's own refusal of an answer without the verified
    # flag is tested with a software authenticator in tests/accounts/test_passkeys.py.)
    cdp.send("WebAuthn.setUserVerified", {"authenticatorId": authenticator,
                                          "isUserVerified": False})
    page.goto(base + "/sign-in")
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(page.locator("[data-passkey-sign-in] [data-passkey-status]")).to_contain_text(
        "You can sign in with your password")
    expect(page).to_have_url(base + "/sign-in")
    assert page.context.request.get(base + "/care", max_redirects=0).status == 302
