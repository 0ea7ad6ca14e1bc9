"""Connecting the right person: join codes, date of birth checks, consent, disconnecting."""

import re
from datetime import timedelta

from care_helpers import HELD_DOB, client_for

from journal.care import joincodes, teams
from journal.platform.clock import utc_iso, utc_now


def make_code(app, nurse_email="priya@example.com", name="Sam Taylor", dob=HELD_DOB,
              number="rx 4471"):
    client, token = client_for(app, nurse_email)
    response = client.post("/care/codes", data={"name": name, "dob": dob,
                                                "hospital_number": number, "csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return re.search(r'<p class="code"><span aria-hidden="true">([A-Z0-9-]+)</span>', html)[1]


def try_code(client, token, code, dob=HELD_DOB, step="connect"):
    return client.post(f"/care-team/{step}", data={"code": code, "dob": dob, "csrf_token": token})


def test_nurse_makes_a_code_stored_only_as_a_keyed_hash(app, db, team_nurse):
    code = make_code(app)
    assert re.fullmatch(r"[A-Z0-9]{3}-[A-Z0-9]{3}", code)
    row = next(db.query("SELECT * FROM join_codes"))
    assert row["code_hash"] == joincodes.digest(app.secret_key, code)
    assert code.replace("-", "") not in str(dict(row))
    assert (row["held_name"], row["held_dob"], row["held_hospital_number"]) == (
        "Sam Taylor", HELD_DOB, "RX 4471")
    assert row["team_id"] == teams.team_of_nurse(db, team_nurse.id).id
    # The list of codes never shows the code again.
    html = client_for(app, "priya@example.com")[0].get("/care/codes").get_data(as_text=True)
    assert "Sam Taylor" in html and code not in html and "Not used yet" in html


def test_code_form_refuses_bad_details_and_keeps_them(app, db, team_nurse):
    client, token = client_for(app, "priya@example.com")
    response = client.post("/care/codes", data={"name": "Sam", "dob": "2090-01-01",
                                                "hospital_number": "", "csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter a real date of birth" in html and 'value="Sam"' in html
    assert db.execute("SELECT COUNT(*) FROM join_codes").fetchone()[0] == 0


def test_patient_connects_after_seeing_what_is_shared(app, db, team_nurse, patient):
    code = make_code(app)
    client, token = client_for(app, "pat@example.com")
    assert "Connect to my care team" in client.get("/care-team").get_data(as_text=True)

    consent = try_code(client, token, code.lower().replace("-", " "))
    assert consent.status_code == 200
    html = consent.get_data(as_text=True)
    for words in ("Breast Care Team", "Priya", "Sam Taylor", "12 April 1971",
                  "Monday to Friday, 9am to 5pm", "Not for urgent help", 'href="#help"',
                  "Agree and connect"):
        assert words in html
    # Seeing the consent page connects nothing.
    assert teams.live_link(db, patient.id) is None

    agreed = try_code(client, token, code, step="agree")
    assert agreed.status_code == 303 and agreed.location == "/care-team"
    link = teams.live_link(db, patient.id)
    assert (link.team_name, link.held_name, link.held_hospital_number) == (
        "Breast Care Team", "Sam Taylor", "RX 4471")
    used = next(db.query("SELECT used_at, used_by FROM join_codes"))
    assert used["used_at"] and used["used_by"] == patient.id
    assert [r["action"] for r in db.query("SELECT action FROM audit")] == ["connect"]
    page = client.get("/care-team").get_data(as_text=True)
    assert "Your care team" in page and "Disconnect from Breast Care Team" in page


def test_a_code_works_only_once(app, db, team_nurse, patient, other_patient):
    code = make_code(app)
    client, token = client_for(app, "pat@example.com")
    assert try_code(client, token, code, step="agree").status_code == 303
    other, other_token = client_for(app, "other@example.com")
    again = try_code(other, other_token, code)
    assert again.status_code == 422
    assert "already been used" in again.get_data(as_text=True)
    assert teams.live_link(db, other_patient.id) is None


def test_wrong_date_of_birth_is_refused_counted_and_locks_the_code(app, db, team_nurse,
                                                                     patient):
    code = make_code(app)
    client, token = client_for(app, "pat@example.com")
    for attempt in range(1, joincodes.LOCK_AFTER + 1):
        response = try_code(client, token, code, dob="1971-04-13")
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        assert "does not match what your care team holds" in html
        assert 'value="1971-04-13"' in html and f'value="{code}"' in html
        row = next(db.query("SELECT failed_attempts, locked_at FROM join_codes"))
        assert row["failed_attempts"] == attempt
    assert row["locked_at"] is not None and "now locked" in html
    # Locked for good, even with the right date now.
    response = try_code(client, token, code)
    assert response.status_code == 422 and "locked" in response.get_data(as_text=True)
    assert teams.live_link(db, patient.id) is None
    refused = db.execute("SELECT COUNT(*) FROM audit WHERE action = 'connect-refused'")
    assert refused.fetchone()[0] == joincodes.LOCK_AFTER + 1


def test_expired_code_is_refused(app, db, team_nurse, patient):
    code = make_code(app)
    db.execute("UPDATE join_codes SET expires_at = ?", [utc_iso(utc_now() - timedelta(1))])
    client, token = client_for(app, "pat@example.com")
    response = try_code(client, token, code)
    assert response.status_code == 422 and "run out" in response.get_data(as_text=True)


def test_malformed_code_is_explained_and_not_counted(app, db, team_nurse, patient):
    client, token = client_for(app, "pat@example.com")
    response = try_code(client, token, "hello", dob="")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "6 letters and numbers" in html and "Enter your date of birth" in html
    assert db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0


def test_too_many_wrong_codes_in_an_hour_are_refused(app, db, team_nurse, patient):
    client, token = client_for(app, "pat@example.com")
    for _ in range(joincodes.TRIES_PER_HOUR):
        assert try_code(client, token, "KD4-7PM").status_code == 422
    response = try_code(client, token, make_code(app))
    assert response.status_code == 429
    assert "too many codes" in response.get_data(as_text=True)
    assert teams.live_link(db, patient.id) is None


def test_patient_disconnects_and_sharing_stops(app, db, team, team_nurse, patient, linked):
    from care_helpers import add_entry

    entry_id = add_entry(db, patient, distress=6, shared=True)
    db.execute("UPDATE users SET share_by_default = 1 WHERE id = ?", [patient.id])
    nurse, nurse_token = client_for(app, "priya@example.com")
    assert nurse.get(f"/care/patients/{linked}").status_code == 200
    assert "Pat Jones" in nurse.get("/care").get_data(as_text=True)

    client, token = client_for(app, "pat@example.com")
    assert "Yes, disconnect" in client.get("/care-team/disconnect").get_data(as_text=True)
    response = client.post("/care-team/disconnect", data={"csrf_token": token})
    assert response.status_code == 303 and response.location == "/care-team"
    assert teams.live_link(db, patient.id) is None
    link = teams.last_ended_link(db, patient.id)
    assert link.ended_by == "patient"
    assert db.execute("SELECT share_by_default FROM users WHERE id = ?",
                      [patient.id]).fetchone()[0] == 0
    assert nurse.get(f"/care/patients/{linked}").status_code == 404
    review = nurse.post(f"/care/entries/{entry_id}/review",
                        data={"csrf_token": nurse_token, "outcome": "no-action"})
    assert review.status_code == 404
    assert "Pat Jones" not in nurse.get("/care").get_data(as_text=True)
    assert "You disconnected from Breast Care Team" in client.get("/care-team").get_data(
        as_text=True)


def test_nurse_discharges_and_sharing_stops(app, db, team, team_nurse, patient, linked):
    from care_helpers import add_entry

    add_entry(db, patient, distress=6, note="private words", shared=True)
    nurse, token = client_for(app, "priya@example.com")
    page = nurse.get(f"/care/patients/{linked}/discharge").get_data(as_text=True)
    assert "Pat Jones" in page and "12 April 1971" in page
    response = nurse.post(f"/care/patients/{linked}/discharge", data={"csrf_token": token})
    assert response.status_code == 303 and response.location == "/care"
    assert teams.live_link(db, patient.id) is None
    assert "private words" not in nurse.get("/care").get_data(as_text=True)
    assert nurse.get(f"/care/patients/{linked}").status_code == 404
    actions = [r["action"] for r in db.query("SELECT action FROM audit ORDER BY id")]
    assert actions[-1] == "discharge"
    patient_client, _ = client_for(app, "pat@example.com")
    assert "Breast Care Team ended the connection" in patient_client.get(
        "/care-team").get_data(as_text=True)


def test_already_connected_patient_cannot_connect_again(app, db, team, team_nurse, patient,
                                                        linked):
    code = make_code(app)
    client, token = client_for(app, "pat@example.com")
    response = try_code(client, token, code)
    assert response.status_code == 303 and response.location == "/care-team"
    assert db.execute("SELECT used_at FROM join_codes").fetchone()[0] is None
