"""A person's link: a long random token to send, a short code to read aloud, and their rules."""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from ..care.joincodes import format_code, make_code, normalise_code
from ..platform.clock import to_uk

LIFETIME = timedelta(days=30)
TOKEN_BYTES = 32
# Names are a first name and a word for how they are related: short, and never required long.
MAX_NAME = 40
MAX_RELATION = 40
# What she may choose to show, in the order the page asks.
CHOICES = {
    "show_scan": "Your scan dates and stage",
    "show_trend": "Your distress trend",
    "show_checkins": "The check-ins you mark for them",
    "show_questions": "Your questions list",
}


def make_token():
    """A fresh link token: 256 random bits, safe in a URL."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token):
    """What is stored for a token: its SHA-256, so a copy of the database opens no link."""
    return hashlib.sha256((token or "").encode()).hexdigest()


def same_digest(stored, token):
    """Whether a token matches a stored digest, in constant time."""
    return hmac.compare_digest(stored, token_digest(token))


def make_short_code():
    """A code such as KD4-7PM, from the same unambiguous letters as join codes."""
    return make_code()


def code_digest(secret, code):
    """A keyed hash of a short code, kept apart from join codes' hashes; None if malformed."""
    raw = normalise_code(code)
    if raw is None:
        return None
    return hmac.new(secret.encode(), f"person-link:{raw}".encode(), hashlib.sha256).hexdigest()


def shown_code(code):
    """The code grouped for reading aloud."""
    raw = normalise_code(code)
    return format_code(raw) if raw else code


def link_state(expires_at: datetime, ended_at: datetime | None, now: datetime):
    """"live", "ended" (she ended it) or "expired" (its 30 days are over)."""
    if ended_at is not None:
        return "ended"
    if now >= expires_at:
        return "expired"
    return "live"


def check_person(form):
    """Validate the invite form: (values, errors by field)."""
    values = {
        "first_name": " ".join((form.get("first_name") or "").split()),
        "relation": " ".join((form.get("relation") or "").split()),
        "shared_by": " ".join((form.get("shared_by") or "").split()),
        **{key: form.get(key) == "1" for key in CHOICES},
    }
    errors = {}
    if not values["first_name"]:
        errors["first_name"] = "Enter their first name."
    elif len(values["first_name"]) > MAX_NAME:
        errors["first_name"] = f"Use at most {MAX_NAME} characters."
    if len(values["relation"]) > MAX_RELATION:
        errors["relation"] = f"Use at most {MAX_RELATION} characters."
    if not values["shared_by"]:
        errors["shared_by"] = "Enter the name they know you by."
    elif len(values["shared_by"]) > MAX_NAME:
        errors["shared_by"] = f"Use at most {MAX_NAME} characters."
    if not any(values[key] for key in CHOICES):
        errors["choices"] = "Choose at least one thing they may see."
    return values, errors


def check_choices(form):
    """Validate a change to what a person may see: (choices, errors)."""
    values = {key: form.get(key) == "1" for key in CHOICES}
    errors = {} if any(values.values()) else {
        "choices": "Choose at least one thing they may see. To stop sharing, end their links."}
    return values, errors


def when_words(moment: datetime, now: datetime):
    """"today at 6:10pm", "yesterday at 9:05am" or "on 3 December at 6:10pm", in UK time."""
    local, today = to_uk(moment), to_uk(now).date()
    clock = f"{local.hour % 12 or 12}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}"
    if local.date() == today:
        return f"today at {clock}"
    if local.date() == today - timedelta(days=1):
        return f"yesterday at {clock}"
    return f"on {local.day} {local:%B} at {clock}"
