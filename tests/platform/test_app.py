import sqlite3
import threading
from datetime import timedelta

import pytest

from journal import create_app, demo
from journal.platform import db as journal_db
from journal.platform import migrations
from journal.platform.clock import parse_utc, utc_now
from journal.platform.db import connect, get_db
from tests.conftest import make_user
from tests.helpers import PASSWORD, csrf_from

NURSE_LINE = '<a class="tel" href="tel:+448088004040">0808 800 4040</a>'
TEST_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


def text(response):
    return response.get_data(as_text=True)


def schema(db):
    return list(db.query("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name"))


# Headers and cookies


@pytest.mark.parametrize("path", ["/", "/sign-in", "/no-such-page"])
def test_pages_send_a_strict_content_security_policy(client, path):
    csp = client.get(path).headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp


def test_pages_send_the_other_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    # Flask-WTF checks the Referer on HTTPS, so no-referrer would break every form.
    assert headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "geolocation=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # test mode runs over plain HTTP


def test_pages_have_no_inline_script_for_the_csp_to_block(client, signed_in):
    page = text(client.get("/home"))
    assert "<script>" not in page
    assert " hx-on" not in page and "onclick" not in page
    assert '"includeIndicatorStyles":false' in page.replace("&#34;", '"')


def test_production_mode_sends_hsts(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "for-this-test-only")
    app = create_app({"MODE": "production", "JOURNAL_DB": str(tmp_path / "p.db"),
                      "ARGON2": TEST_ARGON2})
    response = app.test_client().get("/", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"


def test_session_cookie_is_host_only_secure_httponly_and_lax(client, auth, patient):
    response = auth.sign_in()
    cookies = response.headers.getlist("Set-Cookie")
    [cookie] = [c for c in cookies if c.startswith("__Host-ww_session=")]
    attributes = [a.strip() for a in cookie.split(";")]
    # What the __Host- prefix demands, or the browser drops the cookie.
    assert "Path=/" in attributes
    assert not any(a.lower().startswith("domain=") for a in attributes)
    assert "Secure" in attributes
    assert "HttpOnly" in attributes
    assert "SameSite=Lax" in attributes


@pytest.mark.parametrize("path", ["/home", "/timeline", "/timeline/search", "/", "/nope"])
def test_pages_for_a_signed_in_patient_are_not_stored(client, signed_in, path):
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/sign-in", "/sign-up"])
def test_forms_with_a_csrf_token_are_not_stored(client, path):
    assert client.get(path).headers["Cache-Control"] == "no-store"


def test_public_landing_page_may_be_cached_for_anonymous_visitors(client):
    response = client.get("/")
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Cookie" in response.vary


def test_htmx_and_full_page_answers_are_cached_apart(client):
    assert "HX-Request" in client.get("/").vary


def test_healthz_answers_ok_as_json(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json
    assert response.get_json() == {"status": "ok"}


# The nurse line on every page, errors included


@pytest.fixture
def broken_app(app):
    def boom():
        raise RuntimeError("kaboom: internal detail")

    app.add_url_rule("/boom", "boom", boom)
    return app


def test_unknown_page_is_a_friendly_404_with_the_nurse_line(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = text(response)
    assert "We could not find that page" in page
    assert NURSE_LINE in page


@pytest.mark.parametrize("path", ["/", "/sign-in", "/sign-up"])
def test_public_pages_show_the_nurse_line(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert NURSE_LINE in text(response)


@pytest.mark.parametrize("path", ["/home", "/timeline"])
def test_journal_pages_show_the_nurse_line(client, signed_in, path):
    assert NURSE_LINE in text(client.get(path))


def test_too_large_a_post_gets_a_friendly_413_with_the_nurse_line(client):
    token = csrf_from(text(client.get("/sign-in")))
    response = client.post("/sign-in", data={"email": "x" * (2 * 1024 * 1024),
                                             "csrf_token": token})
    assert response.status_code == 413
    page = text(response)
    assert "That was too much to send at once" in page
    assert NURSE_LINE in page


def test_server_error_is_a_friendly_500_with_the_nurse_line(broken_app, caplog):
    response = broken_app.test_client().get("/boom")

    assert response.status_code == 500
    page = text(response)
    assert "Sorry, something went wrong on our side" in page
    assert NURSE_LINE in page
    assert "kaboom" not in page
    assert "Unhandled error on GET '/boom'" in caplog.text


def test_forbidden_page_keeps_the_nurse_line(client, auth, patient):
    auth.sign_in(email=patient.email)
    response = client.get("/care")
    assert response.status_code == 403
    assert NURSE_LINE in text(response)


def test_nurse_pages_have_their_own_help_not_the_patients(client, auth, nurse):
    auth.sign_in(email=nurse.email)
    page = text(client.get("/care/codes"))
    assert "Help for staff" in page and 'href="tel:999"' in page
    assert NURSE_LINE not in page


# Database


def test_migrations_are_idempotent_and_match_a_fresh_database(app, tmp_path):
    fresh = connect(str(tmp_path / "fresh.db"))
    twice = connect(str(tmp_path / "twice.db"))
    existing = connect(app.config["JOURNAL_DB"])  # already migrated by create_app
    try:
        migrations.apply(fresh)
        migrations.apply(twice)
        migrations.apply(twice)
        migrations.apply(existing)

        assert schema(twice) == schema(fresh)
        assert schema(existing) == schema(fresh)
        assert "entries_fts" in {r["name"] for r in schema(fresh)}
        applied = [r["name"] for r in twice.query("SELECT name FROM _sqlite_migrations")]
        assert applied[0] == "0001_accounts_and_entries"
        assert len(applied) == len(set(applied))  # each recorded once
        assert migrations.migrations.pending(twice) == []
    finally:
        for db in (fresh, twice, existing):
            db.close()


def test_a_second_app_start_on_the_same_database_keeps_the_data(app, db, patient):
    again = create_app({"MODE": "test", "JOURNAL_DB": app.config["JOURNAL_DB"]})
    assert again.test_client().get("/healthz").status_code == 200
    assert [r["email"] for r in db.query("SELECT email FROM users")] == [patient.email]


def test_connections_use_wal_foreign_keys_and_full_sync(app):
    db = connect(app.config["JOURNAL_DB"])
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] == 10000
        assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    finally:
        db.close()


def request_db(app):
    """The connection a request on `app` in this thread gets."""
    with app.test_request_context("/"):
        return get_db()


def test_a_later_request_reuses_the_connection_with_its_pragmas(app):
    first, second = request_db(app), request_db(app)
    assert first is second
    assert second.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert second.execute("SELECT count(*) FROM users").fetchone()[0] == 0  # still open


def test_two_requests_at_once_never_share_a_connection(app):
    seen = []
    both_in = threading.Barrier(2)

    def one_request():
        with app.test_request_context("/"):
            seen.append(get_db())
            both_in.wait(timeout=5)

    threads = [threading.Thread(target=one_request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 2 and seen[0] is not seen[1]
    assert request_db(app) in seen  # handed back for later requests


def test_a_request_that_does_not_commit_leaves_nothing_behind(app, db):
    with app.test_request_context("/"):
        kept = get_db()
        kept.conn.execute("BEGIN")  # as a view that failed between BEGIN and COMMIT
        kept.execute("INSERT INTO users (email, password_hash, role, created_at)"
                     " VALUES ('half@example.com', 'x', 'patient', '2026-01-01')")
        assert kept.conn.in_transaction
    assert not kept.conn.in_transaction
    assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0
    assert request_db(app).execute("SELECT count(*) FROM users").fetchone()[0] == 0


def test_the_next_request_sees_what_another_connection_wrote(app, db, patient):
    kept = request_db(app)
    assert kept.execute("SELECT count(*) FROM users").fetchone()[0] == 1
    make_user(app, db, "later@example.com")
    assert request_db(app).execute("SELECT count(*) FROM users").fetchone()[0] == 2


def test_a_different_database_closes_the_thread_s_old_connection(app, tmp_path):
    old = request_db(app)
    other = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "other.db")})
    new = request_db(other)
    assert new is not old
    with pytest.raises(sqlite3.ProgrammingError):
        old.execute("SELECT 1")


def test_a_forked_worker_opens_its_own_connection_and_leaves_the_parent_s(app):
    parent = request_db(app)
    journal_db._after_fork_in_child()  # as os.fork runs it in the child
    try:
        child = request_db(app)
        assert child is not parent
        assert parent in journal_db._inherited
        assert parent.execute("SELECT 1").fetchone()[0] == 1  # not closed under the parent
    finally:
        journal_db._inherited.remove(parent)
        parent.close()


def test_a_failed_request_s_connection_is_closed_not_kept(app):
    used = []

    @app.route("/half-read")
    def half_read():
        used.append(get_db())
        cursor = used[0].execute("SELECT 1 UNION ALL SELECT 2")
        cursor.fetchone()  # a read left open: a logged traceback can keep its cursor alive
        raise RuntimeError("after reading")

    assert app.test_client().get("/half-read").status_code == 500
    assert used[0] not in journal_db._pool["idle"]
    with pytest.raises(sqlite3.ProgrammingError):
        used[0].execute("SELECT 1")


def test_query_reads_rows_in_full_without_savepoints(app):
    seen = []
    db = request_db(app)
    db.conn.set_trace_callback(seen.append)
    try:
        rows = db.query("SELECT 1 AS one, ? AS two, 3 AS one", [2])
        assert seen == ["SELECT 1 AS one, 2 AS two, 3 AS one"]  # read already, in full
        assert list(rows) == [{"one": 1, "two": 2, "one_2": 3}]
    finally:
        db.conn.set_trace_callback(None)
    with pytest.raises(ValueError):
        db.query("CREATE TEMP TABLE scratch (x)")
    assert db.execute("SELECT count(*) FROM temp.sqlite_master").fetchone()[0] == 0


def test_foreign_keys_refuse_an_entry_for_no_one_and_cascade_on_delete(app, db, patient):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO entries (patient_id, created_at) VALUES (9999, '2026-01-01')")
    db.execute("INSERT INTO entries (patient_id, created_at, note) VALUES (?, '2026-01-01', 'x')",
               [patient.id])
    db.execute("DELETE FROM users WHERE id = ?", [patient.id])
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 0


# Demo data


@pytest.fixture
def demo_db(tmp_path):
    db = connect(str(tmp_path / "demo.db"))
    migrations.apply(db)
    yield db
    db.close()


def test_demo_seed_adds_two_accounts_and_two_weeks_of_entries(demo_db):
    assert demo.seed(demo_db, {"ARGON2": TEST_ARGON2}) is True

    users = {r["email"]: r for r in demo_db.query("SELECT * FROM users")}
    assert users[demo.PATIENT_EMAIL]["role"] == "patient"
    assert users[demo.NURSE_EMAIL]["role"] == "nurse"
    assert len(users) == 2
    rows = list(demo_db.query("SELECT * FROM entries ORDER BY created_at"))
    assert len(rows) == len(demo.DIARY)
    assert {r["patient_id"] for r in rows} == {users[demo.PATIENT_EMAIL]["id"]}
    now = utc_now()
    oldest, newest = parse_utc(rows[0]["created_at"]), parse_utc(rows[-1]["created_at"])
    assert now - timedelta(days=15) < oldest < now - timedelta(days=13)
    assert now - timedelta(days=1) < newest <= now
    assert len({parse_utc(r["created_at"]).date() for r in rows}) >= 14


def test_demo_seed_is_idempotent(demo_db):
    demo.seed(demo_db, {"ARGON2": TEST_ARGON2})
    counts = [demo_db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("users", "entries")]

    assert demo.seed(demo_db, {"ARGON2": TEST_ARGON2}) is False

    assert [demo_db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("users", "entries")] == counts


def test_demo_mode_starts_with_seeded_accounts_that_can_sign_in(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    db_path = tmp_path / "instance" / "journal.db"
    overrides = {"MODE": "demo", "JOURNAL_DB": str(db_path), "ARGON2": TEST_ARGON2}
    create_app(overrides)
    app = create_app(overrides)  # a restart neither reseeds nor changes the key
    assert (db_path.parent / "secret_key").exists()

    client = app.test_client()
    token = csrf_from(text(client.get("/sign-in")))
    response = client.post("/sign-in", data={"email": demo.PATIENT_EMAIL,
                                             "password": demo.DEMO_PASSWORD,
                                             "csrf_token": token})
    assert response.status_code == 303
    timeline = text(client.get("/timeline"))
    assert "Might ring on Monday if nothing comes." in timeline
    db = connect(str(db_path))
    try:
        assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 2
        assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == len(demo.DIARY)
    finally:
        db.close()


def test_test_accounts_use_the_shared_password(client, auth, patient):
    # Keeps conftest's PASSWORD honest for the other request tests.
    assert auth.sign_in(password=PASSWORD).status_code == 303


def test_links_made_once_still_follow_the_app_root(client, signed_in):
    """Navigation and static links are cached per app root: a second mount point gets its
    own, and the first keeps its plain ones."""
    mounted = client.get("/home", base_url="https://localhost/ww").get_data(as_text=True)
    plain = client.get("/home").get_data(as_text=True)
    assert 'href="/ww/timeline"' in mounted and 'href="/ww/static/app.css?v=' in mounted
    assert 'href="/timeline"' in plain and 'href="/static/app.css?v=' in plain
    assert "/ww/" not in plain
