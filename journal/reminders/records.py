"""Reminder choices, the calendar feed's token and the record of sends, in the database."""

import hashlib
import hmac
import secrets

from ..guidance import loading
from ..platform.clock import parse_utc, utc_iso, utc_now
from ..scans.stages import DEFAULT_DUE
from .choices import DEFAULT_DAILY, as_choices, clock_text, parse_clock
from .schedule import ScanDates

FEED_TOKEN_BYTES = 32  # 256 bits: the link is the only key to the feed


def choices_row(db, patient_id):
    """The patient's stored choices, or None while she has never saved the page."""
    return next(db.query("SELECT * FROM reminder_choices WHERE patient_id = ?", [patient_id]),
                None)


def form_values(row):
    """What the form shows for a stored row; everything off when there is none."""
    if row is None:
        return {"daily": False, "daily_at": DEFAULT_DAILY, "scan_nudges": False,
                "by_email": False, "by_calendar": False, "quiet_from": "21:00",
                "quiet_until": "08:00"}
    return {"daily": row["daily_at"] is not None, "daily_at": row["daily_at"] or DEFAULT_DAILY,
            "scan_nudges": bool(row["scan_nudges"]), "by_email": bool(row["by_email"]),
            "by_calendar": bool(row["by_calendar"]), "quiet_from": row["quiet_from"],
            "quiet_until": row["quiet_until"]}


def save(db, patient_id, values, now=None):
    """Store checked choices; returns a new feed token when the calendar was just turned on."""
    before = choices_row(db, patient_id)
    token = None
    feed_hash = before["feed_hash"] if before else None
    if not values["by_calendar"]:
        feed_hash = None  # turning the calendar off ends the old link for good
    elif feed_hash is None:
        token = new_token()
        feed_hash = digest(token)
    daily_at = parse_clock(values["daily_at"]) if values["daily"] else None
    db["reminder_choices"].upsert({
        "patient_id": patient_id,
        "daily_at": clock_text(daily_at) or None,
        "scan_nudges": int(values["scan_nudges"]),
        "by_email": int(values["by_email"]),
        "by_calendar": int(values["by_calendar"]),
        "by_device": int(values.get("by_device", False)),
        "quiet_from": clock_text(parse_clock(values["quiet_from"])),
        "quiet_until": clock_text(parse_clock(values["quiet_until"])),
        "feed_hash": feed_hash,
        "updated_at": utc_iso(now or utc_now()),
    }, pk="patient_id")
    return token


def set_device(db, patient_id, on):
    """Device notifications on or off (the choices row is made, all else off, if need be)."""
    db.execute(
        "INSERT INTO reminder_choices (patient_id, by_device, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(patient_id) DO UPDATE SET by_device = excluded.by_device,"
        " updated_at = excluded.updated_at", [patient_id, int(on), utc_iso(utc_now())])


def new_feed(db, patient_id):
    """Replace the calendar link with a new one (the old stops working); returns its token."""
    token = new_token()
    db.execute("UPDATE reminder_choices SET feed_hash = ?, updated_at = ?"
               " WHERE patient_id = ? AND by_calendar = 1",
               [digest(token), utc_iso(utc_now()), patient_id])
    return token


def turn_off(db, patient_id, kind):
    """Stop the daily check-in or the scan nudges, as the reminder's own link asks."""
    column = {"daily": "daily_at = NULL", "scan": "scan_nudges = 0"}[kind]
    db.execute(f"UPDATE reminder_choices SET {column}, updated_at = ?"  # noqa: S608
               " WHERE patient_id = ?", [utc_iso(utc_now()), patient_id])


def new_token():
    return secrets.token_urlsafe(FEED_TOKEN_BYTES)


def digest(token):
    """Only this is stored: a stolen database gives nobody the link."""
    return hashlib.sha256((token or "").encode()).hexdigest()


def feed_owner(db, token):
    """The choices row a feed token opens, or None."""
    wanted = digest(token)
    row = next(db.query("SELECT * FROM reminder_choices WHERE feed_hash = ? AND by_calendar = 1",
                        [wanted]), None)
    return row if row and hmac.compare_digest(row["feed_hash"], wanted) else None


def scan_dates(db, patient_id, windows=None):
    """The patient's scans as the schedule needs them: waiting ones with a date."""
    rows = db.query(
        "SELECT id, kind, appointment_at, results_expected_days FROM scans"
        " WHERE patient_id = ? AND appointment_at IS NOT NULL AND results_received_on IS NULL",
        [patient_id])
    return [ScanDates(row["id"], parse_utc(row["appointment_at"]), row["results_expected_days"],
                      None, (windows or {}).get(row["kind"], DEFAULT_DUE))
            for row in rows]


def choices_for(row):
    """The schedule's Choices for a stored row."""
    return as_choices(row)


def default_due():
    """Each scan kind's usual results window, from its content pack (in an app context)."""
    return {kind: pack.default_results_days for kind, pack in loading.packs().items()}
