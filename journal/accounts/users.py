"""Accounts: sign-up rules, password hashing and the user queries."""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..platform import security_log
from ..platform.clock import parse_utc, utc_iso, utc_now
from ..platform.text import has_hidden

ROLES = ("patient", "nurse", "admin")
MIN_PASSWORD = 8
MAX_PASSWORD = 200
MAX_EMAIL = 254
MAX_NAME = 60
# Deliberately loose: the only real check of an address is that mail arrives.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    first_name: str
    role: str
    share_by_default: bool
    # A temporary password (from an admin's reset) must be changed before anything else.
    temporary_password: bool = False
    # New recovery codes were made and the person has not yet said they kept them.
    codes_to_keep: bool = False

    @classmethod
    def from_row(cls, row):
        return cls(
            id=row["id"],
            email=row["email"],
            first_name=row["first_name"],
            role=row["role"],
            share_by_default=bool(row["share_by_default"]),
            temporary_password=bool(row["password_expires_at"]),
            codes_to_keep=bool(row.get("recovery_codes_pending_at")),
        )


@cache
def common_passwords():
    """Passwords too common to allow: zxcvbn's 30,000 most used (from leaked sets), with
    our own list of words people here are likely to choose."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    path = Path(__file__).parent / "data" / "common-passwords.txt"
    lines = path.read_text().splitlines()
    ours = {line.strip().lower() for line in lines if line and not line.startswith("#")}
    return frozenset(ours.union(FREQUENCY_LISTS["passwords"]))


def normalise_email(email):
    return (email or "").strip().lower()


HIDDEN_IN_EMAIL = ("Your email address has a hidden character in it, such as a space you "
                   "cannot see. Type it again by hand.")
HIDDEN_IN_NAME = ("Your name has a hidden character in it, such as a space you cannot see. "
                  "Type it again by hand.")


def check_email(email):
    """An error message for a malformed address, or None."""
    if not email:
        return "Enter your email address."
    if has_hidden(email):
        return HIDDEN_IN_EMAIL
    if len(email) > MAX_EMAIL or not EMAIL_RE.match(email):
        return "Enter an email address like name@example.com."
    return None


# Words this service makes people think of (ASVS 6.1.2): a password that is only
# these, give or take digits, spaces and symbols, is refused.
CONTEXT_WORDS = frozenset({
    "waitingwell", "waiting", "wellbeing", "breastcancer", "cancer", "cancerresearch",
    "ultrasound", "liverscan", "ctscan", "scanresults", "results", "nurse", "nurseline",
    "hospital", "password", "letmein",
})


def check_new_password(password, email=""):
    """An error message for a password we should not accept, or None."""
    if not password:
        return "Enter a password."
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters. A short sentence works well."
    if len(password) > MAX_PASSWORD:
        return f"Use at most {MAX_PASSWORD} characters."
    lowered = password.lower()
    letters = re.sub(r"[^a-z]", "", lowered)
    if (lowered in common_passwords() or letters in CONTEXT_WORDS
            or (email and lowered == email.lower())):
        return "That password is too easy to guess. Try a few words together."
    return None


def check_signup(email, password, first_name):
    """Validate a sign-up form; returns (cleaned values, errors by field)."""
    values = {"email": normalise_email(email), "first_name": (first_name or "").strip()}
    errors = {}
    if message := check_email(values["email"]):
        errors["email"] = message
    if message := check_new_password(password or "", values["email"]):
        errors["password"] = message
    if len(values["first_name"]) > MAX_NAME:
        errors["first_name"] = f"Use at most {MAX_NAME} characters."
    elif has_hidden(values["first_name"]):
        errors["first_name"] = HIDDEN_IN_NAME
    return values, errors


class Passwords:
    """argon2id hashing with parameters from the configuration."""

    def __init__(self, **params):
        self.hasher = PasswordHasher(**params)
        # Verifying against this when the email is unknown keeps the timing the same.
        self.dummy = self.hasher.hash("not a real password")

    def hash(self, password):
        return self.hasher.hash(password)

    def verify(self, stored_hash, password):
        try:
            return self.hasher.verify(stored_hash or self.dummy, password) and bool(stored_hash)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash):
        return self.hasher.check_needs_rehash(stored_hash)


def has_password(row):
    """True when the account holds a password hash; a stopped or new staff account holds a
    marker instead, which no password matches."""
    return row["password_hash"].startswith("$argon2")


def user_by_email(db, email):
    rows = list(db.query("SELECT * FROM users WHERE email = ?", [normalise_email(email)]))
    return rows[0] if rows else None


def user_by_id(db, user_id):
    rows = list(db.query("SELECT * FROM users WHERE id = ?", [user_id]))
    return User.from_row(rows[0]) if rows else None


def create_user(db, email, password_hash, role="patient", first_name=""):
    """Insert a user and return its id; raises sqlite3.IntegrityError if the email is taken."""
    assert role in ROLES
    cursor = db.execute(
        "INSERT INTO users (email, password_hash, first_name, role, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [normalise_email(email), password_hash, first_name, role, utc_iso(utc_now())],
    )
    return cursor.lastrowid


def note_sign_up_tried(db, email, now=None):
    """Remember that someone tried to sign up with this account's email."""
    db.execute("UPDATE users SET sign_up_tried_at = ? WHERE email = ?",
               [utc_iso(now or utc_now()), normalise_email(email)])


def take_sign_up_tried(db, user_id):
    """When someone last tried to sign up with the user's email (once), or None."""
    row = db.execute("SELECT sign_up_tried_at FROM users WHERE id = ?", [user_id]).fetchone()
    if not row or not row[0]:
        return None
    db.execute("UPDATE users SET sign_up_tried_at = NULL WHERE id = ?", [user_id])
    return parse_utc(row[0])


def set_password_hash(db, user_id, password_hash):
    db.execute("UPDATE users SET password_hash = ? WHERE id = ?", [password_hash, user_id])


def password_expired(row, now):
    """True when a temporary password (from an admin reset) has run out."""
    expires = row["password_expires_at"] if row else None
    return bool(expires) and parse_utc(expires) <= now


def change_password(db, user_id, password_hash):
    """Store a password the person chose; a temporary one stops being temporary."""
    db.execute(
        "UPDATE users SET password_hash = ?, password_expires_at = NULL WHERE id = ?",
        [password_hash, user_id],
    )


def set_temporary_password(db, user_id, password_hash, expires_at):
    """Store a password an admin handed over: it must be changed, and runs out."""
    db.execute(
        "UPDATE users SET password_hash = ?, password_expires_at = ? WHERE id = ?",
        [password_hash, utc_iso(expires_at), user_id],
    )


def set_role(db, user_id, role):
    """Change what the user is; their sessions notice on the next request."""
    assert role in ROLES
    db.execute("UPDATE users SET role = ? WHERE id = ?", [role, user_id])


def log_operator(db, what, email=None, **details):
    """Log an operator's command that changed an account (by email; None for every account)."""
    row = user_by_email(db, email) if email else None
    security_log.warn(what, row["id"] if row else None, **details)
