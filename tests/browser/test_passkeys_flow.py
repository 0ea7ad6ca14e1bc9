"""A patient adds a passkey from Account and signs in with it, in Chromium with the DevTools
virtual authenticator standing in for the phone's fingerprint reader."""

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from journal.platform.db import connect
from tests.browser.conftest import add_account
from tests.conftest import PASSWORD

AXE = Axe()


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
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        results = AXE.run(page)
        assert results.violations_count == 0, results.generate_report()
    page.emulate_media(color_scheme="light")

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
