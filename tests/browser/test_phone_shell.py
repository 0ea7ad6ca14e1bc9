"""The patient's minute on a phone: the check-in on the first screen of home, a bottom tab bar,
Help one tap away, and a saved check-in that is seen and heard."""

import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from journal.platform.clock import uk_local_to_utc, uk_today, utc_iso, utc_now
from journal.platform.db import connect
from journal.scans import records
from tests.browser.conftest import axe_in_both_themes

SIZES = [pytest.param({"width": 390, "height": 844}, id="390x844"),
         pytest.param({"width": 320, "height": 640}, id="320x640")]


@pytest.fixture
def patient_account(server, live_app, make_account, sign_in_form):
    """Sign a new patient in on the given page; returns their id."""
    def sign_in(page, email="sam@example.com"):
        user_id, _ = make_account(live_app, email, notes=("A walk by the river.",))
        sign_in_form(page, server, email)
        return user_id
    return sign_in


def box(page, selector):
    return page.locator(selector).first.bounding_box()


@pytest.mark.parametrize("size", SIZES)
def test_home_has_the_scale_and_save_on_the_first_screen(phone, server, patient_account,
                                                        shoot, size):
    page = phone
    page.set_viewport_size(size)
    patient_account(page)
    page.goto(server.url + "/home")
    tabbar = box(page, ".tabbar")
    visible_bottom = tabbar["y"]  # the fixed tab bar covers the foot of the screen
    scale, save = box(page, ".scale-buttons"), box(page, "#checkin button[type=submit]")
    print(f"\n{size['width']}x{size['height']}: scale y={scale['y']:.0f}.."
          f"{scale['y'] + scale['height']:.0f}, Save y={save['y']:.0f}.."
          f"{save['y'] + save['height']:.0f}, tab bar y={tabbar['y']:.0f} "
          f"height={tabbar['height']:.0f}")
    assert scale["y"] >= 0 and scale["y"] + scale["height"] <= visible_bottom
    assert save["y"] + save["height"] <= visible_bottom
    assert tabbar["height"] <= 64
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    # The scale's words sit inside the buttons they name, however the row wraps.
    for n in (0, 10):
        button, word = box(page, f"label[for=d{n}]"), box(page, f"label[for=d{n}] .scale-word")
        assert button["x"] <= word["x"]
        assert word["x"] + word["width"] <= button["x"] + button["width"]
        assert word["y"] + word["height"] <= button["y"] + button["height"]
    shoot(page, f"home-first-screen-{size['width']}", full_page=False)
    page.emulate_media(color_scheme="dark")
    shoot(page, f"home-first-screen-{size['width']}-dark", full_page=False)
    page.emulate_media(color_scheme="light")
    axe_in_both_themes(page, "home")

    # Two taps: a number, then Save. The confirmation is on screen and read out.
    page.locator("label[for=d4]").click()
    page.get_by_role("button", name="Save check-in").click()
    saved = page.locator(".saved")
    expect(saved).to_contain_text("Saved at")
    saved_box = saved.bounding_box()
    assert 0 <= saved_box["y"] and saved_box["y"] + saved_box["height"] <= visible_bottom
    expect(page.locator("#announce")).to_contain_text("Saved at")
    shoot(page, f"check-in-saved-{size['width']}", full_page=False)


@pytest.mark.parametrize("size", SIZES)
def test_tab_bar_marks_the_current_tab_and_more_holds_the_rest(phone, server, patient_account,
                                                              shoot, size):
    page = phone
    page.set_viewport_size(size)
    patient_account(page)
    page.goto(server.url + "/home")
    tabs = page.get_by_role("navigation", name="Tabs")
    expect(tabs.get_by_role("link")).to_have_count(5)
    expect(tabs.get_by_role("link", name="Today")).to_have_attribute("aria-current", "page")
    # The top bar's links are for wider screens; Sign out is not beside Help.
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    shoot(page, f"tab-bar-{size['width']}", full_page=False)

    tabs.get_by_role("link", name="Help").click()
    expect(page).to_have_url(re.compile(r"/help$"))
    # The numbers themselves, at the top of the screen.
    call = page.locator("#help a[href^='tel:']").first
    expect(call).to_be_in_viewport()
    expect(tabs.get_by_role("link", name="Help")).to_have_attribute("aria-current", "page")

    tabs.get_by_role("link", name="More", exact=True).click()
    expect(page).to_have_url(re.compile(r"/more$"))
    more = page.get_by_role("navigation", name="More pages")
    for name in ("Trends", "Questions", "Care team", "Your data", "Account"):
        expect(more.get_by_role("link", name=name)).to_be_visible()
    expect(tabs.get_by_role("link", name="More")).to_have_attribute("aria-current", "page")
    axe_in_both_themes(page, "more")
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/$"))


def test_desktop_keeps_the_top_bar(desktop, server, patient_account):
    page = desktop
    patient_account(page)
    page.goto(server.url + "/home")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("navigation", name="Tabs")).to_be_hidden()


def test_two_scans_on_home_and_trends_on_a_phone(phone, server, live_app, patient_account,
                                                 shoot):
    page = phone
    user_id = patient_account(page)
    db = connect(live_app.config["JOURNAL_DB"])
    today = uk_today(utc_now())
    records.create(db, user_id, {"kind": "liver-ultrasound", "results_expected_days": 7,
                                 "appointment_at": utc_iso(uk_local_to_utc(
                                     today - timedelta(days=20), time(10)))})
    records.create(db, user_id, {"kind": "ct-scan", "appointment_at": utc_iso(
        uk_local_to_utc(today + timedelta(days=9), time(9)))})
    db.close()
    page.goto(server.url + "/home")
    expect(page.locator(".stage")).to_have_count(2)
    expect(page.locator(".stage").first).to_contain_text("You expected your results by")
    page.locator(".stage").first.scroll_into_view_if_needed()
    shoot(page, "two-scans", full_page=False)
    axe_in_both_themes(page, "home with two scans")
    page.goto(server.url + "/trends")
    shoot(page, "trends")


def test_the_nurse_line_status_stays_right_on_a_page_left_open(phone, server, monkeypatch):
    from journal.guidance import loading

    page = phone
    friday = uk_local_to_utc(date(2026, 11, 27), time(16, 59, 30))
    moment = {"now": friday}
    monkeypatch.setattr(loading, "now", lambda: moment["now"])
    page.clock.install(time=friday)
    page.goto(server.url + "/help")
    status = page.locator("main [data-line-status] .line-status")
    expect(status).to_have_text("Open now, until 5pm")
    close = page.get_by_role("link", name=re.compile("^0808 800 4040")).first
    close.focus()

    # Five o'clock passes while the page sits open: within the minute it says closed.
    moment["now"] = friday + timedelta(minutes=1)
    page.clock.fast_forward("01:05")
    expect(status).to_have_text("Closed now. Opens Monday at 9am")
    expect(page.locator("[data-line-status] .line-status.open")).to_have_count(0)
    # Keeping itself right never moves her focus.
    assert page.evaluate("document.activeElement.getAttribute('href')") == "tel:+448088004040"
