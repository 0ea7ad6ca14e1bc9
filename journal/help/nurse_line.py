"""The nurse line's opening hours, and every help number in one place."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache

import holidays

from ..platform.clock import to_uk, uk_local_to_utc

OPENS = time(9)
CLOSES = time(17)
OPENS_TEXT = "9am"
CLOSES_TEXT = "5pm"
BANK_HOLIDAY_NOTE = "The nurse line is usually closed on bank holidays."


@dataclass(frozen=True)
class HelpLine:
    """A place to get help, with a link a phone can open."""

    key: str
    name: str
    number: str
    href: str
    description: str
    hours: str


HELP_LINES = (
    HelpLine(
        key="nurse-line",
        name="Cancer Research UK nurses",
        number="0808 800 4040",
        href="tel:+448088004040",
        description=(
            "Talk to a cancer nurse about your scan, your results or how you feel. "
            "The call is free."
        ),
        hours="9am to 5pm, Monday to Friday. Usually closed on bank holidays.",
    ),
    HelpLine(
        key="emergency",
        name="Emergency services",
        number="999",
        href="tel:999",
        description="Call 999 if you or someone else is in danger or very unwell right now.",
        hours="Any time, day or night.",
    ),
    HelpLine(
        key="nhs-111",
        name="NHS 111",
        number="111",
        href="tel:111",
        description=(
            "Call 111 or go online if you need help fast but it is not an emergency. "
            "In England, choose option 2 to reach your local mental health crisis team."
        ),
        hours="24 hours, every day.",
    ),
    HelpLine(
        key="samaritans",
        name="Samaritans",
        number="116 123",
        href="tel:116123",
        description="Talk to someone about how you feel, whatever it is. The call is free.",
        hours="24 hours, every day.",
    ),
    HelpLine(
        key="shout",
        name="Shout",
        number="Text SHOUT to 85258",
        href="sms:85258?body=SHOUT",
        description="If you would rather text than talk, send the word SHOUT. It is free.",
        hours="24 hours, every day.",
    ),
)


@dataclass(frozen=True)
class LineStatus:
    """Whether the nurse line is open now, and what to tell the patient."""

    is_open: bool
    text: str
    next_open_utc: datetime | None = None
    closes_utc: datetime | None = None
    holiday_name: str | None = None
    holiday_note: str | None = None
    # When the words above may next change: opening, closing, or UK midnight ("tomorrow"
    # becomes "today"), whichever comes first. A page left open asks again then.
    changes_utc: datetime | None = None


def help_line(key: str) -> HelpLine:
    """Return the help line with this key."""
    for line in HELP_LINES:
        if line.key == key:
            return line
    raise KeyError(key)


@lru_cache(maxsize=8)
def _bank_holidays(year: int) -> holidays.HolidayBase:
    # England and Wales share bank holidays; substitute days come as "(observed)".
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def bank_holiday(day: date) -> str | None:
    """Return the England and Wales bank holiday name for a day, or None."""
    name = _bank_holidays(day.year).get(day)
    if name is None:
        return None
    return name.replace("(observed)", "(substitute day)")


def _is_open_day(day: date) -> bool:
    return day.weekday() < 5 and bank_holiday(day) is None


def _opens_text(day: date, today: date, holiday_skipped: bool) -> str:
    ahead = (day - today).days
    if ahead == 0:
        when = "today"
    elif ahead == 1:
        when = "tomorrow"
    elif ahead < 7 and not holiday_skipped:
        when = f"{day:%A}"
    else:
        # A full date when a bank holiday moved the opening, so nobody misreads it.
        when = f"{day:%A} {day.day} {day:%B}"
    return f"Closed now. Opens {when} at {OPENS_TEXT}"


def _holiday_note(day: date, today: date, name: str) -> str:
    ahead = (day - today).days
    when = "Today" if ahead == 0 else "Tomorrow" if ahead == 1 else f"{day:%A}"
    return f"{when} is a bank holiday: {name}. {BANK_HOLIDAY_NOTE}"


def line_status(now_utc: datetime) -> LineStatus:
    """Return the nurse line's status at now_utc, using UK opening hours."""
    local = to_uk(now_utc)
    today = local.date()
    midnight = uk_local_to_utc(today + timedelta(days=1), time(0))
    if _is_open_day(today) and OPENS <= local.time() < CLOSES:
        closes = uk_local_to_utc(today, CLOSES)
        return LineStatus(
            is_open=True,
            text=f"Open now, until {CLOSES_TEXT}",
            closes_utc=closes,
            changes_utc=min(closes, midnight),
        )

    opens = today if local.time() < OPENS else today + timedelta(days=1)
    # Bank holidays last a few days at most, so this loop is short.
    while not _is_open_day(opens):
        opens += timedelta(days=1)
    # The weekday bank holiday, today or before the line opens, that explains the wait.
    between = (today + timedelta(days=n) for n in range((opens - today).days))
    holiday = next((d for d in between if d.weekday() < 5 and bank_holiday(d)), None)
    name = bank_holiday(holiday) if holiday else None
    next_open = uk_local_to_utc(opens, OPENS)
    return LineStatus(
        is_open=False,
        text=_opens_text(opens, today, holiday is not None),
        next_open_utc=next_open,
        changes_utc=min(next_open, midnight),
        holiday_name=name,
        holiday_note=_holiday_note(holiday, today, name) if holiday else None,
    )
