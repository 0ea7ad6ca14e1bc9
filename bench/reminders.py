"""`make bench`, reminders: send-reminders' search over the national-scale database.

A share of the patients (20% by default, BENCH_REMINDER_SHARE) turn reminders on: each a
daily check-in at a quarter-hour between 8am and 8:45pm and scan nudges, by email. At 7pm UK
time on the database's day, it times finding what is due and queuing it (the part of a run
that grows with the number of patients), the same again a minute later (nothing new: the
unique key), and the bookkeeping of delivering the queue with a sender that does nothing. It
prints each query's EXPLAIN QUERY PLAN. BENCH_SCALE and BENCH_REBUILD as for bench.run.
"""

import os
import random
import shutil
import time
from datetime import datetime, timedelta
from datetime import time as clock

from bench import run as bench_run
from bench import synthetic
from journal.platform.clock import UK, parse_utc, utc_iso
from journal.platform.db import connect
from journal.reminders import sending
from journal.scans.stages import next_working_day

SEED = "waiting-well-reminders-1"


def opt_in(db, share, now):
    """Turn reminders on for `share` of the patients, deterministically; returns how many."""
    rng = random.Random(SEED)  # noqa: S311 - a repeatable sample, not a secret
    patients = [row["id"] for row in db.query("SELECT id FROM users WHERE role = 'patient'")]
    chosen = rng.sample(patients, round(len(patients) * share))
    times = [f"{h:02d}:{m:02d}" for h in range(8, 21) for m in (0, 15, 30, 45)]
    with db.conn:
        db.conn.executemany(
            "INSERT OR REPLACE INTO reminder_choices (patient_id, daily_at, scan_nudges,"
            " by_email, updated_at) VALUES (?, ?, 1, 1, ?)",
            [(pid, rng.choice(times), utc_iso(now)) for pid in chosen])
    return len(chosen)


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, (time.perf_counter() - started) * 1000


def plans(db, now):
    """Each of the run's queries with its plan."""
    day = sending._day_range(now)  # noqa: SLF001 - the same bounds the run uses
    queries = {"opted in": (sending.OPTED_IN, []),
               "waiting scans": (sending.WAITING_SCANS, []),
               "sent today": (sending.SENT_TODAY, day),
               "queued to deliver": (sending.PENDING, [*day, utc_iso(now)])}
    for name, (sql, params) in queries.items():
        plan = " / ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}", params))
        print(f"  {name}: {plan}")


def main():
    factor = bench_run.setting("BENCH_SCALE", 1.0)
    share = bench_run.setting("BENCH_REMINDER_SHARE", 0.2)
    bench_run.OUT.mkdir(exist_ok=True)
    db_path, stats = bench_run.ensure_database(factor, os.environ.get("BENCH_REBUILD") == "1")
    work = bench_run.OUT / "reminders.db"
    synthetic.remove(work)
    shutil.copyfile(db_path, work)
    built = parse_utc(stats["now"])
    now = datetime.combine(built.astimezone(UK).date(), clock(19), tzinfo=UK)
    db = connect(str(work))
    try:
        opted = opt_in(db, share, now)
        db.execute("ANALYZE")
        print(f"send-reminders over {stats['scale']['patients']} patients, {opted} opted in"
              f" ({share:.0%}), at {now:%Y-%m-%d %H:%M} UK time:")
        # Once per process (so once per run of the command): the bank holiday tables load.
        _, holidays_ms = timed(lambda: next_working_day(now.date()))
        print(f"  load bank holidays, once per run: {holidays_ms:.0f} ms")
        found, find_ms = timed(lambda: sending.find_due(db, now))
        queued, queue_ms = timed(lambda: sending.queue(db, found, now))
        print(f"  find what is due: {len(found)} reminders in {find_ms:.0f} ms;"
              f" queue them: {queued} rows in {queue_ms:.0f} ms")
        later = now + timedelta(minutes=1)
        again, again_ms = timed(lambda: sending.find_due(db, later))
        print(f"  a minute later: {len(again)} due in {again_ms:.0f} ms (each sent once)")
        (sent, failed), deliver_ms = timed(
            lambda: sending.deliver_pending(db, later, lambda row: None))
        print(f"  deliver the queue with a sender that does nothing: {sent} in"
              f" {deliver_ms:.0f} ms ({deliver_ms / max(sent, 1):.2f} ms each, bookkeeping only)")
        plans(db, later)
    finally:
        db.close()
        synthetic.remove(work)


if __name__ == "__main__":
    main()
