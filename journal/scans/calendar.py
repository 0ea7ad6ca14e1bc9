"""Calendar files (RFC 5545) written by hand: a few events, nothing more."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

PRODID = "-//Waiting Well//Scan journey//EN"
LINE_LIMIT = 75  # octets, not counting the CRLF


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


def escape_text(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and line breaks."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets without splitting a UTF-8 character."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        # Continuation lines start with a space, which counts towards their 75.
        if size + width > LINE_LIMIT:
            out.append(current)
            current, size = " ", 1
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc_stamp(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("calendar times must be aware datetimes")
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _duration(delta: timedelta) -> str:
    """An RFC 5545 duration, to the minute: PT1H, -P1D, PT9H30M."""
    minutes = int(delta.total_seconds() / 60)
    if minutes == 0:
        return "PT0M"
    sign = "-" if minutes < 0 else ""
    days, rest = divmod(abs(minutes), 24 * 60)
    hours, minutes = divmod(rest, 60)
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return f"{sign}P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")


def _event_lines(event: Event, stamp: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{event.uid}", f"DTSTAMP:{stamp}"]
    if isinstance(event.start, datetime):
        lines.append(f"DTSTART:{_utc_stamp(event.start)}")
        if event.duration is not None:
            lines.append(f"DURATION:{_duration(event.duration)}")
    else:
        end = event.start + (event.duration or timedelta(days=1))
        lines += [f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}", f"DTEND;VALUE=DATE:{end:%Y%m%d}"]
        # An all-day reminder should not make the phone show the person as busy.
        lines.append("TRANSP:TRANSPARENT")
    lines.append(f"SUMMARY:{escape_text(event.summary)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    for alarm in event.alarms:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"TRIGGER:{_duration(alarm.offset)}",
            f"DESCRIPTION:{escape_text(alarm.description)}",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


def calendar(events, now: datetime) -> str:
    """The whole .ics file for these events, with CRLF line ends."""
    stamp = _utc_stamp(now)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH"]
    for event in events:
        lines += _event_lines(event, stamp)
    lines.append("END:VCALENDAR")
    return "\r\n".join(fold(line) for line in lines) + "\r\n"
