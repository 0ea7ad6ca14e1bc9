"""Backups made while writes go on, checked, and restored without losing an entry."""

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from journal.diary import entries
from journal.platform import backups, personal_data
from journal.platform.clock import utc_iso, utc_now
from journal.platform.db import connect

NOTE = "A steady day. " * 60  # about 840 characters, so the database has some size


def fill(db, patient_id, count):
    """Many entries in one transaction, so the backup has real work to do."""
    now = utc_iso(utc_now())
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO entries (patient_id, created_at, distress, note) VALUES (?, ?, 3, ?)",
            [(patient_id, now, f"{n}: {NOTE}") for n in range(count)],
        )


class Writer(threading.Thread):
    """Checks in over and over on its own connection, noting when each commit returned."""

    def __init__(self, path, patient_id):
        super().__init__(daemon=True)
        self.path, self.patient_id = path, patient_id
        self.committed = []  # (entry id, monotonic time the commit returned)
        self.stop = threading.Event()
        self.error = None

    def run(self):
        db = connect(self.path)
        try:
            n = 0
            while not self.stop.is_set():
                n += 1
                values = {"distress": 5, "feelings": [], "topics": [], "note": f"live {n}"}
                entry_id = entries.create(db, self.patient_id, values)
                self.committed.append((entry_id, time.monotonic()))
        except Exception as error:  # reported by the test
            self.error = error
        finally:
            db.close()

    def wait_for(self, count, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.committed) < count and time.monotonic() < deadline:
            time.sleep(0.005)
        assert len(self.committed) >= count, "the writer did not get going"


def entry_ids(path):
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT id FROM entries")}
    finally:
        conn.close()


def test_backup_during_writes_then_restore_keeps_every_entry_committed_before_it(
    app, db, patient, tmp_path
):
    fill(db, patient.id, 8_000)
    live = app.config["JOURNAL_DB"]
    writer = Writer(live, patient.id)
    writer.start()
    writer.wait_for(10)

    started = time.monotonic()
    before = {entry_id for entry_id, _ in list(writer.committed)}
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.db")])
    finished = time.monotonic()
    writer.wait_for(len(writer.committed) + 5)
    writer.stop.set()
    writer.join(10)

    assert writer.error is None
    assert result.exit_code == 0, result.output
    assert "integrity_check: ok" in result.output
    during = [i for i, t in writer.committed if started <= t <= finished]
    after = {i for i, t in writer.committed if t > finished}
    print(f"backup took {finished - started:.3f}s; {len(during)} check-ins committed meanwhile")
    assert during, "no write went on while the backup ran"
    assert after

    db.close()
    restored = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "copy.db")])

    assert restored.exit_code == 0, restored.output
    found = entry_ids(live)
    assert before <= found
    assert not after & found  # the live file really was replaced by the copy
    assert backups.integrity(live) == "ok"


def test_backup_is_one_private_file_that_passes_its_check(app, db, patient, tmp_path):
    fill(db, patient.id, 10)
    dest = tmp_path / "nightly.db"

    report = backups.backup(app.config["JOURNAL_DB"], dest)

    assert report.path == dest and report.pages > 0
    assert dest.stat().st_mode & 0o777 == 0o600
    assert not Path(f"{dest}-wal").exists()
    assert not Path(f"{dest}.partial").exists()
    conn = sqlite3.connect(dest)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 10
    conn.close()


def test_restore_refuses_a_damaged_backup_and_leaves_the_database_alone(
    app, db, patient, tmp_path
):
    fill(db, patient.id, 50)
    good = tmp_path / "good.db"
    backups.backup(app.config["JOURNAL_DB"], good)
    damaged = tmp_path / "damaged.db"
    data = bytearray(good.read_bytes())
    data[4096 * 2: 4096 * 3] = b"\xff" * 4096  # wreck a b-tree page
    damaged.write_bytes(bytes(data))

    result = app.test_cli_runner().invoke(args=["restore", str(damaged)])

    assert result.exit_code != 0
    assert "Restore failed" in result.output
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 50


def test_restore_erases_again_an_account_deleted_after_the_backup(
    app, db, patient, other_patient, tmp_path
):
    for who in (patient.id, other_patient.id):
        entries.create(db, who, {"distress": 2, "feelings": [], "topics": [], "note": "mine"})
    copy = tmp_path / "before-deletion.db"
    backups.backup(app.config["JOURNAL_DB"], copy)
    personal_data.erase_account(db, patient.id)
    db.close()

    result = app.test_cli_runner().invoke(args=["restore", str(copy)])

    assert result.exit_code == 0, result.output
    assert "accounts erased again: 1" in result.output
    restored = connect(app.config["JOURNAL_DB"])
    try:
        users = [r[0] for r in restored.execute("SELECT id FROM users")]
        assert users == [other_patient.id]
        patients = [r[0] for r in restored.execute("SELECT patient_id FROM entries")]
        assert patients == [other_patient.id]
        tombstones = restored.execute("SELECT user_id FROM account_tombstones").fetchall()
        assert tombstones == [(patient.id,)]
    finally:
        restored.close()


def test_a_reused_id_is_not_erased_by_an_old_tombstone(db, patient):
    tombstone = (patient.id, "patient", "2020-01-01T00:00:00Z", "2020-02-01T00:00:00Z")

    assert backups.reapply_erasures(db, [tombstone]) == 0
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 1


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_commands_say_what_they_do(app, command):
    result = app.test_cli_runner().invoke(args=[command, "--help"])
    assert result.exit_code == 0
    assert "PATH" in result.output
