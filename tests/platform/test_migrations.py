"""Migrations run by number, once each; a database from before the renumbering keeps its
history; the sqlite-utils internals the connection pool leans on are still there."""

import re
import sqlite3

import sqlite_utils
from sqlite_utils.migrations import Migrations
from sqlite_utils.utils import dedupe_keys

from journal.platform import db as platform_db
from journal.platform import migrations


def numbers():
    return [int(re.match(r"(\d{4})_", m.name).group(1)) for m in migrations.migrations._migrations]


def test_every_migration_has_its_own_number_and_they_run_in_order():
    found = numbers()
    assert len(found) == len(set(found))
    assert found == sorted(found)
    assert found == list(range(1, len(found) + 1))


def applied(database):
    return [row["name"] for row in database.query(
        "SELECT name FROM _sqlite_migrations ORDER BY rowid")]


def test_a_database_recorded_under_the_old_names_is_renamed_and_nothing_runs_again(tmp_path):
    database = platform_db.connect(str(tmp_path / "old.db"))
    try:
        migrations.apply(database)
        new_to_old = {new: old for old, new in migrations.RENAMED.items()}
        for new, old in new_to_old.items():
            database.execute("UPDATE _sqlite_migrations SET name = ? WHERE name = ?", [old, new])
        database.conn.commit()
        schema = list(database.query("SELECT sql FROM sqlite_master ORDER BY name"))

        migrations.apply(database)  # would fail on "duplicate column" if one ran again

        assert applied(database) == [m.name for m in migrations.migrations._migrations]
        assert list(database.query("SELECT sql FROM sqlite_master ORDER BY name")) == schema
    finally:
        database.close()


def test_applying_twice_changes_nothing(tmp_path):
    database = platform_db.connect(str(tmp_path / "twice.db"))
    try:
        migrations.apply(database)
        first = applied(database)
        migrations.apply(database)
        assert applied(database) == first
        assert migrations.migrations.pending(database) == []
    finally:
        database.close()


def test_sqlite_utils_still_has_what_the_faster_query_leans_on():
    """platform/db.py's Database.query reads `_tracer` and uses `dedupe_keys`; if a
    sqlite-utils upgrade drops either, this fails before a page does."""
    assert dedupe_keys(["a", "a", "b"]) == ["a", "a_2", "b"]
    plain = sqlite_utils.Database(memory=True)
    assert hasattr(plain, "_tracer")
    assert Migrations.migrations_table == "_sqlite_migrations"


def test_the_faster_query_answers_as_sqlite_utils_does():
    ours = platform_db.Database(sqlite3.connect(":memory:"))
    theirs = sqlite_utils.Database(memory=True)
    traced = []
    ours._tracer = lambda sql, params: traced.append(sql)
    for database in (ours, theirs):
        database.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        database.execute("INSERT INTO t (name) VALUES ('a'), ('b')")
    sql = "SELECT t.id, t.name, u.name FROM t JOIN t AS u ON u.id = t.id ORDER BY t.id"
    assert list(ours.query(sql)) == list(theirs.query(sql))
    assert list(ours.query("SELECT * FROM t WHERE id = ?", [2])) == [{"id": 2, "name": "b"}]
    assert sql in traced
    ours.close()
    theirs.close()
