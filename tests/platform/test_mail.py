"""The generic mail sender: after the transaction, off the request's time, logged in the demo."""

import logging

import pytest

from journal import create_app
from journal.platform import mail
from journal.platform.db import get_db
from tests.conftest import free_port


def test_links_come_from_public_url_and_never_from_a_production_host_header():
    assert mail.link_base({"PUBLIC_URL": "https://ww.example/", "MODE": "production"},
                          "https://evil.example/") == "https://ww.example"
    assert mail.link_base({"PUBLIC_URL": None, "MODE": "production"},
                          "https://evil.example/") is None
    assert mail.link_base({"PUBLIC_URL": None, "MODE": "test"},
                          "http://localhost:5000/") == "http://localhost:5000"


def test_can_send_with_a_server_or_in_the_demo():
    assert mail.can_send({"MAIL_SERVER": "relay", "DEMO": False})
    assert mail.can_send({"MAIL_SERVER": None, "DEMO": True})
    assert not mail.can_send({"MAIL_SERVER": None, "DEMO": False})


def test_a_mail_from_a_request_reaches_the_server(tmp_path, smtp):
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "j.db"),
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port})
    with app.test_request_context():
        mail.send_soon("hello", "pat@example.com", "Hello", "A plain line.\n", user_id=7)
    [message] = smtp.wait_for(1)
    assert message["To"] == "pat@example.com" and message["Subject"] == "Hello"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert message.get_content().strip() == "A plain line."


def test_no_mail_leaves_while_the_transaction_is_open(tmp_path, smtp):
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "j.db"),
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port})
    with app.test_request_context():
        db = get_db()
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            with pytest.raises(mail.MailInTransaction):
                mail.send_soon("hello", "pat@example.com", "Hello", "Body")
        finally:
            db.conn.execute("ROLLBACK")
    mail.wait_for_sending()
    assert smtp.messages == []


def test_a_server_that_is_down_is_logged_with_ids_only(tmp_path, caplog):
    caplog.set_level(logging.INFO, "journal.mail")
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "j.db"),
                      "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_TIMEOUT": 2})
    with app.test_request_context():
        mail.send_soon("password_reset", "pat@example.com", "Hello", "Body", user_id=7)
    mail.wait_for_sending()
    assert "mail_send_failed what=password_reset user=7 error=ConnectionRefusedError" \
        in caplog.text
    assert "pat@example.com" not in caplog.text


def test_the_demo_with_no_server_logs_the_message_without_the_address(tmp_path, caplog):
    caplog.set_level(logging.INFO, "journal.mail")
    app = create_app({"MODE": "test", "DEMO": True, "JOURNAL_DB": str(tmp_path / "j.db")})
    with app.test_request_context():
        mail.send_soon("password_reset", "pat@example.com", "Reset", "Open http://x/r/abc\n",
                       user_id=7)
    assert "password_reset_demo user=7 subject='Reset'" in caplog.text
    assert "http://x/r/abc" in caplog.text
    assert "pat@example.com" not in caplog.text


def test_nothing_is_sent_or_logged_without_a_server_outside_the_demo(app, caplog):
    caplog.set_level(logging.INFO, "journal.mail")
    with app.test_request_context():
        mail.send_soon("password_reset", "pat@example.com", "Reset", "Body")
    assert caplog.text == ""
