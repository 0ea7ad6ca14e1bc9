"""Accessibility on every page, in light and dark: axe-core, 44px targets, no sideways
scroll at 320px, text at 200%, reduced motion, and a whole check-in by keyboard.

PAGES lists every page once: a new page is one more line (and a new kind of account one
more entry in ACCOUNTS), and every check below then covers it. Patients' pages open on a
phone (390x844); nurses' and admins' on a desktop (1280x800), and they too must reflow at
320px, which is their page at 400% zoom.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time, timedelta

import pytest
from playwright.sync_api import expect

from journal.accounts import consent, recovery, totp
from journal.accounts import users as accounts
from journal.care import teams
from journal.diary import entries
from journal.people import records as people
from journal.platform import audit
from journal.platform.clock import uk_local_to_utc, uk_today, utc_iso, utc_now
from journal.platform.db import connect
from journal.reminders import links as off_links
from journal.scans import records as scans
from journal.trends import summaries
from tests.browser.conftest import run_axe


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # may use {entry}, {scan}, {link}: the patient's first entry, scan and link
    who: str | None = None  # a key of ACCOUNTS to sign in as first
    status: int = 200
    then: Callable | None = None  # steps after opening it, to reach a state
    device: str = "phone"  # or "desktop", for the staff pages
    # App bugs, reported, that make this page fail a check: {"axe" or "fits": the bug}.
    xfail: dict = field(default_factory=dict)


def search_for(words):
    def steps(page):
        page.get_by_label("Words to find").fill(words)
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#results h2")).to_be_visible()

    return steps


def find_patient(words):
    def steps(page):
        page.get_by_label("Name, date of birth or hospital number").fill(words)
        page.get_by_role("button", name="Find").click()
        expect(page.locator("#results")).to_contain_text("No connected patient matches")

    return steps


def save_empty_check_in(page):
    page.get_by_role("button", name="Save check-in").click()
    expect(page.locator("#checkin .error").first).to_be_visible()


def press_and_expect_error(button, error=".error"):
    """Send a form as it is and wait for its error message."""

    def steps(page):
        page.get_by_role("button", name=button).click()
        expect(page.locator(error).first).to_be_visible()

    return steps


def scan_with_mistakes(page):
    page.get_by_label("Date", exact=True).fill("2026-12-01")
    page.locator("#arranged_by_phone").fill("ring the ward")
    page.get_by_role("button", name="Save scan").click()
    expect(page.locator(".error").get_by_text("Enter the time on your letter")).to_be_visible()


def reminders_with_no_channel(page):
    page.get_by_label("A daily check-in").check()
    page.get_by_role("button", name="Save reminders").click()
    expect(page.locator(".error").get_by_text("Choose how your reminders reach you"))\
        .to_be_visible()


def turn_off_reminder(page):
    page.get_by_role("button", name="Turn off").click()
    expect(page.locator("h1")).to_have_text("Reminders turned off")


def enter_join_code(page):
    page.get_by_label("Join code").fill(JOIN_CODE["code"])
    page.get_by_label("Your date of birth").fill(JOIN_CODE["dob"])
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Check before you connect")


def make_join_code(page):
    page.get_by_label("Patient's full name").fill("Kai Brown")
    page.get_by_label("Date of birth").fill("1968-09-30")
    page.get_by_role("button", name="Make code").click()
    expect(page.get_by_text("Kai Brown").first).to_be_visible()


NOTES = ["The waiting room had a fish tank.", "Slept badly before the scan.",
         "A walk by the river helped.", "Worried about the phone call.",
         "Talked to my sister.", "Could not settle today."]
ACCOUNTS = {
    # Connected to the care team, a scan five days ago, two weeks of check-ins.
    "patient": {"email": "pat@example.com", "name": "Pat", "notes": NOTES[:2]},
    # Just signed up: no scan, no team, so the empty pages and the connect form.
    "new-patient": {"email": "olu@example.com", "name": "Olu"},
    # Agreed to an older privacy notice, so is asked to agree again.
    "owes-privacy": {"email": "sam@example.com", "name": "Sam", "agreed": "2025-01"},
    "nurse": {"email": "priya@example.com", "name": "Priya", "role": "nurse"},
    # Right password, code still to come: with an authenticator app, and setting one up.
    "nurse-code": {"email": "ravi@example.com", "name": "Ravi", "role": "nurse",
                   "stage": "code"},
    "nurse-setup": {"email": "nina@example.com", "name": "Nina", "role": "nurse",
                    "stage": "enrol"},
    "admin": {"email": "ada@example.com", "name": "Ada", "role": "admin"},
}
JOIN_CODE = {"dob": "1982-06-15"}  # the code itself is made by the site fixture

PAGES = [
    Page("landing", "/"),
    Page("sign-in", "/sign-in"),
    Page("sign-up", "/sign-up"),
    Page("offline", "/offline"),
    Page("not-found", "/no-such-page", status=404),
    Page("help", "/help"),
    Page("about-information", "/about-information"),
    Page("privacy-notice", "/privacy"),
    Page("forgotten-password", "/forgotten-password"),
    Page("forgotten-password-error", "/forgotten-password",
         then=press_and_expect_error("Set new password")),
    Page("home", "/home", who="patient"),
    Page("check-in", "/check-in", who="patient"),
    Page("check-in-error", "/home", who="patient", then=save_empty_check_in),
    Page("timeline", "/timeline", who="patient"),
    Page("search-results", "/timeline/search", who="patient", then=search_for("fish")),
    Page("entry", "/entries/{entry}", who="patient"),
    Page("edit", "/entries/{entry}/edit", who="patient"),
    Page("delete-confirm", "/entries/{entry}/delete", who="patient"),
    # The scan journey.
    Page("my-scan", "/scans", who="patient"),
    Page("my-scan-empty", "/scans", who="new-patient"),
    Page("add-scan", "/scans/new", who="patient"),
    Page("add-scan-error", "/scans/new", who="patient", then=scan_with_mistakes),
    Page("edit-scan", "/scans/{scan}/edit", who="patient"),
    Page("delete-scan-confirm", "/scans/{scan}/delete", who="patient"),
    Page("questions", "/questions", who="patient"),
    Page("questions-error", "/questions", who="patient",
         then=press_and_expect_error("Add question")),
    Page("help-signed-in", "/help", who="patient"),
    # Trends and the appointment summary.
    Page("trends", "/trends", who="patient"),
    Page("trends-empty", "/trends", who="new-patient"),
    Page("summary", "/summary", who="patient"),
    # The care team, from the patient's side.
    Page("care-team", "/care-team", who="patient"),
    Page("care-team-connect", "/care-team", who="new-patient"),
    Page("care-team-connect-error", "/care-team", who="new-patient",
         then=press_and_expect_error("Continue")),
    Page("care-team-consent", "/care-team", who="new-patient", then=enter_join_code),
    Page("care-team-disconnect", "/care-team/disconnect", who="patient"),
    Page("care-team-seen", "/care-team/seen", who="patient"),
    # Account and privacy.
    Page("account", "/account", who="patient"),
    Page("password-change", "/account/password", who="patient"),
    Page("password-change-error", "/account/password", who="patient",
         then=press_and_expect_error("Save new password")),
    Page("recovery-codes", "/account/recovery-codes", who="patient"),
    Page("reminders", "/account/reminders", who="patient"),
    Page("reminders-error", "/account/reminders", who="patient", then=reminders_with_no_channel),
    Page("reminders-off", "/reminders/off/{off_token}"),
    Page("reminders-off-done", "/reminders/off/{off_token}",
         then=turn_off_reminder),
    Page("privacy-agree", "/privacy/agree", who="owes-privacy"),
    # Nurses and admins, at a desk.
    Page("inbox", "/care", who="nurse", device="desktop"),
    Page("patient-view", "/care/patients/{link}", who="nurse", device="desktop"),
    Page("shared-summary", "/care/patients/{link}/summary", who="nurse", device="desktop"),
    Page("patients", "/care/patients", who="nurse", device="desktop"),
    Page("patients-none-found", "/care/patients", who="nurse", device="desktop",
         then=find_patient("nobody")),
    Page("join-codes", "/care/codes", who="nurse", device="desktop"),
    Page("join-code-made", "/care/codes", who="nurse", device="desktop", then=make_join_code),
    Page("discharge-confirm", "/care/patients/{link}/discharge", who="nurse", device="desktop"),
    Page("nurse-account", "/account", who="nurse", device="desktop"),
    Page("second-factor-code", "/sign-in/code", who="nurse-code", device="desktop"),
    Page("second-factor-setup", "/sign-in/code", who="nurse-setup", device="desktop"),
    Page("admin-teams", "/admin", who="admin", device="desktop"),
    # People I share with, and the page a chosen person opens without an account.
    Page("people", "/people", who="patient"),
    Page("people-invite-error", "/people", who="patient",
         then=press_and_expect_error("Make a link")),
    Page("person", "/people/{person}", who="patient"),
    Page("shared-page", "/shared/{person_token}"),
    Page("shared-code", "/shared"),
    Page("shared-code-error", "/shared", then=press_and_expect_error("Open")),
    Page("shared-link-ended", "/shared/not-a-link", status=404),
    # The calming minute.
    Page("calm", "/calm"),
    Page("calm-signed-in", "/calm", who="patient"),
]
THEMES = ["light", "dark"]
SIZES = {"phone": {"width": 390, "height": 844}, "narrow": {"width": 320, "height": 640},
         "desktop": {"width": 1280, "height": 800}}


def seed_patient(db, app, user_id, team_id, nurse):
    """Two weeks of check-ins, a scan five days ago, questions, a shared summary, the care
    team (and a nurse who looked), recovery codes: every section of every page has content."""
    now = utc_now()
    today = uk_today(now)
    ids = {}
    # Connected first: a share names the team connected at that moment (none: held).
    ids["link"] = db.execute(
        "INSERT INTO care_links (team_id, patient_id, held_name, held_dob,"
        " held_hospital_number, connected_at) VALUES (?, ?, 'Pat Jones', '1971-04-12',"
        " 'RX4471', ?)", [team_id, user_id, utc_iso(now - timedelta(days=21))],
    ).lastrowid
    scores = [3, 6, 7, 4, 5, 8]
    for days_ago, (distress, note) in enumerate(zip(scores, NOTES[2:] + NOTES[2:4], strict=True)):
        when = now - timedelta(days=2 + days_ago * 2, hours=3)
        entry_id = entries.create(db, user_id, {"distress": distress, "feelings": ["anxious"],
                                                "topics": ["results"], "note": note}, now=when)
        if days_ago % 2:
            db.execute("UPDATE entries SET shared = 1 WHERE id = ?", [entry_id])
        if days_ago == 2:
            entries.set_helped(db, entry_id, True)
    ids["scan"] = scans.create(db, user_id, {
        "kind": "liver-ultrasound",
        "appointment_at": utc_iso(uk_local_to_utc(today - timedelta(days=5), time(10, 30))),
        "hospital": "City Hospital", "fasting_hours": 6, "letter_notes": "Bring my glasses.",
        "arranged_by_name": "Dr Shah", "arranged_by_phone": "020 7946 0123",
        "nurse_name": "Jo", "nurse_phone": "0161 496 0000", "results_expected_days": 14,
    }, now=now - timedelta(days=20))
    for text, shared, done in [("When will I get my results?", 1, 0),
                               ("Can my sister come with me?", 0, 1)]:
        db.execute("INSERT INTO questions (patient_id, text, shared, done, created_at)"
                   " VALUES (?, ?, ?, ?, ?)", [user_id, text, shared, done, utc_iso(now)])
    picked = [row[0] for row in db.execute(
        "SELECT id FROM entries WHERE patient_id = ? AND note != '' LIMIT 2", [user_id])]
    summaries.pick_notes(db, user_id, ids["scan"], picked)
    summaries.set_shared(db, user_id, ids["scan"], True)
    audit.record(db, nurse, "view-patient", patient_id=user_id, team_id=team_id)
    # Her sister sees everything she may choose, and has opened her link once.
    ids["person"], made = people.add_person(
        db, accounts.user_by_id(db, user_id),
        {"first_name": "Ruth", "relation": "sister", "shared_by": "Pat", "show_scan": True,
         "show_trend": True, "show_checkins": True, "show_questions": True}, app.secret_key)
    ids["person_token"] = made.token
    person = people.person_for(db, ids["person"], accounts.user_by_id(db, user_id))
    people.record_open(db, person, people.live_by_id(db, made.id)[1])
    db.execute("INSERT INTO person_entries (person_id, entry_id, patient_id)"
               " SELECT ?, id, patient_id FROM entries WHERE patient_id = ? LIMIT 2",
               [ids["person"], user_id])
    recovery.replace_codes(db, user_id, app.secret_key)
    return ids


@pytest.fixture(scope="module")
def site(shared_server, make_account):
    """The shared server with every account in ACCOUNTS and what their pages show; returns
    ids for PAGES' paths."""
    app = shared_server.app
    ids, users = {}, {}
    for who, account in ACCOUNTS.items():
        role = account.get("role", "patient")
        users[who], entry_ids = make_account(app, account["email"], role=role,
                                             first_name=account["name"],
                                             notes=account.get("notes", ()))
        if entry_ids and "entry" not in ids:
            ids["entry"] = entry_ids[0]
    db = connect(app.config["JOURNAL_DB"])
    try:
        for who, account in ACCOUNTS.items():
            if account.get("role", "patient") == "patient":
                consent.agree(db, users[who], account.get("agreed"))
        team = teams.create_team(db, "Breast Care Team")
        for who in ("nurse", "nurse-code", "nurse-setup"):
            teams.put_nurse_in_team(db, users[who], team)
        db.execute("UPDATE users SET totp_secret = ?, totp_confirmed_at = ? WHERE id = ?",
                   [totp.new_secret(), utc_iso(utc_now()), users["nurse-code"]])
        nurse = accounts.user_by_id(db, users["nurse"])
        ids.update(seed_patient(db, app, users["patient"], team, nurse))
        ids["off_token"] = off_links.off_token(app.secret_key, users["patient"], "daily")
        JOIN_CODE["code"] = teams.create_code(
            db, team, users["nurse"], {"name": "Olu Ade", "dob": JOIN_CODE["dob"],
                                       "hospital_number": ""}, app.secret_key)
    finally:
        db.close()
    return ids


def owe_second_factor(server, email, stage):
    """Put the newest session of this account back before its second factor."""
    db = connect(server.app.config["JOURNAL_DB"])
    try:
        db.execute("UPDATE sessions SET stage = ? WHERE id = (SELECT max(id) FROM sessions"
                   " WHERE user_id = (SELECT id FROM users WHERE email = ?))", [stage, email])
    finally:
        db.close()


@pytest.fixture(scope="module")
def visit(make_context, shared_server, site, sign_in_cookie):
    """visit(page, theme, size): open a page in a signed-in (or anonymous) context of its
    device kept for the module, checking its status, that it was not sent elsewhere, and
    that the console stays clean. The theme is the page's colour scheme. A page just opened
    in one theme is shown in the other by switching the scheme in place, as a phone does
    when it goes dark, without opening it again: its styles are all the theme changes."""
    pages = {}
    shown = {"spec": None}  # the page last opened, while it stands as opened

    def open_page(spec, theme="light", size=None):
        key = (spec.who, spec.device)
        if key not in pages:
            context = make_context(spec.device)
            if spec.who:
                account = ACCOUNTS[spec.who]
                sign_in_cookie(context, shared_server, account["email"])
                if account.get("stage"):
                    owe_second_factor(shared_server, account["email"], account["stage"])
            page = context.new_page()
            page.errors = []
            page.on("console", lambda m, p=page: m.type == "error" and p.errors.append(m.text))
            pages[key] = page
        page = pages[key]
        page.emulate_media(color_scheme=theme)
        if shown["spec"] is spec and size is None:
            page.errors.clear()
            return page
        shown["spec"] = None
        page.set_viewport_size(SIZES[size or spec.device])
        page.errors.clear()
        url = shared_server.url + spec.path.format(**site)
        response = page.goto(url)
        assert response.status == spec.status
        assert page.url == url, "the page sent the browser somewhere else"
        if spec.then:
            spec.then(page)
        shown["spec"] = spec
        return page

    def forget():
        """The page has been changed (resized, restyled): open it again next time."""
        shown["spec"] = None

    open_page.forget = forget
    yield open_page
    for page in pages.values():
        page.context.close()


def with_marks(pages, check):
    """Each page as a test case; a page with a reported app bug in this check is a strict
    xfail, so the case fails loudly once the bug is fixed."""
    return [pytest.param(spec, id=spec.name,
                         marks=[pytest.mark.xfail(strict=True, raises=AssertionError,
                                                  reason=spec.xfail[check])]
                         if check in spec.xfail else [])
            for spec in pages]


# Each page's checks run one after another (tests/browser/conftest.py, page_by_page): axe in
# light opens the page, axe in dark switches its colours in place, and the fits check then
# measures it as opened, instead of every check opening every page again.
CHECKS_IN_TURN = ("test_axe_finds_no_violations",
                  "test_fits_a_phone_targets_320px_and_200_percent_text")


# Every rule in light. The page is the same in dark but for its colours, so dark runs the
# rules that read colours, which keeps the suite quick without leaving the dark theme out.
AXE_OPTIONS = {
    "light": {"resultTypes": ["violations"]},
    "dark": {"resultTypes": ["violations"],
             "runOnly": {"type": "rule", "values": ["color-contrast", "link-in-text-block"]}},
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("spec", with_marks(PAGES, "axe"))
def test_axe_finds_no_violations(visit, spec, theme, shoot):
    page = visit(spec, theme)
    shoot(page, theme)
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert dark == (theme == "dark")
    results = run_axe(page, AXE_OPTIONS[theme])
    assert results.violations_count == 0, results.generate_report()
    # A 422 with the form is how invalid input is answered; the browser logs it anyway.
    assert [e for e in page.errors if "status of 422" not in e and "status of 404" not in e] == []


# Every link, button, summary and field, and each label that stands in for a hidden radio
# or checkbox; inputs hidden behind their label are measured through the label.
MEASURE_TARGETS = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const controls = [...document.querySelectorAll(
    'a[href], button, summary, select, textarea, input:not([type=hidden])')];
  document.querySelectorAll('label[for]').forEach((label) => {
    const input = document.getElementById(label.htmlFor);
    if (input && input.getBoundingClientRect().width <= 1) controls.push(label);
  });
  const small = [];
  for (const el of controls) {
    const box = el.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) continue;
    if (getComputedStyle(el).visibility === 'hidden' || el.closest('.visually-hidden')) continue;
    if (box.width < 43.5 || box.height < 43.5) {
      small.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 40)}" ` +
                 `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return {count: controls.length, small};
}"""


def overflow(page):
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def h1_font_size(page):
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('h1')).fontSize)")


@pytest.mark.parametrize("spec", with_marks(PAGES, "fits"))
def test_fits_a_phone_targets_320px_and_200_percent_text(visit, spec, shoot):
    page = visit(spec)
    visit.forget()  # this test resizes the page and its text
    width = SIZES[spec.device]["width"]
    # 44px targets at the page's own size; the skip link only shows when focused, so
    # measure it then.
    page.keyboard.press("Tab")
    measured = page.evaluate(MEASURE_TARGETS)
    assert measured["count"] > 3
    assert measured["small"] == []

    # No sideways scroll at 320px.
    page.set_viewport_size(SIZES["narrow"])
    assert page.evaluate("innerWidth") == 320
    assert overflow(page) <= 0

    # Text at 200%, as a phone's text-size setting does it: the root size grows and
    # everything in rem with it. Still no sideways scroll, the heading still on screen.
    page.set_viewport_size(SIZES[spec.device])
    before = h1_font_size(page)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    assert h1_font_size(page) == pytest.approx(before * 2)
    assert overflow(page) <= 0
    heading = page.locator("h1").bounding_box()
    assert heading["x"] >= 0 and heading["x"] + heading["width"] <= width
    if spec.name in ("home", "timeline", "trends", "summary", "inbox"):
        page.evaluate("document.activeElement.blur()")
        shoot(page, "200-percent", full_page=False)


def transition_of_saving_hint(context, server, sign_in_cookie, email):
    """How long "Saving..." takes to fade in while a save is on its way."""
    sign_in_cookie(context, server, email)
    page = context.new_page()
    page.goto(server.url + "/home")
    page.locator("#checkin").evaluate("form => form.classList.add('htmx-request')")
    return page.locator("#checkin .htmx-indicator").evaluate(
        "el => getComputedStyle(el).transitionDuration"
    )


def test_reduced_motion_turns_off_transitions(make_context, shared_server, site, sign_in_cookie):
    email = ACCOUNTS["patient"]["email"]
    moving = make_context("phone")
    still = make_context("phone", reduced_motion="reduce")
    try:
        assert transition_of_saving_hint(moving, shared_server, sign_in_cookie, email) == "0.2s"
        assert transition_of_saving_hint(still, shared_server, sign_in_cookie, email) == "0s"
    finally:
        moving.close()
        still.close()


FOCUS_SHOWN = """() => {
  const el = document.activeElement;
  // A hidden radio or checkbox shows its focus on its label.
  const shown = el.matches('input[type=radio], input[type=checkbox]') ? el.labels[0] : el;
  const style = getComputedStyle(shown);
  return {id: el.id || el.tagName, name: el.name || '', text: el.textContent.trim(),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth)};
}"""


def tab_to(page, match, limit=40):
    """Press Tab until `match(focus)` is true, checking every stop shows its focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_SHOWN)
        assert focus["outline"] != "none" and focus["width"] >= 2, focus
        if match(focus):
            return focus
    raise AssertionError("focus never reached the control")


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_whole_check_in_by_keyboard_with_visible_focus(
    make_context, shared_server, make_account, sign_in_cookie, shoot, size
):
    email = f"keys-{size}@example.com"
    user_id, _ = make_account(shared_server.app, email, first_name="Kim")
    db = connect(shared_server.app.config["JOURNAL_DB"])
    try:
        consent.agree(db, user_id)  # as sign-up does, so /home is not the notice step
    finally:
        db.close()
    context = make_context(size)
    sign_in_cookie(context, shared_server, email)
    page = context.new_page()
    try:
        page.goto(shared_server.url + "/home")
        tab_to(page, lambda f: f["name"] == "distress")
        for _ in range(6):
            page.keyboard.press("ArrowRight")
        expect(page.locator("#d6")).to_be_checked()
        tab_to(page, lambda f: f["id"] == "SUMMARY")
        page.keyboard.press("Enter")
        tab_to(page, lambda f: f["id"] == "f-worried")
        page.keyboard.press("Space")
        expect(page.locator("#f-worried")).to_be_checked()
        tab_to(page, lambda f: f["id"] == "note")
        page.keyboard.type("Typed without a mouse.")
        focus = tab_to(page, lambda f: f["text"] == "Save check-in")
        shoot(page, "focus-on-save", full_page=False)
        assert focus["outline"] == "solid"
        page.keyboard.press("Enter")
        expect(page.locator(".saved")).to_contain_text("Saved at")
        expect(page.locator("#announce")).to_contain_text("Saved at")
        expect(page.locator("#latest .entry").first).to_contain_text("Typed without a mouse.")
        expect(page.locator("#latest .entry").first).to_contain_text("Distress 6 out of 10")
    finally:
        context.close()
