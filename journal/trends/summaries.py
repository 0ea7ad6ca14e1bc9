"""Appointment summaries: the notes a patient picks, sharing, and what the page shows."""

import json
from dataclasses import dataclass
from datetime import timedelta

from ..diary.entries import Entry
from ..guidance import loading
from ..platform.clock import parse_utc, uk_today, utc_iso, utc_now
from ..platform.db import immediate
from ..scans.expectations import span_words
from ..scans.records import current_scan
from .insights import wait_words
from .periods import DEFAULT_RANGE, SCAN_RANGE
from .queries import chart_for_patient, day_start_utc, scan_dates

# What the care team's copy keeps of check-ins: the ones the patient shared with that team.
SHARED_WITH = "shared = 1 AND shared_team_id = :team"
# Enough notes to choose from for a long wait, without making a phone page heavy.
MAX_CHOICES = 60


def summary_row(db, patient_id, scan_id):
    """The patient's summary for a scan (or for no scan yet), or None."""
    rows = db.query(
        "SELECT * FROM summaries WHERE patient_id = ? AND IFNULL(scan_id, 0) = IFNULL(?, 0)",
        [patient_id, scan_id],
    )
    return next(rows, None)


def _ensure(db, patient_id, scan_id, now):
    """The summary's id, made first if need be; call inside a write transaction."""
    db.execute(
        "INSERT OR IGNORE INTO summaries (patient_id, scan_id, created_at) VALUES (?, ?, ?)",
        [patient_id, scan_id, utc_iso(now)],
    )
    return summary_row(db, patient_id, scan_id)["id"]


def pick_notes(db, patient_id, scan_id, entry_ids, now=None):
    """Keep exactly these entries' notes in the summary (others' are never stored); how many."""
    now = now or utc_now()
    with immediate(db):
        summary_id = _ensure(db, patient_id, scan_id, now)
        db.execute("DELETE FROM summary_notes WHERE summary_id = ?", [summary_id])
        stored = db.execute(
            "INSERT INTO summary_notes (summary_id, entry_id) SELECT ?, id FROM entries"
            " WHERE patient_id = ? AND deleted_at IS NULL AND note != ''"
            " AND id IN (SELECT value FROM json_each(?))",
            [summary_id, patient_id, json.dumps(list(entry_ids)[:MAX_CHOICES])],
        )
        db.execute("UPDATE summaries SET updated_at = ? WHERE id = ?", [utc_iso(now), summary_id])
    return stored.rowcount


def set_shared(db, patient_id, scan_id, shared, now=None):
    """Share the summary with the care team, or make it private again.

    The database names the team connected at this moment; with none, the share waits
    ("share when I join") for the patient to confirm or drop it when she joins one."""
    now = now or utc_now()
    with immediate(db):
        summary_id = _ensure(db, patient_id, scan_id, now)
        db.execute(
            "UPDATE summaries SET shared = ?, shared_at = ?, updated_at = ? WHERE id = ?",
            [1 if shared else 0, utc_iso(now) if shared else None, utc_iso(now), summary_id],
        )


def _shared_with(row, team_id):
    return bool(row and row["shared"] and row["shared_team_id"] == team_id)


def shared_on(db, patient_id, team_id):
    """When the patient shared the current scan's summary with this team, or None."""
    scan = current_scan(db, patient_id)
    row = summary_row(db, patient_id, scan["id"] if scan else None)
    return parse_utc(row["shared_at"]) if _shared_with(row, team_id) else None


def open_questions(db, patient_id, team_id=None):
    """The questions the patient has not ticked off yet, in the order they were added; with
    a team, only those shared with it."""
    return list(
        db.query(
            "SELECT id, text FROM questions WHERE patient_id = ? AND done = 0"
            " AND deleted_at IS NULL"
            " AND (? IS NULL OR (shared = 1 AND shared_team_id = ?)) ORDER BY created_at, id",
            [patient_id, team_id, team_id],
        )
    )


def note_choices(db, patient_id, start, end, summary_id):
    """Entries with a note from start to end, newest first, each with whether it is picked."""
    rows = db.query(
        "SELECT entries.*, summary_notes.entry_id IS NOT NULL AS picked FROM entries"
        " LEFT JOIN summary_notes ON summary_notes.entry_id = entries.id"
        " AND summary_notes.summary_id = ?"
        " WHERE entries.patient_id = ? AND entries.deleted_at IS NULL AND entries.note != ''"
        " AND entries.created_at >= ? AND entries.created_at < ?"
        " ORDER BY entries.created_at DESC, entries.id DESC LIMIT ?",
        [
            summary_id,
            patient_id,
            day_start_utc(start),
            day_start_utc(end + timedelta(days=1)),
            MAX_CHOICES,
        ],
    )
    return [(Entry.from_row(r), bool(r["picked"])) for r in rows]


def picked_notes(db, summary_id):
    """The entries picked for the summary, oldest first; deleted ones drop out."""
    rows = db.query(
        "SELECT entries.* FROM summary_notes JOIN entries ON entries.id = summary_notes.entry_id"
        " WHERE summary_notes.summary_id = ? AND entries.deleted_at IS NULL"
        " ORDER BY entries.created_at, entries.id",
        [summary_id],
    )
    return [Entry.from_row(r) for r in rows]


@dataclass(frozen=True)
class SummaryView:
    """Everything the printable summary shows."""

    patient_id: int
    scan: dict | None
    scan_name: str | None
    appointment: object
    wait_words: str
    period: object
    chart: object
    questions: list
    notes: list
    summary_id: int | None
    shared: bool
    shared_at: object
    made_on: object
    shared_team_id: int | None = None

    @property
    def told_words(self):
        """How long she was told results would take, as she would say it, or None."""
        days = self.scan["results_expected_days"] if self.scan else None
        return span_words(days) if days else None

    @property
    def waiting_for_team(self):
        """Shared with no team yet: it waits for the patient's next join."""
        return self.shared and self.shared_team_id is None


def summary_view(db, patient_id, now=None, team_id=None):
    """The summary of the patient's current scan; with a team (the care team's copy), None
    unless the patient shared it with that team.

    The care team's copy holds the notes the patient picked for it, whether or not those
    entries are shared on their own: picking them for a shared summary is the consent.
    Scores and questions keep their own switches: the chart draws shared check-ins only,
    and only shared questions are listed.
    """
    now = now or utc_now()
    scan = current_scan(db, patient_id)
    row = summary_row(db, patient_id, scan["id"] if scan else None)
    shared = bool(row and row["shared"])
    if team_id is not None and not _shared_with(row, team_id):
        return None
    scan_day, results_day = scan_dates(scan)
    key = SCAN_RANGE if scan_day is not None else DEFAULT_RANGE
    period, chart = chart_for_patient(db, patient_id, key, now,
                                      only=(SHARED_WITH, {"team": team_id}) if team_id else None)
    return SummaryView(
        patient_id=patient_id,
        scan=scan,
        scan_name=_scan_name(scan["kind"]) if scan else None,
        appointment=parse_utc(scan["appointment_at"]) if scan and scan["appointment_at"] else None,
        wait_words=wait_words(scan_day, results_day, uk_today(now)),
        period=period,
        chart=chart,
        questions=open_questions(db, patient_id, team_id),
        notes=picked_notes(db, row["id"]) if row else [],
        summary_id=row["id"] if row else None,
        shared=shared,
        shared_at=parse_utc(row["shared_at"]) if shared and row["shared_at"] else None,
        made_on=uk_today(now),
        shared_team_id=row["shared_team_id"] if shared else None,
    )


def _scan_name(kind):
    """The name of a kind of scan, from the content packs loaded at start."""
    pack = loading.packs().get(kind)
    return pack.name if pack else kind
