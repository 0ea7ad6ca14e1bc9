"""Time-based one-time codes (RFC 6238) for nurses' and admins' second factor."""

import hmac
import re
from datetime import datetime

import pyotp

ISSUER = "Waiting Well"
STEP_SECONDS = 30
DIGITS = 6
# One step either side allows for a phone clock up to 30 seconds out.
DRIFT_STEPS = 1


def new_secret() -> str:
    """A fresh 160-bit secret, base32 as authenticator apps expect."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// address an authenticator app reads (as text or a QR code)."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def step_at(now: datetime) -> int:
    """The RFC 6238 time step number for an instant."""
    return int(now.timestamp()) // STEP_SECONDS


def clean(code: str) -> str:
    """The digits a person typed, without spaces or dashes."""
    return re.sub(r"[\s-]", "", code or "")


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to, or None if it is wrong, stale or used before.

    A code is accepted once: its step must be later than the last step accepted.
    """
    code = clean(code)
    if not re.fullmatch(rf"[0-9]{{{DIGITS}}}", code):
        return None
    otp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = step_at(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(otp.generate_otp(step), code):
            return step
    return None


def enrolment_secret(db, user_id) -> str:
    """The secret being set up for the user: kept until confirmed, so a reload shows the same."""
    row = db.execute("SELECT totp_secret FROM users WHERE id = ?", [user_id]).fetchone()
    if row and row[0]:
        return row[0]
    secret = new_secret()
    db.execute(
        "UPDATE users SET totp_secret = ? WHERE id = ? AND totp_secret IS NULL", [secret, user_id]
    )
    return db.execute("SELECT totp_secret FROM users WHERE id = ?", [user_id]).fetchone()[0]


def spend_step(db, user_id, step, confirm_at=None) -> bool:
    """Mark a code's step used (and the set-up confirmed); False if another request used
    that step or a later one first."""
    cursor = db.execute(
        "UPDATE users SET totp_last_step = ?, totp_confirmed_at = coalesce(totp_confirmed_at, ?)"
        " WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)",
        [step, confirm_at, user_id, step],
    )
    return cursor.rowcount == 1


def forget(db, user_id):
    """Remove the second factor, so the next sign-in sets up a new one."""
    db.execute(
        "UPDATE users SET totp_secret = NULL, totp_confirmed_at = NULL, totp_last_step = NULL"
        " WHERE id = ?",
        [user_id],
    )
