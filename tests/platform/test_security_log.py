"""Security events reach the log with ids only: never passwords, codes, emails or entries."""

import logging

import pytest

from tests.care_helpers import add_entry
from tests.helpers import PASSWORD, csrf_from

SECRET_NOTE = "scared about the liver scan"


@pytest.fixture
def events(caplog, app):
    """The security log lines written during the test."""
    # The security logger keeps its lines to itself (no propagation), so listen to it.
    security = logging.getLogger("journal.security")
    security.addHandler(caplog.handler)
    yield lambda: [r.getMessage() for r in caplog.records if r.name == "journal.security"]
    security.removeHandler(caplog.handler)


def only(lines, what):
    found = [line for line in lines if line.split(" ", 1)[0] == what]
    assert len(found) == 1, lines
    return found[0]


def test_failed_sign_in_logs_the_account_id_not_the_email_or_password(patient, auth, events):
    auth.sign_in(password="wrong password here")
    line = only(events(), "sign_in_failed")
    assert f"user={patient.id}" in line and "account='known'" in line
    assert "pat@example.com" not in line and "wrong password" not in line


def test_sign_in_with_unknown_email_is_logged_without_the_email(client, auth, events):
    auth.sign_in(email="nobody@example.com")
    line = only(events(), "sign_in_failed")
    assert "user=-" in line and "account='unknown'" in line and "nobody" not in line


def test_sign_in_and_out_are_logged(patient, auth, events):
    auth.sign_in()
    auth.sign_out()
    assert f"user={patient.id}" in only(events(), "signed_in")
    assert f"user={patient.id}" in only(events(), "signed_out")


def test_nurse_sign_in_logs_both_steps(nurse, auth, events):
    auth.sign_in("nurse@example.com")
    assert "next='second_factor'" in only(events(), "password_accepted")
    assert "second_factor='enrolled'" in only(events(), "signed_in")


def test_wrong_second_factor_code_is_logged_without_the_code(nurse, auth, client, events):
    auth.sign_in("nurse@example.com", second_factor=False)
    token = auth.token("/sign-in/code")
    client.post("/sign-in/code", data={"code": "000000", "csrf_token": token})
    line = only(events(), "second_factor_failed")
    assert f"user={nurse.id}" in line and "000000" not in line


def test_throttled_sign_in_is_a_warning(app, patient, auth, caplog, events):
    for _ in range(app.config["THROTTLE_ACCOUNT_FAILURES"] + 1):
        response = auth.sign_in(password="wrong password here")
    assert response.status_code == 429
    throttled = [r for r in caplog.records if r.getMessage().startswith("throttled ")]
    assert throttled and throttled[0].levelno == logging.WARNING


def test_missing_csrf_token_is_logged(signed_in, client, patient, events):
    client.post("/check-in", data={"distress": "4"})
    line = only(events(), "csrf_failed")
    assert f"user={patient.id}" in line and "'/check-in'" in line


def test_rejected_input_is_logged_without_what_was_typed(signed_in, client, events):
    response = client.post(
        "/check-in", data={"distress": "eleven", "note": SECRET_NOTE, "csrf_token": signed_in}
    )
    assert response.status_code == 422
    line = only(events(), "input_rejected")
    assert "endpoint='diary.check_in'" in line and SECRET_NOTE not in line


def test_another_patients_entry_is_logged_as_not_found(signed_in, client, db, other_patient,
                                                       patient, events):
    entry_id = add_entry(db, other_patient, distress=3, note=SECRET_NOTE)
    response = client.get(f"/entries/{entry_id}/edit")
    assert response.status_code == 404
    line = only(events(), "not_found")
    assert f"user={patient.id}" in line and SECRET_NOTE not in line


def test_wrong_role_is_logged_as_refused(nurse, auth, client, events):
    auth.sign_in("nurse@example.com")
    assert client.get("/home").status_code == 403
    assert f"user={nurse.id}" in only(events(), "refused")


def test_a_crafted_path_cannot_forge_a_log_line(client, events, patient, auth):
    auth.sign_in()
    client.get("/no-such-page%0Asigned_in user=1")
    line = only(events(), "not_found")
    assert "\n" not in line and "no-such-page\\nsigned_in" in line


def test_password_change_is_logged(signed_in, client, patient, events):
    client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a different long phrase",
        "csrf_token": signed_in})
    assert f"user={patient.id}" in only(events(), "password_changed")
    assert "a different long phrase" not in "\n".join(events())


def test_a_set_password_link_is_never_logged(app, db, events):
    from journal.accounts import staff

    token = staff.issue_token(db, staff.create_staff(db, "new.nurse@example.com", "nurse"))
    client = app.test_client()
    page = client.get(f"/set-password/{token}").get_data(as_text=True)
    client.post(f"/set-password/{token}", data={"password": "short", "csrf_token": csrf_from(page)})
    line = only(events(), "input_rejected")
    assert "'/set-password/<token>'" in line and token not in "\n".join(events())


def test_lines_carry_the_time_in_utc_and_the_level(app, capsys):
    import logging as logging_module

    record = logging_module.LogRecord("journal.security", logging_module.WARNING, __file__, 1,
                                      "csrf_failed user=-", None, None)
    record.created = 0.0
    text = logging_module.getLogger("journal.security").handlers[0].format(record)
    assert text.startswith("1970-01-01T00:00:00Z WARNING journal.security csrf_failed")


def test_a_wrong_password_when_deleting_the_account_counts_as_a_failed_try(
        app, signed_in, client, patient, db, events):
    for _ in range(app.config["THROTTLE_ACCOUNT_FAILURES"]):
        assert client.post("/account/delete", data={
            "password": "not my password", "csrf_token": signed_in}).status_code == 422
    response = client.post("/account/delete", data={"password": PASSWORD,
                                                    "csrf_token": signed_in})
    assert response.status_code == 429
    assert db.execute("SELECT COUNT(*) FROM users WHERE id = ?", [patient.id]).fetchone()[0] == 1
    assert len([e for e in events() if e.startswith("password_check_failed ")]) == 5


def test_deleting_the_account_is_logged_with_the_id_only(signed_in, client, patient, events):
    client.post("/account/delete", data={"password": PASSWORD, "csrf_token": signed_in})
    line = only(events(), "account_deleted_by_owner")
    assert f"user={patient.id}" in line and "pat@example.com" not in line


@pytest.mark.parametrize("command, event", [
    (["set-role", "pat@example.com", "nurse"], "role_set"),
    (["end-sessions", "pat@example.com"], "sessions_ended"),
])
def test_operator_commands_that_change_an_account_are_logged(app, patient, events, command,
                                                             event):
    result = app.test_cli_runner().invoke(args=command)
    assert result.exit_code == 0, result.output
    line = only(events(), event)
    assert f"user={patient.id}" in line and "address=- command" in line


def test_sign_up_is_logged_with_the_new_id_only(client, db, events):
    token = csrf_from(client.get("/sign-up").get_data(as_text=True))
    client.post("/sign-up", data={"email": "new@example.com", "password": "tea on the lawn",
                                  "agree": "yes", "csrf_token": token})
    new_id = db.execute("SELECT id FROM users WHERE email = 'new@example.com'").fetchone()[0]
    line = only(events(), "signed_up")
    assert f"user={new_id}" in line and "new@example.com" not in line


def test_a_dead_set_password_link_is_logged_without_its_token(client, events):
    client.get("/set-password/not-a-real-token-at-all")
    line = only(events(), "set_password_link_refused")
    assert "'/set-password/<token>'" in line and "not-a-real-token" not in line


def test_lines_go_to_the_stream_of_the_moment_not_one_closed_since(app, client, capsys):
    """A handler bound to a stream that was later closed would lose every line after."""
    client.get("/set-password/first-dead-link")
    first = capsys.readouterr().err
    client.get("/set-password/second-dead-link")
    second = capsys.readouterr().err
    assert "set_password_link_refused" in first and "set_password_link_refused" in second
