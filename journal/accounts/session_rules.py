"""When a session ends, when a second factor is needed, and what must happen before a
signed-in person can go on: plain rules, no Flask."""

from dataclasses import dataclass
from datetime import datetime, timedelta

STAFF_ROLES = ("nurse", "admin")


@dataclass(frozen=True)
class Lifetimes:
    idle: timedelta
    absolute: timedelta


def lifetimes(role: str, config) -> Lifetimes:
    """Nurses and admins time out soon (shared desktops); patients are configurable."""
    if role in STAFF_ROLES:
        return Lifetimes(
            timedelta(minutes=config["STAFF_IDLE_MINUTES"]),
            timedelta(hours=config["STAFF_SESSION_HOURS"]),
        )
    return Lifetimes(
        timedelta(minutes=config["PATIENT_IDLE_MINUTES"]),
        timedelta(days=config["PATIENT_SESSION_DAYS"]),
    )


def why_ended(limits: Lifetimes, started: datetime, last_active: datetime, now: datetime):
    """'idle', 'expired' or None while the session may go on."""
    if now - started >= limits.absolute:
        return "expired"
    if now - last_active >= limits.idle:
        return "idle"
    return None


def cookie_needs_renewal(signed_at: datetime | None, now: datetime, lifetime: timedelta) -> bool:
    """True once a cookie is past the middle of its life (or its age is unknown), so that a
    person who keeps using the app is never dropped by the browser, while a cookie is sent
    again at most a few times in its life rather than with every answer."""
    if signed_at is None:
        return True
    return now - signed_at >= lifetime / 2


# "Lock this phone": minutes a device may sit unused before it locks; None is off.
LOCK_CHOICES = (None, 5, 15, 60)


def lock_choice(raw: str | None) -> tuple[bool, int | None]:
    """(valid, minutes) for the setting as sent: 'off' or one of the offered minutes."""
    if raw == "off":
        return True, None
    allowed = {str(m): m for m in LOCK_CHOICES if m}
    return (True, allowed[raw]) if raw in allowed else (False, None)


def is_locked(lock_after_minutes: int | None, last_active: datetime, now: datetime) -> bool:
    """Whether a session with this lock setting, last used at `last_active`, is locked now.
    Locked from the moment the full time has passed; never with the lock off."""
    if not lock_after_minutes:
        return False
    return now - last_active >= timedelta(minutes=lock_after_minutes)


def ends_at(limits: Lifetimes, started: datetime, last_active: datetime) -> datetime:
    """When the session ends if nothing more happens: idle or absolute, whichever is first."""
    return min(last_active + limits.idle, started + limits.absolute)



def needs_second_factor(role: str, email: str, demo: bool, demo_emails) -> bool:
    """Nurses and admins need a code; only demo accounts in demo mode are let off."""
    if role not in STAFF_ROLES:
        return False
    return not (demo and email in demo_emails)


def after_role_change(old_role: str | None, new_role: str, new_needs_code: bool) -> str:
    """'keep' when nothing changed, 'renew' for a new session token, or 'sign_in_again'
    when the new role needs a second factor this session never gave."""
    if old_role == new_role:
        return "keep"
    if new_needs_code and old_role not in STAFF_ROLES:
        return "sign_in_again"
    return "renew"


def next_step(role: str, temporary_password: bool, agreed_version: str | None, version: str):
    """What a signed-in person must do before anything else: 'password', 'privacy' or None."""
    if temporary_password:
        return "password"
    if role == "patient" and agreed_version != version:
        return "privacy"
    return None
