"""When a care team will next see a shared entry, from its working hours as written.

Pure: no Flask, no database. Hours are free text set by an admin ("Monday to Friday, 9am
to 5pm"); the common shapes are read here, and anything else is shown as written.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..help.nurse_line import bank_holiday
from ..platform.clock import to_uk, uk_local_to_utc

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = r"(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*"
_TIME = r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?"
_HOURS = re.compile(
    rf"^\s*{_DAY}(?:\s*(?:to|-|–|until)\s*{_DAY})?\s*,?\s*(?:from\s+)?{_TIME}"
    rf"\s*(?:to|-|–|until)\s*{_TIME}\s*\.?\s*$",
    re.IGNORECASE,
)
# A week and a half of bank holidays never happens, so this is always enough.
LOOK_AHEAD_DAYS = 14


@dataclass(frozen=True)
class WorkingHours:
    """The days (0 is Monday) and the UK times a team reads shared entries."""

    days: frozenset[int]
    opens: time
    closes: time


def _day(name: str) -> int:
    return next(i for i, day in enumerate(DAYS) if day.startswith(name[:3].lower()))


def _time(hour: str, minute: str | None, half: str | None) -> time | None:
    hour, minute = int(hour), int(minute or 0)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_hours(text: str) -> WorkingHours | None:
    """Read "Monday to Friday, 9am to 5pm" and the like, or None when it cannot."""
    match = _HOURS.match(text or "")
    if match is None:
        return None
    first, last, oh, om, ohalf, ch, cm, chalf = match.groups()
    start, end = _day(first), _day(last or first)
    days = frozenset((start + n) % 7 for n in range((end - start) % 7 + 1))
    # "9 to 5" with no am or pm: the working day, morning to afternoon.
    if ohalf is None and chalf is None and int(ch) < int(oh):
        chalf = "pm"
    opens, closes = _time(oh, om, ohalf), _time(ch, cm, chalf)
    if opens is None or closes is None or closes <= opens:
        return None
    return WorkingHours(days, opens, closes)


def _is_working_day(hours: WorkingHours, day: date) -> bool:
    return day.weekday() in hours.days and bank_holiday(day) is None


def next_working_time(hours: WorkingHours, now_utc: datetime) -> datetime | None:
    """The UTC moment the team is next at work: now, if it is at work now."""
    local = to_uk(now_utc)
    for ahead in range(LOOK_AHEAD_DAYS):
        day = local.date() + timedelta(days=ahead)
        if not _is_working_day(hours, day):
            continue
        if ahead == 0 and local.time() >= hours.closes:
            continue
        if ahead == 0 and local.time() >= hours.opens:
            return now_utc
        return uk_local_to_utc(day, hours.opens)
    return None


def _clock(at: time) -> str:
    hour = at.hour % 12 or 12
    minutes = f".{at.minute:02d}" if at.minute else ""
    return f"{hour}{minutes}{'am' if at.hour < 12 else 'pm'}"


def when_team_sees(hours_text: str, now_utc: datetime) -> str:
    """Plain words for when a team will see something shared now, e.g. "on Monday at 9am"."""
    hours = parse_hours(hours_text)
    start = next_working_time(hours, now_utc) if hours else None
    if start is None:
        return f"in their working hours ({hours_text})" if hours_text else "in working hours"
    if start == now_utc:
        return f"during today's working hours, which end at {_clock(hours.closes)}"
    today, day = to_uk(now_utc).date(), to_uk(start).date()
    ahead = (day - today).days
    # A full date beyond tomorrow, so a weekend or bank holiday is never misread.
    when = ("today" if ahead == 0 else "tomorrow" if ahead == 1
            else f"on {day:%A} {day.day} {day:%B}")
    return f"{when} from {_clock(hours.opens)} at the earliest"
