"""With JavaScript off, every core journal action still works as plain forms and links."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PHONE


@pytest.fixture
def no_js(browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_check_in_edit_delete_and_undo_without_javascript(no_js, server, shoot):
    page = no_js
    page.goto(server.url + "/sign-up")
    page.get_by_label("Email").fill("nojs@example.com")
    page.get_by_label("Password").fill("plain forms still work")
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/account/recovery-codes/keep$"))
    page.get_by_label("I have kept my recovery codes somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/home$"))

    page.locator("label[for=d3]").click()
    page.get_by_text("Add a note, feelings or what is on your mind").click()
    page.get_by_label("Note (optional)").fill("Typed on an old phone.")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".flash")).to_contain_text("Saved")
    expect(page.locator("#latest .entry")).to_contain_text("Typed on an old phone.")

    page.get_by_role("link", name="Timeline", exact=True).click()
    page.get_by_role("link", name=re.compile("^Edit")).click()
    page.get_by_label("Note (optional)").fill("Typed on an old phone, then edited.")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".entry").first).to_contain_text("then edited")

    page.get_by_role("button", name=re.compile("^Delete")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this entry?")
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".flash").first).to_contain_text("Entry deleted")
    shoot(page, "deleted")
    page.get_by_role("button", name="Undo").click()
    expect(page.locator(".entry").first).to_contain_text("then edited")


def test_reminders_are_chosen_and_mistakes_shown_without_javascript(no_js, server,
                                                                    make_account):
    page = no_js
    make_account(server.app, "remind@example.com")
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email").fill("remind@example.com")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.goto(server.url + "/account/reminders")
    # Notifications need JavaScript: the button stays hidden and the page says why.
    expect(page.get_by_role("button", name="Turn on notifications on this device")).to_be_hidden()
    expect(page.locator("[data-push-unsupported]")).to_be_visible()
    page.get_by_label("A daily check-in").check()
    page.get_by_label("At this time each day").fill("22:30")
    page.get_by_role("button", name="Save reminders").click()
    expect(page.locator(".error-summary")).to_contain_text("outside your quiet hours")
    expect(page.get_by_label("At this time each day")).to_have_value("22:30")
    expect(page.get_by_label("A daily check-in")).to_be_checked()
    page.get_by_label("At this time each day").fill("19:45")
    page.get_by_label("In my calendar").check()
    page.get_by_role("button", name="Save reminders").click()
    expect(page.locator(".flash")).to_contain_text("Your reminder choices are saved")
    expect(page.get_by_role("heading", name="Add this to your calendar")).to_be_visible()
    expect(page.get_by_role("link", name="Subscribe in your calendar")).to_have_attribute(
        "href", re.compile(r"^webcal://127\.0\.0\.1:\d+/reminders/calendar/[\w-]{43}\.ics$"))
