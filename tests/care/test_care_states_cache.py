"""The dashboard reuses a team's flags until something they come from changes, and never
shows flags older than the data."""

from datetime import timedelta

import pytest
from care_helpers import add_entry, client_for, link_patient

from journal.care import inbox
from journal.platform import personal_data
from journal.platform.clock import utc_now
from tests.care.test_care_dashboard import add_scan


@pytest.fixture
def worked_out(monkeypatch):
    """How many times the team-wide flags were worked out from the database."""
    calls = []
    real = inbox.patient_states

    def counted(*args, **kwargs):
        calls.append(kwargs.get("patient_id"))
        return real(*args, **kwargs)

    monkeypatch.setattr(inbox, "patient_states", counted)
    return lambda: sum(1 for patient_id in calls if patient_id is None)


@pytest.fixture
def nurse_client(app, team_nurse):
    return client_for(app, "priya@example.com")[0]


def test_a_second_look_at_an_unchanged_inbox_reuses_the_flags(nurse_client, db, patient,
                                                              linked, worked_out):
    add_entry(db, patient, distress=3, shared=True)

    nurse_client.get("/care")
    nurse_client.get("/care")

    assert worked_out() == 1


def test_a_new_shared_check_in_works_the_flags_out_again(nurse_client, db, patient, linked,
                                                         worked_out):
    def aside():
        html = nurse_client.get("/care").get_data(as_text=True)
        return html[html.index('id="patients-title"'):]

    for score in (1, 1, 1):
        add_entry(db, patient, distress=score, shared=True)
    assert "flag-rising" not in aside()

    for score in (8, 8, 8):
        add_entry(db, patient, distress=score, shared=True)

    assert "flag-rising" in aside() and worked_out() == 2


def test_a_changed_scan_shows_at_once(nurse_client, db, patient, linked, worked_out):
    nurse_client.get("/care")

    add_scan(db, patient, days_ago=30)  # results now overdue
    html = nurse_client.get("/care").get_data(as_text=True)

    assert worked_out() == 2 and "Results overdue" in html[html.index('id="patients-title"'):]


def test_a_deleted_account_leaves_the_count_at_once(app, nurse_client, db, patient,
                                                   other_patient, team, linked, worked_out):
    link_patient(db, other_patient, team, name="Olu Ade")
    assert "2 patients connected" in nurse_client.get("/care").get_data(as_text=True)

    personal_data.erase_account(db, other_patient.id)

    assert "1 patient connected" in nurse_client.get("/care").get_data(as_text=True)


def test_a_new_uk_day_works_the_flags_out_again(nurse_client, db, patient, linked, worked_out,
                                                monkeypatch):
    nurse_client.get("/care")
    tomorrow = utc_now() + timedelta(days=1)
    monkeypatch.setattr(inbox, "utc_now", lambda: tomorrow)

    nurse_client.get("/care")

    assert worked_out() == 2
