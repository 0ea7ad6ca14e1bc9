"""The undo window shared by deleted check-ins and questions."""

import sqlite3
from datetime import timedelta

from journal.platform import undo
from journal.platform.clock import utc_now


def _db():
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, patient_id INT, deleted_at TEXT)")
    db.executemany("INSERT INTO notes (id, patient_id) VALUES (?, ?)", [(1, 7), (2, 7), (3, 8)])
    return db


def _deleted(db):
    return [row[0] for row in db.execute("SELECT id FROM notes WHERE deleted_at IS NOT NULL")]


def test_a_hidden_row_comes_back_inside_the_window():
    db, now = _db(), utc_now()
    undo.hide(db, "notes", 1, now)
    assert _deleted(db) == [1]
    assert undo.bring_back(db, "notes", 1, now + undo.UNDO_WINDOW - timedelta(seconds=1))
    assert _deleted(db) == []


def test_after_the_window_it_stays_gone_and_is_erased():
    db, now = _db(), utc_now()
    undo.hide(db, "notes", 1, now)
    later = now + undo.UNDO_WINDOW + timedelta(seconds=1)
    assert not undo.bring_back(db, "notes", 1, later)
    undo.erase_expired(db, "notes", 7, later)
    assert [row[0] for row in db.execute("SELECT id FROM notes")] == [2, 3]


def test_erasing_keeps_rows_still_inside_their_window_and_other_peoples():
    db, now = _db(), utc_now()
    undo.hide(db, "notes", 1, now)
    undo.hide(db, "notes", 3, now - undo.UNDO_WINDOW * 2)
    undo.erase_expired(db, "notes", 7, now + timedelta(minutes=1))
    assert sorted(_deleted(db)) == [1, 3]


def test_a_row_never_deleted_cannot_be_brought_back():
    assert not undo.bring_back(_db(), "notes", 2)
