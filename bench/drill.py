"""The restore drill: the app under gunicorn with Litestream streaming its database to a
replica folder, concurrent check-ins on loopback, then the machine is lost (SIGKILL to
Litestream, gunicorn and its workers at once, and the database files deleted), the database
is restored from the replica, and the app starts again. Each cycle counts check-ins
acknowledged, found after the restore and lost, and the loss window in seconds.

`make drill` runs it at full size and times a restore of the national-scale database;
`tests/test_drill.py` runs it small inside `make test`. Settings: DRILL_CLIENTS,
DRILL_CHECKINS (per client and cycle), DRILL_CYCLES, DRILL_WORKERS, DRILL_SCALE (the
`make bench` database whose restore is timed; 0 skips it), DRILL_DIR (keep the files there).
"""

import http.client
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench.run import ensure_database
from journal import create_app
from journal.accounts import consent
from journal.accounts import users as accounts
from journal.platform import backups
from journal.platform.db import connect
from journal.platform.replication import litestream_binary

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"  # noqa: S105 - the drill's own throwaway accounts
SECRET_KEY = "drill-" + "0" * 40
START_SECONDS = 60  # a loaded machine starts gunicorn in a few seconds; never wait forever


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Person:
    """One signed-in person on a phone, with only the standard library."""

    def __init__(self, port, email):
        self.port, self.email = port, email
        self.cookies = {}
        self.statuses = Counter()
        self.errors = 0
        self.requests = 0
        self.csrf = None

    def request(self, method, path, form=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.requests += 1
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.msg.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
            self.statuses[response.status] += 1
            return response.status, text
        finally:
            conn.close()

    def token(self, path):
        status, html = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def sign_in(self):
        form = {"csrf_token": self.token("/sign-in"), "email": self.email, "password": PASSWORD}
        status, _ = self.request("POST", "/sign-in", form)
        if status != 303:
            raise RuntimeError(f"sign-in answered {status}")
        self.csrf = self.token("/home")

    def sign_in_patiently(self):
        """Sign in, trying again while a loaded machine is slow to answer (bounded)."""
        deadline = time.monotonic() + START_SECONDS
        while self.csrf is None and time.monotonic() < deadline:
            try:
                self.sign_in()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                time.sleep(0.2)

    def check_in(self, client_id, note):
        """Send one check-in; the status (303 when stored and acknowledged)."""
        form = {"csrf_token": self.csrf, "distress": "5", "note": note, "client_id": client_id}
        status, _ = self.request("POST", "/check-in", form)
        return status


def seed(db_path, emails):
    """A new database with one patient per email, all with PASSWORD."""
    app = create_app({"MODE": "test", "JOURNAL_DB": str(db_path)})
    db = connect(str(db_path))
    try:
        password_hash = app.extensions["passwords"].hash(PASSWORD)
        for email in emails:
            consent.agree(db, accounts.create_user(db, email, password_hash))
    finally:
        db.close()


def write_config(path, db_path, replica):
    """A Litestream configuration with a file replica."""
    path.write_text(
        "dbs:\n"
        f"  - path: {db_path}\n"
        "    replica:\n"
        "      type: file\n"
        f"      path: {replica}\n"
    )
    return path


class Machine:
    """Litestream supervising gunicorn (`litestream replicate -exec`), as in production, in
    a process group of its own so that one SIGKILL takes all of it, like a lost machine."""

    def __init__(self, config, db_path, log_path, workers):
        self.config, self.db_path, self.workers = config, db_path, workers
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in close()
        self.process = None
        self.port = None

    def start(self):
        self.port = free_port()
        server = (f"{sys.executable} -m gunicorn --preload --workers {self.workers}"
                  f" --bind 127.0.0.1:{self.port} --graceful-timeout 2"
                  " --no-control-socket app:app")
        env = {**os.environ, "JOURNAL_MODE": "test", "JOURNAL_DB": str(self.db_path),
               "JOURNAL_REPLICATED": "1", "SECRET_KEY": SECRET_KEY}
        self.process = subprocess.Popen(  # noqa: S603 - our own command line
            [litestream_binary(), "replicate", "-config", str(self.config), "-exec", server],
            cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True,
        )
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"litestream exited with {self.process.returncode}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.05)
            finally:
                conn.close()
        self.kill()
        raise RuntimeError("the app did not start under litestream")

    def kill(self):
        """SIGKILL Litestream, gunicorn and every worker at once: nothing is flushed."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        """A clean stop: Litestream passes the signal on, waits, and syncs a last time."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self):
        if self.process and self.process.poll() is None:
            self.kill()
        self.log.close()


def lose_machine(db_path):
    """Delete the database, its WAL and shared memory, and Litestream's local state."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    for meta in (db_path.with_name(f".{db_path.name}-litestream"),
                 db_path.with_name(f"{db_path.name}-litestream")):
        shutil.rmtree(meta, ignore_errors=True)


def restore(config, db_path, scratch):
    """The documented restore: `litestream restore` into a new file, then `flask restore`
    (integrity check, schema, erasures) into JOURNAL_DB; the seconds each took."""
    restored = scratch / f"restored-{uuid.uuid4().hex[:8]}.db"
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own command line
        [litestream_binary(), "restore", "-config", str(config), "-o", str(restored),
         str(db_path)],
        check=True, capture_output=True, timeout=3600,
    )
    fetched = time.monotonic()
    backups.restore(restored, db_path)
    checked = time.monotonic()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{restored}{suffix}").unlink(missing_ok=True)
    return fetched - started, checked - fetched


def stored_client_ids(db_path):
    conn = sqlite3.connect(db_path)
    try:
        rows = conn.execute("SELECT client_id FROM entries WHERE client_id IS NOT NULL")
        ids = Counter(r[0] for r in rows)
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return ids, integrity


@dataclass
class Cycle:
    """What one loss of the machine cost."""

    sent: int = 0
    acknowledged: int = 0
    found: int = 0
    lost: int = 0
    loss_window: float = 0.0  # seconds between the first lost acknowledgement and the kill
    earlier_missing: int = 0  # acknowledged in an earlier cycle, found then, missing now
    duplicates: int = 0
    unexpected: dict = field(default_factory=dict)  # statuses other than 200 and 303 seen
    cut: int = 0  # requests the kill cut off
    start_seconds: float = 0.0  # from starting Litestream to the app answering
    restore_seconds: float = 0.0
    check_seconds: float = 0.0
    integrity: str = ""
    seconds: float = 0.0


def burst(machine, emails, plan, deadline, cycle_no):
    """Concurrent check-ins, each person pausing between two, until a share of them are
    acknowledged and some seconds have passed, then SIGKILL; the Cycle so far, the
    acknowledged ids and the time of the kill.

    The pause spreads a cycle over seconds, longer than Litestream's one-second sync, so
    that some check-ins reach the replica before the kill and some do not."""
    check_ins, pause = plan.check_ins, plan.pause
    people = [Person(machine.port, email) for email in emails]
    # Together, so that each worker's first (slow) requests overlap.
    signing = [threading.Thread(target=p.sign_in_patiently, daemon=True) for p in people]
    for thread in signing:
        thread.start()
    for thread in signing:
        thread.join(START_SECONDS + 10)
    if not all(p.csrf for p in people):
        raise RuntimeError("a sign-in failed: see litestream.log in the drill's folder")
    killed = threading.Event()
    lock = threading.Lock()
    acknowledged = {}  # client id -> monotonic time of the acknowledgement
    sent = []
    cut = Counter()

    def send(n, person):
        for j in range(check_ins):
            if killed.is_set() or time.monotonic() > deadline:
                return
            client_id = f"drill-{cycle_no}-{n}-{j}-{uuid.uuid4().hex[:8]}"
            with lock:
                sent.append(client_id)
            try:
                status = person.check_in(client_id, f"Drill note {cycle_no}-{n}-{j}")
            except (OSError, http.client.HTTPException):
                with lock:
                    cut[n] += 1
                return  # the machine is gone
            if status == 303:
                with lock:
                    acknowledged[client_id] = time.monotonic()
            killed.wait(pause)

    threads = [threading.Thread(target=send, args=(n, p), daemon=True)
               for n, p in enumerate(people)]
    for thread in threads:
        thread.start()
    target = max(1, int(len(emails) * check_ins * plan.kill_fraction))
    earliest = time.monotonic() + plan.kill_after
    while ((len(acknowledged) < target or time.monotonic() < earliest)
           and time.monotonic() < deadline and any(t.is_alive() for t in threads)):
        time.sleep(0.002)
    killed.set()
    machine.kill()
    killed_at = time.monotonic()
    for thread in threads:
        thread.join(15)
    statuses = sum((p.statuses for p in people), Counter())
    # Sign-in pages answer 200, the sign-in 303: only check-in answers are counted here.
    unexpected = {s: n for s, n in statuses.items() if s not in (200, 303)}
    cycle = Cycle(sent=len(sent), acknowledged=len(acknowledged), unexpected=unexpected,
                  cut=sum(cut.values()))
    return cycle, acknowledged, killed_at


@dataclass(frozen=True)
class Plan:
    """How big a drill is."""

    clients: int = 4
    check_ins: int = 25  # per person and cycle
    cycles: int = 3
    workers: int = 2
    pause: float = 0.1  # seconds a person waits between two check-ins
    kill_fraction: float = 0.6  # kill once this share of a cycle's check-ins is acknowledged
    kill_after: float = 3.0  # and not before this many seconds of check-ins
    seconds: float = 120  # the whole drill stops sending after this, whatever happens
    last_start: bool = True  # after the last cycle: start, check in, stop cleanly, restore


@dataclass
class Report:
    cycles: list
    final_check_in: bool = False
    final_found: bool = False


def drill(workdir, plan=Plan(), log=print):  # noqa: B008 - Plan is frozen
    """Lose the machine plan.cycles times; a Report of each, and of a last clean start."""
    workdir = Path(workdir)
    db_path = workdir / "journal.db"
    replica = workdir / "replica"
    config = write_config(workdir / "litestream.yml", db_path, replica)
    emails = [f"drill{n}@example.com" for n in range(plan.clients)]
    seed(db_path, emails)
    machine = Machine(config, db_path, workdir / "litestream.log", plan.workers)
    report = Report(cycles=[])
    survived = set()  # acknowledged and found after an earlier restore
    deadline = time.monotonic() + plan.seconds
    try:
        for n in range(plan.cycles):
            started = time.monotonic()
            machine.start()
            up = time.monotonic()
            cycle, acknowledged, killed_at = burst(machine, emails, plan, deadline, n)
            cycle.start_seconds = up - started
            lose_machine(db_path)
            cycle.restore_seconds, cycle.check_seconds = restore(config, db_path, workdir)
            stored, cycle.integrity = stored_client_ids(db_path)
            lost = [c for c in acknowledged if c not in stored]
            cycle.found = len(acknowledged) - len(lost)
            cycle.lost = len(lost)
            cycle.loss_window = max((killed_at - acknowledged[c] for c in lost), default=0.0)
            cycle.earlier_missing = sum(1 for c in survived if c not in stored)
            cycle.duplicates = sum(1 for count in stored.values() if count > 1)
            survived |= {c for c in acknowledged if c in stored}
            cycle.seconds = time.monotonic() - started
            report.cycles.append(cycle)
            log(describe_cycle(n + 1, cycle))
        if not plan.last_start:
            return report
        # Start once more on the last restore: it serves and streams again.
        machine.start()
        person = Person(machine.port, emails[0])
        person.sign_in_patiently()
        client_id = f"drill-after-{uuid.uuid4().hex[:8]}"
        report.final_check_in = person.check_in(client_id, "After the drill") == 303
        machine.stop()
        lose_machine(db_path)
        restore(config, db_path, workdir)
        stored, _ = stored_client_ids(db_path)
        report.final_found = client_id in stored and all(c in stored for c in survived)
    finally:
        machine.close()
    return report


def describe_cycle(number, c):
    unexpected = f", other answers {c.unexpected}" if c.unexpected else ""
    return (
        f"cycle {number}: sent {c.sent}, acknowledged {c.acknowledged}, found {c.found},"
        f" lost {c.lost} (loss window {c.loss_window:.2f}s); earlier check-ins missing"
        f" {c.earlier_missing}; {c.cut} requests cut by the kill{unexpected};"
        f" start {c.start_seconds:.2f}s, litestream restore {c.restore_seconds:.2f}s,"
        f" flask restore {c.check_seconds:.2f}s;"
        f" integrity_check {c.integrity}; {c.seconds:.1f}s"
    )


def time_scale_restore(factor, workdir, log=print):
    """Replicate a copy of the `make bench` database at this scale once, and time the
    restore of it: `litestream restore`, then `flask restore`'s checks and copy."""
    source, _ = ensure_database(factor, rebuild=False)
    db_path = workdir / "national" / "journal.db"
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    config = write_config(db_path.parent / "litestream.yml", db_path, db_path.parent / "replica")
    started = time.monotonic()
    subprocess.run(  # noqa: S603 - our own command line
        [litestream_binary(), "replicate", "-config", str(config), "-once"],
        check=True, capture_output=True, timeout=3600,
    )
    replicated = time.monotonic() - started
    size = db_path.stat().st_size
    lose_machine(db_path)
    fetch, check = restore(config, db_path, db_path.parent)
    result = {"scale": factor, "bytes": size, "first_snapshot_seconds": replicated,
              "litestream_restore_seconds": fetch, "flask_restore_seconds": check}
    log(f"restore at scale {factor:g} ({size / 1e6:.0f} MB): first snapshot {replicated:.1f}s;"
        f" litestream restore {fetch:.1f}s, flask restore {check:.1f}s,"
        f" together {fetch + check:.1f}s")
    return result


def main():
    """`make drill`: the drill at full size, then the national-scale restore time."""
    plan = Plan(
        clients=int(os.environ.get("DRILL_CLIENTS", "12")),
        check_ins=int(os.environ.get("DRILL_CHECKINS", "100")),
        cycles=int(os.environ.get("DRILL_CYCLES", "3")),
        workers=int(os.environ.get("DRILL_WORKERS", "3")),
        kill_after=10.0,
        seconds=600,
    )
    scale = float(os.environ.get("DRILL_SCALE", "1"))
    keep = os.environ.get("DRILL_DIR")
    workdir = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="drill-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"Drill in {workdir}: {plan.clients} clients x {plan.check_ins} check-ins,"
          f" {plan.cycles} cycles, {plan.workers} gunicorn workers, a kill after"
          f" {plan.kill_after:g}s and {plan.kill_fraction:.0%} acknowledged;"
          f" {litestream_binary()}")
    try:
        report = drill(workdir, plan)
        windows = [c.loss_window for c in report.cycles]
        print(f"Loss window (RPO) over {len(windows)} cycles: worst {max(windows):.2f}s;"
              f" acknowledged {sum(c.acknowledged for c in report.cycles)},"
              f" found {sum(c.found for c in report.cycles)},"
              f" lost {sum(c.lost for c in report.cycles)};"
              f" started again, checked in and streamed: {report.final_found}")
        if scale > 0:
            time_scale_restore(scale, workdir)
    finally:
        if not keep:
            shutil.rmtree(workdir, ignore_errors=True)
    failed = not report.final_found or any(
        c.integrity != "ok" or c.unexpected or c.earlier_missing or c.duplicates
        for c in report.cycles)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
