"""Join codes: short codes a nurse reads out and a patient types in, and their rules."""

import hashlib
import hmac
import secrets
from datetime import date, timedelta

from ..platform.text import has_hidden

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V: letters and digits that are hard to tell apart
# when written down or read aloud.
ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
LENGTH = 6
GROUP = 3
LIFETIME = timedelta(days=7)
# Wrong dates of birth a code takes before it stops working for good.
LOCK_AFTER = 3
# Refused tries one patient may make in an hour, whatever the codes.
TRIES_PER_HOUR = 10
MAX_NAME = 100
MAX_HOSPITAL_NUMBER = 20
OLDEST_DOB = date(1900, 1, 1)


def make_code(choice=secrets.choice):
    """A fresh random code such as KD4-7PM."""
    return format_code("".join(choice(ALPHABET) for _ in range(LENGTH)))


def format_code(raw):
    """Group a normalised code for reading aloud: KD47PM becomes KD4-7PM."""
    return f"{raw[:GROUP]}-{raw[GROUP:]}"


def normalise_code(text):
    """Upper case without spaces or dashes, or None if it cannot be one of our codes."""
    raw = "".join(ch for ch in (text or "").upper() if ch not in " -\u2010\u2011\u2013\u2014")
    if len(raw) != LENGTH or any(ch not in ALPHABET for ch in raw):
        return None
    return raw


def digest(secret, code):
    """A keyed hash of the code, so a copy of the database does not reveal live codes."""
    raw = normalise_code(code)
    if raw is None:
        raise ValueError("not a join code")
    return hmac.new(secret.encode(), raw.encode(), hashlib.sha256).hexdigest()


def parse_dob(text, today):
    """A date of birth from a yyyy-mm-dd field, or None if it is not a real, past date."""
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    if not OLDEST_DOB <= day <= today:
        return None
    return day


HIDDEN = "The name has a hidden character in it, such as a space you cannot see. Type it again."


def check_patient_details(form, today):
    """Validate the details a nurse gives for a new code: (values, errors by field)."""
    values = {
        "name": " ".join((form.get("name") or "").split()),
        "dob": (form.get("dob") or "").strip(),
        "hospital_number": " ".join((form.get("hospital_number") or "").split()).upper(),
    }
    errors = {}
    if not values["name"]:
        errors["name"] = "Enter the patient's full name, as your records hold it."
    elif len(values["name"]) > MAX_NAME:
        errors["name"] = f"Use at most {MAX_NAME} characters."
    elif has_hidden(values["name"]):
        errors["name"] = HIDDEN
    if not values["dob"]:
        errors["dob"] = "Enter the patient's date of birth."
    elif parse_dob(values["dob"], today) is None:
        errors["dob"] = "Enter a real date of birth, like 12 April 1971."
    number = values["hospital_number"]
    if len(number) > MAX_HOSPITAL_NUMBER:
        errors["hospital_number"] = f"Use at most {MAX_HOSPITAL_NUMBER} characters."
    elif number and not all((ch.isascii() and ch.isalnum()) or ch == " " for ch in number):
        errors["hospital_number"] = "Use only letters, numbers and spaces."
    return values, errors


def refusal(code_row, now, dob):
    """Why a found code cannot connect this patient, or None if it can.

    `code_row` needs expires_at, used_at, locked_at (datetimes or None) and held_dob (a date).
    """
    if code_row["used_at"] is not None:
        return "used"
    if code_row["locked_at"] is not None:
        return "locked"
    if now >= code_row["expires_at"]:
        return "expired"
    if dob != code_row["held_dob"]:
        return "dob"
    return None


def locks_now(failed_attempts):
    """True once a code has had its last allowed wrong date of birth."""
    return failed_attempts >= LOCK_AFTER

