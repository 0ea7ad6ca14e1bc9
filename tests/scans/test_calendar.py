from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest

from journal.scans.calendar import Alarm, Event, calendar

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def unfold(text):
    return text.replace("\r\n ", "")


def test_timed_event_in_utc_with_alarms():
    event = Event(
        uid="scan-1-appointment@waiting-well",
        summary="Liver ultrasound",
        start=datetime(2026, 11, 18, 10, 0, tzinfo=UTC),
        duration=timedelta(hours=1),
        description="Take your letter.",
        location="St Elsewhere, Ward 4",
        alarms=(Alarm(-timedelta(days=1), "Tomorrow."), Alarm(-timedelta(hours=6), "Stop eating.")),
    )
    text = calendar([event], NOW)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert text.endswith("END:VCALENDAR\r\n")
    lines = text.split("\r\n")
    for expected in [
        "BEGIN:VEVENT",
        "UID:scan-1-appointment@waiting-well",
        "DTSTAMP:20261101T120000Z",
        "DTSTART:20261118T100000Z",
        "DURATION:PT1H",
        "SUMMARY:Liver ultrasound",
        "LOCATION:St Elsewhere\\, Ward 4",
        "TRIGGER:-P1D",
        "TRIGGER:-PT6H",
        "ACTION:DISPLAY",
        "END:VEVENT",
    ]:
        assert expected in lines
    assert lines.count("BEGIN:VALARM") == 2 == lines.count("END:VALARM")


def test_bst_time_is_written_in_utc():
    from zoneinfo import ZoneInfo

    start = datetime(2026, 6, 10, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    text = calendar([Event(uid="u", summary="s", start=start)], NOW)
    assert "DTSTART:20260610T083000Z" in text.split("\r\n")


def test_all_day_event_ends_next_day_and_is_free_time():
    event = Event(uid="c", summary="Ask", start=date(2026, 12, 3),
                  alarms=(Alarm(timedelta(hours=9), "Ask now."),))
    lines = calendar([event], NOW).split("\r\n")
    assert "DTSTART;VALUE=DATE:20261203" in lines
    assert "DTEND;VALUE=DATE:20261204" in lines
    assert "TRANSP:TRANSPARENT" in lines
    assert "TRIGGER:PT9H" in lines


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        calendar([Event(uid="u", summary="s", start=datetime(2026, 1, 1, 9))], NOW)


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a, b; c", "a\\, b\\; c"),
        ("back\\slash", "back\\\\slash"),
        ("one\ntwo\r\nthree", "one\\ntwo\\nthree"),
    ],
)
def test_text_is_escaped_so_a_phone_reads_it_back_whole(raw, escaped):
    text = calendar([Event(uid="u", summary="s", start=NOW, location=raw)], NOW)
    assert f"LOCATION:{escaped}" in unfold(text).split("\r\n")
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == raw.replace("\r\n", "\n")


def test_long_lines_fold_at_75_octets_without_breaking_characters():
    description = "café ☕ " * 40
    text = calendar([Event(uid="u", summary="s", start=NOW, description=description)], NOW)
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)
    assert f"DESCRIPTION:{description}" in unfold(text).split("\r\n")


def test_every_line_of_a_real_file_fits():
    event = Event(uid="u", summary="S", start=NOW, description="word " * 200)
    text = calendar([event], NOW)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "word word" in unfold(text)
