from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journal.platform.clock import uk_local_to_utc, uk_today
from journal.scans.stages import (
    STAGES,
    Scan,
    StageInfo,
    next_working_day,
    results_overdue,
    results_window,
    scan_day,
    stage_for,
    waiting_days,
)


def uk(y, m, d, hh=0, mm=0, ss=0):
    return uk_local_to_utc(date(y, m, d), time(hh, mm, ss))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def window(due_from, due_by, chase_on):
    return {"due_from": due_from, "due_by": due_by, "chase_on": chase_on}


# Wednesday 18 November 2026, 10:00 GMT. Results usually due 25 Nov to 2 Dec.
APPT = uk(2026, 11, 18, 10)
DUE = window(date(2026, 11, 25), date(2026, 12, 2), date(2026, 12, 3))
TOLD_10 = window(date(2026, 11, 28), date(2026, 11, 28), date(2026, 11, 30))  # the 29th is a Sunday
SPRING = Scan("ct-scan", appointment_utc=uk(2026, 3, 29, 9), fasting_hours=6)
SPRING_DUE = window(date(2026, 4, 5), date(2026, 4, 12), date(2026, 4, 13))
AUTUMN = Scan("ct-scan", appointment_utc=uk(2026, 10, 26, 9))
AUTUMN_DUE = window(date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 10))
OCTOBER = Scan("liver-ultrasound", appointment_utc=uk(2026, 10, 20, 10))
OCTOBER_DUE = window(date(2026, 10, 27), date(2026, 11, 3), date(2026, 11, 4))


def scan(**fields):
    return Scan(kind="liver-ultrasound", **{"appointment_utc": APPT, **fields})


def expect(stage, dates=None, **fields):
    """The StageInfo we expect; any field not named must be None."""
    return StageInfo(stage, **(dates or {}), **fields)


CASES = [
    pytest.param(Scan("liver-ultrasound"), uk(2026, 11, 18), expect("no-date"), id="no-date"),
    pytest.param(
        Scan("ct-scan", fasting_hours=6, results_expected_days=5),
        uk(2026, 11, 18),
        expect("no-date"),
        id="no-date-ignores-fasting-and-told-days",
    ),
    pytest.param(
        scan(), uk(2026, 11, 11, 12), expect("before", DUE, days_to_go=7), id="a-week-before"
    ),
    pytest.param(
        scan(),
        uk(2026, 11, 17, 23, 59, 59),
        expect("before", DUE, days_to_go=1),
        id="last-second-of-day-before",
    ),
    pytest.param(
        scan(fasting_hours=6),
        uk(2026, 11, 17, 20),
        expect("before", DUE, days_to_go=1, fast_from_utc=uk(2026, 11, 18, 4)),
        id="before-fasting-starts",
    ),
    pytest.param(
        scan(), uk(2026, 11, 18), expect("scan-day", DUE, days_to_go=0), id="scan-day-at-midnight"
    ),
    pytest.param(
        scan(),
        uk(2026, 11, 18, 9, 59),
        expect("scan-day", DUE, days_to_go=0),
        id="scan-day-a-minute-before",
    ),
    pytest.param(
        scan(fasting_hours=6),
        uk(2026, 11, 18, 3, 59),
        expect("scan-day", DUE, days_to_go=0, fast_from_utc=uk(2026, 11, 18, 4)),
        id="scan-day-a-minute-before-fasting",
    ),
    pytest.param(
        scan(fasting_hours=6),
        uk(2026, 11, 18, 4),
        expect("prepare", DUE, days_to_go=0, fast_from_utc=uk(2026, 11, 18, 4)),
        id="prepare-same-morning",
    ),
    pytest.param(
        scan(fasting_hours=14),
        uk(2026, 11, 17, 19, 59),
        expect("before", DUE, days_to_go=1, fast_from_utc=uk(2026, 11, 17, 20)),
        id="a-minute-before-evening-fast",
    ),
    pytest.param(
        scan(fasting_hours=14),
        uk(2026, 11, 17, 20),
        expect("prepare", DUE, days_to_go=1, fast_from_utc=uk(2026, 11, 17, 20)),
        id="prepare-starts-evening-before",
    ),
    pytest.param(
        scan(fasting_hours=14),
        uk(2026, 11, 18),
        expect("prepare", DUE, days_to_go=0, fast_from_utc=uk(2026, 11, 17, 20)),
        id="prepare-through-midnight",
    ),
    pytest.param(
        scan(fasting_hours=6),
        APPT,
        expect("afterwards", DUE, waiting_day=0, fast_from_utc=uk(2026, 11, 18, 4)),
        id="fasting-ends-at-appointment",
    ),
    pytest.param(
        scan(), APPT, expect("afterwards", DUE, waiting_day=0), id="afterwards-at-appointment"
    ),
    pytest.param(
        scan(),
        uk(2026, 11, 18, 23, 59, 59),
        expect("afterwards", DUE, waiting_day=0),
        id="afterwards-last-second",
    ),
    pytest.param(
        scan(), uk(2026, 11, 19), expect("waiting", DUE, waiting_day=1), id="waiting-from-midnight"
    ),
    pytest.param(
        scan(), uk(2026, 11, 24, 23, 59), expect("waiting", DUE, waiting_day=6), id="waiting-day-6"
    ),
    pytest.param(
        scan(),
        uk(2026, 11, 25),
        expect("results-due", DUE, waiting_day=7),
        id="due-from-midnight-day-7",
    ),
    pytest.param(
        scan(),
        uk(2026, 12, 2, 23, 59),
        expect("results-due", DUE, waiting_day=14),
        id="due-last-minute-day-14",
    ),
    pytest.param(
        scan(), uk(2026, 12, 3), expect("overdue", DUE, waiting_day=15), id="overdue-from-day-15"
    ),
    pytest.param(
        scan(),
        uk(2026, 12, 4, 12),
        expect("overdue", DUE, waiting_day=16),
        id="overdue-16-days-no-results",
    ),
    pytest.param(
        scan(results_expected_days=10),
        uk(2026, 11, 27),
        expect("waiting", TOLD_10, waiting_day=9, told_days=10),
        id="told-10-days-day-9-waiting",
    ),
    pytest.param(
        scan(results_expected_days=10),
        uk(2026, 11, 28, 12),
        expect("results-due", TOLD_10, waiting_day=10, told_days=10),
        id="told-10-days-day-10-due",
    ),
    pytest.param(
        scan(results_expected_days=10),
        uk(2026, 11, 29),
        expect("overdue", TOLD_10, waiting_day=11, told_days=10),
        id="told-10-days-day-11-overdue",
    ),
    pytest.param(
        scan(results_expected_days=3),
        uk(2026, 11, 22),
        expect(
            "overdue",
            window(date(2026, 11, 21), date(2026, 11, 21), date(2026, 11, 23)),  # not Sunday
            waiting_day=4,
            told_days=3,
        ),
        id="told-3-days-overdue-on-day-4",
    ),
    pytest.param(
        scan(), uk(2026, 11, 22), expect("waiting", DUE, waiting_day=4), id="default-waits-on-day-4"
    ),
    pytest.param(
        scan(results_expected_days=1),
        uk(2026, 11, 19, 8),
        expect(
            "results-due",
            window(date(2026, 11, 19), date(2026, 11, 19), date(2026, 11, 20)),
            waiting_day=1,
            told_days=1,
        ),
        id="told-1-day-due-next-day",
    ),
    pytest.param(
        scan(results_received_on=date(2026, 11, 26)),
        uk(2026, 11, 27),
        expect("results-received", DUE),
        id="results-received-while-waiting",
    ),
    pytest.param(
        scan(results_received_on=date(2026, 12, 10)),
        uk(2026, 12, 20),
        expect("results-received", DUE),
        id="results-received-wins-over-overdue",
    ),
    pytest.param(
        scan(results_received_on=date(2026, 11, 18)),
        uk(2026, 11, 18, 15),
        expect("results-received", DUE),
        id="results-received-on-scan-day",
    ),
    pytest.param(
        Scan("liver-ultrasound", results_received_on=date(2026, 11, 26)),
        uk(2026, 11, 27),
        expect("results-received"),
        id="results-received-without-appointment",
    ),
    pytest.param(
        scan(results_received_on=date(2026, 11, 1), fasting_hours=6),
        uk(2026, 11, 10),
        expect("results-received", DUE, fast_from_utc=uk(2026, 11, 18, 4)),
        id="results-before-appointment-data-error-still-received",
    ),
    # Spring forward, Sunday 29 March 2026: 01:00 GMT becomes 02:00 BST.
    pytest.param(
        Scan("ct-scan", appointment_utc=uk(2026, 3, 30, 9)),
        utc(2026, 3, 29, 23, 30),  # 00:30 BST on Monday 30 March
        expect(
            "scan-day",
            window(date(2026, 4, 6), date(2026, 4, 13), date(2026, 4, 14)),
            days_to_go=0,
        ),
        id="spring-uk-scan-day-while-utc-date-behind",
    ),
    pytest.param(
        SPRING,
        utc(2026, 3, 29, 1, 59),  # 02:59 BST
        expect("scan-day", SPRING_DUE, days_to_go=0, fast_from_utc=utc(2026, 3, 29, 2)),
        id="spring-a-minute-before-fasting",
    ),
    pytest.param(
        SPRING,
        utc(2026, 3, 29, 2),  # 03:00 BST: 6 real hours before 09:00 BST
        expect("prepare", SPRING_DUE, days_to_go=0, fast_from_utc=utc(2026, 3, 29, 2)),
        id="spring-fasting-counts-real-hours",
    ),
    pytest.param(
        Scan("liver-ultrasound", appointment_utc=uk(2026, 3, 27, 10)),
        utc(2026, 4, 2, 23, 30),  # 00:30 BST on 3 April, day 7
        expect(
            "results-due",
            window(date(2026, 4, 3), date(2026, 4, 10), date(2026, 4, 13)),  # not Saturday
            waiting_day=7,
        ),
        id="spring-due-by-uk-date-not-utc-date",
    ),
    # Fall back, Sunday 25 October 2026: 02:00 BST becomes 01:00 GMT.
    pytest.param(
        AUTUMN,
        utc(2026, 10, 24, 23, 30),  # 00:30 BST on Sunday 25 October
        expect("before", AUTUMN_DUE, days_to_go=1),
        id="autumn-uk-date-ahead-of-utc-date",
    ),
    pytest.param(
        AUTUMN,
        utc(2026, 10, 25, 23, 59),  # 23:59 GMT on Sunday
        expect("before", AUTUMN_DUE, days_to_go=1),
        id="autumn-late-sunday-one-day-to-go",
    ),
    pytest.param(
        AUTUMN,
        utc(2026, 10, 26),
        expect("scan-day", AUTUMN_DUE, days_to_go=0),
        id="autumn-scan-day-from-gmt-midnight",
    ),
    pytest.param(
        Scan("ct-scan", appointment_utc=uk(2026, 10, 25, 9), fasting_hours=8),
        utc(2026, 10, 25, 1),  # 01:00 GMT, the second 01:00 that night
        expect(
            "prepare",
            window(date(2026, 11, 1), date(2026, 11, 8), date(2026, 11, 9)),
            days_to_go=0,
            fast_from_utc=utc(2026, 10, 25, 1),
        ),
        id="autumn-fasting-across-repeated-hour",
    ),
    pytest.param(
        OCTOBER,
        utc(2026, 11, 3, 23, 59),
        expect("results-due", OCTOBER_DUE, waiting_day=14),
        id="autumn-last-due-day-in-gmt",
    ),
    pytest.param(
        OCTOBER,
        utc(2026, 11, 4),
        expect("overdue", OCTOBER_DUE, waiting_day=15),
        id="autumn-overdue-at-gmt-midnight",
    ),
]


@pytest.mark.parametrize(("given", "now", "expected"), CASES)
def test_stage_for(given, now, expected):
    assert stage_for(given, now) == expected


def test_every_stage_is_covered_by_the_table():
    assert {case.values[2].stage for case in CASES} == set(STAGES)


@pytest.mark.parametrize(
    ("now", "stage"),
    [
        pytest.param(uk(2026, 11, 20), "waiting", id="day-2-waiting"),
        pytest.param(uk(2026, 11, 21), "results-due", id="day-3-due"),
        pytest.param(uk(2026, 11, 23, 23, 59), "results-due", id="day-5-due"),
        pytest.param(uk(2026, 11, 24), "overdue", id="day-6-overdue"),
    ],
)
def test_pack_default_window_can_be_passed_in(now, stage):
    assert stage_for(scan(), now, default_due=(3, 5)).stage == stage


def test_appointment_just_after_midnight_belongs_to_the_uk_day():
    # 23:30 UTC on 24 October 2026 is 00:30 BST on 25 October.
    late = Scan("ct-scan", appointment_utc=utc(2026, 10, 24, 23, 30))
    assert scan_day(late) == date(2026, 10, 25)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(uk(2026, 11, 18, 9, 59), None, id="before-appointment"),
        pytest.param(APPT, 0, id="at-appointment"),
        pytest.param(uk(2026, 12, 4), 16, id="day-16"),
    ],
)
def test_waiting_days(now, expected):
    assert waiting_days(scan(), now) == expected


def test_waiting_days_needs_an_appointment():
    assert waiting_days(Scan("ct-scan"), uk(2026, 11, 18)) is None


def test_results_window_without_appointment_is_none():
    assert results_window(Scan("ct-scan", results_expected_days=5)) is None


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"appointment_utc": datetime(2026, 11, 18, 10)}, id="naive-appointment"),
        pytest.param({"fasting_hours": 0}, id="zero-fasting"),
        pytest.param({"results_expected_days": -1}, id="negative-results-days"),
    ],
)
def test_scan_refuses_nonsense(fields):
    with pytest.raises(ValueError):
        Scan("liver-ultrasound", **fields)


@given(
    appointment=st.one_of(st.none(), st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))),
    told_days=st.one_of(st.none(), st.integers(1, 60)),
    received_after=st.one_of(st.none(), st.integers(-5, 60)),
    now=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 6, 30),
                     timezones=st.just(UTC)),
)
def test_results_overdue_agrees_with_the_stage(appointment, told_days, received_after, now):
    """The dashboard's quick overdue check says what the full stage says, on every UK day."""
    received = None
    if appointment is not None and received_after is not None:
        received = scan_day(Scan("liver-ultrasound", appointment)) + timedelta(received_after)
    scan = Scan("liver-ultrasound", appointment, fasting_hours=6,
                results_expected_days=told_days, results_received_on=received)
    expected = stage_for(scan, now).stage == "overdue"
    assert results_overdue(scan, uk_today(now)) == expected


@pytest.mark.parametrize(("day", "working"), [
    (date(2026, 12, 2), date(2026, 12, 2)),    # a Wednesday stays
    (date(2026, 12, 5), date(2026, 12, 7)),    # Saturday -> Monday
    (date(2026, 12, 6), date(2026, 12, 7)),    # Sunday -> Monday
    (date(2026, 12, 25), date(2026, 12, 29)),  # Christmas, the weekend, Boxing Day observed
    (date(2026, 4, 3), date(2026, 4, 7)),      # Good Friday, weekend, Easter Monday
    (date(2026, 8, 31), date(2026, 9, 1)),     # summer bank holiday (England and Wales)
])
def test_next_working_day_skips_weekends_and_bank_holidays(day, working):
    assert next_working_day(day) == working


def test_the_day_to_ask_about_results_is_a_working_day():
    # Results due by Friday 4 December 2026: the day after is a Saturday.
    scan = Scan(kind="liver-ultrasound",
                appointment_utc=uk_local_to_utc(date(2026, 11, 24), time(10)),
                results_expected_days=10)
    info = stage_for(scan, uk_local_to_utc(date(2026, 11, 30), time(12)))
    assert info.due_by == date(2026, 12, 4)
    assert info.chase_on == date(2026, 12, 7)
