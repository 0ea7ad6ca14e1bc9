"""Every route, asked by every kind of person, with the answer each must get.

The world: a patient connected to team A, with a shared entry, a deleted entry, a shared
and a private question, a scan three days ago and an appointment summary shared with the
team; another patient with their own entry and no team; a nurse of team A; a nurse of
team B; an admin; anonymous visitors; and a link holder: someone with no account whom the
patient chose, who typed the short code she read out (so their session holds her link), and
who may see her scan and one check-in she marked for them, never what she shares with her
team. Identifiers in the URLs are always the patient's,
so "another patient" and "nurse of another team" prove they cannot reach them (404), and
nothing of the patient's changes when someone is refused. A second, smaller table asks the
same of two people who owe a step first (a new privacy notice, a temporary password).
"""

import io
import re
import shutil
import zipfile
from datetime import time, timedelta
from pathlib import Path

import pytest

from journal import create_app
from journal.accounts import consent, email_links, recovery, sessions, staff
from journal.accounts import users as accounts
from journal.care import teams
from journal.people import records as people
from journal.platform.clock import uk_local_to_utc, uk_today, utc_iso, utc_now
from journal.platform.db import connect, forget_connections, immediate
from journal.reminders import links as off_links
from journal.reminders import records as reminders
from journal.scans import records as scans
from journal.trends import summaries

ROLES = ("anonymous", "patient", "other_patient", "team_nurse", "other_nurse", "admin",
         "link_holder")
SECRET = "a sentence only my team may read"
HELD_NAME = "Sam Taylor"
# Words only the patient may ever see: their scan letter and a question they did not share.
PRIVATE = "bring the blue folder"
PRIVATE_QUESTION = "A question just for me"
PASSWORD = "correct horse battery"
# A check-in the patient marked for the person she chose, and only for them.
PERSON_NOTE = "a note marked for my sister"
# What the patient owns: a refused request must leave every row of these as it was.
PATIENT_TABLES = ("users", "entries", "questions", "scans", "summaries", "summary_notes",
                  "care_links", "join_codes", "recovery_codes", "privacy_agreements", "teams",
                  "people", "person_links", "person_entries", "reminder_choices",
                  "reminder_sends", "push_subscriptions", "passkeys", "email_links")


def row(method, path, statuses, data=None, holder=None):
    """One route: the expected status for each role, in ROLES order; the link holder gets
    what an anonymous visitor gets unless `holder` says otherwise."""
    statuses = (*statuses, statuses[0] if holder is None else holder)
    return pytest.param(method, path, dict(zip(ROLES, statuses, strict=True)), data or {},
                        id=f"{method} {path}")


ENTRY_FORM = {"distress": "4", "note": "a new note"}
CODE_FORM = {"code": "{code}", "dob": "1980-02-03"}
DETAILS = {"name": "New Person", "dob": "1990-05-06", "hospital_number": ""}
SCAN_FORM = {"kind": "ct-scan"}
NEW_PASSWORD = {"current_password": PASSWORD, "new_password": "a different long password"}
INVITE = {"first_name": "Jo", "relation": "friend", "shared_by": "Pat", "show_trend": "1"}
REMINDERS = {"daily": "1", "daily_at": "19:00", "by_calendar": "1", "quiet_from": "21:00",
             "quiet_until": "08:00"}
RECOVER = {"email": "pat@example.com", "code": "{recovery}",
           "new_password": "a different long password"}

#   anonymous, patient, other patient, nurse of the team, nurse of another team, admin
MATRIX = [
    row("GET", "/", (200, 302, 302, 302, 302, 302)),
    row("GET", "/healthz", (200, 200, 200, 200, 200, 200)),
    row("GET", "/sign-in", (200, 302, 302, 302, 302, 302)),
    row("POST", "/sign-in", (422, 302, 302, 302, 302, 302),
        {"email": "pat@example.com", "password": "wrong password"}),
    row("GET", "/sign-up", (200, 302, 302, 302, 302, 302)),
    row("POST", "/sign-up", (303, 302, 302, 302, 302, 302),
        {"email": "new@example.com", "password": "a long new password", "agree": "yes"}),
    row("POST", "/sign-out", (303, 303, 303, 303, 303, 303)),
    # The idle warning: anyone signed in may ask how long is left or stay signed in; the
    # warning page sends a fresh session straight back.
    row("POST", "/session/stay", (302, 303, 303, 303, 303, 303)),
    row("GET", "/session/left", (302, 200, 200, 200, 200, 200)),
    row("GET", "/session/warning", (302, 302, 302, 302, 302, 302)),
    row("GET", "/home", (302, 200, 200, 403, 403, 403)),
    row("POST", "/check-in", (302, 303, 303, 403, 403, 403), ENTRY_FORM),
    row("GET", "/timeline", (302, 200, 200, 403, 403, 403)),
    row("GET", "/timeline/search", (302, 200, 200, 403, 403, 403)),
    row("POST", "/timeline/search", (302, 200, 200, 403, 403, 403), {"q": "sentence"}),
    row("GET", "/entries/{entry}", (302, 200, 404, 403, 403, 403)),
    row("POST", "/entries/{entry}", (302, 303, 404, 403, 403, 403), ENTRY_FORM),
    row("GET", "/entries/{entry}/edit", (302, 200, 404, 403, 403, 403)),
    row("GET", "/entries/{entry}/delete", (302, 200, 404, 403, 403, 403)),
    row("POST", "/entries/{entry}/delete", (302, 303, 404, 403, 403, 403)),
    row("POST", "/entries/{deleted}/restore", (302, 303, 404, 403, 403, 403)),
    row("POST", "/entries/{entry}/share", (302, 303, 404, 403, 403, 403), {"shared": "0"}),
    row("POST", "/questions/{question}/share", (302, 303, 404, 403, 403, 403),
        {"shared": "0"}),
    row("GET", "/care-team", (302, 200, 200, 403, 403, 403)),
    # The patient is connected already; the other patient may use a code meant for them.
    row("POST", "/care-team/connect", (302, 303, 200, 403, 403, 403), CODE_FORM),
    row("POST", "/care-team/agree", (302, 303, 303, 403, 403, 403), CODE_FORM),
    row("GET", "/care-team/disconnect", (302, 200, 303, 403, 403, 403)),
    row("POST", "/care-team/disconnect", (302, 303, 303, 403, 403, 403)),
    row("POST", "/care-team/default", (302, 303, 303, 403, 403, 403), {"shared": "1"}),
    row("GET", "/care-team/seen", (302, 200, 200, 403, 403, 403)),
    row("GET", "/care", (302, 403, 403, 200, 200, 403)),
    row("GET", "/care/poll", (302, 403, 403, 200, 200, 403)),
    row("GET", "/care/codes", (302, 403, 403, 200, 200, 403)),
    row("POST", "/care/codes", (302, 403, 403, 200, 200, 403), DETAILS),
    row("GET", "/care/patients", (302, 403, 403, 200, 200, 403)),
    row("POST", "/care/patients", (302, 403, 403, 200, 200, 403), {"q": "Sam"}),
    row("GET", "/care/patients/{link}", (302, 403, 403, 200, 404, 403)),
    row("GET", "/care/patients/{link}/summary", (302, 403, 403, 200, 404, 403)),
    row("GET", "/care/patients/{link}/discharge", (302, 403, 403, 200, 404, 403)),
    row("POST", "/care/patients/{link}/discharge", (302, 403, 403, 303, 404, 403)),
    row("POST", "/care/entries/{entry}/review", (302, 403, 403, 303, 404, 403)),
    row("GET", "/admin", (302, 403, 403, 403, 403, 200)),
    row("POST", "/admin/teams/{team}/hours", (302, 403, 403, 403, 403, 303),
        {"hours": "Weekdays, 9am to 5pm"}),
    # Data rights: each patient reaches only their own data; a wrong password deletes nothing.
    row("GET", "/account/data", (302, 200, 200, 403, 403, 403)),
    row("POST", "/account/data/download", (302, 200, 200, 403, 403, 403)),
    row("GET", "/account/delete", (302, 200, 200, 403, 403, 403)),
    row("POST", "/account/delete", (302, 422, 422, 403, 403, 403),
        {"password": "not the password"}),
    row("GET", "/account/deleted", (200, 200, 200, 200, 200, 200)),
    # The link itself is the key, whoever holds it.
    row("GET", "/set-password/{token}", (200, 200, 200, 200, 200, 200)),
    row("POST", "/set-password/{token}", (303, 303, 303, 303, 303, 303),
        {"password": "a brand new password"}),
    # The check-in form on its own (the installed app's shortcut).
    row("GET", "/check-in", (302, 200, 200, 403, 403, 403)),
    # My scan and its questions: the patient's own, 404 for anyone else's.
    row("GET", "/scans", (302, 200, 200, 403, 403, 403)),
    row("POST", "/scans", (302, 303, 303, 403, 403, 403), SCAN_FORM),
    row("GET", "/scans/new", (302, 200, 200, 403, 403, 403)),
    row("GET", "/scans/{scan}/edit", (302, 200, 404, 403, 403, 403)),
    row("POST", "/scans/{scan}", (302, 303, 404, 403, 403, 403), SCAN_FORM),
    row("POST", "/scans/{scan}/results", (302, 303, 404, 403, 403, 403),
        {"results_received_on": "{yesterday}"}),
    row("GET", "/scans/{scan}/delete", (302, 200, 404, 403, 403, 403)),
    row("POST", "/scans/{scan}/delete", (302, 303, 404, 403, 403, 403)),
    row("GET", "/scans/{scan}/appointment.ics", (302, 200, 404, 403, 403, 403)),
    row("GET", "/scans/{scan}/chase-day.ics", (302, 200, 404, 403, 403, 403)),
    row("GET", "/questions", (302, 200, 200, 403, 403, 403)),
    row("POST", "/questions", (302, 303, 303, 403, 403, 403),
        {"text": "Who will tell me the results?"}),
    row("POST", "/questions/{question}/done", (302, 303, 404, 403, 403, 403), {"done": "1"}),
    row("POST", "/questions/{question}/delete", (302, 303, 404, 403, 403, 403)),
    # Undo finds only a deleted question: the world's question is on the list, so 404 to all.
    row("POST", "/questions/{question}/restore", (302, 404, 404, 403, 403, 403)),
    # Help and the installable app's files are for everyone.
    row("GET", "/help", (200, 200, 200, 200, 200, 200)),
    row("GET", "/help/line-status", (200, 200, 200, 200, 200, 200)),
    row("GET", "/about-information", (200, 200, 200, 200, 200, 200)),
    row("GET", "/manifest.webmanifest", (200, 200, 200, 200, 200, 200)),
    row("GET", "/sw.js", (200, 200, 200, 200, 200, 200)),
    row("GET", "/offline", (200, 200, 200, 200, 200, 200)),
    # Trends, "this helped" and the appointment summary.
    row("GET", "/trends", (302, 200, 200, 403, 403, 403)),
    row("POST", "/entries/{entry}/helped", (302, 303, 404, 403, 403, 403), {"helped": "1"}),
    row("GET", "/summary", (302, 200, 200, 403, 403, 403)),
    # Another patient may post the patient's entry id: only their own notes are kept.
    row("POST", "/summary/notes", (302, 303, 303, 403, 403, 403), {"notes": "{entry}"}),
    row("POST", "/summary/share", (302, 303, 303, 403, 403, 403), {"shared": "1"}),
    # Sign-in steps: only before signing in; someone signed in is sent on.
    row("GET", "/sign-in/code", (303, 302, 302, 302, 302, 302)),
    row("POST", "/sign-in/code", (303, 302, 302, 302, 302, 302), {"code": "123456"}),
    # The recovery code is the key, as the set-password link is.
    row("GET", "/forgotten-password", (200, 302, 302, 302, 302, 302)),
    row("POST", "/forgotten-password", (303, 302, 302, 302, 302, 302), RECOVER),
    # Account settings: everyone signed in has their own; recovery codes are for patients.
    row("GET", "/account", (302, 200, 200, 200, 200, 200)),
    row("GET", "/account/password", (302, 200, 200, 200, 200, 200)),
    row("POST", "/account/password", (302, 303, 303, 303, 303, 303), NEW_PASSWORD),
    row("POST", "/account/sign-out-everywhere", (302, 303, 303, 303, 303, 303)),
    # Passkeys: the ceremonies answer JSON; a plain form post (no script) made no passkey.
    row("POST", "/account/passkeys/options", (302, 200, 200, 200, 200, 200)),
    row("POST", "/account/passkeys", (302, 303, 303, 303, 303, 303), {"name": "Phone"}),
    row("POST", "/account/passkeys/{passkey}/remove", (302, 303, 404, 404, 404, 404)),
    row("POST", "/sign-in/passkey/options", (200, 200, 200, 200, 200, 200)),
    row("POST", "/sign-in/passkey", (422, 200, 200, 200, 200, 200)),
    # Lock this phone: the setting is a patient's; the lock's own routes send anyone whose
    # device is not locked on (to sign in, or their own start page).
    row("POST", "/account/lock", (302, 303, 303, 403, 403, 403), {"lock_after": "5"}),
    row("GET", "/locked", (303, 303, 303, 303, 303, 303)),
    row("POST", "/unlock", (303, 303, 303, 303, 303, 303), {"password": PASSWORD}),
    row("POST", "/unlock/passkey/options", (409, 409, 409, 409, 409, 409)),
    row("POST", "/unlock/passkey", (409, 409, 409, 409, 409, 409)),
    row("GET", "/unlock/held", (302, 303, 303, 303, 303, 303)),
    row("POST", "/unlock/held", (302, 303, 303, 303, 303, 303), {"send": "yes"}),
    row("GET", "/account/recovery-codes", (302, 200, 200, 403, 403, 403)),
    row("POST", "/account/recovery-codes", (302, 303, 303, 403, 403, 403),
        {"password": PASSWORD}),
    # Keeping new codes: the codes live in the person's own session, so nobody has any here.
    row("GET", "/account/recovery-codes/keep", (302, 200, 200, 403, 403, 403)),
    row("POST", "/account/recovery-codes/keep", (302, 303, 303, 403, 403, 403),
        {"kept": "yes"}),
    row("GET", "/account/recovery-codes/keep/download", (302, 404, 404, 403, 403, 403)),
    # The phone's More page: for anyone signed in.
    row("GET", "/more", (302, 200, 200, 200, 200, 200)),
    # The privacy notice is public; agreeing to it is for patients.
    row("GET", "/privacy", (200, 200, 200, 200, 200, 200)),
    row("GET", "/privacy/agree", (302, 200, 200, 403, 403, 403)),
    row("POST", "/privacy/agree", (302, 303, 303, 403, 403, 403), {"agree": "yes"}),
    # People I share with: the patient's own; another patient's person is 404.
    row("GET", "/people", (302, 200, 200, 403, 403, 403)),
    row("POST", "/people", (302, 303, 303, 403, 403, 403), INVITE),
    row("GET", "/people/{person}", (302, 200, 404, 403, 403, 403)),
    row("POST", "/people/{person}", (302, 303, 404, 403, 403, 403), {"show_scan": "1"}),
    row("POST", "/people/{person}/links", (302, 303, 404, 403, 403, 403)),
    row("POST", "/people/{person}/links/{person_link}/end", (302, 303, 404, 403, 403, 403)),
    row("POST", "/people/{person}/entries/{entry}", (302, 303, 404, 403, 403, 403),
        {"shared": "1"}),
    # The person's link is the key, whoever holds it; the code opens it for that session.
    row("GET", "/shared/{person_token}", (200, 200, 200, 200, 200, 200), holder=200),
    row("GET", "/shared/not-a-real-token", (404, 404, 404, 404, 404, 404)),
    row("GET", "/shared", (200, 200, 200, 200, 200, 200)),
    row("POST", "/shared", (303, 303, 303, 303, 303, 303), {"code": "{person_code}"}),
    row("GET", "/shared/page", (303, 303, 303, 303, 303, 303), holder=200),
    # The calming minute is for everyone.
    row("GET", "/calm", (200, 200, 200, 200, 200, 200)),
    # Reminders: each patient's own choices; the calendar feed's link is its own key.
    row("GET", "/account/reminders", (302, 200, 200, 403, 403, 403)),
    row("POST", "/account/reminders", (302, 303, 303, 403, 403, 403), REMINDERS),
    row("POST", "/account/reminders/calendar", (302, 303, 303, 403, 403, 403)),
    # A form post holds no push subscription, so a patient is told it cannot be used.
    row("POST", "/account/reminders/device", (302, 422, 422, 403, 403, 403)),
    row("POST", "/account/reminders/device/remove", (302, 303, 303, 403, 403, 403)),
    row("GET", "/reminders/calendar/{feed_token}.ics", (200, 200, 200, 200, 200, 200),
        holder=200),
    row("GET", "/reminders/calendar/not-a-real-token.ics", (404, 404, 404, 404, 404, 404)),
    # A reminder's turn-off link is signed: it works for whoever taps it, in any session.
    row("GET", "/reminders/off/{off_token}", (200, 200, 200, 200, 200, 200), holder=200),
    row("POST", "/reminders/off/{off_token}", (200, 200, 200, 200, 200, 200), holder=200),
    row("GET", "/reminders/off/not-a-real-token", (404, 404, 404, 404, 404, 404)),
    row("POST", "/reminders/off/not-a-real-token", (404, 404, 404, 404, 404, 404)),
    # "Email me a link" is not there without a mail server (EMAIL_MATRIX has it with one).
    row("GET", "/forgotten-password/email", (404, 404, 404, 404, 404, 404)),
    row("POST", "/forgotten-password/email", (404, 404, 404, 404, 404, 404),
        {"email": "pat@example.com"}),
    # An emailed link is the key, whoever holds it, as the set-password link is.
    row("GET", "/reset-password/{reset_token}", (200, 200, 200, 200, 200, 200)),
    row("POST", "/reset-password/{reset_token}", (303, 303, 303, 303, 303, 303),
        {"new_password": "a brand new password"}),
    row("GET", "/reset-password/not-a-real-token", (404, 404, 404, 404, 404, 404)),
    row("GET", "/sign-up/confirm/{sign_up_token}", (200, 200, 200, 200, 200, 200)),
    row("POST", "/sign-up/confirm/{sign_up_token}", (303, 303, 303, 303, 303, 303),
        {"password": "a brand new password", "agree": "yes"}),
    row("POST", "/sign-up/confirm/not-a-real-token", (404, 404, 404, 404, 404, 404),
        {"password": "a brand new password", "agree": "yes"}),
]

# Where a mail server is set: asking for a link and signing up are for anonymous visitors;
# someone signed in is sent on.
EMAIL_MATRIX = [
    row("GET", "/forgotten-password/email", (200, 302, 302, 302, 302, 302)),
    row("POST", "/forgotten-password/email", (200, 302, 302, 302, 302, 302),
        {"email": "pat@example.com"}),
    row("POST", "/sign-up", (200, 302, 302, 302, 302, 302), {"email": "pat@example.com"}),
    row("GET", "/reset-password/{reset_token}", (200, 200, 200, 200, 200, 200)),
]


# People who owe a step before anything else: a patient asked to agree to a changed privacy
# notice, and a nurse given a temporary password. Private pages send them to their step;
# what anyone may read, and the installable app's files, must still answer.
OWING = ("patient_owing_privacy", "nurse_owing_password")
STEP = {"patient_owing_privacy": "/privacy/agree", "nurse_owing_password": "/account/password"}


def owed(method, path, statuses, data=None, bug=None):
    """One route for the people in OWING, in that order."""
    return pytest.param(method, path, dict(zip(OWING, statuses, strict=True)), data or {},
                        id=f"{method} {path}", marks=[bug] if bug else [])


OWED_STEP = [
    owed("GET", "/home", (303, 303)),
    owed("GET", "/care", (303, 303)),
    # What a patient wrote is saved; the next page asks them.
    owed("POST", "/check-in", (303, 303), ENTRY_FORM),
    owed("GET", "/privacy/agree", (200, 403)),
    owed("GET", "/account/password", (200, 200)),
    owed("POST", "/sign-out", (303, 303)),
    owed("GET", "/privacy", (200, 200)),
    owed("GET", "/healthz", (200, 200)),
    owed("GET", "/help", (200, 200)),
    owed("GET", "/help/line-status", (200, 200)),
    owed("GET", "/about-information", (200, 200)),
    owed("GET", "/manifest.webmanifest", (200, 200)),
    owed("GET", "/sw.js", (200, 200)),
    owed("GET", "/offline", (200, 200)),
]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """Build the world once, with one app; each test starts from a fresh copy of it."""
    folder = tmp_path_factory.mktemp("matrix")
    path = folder / "world.db"
    live = folder / "journal.db"
    app = create_app({"MODE": "test", "JOURNAL_DB": str(live)})
    create_app({"MODE": "test", "JOURNAL_DB": str(path), "SECRET_KEY": app.secret_key})
    hasher = app.extensions["passwords"]
    db = connect(str(path))
    try:
        users = {}
        for role, email, kind in [
            ("patient", "pat@example.com", "patient"),
            ("other_patient", "other@example.com", "patient"),
            ("team_nurse", "priya@example.com", "nurse"),
            ("other_nurse", "tom@example.com", "nurse"),
            ("admin", "admin@example.com", "admin"),
        ]:
            users[role] = accounts.create_user(db, email, hasher.hash(PASSWORD), role=kind)
            if kind == "patient":
                consent.agree(db, users[role])
        users["patient_owing_privacy"] = accounts.create_user(
            db, "sam@example.com", hasher.hash(PASSWORD))
        consent.agree(db, users["patient_owing_privacy"], "2025-01")
        users["nurse_owing_password"] = accounts.create_user(
            db, "temp.nurse@example.com", hasher.hash(PASSWORD), role="nurse")
        db.execute("UPDATE users SET password_expires_at = ? WHERE id = ?",
                   [utc_iso(utc_now() + timedelta(days=1)), users["nurse_owing_password"]])
        team_a = teams.create_team(db, "Breast Care Team")
        team_b = teams.create_team(db, "Oncology Day Unit")
        teams.put_nurse_in_team(db, users["team_nurse"], team_a)
        teams.put_nurse_in_team(db, users["other_nurse"], team_b)
        now = utc_iso(utc_now())
        link = db.execute(
            "INSERT INTO care_links (team_id, patient_id, held_name, held_dob, connected_at)"
            " VALUES (?, ?, ?, '1971-04-12', ?)",
            [team_a, users["patient"], HELD_NAME, now],
        ).lastrowid

        def entry(patient, note, shared=0, deleted_at=None):
            return db.execute(
                "INSERT INTO entries (patient_id, created_at, distress, note, shared, deleted_at)"
                " VALUES (?, ?, 8, ?, ?, ?)",
                [users[patient], now, note, shared, deleted_at],
            ).lastrowid

        ids = {
            "entry": entry("patient", SECRET, shared=1),
            "deleted": entry("patient", "deleted a moment ago", deleted_at=now),
            "question": db.execute(
                "INSERT INTO questions (patient_id, text, shared, created_at)"
                " VALUES (?, 'My shared question', 1, ?)",
                [users["patient"], now],
            ).lastrowid,
            "link": link,
            "team": team_a,
        }
        entry("other_patient", "the other patient's own words")
        db.execute(
            "INSERT INTO questions (patient_id, text, created_at) VALUES (?, ?, ?)",
            [users["patient"], PRIVATE_QUESTION, now],
        )
        # A liver ultrasound three days ago, results told in 10 days: both calendar files.
        today = uk_today(utc_now())
        ids["yesterday"] = (today - timedelta(days=1)).isoformat()
        ids["scan"] = scans.create(db, users["patient"], {
            "kind": "liver-ultrasound",
            "appointment_at": utc_iso(uk_local_to_utc(today - timedelta(days=3), time(10))),
            "hospital": "City Hospital",
            "letter_notes": PRIVATE,
            "results_expected_days": 10,
        })
        # The summary for that scan holds the shared entry's note and is shared too.
        summaries.pick_notes(db, users["patient"], ids["scan"], [ids["entry"]])
        summaries.set_shared(db, users["patient"], ids["scan"], True)
        ids["recovery"] = recovery.replace_codes(db, users["patient"], app.secret_key)[0]
        ids["code"] = teams.create_code(
            db, team_a, users["team_nurse"],
            {"name": "Olu Ade", "dob": "1980-02-03", "hospital_number": ""}, app.secret_key,
        )
        # Her sister sees her scan and the check-ins marked for her: one, not the team's.
        patient = accounts.user_by_id(db, users["patient"])
        ids["person"], made = people.add_person(
            db, patient, {"first_name": "Ruth", "relation": "sister", "shared_by": "Pat",
                          "show_scan": True, "show_trend": False, "show_checkins": True,
                          "show_questions": False}, app.secret_key)
        ids.update(person_link=made.id, person_token=made.token, person_code=made.code)
        db.execute("INSERT INTO person_entries (person_id, entry_id, patient_id)"
                   " VALUES (?, ?, ?)", [ids["person"], entry("patient", PERSON_NOTE),
                                         users["patient"]])
        # She gets a daily check-in and her scan's dates in her calendar.
        ids["feed_token"] = reminders.save(db, users["patient"], {
            "daily": True, "daily_at": "19:00", "scan_nudges": True, "by_email": False,
            "by_calendar": True, "quiet_from": "21:00", "quiet_until": "08:00"})
        ids["off_token"] = off_links.off_token(app.secret_key, users["patient"], "daily")
        ids["passkey"] = db.execute(
            "INSERT INTO passkeys (user_id, credential_id, public_key, name, added_at)"
            " VALUES (?, ?, ?, 'Her phone', ?)", [users["patient"], b"id", b"key", now],
        ).lastrowid
        with immediate(db):
            ids["reset_token"] = email_links.issue(
                db, email_links.RESET, utc_now(), timedelta(minutes=30), user_id=users["patient"])
            ids["sign_up_token"] = email_links.issue(
                db, email_links.SIGN_UP, utc_now(), timedelta(hours=24),
                email="newcomer@example.com")
        pending = staff.create_staff(db, "new.nurse@example.com", "nurse")
        ids["token"] = staff.issue_token(db, pending)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        db.close()
    return app, path, users, ids


def client_as(world, role):
    """A client of the world's app, on a fresh copy of its database, signed in as the role."""
    app, path, users, _ = world
    live = Path(app.config["JOURNAL_DB"])
    forget_connections()  # the app's idle connections knew the file this copy replaces
    for leftover in (live.with_name(live.name + "-wal"), live.with_name(live.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(path, live)
    client = app.test_client()
    if role not in ("anonymous", "link_holder"):
        db = connect(str(live))
        try:
            token = sessions.start(db, users[role])
        finally:
            db.close()
        with client.session_transaction() as session:
            session["token"] = token
    # Someone who owes a step is sent to it, and that page carries the token too.
    page = client.get("/no-such-page", follow_redirects=True).get_data(as_text=True)
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]
    if role == "link_holder":
        typed = client.post("/shared", data={"code": world[3]["person_code"]},
                            headers={"X-CSRFToken": csrf})
        assert typed.headers["Location"] == "/shared/page"
    return client, csrf


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, expected, data", MATRIX)
def test_access(world, role, method, path, expected, data):
    ids = world[3]
    client, csrf = client_as(world, role)
    url = path.format(**ids)
    form = {key: value.format(**ids) for key, value in data.items()}
    if method == "POST":
        response = client.post(url, data=form, headers={"X-CSRFToken": csrf})
    else:
        response = client.get(url)
    body = readable(response)
    assert response.status_code == expected[role], body[:500]
    if role != "patient":
        assert PRIVATE not in body and PRIVATE_QUESTION not in body
    if role not in ("patient", "team_nurse"):
        assert SECRET not in body and HELD_NAME not in body
        assert "My shared question" not in body
    # Only the patient, and whoever holds her sister's link or code, reads the marked note.
    holds_link = url.startswith("/shared/") or (role == "link_holder" and url == "/shared/page")
    if role != "patient" and not holds_link:
        assert PERSON_NOTE not in body
    if holds_link and response.status_code == 200:
        assert PERSON_NOTE in body and "Shared by Pat" in body
    anonymous = role in ("anonymous", "link_holder")
    if anonymous and response.status_code == 302:
        assert response.headers["Location"].startswith("/sign-in")
    refused = response.status_code in (403, 404) or (
        anonymous and response.status_code == 302)
    if refused:
        assert stored(live_db(world)) == stored(world[1]), "a refused request changed data"


@pytest.fixture(scope="module")
def mail_world(world, smtp_module):
    """The same world, served by an app that sends mail to a loopback server."""
    app, path, users, ids = world
    mail_app = create_app({"MODE": "test", "JOURNAL_DB": app.config["JOURNAL_DB"],
                           "SECRET_KEY": app.secret_key, "MAIL_SERVER": "127.0.0.1",
                           "MAIL_PORT": smtp_module.port})
    return mail_app, path, users, ids


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, expected, data", EMAIL_MATRIX)
def test_access_with_mail(mail_world, role, method, path, expected, data):
    test_access(mail_world, role, method, path, expected, data)


def readable(response):
    """The answer as text; a download's zip is opened, so its contents are checked too."""
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return response.get_data(as_text=True)


@pytest.mark.parametrize("who", OWING)
@pytest.mark.parametrize("method, path, expected, data", OWED_STEP)
def test_owed_step(world, who, method, path, expected, data):
    client, csrf = client_as(world, who)
    if method == "POST":
        response = client.post(path, data=data, headers={"X-CSRFToken": csrf})
    else:
        response = client.get(path)
    assert response.status_code == expected[who], response.headers.get("Location")
    if method == "GET" and response.status_code == 303:
        assert response.headers["Location"] == STEP[who]


def live_db(world):
    return world[0].config["JOURNAL_DB"]


def stored(path):
    """Every row of the patient-owned tables, to compare before and after a request."""
    db = connect(str(path))
    try:
        return {table: sorted(map(tuple, db.execute(f"SELECT * FROM {table}").fetchall()),
                              key=repr)
                for table in PATIENT_TABLES}
    finally:
        db.close()


# What a locked device still reaches; every other route answers with the way to the lock.
OPEN_WHILE_LOCKED = {"/healthz", "/sw.js", "/manifest.webmanifest", "/offline", "/locked",
                     "/unlock", "/unlock/passkey/options", "/unlock/passkey", "/sign-out",
                     "/help", "/privacy", "/help/line-status"}


def lock_her_device(world):
    """As if the patient set this device to lock after 5 minutes, then left it for 6."""
    db = connect(live_db(world))
    try:
        db.execute("UPDATE sessions SET lock_after_minutes = 5, last_seen_at = ?"
                   " WHERE ended_at IS NULL", [utc_iso(utc_now() - timedelta(minutes=6))])
    finally:
        db.close()


@pytest.mark.parametrize("method, path, expected, data", MATRIX)
def test_a_locked_device_shows_nothing_of_hers_on_any_route(world, method, path, expected,
                                                            data):
    ids = world[3]
    client, csrf = client_as(world, "patient")
    lock_her_device(world)
    url = path.format(**ids)
    form = {key: value.format(**ids) for key, value in data.items()}
    if method == "POST":
        response = client.post(url, data=form, headers={"X-CSRFToken": csrf})
    else:
        response = client.get(url)
    body = readable(response)
    for words in (SECRET, PRIVATE, PRIVATE_QUESTION, HELD_NAME, PERSON_NOTE, "My shared question",
                  "Breast Care Team", "pat@example.com", "Her phone"):
        assert words not in body, words
    if path in OPEN_WHILE_LOCKED:
        return
    assert response.status_code == 303, body[:300]
    assert response.headers["Location"].startswith("/locked")
    assert stored(live_db(world)) == stored(world[1]), "a locked device changed her data"


def test_another_patient_cannot_put_the_patients_note_in_their_summary(world):
    app, _, users, ids = world
    client, csrf = client_as(world, "other_patient")
    response = client.post("/summary/notes", data={"notes": str(ids["entry"])},
                           headers={"X-CSRFToken": csrf})
    assert response.status_code == 303
    db = connect(live_db(world))
    try:
        kept = db.execute(
            "SELECT entry_id FROM summary_notes JOIN summaries ON summaries.id = summary_id"
            " WHERE summaries.patient_id = ?", [users["other_patient"]]
        ).fetchall()
    finally:
        db.close()
    assert kept == []
    assert SECRET not in client.get("/summary").get_data(as_text=True)


def test_matrix_covers_every_route(world):
    served = {
        (method, rule.rule)
        for rule in world[0].url_map.iter_rules()
        if rule.endpoint != "static"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    placeholder = re.compile(r"<(?:int:)?(\w+)>")
    names = {"entry_id": "{entry}", "question_id": "{question}", "link_id": "{link}",
             "team_id": "{team}", "token": "{token}", "scan_id": "{scan}",
             "person_id": "{person}", "person_link_id": "{person_link}",
             "passkey_id": "{passkey}"}
    covered = {(p.values[0], p.values[1].replace("{deleted}", "{entry}")
                .replace("{person_token}", "{token}").replace("{feed_token}", "{token}")
                .replace("{off_token}", "{token}").replace("{reset_token}", "{token}")
                .replace("{sign_up_token}", "{token}"))
               for p in MATRIX}
    missing = {
        (method, rule) for method, rule in served
        if (method, placeholder.sub(lambda m: names[m[1]], rule)) not in covered
    }
    assert not missing, f"add these routes to the access matrix: {sorted(missing)}"
    assert len(MATRIX) * len(ROLES) >= 200
