"""Reminder emails: words with no health detail, and a link to stop."""

import logging

from ..platform import mail

log = logging.getLogger("journal.reminders")

SUBJECT = "A moment to check in?"
# What each reminder says; none names the scan, results or anything about health, since
# an email can be read over a shoulder or on a locked screen.
LINES = {
    "daily": "A moment to check in? It only takes a minute.",
    "scan-tomorrow": "There is something in Waiting Well for tomorrow.",
    "results-may-come": "A moment to check in? There is something new in Waiting Well.",
    "chase": "There is something in Waiting Well for today.",
}


def body(kind, open_url, off_url):
    """The plain-text email."""
    return (f"{LINES[kind]}\n\n{open_url}\n\n"
            f"To stop these reminders, open this link:\n{off_url}\n")


def send(to, kind, open_url, off_url, sender):
    """Send one reminder email; raises on failure, so the caller can try again later."""
    mail.send(to, SUBJECT, body(kind, open_url, off_url), sender,
              # One-click unsubscribe (RFC 8058): mail apps show a button that posts to it.
              headers={"List-Unsubscribe": f"<{off_url}>",
                       "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})


def log_instead(send_id, kind, open_url, off_url):
    """In the demo with no mail server, the message goes to the log (no address)."""
    mail.log_instead("reminder_email", SUBJECT, body(kind, open_url, off_url), logger=log,
                     send=send_id)
