"""The private calendar feed: the daily check-in as a recurring event, and each waiting scan
with its chase day. It says "scan" and nothing more about health."""

from datetime import date, datetime, timedelta

import icalendar

from ..platform.clock import UK, to_uk
from .schedule import AT, Choices, scan_days

PRODID = "-//Waiting Well//Reminders//EN"
NAME = "Waiting Well reminders"
CHECK_IN = "A moment to check in?"


def _alarm(offset: timedelta, text: str) -> icalendar.Alarm:
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", offset)
    alarm.add("description", text)
    return alarm


def _event(uid, summary, start, stamp, *, duration=None, alarm=None, rrule=None, url=None):
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    if isinstance(start, datetime):
        event.add("duration", duration or timedelta(minutes=15))
    else:
        event.add("dtend", start + timedelta(days=1))
        event.add("transp", "TRANSPARENT")  # an all-day nudge should not show her as busy
    event.add("summary", summary)
    if rrule:
        event.add("rrule", rrule)
    if url:
        event.add("url", url)
    if alarm:
        event.add_component(alarm)
    return event


def build(patient_id, choices: Choices, scans, now_utc, since: date, links) -> str:
    """The feed as text; `links` gives the check-in and scan pages' addresses."""
    cal = icalendar.Calendar()
    for name, value in (("version", "2.0"), ("prodid", PRODID), ("calscale", "GREGORIAN"),
                        ("method", "PUBLISH"), ("x-wr-calname", NAME)):
        cal.add(name, value)
    # Calendar apps ask again about this often; the feed changes when a scan does.
    cal.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT6H")
    if choices.daily_at is not None:
        # In UK time with its zone, so the event keeps to the clock across BST changes.
        start = datetime.combine(since, choices.daily_at, tzinfo=UK)
        cal.add_component(_event(
            f"daily-{patient_id}@waiting-well", CHECK_IN, start, now_utc,
            alarm=_alarm(timedelta(0), CHECK_IN), rrule={"freq": "daily"},
            url=links["check_in"]))
    if choices.scan_nudges:
        for scan in scans:
            days = scan_days(scan)
            if not days:
                continue
            appointment = scan.appointment_utc
            cal.add_component(_event(
                f"scan-{scan.scan_id}@waiting-well", "Scan", to_uk(appointment), now_utc,
                duration=timedelta(hours=1), alarm=_alarm(-timedelta(days=1), "Scan tomorrow"),
                url=links["scan"]))
            cal.add_component(_event(
                f"scan-{scan.scan_id}-chase@waiting-well", "Ask about your scan", days["chase"],
                now_utc, alarm=_alarm(timedelta(hours=AT["chase"].hour,
                                                 minutes=AT["chase"].minute),
                                      "Ask about your scan if you have not heard"),
                url=links["scan"]))
    cal.add_missing_timezones()
    return cal.to_ical().decode()
