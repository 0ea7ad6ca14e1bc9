"""The team's stored flags (patient_flags) always say what working them out from the data
would say, whatever changes between two loads."""

import random
import sqlite3
from datetime import timedelta

import pytest
from care_helpers import add_entry, link_patient, make_account

from journal.care import states
from journal.platform.clock import utc_iso, utc_now


def as_worked_out(db, team_id, now):
    return {pid: (s.rising, s.overdue)
            for pid, s in states.patient_states(db, team_id, now).items()}


def as_stored(db, team_id, now):
    return {pid: (s.rising, s.overdue)
            for pid, s in states.stored_states(db, team_id, now).items()}


def change(db, rng, people, team, other_team):
    """One change a patient, a nurse or an erasure could make."""
    person = rng.choice(people)
    entry_ids = [r[0] for r in db.execute("SELECT id FROM entries WHERE patient_id = ?",
                                          [person.id])]
    scan_ids = [r[0] for r in db.execute("SELECT id FROM scans WHERE patient_id = ?",
                                         [person.id])]
    kind = rng.choice(["share", "share", "share", "private", "unshare", "reshare", "delete",
                       "rescore", "scan", "results", "drop-scan", "unlink", "relink",
                       "move-team"])
    now = utc_now()
    if kind in ("share", "private"):
        add_entry(db, person, distress=rng.choice([None, *range(11)]), shared=kind == "share",
                  when=now - timedelta(hours=rng.randint(0, 400)))
    elif kind in ("unshare", "reshare", "delete", "rescore") and entry_ids:
        column, value = {"unshare": ("shared", 0), "reshare": ("shared", 1),
                         "delete": ("deleted_at", utc_iso(now)),
                         "rescore": ("distress", rng.randint(0, 10))}[kind]
        db.execute(f"UPDATE entries SET {column} = ? WHERE id = ?",  # noqa: S608 - a constant
                   [value, rng.choice(entry_ids)])
    elif kind == "scan":
        when = now - timedelta(days=rng.randint(-5, 40), hours=rng.randint(0, 23))
        db.execute(
            "INSERT INTO scans (patient_id, kind, appointment_at, results_expected_days,"
            " created_at) VALUES (?, 'liver-ultrasound', ?, ?, ?)",
            [person.id, utc_iso(when), rng.choice([None, 3, 10, 21]), utc_iso(now)])
    elif kind == "results" and scan_ids:
        db.execute("UPDATE scans SET results_received_on = ? WHERE id = ?",
                   [now.date().isoformat(), rng.choice(scan_ids)])
    elif kind == "drop-scan" and scan_ids:
        db.execute("DELETE FROM scans WHERE id = ?", [rng.choice(scan_ids)])
    elif kind == "unlink":
        db.execute("UPDATE care_links SET ended_at = ? WHERE patient_id = ? AND ended_at IS NULL",
                   [utc_iso(now), person.id])
    elif kind == "relink" and not db.execute(
            "SELECT 1 FROM care_links WHERE patient_id = ? AND ended_at IS NULL",
            [person.id]).fetchone():
        link_patient(db, person, team)
    elif kind == "move-team":
        db.execute("UPDATE care_links SET team_id = ? WHERE patient_id = ? AND ended_at IS NULL",
                   [rng.choice([team, other_team]).id, person.id])


@pytest.mark.parametrize("seed", range(3))
def test_stored_flags_match_the_data_after_every_change(app, db, team, other_team, seed):
    rng = random.Random(seed)
    people = [make_account(app, db, f"p{n}@example.com") for n in range(5)]
    for person in people:
        link_patient(db, person, team)
    for step in range(120):
        change(db, rng, people, team, other_team)
        if step % 3 == 0:
            # Now and on a later day, when more results may be overdue.
            for now in (utc_now(), utc_now() + timedelta(days=rng.randint(1, 30))):
                for team_id in (team.id, other_team.id):
                    assert as_stored(db, team_id, now) == as_worked_out(db, team_id, now), step


def test_flags_are_worked_out_under_the_write_lock(app, db, patient, team, linked,
                                                   monkeypatch):
    """No change can land between reading a patient's data and storing its flags, where it
    would leave flags that no longer match the data."""
    add_entry(db, patient, distress=4, shared=True)
    refused = []
    real = states._unanswered_scans

    def with_a_change_meanwhile(*args):
        other = sqlite3.connect(app.config["JOURNAL_DB"], timeout=0)
        try:
            other.execute("UPDATE entries SET distress = 9 WHERE patient_id = ?", [patient.id])
            other.commit()
        except sqlite3.OperationalError as error:
            refused.append(str(error))
        finally:
            other.close()
        return real(*args)

    monkeypatch.setattr(states, "_unanswered_scans", with_a_change_meanwhile)
    states.stored_states(db, team.id)

    assert refused == ["database is locked"]
