"""The yearly removal of audit rows older than 8 years, exactly as docs/OPERATIONS.md gives it."""

import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from journal.platform.clock import parse_utc, utc_iso, utc_now

OPERATIONS = Path(__file__).resolve().parents[2] / "docs" / "OPERATIONS.md"


def documented_sql():
    match = re.search(r"sqlite3 instance/journal.db <<'SQL'\n(.*?)\nSQL\n", OPERATIONS.read_text(),
                      re.S)
    assert match, "the audit removal SQL is missing from docs/OPERATIONS.md"
    return match.group(1)


def test_the_documented_removal_keeps_8_years_and_the_append_only_guard(app, db):
    now = utc_now()
    for days_ago in (365 * 8 + 10, 365 * 8 - 10, 1):
        db.execute("INSERT INTO audit (at, actor_id, actor_role, action, patient_id)"
                   " VALUES (?, 1, 'nurse', 'view-patient', 7)",
                   [utc_iso(now - timedelta(days=days_ago))])
    db.conn.commit()

    connection = sqlite3.connect(app.config["JOURNAL_DB"])
    connection.executescript(documented_sql())

    ages = [(now - parse_utc(at)).days
            for (at,) in connection.execute("SELECT at FROM audit ORDER BY at")]
    assert ages == [365 * 8 - 10, 1]
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        connection.execute("DELETE FROM audit")
    connection.close()
