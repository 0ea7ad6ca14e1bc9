"""The audit's indexes: an inbox read, the row every inbox load appends for each patient on
the page, goes into no index, as nothing looks those up by patient; what a patient is shown
of her audit, and the refused join codes, are each found from an index of their own."""

from datetime import timedelta

from journal.platform import audit, personal_data
from journal.platform.clock import utc_now
from journal.platform.db import Database


def plan(db: Database, sql):
    return " / ".join(row[3] for row in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}"))


def traced(db, call):
    """call()'s answer, and the statements SQLite ran for it, values filled in."""
    seen = []
    db.conn.set_trace_callback(seen.append)
    try:
        return call(), [s for s in seen if "FROM audit" in s]
    finally:
        db.conn.set_trace_callback(None)


def test_an_inbox_read_goes_into_no_index(db, patient, nurse):
    audit.record_many(db, nurse, "view-inbox", [patient.id], team_id=1)
    audit.record(db, nurse, "view-patient", patient_id=patient.id, team_id=1)
    read, opened = [row[0] for row in db.execute("SELECT id FROM audit ORDER BY id")]
    held = {}  # each index's name: which of the two rows its condition holds for
    for index in db.query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit'"):
        _, where = index["sql"].split(" WHERE ")  # every one is partial
        held[index["name"]] = {row[0] for row in db.execute(
            f"SELECT id FROM audit WHERE id IN (?, ?) AND ({where})", [read, opened])}  # noqa: S608
    assert held["audit_by_patient"] == {opened}
    assert all(read not in ids for ids in held.values())


def test_what_she_is_shown_of_her_audit_is_read_from_the_patient_index(db, patient, nurse):
    now = utc_now()
    audit.record_many(db, nurse, "view-inbox", [patient.id] * 3, team_id=1, now=now)
    audit.record(db, nurse, "view-patient", patient_id=patient.id, team_id=1, now=now)
    (events, _), statements = traced(db, lambda: audit.seen_by(db, patient.id))
    assert [event["action"] for event in events] == ["view-patient"]
    data, exported = traced(db, lambda: personal_data.collect(db, patient.id))
    assert len(data["shared_with"]) == 1
    for sql in [s for s in statements if "ORDER BY a.id DESC" in s] + exported:
        assert "SEARCH a USING INDEX audit_by_patient (patient_id=?)" in plan(db, sql), sql
    assert len(statements + exported) >= 2


def test_refused_tries_are_counted_from_their_own_index(db, patient, nurse):
    now = utc_now()
    audit.record_many(db, nurse, "view-inbox", [patient.id] * 3, now=now)
    for minutes in (90, 30, 5):
        audit.record(db, patient, "connect-refused", patient_id=patient.id,
                     now=now - timedelta(minutes=minutes))
    count, [sql] = traced(db, lambda: audit.refused_since(db, patient.id,
                                                          now - timedelta(hours=1)))
    assert count == 2
    assert "audit_refused_by_patient" in plan(db, sql)
