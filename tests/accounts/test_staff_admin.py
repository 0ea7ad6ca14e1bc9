"""Admin commands: reset a nurse (temporary password, must be changed) and change roles."""

import re
from datetime import timedelta

import pytest

from journal.accounts import totp
from journal.accounts import users as accounts
from journal.platform.clock import utc_iso, utc_now
from tests.conftest import AuthActions, csrf_from


def reset(app, *args):
    result = app.test_cli_runner().invoke(args=["reset-nurse", *args])
    return result


def temporary_from(output):
    return re.search(r"Temporary password for \S+: (\S+)", output).group(1)


@pytest.fixture
def locked_out_nurse(app, client, nurse, db):
    AuthActions(client).sign_in(nurse.email)  # sets up the second factor
    AuthActions(client).sign_out()
    for _ in range(5):
        AuthActions(app.test_client()).sign_in(nurse.email, "forgotten it", second_factor=False)
    return nurse


def test_reset_nurse_prints_a_temporary_password_that_must_be_changed(app, client,
                                                                      locked_out_nurse, db):
    other = app.test_client()
    AuthActions(other).sign_in(locked_out_nurse.email, "forgotten it", second_factor=False)
    result = reset(app, "Nurse@Example.com")
    assert result.exit_code == 0, result.output
    temporary = temporary_from(result.output)
    assert "must choose a new password" in result.output

    # The lock is lifted, the second factor is still asked for, then a new password.
    auth = AuthActions(client)
    first = auth.sign_in(locked_out_nurse.email, temporary, second_factor=False)
    assert first.headers["Location"] == "/sign-in/code"
    code = client.post("/sign-in/code", data={"code": auth.totp_code(locked_out_nurse.email),
                                              "csrf_token": auth.token("/sign-in/code")})
    assert code.headers["Location"] == "/care"
    response = client.get("/care")
    assert response.status_code == 303 and response.headers["Location"] == "/account/password"
    page = client.get("/account/password").get_data(as_text=True)
    assert "Choose a new password" in page and "Temporary password" in page
    response = client.post("/account/password", data={
        "current_password": temporary, "new_password": "my own ward phrase",
        "csrf_token": csrf_from(page)})
    assert response.status_code == 303 and response.headers["Location"] == "/care"
    row = accounts.user_by_email(db, locked_out_nurse.email)
    assert row["password_expires_at"] is None
    assert client.get("/account").status_code == 200


def test_reset_ends_the_nurses_sessions(app, client, nurse, db):
    AuthActions(client).sign_in(nurse.email)
    assert client.get("/account").status_code == 200
    reset(app, nurse.email)
    assert client.get("/account").status_code == 302


def test_a_temporary_password_runs_out(app, client, nurse, db):
    temporary = temporary_from(reset(app, nurse.email).output)
    db.execute("UPDATE users SET password_expires_at = ? WHERE id = ?",
               [utc_iso(utc_now() - timedelta(minutes=1)), nurse.id])
    response = AuthActions(client).sign_in(nurse.email, temporary, second_factor=False)
    assert response.status_code == 422


def test_reset_with_new_second_factor_sets_up_the_app_again(app, client, nurse, db):
    AuthActions(client).sign_in(nurse.email)
    AuthActions(client).sign_out()
    result = reset(app, nurse.email, "--new-second-factor")
    assert "set up a new one" in result.output
    assert accounts.user_by_email(db, nurse.email)["totp_secret"] is None
    AuthActions(client).sign_in(nurse.email, temporary_from(result.output), second_factor=False)
    assert "Set up two-step sign-in" in client.get("/sign-in/code").get_data(as_text=True)
    assert totp.enrolment_secret(db, nurse.id)


def test_reset_refuses_patients_and_unknown_emails(app, patient, db):
    before = accounts.user_by_email(db, patient.email)["password_hash"]
    for email in (patient.email, "nobody@example.com"):
        result = reset(app, email)
        assert result.exit_code != 0 and "No nurse or admin account" in result.output
    assert accounts.user_by_email(db, patient.email)["password_hash"] == before


def test_set_role_makes_an_admin(app, nurse, db):
    result = app.test_cli_runner().invoke(args=["set-role", nurse.email, "admin"])
    assert result.exit_code == 0 and "is now an admin" in result.output
    assert accounts.user_by_email(db, nurse.email)["role"] == "admin"
    bad = app.test_cli_runner().invoke(args=["set-role", nurse.email, "wizard"])
    assert bad.exit_code != 0


def test_end_sessions_signs_out_one_account_or_everyone(app, client, signed_in, other_patient,
                                                        db):
    other = app.test_client()
    AuthActions(other).sign_in(other_patient.email)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["end-sessions", "pat@example.com"])
    assert result.exit_code == 0 and "Ended 1 session." in result.output
    assert client.get("/home").status_code == 302
    assert other.get("/home").status_code == 200
    result = runner.invoke(args=["end-sessions", "--everyone"])
    assert "Ended 1 session." in result.output
    assert other.get("/home").status_code == 302
    assert runner.invoke(args=["end-sessions"]).exit_code != 0
