"""Which reminders are due at a moment: plain dates and times, no app and no database.

Every day is a UK calendar day and every wall-clock time is UK time; moments are aware UTC
datetimes, so a clock change moves the UTC instant and never the time the patient chose."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..platform.clock import to_uk, uk_local_to_utc
from ..scans.stages import DEFAULT_DUE, next_working_day

QUIET_FROM = time(21)
QUIET_UNTIL = time(8)
PER_DAY = 2

# When each scan nudge comes, in UK time: the evening before (time to read the letter's
# preparation), mid-morning on the first day results may come, and when phone lines are open
# on the chase day.
AT = {"scan-tomorrow": time(18), "results-may-come": time(10), "chase": time(9, 30)}
# Which nudges win when there are more than a day allows: asking about late results matters
# most, the daily check-in least.
PRIORITY = ("chase", "scan-tomorrow", "results-may-come", "daily")


@dataclass(frozen=True)
class Choices:
    """What the patient turned on; all off by default."""

    daily_at: time | None = None
    scan_nudges: bool = False
    quiet_from: time = QUIET_FROM
    quiet_until: time = QUIET_UNTIL
    per_day: int = PER_DAY


@dataclass(frozen=True)
class ScanDates:
    """The dates of one scan that reminders need."""

    scan_id: int
    appointment_utc: datetime | None
    results_expected_days: int | None = None
    results_received_on: date | None = None
    default_due: tuple[int, int] = DEFAULT_DUE


@dataclass(frozen=True)
class Nudge:
    """One reminder on one UK day; `key` is the same for it however often it is asked for."""

    kind: str
    day: date
    at_utc: datetime
    scan_id: int | None = None

    @property
    def key(self) -> str:
        return f"{self.day.isoformat()}:{self.kind}:{self.scan_id or 0}"


def is_quiet(moment: time, quiet_from: time, quiet_until: time) -> bool:
    """Whether a UK wall-clock time falls in the quiet hours (which may run past midnight)."""
    if quiet_from == quiet_until:
        return False
    if quiet_from < quiet_until:
        return quiet_from <= moment < quiet_until
    return moment >= quiet_from or moment < quiet_until


def scan_days(scan: ScanDates) -> dict[str, date]:
    """The UK days of a scan's nudges: the day before, the first results day, the chase day."""
    if scan.appointment_utc is None or scan.results_received_on is not None:
        return {}
    day = to_uk(scan.appointment_utc).date()
    if scan.results_expected_days is not None:
        first = last = day + timedelta(days=scan.results_expected_days)
    else:
        first, last = (day + timedelta(days=n) for n in scan.default_due)
    return {"scan-tomorrow": day - timedelta(days=1), "results-may-come": first,
            "chase": next_working_day(last + timedelta(days=1))}


def planned(choices: Choices, scans, day: date) -> list[Nudge]:
    """Every nudge the patient's choices make for one UK day, before quiet hours and the cap."""
    nudges = []
    if choices.daily_at is not None:
        nudges.append(Nudge("daily", day, uk_local_to_utc(day, choices.daily_at)))
    if choices.scan_nudges:
        for scan in scans:
            for kind, on in scan_days(scan).items():
                if on == day:
                    nudges.append(Nudge(kind, day, uk_local_to_utc(day, AT[kind]), scan.scan_id))
    return nudges


def _send_from(nudge: Nudge, choices: Choices) -> datetime | None:
    """When a nudge may go: its own time, or the end of quiet hours that same day; None if
    the quiet hours last until midnight, since a nudge never spills into the next day."""
    wall = to_uk(nudge.at_utc).time()
    if not is_quiet(wall, choices.quiet_from, choices.quiet_until):
        return nudge.at_utc
    if choices.quiet_from > choices.quiet_until and wall >= choices.quiet_from:
        return None
    return uk_local_to_utc(nudge.day, choices.quiet_until)


def due(choices: Choices, scans, now_utc: datetime, sent=frozenset()) -> list[Nudge]:
    """The nudges to send now: today's (UK) whose time has come, none in quiet hours, none
    already in `sent` (keys), and no more than the day's allowance counting those sent."""
    local = to_uk(now_utc)
    if is_quiet(local.time(), choices.quiet_from, choices.quiet_until):
        return []
    today = local.date()
    plan = planned(choices, scans, today)
    # Counted from what was sent, so turning a reminder off later does not free a place.
    already = sum(1 for key in sent if key.startswith(f"{today.isoformat()}:"))
    ready = [n for n in plan if n.key not in sent
             and (start := _send_from(n, choices)) is not None and start <= now_utc]
    ready.sort(key=lambda n: (PRIORITY.index(n.kind), n.at_utc, n.scan_id or 0))
    return ready[:max(0, choices.per_day - already)]
