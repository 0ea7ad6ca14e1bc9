"""Help comes into view after every save path on a phone, with and without JavaScript."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, _context, run_axe
from tests.browser.test_scan_journey import make_patient, sign_in

WORDS = "Honestly I want to end it all"


def _no_js_page(browser):
    context = _context(browser, PHONE, "light", java_script_enabled=False)
    return context, context.new_page()


def _panel_in_view(page):
    panel = page.locator("#reach-out")
    expect(panel).to_contain_text("It sounds like things are really hard right now")
    expect(panel).to_contain_text("Nobody reads this straight away.")
    expect(panel).to_contain_text("call 999 or go to A&E")
    expect(panel.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    expect(panel.locator("#reach-out-title")).to_be_in_viewport()
    return panel


def _add_check_in(page):
    page.goto(page.url.split("/home")[0] + "/check-in")
    page.get_by_role("button", name="Save check-in").scroll_into_view_if_needed()
    page.locator("label[for=d3]").click()
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved, .flash").first).to_contain_text("Saved")


def test_check_in_page_brings_help_into_view_after_saving(phone, server, shoot):
    page = phone
    make_patient(server.app)
    sign_in(page, server)
    page.goto(server.url + "/check-in")
    page.locator("summary", has_text="Today's question").click()
    page.get_by_label(re.compile("Today's question")).fill(WORDS)
    page.get_by_role("button", name="Save check-in").click()
    _panel_in_view(page)
    expect(page).to_have_url(re.compile(r"/check-in$"))
    result = run_axe(page)
    assert result.violations_count == 0, result.generate_report()
    shoot(page, "panel", full_page=False)


def test_check_in_page_without_javascript_brings_help_into_view(browser, server, shoot):
    make_patient(server.app)
    context, page = _no_js_page(browser)
    try:
        sign_in(page, server)
        page.goto(server.url + "/check-in")
        page.locator("summary", has_text="Today's question").click()
        page.get_by_label(re.compile("Today's question")).fill(WORDS)
        page.get_by_role("button", name="Save check-in").click()
        expect(page).to_have_url(re.compile(r"/home#reach-out$"))
        _panel_in_view(page)
        shoot(page, "panel", full_page=False)
    finally:
        context.close()


def test_editing_brings_help_into_view(phone, server, shoot):
    page = phone
    make_patient(server.app)
    sign_in(page, server)
    _add_check_in(page)
    page.goto(server.url + "/timeline")
    page.get_by_role("link", name=re.compile("^Edit")).first.click()
    page.get_by_label("Note (optional)").fill(WORDS)
    page.get_by_role("button", name="Save changes").click()
    _panel_in_view(page)
    result = run_axe(page)
    assert result.violations_count == 0, result.generate_report()
    shoot(page, "panel", full_page=False)


def test_editing_without_javascript_brings_help_into_view(browser, server):
    make_patient(server.app)
    context, page = _no_js_page(browser)
    try:
        sign_in(page, server)
        _add_check_in(page)
        page.goto(server.url + "/timeline")
        page.get_by_role("link", name=re.compile("^Edit")).first.click()
        page.get_by_label("Note (optional)").fill(WORDS)
        page.get_by_role("button", name="Save changes").click()
        expect(page).to_have_url(re.compile(r"/timeline#reach-out$"))
        _panel_in_view(page)
    finally:
        context.close()
