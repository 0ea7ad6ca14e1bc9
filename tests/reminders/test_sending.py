"""send-reminders end to end: a real SMTP server on loopback receives each reminder once,
a failing server is tried a bounded number of times, and the email's link turns it off."""

import logging
import re
from datetime import UTC, date, datetime, timedelta

import pytest

from journal import create_app
from journal.platform.db import connect
from journal.reminders import cli, records, sending
from tests.conftest import insert_scan, make_user

EIGHT_THIRTY = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)  # winter: UK time is UTC
CHOICES = {"daily": True, "daily_at": "08:30", "scan_nudges": False, "by_email": True,
           "by_calendar": False, "quiet_from": "21:00", "quiet_until": "08:00"}


@pytest.fixture
def at(monkeypatch):
    """Run send-reminders as if it were this moment."""
    def set_to(moment):
        monkeypatch.setattr(cli, "utc_now", lambda: moment)
    return set_to


def run(app, *args):
    result = app.test_cli_runner().invoke(args=["send-reminders", "--base-url",
                                                "https://ww.example", *args])
    assert result.exit_code == 0, result.output
    return result.output


def sends(db):
    return list(db.query("SELECT * FROM reminder_sends ORDER BY id"))


def test_a_due_reminder_is_emailed_once_and_its_link_turns_it_off(
        mail_app, mail_db, smtp, at, caplog):
    caplog.set_level(logging.INFO, "journal.reminders")
    patient = make_user(mail_app, mail_db, "pat@example.com")
    records.save(mail_db, patient.id, CHOICES)
    at(EIGHT_THIRTY - timedelta(minutes=1))
    assert "0 new, 0 sent" in run(mail_app)
    assert smtp.messages == []

    at(EIGHT_THIRTY)
    assert "1 new, 1 sent, 0 failed" in run(mail_app)
    [message] = smtp.messages
    assert message["Subject"] == "A moment to check in?"
    assert message["To"] == "pat@example.com"
    text = message.get_content()
    assert "https://ww.example/check-in" in text
    for health in ("scan", "result", "cancer", "breast", "distress"):
        assert health not in text.lower()
    off = re.search(r"https://ww\.example(/reminders/off/\S+)", text)[1]
    assert message["List-Unsubscribe"].strip() == f"<https://ww.example{off}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [row] = sends(mail_db)
    assert (row["state"], row["attempts"], row["channel"]) == ("sent", 1, "email")
    assert row["nudge_key"] == "2026-12-03:daily:0"
    # Ids only in the log: never the address.
    assert f"send={row['id']} user={patient.id}" in caplog.text
    assert "pat@example.com" not in caplog.text

    # A second run in the same minute sends nothing again.
    assert "0 new, 0 sent" in run(mail_app)
    assert len(smtp.messages) == 1 and len(sends(mail_db)) == 1

    # Following the link: a page with one button (a mail scanner's visit changes nothing),
    # then the tap turns the daily reminder off, with no session and no form token.
    client = mail_app.test_client()
    page = client.get(off)
    assert page.status_code == 200 and "your daily check-in reminder" in page.get_data(True)
    assert records.choices_row(mail_db, patient.id)["daily_at"] == "08:30"
    done = client.post(off)
    assert done.status_code == 200 and "Reminders turned off" in done.get_data(as_text=True)
    assert records.choices_row(mail_db, patient.id)["daily_at"] is None
    at(EIGHT_THIRTY + timedelta(days=1))
    run(mail_app)
    assert len(smtp.messages) == 1


def test_a_tampered_turn_off_link_changes_nothing(mail_app, mail_db):
    patient = make_user(mail_app, mail_db, "pat@example.com")
    records.save(mail_db, patient.id, CHOICES)
    client = mail_app.test_client()
    assert client.get("/reminders/off/not-a-token").status_code == 404
    assert client.post("/reminders/off/not-a-token").status_code == 404
    assert records.choices_row(mail_db, patient.id)["daily_at"] == "08:30"


def test_a_refusing_server_is_tried_three_times_then_given_up(
        mail_app, mail_db, smtp, at, caplog):
    patient = make_user(mail_app, mail_db, "pat@example.com")
    records.save(mail_db, patient.id, CHOICES)
    smtp.refuse = True
    at(EIGHT_THIRTY)
    assert "1 new, 0 sent, 1 failed" in run(mail_app)
    # The same minute again: the try is too recent to repeat.
    assert "0 new, 0 sent, 0 failed" in run(mail_app)
    for minutes in (5, 10):
        at(EIGHT_THIRTY + timedelta(minutes=minutes))
        assert "0 new, 0 sent, 1 failed" in run(mail_app)
    [row] = sends(mail_db)
    assert (row["state"], row["attempts"]) == ("failed", sending.MAX_ATTEMPTS)
    smtp.refuse = False
    at(EIGHT_THIRTY + timedelta(minutes=15))
    assert "0 new, 0 sent, 0 failed" in run(mail_app)
    assert smtp.messages == []
    assert "reminder_send_failed" in caplog.text and "final=True" in caplog.text
    assert "pat@example.com" not in caplog.text


def test_a_retry_succeeds_once_the_server_is_back(mail_app, mail_db, smtp, at):
    patient = make_user(mail_app, mail_db, "pat@example.com")
    records.save(mail_db, patient.id, CHOICES)
    smtp.refuse = True
    at(EIGHT_THIRTY)
    run(mail_app)
    smtp.refuse = False
    at(EIGHT_THIRTY + timedelta(minutes=5))
    assert "0 new, 1 sent, 0 failed" in run(mail_app)
    assert len(smtp.messages) == 1
    assert sends(mail_db)[0]["attempts"] == 2


def test_scan_nudges_stop_when_results_are_marked_received(mail_app, mail_db, smtp, at):
    patient = make_user(mail_app, mail_db, "pat@example.com")
    records.save(mail_db, patient.id, {**CHOICES, "daily": False, "scan_nudges": True})
    # Told results on Tuesday 1 December: the chase day is Wednesday the 2nd, at 9:30.
    scan_id = insert_scan(mail_db, patient.id, appointment_at=datetime(2026, 11, 24, 10,
                                                                       tzinfo=UTC),
                          results_expected_days=7)
    chase = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
    found = sending.find_due(mail_db, chase)
    assert [(n.key, channels) for _, n, channels in found] == \
        [(f"2026-12-02:chase:{scan_id}", ("email",))]
    mail_db.execute("UPDATE scans SET results_received_on = ? WHERE id = ?",
                    [date(2026, 12, 1).isoformat(), scan_id])
    at(chase)
    assert "0 new, 0 sent" in run(mail_app)
    assert smtp.messages == []


def test_a_queued_scan_nudge_is_dropped_if_results_come_before_it_goes(
        mail_app, mail_db, smtp, at):
    patient = make_user(mail_app, mail_db, "pat@example.com")
    records.save(mail_db, patient.id, {**CHOICES, "daily": False, "scan_nudges": True})
    scan_id = insert_scan(mail_db, patient.id, appointment_at=datetime(2026, 11, 24, 10,
                                                                       tzinfo=UTC),
                          results_expected_days=7)
    smtp.refuse = True
    at(datetime(2026, 12, 2, 9, 30, tzinfo=UTC))
    run(mail_app)
    mail_db.execute("UPDATE scans SET results_received_on = '2026-12-02' WHERE id = ?",
                    [scan_id])
    smtp.refuse = False
    at(datetime(2026, 12, 2, 9, 40, tzinfo=UTC))
    run(mail_app)
    assert smtp.messages == []
    assert sends(mail_db)[0]["state"] == "dropped"


def test_only_email_choosers_get_email(mail_app, mail_db, smtp, at):
    calendar_only = make_user(mail_app, mail_db, "cal@example.com")
    records.save(mail_db, calendar_only.id, {**CHOICES, "by_email": False,
                                             "by_calendar": True})
    at(EIGHT_THIRTY)
    assert "0 new, 0 sent" in run(mail_app)
    assert smtp.messages == []


def test_without_a_mail_server_nothing_is_queued(app, db, runner, monkeypatch):
    patient = make_user(app, db, "pat@example.com")
    records.save(db, patient.id, CHOICES)
    monkeypatch.setattr(cli, "utc_now", lambda: EIGHT_THIRTY)
    result = runner.invoke(args=["send-reminders"])
    assert "0 new, 0 sent, 0 failed" in result.output
    assert sends(db) == []


def test_the_demo_with_no_mail_server_logs_the_message(tmp_path, monkeypatch, caplog):
    caplog.set_level(logging.INFO, "journal.reminders")
    demo = create_app({"MODE": "test", "DEMO": True, "JOURNAL_DB": str(tmp_path / "d.db")})
    db = connect(demo.config["JOURNAL_DB"])
    try:
        patient = make_user(demo, db, "pat@example.com")
        records.save(db, patient.id, CHOICES)
        monkeypatch.setattr(cli, "utc_now", lambda: EIGHT_THIRTY)
        assert "sent" in run(demo)
        [row] = [r for r in sends(db) if r["patient_id"] == patient.id]
        assert row["state"] == "sent"
    finally:
        db.close()
    assert "A moment to check in?" in caplog.text and "/reminders/off/" in caplog.text
    assert "pat@example.com" not in caplog.text
