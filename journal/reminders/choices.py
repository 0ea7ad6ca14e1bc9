"""The Reminders form: read and check the patient's choices; plain values, no app."""

import re
from datetime import time

from .schedule import QUIET_FROM, QUIET_UNTIL, Choices, is_quiet

DEFAULT_DAILY = "19:00"
_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")

NO_TIME = "Enter the time for your daily reminder, like 19:30."
BAD_QUIET = "Enter quiet hours as times, like 21:00 and 08:00."
IN_QUIET = "Choose a time outside your quiet hours, or change your quiet hours."
NO_CHANNEL = ("Choose how your reminders reach you: by email, in your calendar, or with "
              "notifications on this device.")
NO_EMAIL = "Email reminders are not set up on this service. Choose your calendar instead."


def parse_clock(text) -> time | None:
    """A UK wall-clock time typed as 19:30 (or 19.30), or None."""
    found = _CLOCK.match((text or "").strip())
    return time(int(found[1]), int(found[2])) if found else None


def clock_text(moment: time | None) -> str:
    """A time as the form shows it: 19:30."""
    return moment.strftime("%H:%M") if moment else ""


def words(moment: time) -> str:
    """A time as a sentence says it: 9pm, 8:30am."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    return f"{hour}{suffix}" if moment.minute == 0 else f"{hour}:{moment.minute:02d}{suffix}"


def check(form, email_available: bool, has_device: bool = False):
    """(values, errors) from the posted form; values keep what was typed, to show again.
    A device with notifications on counts as a channel (it is added by its own button)."""
    values = {
        "daily": form.get("daily") == "1",
        "daily_at": (form.get("daily_at") or "").strip()[:5] or DEFAULT_DAILY,
        "scan_nudges": form.get("scan_nudges") == "1",
        "by_email": form.get("by_email") == "1",
        "by_calendar": form.get("by_calendar") == "1",
        "quiet_from": (form.get("quiet_from") or "").strip()[:5],
        "quiet_until": (form.get("quiet_until") or "").strip()[:5],
        "by_device": has_device,
    }
    errors = {}
    quiet_from, quiet_until = parse_clock(values["quiet_from"]), parse_clock(values["quiet_until"])
    if quiet_from is None or quiet_until is None:
        errors["quiet_from"] = BAD_QUIET
    daily_at = parse_clock(values["daily_at"])
    if values["daily"]:
        if daily_at is None:
            errors["daily_at"] = NO_TIME
        elif quiet_from and quiet_until and is_quiet(daily_at, quiet_from, quiet_until):
            errors["daily_at"] = IN_QUIET
    if values["by_email"] and not email_available:
        errors["by_email"] = NO_EMAIL
    elif (values["daily"] or values["scan_nudges"]) and not (
            values["by_email"] or values["by_calendar"] or has_device):
        errors["by_email"] = NO_CHANNEL
    return values, errors


def as_choices(row) -> Choices:
    """The schedule's view of a stored row (or of no row: everything off)."""
    if row is None:
        return Choices()
    return Choices(daily_at=parse_clock(row["daily_at"]) if row["daily_at"] else None,
                   scan_nudges=bool(row["scan_nudges"]),
                   quiet_from=parse_clock(row["quiet_from"]) or QUIET_FROM,
                   quiet_until=parse_clock(row["quiet_until"]) or QUIET_UNTIL)
