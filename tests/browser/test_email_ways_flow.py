"""Back in by email on a phone: "Email me a link", the message as a real SMTP server on
loopback receives it, and the link followed in Chromium; sign-up confirmed by email the
same way. Every new page passes axe in light and dark and fits a 320 px screen."""

import re

import pytest
from playwright.sync_api import expect

from journal import create_app
from tests.browser.conftest import axe_in_both_themes
from tests.conftest import link_in

NEW_PASSWORD = "second garden path"


@pytest.fixture
def live_app(tmp_path, smtp):
    return create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "journal.db"),
                       "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port})


def check_page(page, label):
    """axe in both themes, and no sideways scrolling on the narrowest phone."""
    axe_in_both_themes(page, label)
    page.set_viewport_size({"width": 320, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, label
    page.set_viewport_size({"width": 390, "height": 844})


# A refused password is answered 422 and a used link 404, which Chromium logs as errors.
@pytest.mark.console_errors_expected
def test_a_patient_resets_her_password_with_the_emailed_link(phone, server, smtp,
                                                             make_account, shoot):
    page = phone
    make_account(server.app, "robin@example.com")
    page.goto(server.url + "/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    shoot(page, "forgotten")
    check_page(page, "forgotten password")
    page.get_by_role("link", name="Email me a link").click()
    expect(page).to_have_url(re.compile(r"/forgotten-password/email$"))
    shoot(page, "email-me-a-link")
    check_page(page, "email me a link")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    shoot(page, "check-your-email")
    check_page(page, "check your email")

    [message] = smtp.wait_for(1)
    assert message["To"] == "robin@example.com"
    path = link_in(message, "/reset-password/")
    page.goto(server.url + path)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_role("button", name="Save new password").click()
    expect(page.locator("#new_password-error")).to_contain_text("Enter a password")
    shoot(page, "choose-a-new-password-error")
    check_page(page, "choose a new password")
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()
    expect(page).to_have_url(re.compile(r"/home$"))
    expect(page.locator(".flash")).to_contain_text("Your new password is saved")

    # The link works once; a second visit is told so, kindly, with a way forward.
    page.goto(server.url + path)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.get_by_text("It has been used already")).to_be_visible()
    expect(page.get_by_role("link", name="Send me a new link")).to_be_visible()
    shoot(page, "link-used")
    check_page(page, "link used")

    page.get_by_role("link", name="More", exact=True).click()
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email").fill("robin@example.com")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/home$"))


@pytest.mark.console_errors_expected
def test_a_new_patient_confirms_her_email_to_make_her_account(phone, server, smtp, shoot):
    page = phone
    page.goto(server.url + "/sign-up")
    expect(page.get_by_label("Password")).to_have_count(0)
    shoot(page, "sign-up-by-email")
    check_page(page, "sign up by email")
    page.get_by_label("Email").fill("ana@example.com")
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_text("We have sent you a link")).to_be_visible()
    check_page(page, "sign-up check your email")

    path = link_in(smtp.wait_for(1)[0], "/sign-up/confirm/")
    page.goto(server.url + path)
    expect(page.get_by_role("heading", name="Finish making your account")).to_be_visible()
    page.get_by_label("Choose a password").fill("morning tea in the garden")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#agree-error")).to_contain_text("Tick the box")
    shoot(page, "finish-making-your-account-error")
    check_page(page, "finish making your account")
    page.get_by_label("Choose a password").fill("morning tea in the garden")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/account/recovery-codes/keep$"))
    expect(page.locator(".codes code")).to_have_count(8)
