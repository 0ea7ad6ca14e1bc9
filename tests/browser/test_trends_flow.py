"""A patient on a phone: the trend chart in light and dark, "this helped", and the summary."""

import re
from datetime import timedelta

from playwright.sync_api import expect

from journal.accounts import consent
from journal.accounts import users as accounts
from journal.platform.db import connect
from tests.browser.conftest import run_axe
from tests.trend_data import add_days, add_entry, add_question, add_scan, uk_noon

EMAIL = "robin@example.com"
PASSWORD = "a quiet walk by the river"


def seed(app):
    """A patient with 90 days of check-ins, a scan 20 days ago and results 6 days ago."""
    db = connect(app.config["JOURNAL_DB"])
    try:
        patient_id = accounts.create_user(
            db, EMAIL, app.extensions["passwords"].hash(PASSWORD), first_name="Robin"
        )
        consent.agree(db, patient_id)
        add_days(db, patient_id, 90, skip={30, 31, 32, 33, 50})
        # Two days ago also had a 10: the chart must show that peak, not only the average.
        add_entry(db, patient_id, uk_noon(2) + timedelta(hours=2), distress=10)
        add_scan(db, patient_id, 20, results_days_ago=6, hospital="St Luke's Hospital",
                 nurse_name="Jo Adams", nurse_phone="020 7946 0000", results_expected_days=14)
        add_question(db, patient_id, "What do the results mean for my treatment?")
        add_question(db, patient_id, "Who do I call if I have more questions?")
        add_question(db, patient_id, "Already asked", done=True)
        return patient_id
    finally:
        db.close()


def sign_in(page, server):
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/home$"))


def no_axe_violations(page):
    results = run_axe(page)
    assert results.violations_count == 0, results.generate_report()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shoot_chart(page, shoot, name):
    """A 390x844 screenshot with the chart card at the top of the screen."""
    page.locator("#chart-heading").evaluate("el => el.closest('section').scrollIntoView()")
    return shoot(page, name, full_page=False)


def test_trend_chart_in_light_and_dark(browser, phone, server, live_app, shoot):
    seed(live_app)
    page = phone
    sign_in(page, server)
    page.get_by_role("link", name="More", exact=True).click()
    page.get_by_role("link", name="Trends", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your trends")

    page.get_by_role("link", name="90 days").click()
    # htmx swapped the chart in place and moved the address along with it.
    expect(page).to_have_url(re.compile(r"range=90$"))
    expect(page.get_by_role("link", name="90 days")).to_have_attribute("aria-current", "true")
    expect(page.locator("#announce")).to_have_text("Showing 90 days.")
    svg = page.get_by_role("img", name=re.compile(r"^Distress, "))
    expect(svg).to_be_visible()
    expect(page.locator(".chart-dots circle")).to_have_count(85)
    # Four missing days in a row break the line; one missing day does not.
    expect(page.locator(".chart-line")).to_have_count(2)
    expect(page.locator(".chart-marker")).to_have_count(2)
    expect(page.locator(".chart-peak")).to_have_count(1)
    expect(svg).to_have_accessible_name(re.compile(r"highest: 10 \("))
    box = svg.bounding_box()
    assert 300 <= box["width"] <= 390
    no_sideways_scroll(page)
    shoot_chart(page, shoot, "chart-90-days-light")
    shoot(page, "trends-light")
    no_axe_violations(page)

    page.get_by_text("Show the numbers as a table").click()
    expect(page.get_by_role("table").first).to_contain_text("Average (0 to 10)")

    dark = browser.new_context(viewport=page.viewport_size, color_scheme="dark", locale="en-GB",
                               timezone_id="Europe/London", is_mobile=True, has_touch=True)
    try:
        dark.add_cookies(page.context.cookies())
        night = dark.new_page()
        night.goto(server.url + "/trends?range=90")
        line = night.locator(".chart-line").first
        # The line takes the dark theme's brand colour from app.css, not a fixed colour.
        assert line.evaluate("el => getComputedStyle(el).stroke") == "rgb(127, 209, 199)"
        shoot_chart(night, shoot, "chart-90-days-dark")
        no_axe_violations(night)
        night.get_by_role("link", name="This scan's wait").click()
        expect(night.get_by_role("heading", name="Before and after your results")).to_be_visible()
        shoot_chart(night, shoot, "chart-scan-wait-dark")
        no_axe_violations(night)
        night.goto(server.url + "/summary")
        expect(night.locator(".summary-sheet")).to_be_visible()
        shoot(night, "summary-dark")
        no_axe_violations(night)
    finally:
        dark.close()


def test_this_helped_mark_on_the_timeline(phone, server, live_app, shoot):
    patient_id = seed(live_app)
    page = phone
    sign_in(page, server)
    page.get_by_role("link", name="Timeline", exact=True).click()
    first = page.locator(".entry").first
    button = first.get_by_role("button", name=re.compile("^This helped"))
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(first.get_by_role("button", name=re.compile("^This helped"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#announce")).to_have_text("Marked as helping.")
    expect(page).to_have_url(re.compile(r"/timeline$"))
    # htmx keeps focus on the button it replaced, so a keyboard user is not thrown back.
    expect(first.get_by_role("button", name=re.compile("^This helped"))).to_be_focused()
    shoot(page, "timeline-helped", full_page=False)
    no_axe_violations(page)
    db = connect(live_app.config["JOURNAL_DB"])
    try:
        helped = db.execute(
            "SELECT COUNT(*) FROM entries WHERE patient_id = ? AND helped = 1", [patient_id]
        ).fetchone()[0]
    finally:
        db.close()
    assert helped == 1

    page.get_by_role("link", name="More", exact=True).click()
    page.get_by_role("link", name="Trends", exact=True).click()
    expect(page.locator(".helped-list li")).to_have_count(1)
    expect(page.get_by_text("You have marked 1 entry as helping.")).to_be_visible()


def test_summary_picks_notes_and_prints(phone, server, live_app, shoot):
    seed(live_app)
    page = phone
    sign_in(page, server)
    page.goto(server.url + "/summary")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment summary")
    expect(page.locator(".questions li")).to_have_count(2)
    page.locator(".pick-item label").nth(0).click()
    page.locator(".pick-item label").nth(2).click()
    page.get_by_role("button", name="Save my choice").click()
    expect(page.locator(".flash")).to_have_text("Saved. Your summary has 2 notes.")
    expect(page.locator(".picked-notes li")).to_have_count(2)
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, "summary-screen")
    page.set_viewport_size({"width": 320, "height": 700})
    no_sideways_scroll(page)
    page.goto(server.url + "/trends?range=scan")
    no_sideways_scroll(page)
    page.goto(server.url + "/summary")
    page.set_viewport_size({"width": 390, "height": 844})
    no_axe_violations(page)

    # With no care team yet, sharing asks for the summary to wait for a join.
    page.get_by_role("button", name="Share this summary when I join a care team").click()
    expect(page.locator(".flash")).to_contain_text("When you join a care team, we will show")
    expect(page.get_by_role("button", name="Keep it private")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".top")).to_be_hidden()
    expect(page.locator("#help")).to_be_hidden()
    expect(page.locator(".no-print").first).to_be_hidden()
    expect(page.locator(".summary-sheet")).to_be_visible()
    expect(page.locator(".answer-space").first).to_be_visible()
    assert page.locator("button:visible").count() == 0
    shoot(page, "summary-print")


SIZES = """() => {
  const svg = document.querySelector('.chart-svg');
  const scale = svg.getScreenCTM().a;
  const texts = [...svg.querySelectorAll('text')]
    .map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
  const dots = [...svg.querySelectorAll('.chart-dots circle')]
    .map(c => 2 * c.r.baseVal.value * scale);
  return {text: Math.min(...texts), dot: Math.min(...dots),
          width: svg.getBoundingClientRect().width};
}"""


def test_chart_labels_and_dots_are_big_enough_at_320_and_390(phone, server, live_app):
    seed(live_app)
    page = phone
    sign_in(page, server)
    for width, height in ((320, 640), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        for days in ("7", "90"):
            page.goto(server.url + f"/trends?range={days}")
            sizes = page.evaluate(SIZES)
            print(f"\n{width}px, {days} days: {sizes}")
            assert sizes["text"] >= 14, sizes
            assert sizes["dot"] >= 8, sizes
            no_sideways_scroll(page)
            # Labels stay apart: no two date labels' boxes meet.
            boxes = page.locator(".chart-dates text").evaluate_all(
                "els => els.map(e => e.getBoundingClientRect()).map(b => [b.left, b.right])")
            for (_, right), (left, _) in zip(boxes, boxes[1:], strict=False):
                assert right < left, boxes
