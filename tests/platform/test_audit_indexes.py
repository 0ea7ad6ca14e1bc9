"""The audit's indexes: a read of a patient's data, the row every inbox load appends for each
patient on the page, goes into one index; the refused join codes keep their own."""

from datetime import timedelta

from journal.platform import audit
from journal.platform.clock import utc_now
from journal.platform.db import Database


def plan(db: Database, sql, params):
    return " / ".join(row[3] for row in db.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))


def test_a_read_goes_into_the_patient_index_alone(db):
    full = [row["name"] for row in db.query("PRAGMA index_list(audit)") if not row["partial"]]
    assert full == ["audit_by_patient"]
    partial = {row["name"]: row["sql"] for row in db.query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit'")
        if row["name"] != "audit_by_patient"}
    # Each partial index leaves out the inbox's reads.
    assert partial and all(" WHERE " in sql and "view-inbox" not in sql
                           for sql in partial.values())


def test_refused_tries_are_counted_from_their_own_index(db, patient, nurse):
    now = utc_now()
    audit.record_many(db, nurse, "view-inbox", [patient.id] * 3, now=now)
    for minutes in (90, 30, 5):
        audit.record(db, patient, "connect-refused", patient_id=patient.id,
                     now=now - timedelta(minutes=minutes))
    seen = []
    db.conn.set_trace_callback(seen.append)
    try:
        assert audit.refused_since(db, patient.id, now - timedelta(hours=1)) == 2
    finally:
        db.conn.set_trace_callback(None)
    [sql] = [s for s in seen if "FROM audit" in s]  # as SQLite ran it, values filled in
    assert "audit_refused_by_patient" in plan(db, sql, [])
