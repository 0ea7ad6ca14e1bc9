"""Where a patient is in a scan's journey, worked out from dates alone."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

import holidays

from ..platform.clock import uk_today

STAGES = (
    "no-date",
    "before",
    "prepare",
    "scan-day",
    "afterwards",
    "waiting",
    "results-due",
    "overdue",
    "results-received",
)

DEFAULT_DUE = (7, 14)


@dataclass(frozen=True)
class Scan:
    """One scan as the patient entered it; nothing here is guessed."""

    kind: str
    appointment_utc: datetime | None = None
    fasting_hours: int | None = None
    results_expected_days: int | None = None
    results_received_on: date | None = None

    def __post_init__(self):
        when = self.appointment_utc
        if when is not None and (when.tzinfo is None or when.utcoffset() is None):
            raise ValueError("appointment_utc must be an aware datetime")
        for name in ("fasting_hours", "results_expected_days"):
            value = getattr(self, name)
            if value is not None and value < 1:
                raise ValueError(f"{name} must be at least 1, or None")


@dataclass(frozen=True)
class StageInfo:
    """The stage now, plus the dates and counts a page needs to explain it."""

    stage: str
    days_to_go: int | None = None
    waiting_day: int | None = None
    fast_from_utc: datetime | None = None
    due_from: date | None = None
    due_by: date | None = None
    chase_on: date | None = None
    # How long the patient was told results would take, if anyone told her.
    told_days: int | None = None


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    # England and Wales share one list of bank holidays.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def next_working_day(day: date) -> date:
    """The day itself, or the next one that is not a weekend or an England and Wales bank
    holiday: nobody answers the phone to ask about results on a Saturday."""
    while day.weekday() >= 5 or day in _bank_holidays(day.year):
        day += timedelta(days=1)
    return day


def scan_day(scan: Scan) -> date | None:
    """Return the UK calendar date of the appointment, if there is one."""
    if scan.appointment_utc is None:
        return None
    return uk_today(scan.appointment_utc)


def results_window(
    scan: Scan, default_due: tuple[int, int] = DEFAULT_DUE
) -> tuple[date, date] | None:
    """Return (due_from, due_by): when results usually arrive, in UK days.

    If the patient was told N days we trust that one date for both ends, so the
    chase date is the day after what they were told; otherwise the usual window.
    """
    day = scan_day(scan)
    if day is None:
        return None
    if scan.results_expected_days is not None:
        told = day + timedelta(days=scan.results_expected_days)
        return told, told
    first, last = default_due
    return day + timedelta(days=first), day + timedelta(days=last)


def results_overdue(
    scan: Scan, today: date, default_due: tuple[int, int] = DEFAULT_DUE
) -> bool:
    """Whether stage_for would say "overdue" on this UK day: the same answer, for a
    dashboard that asks it of a thousand patients at once."""
    if scan.results_received_on is not None:
        return False
    window = results_window(scan, default_due)
    # After the last day results were due, the appointment is always in the past.
    return window is not None and today > window[1]


def waiting_days(scan: Scan, now_utc: datetime) -> int | None:
    """Return UK days since the scan (0 on scan day), or None before the scan."""
    if scan.appointment_utc is None or now_utc < scan.appointment_utc:
        return None
    return (uk_today(now_utc) - scan_day(scan)).days


def stage_for(
    scan: Scan, now_utc: datetime, *, default_due: tuple[int, int] = DEFAULT_DUE
) -> StageInfo:
    """Work out the scan's stage at now_utc, counting days on the UK calendar.

    A results date always wins, even with no appointment or one still ahead:
    the patient says they have results, and that matters more than tidy data.
    """
    appointment = scan.appointment_utc
    fast_from = None
    if appointment is not None and scan.fasting_hours:
        # Real elapsed hours, so a clock change inside the window is handled.
        fast_from = appointment - timedelta(hours=scan.fasting_hours)
    window = results_window(scan, default_due)
    due_from, due_by = window if window else (None, None)
    dates = dict(
        fast_from_utc=fast_from,
        due_from=due_from,
        due_by=due_by,
        chase_on=next_working_day(due_by + timedelta(days=1)) if due_by else None,
        told_days=scan.results_expected_days,
    )

    if scan.results_received_on is not None:
        return StageInfo("results-received", **dates)
    if appointment is None:
        return StageInfo("no-date")

    today = uk_today(now_utc)
    day = scan_day(scan)
    if now_utc < appointment:
        to_go = (day - today).days
        if fast_from is not None and now_utc >= fast_from:
            stage = "prepare"
        elif today == day:
            stage = "scan-day"
        else:
            stage = "before"
        return StageInfo(stage, days_to_go=to_go, **dates)

    waited = (today - day).days
    if waited == 0:
        stage = "afterwards"
    elif today < due_from:
        stage = "waiting"
    elif today <= due_by:
        stage = "results-due"
    else:
        stage = "overdue"
    return StageInfo(stage, waiting_day=waited, **dates)
