"""A full, read-only or busy database: a clear 503 that keeps what the person typed."""

import sqlite3
import threading
import time
from datetime import timedelta

import pytest

from journal.diary import entries
from journal.platform import db as journal_db
from journal.platform.clock import utc_iso, utc_now

NOTE = "Rain on the window. " * 240  # 4,800 characters: needs new pages to store
CLIENT_ID = "draft-0001-abcd"


@pytest.fixture
def limit_database(monkeypatch):
    """Open every request's connection with extra pragmas, as SQLite itself would fail.
    The app keeps its connection between requests, so the kept one is dropped first (and
    again afterwards, so no later request runs with the limits)."""

    def apply(*pragmas):
        real_connect = journal_db.connect

        def connect(path, **options):
            db = real_connect(path, **options)
            for pragma in pragmas:
                if "{pages}" in pragma:
                    pages = db.execute("PRAGMA page_count").fetchone()[0]
                    pragma = pragma.format(pages=pages)
                db.execute(pragma)
            return db

        monkeypatch.setattr(journal_db, "connect", connect)
        journal_db.forget_connections()

    yield apply
    journal_db.forget_connections()


def check_in_form(token):
    return {"csrf_token": token, "distress": "7", "feelings": "tired", "note": NOTE,
            "client_id": CLIENT_ID}


def count_entries(db):
    return db.execute("SELECT count(*) FROM entries").fetchone()[0]


@pytest.mark.parametrize(
    "pragma",
    ["PRAGMA max_page_count = {pages}", "PRAGMA query_only = ON"],
    ids=["full", "read-only"],
)
def test_check_in_that_cannot_be_saved_keeps_the_draft(client, db, signed_in, limit_database,
                                                        monkeypatch, pragma):
    limit_database(pragma)

    response = client.post("/check-in", data=check_in_form(signed_in))

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["X-Typed-Kept"] == "1"  # app.js swaps only the app's own 503s
    html = response.get_data(as_text=True)
    assert "We could not save this just now. Your words are still here." in html
    assert NOTE.strip() in html
    assert 'id="d7" value="7" checked' in html
    assert f'value="{CLIENT_ID}"' in html
    assert count_entries(db) == 0

    # Once the database can write again, the same form saves exactly once.
    monkeypatch.undo()
    journal_db.forget_connections()
    again = client.post("/check-in", data=check_in_form(signed_in))
    assert again.status_code == 303
    assert client.post("/check-in", data=check_in_form(signed_in)).status_code == 303
    assert count_entries(db) == 1


def test_htmx_check_in_on_a_full_database_gets_the_form_back_as_a_fragment(
    client, db, signed_in, limit_database
):
    limit_database("PRAGMA max_page_count = {pages}")

    response = client.post("/check-in", data=check_in_form(signed_in),
                           headers={"HX-Request": "true"})

    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert html.lstrip().startswith('<form id="checkin"')
    assert NOTE.strip() in html
    assert "Your words are still here" in html
    assert count_entries(db) == 0


def test_edit_on_a_read_only_database_keeps_the_changes(client, db, patient, signed_in,
                                                         limit_database):
    entry_id = entries.create(db, patient.id, {"distress": 2, "feelings": [], "topics": [],
                                               "note": "first words"})
    limit_database("PRAGMA query_only = ON")

    response = client.post(f"/entries/{entry_id}", data={
        "csrf_token": signed_in, "distress": "3", "note": "better words"})

    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "better words" in html
    assert "Your words are still here" in html
    assert db.execute("SELECT note FROM entries").fetchone()[0] == "first words"


def test_reading_still_works_on_a_read_only_database(client, db, patient, signed_in,
                                                      limit_database):
    entries.create(db, patient.id, {"distress": 2, "feelings": [], "topics": [],
                                    "note": "readable"})
    # Make the session due a 'last seen' write, which must not break reading.
    # (Five minutes ago: well within the idle limit, which the stored time decides.)
    db.execute("UPDATE sessions SET last_seen_at = ?",
               [utc_iso(utc_now() - timedelta(minutes=5))])
    limit_database("PRAGMA query_only = ON")

    for path in ("/home", "/timeline", "/account/data"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert "readable" in client.get("/timeline").get_data(as_text=True)


def test_a_form_without_its_own_draft_view_gets_a_send_again_page(client, db, patient,
                                                                   signed_in, limit_database):
    entry_id = entries.create(db, patient.id, {"distress": 2, "feelings": [], "topics": [],
                                               "note": "keep me"})
    limit_database("PRAGMA query_only = ON")

    response = client.post(f"/entries/{entry_id}/delete", data={"csrf_token": signed_in})

    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "We could not save that just now" in html
    assert f'action="/entries/{entry_id}/delete"' in html
    assert "Send again" in html

    htmx = client.post(f"/entries/{entry_id}/delete", data={"csrf_token": signed_in},
                       headers={"HX-Request": "true"})
    assert htmx.status_code == 503
    assert htmx.headers["HX-Retarget"] == "#main"
    assert htmx.headers["X-Typed-Kept"] == "1"
    assert "<html" not in htmx.get_data(as_text=True)
    assert db.execute("SELECT deleted_at FROM entries").fetchone()[0] is None


def test_a_locked_database_answers_503_with_the_draft_not_database_is_locked(
    app, client, db, signed_in, limit_database
):
    limit_database("PRAGMA busy_timeout = 50")
    holder = sqlite3.connect(app.config["JOURNAL_DB"])
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = client.post("/check-in", data=check_in_form(signed_in))
    finally:
        holder.rollback()
        holder.close()

    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "locked" not in html
    assert NOTE.strip() in html


def test_a_short_lock_is_waited_out_and_the_check_in_is_saved(app, client, db, signed_in):
    holder = sqlite3.connect(app.config["JOURNAL_DB"], check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, holder.rollback)
    release.start()
    started = time.monotonic()
    try:
        response = client.post("/check-in", data=check_in_form(signed_in))
    finally:
        release.join()
        holder.close()

    assert response.status_code == 303
    assert time.monotonic() - started >= 0.25
    assert count_entries(db) == 1


def test_any_other_database_error_is_a_plain_500(client, signed_in, monkeypatch):
    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("no such table: entries")

    monkeypatch.setattr(entries, "create", broken)
    response = client.post("/check-in", data=check_in_form(signed_in))

    assert response.status_code == 500
    assert "something went wrong on our side" in response.get_data(as_text=True)


def test_a_saved_check_in_is_not_reported_as_failed_when_tidying_up_cannot_write(
    client, db, signed_in, monkeypatch
):
    def busy(*args, **kwargs):
        error = sqlite3.OperationalError("database is locked")
        error.sqlite_errorname = "SQLITE_BUSY"
        raise error

    monkeypatch.setattr(entries, "purge_deleted", busy)
    response = client.post("/check-in", data=check_in_form(signed_in))

    assert response.status_code == 303
    assert count_entries(db) == 1
