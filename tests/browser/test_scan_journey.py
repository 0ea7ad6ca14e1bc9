"""A patient's scan journey on a phone: the overdue prompt, every stage card, the safety net,
questions in print, and axe on each new page in light and dark."""

import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from journal.accounts import consent
from journal.accounts import users as accounts
from journal.guidance import loading as guidance
from journal.platform.clock import uk_local_to_utc, uk_today, utc_iso, utc_now
from journal.platform.db import connect
from tests.browser.conftest import ARTIFACTS, SCREENSHOTS, run_axe

PASSWORD = "quiet morning walks"
PHONE = {"width": 390, "height": 844}


def uk(y, m, d, hh=0, mm=0):
    return uk_local_to_utc(date(y, m, d), time(hh, mm))


APPT = uk(2026, 11, 18, 10)  # Wednesday 18 November 2026, 10am GMT

# (stage, scan fields, the moment the page is seen, a line the card must show)
STAGES = [
    ("no-date", {"appointment_at": None}, uk(2026, 11, 10, 12), "Add the date"),
    ("before", {"fasting_hours": 6, "hospital": "City Hospital"}, uk(2026, 11, 11, 12),
     "7 days to go"),
    ("prepare", {"fasting_hours": 6}, uk(2026, 11, 18, 5), "No food from 4:00am"),
    ("scan-day", {}, uk(2026, 11, 18, 8), "Today at 10:00am"),
    ("afterwards", {}, uk(2026, 11, 18, 14), "Scan done today"),
    ("waiting", {}, uk(2026, 11, 22, 12), "Waiting day 4"),
    ("results-due", {}, uk(2026, 11, 26, 12), "Waiting day 8"),
    ("overdue", {"arranged_by_name": "Dr Shah", "arranged_by_phone": "020 7946 0123"},
     uk(2026, 12, 4, 12), "Waiting day 16"),
    ("results-received", {"results_received_on": "2026-11-26", "nurse_name": "Jo",
                          "nurse_phone": "0161 496 0000"}, uk(2026, 11, 27, 12),
     "Your results came on Thursday 26 November."),
]


def make_patient(live_app, email="robin@example.com"):
    db = connect(live_app.config["JOURNAL_DB"])
    try:
        password_hash = live_app.extensions["passwords"].hash(PASSWORD)
        patient_id = accounts.create_user(db, email, password_hash, first_name="Robin")
        consent.agree(db, patient_id)
        return patient_id
    finally:
        db.close()


def put_scan(live_app, patient_id, **fields):
    """Replace the patient's scans with one, as the form would store it."""
    row = {"kind": "liver-ultrasound", "appointment_at": utc_iso(APPT), "hospital": "",
           "letter_notes": "", "arranged_by_name": "", "arranged_by_phone": "", "nurse_name": "",
           "nurse_phone": "", "created_at": utc_iso(utc_now()), **fields,
           "patient_id": patient_id}
    db = connect(live_app.config["JOURNAL_DB"])
    try:
        db.execute("DELETE FROM scans WHERE patient_id = ?", [patient_id])
        return db["scans"].insert(row, pk="id").last_pk
    finally:
        db.close()


def sign_in(page, server, email="robin@example.com"):
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/home$"))


def test_scan_16_days_ago_shows_the_overdue_prompt_with_tap_to_call(phone, server, shoot):
    page = phone
    make_patient(server.app)
    sign_in(page, server)
    page.get_by_role("link", name="My scan", exact=True).click()
    page.get_by_role("link", name="Add your scan").click()
    page.locator("label[for=kind-liver-ultrasound]").click()
    scan_day = uk_today(utc_now()) - timedelta(days=16)
    page.get_by_label("Date", exact=True).fill(scan_day.isoformat())
    page.get_by_label("Time", exact=True).fill("10:00")
    page.get_by_label("Hospital (optional)").fill("City Hospital")
    arranged = page.get_by_role("group", name="Who arranged your scan")
    arranged.get_by_label("Name").fill("Dr Shah")
    arranged.get_by_label("Phone number").fill("020 7946 0123")
    shoot(page, "form")
    page.get_by_role("button", name="Save scan").click()

    expect(page).to_have_url(re.compile(r"/home$"))
    card = page.locator("#stage")
    expect(card.get_by_role("heading", level=2)).to_have_text("Time to ask about your results")
    expect(card).to_contain_text("Waiting day 16")
    call = card.get_by_role("link", name=re.compile("Call Dr Shah"))
    expect(call).to_have_attribute("href", "tel:+442079460123")
    box = call.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shoot(page, "overdue-home")


def test_each_stage_card(phone, server, monkeypatch):
    page = phone
    patient_id = make_patient(server.app)
    sign_in(page, server)
    for stage, fields, now, says in STAGES:
        put_scan(server.app, patient_id, **fields)
        monkeypatch.setattr(guidance, "now", lambda now=now: now)
        page.goto(server.url + "/home")
        card = page.locator("#stage")
        expect(card).to_have_class(re.compile(rf"\bstage-{stage}\b"))
        expect(card).to_contain_text(says)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if SCREENSHOTS:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            card.screenshot(path=str(ARTIFACTS / f"stage-card-{stage}.png"))


def test_high_distress_check_in_brings_help_forward(phone, server, shoot):
    page = phone
    make_patient(server.app)
    sign_in(page, server)
    page.locator("label[for=d9]").click()
    page.get_by_role("button", name="Save check-in").click()
    panel = page.locator("#reach-out")
    expect(panel).to_contain_text("It sounds like things are really hard right now")
    expect(page.locator(".saved")).to_contain_text("Saved at")
    expect(panel.get_by_role("link", name="116 123")).to_have_attribute("href", "tel:116123")
    expect(panel.get_by_role("link", name="Text SHOUT to 85258")).to_have_attribute(
        "href", "sms:85258?body=SHOUT")
    expect(page.locator("#announce")).to_contain_text("Help is here if you need it.")
    # The Save button sat at the foot of the form; the panel is brought into view.
    expect(panel.get_by_role("heading", level=3)).to_be_in_viewport()
    shoot(page, "reach-out", full_page=False)


def test_daily_prompt_answer_shows_on_the_timeline(phone, server):
    page = phone
    make_patient(server.app)
    sign_in(page, server)
    prompt = page.locator("input[name=prompt]").get_attribute("value")
    page.locator("summary", has_text="Today's question").click()
    page.get_by_label(re.compile("Today's question")).fill("My sister, over tea.")
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator(".saved")).to_contain_text("Saved at")
    page.get_by_role("link", name="Timeline", exact=True).click()
    entry = page.locator(".entry").first
    expect(entry.locator(".prompt-q")).to_have_text(prompt)
    expect(entry).to_contain_text("My sister, over tea.")


def test_questions_add_tick_and_print(phone, server, shoot):
    page = phone
    make_patient(server.app)
    sign_in(page, server)
    page.goto(server.url + "/questions")
    page.get_by_role("button", name="Add: How long will it take to get my results?").click()
    expect(page.locator(".questions")).to_contain_text("How long will it take")
    page.get_by_label("Add a question").fill("Can my sister come in with me?")
    page.get_by_role("button", name="Add question").click()
    expect(page.locator(".questions .question")).to_have_count(2)
    expect(page.locator("#announce")).to_contain_text("Question added.")
    page.get_by_role("button", name="Tick as asked: How long will it take").click()
    expect(page.locator(".question.done")).to_have_count(1)
    expect(page.get_by_role("button", name="Print this list")).to_be_visible()
    shoot(page, "screen")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name="Questions you might like to ask")).to_be_hidden()
    expect(page.locator(".q-actions").first).to_be_hidden()
    shoot(page, "print")

    # Deleting has an undo, and focus waits on it.
    page.emulate_media(media="screen")
    page.get_by_role("button", name="Delete: Can my sister come in with me?").click()
    expect(page.locator(".questions .question")).to_have_count(1)
    undo = page.get_by_role("button", name="Undo deleting this question")
    expect(undo).to_be_focused()
    expect(page.locator("#questions-area")).to_contain_text("You deleted “Can my sister come")
    shoot(page, "undo")
    undo.click()
    expect(page.locator(".questions .question")).to_have_count(2)
    expect(page.locator("#announce")).to_contain_text("Question restored.")


def new_page(browser, scheme):
    context = browser.new_context(viewport=PHONE, color_scheme=scheme, locale="en-GB",
                                  timezone_id="Europe/London", is_mobile=True, has_touch=True)
    return context, context.new_page()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_new_pages_have_no_axe_violations(browser, server, shoot, monkeypatch, scheme):
    patient_id = make_patient(server.app)
    put_scan(server.app, patient_id, arranged_by_name="Dr Shah",
             arranged_by_phone="020 7946 0123", nurse_name="Jo",
             nurse_phone="0161 496 0000")
    monkeypatch.setattr(guidance, "now", lambda: uk(2026, 12, 4, 12))  # overdue
    context, page = new_page(browser, scheme)
    try:
        # Each page in its plain state is in tests/browser/test_accessibility.py; here, the
        # states only this world reaches: results overdue, with contacts, and the reach-out.
        sign_in(page, server)
        for name, path in [("home", "/home"), ("my-scan", "/scans")]:
            page.goto(server.url + path)
            result = run_axe(page)
            assert result.violations_count == 0, (path, result.generate_report())
            shoot(page, f"{name}-{scheme}", full_page=False)
        # The form with its errors, and the home screen with the safety net open.
        page.goto(server.url + "/scans/new")
        page.get_by_label("Date", exact=True).fill("2026-12-01")
        page.get_by_role("button", name="Save scan").click()
        expect(page.locator(".error").first).to_be_visible()
        result = run_axe(page)
        assert result.violations_count == 0, ("scan form errors", result.generate_report())
        shoot(page, f"form-errors-{scheme}")
        page.goto(server.url + "/home")
        page.locator("label[for=d10]").click()
        page.get_by_role("button", name="Save check-in").click()
        expect(page.locator("#reach-out")).to_be_visible()
        result = run_axe(page)
        assert result.violations_count == 0, ("reach-out", result.generate_report())
    finally:
        context.close()


def test_new_pages_fit_a_320px_screen(browser, server, monkeypatch):
    patient_id = make_patient(server.app)
    put_scan(server.app, patient_id, arranged_by_name="Dr Shah",
             arranged_by_phone="020 7946 0123", nurse_name="Jo", nurse_phone="0161 496 0000",
             hospital="The Royal Infirmary of Somewhere Rather Long")
    monkeypatch.setattr(guidance, "now", lambda: uk(2026, 12, 4, 12))
    context = browser.new_context(viewport={"width": 320, "height": 640}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in(page, server)
        # The whole home page is left out: its distress scale is not part of this work.
        widest = page.evaluate("""Math.max(...[...document.querySelectorAll('#stage, #stage *')]
            .map(e => e.getBoundingClientRect().right))""")
        assert widest <= 320, ("stage card", widest)
        for path in ["/scans", "/scans/new", "/questions", "/help", "/about-information"]:
            page.goto(server.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 320, (path, width)
    finally:
        context.close()
