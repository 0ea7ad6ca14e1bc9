"""One SQLite connection per request, with the pragmas every connection needs."""

import sqlite3
from contextlib import contextmanager
from pathlib import Path

import click
import sqlite_utils
from flask import current_app, g


def connect(path, setup=True):
    """Open the database with WAL, foreign keys, a busy timeout and full syncs.

    `setup` also makes the folder and switches the file to WAL; the app does that once at
    start, and WAL persists in the file, so each request skips it (see docs/PERFORMANCE.md).
    """
    if setup and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
    db = sqlite_utils.Database(conn)
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


def get_db():
    """The request's database connection, opened on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["JOURNAL_DB"], setup=False)
    return g.db


def close_db(_exc=None):
    db = g.pop("db", None)
    if db is not None:
        db.close()


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
