"""The dashboard reuses a team's flags until something they come from changes, works out
again only the patients whose data changed, and never shows flags older than the data."""

from datetime import timedelta

import pytest
from care_helpers import add_entry, calls_to, client_for, link_patient, make_account

from journal.care import inbox, states
from journal.platform import personal_data
from journal.platform.clock import utc_now
from tests.care.test_care_dashboard import add_scan


@pytest.fixture
def read_again(monkeypatch):
    """How many times the dashboard read the team's flags (not kept from the last load)."""
    calls = calls_to(monkeypatch, inbox, "stored_states")
    return lambda: len(calls)


@pytest.fixture
def worked_out(monkeypatch):
    """The patients whose stored flags were worked out again from their data, in order."""
    patients = []
    real = states._recent_scores

    def counted(db, team_id, listed=None):
        patients.extend(listed if listed is not None else ["everyone"])
        return real(db, team_id, listed)

    monkeypatch.setattr(states, "_recent_scores", counted)
    return patients


@pytest.fixture
def nurse_client(app, team_nurse):
    return client_for(app, "priya@example.com")[0]


def aside(client):
    html = client.get("/care").get_data(as_text=True)
    return html[html.index('id="patients-title"'):]


def test_a_second_look_at_an_unchanged_inbox_reuses_the_flags(nurse_client, db, patient,
                                                              linked, read_again, worked_out):
    add_entry(db, patient, distress=3, shared=True)

    nurse_client.get("/care")
    nurse_client.get("/care")

    assert read_again() == 1 and worked_out == [patient.id]


def test_another_worker_reads_the_stored_flags_without_working_them_out(
        nurse_client, db, patient, linked, worked_out):
    add_entry(db, patient, distress=3, shared=True)
    nurse_client.get("/care")
    inbox._TEAM_STATES.clear()  # as a worker that has kept nothing yet

    nurse_client.get("/care")

    assert worked_out == [patient.id]


def test_a_new_shared_check_in_works_out_that_patient_alone(app, nurse_client, db, patient,
                                                            team, linked, read_again,
                                                            worked_out):
    other = make_account(app, db, "olu@example.com")
    link_patient(db, other, team, name="Olu Ade")
    for score in (1, 1, 1):
        add_entry(db, patient, distress=score, shared=True)
    assert "flag-rising" not in aside(nurse_client)
    assert sorted(worked_out) == sorted([patient.id, other.id])

    for score in (8, 8, 8):
        add_entry(db, patient, distress=score, shared=True)

    assert "flag-rising" in aside(nurse_client) and read_again() == 2
    assert worked_out[2:] == [patient.id]


def test_a_changed_scan_shows_at_once(nurse_client, db, patient, linked, read_again):
    nurse_client.get("/care")

    add_scan(db, patient, days_ago=30)  # results now overdue
    html = nurse_client.get("/care").get_data(as_text=True)

    assert read_again() == 2 and "Results overdue" in html[html.index('id="patients-title"'):]


def test_results_that_came_clear_the_overdue_flag_at_once(nurse_client, db, patient, linked):
    add_scan(db, patient, days_ago=30)
    assert "Results overdue" in aside(nurse_client)

    db.execute("UPDATE scans SET results_received_on = ? WHERE patient_id = ?",
               [utc_now().date().isoformat(), patient.id])

    assert "Results overdue" not in aside(nurse_client)


def test_an_unshared_or_deleted_check_in_takes_its_score_back_at_once(nurse_client, db,
                                                                     patient, linked):
    ids = [add_entry(db, patient, distress=score, shared=True) for score in (1, 1, 1, 8, 8)]
    last = add_entry(db, patient, distress=8, shared=True)
    assert "flag-rising" in aside(nurse_client)

    db.execute("UPDATE entries SET shared = 0 WHERE id = ?", [last])
    assert "flag-rising" not in aside(nurse_client)

    db.execute("UPDATE entries SET shared = 1 WHERE id = ?", [last])
    assert "flag-rising" in aside(nurse_client)
    db.execute("UPDATE entries SET deleted_at = ? WHERE id = ?", [utc_now().isoformat(), ids[4]])
    assert "flag-rising" not in aside(nurse_client)


def test_a_deleted_account_leaves_the_count_at_once(app, nurse_client, db, patient,
                                                   other_patient, team, linked):
    link_patient(db, other_patient, team, name="Olu Ade")
    assert "2 patients connected" in nurse_client.get("/care").get_data(as_text=True)

    personal_data.erase_account(db, other_patient.id)

    assert "1 patient connected" in nurse_client.get("/care").get_data(as_text=True)


def test_a_new_uk_day_makes_results_overdue_without_working_anyone_out(
        nurse_client, db, patient, linked, read_again, worked_out, monkeypatch):
    add_scan(db, patient, days_ago=14)  # results were due by today, so not overdue yet
    assert "Results overdue" not in aside(nurse_client)
    tomorrow = utc_now() + timedelta(days=1)
    monkeypatch.setattr(inbox, "utc_now", lambda: tomorrow)
    monkeypatch.setattr(states, "utc_now", lambda: tomorrow)

    assert "Results overdue" in aside(nurse_client)
    assert read_again() == 2 and worked_out == [patient.id]


def test_flags_stored_under_other_rules_are_worked_out_again(nurse_client, db, patient,
                                                             linked, worked_out):
    for score in (1, 1, 1, 8, 8, 8):
        add_entry(db, patient, distress=score, shared=True)
    nurse_client.get("/care")
    # As if stored by a version of the app whose rules said otherwise.
    db.execute("UPDATE patient_flags SET rules = 'older rules', rising = 0")
    inbox._TEAM_STATES.clear()

    assert "flag-rising" in aside(nurse_client)
    assert worked_out == [patient.id, patient.id]


def test_the_patients_needing_a_look_are_kept_with_the_flags(nurse_client, db, patient,
                                                            linked, monkeypatch):
    looked_up = calls_to(monkeypatch, inbox, "links_of_patients")
    for score in (1, 1, 1, 8, 8, 8):
        add_entry(db, patient, distress=score, shared=True)
    assert "flag-rising" in aside(nurse_client) and "flag-rising" in aside(nurse_client)
    assert len(looked_up) == 1

    add_entry(db, patient, distress=1, shared=True)
    add_entry(db, patient, distress=1, shared=True)

    assert "flag-rising" not in aside(nurse_client) and len(looked_up) == 2
