"""Faults, for real: gunicorn on loopback is killed with SIGKILL in the middle of a burst of
check-ins and restarted; every acknowledged check-in must be stored exactly once.

`make test` runs a small burst; `make faults` a bigger one (FAULT_* variables below).
"""

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from bench.drill import PASSWORD, Person, free_port
from journal import create_app
from journal.accounts import consent
from journal.accounts import users as accounts
from journal.platform.db import connect

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("FAULT_CLIENTS", "4"))
CHECK_INS = int(os.environ.get("FAULT_CHECKINS", "10"))
KILLS = int(os.environ.get("FAULT_KILLS", "1"))
WORKERS = int(os.environ.get("FAULT_WORKERS", "3"))
DEADLINE = float(os.environ.get("FAULT_SECONDS", "60"))


class Server:
    """gunicorn in its own process group, so SIGKILL takes the master and every worker."""

    def __init__(self, db_path, port, log_path):
        self.port = port
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.env = {**os.environ, "JOURNAL_MODE": "test", "JOURNAL_DB": str(db_path),
                    "SECRET_KEY": "faults-" + "0" * 40}
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--preload", "--workers", str(WORKERS),
             "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "2",
             "--no-control-socket", "app:app"],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=self.log, start_new_session=True,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
            finally:
                conn.close()
        raise RuntimeError("gunicorn did not start")

    def kill(self):
        """SIGKILL the whole group: no shutdown, no flushing, like a crash."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGQUIT)  # gunicorn's quick shutdown
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()


class Client(Person):
    """One signed-in person on a phone who sends a check-in until it is acknowledged."""

    def check_in_until(self, client_id, note, deadline):
        """Send until acknowledged (303), retrying the same client id; False if out of time."""
        while time.monotonic() < deadline:
            try:
                status = self.check_in(client_id, note)
            except (OSError, http.client.HTTPException):
                self.errors += 1  # the server is down or died mid-request: send again
                time.sleep(0.05)
                continue
            if status == 303:
                return True
            assert status >= 500, f"check-in refused with {status}"
            time.sleep(0.05)
        return False


def run_burst(tmp_path, clients=CLIENTS, check_ins=CHECK_INS, kills=KILLS):
    db_path = tmp_path / "journal.db"
    app = create_app({"MODE": "test", "JOURNAL_DB": str(db_path)})
    db = connect(str(db_path))
    password_hash = app.extensions["passwords"].hash(PASSWORD)
    emails = [f"burst{n}@example.com" for n in range(clients)]
    for email in emails:
        consent.agree(db, accounts.create_user(db, email, password_hash))  # as sign-up does
    db.close()

    server = Server(db_path, free_port(), tmp_path / "gunicorn.log")
    server.start()
    people = [Client(server.port, email) for email in emails]
    sent, acknowledged, lock = [], [], threading.Lock()
    planned = clients * check_ins
    deadline = time.monotonic() + DEADLINE
    started = time.monotonic()
    try:
        for person in people:
            person.sign_in()

        def burst(n, person):
            for j in range(check_ins):
                client_id = f"fault-{n}-{j}-{uuid.uuid4().hex[:12]}"
                with lock:
                    sent.append(client_id)
                if person.check_in_until(client_id, f"Burst note {n}-{j}", deadline):
                    with lock:
                        acknowledged.append(client_id)

        threads = [threading.Thread(target=burst, args=(n, p)) for n, p in enumerate(people)]
        for thread in threads:
            thread.start()
        restarts = []
        for kill in range(kills):
            # Kill at evenly spaced points through the burst.
            target = planned * (kill + 1) // (kills + 1)
            while len(acknowledged) < target and time.monotonic() < deadline:
                time.sleep(0.002)
            server.kill()
            down = time.monotonic()
            server.start()
            restarts.append(time.monotonic() - down)
        for thread in threads:
            thread.join(DEADLINE)
    finally:
        server.stop()
    elapsed = time.monotonic() - started

    conn = sqlite3.connect(db_path)
    try:
        stored = Counter(
            r[0] for r in conn.execute("SELECT client_id FROM entries WHERE client_id IS NOT NULL")
        )
        notes = Counter(r[0] for r in conn.execute("SELECT note FROM entries"))
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    statuses = sum((p.statuses for p in people), Counter())
    return {
        "sent": len(sent),
        "acknowledged": len(acknowledged),
        "acknowledged_ids": acknowledged,
        "found": sum(1 for c in acknowledged if stored[c] == 1),
        "stored": sum(stored.values()),
        "stored_counts": stored,
        "duplicate_notes": sum(1 for n in notes.values() if n > 1),
        "integrity": integrity,
        "requests": sum(p.requests for p in people),
        "connection_errors": sum(p.errors for p in people),
        "statuses": statuses,
        "kills": kills,
        "restart_seconds": restarts,
        "seconds": elapsed,
    }


def describe(figures):
    restarts = ", ".join(f"{s:.2f}s" for s in figures["restart_seconds"])
    return (
        f"faults: {CLIENTS} clients, {WORKERS} gunicorn workers, {figures['kills']} SIGKILL(s);"
        f" sent {figures['sent']}, acknowledged {figures['acknowledged']},"
        f" found {figures['found']} (stored {figures['stored']});"
        f" {figures['requests']} requests, {figures['connection_errors']} cut by the kill,"
        f" statuses {dict(sorted(figures['statuses'].items()))};"
        f" restart {restarts}; integrity_check {figures['integrity']};"
        f" {figures['seconds']:.1f}s"
    )


@pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")
def test_sigkill_mid_burst_loses_no_acknowledged_check_in(tmp_path, record_property):
    figures = run_burst(tmp_path)
    summary = describe(figures)
    print(summary)
    record_property("figures", summary)

    assert figures["sent"] == CLIENTS * CHECK_INS
    assert figures["acknowledged"] == figures["sent"], "a check-in was never acknowledged"
    # Every acknowledged check-in is there exactly once; nothing is there twice.
    assert figures["found"] == figures["acknowledged"]
    assert all(n == 1 for n in figures["stored_counts"].values())
    assert figures["stored"] == figures["sent"]
    assert figures["duplicate_notes"] == 0
    assert figures["integrity"] == "ok"
    # The kill cut requests off, yet no one ever saw a server error or "database is locked".
    assert figures["connection_errors"] > 0
    assert not [s for s in figures["statuses"] if s >= 500]
