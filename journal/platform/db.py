"""One SQLite connection per request, with the pragmas every connection needs, handed
back to a small pool at teardown instead of closed."""

import atexit
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils
from flask import current_app, g
from sqlite_utils.utils import dedupe_keys


class Database(sqlite_utils.Database):
    """sqlite-utils' Database, with plain reads that skip its savepoint guard.

    sqlite-utils wraps every `query()` in SAVEPOINT and RELEASE so that a statement that
    returns no rows can be rolled back: three statements where a SELECT needs one
    (docs/PERFORMANCE.md). Rows are read in full, so no half-read cursor can hold a read
    snapshot open after the request, on a connection that goes back to the pool."""

    def query(self, sql, params=None):
        if sql.lstrip()[:6].upper() != "SELECT":
            return iter(list(super().query(sql, params)))
        if self._tracer:
            self._tracer(sql, params)
        cursor = self.conn.execute(sql, params if params is not None else ())
        keys = dedupe_keys(d[0] for d in cursor.description)
        return iter([dict(zip(keys, row, strict=True)) for row in cursor.fetchall()])


def connect(path, setup=True, replicated=False):
    """Open the database with WAL, foreign keys, a busy timeout and full syncs.

    `setup` also makes the folder and switches the file to WAL; the app does that once at
    start, and WAL persists in the file, so each request skips it (see docs/PERFORMANCE.md).
    `replicated`: Litestream streams this file and does every checkpoint itself.
    """
    if setup and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, check_same_thread=False)
    db = Database(conn)
    db.replicated = replicated
    # Litestream takes short write locks when it checkpoints; its guidance asks for at
    # least 5 seconds of busy timeout, and 10 also covers a long full-text optimize.
    db.execute("PRAGMA busy_timeout = 10000")
    db.execute("PRAGMA foreign_keys = ON")
    if setup and path != ":memory:":
        db.enable_wal()
    # FULL syncs the WAL on every commit: an acknowledged entry survives a power cut,
    # at the cost of one fsync per write (see docs/PERFORMANCE.md).
    db.execute("PRAGMA synchronous = FULL")
    # Deleted content is overwritten on disk, not just unlinked from the b-tree.
    db.execute("PRAGMA secure_delete = ON")
    if replicated:
        # A checkpoint the app makes between two of Litestream's can hide WAL frames from
        # it; Litestream's guidance is to leave checkpoints to it (docs/OPERATIONS.md).
        db.execute("PRAGMA wal_autocheckpoint = 0")
    return db


def connect_configured(config):
    """A connection to the configured database, with the configured checkpointing."""
    return connect(config["JOURNAL_DB"], replicated=config["REPLICATED"])


# Each request has a connection of its own from start to teardown; teardown rolls it back
# and keeps it for a later request instead of closing it. A new connection parses the
# schema and starts with an empty page cache, which was a third of a small page's time
# (docs/PERFORMANCE.md). At most POOL_SIZE wait, for one database path per process (tests
# each make their own); a connection is closed instead when its request failed, when the
# path changes and at exit.
POOL_SIZE = 8
_pool = {"path": None, "idle": []}
_pool_lock = threading.Lock()


def get_db():
    """The request's database connection, taken on first use."""
    if "db" not in g:
        g.db = _take(current_app.config["JOURNAL_DB"], current_app.config["REPLICATED"])
    return g.db


def _take(path, replicated):
    key = (path, replicated)
    with _pool_lock:
        if _pool["path"] != key:
            _close_idle()
            _pool["path"] = key
        elif _pool["idle"]:
            return _pool["idle"].pop()
    db = connect(path, setup=False, replicated=replicated)
    db.pool_path = key
    return db


def discard_db():
    """Close the request's connection at teardown instead of keeping it: the request
    failed, and the connection may be broken or still reading."""
    g.db_failed = True


def close_db(_exc=None):
    """Teardown: roll back whatever the request left uncommitted (as closing did), then keep
    the connection for the next request, or close it."""
    db = g.pop("db", None)
    if db is None:
        return
    keep = not g.pop("db_failed", False) and _exc is None
    try:
        if keep and db.conn.in_transaction:
            db.conn.rollback()
    except sqlite3.Error:
        keep = False
    with _pool_lock:
        keep = keep and _pool["path"] == db.pool_path and len(_pool["idle"]) < POOL_SIZE
        if keep:
            _pool["idle"].append(db)
    if not keep:
        db.close()


def _close_idle():
    for db in _pool["idle"]:
        db.close()
    _pool["idle"] = []


def forget_connections():
    """Close the idle connections (for code that replaces the database file)."""
    with _pool_lock:
        _close_idle()
        _pool["path"] = None


_inherited = []  # a forked worker's copies of its parent's idle connections: never used


def _after_fork_in_child():
    # SQLite must not use a connection across fork, nor should the child close one (its
    # locks are the parent's too), so the child sets them aside; and the lock may have been
    # held by another thread at the fork.
    global _pool_lock
    _inherited.extend(_pool["idle"])
    _pool["idle"] = []
    _pool["path"] = None
    _pool_lock = threading.Lock()


os.register_at_fork(after_in_child=_after_fork_in_child)
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
    app.teardown_appcontext(close_db)
