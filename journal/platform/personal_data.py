"""A patient's data in every table: collected for download, or erased for good.

A table holds someone's data when it has a `patient_id` or `user_id` column. New tables
that follow that rule are exported and erased with no change here.
"""

import csv
import io
import json
import re
import zipfile

from ..platform.clock import utc_iso, utc_now
from ..platform.db import immediate

OWNER_COLUMNS = ("patient_id", "user_id")
# Tables that outlive an account by design and hold no content.
RETAINED = frozenset({"account_tombstones", "audit"})
# Secrets stay out of an export, even hashed ones.
SECRET_COLUMN = re.compile(r"(^|_)(hash|secret|token)($|_)", re.IGNORECASE)
ACCOUNT_COLUMNS = ("id", "email", "first_name", "role", "share_by_default", "created_at")
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")

README = """Your data from Waiting Well
===========================

waiting-well-data.json  everything, in one file that other apps can read.
csv/                    the same, one spreadsheet file for each kind of record.

In the spreadsheet files, a cell that starts with = + - or @ has a ' in front of it,
so that a spreadsheet shows your words instead of running them as a formula.
The JSON file keeps your words exactly as you wrote them.

Times are in UTC (the same as UK winter time).
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


def collect(db, user_id, now=None):
    """Everything stored about one person, minus secrets, as plain values."""
    cursor = db.execute(
        f"SELECT {', '.join(ACCOUNT_COLUMNS)} FROM users WHERE id = ?", [user_id]  # noqa: S608
    )
    row = cursor.fetchone()
    if row is None:
        return None
    tables = {}
    for table, owner in owned_tables(db):
        columns = [c for c in _columns(db, table) if not SECRET_COLUMN.search(c)]
        select = ", ".join(quote(c) for c in columns)
        rows = db.execute(
            f"SELECT {select} FROM {quote(table)} WHERE {quote(owner)} = ?",  # noqa: S608
            [user_id],
        ).fetchall()
        found = [dict(zip(columns, r, strict=True)) for r in rows]
        tables[table] = {"columns": columns, "rows": found}
    return {
        "exported_at": utc_iso(now or utc_now()),
        "account": dict(zip(ACCOUNT_COLUMNS, row, strict=True)),
        "tables": tables,
    }


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


def _json_default(value):
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"cannot export {type(value).__name__}")


def to_zip(data):
    """The export as a zip: README, one JSON file, and a CSV per table."""
    stamp = tuple(int(p) for p in re.findall(r"\d+", data["exported_at"])[:6])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(name, text):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))

        add("README.txt", README)
        add("waiting-well-data.json",
            json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
        add("csv/account.csv", csv_text(list(ACCOUNT_COLUMNS), [data["account"]]))
        for table, content in data["tables"].items():
            safe = re.sub(r"[^A-Za-z0-9_]", "_", table)
            add(f"csv/{safe}.csv", csv_text(content["columns"], content["rows"]))
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
