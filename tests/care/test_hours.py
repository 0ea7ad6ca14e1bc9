"""When a care team will see a shared entry, from its working hours as written."""

from datetime import date, time

import pytest

from journal.care.hours import WorkingHours, next_working_time, parse_hours, when_team_sees
from journal.platform.clock import uk_local_to_utc

WEEKDAYS = frozenset(range(5))


def uk(y, m, d, hh=0, mm=0):
    return uk_local_to_utc(date(y, m, d), time(hh, mm))


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("Monday to Friday, 9am to 5pm", WorkingHours(WEEKDAYS, time(9), time(17))),
        ("Mon-Fri 8:30am-4:30pm", WorkingHours(WEEKDAYS, time(8, 30), time(16, 30))),
        ("Monday to Thursday, 9 to 5", WorkingHours(frozenset(range(4)), time(9), time(17))),
        ("Saturday to Sunday 10am to 2pm", WorkingHours(frozenset({5, 6}), time(10), time(14))),
        ("Friday to Monday, 09.00 to 17.00",
         WorkingHours(frozenset({4, 5, 6, 0}), time(9), time(17))),
        ("Every day", None),
        ("Monday to Friday, 5pm to 9am", None),
        ("Monday, 13pm to 14pm", None),
        ("", None),
    ],
)
def test_parse_hours(text, hours):
    assert parse_hours(text) == hours


TEAM = parse_hours("Monday to Friday, 9am to 5pm")


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        pytest.param(uk(2026, 12, 3, 7), uk(2026, 12, 3, 9), id="thursday-early"),
        pytest.param(uk(2026, 12, 3, 10), uk(2026, 12, 3, 10), id="thursday-at-work"),
        pytest.param(uk(2026, 12, 3, 17), uk(2026, 12, 4, 9), id="thursday-at-close"),
        pytest.param(uk(2026, 12, 4, 18), uk(2026, 12, 7, 9), id="friday-evening"),
        pytest.param(uk(2026, 12, 5, 23, 30), uk(2026, 12, 7, 9), id="saturday-night"),
        # Christmas Day, then Boxing Day's substitute Monday: the team is back on Tuesday.
        pytest.param(uk(2026, 12, 24, 18), uk(2026, 12, 29, 9), id="christmas"),
        # The clocks go forward on Sunday 29 March 2026: Monday 9am is 8am in UTC.
        pytest.param(uk(2026, 3, 27, 18), uk(2026, 3, 30, 9), id="clock-change"),
    ],
)
def test_next_working_time(now, expected):
    assert next_working_time(TEAM, now) == expected


@pytest.mark.parametrize(
    ("now", "words"),
    [
        (uk(2026, 12, 3, 7), "today from 9am at the earliest"),
        (uk(2026, 12, 3, 10), "during today's working hours, which end at 5pm"),
        (uk(2026, 12, 3, 18), "tomorrow from 9am at the earliest"),
        (uk(2026, 12, 4, 18), "on Monday 7 December from 9am at the earliest"),
        (uk(2026, 12, 24, 18), "on Tuesday 29 December from 9am at the earliest"),
    ],
)
def test_when_team_sees(now, words):
    assert when_team_sees("Monday to Friday, 9am to 5pm", now) == words


def test_hours_that_cannot_be_read_are_shown_as_written():
    assert when_team_sees("Ring the ward first", uk(2026, 12, 4, 18)) == (
        "in their working hours (Ring the ward first)")
    assert when_team_sees("Mon-Fri 8:30am-4:30pm", uk(2026, 12, 4, 18)) == (
        "on Monday 7 December from 8.30am at the earliest")
