"""Helpers for the care-team tests: connect patients, add check-ins, sign in as anyone."""

import re

from journal.accounts import consent
from journal.accounts import users as accounts
from journal.diary import entries
from journal.platform.clock import utc_iso, utc_now

HELD_DOB = "1971-04-12"
PASSWORD = "correct horse battery"  # the password conftest gives every test account


def make_account(app, db, email, role="patient", first_name=""):
    password_hash = app.extensions["passwords"].hash(PASSWORD)
    user_id = accounts.create_user(db, email, password_hash, role=role, first_name=first_name)
    if role == "patient":
        consent.agree(db, user_id)  # as sign-up does
    return accounts.user_by_id(db, user_id)


def link_patient(db, patient, team, name="Pat Jones", dob=HELD_DOB, hospital_number="RX4471"):
    """Connect a patient to a team directly, as an agreed join code would; returns the link id."""
    cursor = db.execute(
        "INSERT INTO care_links (team_id, patient_id, held_name, held_dob, held_hospital_number,"
        " connected_at) VALUES (?, ?, ?, ?, ?, ?)",
        [team.id, patient.id, name, dob, hospital_number, utc_iso(utc_now())],
    )
    return cursor.lastrowid


def add_entry(db, patient, distress=5, note="", shared=False, when=None):
    """Store a check-in for a patient; returns its id."""
    entry_id = entries.create(
        db, patient.id, {"distress": distress, "feelings": [], "topics": [], "note": note},
        now=when,
    )
    if shared:
        db.execute("UPDATE entries SET shared = 1 WHERE id = ?", [entry_id])
    return entry_id


def csrf_from(html):
    """The CSRF token from a rendered page (a form field or the body's hx-headers)."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'"X-CSRFToken": "([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def sign_in(client, email, password=PASSWORD):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": token})


def client_for(app, email, password=PASSWORD):
    """A fresh client signed in as this account; returns (client, CSRF token)."""
    from tests.conftest import AuthActions  # completes a nurse's second factor too

    client = app.test_client()
    response = AuthActions(client).sign_in(email, password)
    assert response.status_code == 303, response.get_data(as_text=True)
    return client, csrf_from(client.get(response.location).get_data(as_text=True))


def calls_to(monkeypatch, owner, name):
    """Record every call of owner.name, which still goes through: returns the list that
    fills with (args, kwargs), one pair a call."""
    calls = []
    real = getattr(owner, name)

    def recorded(*args, **kwargs):
        calls.append((args, kwargs))
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, recorded)
    return calls
