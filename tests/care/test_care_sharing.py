"""Sharing is the patient's choice: entries, questions, the default, and "Seen by"."""

from care_helpers import add_entry, client_for, make_account

from journal.platform import audit
from journal.platform.clock import utc_iso, utc_now
from journal.platform.templating import uk_date


def shared_flag(db, entry_id):
    return db.execute("SELECT shared FROM entries WHERE id = ?", [entry_id]).fetchone()[0]


def add_question(db, patient, text="How long will my results take?", shared=False):
    cursor = db.execute(
        "INSERT INTO questions (patient_id, text, created_at, shared) VALUES (?, ?, ?, ?)",
        [patient.id, text, utc_iso(utc_now()), int(shared)],
    )
    return cursor.lastrowid


def test_sharing_an_entry_with_a_plain_form(app, db, patient, team, linked):
    entry_id = add_entry(db, patient, distress=4, note="walked by the sea")
    client, token = client_for(app, "pat@example.com")
    timeline = client.get("/timeline").get_data(as_text=True)
    assert "Share with your care team" in timeline and "Shared with" not in timeline

    response = client.post(f"/entries/{entry_id}/share",
                           data={"shared": "1", "next": "/timeline", "csrf_token": token})
    assert response.status_code == 303 and response.location == "/timeline"
    assert shared_flag(db, entry_id) == 1
    row = next(db.query("SELECT * FROM audit"))
    assert (row["action"], row["entry_id"], row["team_id"]) == ("share", entry_id, team.id)
    timeline = client.get("/timeline").get_data(as_text=True)
    assert "Shared with Breast Care Team" in timeline and "Make private" in timeline


def test_sharing_with_htmx_answers_with_the_switch_only(app, db, patient, linked):
    entry_id = add_entry(db, patient, distress=4)
    client, token = client_for(app, "pat@example.com")
    response = client.post(f"/entries/{entry_id}/share", data={"shared": "1"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert f'id="sharing-{entry_id}"' in html and "Shared with Breast Care Team" in html
    assert 'id="announce" hx-swap-oob="innerHTML"' in html
    assert shared_flag(db, entry_id) == 1


def test_a_plain_form_cannot_send_the_patient_off_site(app, db, patient, linked):
    entry_id = add_entry(db, patient)
    client, token = client_for(app, "pat@example.com")
    response = client.post(f"/entries/{entry_id}/share", data={
        "shared": "1", "next": "https://evil.example/", "csrf_token": token})
    assert response.status_code == 303 and response.location == f"/timeline#entry-{entry_id}"


def test_unsharing_removes_the_entry_from_every_nurse_view_at_once(app, db, patient, team,
                                                                    team_nurse, linked):
    entry_id = add_entry(db, patient, distress=9, note="the words nobody else should keep",
                         shared=True)
    nurse, nurse_token = client_for(app, "priya@example.com")
    assert "the words nobody else should keep" in nurse.get("/care").get_data(as_text=True)
    assert "the words nobody" in nurse.get(f"/care/patients/{linked}").get_data(as_text=True)

    client, token = client_for(app, "pat@example.com")
    response = client.post(f"/entries/{entry_id}/share", data={"shared": "0"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert "private now" in response.get_data(as_text=True)
    assert shared_flag(db, entry_id) == 0

    assert "the words nobody" not in nurse.get("/care").get_data(as_text=True)
    assert "the words nobody" not in nurse.get(f"/care/patients/{linked}").get_data(
        as_text=True)
    review = nurse.post(f"/care/entries/{entry_id}/review",
                        data={"csrf_token": nurse_token, "outcome": "no-action"})
    assert review.status_code == 404
    # The audit keeps that it was seen, never what it said.
    actions = [r["action"] for r in db.query("SELECT action FROM audit ORDER BY id")]
    # (Signing in opens the inbox once; after unsharing, the inbox shows nothing of hers.)
    assert actions == ["view-inbox", "view-inbox", "view-patient", "unshare", "view-patient"]
    assert "the words" not in audit.export_text(db)


def test_sharing_needs_a_care_team(app, db, patient):
    entry_id = add_entry(db, patient)
    client, token = client_for(app, "pat@example.com")
    assert "Share with your care team" not in client.get("/timeline").get_data(as_text=True)
    response = client.post(f"/entries/{entry_id}/share", data={"shared": "1",
                                                               "csrf_token": token})
    assert response.status_code == 303 and response.location == "/care-team"
    assert shared_flag(db, entry_id) == 0


def test_another_patients_entry_cannot_be_shared(app, db, patient, other_patient, linked):
    theirs = add_entry(db, other_patient)
    client, token = client_for(app, "pat@example.com")
    response = client.post(f"/entries/{theirs}/share", data={"shared": "1",
                                                             "csrf_token": token})
    assert response.status_code == 404
    assert shared_flag(db, theirs) == 0


def check_in(client, token, distress):
    return client.post("/check-in", data={"distress": str(distress), "csrf_token": token})


def test_new_check_ins_follow_the_default(app, db, patient, team, linked):
    client, token = client_for(app, "pat@example.com")
    home = client.get("/home").get_data(as_text=True)
    assert "This check-in stays private" in home
    assert check_in(client, token, 3).status_code == 303
    first = db.execute("SELECT id, shared FROM entries").fetchone()
    assert first[1] == 0

    response = client.post("/care-team/default", data={"shared": "1", "csrf_token": token})
    assert response.status_code == 303
    assert db.execute("SELECT share_by_default FROM users WHERE id = ?",
                      [patient.id]).fetchone()[0] == 1
    home = client.get("/home").get_data(as_text=True)
    assert "This check-in will be shared with Breast Care Team" in home
    assert "Not for urgent help." in home and 'href="#help"' in home

    check_in(client, token, 7)
    second = db.execute("SELECT id, shared FROM entries ORDER BY id DESC").fetchone()
    assert second[1] == 1
    events = [(r["action"], r["entry_id"], r["team_id"]) for r in db.query(
        "SELECT * FROM audit ORDER BY id")]
    assert events == [("default-shared", None, team.id), ("share", second[0], team.id)]


def test_default_switch_with_htmx_answers_with_its_section(app, db, patient, linked):
    client, token = client_for(app, "pat@example.com")
    response = client.post("/care-team/default", data={"shared": "1"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "New check-ins are <strong>shared</strong>" in html
    assert "Keep new check-ins private" in html


def test_the_default_shares_nothing_without_a_care_team(app, db, patient):
    db.execute("UPDATE users SET share_by_default = 1 WHERE id = ?", [patient.id])
    entry_id = add_entry(db, patient)
    assert shared_flag(db, entry_id) == 0
    assert db.execute("SELECT COUNT(*) FROM audit").fetchone()[0] == 0


def test_care_team_page_says_plainly_it_is_not_for_urgent_help(app, db, patient, linked):
    client, _ = client_for(app, "pat@example.com")
    html = client.get("/care-team").get_data(as_text=True)
    assert "Not for urgent help." in html
    assert "working hours: Monday to Friday, 9am to 5pm" in html
    assert 'href="#help"' in html


def test_sharing_a_question(app, db, patient, team_nurse, linked):
    question_id = add_question(db, patient)
    client, token = client_for(app, "pat@example.com")
    page = client.get("/care-team").get_data(as_text=True)
    assert "How long will my results take?" in page
    response = client.post(f"/questions/{question_id}/share", data={"shared": "1"},
                           headers={"HX-Request": "true", "X-CSRFToken": token})
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert db.execute("SELECT shared FROM questions").fetchone()[0] == 1
    nurse, _ = client_for(app, "priya@example.com")
    assert "How long will my results take?" in nurse.get(f"/care/patients/{linked}").get_data(
        as_text=True)

    response = client.post(f"/questions/{question_id}/share",
                           data={"shared": "0", "csrf_token": token})
    assert response.status_code == 303
    assert "How long will my results" not in nurse.get(f"/care/patients/{linked}").get_data(
        as_text=True)
    actions = [r["action"] for r in db.query("SELECT action FROM audit ORDER BY id")]
    assert actions == ["share-question", "view-patient", "unshare-question", "view-patient"]


def test_another_patients_question_cannot_be_shared(app, db, patient, other_patient, linked):
    theirs = add_question(db, other_patient)
    client, token = client_for(app, "pat@example.com")
    response = client.post(f"/questions/{theirs}/share", data={"shared": "1",
                                                               "csrf_token": token})
    assert response.status_code == 404
    assert db.execute("SELECT shared FROM questions").fetchone()[0] == 0


def test_patient_sees_seen_by_your_care_team_until_they_edit(app, db, patient, team_nurse,
                                                             linked):
    entry_id = add_entry(db, patient, distress=8, note="rough night", shared=True)
    client, token = client_for(app, "pat@example.com")
    assert "Seen by your care team" not in client.get("/timeline").get_data(as_text=True)

    nurse, nurse_token = client_for(app, "priya@example.com")
    response = nurse.post(f"/care/entries/{entry_id}/review",
                          data={"csrf_token": nurse_token, "next": "/care", "outcome": "called"})
    assert response.status_code == 303 and response.location == "/care"
    today = uk_date(utc_now())
    assert f"Seen by your care team on {today}" in client.get("/timeline").get_data(
        as_text=True)
    assert f"Seen by your care team on {today}" in client.get(
        f"/entries/{entry_id}").get_data(as_text=True)

    client.post(f"/entries/{entry_id}", data={"distress": "8", "note": "rough night, better now",
                                              "csrf_token": token})
    assert "Seen by your care team" not in client.get("/timeline").get_data(as_text=True)
    inbox = nurse.get("/care?flag=unreviewed").get_data(as_text=True)
    assert "rough night, better now" in inbox


NOT_URGENT = '<p class="hint not-urgent"><strong>Not for urgent help.</strong>'


def test_every_sharing_control_says_it_is_not_for_urgent_help(app, db, patient, team_nurse, linked,
                                                              clock):
    from datetime import date, time

    from care_helpers import add_entry

    from journal.platform.clock import uk_local_to_utc
    from journal.scans import questions

    # A Friday evening: the team is next at work on Monday morning.
    clock(uk_local_to_utc(date(2026, 12, 4), time(18)))
    add_entry(db, patient, distress=3, note="a walk")
    questions.add(db, patient.id, "When will I hear?")
    client, _ = client_for(app, "pat@example.com")
    for path in ("/home", "/check-in", "/timeline", "/care-team"):
        html = client.get(path).get_data(as_text=True)
        assert NOT_URGENT in html, path
        assert "they will see it on Monday 7 December from 9am at the earliest" in html, path


def test_landing_page_does_not_promise_a_nurse_at_once(client):
    html = client.get("/").get_data(as_text=True)
    assert "Not for urgent help." in html and "Nobody watches your journal" in html
    assert "Reach a nurse" not in html


def test_a_team_with_nobody_on_the_app_is_never_promised_in_working_hours(app, db, patient,
                                                                         team, linked):
    """Hazard H23: working hours mean nothing until a nurse of the team uses the app."""
    client, _ = client_for(app, "pat@example.com")
    html = client.get("/care-team").get_data(as_text=True)
    assert "once a nurse from the team has joined this app, as nobody there reads it yet" in html
    assert "at the earliest" not in html and "during today&#39;s working hours" not in html

    from journal.care import teams

    nurse = make_account(app, db, "priya@example.com", role="nurse", first_name="Priya")
    teams.put_nurse_in_team(db, nurse.id, team.id)
    html = client.get("/care-team").get_data(as_text=True)
    assert "nobody there reads it yet" not in html
    assert "at the earliest" in html or "working hours, which end at" in html


def test_the_care_team_page_asked_by_htmx_without_a_team_is_the_whole_page(client, signed_in):
    # Only the sharing switch is ever swapped, and it needs a team; without one, the page.
    response = client.get("/care-team", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True)
