"""Reminder emails through Flask-Mailman: words with no health detail, and a link to stop."""

import logging

from flask_mailman import EmailMessage, Mail

log = logging.getLogger("journal.reminders")
mail = Mail()

SUBJECT = "A moment to check in?"
# What each reminder says; none names the scan, results or anything about health, since
# an email can be read over a shoulder or on a locked screen.
LINES = {
    "daily": "A moment to check in? It only takes a minute.",
    "scan-tomorrow": "There is something in Waiting Well for tomorrow.",
    "results-may-come": "A moment to check in? There is something new in Waiting Well.",
    "chase": "There is something in Waiting Well for today.",
}


def init_app(app):
    """Set up sending where a mail server is configured."""
    if app.config.get("MAIL_SERVER"):
        mail.init_app(app)


def body(kind, open_url, off_url):
    """The plain-text email."""
    return (f"{LINES[kind]}\n\n{open_url}\n\n"
            f"To stop these reminders, open this link:\n{off_url}\n")


def send(to, kind, open_url, off_url, sender):
    """Send one reminder email; raises on failure, so the caller can try again later."""
    connection = mail.get_connection()
    message = EmailMessage(
        SUBJECT, body(kind, open_url, off_url), sender, [to], connection=connection,
        # One-click unsubscribe (RFC 8058): mail apps show a button that posts to the link.
        headers={"List-Unsubscribe": f"<{off_url}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
    # Opened here and always closed: the backend leaves its socket open when a send fails.
    connection.open()
    try:
        message.send()
    finally:
        connection.close()


def log_instead(send_id, kind, open_url, off_url):
    """In the demo with no mail server, the message goes to the log (no address)."""
    log.info("reminder_email_demo send=%s subject=%r body=%r", send_id, SUBJECT,
             body(kind, open_url, off_url))
