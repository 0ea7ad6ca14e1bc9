"""Server-side sessions: the cookie holds a random token, the database its hash,
so that signing out really ends a session."""

import hashlib
import secrets

from ..platform.clock import utc_iso, utc_now


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def start(db, user_id, stage="active"):
    """Record a new session for the user and return the token for the cookie.

    The session keeps the user's role at its start, so a later role change is noticed;
    a stage other than 'active' means the second factor is still to come.
    """
    token = secrets.token_urlsafe(32)
    now = utc_iso(utc_now())
    db.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, role, stage)"
        " VALUES (?, ?, ?, ?, (SELECT role FROM users WHERE id = ?), ?)",
        [_digest(token), user_id, now, now, user_id, stage],
    )
    return token


def find(db, token):
    """The live session row for a token, or None."""
    if not token:
        return None
    rows = db.query(
        "SELECT * FROM sessions WHERE token_hash = ? AND ended_at IS NULL", [_digest(token)]
    )
    return next(rows, None)


def end(db, token):
    db.execute(
        "UPDATE sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
        [utc_iso(utc_now()), _digest(token)],
    )


def end_all(db, user_id, keep_token=None):
    """End every session of a user, except the one given."""
    db.execute(
        "UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL"
        " AND token_hash != ?",
        [utc_iso(utc_now()), user_id, _digest(keep_token) if keep_token else ""],
    )


def touch(db, session_id):
    db.execute(
        "UPDATE sessions SET last_seen_at = ? WHERE id = ?", [utc_iso(utc_now()), session_id]
    )


def live_count(db, user_id):
    """How many sessions the user has open (signed-in devices)."""
    return db.execute(
        "SELECT count(*) FROM sessions WHERE user_id = ? AND ended_at IS NULL AND stage = 'active'",
        [user_id],
    ).fetchone()[0]


def set_stage(db, session_id, stage):
    db.execute("UPDATE sessions SET stage = ? WHERE id = ?", [stage, session_id])
