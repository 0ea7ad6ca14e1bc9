"""Sending email through Flask-Mailman: plain text, one message a connection, never inside a
database transaction. In the demo with no mail server, each message goes to the log."""

import logging
import threading

from flask import current_app, g
from flask_mailman import EmailMessage, Mail

from .security_log import handler

log = logging.getLogger("journal.mail")
mail = Mail()

# Messages a request asked for and a background thread is still sending (see `send_soon`).
_sending = set()
_sending_lock = threading.Lock()


class MailInTransaction(RuntimeError):
    """A mail was asked for while the request's database transaction was still open."""


def init_app(app):
    """Set up sending where a mail server is configured; in the demo, show logged mails."""
    if app.config.get("MAIL_SERVER"):
        mail.init_app(app)
    if app.config.get("DEMO"):
        # The demo's mails are only in the log, so the log must show them.
        log.setLevel(logging.INFO)
        if not log.handlers:
            log.addHandler(handler())


def can_send(config):
    """True when there is a mail server, or the demo writes mails to the log instead."""
    return bool(config.get("MAIL_SERVER") or config.get("DEMO"))


def link_base(config, request_host_url):
    """The start of every link in an email: PUBLIC_URL, else (outside production) the address
    the request came to. Production never builds a link from a client's Host header."""
    if config.get("PUBLIC_URL"):
        return config["PUBLIC_URL"].rstrip("/")
    if config.get("MODE") == "production":
        return None
    return request_host_url.rstrip("/")


def send(to, subject, body, sender, headers=None):
    """Send one plain-text email now; raises on failure, so the caller can decide."""
    connection = mail.get_connection()
    message = EmailMessage(subject, body, sender, [to], connection=connection,
                           headers=headers or {})
    # Opened here and always closed: the backend leaves its socket open when a send fails.
    connection.open()
    try:
        message.send()
    finally:
        connection.close()


def log_instead(what, subject, body, logger=log, **ids):
    """In the demo with no mail server, the message goes to the log: ids, never an address."""
    names = "".join(f" {key}={value}" for key, value in sorted(ids.items()))
    logger.info("%s_demo%s subject=%r body=%r", what, names, subject, body)


def send_soon(what, to, subject, body, user_id=None):
    """Send from a request once its writes are committed, without making the person wait.

    The message goes from a thread, so the answer takes the same time whether or not a mail
    is sent (a page must not tell who has an account by how slow it is); a failure is
    logged with ids only. In the demo with no mail server it is logged instead.
    """
    db = g.get("db")
    if db is not None and db.conn.in_transaction:
        raise MailInTransaction(f"{what}: send mail after the transaction commits")
    app = current_app._get_current_object()
    if not app.config.get("MAIL_SERVER"):
        if app.config.get("DEMO"):
            log_instead(what, subject, body, user=user_id or "-")
        return
    # Not a daemon: a worker that is stopping still finishes the mails it has started.
    thread = threading.Thread(target=_send_in_background, name=f"mail-{what}", daemon=False,
                              args=(app, what, to, subject, body, user_id))
    with _sending_lock:
        _sending.add(thread)
    thread.start()


def _send_in_background(app, what, to, subject, body, user_id):
    try:
        with app.app_context():
            send(to, subject, body, app.config["MAIL_DEFAULT_SENDER"])
    except Exception as error:  # noqa: BLE001 - a lost mail is logged, never raised
        log.warning("mail_send_failed what=%s user=%s error=%s", what, user_id or "-",
                    type(error).__name__)
    else:
        log.info("mail_sent what=%s user=%s", what, user_id or "-")
    finally:
        with _sending_lock:
            _sending.discard(threading.current_thread())


def wait_for_sending(timeout=10):
    """Wait until every message asked for so far has been sent or given up (tests, and a
    worker that is about to stop)."""
    with _sending_lock:
        pending = list(_sending)
    for thread in pending:
        thread.join(timeout)
