"""A deterministic synthetic database at national scale, loaded fast for the benchmark.

Each table has one small function. Tables from other features (privacy agreements, care
teams, memberships, patient links, the shared flag, reviews) are filled only when the schema
has them, so the generator also works on an older schema: the names below follow the
migrations.
"""

import argparse
import hashlib
import itertools
import json
import random
import re
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from journal.accounts import consent
from journal.accounts import users as accounts
from journal.diary.validation import FEELINGS, TOPICS
from journal.platform import config, migrations
from journal.platform.clock import UK, utc_iso
from journal.platform.db import connect
from journal.scans.records import stage_of
from journal.scans.stages import STAGES

SEED = "waiting-well-bench-1"
FULL_SCALE = {"teams": 50, "nurses": 300, "patients": 60_000, "entries": 2_000_000}
SHARED_FRACTION = 0.4
REVIEWED_FRACTION = 0.7
BENCH_PASSWORD = "bench-password-not-a-secret"  # noqa: S105 - synthetic accounts only
# Every synthetic nurse's authenticator secret (base32), so the benchmark can give the code
# that nurses and admins must give at sign-in (issue 6a).
BENCH_TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCH22"  # noqa: S105 - synthetic accounts only
PATIENT_EMAIL = "patient{}@bench.example"
NURSE_EMAIL = "nurse{}@bench.example"
HISTORY_DAYS = 365

# Care-team schema (issue 4, migration 0004_care_teams), filled only where it exists.
TEAMS = "teams"
TEAM_NAME = "name"
TEAM_HOURS = "working_hours"
TEAM_CREATED = "created_at"
MEMBERSHIPS = "team_nurses"
MEMBERSHIP_TEAM = "team_id"
MEMBERSHIP_NURSE = "nurse_id"
MEMBERSHIP_JOINED = "joined_at"
LINKS = "care_links"
LINK_TEAM = "team_id"
LINK_PATIENT = "patient_id"
LINK_NAME = "held_name"
LINK_DOB = "held_dob"
LINK_CREATED = "connected_at"
ENTRY_SHARED = "shared"
ENTRY_REVIEWED = "reviewed_at"
ENTRY_SHARED_TEAM = "shared_team_id"
ENTRY_REVIEWED_TEAM = "reviewed_team_id"
REVIEWS = "entry_reviews"
REVIEW_ENTRY = "entry_id"
REVIEW_NURSE = "nurse_id"
REVIEW_TEAM = "team_id"
REVIEW_AT = "reviewed_at"
TEAM_HOURS_TEXT = "Monday to Friday, 9am to 5pm"
# Privacy agreements (issue 6a): a patient without one is sent to agree before any page.
AGREEMENTS = "privacy_agreements"

# Short notes in our own words; an entry joins one to three of them.
NOTE_PARTS = (
    "Slept badly again.", "Woke early and could not get back to sleep.",
    "Walked the dog and felt a bit better.", "Still no letter about the results.",
    "The scan was quicker than I expected.", "Rang the hospital but nobody picked up.",
    "My sister came round for tea.", "Kept thinking about what they might find.",
    "Work was hard to focus on.", "Had a good cry and then felt lighter.",
    "Tired all afternoon.", "The nurse was kind on the phone.",
    "Worried about money if I need more time off.", "Read in the garden for an hour.",
    "Could not eat much today.", "Pain in my side was worse this evening.",
    "Yoga class helped me breathe.", "Talked to my partner about the wait.",
    "The children noticed I was quiet.", "Wrote my questions for the appointment.",
    "Felt calm for most of the day.", "Every phone call makes me jump.",
    "Went swimming for the first time in weeks.", "The waiting room was very busy.",
    "Had to stop eating six hours before the scan.", "Results should come next week.",
    "Told my manager about the appointment.", "A friend sent flowers.",
    "Headache most of the day.", "Baked bread, which always helps.",
    "Watched a funny film with my son.", "Feeling hopeful after talking it through.",
    "Could not stop checking the post.", "Did some gardening in the sun.",
    "Felt sick before the appointment.", "Listened to music to keep busy.",
)
HOSPITALS = ("St Mary's", "Royal Infirmary", "General Hospital", "City Hospital", "Park Clinic")
NAMES = ("Alex", "Sam", "Jo", "Priya", "Chen", "Amara", "Ruth", "Tom", "Nia", "Oskar")


@dataclass(frozen=True)
class Scale:
    """How many of each thing to make."""

    teams: int
    nurses: int
    patients: int
    entries: int

    @classmethod
    def of(cls, factor):
        """The national scale multiplied by factor (0.01 for a quick run)."""
        n = {k: round(v * factor) for k, v in FULL_SCALE.items()}
        return cls(teams=max(1, n["teams"]), nurses=max(1, n["nurses"]),
                   patients=max(2, n["patients"]), entries=n["entries"])


@dataclass(frozen=True)
class Plan:
    """Everything the table functions share: sizes, ids, the clock and one password hash."""

    scale: Scale
    now: datetime
    password_hash: str

    def rng(self, table):
        """An independent random stream per table, so adding a table changes no other."""
        return random.Random(f"{SEED}:{table}")  # noqa: S311 - synthetic data, not secrets

    @property
    def nurse_ids(self):
        return range(1, self.scale.nurses + 1)

    @property
    def patient_ids(self):
        return range(self.scale.nurses + 1, self.scale.nurses + self.scale.patients + 1)

    def team_of(self, patient_id):
        return patient_id % self.scale.teams + 1


def columns(conn, table):
    """The column names of a table; empty when the table does not exist."""
    return {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}


def insert(conn, table, cols, rows):
    """executemany one INSERT; returns the row count."""
    sql = f"INSERT INTO [{table}] ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
    cursor = conn.executemany(sql, rows)
    return cursor.rowcount


def fill_if_present(conn, table, cols, rows):
    """Insert into a table from a branch not merged yet, or say why it was skipped."""
    have = columns(conn, table)
    if not have:
        return f"skipped: no {table} table yet"
    missing = [c for c in cols if c not in have]
    if missing:
        return f"skipped: {table} has no column {', '.join(missing)} (update bench/synthetic.py)"
    return insert(conn, table, cols, rows)


def users(conn, plan):
    """Nurses then patients, all with one shared password hash."""
    rng = plan.rng("users")
    created = utc_iso(plan.now - timedelta(days=HISTORY_DAYS))
    rows = [(i, NURSE_EMAIL.format(i), plan.password_hash, rng.choice(NAMES), "nurse", 0,
             created) for i in plan.nurse_ids]
    rows += [(i, PATIENT_EMAIL.format(i), plan.password_hash, rng.choice(NAMES), "patient",
              int(rng.random() < 0.3), created) for i in plan.patient_ids]
    return insert(conn, "users", ("id", "email", "password_hash", "first_name", "role",
                                  "share_by_default", "created_at"), rows)


def second_factors(conn, plan):
    """Nurses set up two-step sign-in when they first signed in (issue 6a)."""
    if not {"totp_secret", "totp_confirmed_at"} <= columns(conn, "users"):
        return "skipped: users has no second factor columns yet"
    created = utc_iso(plan.now - timedelta(days=HISTORY_DAYS))
    cursor = conn.execute(
        "UPDATE users SET totp_secret = ?, totp_confirmed_at = ? WHERE role = 'nurse'",
        [BENCH_TOTP_SECRET, created])
    return cursor.rowcount


def agreements(conn, plan):
    """Every patient agreed to the current privacy notice when they signed up, as sign-up
    records it."""
    created = utc_iso(plan.now - timedelta(days=HISTORY_DAYS))
    rows = [(p, consent.VERSION, created) for p in plan.patient_ids]
    return fill_if_present(conn, AGREEMENTS, ("user_id", "version", "agreed_at"), rows)


def entry_counts(plan):
    """Entries per patient: a long tail, most people a few dozen, some several hundred."""
    rng = plan.rng("entry_counts")
    weights = [rng.lognormvariate(0, 0.8) for _ in plan.patient_ids]
    total = sum(weights)
    counts = [int(w / total * plan.scale.entries) for w in weights]
    for i in range(plan.scale.entries - sum(counts)):
        counts[i % len(counts)] += 1
    return dict(zip(plan.patient_ids, counts, strict=True))


def _choices(items, most):
    """Every selection of one to `most` items, as stored JSON."""
    return [json.dumps(list(c)) for n in range(1, most + 1)
            for c in itertools.combinations(items, n)]


def entries(conn, plan):
    """Check-ins spread over a year, inserted in time order as a live service would."""
    rng = plan.rng("entries")
    feelings = _choices(FEELINGS, 2)
    topics = ["[]"] + _choices(tuple(TOPICS), 2)
    end = plan.now.timestamp()
    rows = []
    for patient_id, count in entry_counts(plan).items():
        span = min(HISTORY_DAYS, max(7, count * rng.uniform(1, 3))) * 86400
        for stamp in sorted(rng.uniform(end - span, end - 60) for _ in range(count)):
            note = "" if rng.random() < 0.25 else " ".join(
                rng.sample(NOTE_PARTS, rng.randint(1, 3)))
            rows.append((
                utc_iso(datetime.fromtimestamp(stamp, UTC)),
                patient_id,
                min(10, max(0, round(rng.gauss(5, 2.2)))),
                rng.choice(feelings),
                rng.choice(topics),
                note,
                int(rng.random() < SHARED_FRACTION),
            ))
    rows.sort()
    cols = ["created_at", "patient_id", "distress", "feelings", "topics", "note"]
    if ENTRY_SHARED in columns(conn, "entries"):
        cols.append(ENTRY_SHARED)
    else:
        rows = [row[:-1] for row in rows]
    return insert(conn, "entries", cols, rows)


def _scan_at_stage(rng, stage, now):
    """(appointment, fasting hours, results expected days, results received) for a stage."""
    today_uk = now.astimezone(UK)
    if stage == "no-date":
        return None, None, None, None
    if stage == "before":
        return now + timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 6)), None, None, None
    if stage == "prepare":
        return now + timedelta(hours=3), 6, None, None
    if stage == "scan-day":
        # Later today in the UK, when there is time left; the report counts what came out.
        minutes = max(10, min(180, (24 - today_uk.hour) * 60 - today_uk.minute - 10))
        return now + timedelta(minutes=minutes), None, None, None
    if stage == "afterwards":
        minutes = max(5, min(120, today_uk.hour * 60 + today_uk.minute - 5))
        return now - timedelta(minutes=minutes), None, None, None
    if stage == "waiting":
        return now - timedelta(days=rng.randint(2, 5)), None, None, None
    if stage == "results-due":
        return now - timedelta(days=rng.randint(8, 13)), None, None, None
    if stage == "overdue":
        return now - timedelta(days=rng.randint(16, 40)), None, None, None
    appointment = now - timedelta(days=rng.randint(15, 30))
    received = (appointment + timedelta(days=rng.randint(7, 14))).date().isoformat()
    return appointment, None, rng.choice((None, 10, 14)), received


SCAN_STAGES = STAGES


def scans(conn, plan):
    """One current scan per patient, spread evenly over every stage; some have an earlier one."""
    rng = plan.rng("scans")
    rows = []
    for patient_id in plan.patient_ids:
        if rng.random() < 0.3:
            earlier = plan.now - timedelta(days=rng.randint(60, 200))
            rows.append((patient_id, "liver-ultrasound", utc_iso(earlier), rng.choice(HOSPITALS),
                         None, None, (earlier + timedelta(days=10)).date().isoformat(),
                         utc_iso(earlier - timedelta(days=20))))
        stage = SCAN_STAGES[patient_id % len(SCAN_STAGES)]
        appointment, fasting, expected, received = _scan_at_stage(rng, stage, plan.now)
        rows.append((patient_id, rng.choice(("liver-ultrasound", "ct-scan")),
                     utc_iso(appointment) if appointment else None, rng.choice(HOSPITALS),
                     fasting, expected, received, utc_iso(plan.now - timedelta(days=45))))
    return insert(conn, "scans", ("patient_id", "kind", "appointment_at", "hospital",
                                  "fasting_hours", "results_expected_days",
                                  "results_received_on", "created_at"), rows)


def questions(conn, plan):
    """A few questions for the appointment per patient."""
    rng = plan.rng("questions")
    texts = ("How long will the results take?", "Who do I call if I have not heard?",
             "Will I need another scan?", "Can someone come with me?")
    created = utc_iso(plan.now - timedelta(days=30))
    rows = [(patient_id, text, int(rng.random() < 0.5), int(rng.random() < 0.2), created)
            for patient_id in plan.patient_ids
            for text in rng.sample(texts, rng.randint(0, 3))]
    return insert(conn, "questions", ("patient_id", "text", "suggested", "done", "created_at"),
                  rows)


def teams(conn, plan):
    """Care teams (issue 4)."""
    created = utc_iso(plan.now - timedelta(days=HISTORY_DAYS))
    rows = [(i, f"Breast care team {i}", TEAM_HOURS_TEXT, created)
            for i in range(1, plan.scale.teams + 1)]
    return fill_if_present(conn, TEAMS, ("id", TEAM_NAME, TEAM_HOURS, TEAM_CREATED), rows)


def memberships(conn, plan):
    """Nurses shared evenly across the teams (issue 4)."""
    joined = utc_iso(plan.now - timedelta(days=HISTORY_DAYS))
    rows = [(nurse_id % plan.scale.teams + 1, nurse_id, joined) for nurse_id in plan.nurse_ids]
    return fill_if_present(conn, MEMBERSHIPS,
                           (MEMBERSHIP_TEAM, MEMBERSHIP_NURSE, MEMBERSHIP_JOINED), rows)


def links(conn, plan):
    """Every patient connected to one team, under the name and birth date the team holds
    (issue 4)."""
    rng = plan.rng("links")
    created = utc_iso(plan.now - timedelta(days=HISTORY_DAYS))
    rows = [(plan.team_of(p), p, f"{rng.choice(NAMES)} Patient{p}",
             f"{rng.randint(1940, 1995)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
             created) for p in plan.patient_ids]
    return fill_if_present(conn, LINKS,
                           (LINK_TEAM, LINK_PATIENT, LINK_NAME, LINK_DOB, LINK_CREATED), rows)


def share_teams(conn, plan):
    """Each shared entry names the team it was shared with (migration 0010), as sharing
    while connected does; entries are made before the links, so they are named here."""
    if ENTRY_SHARED_TEAM not in columns(conn, "entries"):
        return f"skipped: entries has no {ENTRY_SHARED_TEAM} column yet"
    # "ended_at IS NULL" lets the look-up use the live links' unique index on the patient;
    # without it each of a million shared entries read all 60,000 links.
    return conn.execute(
        f"UPDATE entries SET [{ENTRY_SHARED_TEAM}] = (SELECT [{LINK_TEAM}] FROM [{LINKS}]"
        f" WHERE [{LINKS}].[{LINK_PATIENT}] = entries.patient_id AND ended_at IS NULL)"
        f" WHERE [{ENTRY_SHARED}] = 1"
    ).rowcount


def reviews(conn, plan):
    """Most shared entries older than two days marked reviewed by a nurse of the team."""
    if ENTRY_SHARED not in columns(conn, "entries"):
        return f"skipped: entries has no {ENTRY_SHARED} column yet"
    rng = plan.rng("reviews")
    cutoff = utc_iso(plan.now - timedelta(days=2))
    teams_count = plan.scale.teams
    nurses_by_team = {}
    for nurse_id in plan.nurse_ids:
        nurses_by_team.setdefault(nurse_id % teams_count + 1, []).append(nurse_id)
    shared = conn.execute(
        f"SELECT id, patient_id, created_at FROM entries WHERE [{ENTRY_SHARED}] = 1"
        " AND created_at < ? ORDER BY id", [cutoff])
    rows = [(entry_id, rng.choice(nurses_by_team[plan.team_of(patient_id)]),
             plan.team_of(patient_id), created_at)
            for entry_id, patient_id, created_at in shared
            if rng.random() < REVIEWED_FRACTION and plan.team_of(patient_id) in nurses_by_team]
    made = fill_if_present(conn, REVIEWS, (REVIEW_ENTRY, REVIEW_NURSE, REVIEW_TEAM, REVIEW_AT),
                           rows)
    if isinstance(made, int) and ENTRY_REVIEWED in columns(conn, "entries"):
        # The inbox reads an entry's own latest review time; the reviews table says who.
        conn.executemany(f"UPDATE entries SET [{ENTRY_REVIEWED}] = ? WHERE id = ?",
                         [(at, entry_id) for entry_id, _, _, at in rows])
    if isinstance(made, int) and ENTRY_REVIEWED_TEAM in columns(conn, "entries"):
        # A review counts only for the team that made it (migration 0010).
        conn.executemany(f"UPDATE entries SET [{ENTRY_REVIEWED_TEAM}] = ? WHERE id = ?",
                         [(team_id, entry_id) for entry_id, _, team_id, _ in rows])
    return made


TABLES = (users, second_factors, agreements, entries, scans, questions, teams, memberships,
          links, share_teams, reviews)


def fts_tables(conn):
    """(FTS table, content table) pairs, read from the schema the migrations made."""
    found = []
    for name, sql in conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
    ):
        match = re.search(r"content=\[?\"?'?(\w+)", sql or "")
        if match and match.group(1):
            found.append((name, match.group(1)))
    return found


def fts_triggers(conn, fts):
    """The triggers that keep FTS tables in step: (name, sql) pairs."""
    names = [name for name, _ in fts]
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()
    return [(n, sql) for n, sql in rows if any(f in sql for f in names)]


def stage_counts(conn, now):
    """How many current scans are at each stage, by the app's own stage logic."""
    counts = dict.fromkeys(SCAN_STAGES, 0)
    rows = conn.execute(
        "SELECT * FROM scans WHERE id IN (SELECT max(id) FROM scans GROUP BY patient_id)")
    names = [d[0] for d in rows.description]
    for row in rows:
        counts[stage_of(dict(zip(names, row, strict=True)), now).stage] += 1
    return counts


def generator_version():
    """Changes whenever this generator or the schema does, so a cached build is redone."""
    digest = hashlib.sha256()
    for module in (__file__, migrations.__file__):
        digest.update(Path(module).read_bytes())
    digest.update(repr(config.Production.ARGON2).encode())  # the shared hash's settings
    return digest.hexdigest()[:12]


def remove(path):
    """Delete a database with its WAL and shared-memory files."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def build(path, factor=1.0, now=None, log=print, password_hash=None):
    """Build the database at path; returns what was made, how long it took and its size."""
    started = time.perf_counter()
    version = generator_version()
    path = Path(path)
    now = now or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    remove(path)
    db = connect(str(path))
    migrations.apply(db)
    db.close()
    password_hash = password_hash or accounts.Passwords(**config.Production.ARGON2).hash(
        BENCH_PASSWORD)
    plan = Plan(scale=Scale.of(factor), now=now, password_hash=password_hash)

    conn = sqlite3.connect(path, isolation_level=None)
    # Nothing to protect while loading: a failed build is simply built again.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA locking_mode = EXCLUSIVE")
    conn.execute("PRAGMA cache_size = -1000000")
    conn.execute("PRAGMA temp_store = MEMORY")
    timings, made = {}, {}
    conn.execute("BEGIN")
    fts = fts_tables(conn)
    triggers = fts_triggers(conn, fts)
    for name, _ in triggers:
        conn.execute(f"DROP TRIGGER [{name}]")
    for table in TABLES:
        t0 = time.perf_counter()
        made[table.__name__] = table(conn, plan)
        timings[table.__name__] = round(time.perf_counter() - t0, 1)
        log(f"  {table.__name__:<12} {made[table.__name__]!s:>10}  {timings[table.__name__]}s")
    t0 = time.perf_counter()
    for name, _ in fts:
        conn.execute(f"INSERT INTO [{name}]([{name}]) VALUES ('rebuild')")
    for _, sql in triggers:
        conn.execute(sql)
    timings["full-text index"] = round(time.perf_counter() - t0, 1)
    log(f"  {'full-text index':<12} {'rebuilt':>10}  {timings['full-text index']}s")
    conn.execute("COMMIT")
    stages = stage_counts(conn, now)
    conn.execute("PRAGMA locking_mode = NORMAL")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.close()
    stats = {
        "version": version,
        "factor": factor,
        "scale": plan.scale.__dict__,
        "now": utc_iso(now),
        "made": made,
        "stages": stages,
        "seconds": round(time.perf_counter() - started, 1),
        "timings": timings,
        "bytes": path.stat().st_size,
    }
    Path(f"{path}.json").write_text(json.dumps(stats, indent=2))
    return stats


def main():
    """Build a database from the command line: python -m bench.synthetic PATH --scale 0.01."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    print(f"Building {args.path} at scale {args.scale}")
    stats = build(args.path, args.scale)
    print(f"Built in {stats['seconds']}s, {stats['bytes'] / 1e6:.0f} MB;"
          f" scans by stage: {stats['stages']}")


if __name__ == "__main__":
    main()
