"""Which UK days a trend chart and its insights cover: plain dates in, plain dates out."""

from dataclasses import dataclass
from datetime import date, timedelta

# Range keys as they appear in the URL (never anything a person wrote), with their labels.
DAY_RANGES = {"14": 14, "30": 30, "90": 90}
SCAN_RANGE = "scan"
RANGE_LABELS = {"14": "14 days", "30": "30 days", "90": "90 days", SCAN_RANGE: "This scan's wait"}
DEFAULT_RANGE = "30"
# The scan's wait starts a week before the scan, so the run-up shows beside the wait.
LEAD_IN_DAYS = 7
# A wait that never ended (no results day saved) is cut to this many days.
MAX_SCAN_RANGE_DAYS = 180


@dataclass(frozen=True)
class Period:
    """The UK days a chart covers, first and last included."""

    key: str
    start: date
    end: date


def range_key(raw, has_scan_day):
    """The range asked for, or the default when it is unknown or needs a scan date."""
    if raw in DAY_RANGES or (raw == SCAN_RANGE and has_scan_day):
        return raw
    return DEFAULT_RANGE


def period_for(key, today, scan_day=None, results_day=None):
    """The days a range key covers on `today`; the scan's wait needs a scan day."""
    if key in DAY_RANGES:
        return Period(key, today - timedelta(days=DAY_RANGES[key] - 1), today)
    if key != SCAN_RANGE or scan_day is None:
        raise ValueError(f"no period for range {key!r} without a scan day")
    end = results_day if results_day is not None else today
    # A scan still ahead shows the days up to it, so its marker is on the chart.
    end = max(end, scan_day)
    start = max(scan_day - timedelta(days=LEAD_IN_DAYS), end - timedelta(MAX_SCAN_RANGE_DAYS - 1))
    return Period(key, start, end)


def week_windows(today):
    """(first day, day after the last) for this week and last week, this week ending today."""
    this_start = today - timedelta(days=6)
    last_start = this_start - timedelta(days=7)
    return (this_start, today + timedelta(days=1)), (last_start, this_start)


def wait_windows(scan_day, results_day, today):
    """(first day, day after the last) for the week before the scan, the wait, and since."""
    return (
        (scan_day - timedelta(days=LEAD_IN_DAYS), scan_day),
        (scan_day, results_day),
        (results_day, max(today, results_day) + timedelta(days=1)),
    )
