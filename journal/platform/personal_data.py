"""A patient's data in every table: collected for download, or erased for good.

A table holds someone's data when it has a `patient_id` or `user_id` column. New tables
that follow that rule are exported (in journal.json's "other_records") and erased with no
change here; entries, scans, questions and the reads of shared data are made readable.
"""

import csv
import io
import json
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from ..platform.audit import NOT_INBOX_SQL, SEEN_ACTIONS
from ..platform.clock import parse_utc, to_uk, utc_iso, utc_now
from ..platform.db import immediate

OWNER_COLUMNS = ("patient_id", "user_id")
# Tables that outlive an account by design and hold no content.
RETAINED = frozenset({"account_tombstones", "audit"})
# Secrets stay out of an export, even hashed ones.
# A passkey's key and credential id are binary and say nothing to the person: its name and
# dates are exported.
SECRET_COLUMN = re.compile(r"(^|_)(hash|secret|token|public_key|credential_id)($|_)",
                           re.IGNORECASE)
# Tables made readable below; the rest go to journal.json's "other_records" as they are.
READABLE = frozenset({"entries", "scans", "questions", "audit"})
# Sign-in machinery: ids and digests that say nothing to the person and could help an
# attacker who found the file.
LEFT_OUT = frozenset({"sessions", "password_tokens", "recovery_codes", "sign_in_failures",
                      "passkey_challenges"})
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")

README = """Your data from Waiting Well
===========================

Exported on {exported}.

journal.html       your journal to read or print: open it in any web browser.
entries.csv        your check-ins: how you felt, your notes, feelings, topics and answers.
scans.csv          the scans you added, with hospitals, contacts and results days.
questions.csv      your questions for appointments.
shared-with.csv    who in your care team read what you shared, and when.
journal.json       everything you wrote, in one file that other apps can read.

The .csv files open in a spreadsheet. Each time is given twice: in UK time as you
would say it, and in ISO 8601 (UTC), which other apps read exactly.

In the spreadsheet files, a cell that starts with = + - or @ has a ' in front of it,
so that a spreadsheet shows your words instead of running them as a formula.
journal.json keeps your words exactly as you wrote them.

Your password, sign-in codes and the details of your sign-ins are not in here.
Anyone who opens these files can read what you wrote: keep them somewhere safe.
"""


def quote(name):
    """An SQL identifier, quoted; names come from the schema, never from a request."""
    return '"' + name.replace('"', '""') + '"'


def owned_tables(db):
    """(table, owner column) for every table that holds a person's rows."""
    found = []
    names = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name != 'users' ORDER BY name"
    ).fetchall()
    for (name,) in names:
        columns = set(_columns(db, name))
        owner = next((c for c in OWNER_COLUMNS if c in columns), None)
        if owner:
            found.append((name, owner))
    return found


def _columns(db, table):
    return [c[1] for c in db.execute(f"PRAGMA table_info({quote(table)})")]


def _rows(db, sql, params):
    cursor = db.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]


@dataclass(frozen=True)
class Labels:
    """Words for the codes the database keeps, handed in by the wings that own them."""

    topics: Mapping[str, str] = field(default_factory=dict)
    scan_kinds: Mapping[str, str] = field(default_factory=dict)
    actions: Mapping[str, str] = field(default_factory=dict)


def uk_words(iso):
    """'Thursday 3 December 2026, 2:05pm' in UK time, from a stored UTC string."""
    if not iso:
        return ""
    local = to_uk(parse_utc(iso))
    hour = local.hour % 12 or 12
    return (f"{local:%A} {local.day} {local:%B %Y}, "
            f"{hour}:{local.minute:02d}{'am' if local.hour < 12 else 'pm'}")


def day_words(iso_day):
    """'Thursday 3 December 2026' from a stored YYYY-MM-DD."""
    if not iso_day:
        return ""
    day = date.fromisoformat(iso_day)
    return f"{day:%A} {day.day} {day:%B %Y}"


def _yes(flag):
    return "yes" if flag else "no"


def _entries(db, user_id, labels):
    rows = _rows(db, "SELECT * FROM entries WHERE patient_id = ? ORDER BY created_at, id",
                 [user_id])
    found = []
    for row in rows:
        found.append({
            "written_uk": uk_words(row["created_at"]),
            "written_at": row["created_at"],
            "changed_uk": uk_words(row["updated_at"]),
            "changed_at": row["updated_at"] or "",
            "distress": row["distress"],
            "feelings": json.loads(row["feelings"]),
            "topics": [labels.topics.get(t, t) for t in json.loads(row["topics"])],
            "note": row["note"],
            "prompt": row["prompt"],
            "prompt_answer": row["prompt_answer"],
            "helped": bool(row["helped"]),
            "shared_with_care_team": bool(row["shared"]),
            "seen_by_care_team_uk": uk_words(row["reviewed_at"]),
            "deleted_uk": uk_words(row["deleted_at"]),
        })
    return found


def _scans(db, user_id, labels):
    rows = _rows(db, "SELECT * FROM scans WHERE patient_id = ? ORDER BY created_at, id",
                 [user_id])
    return [{
        "scan": labels.scan_kinds.get(r["kind"], r["kind"]),
        "appointment_uk": uk_words(r["appointment_at"]),
        "appointment_at": r["appointment_at"] or "",
        "hospital": r["hospital"],
        "letter_notes": r["letter_notes"],
        "fasting_hours": r["fasting_hours"],
        "arranged_by": r["arranged_by_name"],
        "arranged_by_phone": r["arranged_by_phone"],
        "nurse": r["nurse_name"],
        "nurse_phone": r["nurse_phone"],
        "results_expected_days": r["results_expected_days"],
        "results_received_uk": day_words(r["results_received_on"]),
        "results_received_on": r["results_received_on"] or "",
        "added_uk": uk_words(r["created_at"]),
        "added_at": r["created_at"],
    } for r in rows]


def _questions(db, user_id):
    rows = _rows(db, "SELECT * FROM questions WHERE patient_id = ? ORDER BY created_at, id",
                 [user_id])
    return [{
        "question": r["text"],
        "asked": bool(r["done"]),
        "from_suggestions": bool(r["suggested"]),
        "shared_with_care_team": bool(r["shared"]),
        "added_uk": uk_words(r["created_at"]),
        "added_at": r["created_at"],
        "deleted_uk": uk_words(r["deleted_at"]),
    } for r in rows]


def _shared_with(db, user_id, labels):
    rows = _rows(
        db,
        "SELECT a.at, a.action, a.actor_role, a.entry_id, a.question_id,"  # noqa: S608
        " u.first_name AS actor_name, t.name AS team_name"
        " FROM audit a LEFT JOIN users u ON u.id = a.actor_id"
        " LEFT JOIN teams t ON t.id = a.team_id"
        f" WHERE a.patient_id = ? AND {NOT_INBOX_SQL}"
        " AND a.action IN (SELECT value FROM json_each(?))"
        " ORDER BY a.id",
        [user_id, json.dumps(SEEN_ACTIONS)],
    )
    written = {e["id"]: e["created_at"] for e in _rows(
        db, "SELECT id, created_at FROM entries WHERE patient_id = ?", [user_id])}
    found = []
    for r in rows:
        who = r["actor_name"] or ("you" if r["actor_role"] == "patient" else "")
        if r["actor_role"] == "nurse":
            who = f"{who or 'A nurse'} (nurse)"
        words = labels.actions.get(r["action"], r["action"])
        what = words[:1].upper() + words[1:]
        if r["entry_id"] in written:
            what += f": your check-in of {uk_words(written[r['entry_id']])}"
        found.append({
            "when_uk": uk_words(r["at"]),
            "when": r["at"],
            "who": who or "Someone from the care team",
            "team": r["team_name"] or "",
            "what": what,
        })
    return found


def _account(db, user_id):
    rows = _rows(db, "SELECT email, first_name, role, share_by_default, created_at"
                     " FROM users WHERE id = ?", [user_id])
    if not rows:
        return None
    row = rows[0]
    return {
        "email": row["email"],
        "first_name": row["first_name"],
        "new_check_ins_shared": bool(row["share_by_default"]),
        "created_uk": uk_words(row["created_at"]),
        "created_at": row["created_at"],
    }


def _other_records(db, user_id):
    tables = {}
    for table, owner in owned_tables(db):
        if table in READABLE or table in LEFT_OUT:
            continue
        columns = [c for c in _columns(db, table) if not SECRET_COLUMN.search(c)]
        select = ", ".join(quote(c) for c in columns)
        rows = _rows(
            db, f"SELECT {select} FROM {quote(table)} WHERE {quote(owner)} = ?",  # noqa: S608
            [user_id],
        )
        if rows:
            tables[table] = rows
    return tables


def collect(db, user_id, labels=None, now=None):
    """Everything a person wrote and everything stored about them, in their words and
    UK times, minus secrets; None when there is no such account."""
    labels = labels or Labels()
    account = _account(db, user_id)
    if account is None:
        return None
    exported = utc_iso(now or utc_now())
    return {
        "exported_at": exported,
        "exported_uk": uk_words(exported),
        "account": account,
        "entries": _entries(db, user_id, labels),
        "scans": _scans(db, user_id, labels),
        "questions": _questions(db, user_id),
        "shared_with": _shared_with(db, user_id, labels),
        "other_records": _other_records(db, user_id),
    }


# The spreadsheet files: (column heading, key in the record, how to show it).
def _words(values):
    return ", ".join(values)


ENTRY_COLUMNS = (
    ("Written (UK time)", "written_uk", None), ("Written (ISO 8601, UTC)", "written_at", None),
    ("How distressed (0 to 10)", "distress", None), ("Feelings", "feelings", _words),
    ("Topics", "topics", _words), ("Note", "note", None),
    ("Question of the day", "prompt", None), ("Your answer", "prompt_answer", None),
    ("This helped", "helped", _yes), ("Shared with care team", "shared_with_care_team", _yes),
    ("Seen by care team (UK time)", "seen_by_care_team_uk", None),
    ("Changed (UK time)", "changed_uk", None), ("Changed (ISO 8601, UTC)", "changed_at", None),
    ("Deleted, can still be undone (UK time)", "deleted_uk", None),
)
SCAN_COLUMNS = (
    ("Scan", "scan", None), ("Appointment (UK time)", "appointment_uk", None),
    ("Appointment (ISO 8601, UTC)", "appointment_at", None), ("Hospital", "hospital", None),
    ("What the letter says", "letter_notes", None),
    ("Hours without food", "fasting_hours", None), ("Arranged by", "arranged_by", None),
    ("Their phone", "arranged_by_phone", None), ("Specialist nurse", "nurse", None),
    ("Nurse's phone", "nurse_phone", None),
    ("Results expected within (days)", "results_expected_days", None),
    ("Results received", "results_received_uk", None),
    ("Results received (ISO 8601)", "results_received_on", None),
    ("Added (UK time)", "added_uk", None), ("Added (ISO 8601, UTC)", "added_at", None),
)
QUESTION_COLUMNS = (
    ("Question", "question", None), ("Asked", "asked", _yes),
    ("From the suggestions", "from_suggestions", _yes),
    ("Shared with care team", "shared_with_care_team", _yes),
    ("Added (UK time)", "added_uk", None), ("Added (ISO 8601, UTC)", "added_at", None),
    ("Deleted, can still be undone (UK time)", "deleted_uk", None),
)
SHARED_WITH_COLUMNS = (
    ("When (UK time)", "when_uk", None), ("When (ISO 8601, UTC)", "when", None),
    ("Who", "who", None), ("Care team", "team", None), ("What", "what", None),
)


def spreadsheet_safe(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(columns, rows):
    """RFC 4180 CSV with a header row, formula-safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([spreadsheet_safe(row.get(c)) for c in columns])
    return out.getvalue()


def readable_csv(spec, records):
    """CSV with plain headings, each value shown as the spec says."""
    rows = [{heading: (show(r[key]) if show else r[key]) for heading, key, show in spec}
            for r in records]
    # A UTF-8 mark so that spreadsheets show accents and curly quotes as written.
    return "\ufeff" + csv_text([heading for heading, _, _ in spec], rows)


def _json_default(value):
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot export {type(value).__name__}")


def to_zip(data, journal_html):
    """The export as a zip: README, four spreadsheets, one JSON file and a printable page."""
    stamp = tuple(int(p) for p in re.findall(r"\d+", data["exported_at"])[:6])
    files = {
        "README.txt": README.format(exported=data["exported_uk"]),
        "entries.csv": readable_csv(ENTRY_COLUMNS, data["entries"]),
        "scans.csv": readable_csv(SCAN_COLUMNS, data["scans"]),
        "questions.csv": readable_csv(QUESTION_COLUMNS, data["questions"]),
        "shared-with.csv": readable_csv(SHARED_WITH_COLUMNS, data["shared_with"]),
        "journal.json": json.dumps(data, ensure_ascii=False, indent=2, default=_json_default),
        "journal.html": journal_html,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


def erase_rows(db, user_id):
    """Delete the account row and every row linked to it, except the retained tables.

    Call inside a write transaction."""
    for table, owner in owned_tables(db):
        if table not in RETAINED:
            db.execute(f"DELETE FROM {quote(table)} WHERE {quote(owner)} = ?", [user_id])  # noqa: S608
    db.execute("DELETE FROM users WHERE id = ?", [user_id])


def erase_account(db, user_id, now=None):
    """Erase an account and its content, leaving a content-free tombstone; False if absent."""
    with immediate(db):
        row = db.execute("SELECT role, created_at FROM users WHERE id = ?", [user_id]).fetchone()
        if row is None:
            return False
        erase_rows(db, user_id)
        db.execute(
            "INSERT INTO account_tombstones (user_id, role, account_created_at, deleted_at)"
            " VALUES (?, ?, ?, ?)",
            [user_id, row[0], row[1], utc_iso(now or utc_now())],
        )
    scrub(db)
    return True


def fts_tables(db):
    """Every FTS5 full-text index in the schema."""
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'"
        " AND lower(sql) LIKE '%using fts5%'"
    ).fetchall()
    return [r[0] for r in rows]


def scrub(db):
    """Rewrite the full-text indexes and empty the write-ahead log, so erased words
    are no longer anywhere in the database files; returns the checkpoint's busy flag."""
    for table in fts_tables(db):
        # FTS5 keeps deleted words in old index segments until they are merged.
        db.execute(f"INSERT INTO {quote(table)}({quote(table)}) VALUES ('optimize')")  # noqa: S608
    if getattr(db, "replicated", False):
        # Litestream holds a read lock and owns the checkpoints: a TRUNCATE here would wait
        # the whole busy timeout, stall replication meanwhile, and still fail. Its own
        # checkpoints copy the pages back (docs/OPERATIONS.md, "Erasure and the replica").
        return False
    # The WAL still holds older copies of changed pages; TRUNCATE copies back and empties it.
    busy, _, _ = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return bool(busy)
