from datetime import UTC, date, datetime, time

import pytest

from journal.help.nurse_line import HELP_LINES, bank_holiday, help_line, line_status
from journal.platform.clock import uk_local_to_utc

OPEN = "Open now, until 5pm"
TODAY = "Closed now. Opens today at 9am"
TOMORROW = "Closed now. Opens tomorrow at 9am"
MONDAY = "Closed now. Opens Monday at 9am"
TUESDAY_29 = "Closed now. Opens Tuesday 29 December at 9am"


def uk(y, m, d, hh=0, mm=0, ss=0):
    return uk_local_to_utc(date(y, m, d), time(hh, mm, ss))


def utc(*args):
    return datetime(*args, tzinfo=UTC)


OPEN_CASES = [
    # Wednesday 25 November 2026 (GMT).
    pytest.param(uk(2026, 11, 25, 9), uk(2026, 11, 25, 17), id="opens-at-9-exactly"),
    pytest.param(uk(2026, 11, 25, 16, 59), uk(2026, 11, 25, 17), id="open-at-16-59"),
    pytest.param(uk(2026, 11, 25, 16, 59, 59), uk(2026, 11, 25, 17), id="open-last-second"),
    pytest.param(uk(2026, 12, 29, 9), uk(2026, 12, 29, 17), id="open-after-christmas"),
    pytest.param(uk(2027, 3, 22, 10), uk(2027, 3, 22, 17), id="monday-before-easter-2027"),
    # 08:30 UTC on Monday 30 March 2026 is 09:30 BST.
    pytest.param(utc(2026, 3, 30, 8, 30), utc(2026, 3, 30, 16), id="spring-0930-bst-is-0830-utc"),
    # 15:59 UTC on Friday 23 October 2026 is 16:59 BST.
    pytest.param(utc(2026, 10, 23, 15, 59), utc(2026, 10, 23, 16), id="autumn-1659-bst"),
    pytest.param(utc(2026, 10, 26, 9), utc(2026, 10, 26, 17), id="autumn-first-gmt-morning"),
]


@pytest.mark.parametrize(("now", "closes"), OPEN_CASES)
def test_line_is_open(now, closes):
    status = line_status(now)
    assert status.is_open
    assert status.text == OPEN
    assert status.closes_utc == closes
    assert status.next_open_utc is None
    assert status.holiday_name is None


CLOSED_CASES = [
    pytest.param(uk(2026, 11, 25), TODAY, uk(2026, 11, 25, 9), None, id="weekday-midnight"),
    pytest.param(uk(2026, 11, 25, 8, 59), TODAY, uk(2026, 11, 25, 9), None, id="weekday-0859"),
    pytest.param(uk(2026, 11, 25, 17), TOMORROW, uk(2026, 11, 26, 9), None, id="closes-at-17"),
    pytest.param(uk(2026, 11, 25, 23, 59), TOMORROW, uk(2026, 11, 26, 9), None, id="weekday-late"),
    pytest.param(uk(2026, 11, 27, 17), MONDAY, uk(2026, 11, 30, 9), None, id="friday-evening"),
    pytest.param(uk(2026, 11, 28, 12), MONDAY, uk(2026, 11, 30, 9), None, id="saturday"),
    pytest.param(uk(2026, 11, 29, 12), TOMORROW, uk(2026, 11, 30, 9), None, id="sunday"),
    pytest.param(
        uk(2026, 12, 24, 17, 30), TUESDAY_29, uk(2026, 12, 29, 9), "Christmas Day", id="xmas-eve"
    ),
    pytest.param(
        uk(2026, 12, 25, 10), TUESDAY_29, uk(2026, 12, 29, 9), "Christmas Day", id="christmas-fri"
    ),
    pytest.param(
        uk(2026, 12, 26, 10),
        TUESDAY_29,
        uk(2026, 12, 29, 9),
        "Boxing Day (substitute day)",
        id="boxing-day-saturday",
    ),
    pytest.param(
        uk(2026, 12, 28, 10),
        TOMORROW,
        uk(2026, 12, 29, 9),
        "Boxing Day (substitute day)",
        id="substitute-boxing-day-monday",
    ),
    pytest.param(
        uk(2026, 12, 31, 17),
        "Closed now. Opens Monday 4 January at 9am",
        uk(2027, 1, 4, 9),
        "New Year's Day",
        id="new-years-eve-evening",
    ),
    pytest.param(
        uk(2027, 3, 26, 10),
        "Closed now. Opens Tuesday 30 March at 9am",
        utc(2027, 3, 30, 8),  # BST has begun by then
        "Good Friday",
        id="good-friday-2027",
    ),
    pytest.param(
        utc(2027, 3, 29, 8, 30),  # 09:30 BST
        TOMORROW,
        utc(2027, 3, 30, 8),
        "Easter Monday",
        id="easter-monday-2027",
    ),
    pytest.param(
        uk(2026, 5, 22, 17, 30),
        "Closed now. Opens Tuesday 26 May at 9am",
        uk(2026, 5, 26, 9),
        "Spring Bank Holiday",
        id="friday-before-spring-bank-holiday",
    ),
    # 07:59 UTC on Monday 30 March 2026 is 08:59 BST.
    pytest.param(utc(2026, 3, 30, 7, 59), TODAY, utc(2026, 3, 30, 8), None, id="spring-0859-bst"),
    # 16:00 UTC on Monday 30 March 2026 is 17:00 BST.
    pytest.param(utc(2026, 3, 30, 16), TOMORROW, utc(2026, 3, 31, 8), None, id="spring-1700-bst"),
    # Friday 27 March 2026 is GMT; the next Monday is BST.
    pytest.param(utc(2026, 3, 27, 17), MONDAY, utc(2026, 3, 30, 8), None, id="spring-weekend"),
    # 16:30 UTC on Friday 23 October 2026 is 17:30 BST; the next Monday is GMT.
    pytest.param(utc(2026, 10, 23, 16, 30), MONDAY, utc(2026, 10, 26, 9), None, id="autumn-fri"),
    pytest.param(utc(2026, 10, 26, 8, 30), TODAY, utc(2026, 10, 26, 9), None, id="autumn-0830-gmt"),
]


@pytest.mark.parametrize(("now", "text", "next_open", "holiday"), CLOSED_CASES)
def test_line_is_closed(now, text, next_open, holiday):
    status = line_status(now)
    assert not status.is_open
    assert status.text == text
    assert status.next_open_utc == next_open
    assert status.closes_utc is None
    assert status.holiday_name == holiday
    if holiday:
        assert holiday in status.holiday_note
        assert "usually closed on bank holidays" in status.holiday_note
    else:
        assert status.holiday_note is None


@pytest.mark.parametrize(
    ("now", "starts"),
    [
        pytest.param(uk(2026, 12, 28, 10), "Today is a bank holiday", id="today"),
        pytest.param(uk(2026, 12, 24, 17, 30), "Tomorrow is a bank holiday", id="tomorrow"),
        pytest.param(uk(2026, 5, 22, 17, 30), "Monday is a bank holiday", id="monday"),
    ],
)
def test_holiday_note_says_when(now, starts):
    assert line_status(now).holiday_note.startswith(starts)


@pytest.mark.parametrize(
    ("day", "name"),
    [
        pytest.param(date(2026, 12, 28), "Boxing Day (substitute day)", id="substitute-boxing-day"),
        pytest.param(date(2027, 12, 27), "Christmas Day (substitute day)", id="substitute-xmas"),
        pytest.param(date(2026, 8, 31), "Late Summer Bank Holiday", id="august"),
        pytest.param(date(2026, 3, 17), None, id="st-patricks-not-in-england"),
        pytest.param(date(2026, 11, 30), None, id="st-andrews-not-in-england"),
        pytest.param(date(2026, 11, 25), None, id="ordinary-day"),
    ],
)
def test_bank_holidays_are_england_and_wales(day, name):
    assert bank_holiday(day) == name


def test_line_status_refuses_naive_time():
    with pytest.raises(ValueError):
        line_status(datetime(2026, 11, 25, 10))


def test_help_lines_have_the_right_links():
    links = {line.key: (line.number, line.href) for line in HELP_LINES}
    assert links == {
        "nurse-line": ("0808 800 4040", "tel:+448088004040"),
        "emergency": ("999", "tel:999"),
        "nhs-111": ("111", "tel:111"),
        "samaritans": ("116 123", "tel:116123"),
        "shout": ("Text SHOUT to 85258", "sms:85258?body=SHOUT"),
    }


def test_help_lines_say_what_they_are_for_and_when():
    for line in HELP_LINES:
        assert line.name and line.description and line.hours
    assert "option 2" in help_line("nhs-111").description
    assert "free" in help_line("samaritans").description


def test_help_line_lookup_by_key():
    assert help_line("shout").name == "Shout"
    with pytest.raises(KeyError):
        help_line("nope")


CHANGE_CASES = [
    # Open on a Wednesday: the words change at closing time.
    pytest.param(uk(2026, 11, 25, 16, 59), uk(2026, 11, 25, 17), id="open-changes-at-close"),
    # Closed in the evening: "Opens tomorrow" becomes "Opens today" at midnight.
    pytest.param(uk(2026, 11, 25, 18), uk(2026, 11, 26, 0), id="evening-changes-at-midnight"),
    # Closed early in the morning: the line opens before midnight comes round again.
    pytest.param(uk(2026, 11, 26, 7, 30), uk(2026, 11, 26, 9), id="morning-changes-at-opening"),
    # Saturday: "Opens Monday" becomes "Opens tomorrow" at midnight on Sunday morning.
    pytest.param(uk(2026, 11, 28, 12), uk(2026, 11, 29, 0), id="weekend-changes-at-midnight"),
    # 23:30 BST on Saturday 24 October 2026: the next UK midnight is still BST.
    pytest.param(utc(2026, 10, 24, 22, 30), utc(2026, 10, 24, 23), id="midnight-in-bst"),
]


@pytest.mark.parametrize(("now", "changes"), CHANGE_CASES)
def test_status_says_when_its_words_next_change(now, changes):
    status = line_status(now)
    assert status.changes_utc == changes
    # Just before that moment the words are the same; at it, they differ.
    before = line_status(changes - (changes - now) / 2)
    assert before.text == status.text
    assert line_status(changes).text != status.text
