"""One SQLite connection per request, with the pragmas every connection needs, handed
back to a small pool at teardown instead of closed."""

import atexit
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
        return (dict(zip(columns, row, strict=True)) for row in cursor)


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


# Each request has a connection of its own from start to teardown, as before; what changed
# is that teardown hands it back, rolled back, for a later request instead of closing it. A
# new connection parses the schema and starts with an empty page cache, which was a third
# of a small page's time (docs/PERFORMANCE.md). Idle connections are kept for one database
# path per process (tests each make their own), at most POOL_SIZE of them, and closed when
# dropped, when the path changes and at exit.
POOL_SIZE = 8
_pool = {"key": None, "idle": []}
_pool_lock = threading.Lock()


def get_db():
    """The request's database connection, taken on first use."""
    if "db" not in g:
        g.db = _take(current_app.config["JOURNAL_DB"])
    return g.db


def _take(path):
    key = (os.getpid(), path)  # a forked worker never uses its parent's connections
    with _pool_lock:
        if _pool["key"] != key:
            _close_idle(mine=_pool["key"] is not None and _pool["key"][0] == key[0])
            _pool["key"] = key
        elif _pool["idle"]:
            return _pool["idle"].pop()
    db = connect(path, setup=False)
    db.pool_key = key
    return db


def close_db(_exc=None):
    """Teardown: roll back whatever the request left uncommitted (as closing did), then keep
    the connection for the next request, or close it."""
    db = g.pop("db", None)
    if db is None:
        return
    try:
        if db.conn.in_transaction:
            db.conn.rollback()
    except sqlite3.Error:
        db.close()
        return
    with _pool_lock:
        if _pool["key"] == db.pool_key and len(_pool["idle"]) < POOL_SIZE:
            _pool["idle"].append(db)
            return
    db.close()


_inherited = []  # idle connections a forked worker got from its parent: kept, never used


def _close_idle(mine=True):
    # SQLite must not use a connection across fork, nor should the child close it (and
    # release locks the parent's copy relies on), so a child only sets the parent's aside.
    if mine:
        for db in _pool["idle"]:
            db.close()
    else:
        _inherited.extend(_pool["idle"])
    _pool["idle"] = []


def forget_connections():
    """Close the idle connections (for code that replaces the database file)."""
    with _pool_lock:
        _close_idle(mine=_pool["key"] is not None and _pool["key"][0] == os.getpid())
        _pool["key"] = None


atexit.register(forget_connections)


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
