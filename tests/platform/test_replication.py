"""Litestream beside the app: the SQLite settings it needs, the configurations we ship, and
restores from its replica that keep erased accounts erased."""

import os
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from bench.drill import write_config
from journal import create_app
from journal.diary import entries
from journal.platform import config, personal_data, replication
from journal.platform.db import connect, get_db
from journal.platform.replication import ReplicaError, litestream_binary, local_txid

ROOT = Path(__file__).resolve().parent.parent.parent
NOTE = "Quiet words about the waiting room"


def litestream(*args):
    """Run a litestream command; its standard output."""
    result = subprocess.run([litestream_binary(), *map(str, args)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def autocheckpoint(db):
    return db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]


def test_replicated_connections_leave_checkpoints_to_litestream(tmp_path):
    path = str(tmp_path / "journal.db")
    alone, streamed = connect(path), connect(path, replicated=True)
    try:
        assert autocheckpoint(alone) == 1000  # SQLite's own, when nothing streams the file
        assert autocheckpoint(streamed) == 0
        assert streamed.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert streamed.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        alone.close()
        streamed.close()


def test_request_connections_follow_journal_replicated(monkeypatch, tmp_path):
    monkeypatch.setenv("JOURNAL_REPLICATED", "1")
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "journal.db")})
    assert app.config["REPLICATED"] is True
    with app.app_context():
        assert autocheckpoint(get_db()) == 0


@pytest.mark.parametrize("raw", ["yes", "true", "2", ""])
def test_journal_replicated_must_be_one_or_zero(monkeypatch, raw):
    monkeypatch.setenv("JOURNAL_MODE", "test")
    monkeypatch.setenv("JOURNAL_REPLICATED", raw)
    with pytest.raises(config.ConfigError, match="JOURNAL_REPLICATED must be 1 or 0"):
        config.load()


def test_replication_is_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv("JOURNAL_REPLICATED", raising=False)
    monkeypatch.setenv("JOURNAL_MODE", "test")
    assert config.load()["REPLICATED"] is False


@pytest.mark.parametrize(("name", "replica", "environment"), [
    ("litestream.yml", "file", {"LITESTREAM_REPLICA": "/tmp/replica"}),
    ("deploy/litestream-s3.yml", "s3", {
        "LITESTREAM_BUCKET": "ww-north-east", "LITESTREAM_REGION": "eu-west-2",
        "LITESTREAM_KMS_KEY_ID": "alias/waiting-well"}),
    ("deploy/litestream-sftp.yml", "sftp", {
        "LITESTREAM_SFTP_HOST": "replica.example:22", "LITESTREAM_SFTP_USER": "ww",
        "LITESTREAM_SFTP_KEY": "/etc/waiting-well/replica_key",
        "LITESTREAM_SFTP_HOST_KEY": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA"}),
])
def test_shipped_configurations_parse_and_name_the_database_and_its_replica(
    name, replica, environment
):
    env = {**os.environ, **environment, "JOURNAL_DB": "/var/lib/waiting-well/journal.db"}
    result = subprocess.run([litestream_binary(), "databases", "-config", str(ROOT / name)],
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "/var/lib/waiting-well/journal.db" in result.stdout
    assert replica in result.stdout.split()


def test_shipped_configurations_hold_no_secret():
    for name in ("litestream.yml", "deploy/litestream-s3.yml", "deploy/litestream-sftp.yml"):
        text = (ROOT / name).read_text()
        for key in ("access-key-id:", "secret-access-key:", "password:", "sse-customer-key:"):
            assert key not in text, (name, key)


def test_erasing_under_litestream_does_not_wait_on_its_read_lock(app, db, patient, tmp_path):
    live = app.config["JOURNAL_DB"]
    settings = write_config(tmp_path / "litestream.yml", live, tmp_path / "replica")
    entries.create(db, patient.id, {"distress": 2, "feelings": [], "topics": [], "note": NOTE})
    daemon = subprocess.Popen([litestream_binary(), "replicate", "-config", str(settings)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    streamed = connect(live, replicated=True)
    try:
        deadline = time.monotonic() + 20
        while not list((tmp_path / "replica").rglob("*.ltx")) and time.monotonic() < deadline:
            time.sleep(0.05)  # Litestream holds its read lock from its first sync on
        assert list((tmp_path / "replica").rglob("*.ltx")), "litestream never synced"
        started = time.monotonic()
        assert personal_data.erase_account(streamed, patient.id)
        took = time.monotonic() - started
    finally:
        streamed.close()
        daemon.terminate()
        daemon.wait(30)
    # A TRUNCATE checkpoint would have waited out the 10-second busy timeout.
    assert took < 5, f"erasing took {took:.1f}s"
    assert db.execute("SELECT count(*) FROM users WHERE id = ?", [patient.id]).fetchone()[0] == 0


def test_restore_from_litestream_erases_again_an_account_deleted_after_the_last_sync(
    app, db, patient, other_patient, tmp_path
):
    live = app.config["JOURNAL_DB"]
    for who in (patient.id, other_patient.id):
        entries.create(db, who, {"distress": 2, "feelings": [], "topics": [], "note": NOTE})
    settings = write_config(tmp_path / "litestream.yml", live, tmp_path / "replica")
    litestream("replicate", "-config", settings, "-once")  # the replica holds both accounts
    personal_data.erase_account(db, patient.id)  # and the machine is lost before the next sync
    db.close()

    restored = tmp_path / "from-replica.db"
    litestream("restore", "-config", settings, "-o", restored, live)
    result = app.test_cli_runner().invoke(args=["restore", str(restored)])

    assert result.exit_code == 0, result.output
    assert "accounts erased again: 1" in result.output
    conn = sqlite3.connect(live)
    try:
        assert [r[0] for r in conn.execute("SELECT id FROM users")] == [other_patient.id]
        assert [r[0] for r in conn.execute("SELECT patient_id FROM entries")] == [
            other_patient.id]
        assert conn.execute("SELECT user_id FROM account_tombstones").fetchall() == [
            (patient.id,)]
    finally:
        conn.close()


def test_restore_from_litestream_after_the_erasure_synced_brings_nothing_back(
    app, db, patient, other_patient, tmp_path
):
    live = app.config["JOURNAL_DB"]
    entries.create(db, patient.id, {"distress": 2, "feelings": [], "topics": [], "note": NOTE})
    settings = write_config(tmp_path / "litestream.yml", live, tmp_path / "replica")
    litestream("replicate", "-config", settings, "-once")
    personal_data.erase_account(db, patient.id)
    litestream("replicate", "-config", settings, "-once")  # the erasure reaches the replica
    db.close()

    restored = tmp_path / "from-replica.db"
    litestream("restore", "-config", settings, "-o", restored, live)

    conn = sqlite3.connect(restored)
    try:
        assert conn.execute("SELECT count(*) FROM users WHERE id = ?", [patient.id]).fetchone() \
            == (0,)
        assert conn.execute("SELECT count(*) FROM entries").fetchone() == (0,)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        conn.close()
    assert NOTE.encode() not in restored.read_bytes()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_replica_lag_passes_while_litestream_streams_and_fails_once_it_stops(
    app, db, patient, tmp_path
):
    live = app.config["JOURNAL_DB"]
    port = free_port()
    settings = write_config(tmp_path / "litestream.yml", live, tmp_path / "replica")
    settings.write_text(f'addr: "127.0.0.1:{port}"\n' + settings.read_text())
    metrics = f"http://127.0.0.1:{port}/metrics"
    command = ["replica-lag", "--config", str(settings), "--metrics", metrics,
               "--max-seconds", "20"]
    daemon = subprocess.Popen([litestream_binary(), "replicate", "-config", str(settings)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        entries.create(db, patient.id, {"distress": 2, "feelings": [], "topics": [],
                                        "note": NOTE})
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # until the metrics answer
            try:
                local_txid(metrics, live)
                break
            except ReplicaError:
                time.sleep(0.1)
        current = app.test_cli_runner().invoke(args=command)
    finally:
        daemon.terminate()
        daemon.wait(30)
    stopped = app.test_cli_runner().invoke(args=command)

    assert current.exit_code == 0, current.output
    assert "Replica current" in current.output
    assert stopped.exit_code == 1
    assert "Litestream is not answering" in stopped.output


def test_replica_lag_fails_when_the_replica_stays_behind(monkeypatch, tmp_path):
    monkeypatch.setattr(replication, "local_txid", lambda url, path: 7)
    monkeypatch.setattr(replication, "replica_txid", lambda config, path: 5)

    with pytest.raises(ReplicaError, match="holds transaction 5, Litestream reached 7"):
        replication.lag(tmp_path / "litestream.yml", tmp_path / "journal.db", "http://x",
                        max_seconds=0.2, poll=0.05)
