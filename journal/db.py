"""One SQLite connection per worker thread, kept between requests, with the pragmas every
connection needs."""

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import click
import sqlite_utils
from flask import current_app, g


class Database(sqlite_utils.Database):
    """sqlite-utils' Database, with reads that skip its savepoint guard.

    `query()` in sqlite-utils wraps every read in SAVEPOINT and RELEASE so that a statement
    that returns no rows can be rolled back; ours are all reads, so that is three statements
    where one does (docs/PERFORMANCE.md)."""

    def query(self, sql, params=None):
        cursor = self.conn.execute(sql, params if params is not None else ())
        if cursor.description is None:
            raise ValueError("query() is for statements that return rows")
        columns = [c[0] for c in cursor.description]
        return (dict(zip(columns, row)) for row in cursor)


def connect(path, setup=True):
    """Open the database with WAL, foreign keys, a busy timeout and full syncs.

    `setup` also makes the folder and switches the file to WAL; the app does that once at
    start, and WAL persists in the file, so each request skips it (see docs/PERFORMANCE.md).
    """
    if setup and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
    db = Database(conn)
    db.execute("PRAGMA busy_timeout = 10000")
    db.execute("PRAGMA foreign_keys = ON")
    if setup and path != ":memory:":
        db.enable_wal()
    # FULL syncs the WAL on every commit: an acknowledged entry survives a power cut,
    # at the cost of one fsync per write (see docs/PERFORMANCE.md).
    db.execute("PRAGMA synchronous = FULL")
    # Deleted content is overwritten on disk, not just unlinked from the b-tree.
    db.execute("PRAGMA secure_delete = ON")
    return db


# A new connection reads and parses the schema and starts with an empty page cache; a
# kept one skips both, which was a third of a small page's time (docs/PERFORMANCE.md).
# One per thread, so no two requests share one, and only the latest path per thread, so
# tests that each make their own database do not pile up open files.
_kept = threading.local()


def get_db():
    """The request's database connection: this thread's kept one, opened on first use."""
    if "db" not in g:
        g.db = _kept_connection(current_app.config["JOURNAL_DB"])
    return g.db


def _kept_connection(path):
    key = (os.getpid(), path)  # a forked worker never uses its parent's connection
    if getattr(_kept, "key", None) != key:
        old = getattr(_kept, "db", None)
        if old is not None and _kept.key[0] == key[0]:
            old.close()
        _kept.db = connect(path, setup=False)
        _kept.key = key
    return _kept.db


def close_db(_exc=None):
    """End of request: roll back whatever it left uncommitted (as closing used to), so
    the next request on this connection starts clean and sees the latest data."""
    db = g.pop("db", None)
    if db is not None and db.conn.in_transaction:
        db.conn.rollback()


def forget_connections():
    """Close this thread's kept connection (for code that replaces the database file)."""
    old = getattr(_kept, "db", None)
    if old is not None and _kept.key[0] == os.getpid():
        old.close()
    _kept.db = _kept.key = None


@contextmanager
def immediate(db):
    """A write transaction that takes the write lock first, so a read-then-write
    waits on the busy timeout instead of failing with 'database is locked'."""
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.conn.execute("ROLLBACK")
        raise
    else:
        db.conn.execute("COMMIT")


def init_app(app):
    from . import migrations

    app.teardown_appcontext(close_db)

    @app.cli.command("init-db")
    def init_db_command():
        """Create or upgrade the database, adding demo data in demo mode."""
        db = connect(app.config["JOURNAL_DB"])
        try:
            migrations.apply(db)
            if app.config["DEMO"]:
                from . import demo

                added = demo.seed(db, app.config)
                click.echo("Added demo data." if added else "Demo data already present.")
        finally:
            db.close()
        click.echo(f"Database ready at {app.config['JOURNAL_DB']}")
