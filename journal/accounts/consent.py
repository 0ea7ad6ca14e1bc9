"""Which version of the privacy notice each patient agreed to, and when."""

from ..platform.clock import utc_iso, utc_now

# Change this whenever the notice changes in a way people should agree to again.
VERSION = "2026-11-26"
VERSION_DATE = "26 November 2026"


def agree(db, user_id, version=None):
    """Record that the user agreed to this (by default the current) version, and when."""
    db.execute(
        "INSERT INTO privacy_agreements (user_id, version, agreed_at) VALUES (?, ?, ?)",
        [user_id, version or VERSION, utc_iso(utc_now())],
    )


def latest_agreement(db, user_id):
    """The most recent agreement row for the user, or None."""
    rows = db.query(
        "SELECT version, agreed_at FROM privacy_agreements WHERE user_id = ?"
        " ORDER BY agreed_at DESC, id DESC LIMIT 1",
        [user_id],
    )
    return next(rows, None)
