"""Admin commands, staff set-password links, the admin page, and the append-only audit."""

import csv
import io
import re
import sqlite3

import pytest
from care_helpers import PASSWORD, add_entry, client_for, csrf_from, sign_in

from journal.accounts import users as accounts
from journal.care import teams
from journal.platform import audit
from journal.platform.clock import parse_utc
from journal.platform.templating import uk_day, uk_time
from tests.conftest import AuthActions


def invoke(runner, *args):
    result = runner.invoke(args=list(args))
    return result


def link_from(output):
    return re.search(r"(https?://\S+/set-password/\S+)", output)[1]


def test_create_team_add_nurse_and_nurse_sets_password(app, db, runner):
    result = invoke(runner, "create-team", "Breast Care Team", "--hours",
                    "Weekdays, 8am to 4pm")
    assert result.exit_code == 0, result.output
    team = teams.team_by_name(db, "Breast Care Team")
    assert team.working_hours == "Weekdays, 8am to 4pm"

    result = invoke(runner, "add-nurse", "Priya@Example.com", "--team", "Breast Care Team",
                    "--name", "Priya", "--base-url", "https://ww.example.nhs.uk")
    assert result.exit_code == 0, result.output
    link = link_from(result.output)
    assert link.startswith("https://ww.example.nhs.uk/set-password/")
    token = link.rsplit("/", 1)[1]
    row = accounts.user_by_email(db, "priya@example.com")
    assert row["role"] == "nurse" and row["first_name"] == "Priya"
    assert teams.team_of_nurse(db, row["id"]).id == team.id
    # Stored hashed, and no password works before one is set.
    stored = db.execute("SELECT token_hash FROM password_tokens").fetchone()[0]
    assert token not in stored
    assert sign_in(app.test_client(), "priya@example.com", "").status_code == 422

    client = app.test_client()
    page = client.get(f"/set-password/{token}")
    assert page.status_code == 200 and "priya@example.com" in page.get_data(as_text=True)
    csrf = csrf_from(page.get_data(as_text=True))
    weak = client.post(f"/set-password/{token}", data={"password": "short", "csrf_token": csrf})
    assert weak.status_code == 422 and "at least 8" in weak.get_data(as_text=True)
    done = client.post(f"/set-password/{token}", data={"password": PASSWORD,
                                                        "csrf_token": csrf})
    assert done.status_code == 303 and done.location == "/sign-in"
    # The new password is only the first step: at her first sign-in she sets up the app.
    nurse = app.test_client()
    first = sign_in(nurse, "priya@example.com")
    assert first.status_code == 303 and first.location == "/sign-in/code"
    set_up = nurse.get("/sign-in/code").get_data(as_text=True)
    assert "Set up two-step sign-in" in set_up
    assert nurse.get("/care").status_code == 302  # not signed in without the code
    signed_in = nurse.post("/sign-in/code", data={
        "code": AuthActions(nurse).totp_code("priya@example.com"),
        "csrf_token": csrf_from(set_up)})
    assert signed_in.status_code == 303 and signed_in.location == "/care"
    assert nurse.get("/care").status_code == 200
    assert accounts.user_by_email(db, "priya@example.com")["totp_confirmed_at"]
    # The link works once.
    assert client.get(f"/set-password/{token}").status_code == 404


def test_set_password_link_expires(app, db, runner):
    invoke(runner, "create-team", "T")
    token = link_from(invoke(runner, "add-admin", "ada@example.com").output).rsplit("/", 1)[1]
    db.execute("UPDATE password_tokens SET expires_at = '2000-01-01T00:00:00.000000Z'")
    response = app.test_client().get(f"/set-password/{token}")
    assert response.status_code == 404
    assert "Ask an admin for a new link" in response.get_data(as_text=True)


def test_add_admin_and_admin_page_shows_teams_but_no_entries(app, db, runner, patient, team,
                                                             team_nurse, linked):
    add_entry(db, patient, distress=9, note="never for admins", shared=True)
    result = invoke(runner, "add-admin", "ada@example.com", "--name", "Ada")
    assert result.exit_code == 0
    token = link_from(result.output).rsplit("/", 1)[1]
    client = app.test_client()
    csrf = csrf_from(client.get(f"/set-password/{token}").get_data(as_text=True))
    client.post(f"/set-password/{token}", data={"password": PASSWORD, "csrf_token": csrf})
    admin, csrf = client_for(app, "ada@example.com")
    html = admin.get("/admin").get_data(as_text=True)
    assert "Breast Care Team" in html and "priya@example.com" in html
    assert "1 connected patient" in html
    assert "never for admins" not in html and "Pat Jones" not in html
    for path in ("/care", f"/care/patients/{linked}", "/timeline", "/care-team"):
        assert admin.get(path).status_code == 403
    assert db.execute("SELECT COUNT(*) FROM audit WHERE actor_id = (SELECT id FROM users"
                      " WHERE email = 'ada@example.com')").fetchone()[0] == 0


def test_admin_changes_working_hours_and_patients_see_them(app, db, admin, patient, team,
                                                           linked):
    client, csrf = client_for(app, "admin@example.com")
    bad = client.post(f"/admin/teams/{team.id}/hours", data={"hours": " ", "csrf_token": csrf})
    assert bad.status_code == 422 and "Enter when the team reads" in bad.get_data(as_text=True)
    good = client.post(f"/admin/teams/{team.id}/hours",
                       data={"hours": "Every day, 8am to 8pm", "csrf_token": csrf})
    assert good.status_code == 303 and good.location == "/admin"
    assert teams.team_by_id(db, team.id).working_hours == "Every day, 8am to 8pm"
    patient_client, _ = client_for(app, "pat@example.com")
    assert "Every day, 8am to 8pm" in patient_client.get("/care-team").get_data(as_text=True)
    missing = client.post("/admin/teams/999/hours", data={"hours": "x", "csrf_token": csrf})
    assert missing.status_code == 404


def test_move_and_remove_nurse(app, db, runner, team, other_team, team_nurse):
    result = invoke(runner, "move-nurse", "priya@example.com", "--team", "Oncology Day Unit")
    assert result.exit_code == 0, result.output
    assert teams.team_of_nurse(db, team_nurse.id).id == other_team.id

    client, _ = client_for(app, "priya@example.com")
    result = invoke(runner, "remove-nurse", "priya@example.com")
    assert result.exit_code == 0, result.output
    assert teams.team_of_nurse(db, team_nurse.id) is None
    # Their open session ends and they cannot sign in again.
    assert client.get("/care").status_code == 302
    assert sign_in(app.test_client(), "priya@example.com").status_code == 422
    # The account stays, so the audit can still name them.
    assert accounts.user_by_email(db, "priya@example.com") is not None


@pytest.mark.parametrize(
    "args, message",
    [
        (["create-team", "Breast Care Team"], "already a team"),
        (["create-team", ""], "Enter the team's name"),
        (["add-nurse", "new@example.com", "--team", "Nowhere"], "no team called"),
        (["add-nurse", "pat@example.com", "--team", "Breast Care Team"], "already an account"),
        (["add-nurse", "not-an-email", "--team", "Breast Care Team"], "Enter an email"),
        (["move-nurse", "pat@example.com", "--team", "Breast Care Team"], "no nurse account"),
        (["move-nurse", "priya@example.com", "--team", "Nowhere"], "no team called"),
        (["remove-nurse", "nobody@example.com"], "no nurse account"),
        (["set-password-link", "pat@example.com"], "no nurse or admin account"),
    ],
)
def test_commands_refuse_clearly(runner, patient, team, team_nurse, args, message):
    result = invoke(runner, *args)
    assert result.exit_code != 0
    assert message in result.output


def test_export_audit_writes_csv_without_content(app, db, runner, patient, team, team_nurse,
                                                 linked, tmp_path):
    entry_id = add_entry(db, patient, distress=8, note="a secret sentence", shared=True)
    nurse, token = client_for(app, "priya@example.com")
    nurse.post(f"/care/entries/{entry_id}/review",
               data={"csrf_token": token, "outcome": "no-action"})

    result = invoke(runner, "export-audit")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["action"] for r in rows] == ["view-inbox", "review"]
    assert rows[1]["entry_id"] == str(entry_id) and rows[1]["actor_id"] == str(team_nurse.id)
    assert rows[1]["patient_id"] == str(patient.id) and rows[1]["actor_role"] == "nurse"
    assert "secret" not in result.output

    out = tmp_path / "audit.csv"
    result = invoke(runner, "export-audit", "--output", str(out))
    assert result.exit_code == 0 and "Wrote 2 audit events" in result.output
    assert out.read_text().splitlines()[0] == ",".join(audit.COLUMNS)


def test_audit_cannot_be_changed_or_deleted(db, patient):
    audit.record(db, patient, "share", patient_id=patient.id)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE audit SET action = 'unshare'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("DELETE FROM audit")
    assert db.execute("SELECT action FROM audit").fetchone()[0] == "share"


def test_audit_outlives_the_patient_account(db, patient, team, linked):
    add_entry(db, patient, shared=True)
    audit.record(db, patient, "share", patient_id=patient.id, team_id=team.id)
    db.execute("DELETE FROM users WHERE id = ?", [patient.id])
    assert db.execute("SELECT COUNT(*) FROM care_links").fetchone()[0] == 0
    assert db.execute("SELECT patient_id FROM audit").fetchone()[0] == patient.id


def test_audit_refuses_unknown_actions(db, patient):
    with pytest.raises(ValueError):
        audit.record(db, patient, "peek", patient_id=patient.id)


def test_who_has_seen_my_entries(app, db, patient, team, team_nurse, other_patient, linked):
    entry_id = add_entry(db, patient, distress=8, shared=True)
    nurse, token = client_for(app, "priya@example.com")  # the inbox, once
    nurse.get("/care")
    nurse.get(f"/care/patients/{linked}")
    nurse.post(f"/care/entries/{entry_id}/review",
               data={"csrf_token": token, "outcome": "no-action"})
    audit.record(db, other_patient, "connect", patient_id=other_patient.id, team_id=team.id)

    client, _ = client_for(app, "pat@example.com")
    html = client.get("/care-team/seen").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    opened = db.execute("SELECT created_at FROM entries WHERE id = ?", [entry_id]).fetchone()[0]
    when = f"{uk_day(parse_utc(opened))}, {uk_time(parse_utc(opened))}"
    assert (f"Priya (Breast Care Team) opened your check-in from {when} and marked it as"
            " reviewed.") in text
    assert "Priya (Breast Care Team) opened your shared check-ins and questions." in text
    # Loading the inbox lists many patients: it is recorded, but not told as seeing hers.
    assert "team inbox" not in text
    assert db.execute("SELECT COUNT(*) FROM audit WHERE action = 'view-inbox'").fetchone()[0]
    # Only this patient's own record.
    assert text.count("You connected") == 0

    other, _ = client_for(app, "other@example.com")
    theirs = other.get("/care-team/seen").get_data(as_text=True)
    assert "You connected to Breast Care Team." in theirs and "Priya" not in theirs


def test_who_has_seen_says_when_nobody_has(app, db, patient):
    client, _ = client_for(app, "pat@example.com")
    assert "Nobody has seen your entries yet" in client.get("/care-team/seen").get_data(
        as_text=True)


def test_demo_has_a_team_with_the_demo_nurse_and_a_sharing_patient(tmp_path):
    from journal import create_app, demo
    from journal.platform.db import connect

    app = create_app({"MODE": "demo", "JOURNAL_DB": str(tmp_path / "demo.db"),
                      "SESSION_COOKIE_SECURE": False})
    db = connect(app.config["JOURNAL_DB"])
    try:
        nurse = accounts.user_by_email(db, demo.NURSE_EMAIL)
        patient = accounts.user_by_email(db, demo.PATIENT_EMAIL)
        team = teams.team_of_nurse(db, nurse["id"])
        assert team.name == demo.DEMO_TEAM
        assert teams.live_link(db, patient["id"]).team_id == team.id
        shared, private = db.execute(
            "SELECT SUM(shared), SUM(1 - shared) FROM entries").fetchone()
        assert shared >= 3 and private >= 3
    finally:
        db.close()
    client, _ = client_for(app, demo.NURSE_EMAIL, demo.DEMO_PASSWORD)
    html = client.get("/care").get_data(as_text=True)
    assert "Sam Taylor" in html and "Reviewed by Priya" in html and "Mark reviewed" in html
