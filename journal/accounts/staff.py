"""Staff accounts (nurses and admins): made by an admin command, never by sign-up."""

import hashlib
import secrets
from datetime import timedelta

from ..care import teams
from ..platform.clock import parse_utc, utc_iso, utc_now
from ..platform.db import immediate
from ..platform.text import has_hidden
from . import sessions, users

# Not an argon2 hash, so no password can ever match it until one is set.
NO_PASSWORD = "!no-password-set"  # noqa: S105 - a marker, not a secret
TOKEN_LIFETIME = timedelta(hours=72)


class StaffError(Exception):
    """An admin command cannot do what was asked; the message says why."""


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_staff(db, email, role, first_name=""):
    """Add a nurse or admin with no password yet; returns the new user id."""
    email = users.normalise_email(email)
    if problem := users.check_email(email):
        raise StaffError(problem)
    if has_hidden(first_name):
        raise StaffError("The name has a hidden character in it. Type it again by hand.")
    if users.user_by_email(db, email):
        raise StaffError(f"There is already an account for {email}.")
    return users.create_user(db, email, NO_PASSWORD, role=role, first_name=first_name)


def staff_by_email(db, email, role):
    """The account with this email and role, or a StaffError saying what is wrong."""
    row = users.user_by_email(db, email)
    if row is None or row["role"] != role:
        raise StaffError(f"There is no {role} account for {users.normalise_email(email)}.")
    return users.User.from_row(row)


def add_nurse(db, email, team_name, first_name=""):
    """Make a nurse account in a team; returns the user id."""
    team = teams.team_by_name(db, team_name)
    if team is None:
        raise StaffError(f"There is no team called {team_name!r}.")
    with db.atomic():
        user_id = create_staff(db, email, "nurse", first_name)
        teams.put_nurse_in_team(db, user_id, team.id)
    return user_id


def move_nurse(db, email, team_name):
    nurse = staff_by_email(db, email, "nurse")
    team = teams.team_by_name(db, team_name)
    if team is None:
        raise StaffError(f"There is no team called {team_name!r}.")
    teams.put_nurse_in_team(db, nurse.id, team.id)
    return team


def remove_nurse(db, email):
    """Take a nurse out of their team and stop them signing in; the audit keeps their name."""
    nurse = staff_by_email(db, email, "nurse")
    with db.atomic():
        teams.take_nurse_out(db, nurse.id)
        users.set_password_hash(db, nurse.id, NO_PASSWORD)
        db.execute("UPDATE password_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                   [utc_iso(utc_now()), nurse.id])
        sessions.end_all(db, nurse.id)
    return nurse


def issue_token(db, user_id, now=None):
    """A one-time set-password token for the user (stored hashed); earlier ones stop working."""
    now = now or utc_now()
    token = secrets.token_urlsafe(32)
    with db.atomic():
        db.execute("UPDATE password_tokens SET used_at = ? WHERE user_id = ? AND used_at IS NULL",
                   [utc_iso(now), user_id])
        db.execute(
            "INSERT INTO password_tokens (user_id, token_hash, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            [user_id, _digest(token), utc_iso(now), utc_iso(now + TOKEN_LIFETIME)],
        )
    return token


def token_user(db, token, now=None):
    """The account a live token belongs to, or None if it is unknown, used or expired."""
    now = now or utc_now()
    row = next(
        db.query(
            "SELECT t.expires_at, u.* FROM password_tokens t JOIN users u ON u.id = t.user_id"
            " WHERE t.token_hash = ? AND t.used_at IS NULL",
            [_digest(token or "")],
        ),
        None,
    )
    if row is None or parse_utc(row["expires_at"]) <= now:
        return None
    return users.User.from_row(row)


def use_token(db, token, password_hash, now=None):
    """Set the password with a live token, once; returns the user or None."""
    now = now or utc_now()
    with immediate(db):
        user = token_user(db, token, now)
        if user is None:
            return None
        db.execute("UPDATE password_tokens SET used_at = ? WHERE token_hash = ?",
                   [utc_iso(now), _digest(token)])
        users.set_password_hash(db, user.id, password_hash)
        sessions.end_all(db, user.id)
    return user
