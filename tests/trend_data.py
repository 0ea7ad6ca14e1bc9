"""Rows for the trends and summary tests: entries over many days, a scan, questions."""

import json
from datetime import time, timedelta

from journal.platform.clock import uk_local_to_utc, uk_today, utc_iso, utc_now

FEELINGS_CYCLE = (["anxious"], ["anxious", "tired"], ["calm"], [], ["worried", "anxious"])
TOPICS_CYCLE = (["results"], ["sleep"], ["results", "family"], [])


def add_entry(db, patient_id, when, distress=None, feelings=(), topics=(), note="", helped=False):
    """Insert one entry as it would be stored; returns its id."""
    cursor = db.execute(
        "INSERT INTO entries (patient_id, created_at, distress, feelings, topics, note, helped)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [patient_id, utc_iso(when), distress, json.dumps(list(feelings)),
         json.dumps(list(topics)), note, int(helped)],
    )
    db.conn.commit()
    return cursor.lastrowid


def add_scan(db, patient_id, days_ago, results_days_ago=None, now=None, **extra):
    """A liver ultrasound `days_ago` days back, with results `results_days_ago` back if given."""
    now = now or utc_now()
    results = None
    if results_days_ago is not None:
        results = uk_today(now - timedelta(days=results_days_ago)).isoformat()
    row = {
        "patient_id": patient_id,
        "kind": "liver-ultrasound",
        "appointment_at": utc_iso(now - timedelta(days=days_ago)),
        "results_received_on": results,
        "created_at": utc_iso(now),
        **extra,
    }
    columns = ", ".join(row)
    cursor = db.execute(
        f"INSERT INTO scans ({columns}) VALUES ({', '.join('?' * len(row))})", list(row.values())
    )
    db.conn.commit()
    return cursor.lastrowid


def add_question(db, patient_id, text, done=False):
    cursor = db.execute(
        "INSERT INTO questions (patient_id, text, done, created_at) VALUES (?, ?, ?, ?)",
        [patient_id, text, int(done), utc_iso(utc_now())],
    )
    db.conn.commit()
    return cursor.lastrowid


def uk_noon(days_ago, now=None):
    """Midday in the UK `days_ago` days before today: always inside that UK day."""
    return uk_local_to_utc(uk_today(now or utc_now()) - timedelta(days=days_ago), time(12))


def wave(day):
    """A believable distress for day n: a slow rise towards the scan and a fall after."""
    return (3, 4, 4, 5, 6, 5, 7, 6, 5, 4, 5, 3, 4, 6)[day % 14]


def add_days(db, patient_id, count, now=None, skip=(), note_every=3):
    """One check-in a day for `count` days back from today (minus `skip`); returns ids."""
    now = now or utc_now()
    ids = []
    for day in range(count):
        if day in skip:
            continue
        ids.append(
            add_entry(
                db,
                patient_id,
                uk_noon(day, now),
                distress=wave(day),
                feelings=FEELINGS_CYCLE[day % len(FEELINGS_CYCLE)],
                topics=TOPICS_CYCLE[day % len(TOPICS_CYCLE)],
                note=f"Day {day}: a walk by the river." if day % note_every == 0 else "",
            )
        )
    return ids
