"""Calendar files (RFC 5545) through the icalendar library: a few events, nothing more."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import icalendar

PRODID = "-//Waiting Well//Scan journey//EN"


@dataclass(frozen=True)
class Alarm:
    """A reminder at a set offset from the event's start (negative: before it)."""

    offset: timedelta
    description: str


@dataclass(frozen=True)
class Event:
    """One event: a timed one (aware start) or an all-day one (a date)."""

    uid: str
    summary: str
    start: datetime | date
    duration: timedelta | None = None
    description: str = ""
    location: str = ""
    alarms: tuple[Alarm, ...] = field(default_factory=tuple)


def _in_utc(moment: datetime) -> datetime:
    # UTC everywhere: a phone shows it in its own zone, and no VTIMEZONE is needed.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("calendar times must be aware datetimes")
    return moment.astimezone(UTC)


def _event(event: Event, stamp: datetime) -> icalendar.Event:
    out = icalendar.Event()
    out.add("uid", event.uid)
    out.add("dtstamp", stamp)
    if isinstance(event.start, datetime):
        out.add("dtstart", _in_utc(event.start))
        if event.duration is not None:
            out.add("duration", event.duration)
    else:
        out.add("dtstart", event.start)
        out.add("dtend", event.start + (event.duration or timedelta(days=1)))
        # An all-day reminder should not make the phone show the person as busy.
        out.add("transp", "TRANSPARENT")
    out.add("summary", event.summary)
    if event.description:
        out.add("description", event.description)
    if event.location:
        out.add("location", event.location)
    for alarm in event.alarms:
        reminder = icalendar.Alarm()
        reminder.add("action", "DISPLAY")
        reminder.add("trigger", alarm.offset)
        reminder.add("description", alarm.description)
        out.add_component(reminder)
    return out


def calendar(events, now: datetime) -> str:
    """The whole .ics file for these events, with CRLF line ends."""
    cal = icalendar.Calendar()
    for name, value in (("version", "2.0"), ("prodid", PRODID), ("calscale", "GREGORIAN"),
                        ("method", "PUBLISH")):
        cal.add(name, value)
    stamp = _in_utc(now)
    for event in events:
        cal.add_component(_event(event, stamp))
    return cal.to_ical().decode()
