"""What is true of each connected patient now (distress rising, results overdue), for the
flags on all their entries: worked out from their shared scores and scans, and for the whole
team stored in patient_flags, so that a dashboard load works out only what has changed."""

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..platform.clock import uk_today, utc_now
from ..platform.db import immediate
from ..scans import records, stages
from ..scans.records import AWAITING_RESULTS, as_scan, stage_of
from ..scans.stages import DEFAULT_DUE, StageInfo, results_window
from . import triage


def _rules():
    """The rules a stored row was worked out by, with a digest of the code that works them
    out (this file, the trend rule, the scan stages and scan rows), so that a row stored by
    other rules or other code counts as missing and a change reaches every patient at the
    next load."""
    digest = hashlib.blake2b(digest_size=8)
    for module in (__file__, triage.__file__, stages.__file__, records.__file__):
        digest.update(Path(module).read_bytes())
    return (f"rising: the last {triage.TREND_WINDOW} scores {triage.RISE_BY} points above the"
            f" {triage.TREND_WINDOW} before; overdue: {DEFAULT_DUE[1]} days after the scan;"
            f" code {digest.hexdigest()}")


RULES = _rules()


@dataclass(frozen=True)
class PatientState:
    """What is true of a connected patient now, for flags on all their entries."""

    scores: tuple
    rising: bool
    stage: StageInfo | None
    overdue: bool
    # Every scan still waiting for results, overdue first (one patient's page only).
    waits: tuple = ()


def _recent_scores(db, team_id, patients=None):
    """The last six shared scores of each of the team's patients (or of those in the list),
    oldest first."""
    # One short walk per patient of an index that holds all it reads (entries_shared_scores,
    # whose condition this query repeats), newest first, not a sort of the team's whole
    # shared history; one row per patient, as a big team has over a thousand.
    rows = db.execute(
        "SELECT l.patient_id, (SELECT json_group_array(distress) FROM ("  # noqa: S608
        "  SELECT distress FROM entries WHERE patient_id = l.patient_id AND shared = 1"
        "  AND shared_team_id = l.team_id AND deleted_at IS NULL AND distress IS NOT NULL"
        "  ORDER BY created_at DESC, id DESC LIMIT :window))"
        " FROM care_links l WHERE l.team_id = :team AND l.ended_at IS NULL"
        f"{_only_listed(patients)}",  # a constant; values go in as parameters
        {"team": team_id, "window": 2 * triage.TREND_WINDOW, "patients": _listed(patients)},
    )
    return {pid: json.loads(newest_first)[::-1] for pid, newest_first in rows}


def _listed(patients):
    return None if patients is None else json.dumps(list(patients))


def _only_listed(patients):
    """The condition keeping the listed patients' links, said only when there is a list:
    behind "(:patients IS NULL OR ...)" SQLite walked every link of the team to apply it,
    where with it alone it looks each patient up."""
    return "" if patients is None else (
        " AND l.patient_id IN (SELECT value FROM json_each(:patients))")


def _current_scans(db, team_id, patient_id):
    """One connected patient's current scan row (as scans.current_scan picks it), by id."""
    cursor = db.conn.cursor()
    cursor.row_factory = sqlite3.Row  # read by name, without a dict for every row
    cursor.execute(
        "SELECT s.* FROM care_links l JOIN scans s ON s.patient_id = l.patient_id"
        " WHERE l.team_id = :team AND l.ended_at IS NULL AND l.patient_id = :patient"
        " AND s.id = (SELECT id FROM scans WHERE patient_id = l.patient_id"
        "  ORDER BY created_at DESC, id DESC LIMIT 1)",
        {"team": team_id, "patient": patient_id},
    )
    return {row["patient_id"]: row for row in cursor}


def _unanswered_scans(db, team_id, patients=None):
    """Every scan with no results yet of each connected patient (or of those in the list),
    by patient id: an older scan's overdue results must not hide behind a newer scan."""
    cursor = db.conn.cursor()
    cursor.row_factory = sqlite3.Row
    cursor.execute(
        "SELECT s.* FROM care_links l JOIN scans s ON s.patient_id = l.patient_id"  # noqa: S608
        f" WHERE l.team_id = :team AND l.ended_at IS NULL{_only_listed(patients)}"
        " AND s.results_received_on IS NULL AND s.appointment_at IS NOT NULL",
        {"team": team_id, "patients": _listed(patients)},
    )
    found = {}
    for row in cursor:
        found.setdefault(row["patient_id"], []).append(row)
    return found


def _waits(rows, now):
    """(scan row, stage) for scans waiting for results, overdue first, longest wait first."""
    staged = [(row, stage_of(row, now)) for row in rows]
    waiting = [(row, info) for row, info in staged if info.stage in AWAITING_RESULTS]
    return tuple(sorted(waiting, key=lambda w: (w[1].stage != "overdue",
                                                -(w[1].waiting_day or 0))))


def _due_by(rows):
    """The last UK day results were due for the first of these waiting scans (ISO), or None:
    from the next day on, results_overdue holds for that scan, as it does for no scan
    sooner."""
    return min((results_window(as_scan(row))[1] for row in rows), default=None)


def patient_states(db, team_id, now=None, patient_id=None):
    """PatientState for every patient connected to the team (or just one), by patient id,
    worked out from their data.

    Team-wide, only the flags are worked out (stage is None): the full stage is for one
    patient's page. The dashboard reads the team's from team_states instead.
    """
    now = now or utc_now()
    today = uk_today(now)
    patients = None if patient_id is None else [patient_id]
    scores = _recent_scores(db, team_id, patients)
    unanswered = _unanswered_scans(db, team_id, patients)
    scans = {} if patient_id is None else _current_scans(db, team_id, patient_id)
    states = {}
    for pid, own in scores.items():
        own = tuple(own)
        waiting = unanswered.get(pid, ())
        stage, waits = None, ()
        if patient_id is None:
            due = _due_by(waiting)
            overdue = due is not None and today > due
        else:
            scan = scans.get(pid)
            stage = stage_of(scan, now) if scan is not None else None
            waits = _waits(waiting, now)
            overdue = any(triage.is_overdue(info) for _, info in waits)
        states[pid] = PatientState(scores=own, rising=triage.is_rising(own), stage=stage,
                                   overdue=overdue, waits=waits)
    return states


# Each live link's stored flags, or NULLs where none are stored under today's rules.
_STORED_SQL = (
    "SELECT l.patient_id, f.rising, f.due_by FROM care_links l"
    " LEFT JOIN patient_flags f ON f.team_id = l.team_id AND f.patient_id = l.patient_id"
    " AND f.rules = :rules WHERE l.team_id = :team AND l.ended_at IS NULL"
)
# Most patients carry no flag, and share this one state.
_UNFLAGGED = PatientState(scores=(), rising=False, stage=None, overdue=False)


def _store_missing(db, team_id):
    """Work out and store the flags of the team's patients that have none stored; returns
    every live link's row, as _STORED_SQL reads it."""
    # Under the write lock, from reading what is missing to storing it: a change to a
    # patient's data deletes their row (migration 0025's triggers), and no change can land
    # between reading that data here and storing what it said.
    with immediate(db):
        rows = db.execute(_STORED_SQL, {"team": team_id, "rules": RULES}).fetchall()
        missing = [pid for pid, rising, _ in rows if rising is None]
        scores = _recent_scores(db, team_id, missing)
        unanswered = _unanswered_scans(db, team_id, missing)
        worked_out = {}
        for pid, own in scores.items():
            due = _due_by(unanswered.get(pid, ()))
            worked_out[pid] = (int(triage.is_rising(own)), due.isoformat() if due else None)
        db.conn.executemany(
            "INSERT OR REPLACE INTO patient_flags (team_id, patient_id, rules, rising, due_by)"
            " VALUES (?, ?, ?, ?, ?)",
            [(team_id, pid, RULES, *flags) for pid, flags in worked_out.items()],
        )
    return [(pid, *worked_out[pid]) if rising is None else (pid, rising, due_by)
            for pid, rising, due_by in rows]


def stored_states(db, team_id, now=None):
    """patient_states for the whole team, but with no scores (the dashboard shows only the
    flags), read from patient_flags; only patients whose data changed since their flags
    were stored (or that never had any) are worked out again."""
    today = uk_today(now or utc_now()).isoformat()
    rows = db.execute(_STORED_SQL, {"team": team_id, "rules": RULES}).fetchall()
    if any(rising is None for _, rising, _ in rows):
        rows = _store_missing(db, team_id)
    states = {}
    for pid, rising, due_by in rows:
        overdue = due_by is not None and today > due_by
        states[pid] = (PatientState(scores=(), rising=bool(rising), stage=None, overdue=overdue)
                       if rising or overdue else _UNFLAGGED)
    return states
