"""Time helpers: store and compare in UTC, reason about days in UK time."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")

# Fixed width with microseconds, so stored strings sort in time order.
_UTC_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def _require_aware(dt: datetime) -> None:
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {dt!r}")


def utc_now() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def to_uk(dt_utc: datetime) -> datetime:
    """Convert an aware datetime to UK local time."""
    _require_aware(dt_utc)
    return dt_utc.astimezone(UK)


def uk_today(now_utc: datetime) -> date:
    """Return the UK calendar date at the given instant."""
    return to_uk(now_utc).date()


def utc_iso(dt: datetime) -> str:
    """Format an aware datetime as a sortable UTC string."""
    _require_aware(dt)
    return dt.astimezone(UTC).strftime(_UTC_FORMAT)


def parse_utc(s: str) -> datetime:
    """Parse an ISO 8601 string with an offset (or Z) into an aware UTC datetime."""
    dt = datetime.fromisoformat(s)
    _require_aware(dt)
    return dt.astimezone(UTC)


def uk_local_to_utc(day: date, at: time) -> datetime:
    """Turn a UK wall-clock date and time into an aware UTC datetime.

    fold=0 (PEP 495) decides the two odd cases: a time in the spring-forward
    gap (01:30 on the last Sunday in March) reads as GMT, so it lands an hour
    later on the clock (02:30 BST); a time in the autumn fold (01:30 on the
    last Sunday in October happens twice) takes the first, earlier one (BST),
    so nobody is told to turn up late.
    """
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=UK)
    return local.astimezone(UTC)
