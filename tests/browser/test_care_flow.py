"""A nurse at a desk and a patient on a phone: connect, share, triage, review, "Seen"."""

import re

import pytest
from playwright.sync_api import expect

from journal import create_app
from journal.accounts import consent
from journal.accounts import users as accounts
from journal.care import teams
from journal.platform.clock import utc_iso, utc_now
from journal.platform.db import connect
from tests.browser.conftest import axe_in_both_themes
from tests.conftest import totp_code_for

NURSE_EMAIL = "priya@example.com"
ADMIN_EMAIL = "ada@example.com"
PASSWORD = "quiet morning walks"


@pytest.fixture
def live_app(tmp_path):
    # Poll every second, so the test sees a new entry arrive without waiting 30.
    return create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "journal.db"),
                       "CARE_POLL_SECONDS": 1})


@pytest.fixture
def care_world(live_app):
    """A team with one nurse who can sign in."""
    db = connect(live_app.config["JOURNAL_DB"])
    try:
        password_hash = live_app.extensions["passwords"].hash(PASSWORD)
        team_id = teams.create_team(db, "Breast Care Team")
        nurse_id = accounts.create_user(db, NURSE_EMAIL, password_hash, role="nurse",
                                        first_name="Priya")
        teams.put_nurse_in_team(db, nurse_id, team_id)
        yield db, team_id
    finally:
        db.close()


def sign_in(page, server, email, password=PASSWORD):
    """Sign in with the form; staff then type the code their app would show (set up on the
    first sign-in), worked out from the secret the server stored."""
    page.context.clear_cookies()
    page.goto(server.url + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if email in (NURSE_EMAIL, ADMIN_EMAIL):
        expect(page).to_have_url(re.compile(r"/sign-in/code$"))
        page.get_by_label("6-digit code").fill(totp_code_for(server.app, email))
        page.get_by_role("button", name=re.compile(r"^(Finish set-up|Sign in)$")).click()
    expect(page).not_to_have_url(re.compile(r"/sign-in"))


def sign_up(page, server, email="sam@example.com", name="Sam"):
    page.goto(server.url + "/sign-up")
    page.get_by_label("First name (optional)").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("I agree").check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/account/recovery-codes/keep$"))
    page.get_by_label("I have kept my recovery codes somewhere safe").check()
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/home$"))


def test_nurse_code_patient_connects_shares_and_sees_it_reviewed(phone, desktop, server,
                                                                  care_world, shoot):
    nurse, patient = desktop, phone

    # The nurse makes a code for one named patient.
    sign_in(nurse, server, NURSE_EMAIL)
    expect(nurse).to_have_url(re.compile(r"/care$"))
    nurse.get_by_role("link", name="Make a join code").click()
    nurse.get_by_label("Patient's full name").fill("Sam Taylor")
    nurse.get_by_label("Date of birth").fill("1971-04-12")
    nurse.get_by_label("Hospital number (optional)").fill("RX4471")
    nurse.get_by_role("button", name="Make code").click()
    code = nurse.locator(".code span[aria-hidden=true]").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
    shoot(nurse, "nurse-code")

    # The patient connects with it on her phone.
    sign_up(patient, server)
    patient.get_by_role("link", name="More", exact=True).click()
    patient.get_by_role("link", name="Care team").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Connect to my care team")
    patient.get_by_label("Join code").fill(code.lower())
    patient.get_by_label("Your date of birth").fill("1971-04-12")
    patient.get_by_role("button", name="Continue").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Check before you connect")
    expect(patient.locator("main")).to_contain_text("They know you as Sam Taylor")
    expect(patient.locator("main")).to_contain_text("Not for urgent help")
    shoot(patient, "consent")
    patient.get_by_role("button", name="Agree and connect").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Your care team")
    shoot(patient, "care-team")

    # She checks in at distress 8 and shares that check-in.
    nurse.goto(server.url + "/care")
    expect(nurse.locator("#inbox")).to_contain_text("Nothing to show")
    patient.get_by_role("link", name="Today").click()
    patient.locator("label[for=d8]").click()
    patient.get_by_text("Add a note, feelings or what is on your mind").click()
    patient.get_by_label("Note (optional)").fill("Could not sleep at all.")
    patient.get_by_role("button", name="Save check-in").click()
    entry = patient.locator("#latest .entry").first
    entry.get_by_role("button", name=re.compile("Share with your care team")).click()
    expect(entry.locator(".shared-with")).to_have_text("Shared with Breast Care Team")
    expect(patient.locator("#announce")).to_contain_text("Shared with Breast Care Team")

    # It reaches the nurse's open inbox by polling, flagged, with who it is.
    item = nurse.locator(".inbox-item").first
    expect(item).to_contain_text("Could not sleep at all.", timeout=15_000)
    expect(item.locator(".who a")).to_have_text("Sam Taylor")
    expect(item).to_contain_text("Born 12 April 1971 · Hospital number RX4471")
    expect(item.locator(".flag-concern")).to_have_text("High distress")
    expect(item.locator(".flag-unreviewed")).to_have_text("Not yet reviewed")
    shoot(nurse, "dashboard")

    item.get_by_role("link", name="Sam Taylor").click()
    expect(nurse.get_by_role("heading", level=1)).to_have_text("Sam Taylor")
    expect(nurse.locator(".stage")).to_have_text("No scan added yet")
    shoot(nurse, "patient-view")
    # A flagged entry asks what the nurse did; the form says so if she does not choose.
    nurse.get_by_role("button", name=re.compile("Mark reviewed")).click()
    expect(nurse.locator(".outcomes .error")).to_contain_text("Choose what you did")
    nurse.get_by_text("Called the patient").click()
    nurse.get_by_role("button", name=re.compile("Mark reviewed")).click()
    expect(nurse.locator(".reviewed")).to_contain_text("Reviewed by Priya on")
    expect(nurse.locator(".reviewed")).to_contain_text("called the patient")
    expect(nurse.locator("#announce")).to_contain_text("Marked as reviewed")

    # The patient sees that her team has read it.
    patient.get_by_role("link", name="Timeline", exact=True).click()
    expect(patient.locator(".entry").first.locator(".seen")).to_contain_text(
        "Seen by your care team on")
    shoot(patient, "timeline-seen")
    patient.get_by_role("link", name="More", exact=True).click()
    patient.get_by_role("link", name="Care team").click()
    patient.get_by_role("link", name="Who has seen my entries").click()
    expect(patient.locator(".events")).to_contain_text("Priya (Breast Care Team)")
    shoot(patient, "who-has-seen")


def add_patient_data(db, team_id, live_app):
    """A connected patient with shared check-ins, a question and a scan, for the axe run."""
    password_hash = live_app.extensions["passwords"].hash(PASSWORD)
    patient_id = accounts.create_user(db, "sam@example.com", password_hash, first_name="Sam")
    consent.agree(db, patient_id)  # as sign-up does
    now = utc_now()
    db.execute(
        "INSERT INTO care_links (team_id, patient_id, held_name, held_dob, held_hospital_number,"
        " connected_at) VALUES (?, ?, 'Sam Taylor', '1971-04-12', 'RX4471', ?)",
        [team_id, patient_id, utc_iso(now)],
    )
    from datetime import timedelta

    for days, score, note in [(6, 3, "Slept well."), (5, 3, ""), (4, 4, "Busy day."),
                              (3, 6, "Worried."), (2, 7, "I can't cope today."),
                              (1, 8, "Bad night.")]:
        db.execute(
            "INSERT INTO entries (patient_id, created_at, distress, note, shared)"
            " VALUES (?, ?, ?, ?, 1)",
            [patient_id, utc_iso(now - timedelta(days=days)), score, note],
        )
    db.execute(
        "INSERT INTO questions (patient_id, text, shared, created_at)"
        " VALUES (?, 'When will I hear about my results?', 1, ?)", [patient_id, utc_iso(now)])
    db.execute(
        "INSERT INTO scans (patient_id, kind, appointment_at, created_at)"
        " VALUES (?, 'liver-ultrasound', ?, ?)",
        [patient_id, utc_iso(now - timedelta(days=16)), utc_iso(now)])
    link_id = db.execute("SELECT id FROM care_links").fetchone()[0]
    return link_id


def test_care_pages_have_no_axe_violations_in_light_and_dark(phone, desktop, server,
                                                            care_world, live_app, shoot):
    db, team_id = care_world
    link_id = add_patient_data(db, team_id, live_app)

    # Each page in its plain state is in tests/browser/test_accessibility.py; here, the
    # states only this world reaches: a filtered inbox and an overdue patient.
    sign_in(desktop, server, NURSE_EMAIL)
    desktop.goto(server.url + "/care?flag=concern")
    expect(desktop.locator(".inbox-item")).to_have_count(2)
    axe_in_both_themes(desktop, "dashboard-concern-filter")
    desktop.goto(server.url + f"/care/patients/{link_id}")
    expect(desktop.locator(".stage")).to_have_text(
        "No results by the usual time, day 16 of waiting; no time given")
    axe_in_both_themes(desktop, "patient-view-overdue")
    desktop.emulate_media(color_scheme="dark")
    shoot(desktop, "patient-view-dark")
    desktop.emulate_media(color_scheme="light")

    sign_in(phone, server, "sam@example.com")
    phone.goto(server.url + "/care-team")
    shoot(phone, "care-team-connected")

    # No horizontal scroll at the smallest phone width, for patients or nurses.
    phone.set_viewport_size({"width": 320, "height": 700})
    for email, paths in [
        ("sam@example.com", ("/care-team", "/care-team/seen", "/timeline")),
        (NURSE_EMAIL, ("/care", f"/care/patients/{link_id}", "/care/codes")),
    ]:
        sign_in(phone, server, email)
        for path in paths:
            phone.goto(server.url + path)
            assert phone.evaluate("document.documentElement.scrollWidth <= 320"), path


def test_a_summary_shared_before_joining_waits_and_is_confirmed_by_name(phone, desktop, server,
                                                                        care_world, shoot):
    nurse, patient = desktop, phone
    sign_in(nurse, server, NURSE_EMAIL)
    nurse.get_by_role("link", name="Make a join code").click()
    nurse.get_by_label("Patient's full name").fill("Sam Taylor")
    nurse.get_by_label("Date of birth").fill("1971-04-12")
    nurse.get_by_role("button", name="Make code").click()
    code = nurse.locator(".code span[aria-hidden=true]").inner_text()

    # With no team, sharing the summary only asks for it to wait for a join.
    sign_up(patient, server)
    patient.goto(server.url + "/summary")
    patient.get_by_role("button", name="Share this summary when I join a care team").click()
    expect(patient.locator("#share")).to_contain_text("You asked to share this summary")
    shoot(patient, "summary-waiting")

    # The consent page names it; it goes to the team only with a tick.
    patient.goto(server.url + "/care-team")
    patient.get_by_label("Join code").fill(code)
    patient.get_by_label("Your date of birth").fill("1971-04-12")
    patient.get_by_role("button", name="Continue").click()
    expect(patient.get_by_role("group", name="Share these with Breast Care Team?")).to_be_visible()
    box = patient.get_by_label(re.compile(r"^Your appointment summary"))
    expect(box).not_to_be_checked()
    axe_in_both_themes(patient, "consent-with-waiting-summary")
    patient.emulate_media(color_scheme="dark")
    shoot(patient, "consent-waiting-dark")
    patient.emulate_media(color_scheme="light")
    size = box.bounding_box()
    assert size["width"] >= 24 and size["height"] >= 24
    box.check()
    shoot(patient, "consent-waiting")
    patient.get_by_role("button", name="Agree and connect").click()
    expect(patient.get_by_role("heading", level=1)).to_have_text("Your care team")
    patient.goto(server.url + "/summary")
    expect(patient.locator("#share")).to_contain_text("Breast Care Team can read this summary")
    assert patient.evaluate("document.documentElement.scrollWidth") <= 390
