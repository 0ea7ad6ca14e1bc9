"""Single-use links sent by email: a password reset for an account, and the confirmation
that makes a new account. A link holds 256 random bits; only their SHA-256 digest is
stored (a fast hash is enough for a secret nobody chose), so a copy of the database opens
nothing."""

import hashlib
import secrets
from datetime import timedelta

from ..platform.clock import parse_utc, utc_iso

RESET = "reset"
SIGN_UP = "sign_up"
# Used and expired rows are kept a day, so a late click is told what happened to its link.
KEEP_AFTER_EXPIRY = timedelta(days=1)


def new_token() -> str:
    """A link's secret: 32 random bytes, URL-safe."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What is stored for a token."""
    return hashlib.sha256((token or "").encode()).hexdigest()


def state(row, now) -> str:
    """'live', 'used', 'expired' or 'unknown' for a stored link (or None) at this moment."""
    if row is None:
        return "unknown"
    if row["used_at"]:
        return "used"
    if parse_utc(row["expires_at"]) <= now:
        return "expired"
    return "live"


def may_reset_by_email(role: str, password_set: bool, second_factor: bool) -> bool:
    """Whether an emailed link may set this account's password.

    A patient, yes: the link proves she holds the mailbox, as a recovery code proves she
    kept the paper. Staff only with a password and an authenticator already set up: the
    reset never signs them in, so the code is still asked for at sign-in, and the mailbox
    alone cannot set up a new authenticator. An account an admin stopped (no password) or
    one whose second factor was taken away is for an admin to reset.
    """
    if role == "patient":
        return True
    return password_set and second_factor


def issue(db, purpose, now, lifetime, user_id=None, email=None) -> str:
    """Store a new link and return its token (the caller holds the write transaction)."""
    token = new_token()
    db.execute(
        "INSERT INTO email_links (purpose, token_hash, user_id, email, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [purpose, digest(token), user_id, email, utc_iso(now), utc_iso(now + lifetime)],
    )
    return token


def find(db, purpose, token):
    """The stored link for a token of this purpose, or None."""
    return next(db.query("SELECT * FROM email_links WHERE token_hash = ? AND purpose = ?",
                         [digest(token), purpose]), None)


def spend(db, link_id, now) -> bool:
    """Use a live link once; False if it was used or expired meanwhile (the caller holds
    the write transaction, so of two racing uses only one wins)."""
    return db.execute(
        "UPDATE email_links SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?",
        [utc_iso(now), link_id, utc_iso(now)],
    ).rowcount == 1


def end_for_user(db, user_id, now):
    """Every outstanding reset link of an account stops working."""
    db.execute("UPDATE email_links SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
               [utc_iso(now), user_id])


def end_for_email(db, email, now):
    """Every outstanding sign-up link for an address stops working."""
    db.execute("UPDATE email_links SET used_at = ? WHERE email = ? AND used_at IS NULL",
               [utc_iso(now), email])


def prune(db, now):
    """Forget links a day after they expired."""
    db.execute("DELETE FROM email_links WHERE expires_at < ?",
               [utc_iso(now - KEEP_AFTER_EXPIRY)])
