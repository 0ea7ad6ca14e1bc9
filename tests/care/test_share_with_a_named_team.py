"""Sharing is with a named team: what waits for a join, what ends with a team, whose review."""

import re

import pytest
from care_helpers import HELD_DOB, add_entry, client_for, make_account
from sqlite_utils import Database

from journal.care import pending, teams
from journal.platform import migrations
from journal.platform.clock import utc_iso, utc_now
from tests.trend_data import add_scan


@pytest.fixture
def tom(app, db, other_team):
    """A nurse of the second team ("Oncology Day Unit")."""
    nurse = make_account(app, db, "tom@example.com", role="nurse", first_name="Tom")
    teams.put_nurse_in_team(db, nurse.id, other_team.id)
    return nurse


def make_code(app, nurse_email):
    client, token = client_for(app, nurse_email)
    response = client.post("/care/codes", data={"name": "Pat Jones", "dob": HELD_DOB,
                                                "hospital_number": "RX4471",
                                                "csrf_token": token})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return re.search(r'<p class="code"><span aria-hidden="true">([A-Z0-9-]+)</span>', html)[1]


def consent_page(client, token, code):
    response = client.post("/care-team/connect",
                           data={"code": code, "dob": HELD_DOB, "csrf_token": token})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def agree(client, token, code, share=()):
    response = client.post("/care-team/agree", data={"code": code, "dob": HELD_DOB,
                                                     "share": list(share), "csrf_token": token})
    assert response.status_code == 303
    return response


def summary_row(db, patient):
    return next(db.query("SELECT shared, shared_at, shared_team_id FROM summaries"
                         " WHERE patient_id = ?", [patient.id]))


def test_walk_summary_shared_with_no_team_is_confirmed_at_join_and_never_reaches_the_next(
        app, db, patient, team, team_nurse, other_team, tom):
    add_scan(db, patient.id, days_ago=5)
    client, token = client_for(app, "pat@example.com")
    # No team yet: the button says the summary waits for a join.
    page = client.get("/summary").get_data(as_text=True)
    assert "Share this summary when I join a care team" in page
    client.post("/summary/share", data={"shared": "1", "csrf_token": token})
    row = summary_row(db, patient)
    assert (row["shared"], row["shared_team_id"]) == (1, None)
    assert "You asked to share this summary when you join" in client.get("/summary").get_data(
        as_text=True)

    # Join A: the consent page names the summary, and it goes only because she ticks it.
    code_a = make_code(app, "priya@example.com")
    html = consent_page(client, token, code_a)
    summary_id = db.execute("SELECT id FROM summaries").fetchone()[0]
    assert "Things you asked to share when you join" in html
    assert "Share these with Breast Care Team?" in html
    assert f'value="summary-{summary_id}"' in html and "Your appointment summary" in html
    assert "None are shared yet" not in html
    agree(client, token, code_a, share=[f"summary-{summary_id}"])
    link_a = teams.live_link(db, patient.id)
    assert summary_row(db, patient)["shared_team_id"] == team.id
    priya, _ = client_for(app, "priya@example.com")
    assert priya.get(f"/care/patients/{link_a.id}/summary").status_code == 200
    actions = [(r["action"], r["team_id"]) for r in db.query(
        "SELECT action, team_id FROM audit WHERE patient_id = ? AND actor_role = 'patient'"
        " ORDER BY id", [patient.id])]
    assert actions[-3:] == [("share-summary", None), ("connect", team.id),
                            ("share-summary", team.id)]

    # Leave: the share ends with the team.
    assert client.post("/care-team/disconnect", data={"csrf_token": token}).status_code == 303
    row = summary_row(db, patient)
    assert (row["shared"], row["shared_at"], row["shared_team_id"]) == (0, None, None)

    # Join B: nothing is waiting, so nothing is listed and B sees nothing.
    code_b = make_code(app, "tom@example.com")
    html = consent_page(client, token, code_b)
    assert "Things you asked to share when you join" not in html
    agree(client, token, code_b)
    link_b = teams.live_link(db, patient.id)
    assert link_b.team_id == other_team.id
    tom_client, _ = client_for(app, "tom@example.com")
    assert tom_client.get(f"/care/patients/{link_b.id}/summary").status_code == 404
    patient_page = tom_client.get(f"/care/patients/{link_b.id}").get_data(as_text=True)
    assert "Not shared." in patient_page
    assert f"/care/patients/{link_b.id}/summary" not in patient_page


def test_a_waiting_share_left_unticked_becomes_private(app, db, patient, team, team_nurse):
    add_scan(db, patient.id, days_ago=5)
    client, token = client_for(app, "pat@example.com")
    client.post("/summary/share", data={"shared": "1", "csrf_token": token})
    code = make_code(app, "priya@example.com")
    assert "Your appointment summary" in consent_page(client, token, code)

    agree(client, token, code)  # nothing ticked

    link = teams.live_link(db, patient.id)
    row = summary_row(db, patient)
    assert (row["shared"], row["shared_team_id"]) == (0, None)
    priya, _ = client_for(app, "priya@example.com")
    assert priya.get(f"/care/patients/{link.id}/summary").status_code == 404
    assert pending.pending_items(db, patient.id) == []
    actions = [r["action"] for r in db.query("SELECT action FROM audit ORDER BY id")]
    assert "unshare-summary" in actions and "share-summary" not in actions[-2:]


def test_a_tick_for_something_that_is_not_waiting_shares_nothing(app, db, patient,
                                                                 other_patient, team,
                                                                 team_nurse):
    from journal.trends import summaries

    add_scan(db, other_patient.id, days_ago=5)
    summaries.set_shared(db, other_patient.id, None, True)  # Olu's waiting summary
    theirs = db.execute("SELECT id FROM summaries").fetchone()[0]
    client, token = client_for(app, "pat@example.com")
    code = make_code(app, "priya@example.com")

    agree(client, token, code, share=[f"summary-{theirs}", "entry-1", "nonsense"])

    row = next(db.query("SELECT shared, shared_team_id FROM summaries WHERE id = ?", [theirs]))
    assert (row["shared"], row["shared_team_id"]) == (1, None)  # still Olu's, still waiting


def test_entries_and_questions_shared_with_one_team_never_reach_the_next(
        app, db, patient, team, team_nurse, linked, other_team, tom):
    entry_id = add_entry(db, patient, distress=9, note="words for Priya only", shared=True)
    question = db.execute(
        "INSERT INTO questions (patient_id, text, created_at, shared) VALUES (?, ?, ?, 1)",
        [patient.id, "A question for Priya", utc_iso(utc_now())]).lastrowid
    db.execute("UPDATE users SET share_by_default = 1 WHERE id = ?", [patient.id])
    assert db.execute("SELECT shared_team_id FROM entries WHERE id = ?",
                      [entry_id]).fetchone()[0] == team.id
    client, token = client_for(app, "pat@example.com")
    client.post("/care-team/disconnect", data={"csrf_token": token})
    assert db.execute("SELECT shared, shared_team_id FROM entries WHERE id = ?",
                      [entry_id]).fetchone() == (0, None)
    assert db.execute("SELECT shared FROM questions WHERE id = ?", [question]).fetchone()[0] == 0

    code_b = make_code(app, "tom@example.com")
    html = consent_page(client, token, code_b)
    assert "Things you asked to share when you join" not in html
    agree(client, token, code_b)

    link_b = teams.live_link(db, patient.id)
    tom_client, tom_token = client_for(app, "tom@example.com")
    for url in ("/care", f"/care/patients/{link_b.id}"):
        html = tom_client.get(url).get_data(as_text=True)
        assert "words for Priya only" not in html and "A question for Priya" not in html
    assert tom_client.post(f"/care/entries/{entry_id}/review",
                           data={"csrf_token": tom_token, "outcome": "called"}).status_code == 404
    # A new check-in is private too: the default did not carry over.
    new_id = add_entry(db, patient, distress=3)
    assert db.execute("SELECT shared FROM entries WHERE id = ?", [new_id]).fetchone()[0] == 0


def test_a_check_in_shared_by_default_names_the_team_live_then(db, patient, team, linked):
    db.execute("UPDATE users SET share_by_default = 1 WHERE id = ?", [patient.id])
    entry_id = add_entry(db, patient, distress=4)
    assert db.execute("SELECT shared, shared_team_id FROM entries WHERE id = ?",
                      [entry_id]).fetchone() == (1, team.id)


def test_the_inbox_shows_only_entries_shared_with_that_team(app, db, patient, team,
                                                            team_nurse, linked):
    # An entry marked shared for another team (as a bad import might) stays out of sight.
    other = teams.create_team(db, "Elsewhere")
    entry_id = add_entry(db, patient, distress=9, note="meant for elsewhere")
    db.execute("UPDATE entries SET shared = 1 WHERE id = ?", [entry_id])  # stamps this team
    db.execute("UPDATE entries SET shared_team_id = ? WHERE id = ?", [other, entry_id])
    priya, token = client_for(app, "priya@example.com")
    assert "meant for elsewhere" not in priya.get("/care").get_data(as_text=True)
    assert "meant for elsewhere" not in priya.get(f"/care/patients/{linked}").get_data(
        as_text=True)
    assert priya.post(f"/care/entries/{entry_id}/review",
                      data={"csrf_token": token, "outcome": "called"}).status_code == 404


def test_migration_names_the_live_team_and_withdraws_stale_shares(tmp_path):
    database = Database(tmp_path / "old.db")
    try:
        migrations.migrations.apply(database, stop_before="0010_sharing_with_a_named_team")
        now = utc_iso(utc_now())
        database.execute("INSERT INTO users (id, email, password_hash, role, created_at)"
                         " VALUES (1, 'a@example.com', 'x', 'patient', ?),"
                         " (2, 'b@example.com', 'x', 'patient', ?)", [now, now])
        database.execute("INSERT INTO teams (id, name, working_hours, created_at)"
                         " VALUES (7, 'T', 'h', ?)", [now])
        database.execute("INSERT INTO care_links (team_id, patient_id, held_name, held_dob,"
                         " held_hospital_number, connected_at) VALUES (7, 1, 'A', ?, '', ?)",
                         [HELD_DOB, now])
        for patient_id in (1, 2):
            database.execute("INSERT INTO entries (patient_id, created_at, shared)"
                             " VALUES (?, ?, 1)", [patient_id, now])
            database.execute("INSERT INTO questions (patient_id, text, created_at, shared)"
                             " VALUES (?, 'q', ?, 1)", [patient_id, now])
            database.execute("INSERT INTO summaries (patient_id, created_at, shared, shared_at)"
                             " VALUES (?, ?, 1, ?)", [patient_id, now, now])
        database.execute("UPDATE entries SET reviewed_at = ? WHERE patient_id = 1", [now])
        database.execute("INSERT INTO entry_reviews (entry_id, team_id, reviewed_at)"
                         " SELECT id, 7, ? FROM entries WHERE patient_id = 1", [now])

        migrations.migrations.apply(database)

        def state(table, patient_id):
            return database.execute(f"SELECT shared, shared_team_id FROM {table}"  # noqa: S608
                                    " WHERE patient_id = ?", [patient_id]).fetchone()

        for table in ("entries", "questions", "summaries"):
            assert state(table, 1) == (1, 7)  # connected: the share names her team
        assert state("entries", 2) == (0, None)  # left behind by a team: withdrawn
        assert state("questions", 2) == (0, None)
        assert state("summaries", 2) == (1, None)  # waits for her next join, to confirm
        assert database.execute("SELECT reviewed_team_id FROM entries WHERE patient_id = 1"
                                ).fetchone()[0] == 7
    finally:
        database.close()


# Review marks belong to a team


def test_walk_a_review_by_one_team_never_counts_for_the_next(app, db, patient, team,
                                                             team_nurse, linked, other_team,
                                                             tom):
    entry_id = add_entry(db, patient, distress=10, note="a very hard day", shared=True)
    priya, priya_token = client_for(app, "priya@example.com")
    assert priya.post(f"/care/entries/{entry_id}/review",
                      data={"csrf_token": priya_token, "outcome": "called"}).status_code == 303
    assert "Reviewed by Priya" in priya.get("/care").get_data(as_text=True)
    patient_client, token = client_for(app, "pat@example.com")
    assert "Seen by your care team" in patient_client.get("/timeline").get_data(as_text=True)
    assert priya.post(f"/care/patients/{linked}/discharge",
                      data={"csrf_token": priya_token}).status_code == 303

    code_b = make_code(app, "tom@example.com")
    agree(patient_client, token, code_b)
    # Sharing it again, with the new team, is her fresh choice.
    assert patient_client.post(f"/entries/{entry_id}/share",
                               data={"shared": "1", "csrf_token": token}).status_code == 303
    timeline = patient_client.get("/timeline").get_data(as_text=True)
    assert "Shared with Oncology Day Unit" in timeline and "Seen by your care team" not in timeline

    tom_client, _ = client_for(app, "tom@example.com")
    inbox = tom_client.get("/care").get_data(as_text=True)
    assert "a very hard day" in inbox
    assert "Reviewed by" not in inbox and "Mark reviewed" in inbox
    unreviewed = tom_client.get("/care?flag=unreviewed").get_data(as_text=True)
    assert "a very hard day" in unreviewed

    # When Tom reviews it, it counts for his team, by his name.
    tom_token = re.search(r'"X-CSRFToken": "([^"]+)"', inbox)[1]
    tom_client.post(f"/care/entries/{entry_id}/review",
                    data={"csrf_token": tom_token, "outcome": "called"})
    inbox = tom_client.get("/care").get_data(as_text=True)
    assert "Reviewed by Tom" in inbox and "Reviewed by Priya" not in inbox
    assert "a very hard day" not in tom_client.get("/care?flag=unreviewed").get_data(
        as_text=True)
