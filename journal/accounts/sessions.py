"""Server-side sessions: the cookie holds a random token, the database its hash,
so that signing out really ends a session."""

import hashlib
import secrets

from ..platform.clock import utc_iso, utc_now


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def start(db, user_id, stage="active", carry_from=None):
    """Record a new session for the user and return the token for the cookie.

    The session keeps the user's role at its start, so a later role change is noticed;
    a stage other than 'active' means the second factor is still to come. A session that
    replaces another on the same device (`carry_from`, its row) keeps that device's lock
    and any form held behind it.
    """
    token = secrets.token_urlsafe(32)
    now = utc_iso(utc_now())
    carried = carry_from or {}
    db.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, role, stage,"
        " lock_after_minutes, held_post)"
        " VALUES (?, ?, ?, ?, (SELECT role FROM users WHERE id = ?), ?, ?, ?)",
        [_digest(token), user_id, now, now, user_id, stage,
         carried.get("lock_after_minutes"), carried.get("held_post")],
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


def set_lock(db, session_id, minutes):
    """Lock this device's session after `minutes` unused; None turns the lock off."""
    db.execute("UPDATE sessions SET lock_after_minutes = ? WHERE id = ?", [minutes, session_id])


def lock_after(db, session_id):
    """This session's lock time in minutes, or None when it does not lock."""
    row = db.execute("SELECT lock_after_minutes FROM sessions WHERE id = ?",
                     [session_id]).fetchone()
    return row[0] if row else None


def hold_post(db, session_id, held):
    """Keep a form that arrived while the session was locked (JSON text), replacing any
    held before: the newest is what the person last meant to send."""
    db.execute("UPDATE sessions SET held_post = ? WHERE id = ?", [held, session_id])


def take_held_post(db, session_id):
    """The held form's JSON text, now forgotten here; None if there was none."""
    row = db.execute("SELECT held_post FROM sessions WHERE id = ?", [session_id]).fetchone()
    if row is None or row[0] is None:
        return None
    db.execute("UPDATE sessions SET held_post = NULL WHERE id = ?", [session_id])
    return row[0]
