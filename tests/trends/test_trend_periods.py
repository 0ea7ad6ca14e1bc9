from datetime import date, timedelta

import pytest

from journal.trends.insights import wait_words
from journal.trends.periods import (
    DEFAULT_RANGE,
    MAX_SCAN_RANGE_DAYS,
    Period,
    period_for,
    range_key,
    wait_windows,
    week_windows,
)

TODAY = date(2025, 11, 20)


@pytest.mark.parametrize(
    ("raw", "has_scan_day", "expected"),
    [
        pytest.param("14", False, "14", id="fortnight"),
        pytest.param("30", True, "30", id="month"),
        pytest.param("90", False, "90", id="three-months"),
        pytest.param("scan", True, "scan", id="scan-with-a-date"),
        pytest.param("scan", False, DEFAULT_RANGE, id="scan-without-a-date-falls-back"),
        pytest.param(None, True, DEFAULT_RANGE, id="nothing-asked"),
        pytest.param("365", True, DEFAULT_RANGE, id="unknown-range"),
        pytest.param("14; DROP TABLE entries", True, DEFAULT_RANGE, id="nonsense"),
    ],
)
def test_range_key(raw, has_scan_day, expected):
    assert range_key(raw, has_scan_day) == expected


@pytest.mark.parametrize("days", [14, 30, 90])
def test_day_ranges_end_today_and_count_today(days):
    period = period_for(str(days), TODAY)

    assert period == Period(str(days), TODAY - timedelta(days=days - 1), TODAY)
    assert (period.end - period.start).days + 1 == days


@pytest.mark.parametrize(
    ("scan_day", "results_day", "start", "end"),
    [
        pytest.param(
            date(2025, 11, 10), None, date(2025, 11, 3), TODAY, id="still-waiting-ends-today"
        ),
        pytest.param(
            date(2025, 11, 1),
            date(2025, 11, 12),
            date(2025, 10, 25),
            date(2025, 11, 12),
            id="results-in-ends-on-results-day",
        ),
        pytest.param(
            date(2025, 11, 25), None, date(2025, 11, 18), date(2025, 11, 25), id="scan-still-ahead"
        ),
        pytest.param(
            date(2025, 11, 20), date(2025, 11, 20), date(2025, 11, 13), TODAY, id="same-day"
        ),
        pytest.param(
            date(2025, 11, 10),
            date(2025, 11, 5),
            date(2025, 11, 3),
            date(2025, 11, 10),
            id="results-before-scan-keeps-the-scan-in-view",
        ),
    ],
)
def test_scan_wait_runs_from_a_week_before_the_scan(scan_day, results_day, start, end):
    assert period_for("scan", TODAY, scan_day, results_day) == Period("scan", start, end)


def test_a_wait_that_never_ended_is_cut_to_the_latest_days():
    period = period_for("scan", TODAY, scan_day=TODAY - timedelta(days=400))

    assert period.end == TODAY
    assert (period.end - period.start).days + 1 == MAX_SCAN_RANGE_DAYS


def test_scan_wait_needs_a_scan_day():
    with pytest.raises(ValueError):
        period_for("scan", TODAY)


def test_weeks_are_the_last_seven_days_and_the_seven_before():
    (this_start, this_end), (last_start, last_end) = week_windows(TODAY)

    assert (this_start, this_end) == (date(2025, 11, 14), date(2025, 11, 21))
    assert (last_start, last_end) == (date(2025, 11, 7), date(2025, 11, 14))


def test_wait_windows_meet_without_gaps_or_overlaps():
    before, waiting, after = wait_windows(date(2025, 11, 3), date(2025, 11, 12), TODAY)

    assert before == (date(2025, 10, 27), date(2025, 11, 3))
    assert waiting == (date(2025, 11, 3), date(2025, 11, 12))
    assert after == (date(2025, 11, 12), TODAY + timedelta(days=1))


@pytest.mark.parametrize(
    ("scan_day", "results_day", "expected"),
    [
        pytest.param(None, None, "You have not saved a scan date yet.", id="no-scan"),
        pytest.param(
            date(2025, 11, 22), None, "Your scan is in 2 days, on Saturday 22 November.", id="ahead"
        ),
        pytest.param(
            date(2025, 11, 21), None, "Your scan is tomorrow, on Friday 21 November.", id="tomorrow"
        ),
        pytest.param(TODAY, None, "Your scan is today.", id="today"),
        pytest.param(
            date(2025, 11, 19),
            None,
            "You have waited 1 day since your scan on Wednesday 19 November.",
            id="one-day",
        ),
        pytest.param(
            date(2025, 11, 4),
            None,
            "You have waited 16 days since your scan on Tuesday 4 November.",
            id="still-waiting",
        ),
        pytest.param(
            date(2025, 11, 4),
            date(2025, 11, 13),
            "You waited 9 days for your results, from Tuesday 4 November to Thursday 13 November.",
            id="results-in",
        ),
        pytest.param(
            date(2025, 11, 4),
            date(2025, 11, 4),
            "Your results came on the day of your scan, Tuesday 4 November.",
            id="results-on-scan-day",
        ),
    ],
)
def test_wait_words(scan_day, results_day, expected):
    assert wait_words(scan_day, results_day, TODAY) == expected
