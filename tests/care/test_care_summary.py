"""The care team reads an appointment summary only while the patient shares it."""

import pytest

from journal.trends import summaries
from tests.conftest import AuthActions
from tests.trend_data import add_entry, add_question, add_scan, uk_noon

NOTE = "Ask about the tiredness after the scan."
PRIVATE_QUESTION = "A question only for me"


@pytest.fixture
def nurse_client(app, team_nurse):
    client = app.test_client()
    assert AuthActions(client).sign_in("priya@example.com").status_code == 303
    return client


@pytest.fixture
def shared_summary(db, patient, linked):
    add_scan(db, patient.id, days_ago=5)
    entry = add_entry(db, patient.id, uk_noon(2), distress=7, note=NOTE)  # private on its own
    shared_entry = add_entry(db, patient.id, uk_noon(3), distress=4)
    db.execute("UPDATE entries SET shared = 1 WHERE id = ?", [shared_entry])
    question = add_question(db, patient.id, "When will I hear?")
    db.execute("UPDATE questions SET shared = 1 WHERE id = ?", [question])
    add_question(db, patient.id, PRIVATE_QUESTION)
    scan_id = db.execute("SELECT id FROM scans WHERE patient_id = ?", [patient.id]).fetchone()[0]
    summaries.pick_notes(db, patient.id, scan_id, [entry])
    summaries.set_shared(db, patient.id, scan_id, True)
    return scan_id


def audit_actions(db, patient_id):
    rows = db.execute("SELECT action FROM audit WHERE patient_id = ? ORDER BY id", [patient_id])
    return [r[0] for r in rows]


def test_nurse_of_the_team_reads_a_shared_summary_with_who_it_belongs_to(
        nurse_client, db, patient, linked, shared_summary):
    response = nurse_client.get(f"/care/patients/{linked}/summary")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pat Jones" in html and "12 April 1971" in html and "RX4471" in html
    # The picked note, though its check-in is private; shared questions and scores only.
    assert NOTE in html and "When will I hear?" in html
    assert PRIVATE_QUESTION not in html
    assert html.count("<circle") == 1  # the shared check-in's day, not the private one's
    assert response.headers["Cache-Control"] == "no-store"
    assert audit_actions(db, patient.id)[-1] == "view-summary"


def test_the_patient_view_links_to_the_summary_only_while_it_is_shared(
        nurse_client, db, patient, linked, shared_summary):
    summary_url = f"/care/patients/{linked}/summary"
    assert summary_url in nurse_client.get(f"/care/patients/{linked}").get_data(as_text=True)

    summaries.set_shared(db, patient.id, shared_summary, False)

    assert summary_url not in nurse_client.get(f"/care/patients/{linked}").get_data(as_text=True)
    assert nurse_client.get(summary_url).status_code == 404
    assert "view-summary" not in audit_actions(db, patient.id)


def test_a_summary_never_shared_is_not_found(nurse_client, db, patient, linked):
    add_scan(db, patient.id, days_ago=5)

    assert nurse_client.get(f"/care/patients/{linked}/summary").status_code == 404


def test_nurse_of_another_team_cannot_read_the_summary(app, other_nurse, db, patient, linked,
                                                      shared_summary):
    client = app.test_client()
    AuthActions(client).sign_in("tom@example.com")

    response = client.get(f"/care/patients/{linked}/summary")

    assert response.status_code == 404
    assert NOTE not in response.get_data(as_text=True)


def test_after_discharge_the_summary_is_gone_from_the_team(nurse_client, db, patient, linked,
                                                          shared_summary):
    db.execute("UPDATE care_links SET ended_at = '2026-11-01T00:00:00Z', ended_by = 'nurse'"
               " WHERE id = ?", [linked])

    assert nurse_client.get(f"/care/patients/{linked}/summary").status_code == 404


def test_sharing_and_unsharing_the_summary_are_audited_without_content(
        client, db, patient, linked, team, signed_in):
    add_scan(db, patient.id, days_ago=5)

    client.post("/summary/share", data={"csrf_token": signed_in, "shared": "1"})
    client.post("/summary/share", data={"csrf_token": signed_in, "shared": "0"})

    rows = db.execute("SELECT action, team_id, entry_id FROM audit WHERE patient_id = ?"
                      " AND action LIKE '%summary'", [patient.id]).fetchall()
    assert rows == [("share-summary", team.id, None), ("unshare-summary", team.id, None)]


def test_the_patient_sees_the_team_opened_their_summary(nurse_client, client, db, patient,
                                                       linked, shared_summary, signed_in):
    nurse_client.get(f"/care/patients/{linked}/summary")

    html = client.get("/care-team/seen").get_data(as_text=True)

    assert "opened your shared appointment summary" in html
