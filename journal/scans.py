"""Scans: the rows a patient enters, and their link to the pure stage logic."""

from datetime import date

from .clock import parse_utc
from .stages import Scan, stage_for


def current_scan(db, patient_id):
    """The patient's current scan row (the one added last), or None."""
    rows = db.query(
        "SELECT * FROM scans WHERE patient_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
        [patient_id],
    )
    return next(rows, None)


def as_scan(row):
    """The pure-logic view of a scan row."""
    return Scan(
        kind=row["kind"],
        appointment_utc=parse_utc(row["appointment_at"]) if row["appointment_at"] else None,
        fasting_hours=row["fasting_hours"],
        results_expected_days=row["results_expected_days"],
        results_received_on=(
            date.fromisoformat(row["results_received_on"]) if row["results_received_on"] else None
        ),
    )


def stage_of(row, now_utc):
    """The StageInfo for a scan row at the given moment."""
    return stage_for(as_scan(row), now_utc)
