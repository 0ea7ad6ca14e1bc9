"""Hot-path queries use an index and no page queries per row, on a small synthetic database
made by the benchmark's own generator (issue 7). The load run itself is `make bench`."""

import json
import re
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

import journal.platform.db
from bench import run, synthetic, workload
from journal import create_app
from journal.accounts import users as accounts
from journal.diary.entries import PAGE_SIZE
from journal.platform import config
from tests.conftest import totp_code_for

# Tables that grow with the number of patients: a hot-path query must never read all of one.
BIG_TABLES = ("entries", "users", "sessions", "scans", "questions",
              synthetic.LINKS, synthetic.REVIEWS)
FULL_SCAN = re.compile(rf"\bSCAN ({'|'.join(BIG_TABLES)})\b")
PATIENT_TOKEN = re.compile(r"MATCH 'patient : \"p\d+\" AND ")
NOT_QUERIES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")
TINY = 0.002  # 120 patients, 4,000 entries


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    path = tmp_path_factory.mktemp("bench") / "bench.db"
    cheap = accounts.Passwords(**config.Test.ARGON2).hash(synthetic.BENCH_PASSWORD)
    synthetic.build(path, TINY, log=lambda *_: None, password_hash=cheap)
    return path


@pytest.fixture
def bench_app(built, tmp_path):
    path = tmp_path / "bench.db"
    shutil.copyfile(built, path)
    return create_app({"MODE": "test", "JOURNAL_DB": str(path)})


class Statements(list):
    """Every SQL statement the app runs, as SQLite expanded it; trigger bodies left out."""

    def __call__(self, sql):
        # FTS5 reads its own settings once per connection; the app keeps its connection, so
        # that read lands on whichever request writes first, and is not the app's query.
        if not sql.lstrip().startswith("--") and "'entries_fts_config'" not in sql:
            self.append(sql)

    def queries(self):
        return [s for s in self if not s.lstrip().upper().startswith(NOT_QUERIES)]


@pytest.fixture
def statements(monkeypatch):
    """Record the statements of each request's connection."""
    recorded = Statements()
    connect = journal.platform.db.connect

    def traced(*args, **kwargs):
        db = connect(*args, **kwargs)
        db.conn.set_trace_callback(recorded)
        return db

    monkeypatch.setattr(journal.platform.db, "connect", traced)
    journal.platform.db.forget_connections()  # so the next request opens a traced one
    yield recorded
    journal.platform.db.forget_connections()


def signed_in(app, email):
    """A test client signed in through the form (and, for a nurse, the second factor), its
    CSRF token and the page it landed on."""
    client = app.test_client()
    token = run.csrf_token(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/sign-in", data={
        "email": email, "password": synthetic.BENCH_PASSWORD, "csrf_token": token})
    assert response.status_code == 303
    if response.headers["Location"] == "/sign-in/code":
        token = run.csrf_token(client.get("/sign-in/code").get_data(as_text=True))
        response = client.post("/sign-in/code", data={
            "code": totp_code_for(app, email), "csrf_token": token})
        assert response.status_code == 303
    landing = client.get(response.headers["Location"]).get_data(as_text=True)
    return client, run.csrf_token(landing), landing


def send(client, page, token, person):
    """The request the load script sends for this page, by the same rules."""
    fill = {"csrf": token, "uid": "test-1", "patient": person["patient"],
            "since": person["since"]}
    path = page.path.format(**fill)
    headers = {"HX-Request": "true", "X-CSRFToken": token} if page.htmx else {}
    if page.method == "POST":
        form = {"csrf_token": token, **{k: v.format(**fill) for k, v in page.forms()[0]}}
        return client.post(path, data=form, headers=headers)
    return client.get(path, headers=headers)


def patients_by_entry_count(path):
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT patient_id FROM entries WHERE deleted_at IS NULL GROUP BY patient_id"
            " ORDER BY count(*), patient_id").fetchall()
    finally:
        conn.close()
    return rows[0][0], rows[-1][0]


def fewest_entries_with_search_results(path):
    """Of the patients whose notes match the workload's first search words, the one with the
    fewest entries: comparing them with the heaviest patient then compares pages that both
    show entries (one care-team look-up per page shows cards, never one per card)."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT e.patient_id FROM entries e WHERE e.deleted_at IS NULL AND e.patient_id IN"
            " (SELECT m.patient_id FROM entries_fts JOIN entries m ON m.id = entries_fts.rowid"
            "  WHERE entries_fts MATCH ?)"
            " GROUP BY e.patient_id ORDER BY count(*), e.patient_id LIMIT 1",
            [f'note : ("{workload.SEARCH_WORDS[0]}")']).fetchone()[0]
    finally:
        conn.close()


def entry_count(path, patient_id):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM entries WHERE patient_id = ?",
                            [patient_id]).fetchone()[0]
    finally:
        conn.close()


def driven_pages(app):
    """The workload's pages this app has, as (page, role to sign in as)."""
    return [page for page, _ in workload.available(app) if page is not None]


def people(app, role):
    """One signed-in person per role, with the nurse's patient and 'since' when needed."""
    person = run.choose_pool(app.config["JOURNAL_DB"], role, 1)[0]
    client, token, landing = signed_in(app, person["email"])
    if role == "nurse":
        person["since"] = run.poll_since(landing)
    return client, token, person


def test_hot_path_queries_never_scan_a_big_table(bench_app, statements):
    checked = 0
    for page in driven_pages(bench_app):
        if page.role:
            client, token, person = people(bench_app, page.role)
        else:
            client, token, person = bench_app.test_client(), "", {"patient": "", "since": ""}
        statements.clear()
        response = send(client, page, token, person)
        assert response.status_code in page.expect, page.name
        conn = sqlite3.connect(bench_app.config["JOURNAL_DB"])
        try:
            for sql in statements.queries():
                plan = " / ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
                assert not FULL_SCAN.search(plan), f"{page.name}: {sql}\n  plan: {plan}"
                if "entries_fts MATCH" in sql:
                    # The plan cannot show it: a search must start from the patient's token.
                    assert PATIENT_TOKEN.search(sql), f"{page.name}: {sql}"
                checked += 1
        finally:
            conn.close()
    assert checked >= 10


def test_query_count_does_not_grow_with_entries_on_the_page(bench_app, statements):
    path = bench_app.config["JOURNAL_DB"]
    _, heavy = patients_by_entry_count(path)
    light = fewest_entries_with_search_results(path)
    assert entry_count(path, heavy) > PAGE_SIZE > 2 * entry_count(path, light)
    counts = {}
    for patient_id in (light, heavy):
        client, token, _ = signed_in(bench_app, synthetic.PATIENT_EMAIL.format(patient_id))
        person = {"patient": "", "since": ""}
        for page in driven_pages(bench_app):
            if page.role != "patient":
                continue
            statements.clear()
            response = send(client, page, token, person)
            assert response.status_code in page.expect
            counts[page.name, patient_id] = len(statements.queries())
    for page in {name for name, _ in counts}:
        assert counts[page, heavy] == counts[page, light], (
            f"{page}: {counts[page, light]} queries for {light}'s"
            f" {entry_count(path, light)} entries, {counts[page, heavy]} for {heavy}'s"
            f" {entry_count(path, heavy)}")


def test_workload_says_which_pages_are_not_there_yet(bench_app):
    plan = {asked.name: page for page, asked in workload.available(bench_app)}
    assert plan["patient home"].path == "/home"
    assert plan["search (htmx POST)"].method == "POST"
    for name in ("nurse dashboard", "nurse patient view", "dashboard poll, nothing new"):
        routed = workload.routed(bench_app, next(p for p in workload.PAGES if p.name == name))
        assert (plan[name] is not None) == routed
    help_page = plan["help panel"]
    assert help_page.path in (workload.HELP_PATH, "/")


def test_load_script_bodies_keep_placeholders_and_rotate_search_words():
    search = next(p for p in workload.PAGES if p.name.startswith("search"))
    lines = run.request_lines(search)
    assert len(lines) == len(workload.SEARCH_WORDS)
    assert all(line[3].startswith("csrf_token={csrf}&q=") for line in lines)
    assert lines[1][3].endswith("q=scan%20results")
    check_in = next(p for p in workload.PAGES if p.name.startswith("check-in"))
    assert "client_id=bench-{uid}" in run.request_lines(check_in)[0][3]


def test_synthetic_build_is_deterministic_with_scans_at_every_stage(built, tmp_path):
    again = tmp_path / "again.db"
    stats = synthetic.build(again, TINY, log=lambda *_: None, now=_built_at(built),
                            password_hash=_hash_of(built))

    def content(path):
        conn = sqlite3.connect(path)
        try:
            return [conn.execute(f"SELECT * FROM {t} ORDER BY id").fetchall()  # noqa: S608
                    for t in ("users", "entries", "scans", "questions")]
        finally:
            conn.close()

    assert content(again) == content(built)
    assert stats["made"]["entries"] == round(synthetic.FULL_SCALE["entries"] * TINY)
    assert set(stats["stages"]) == set(synthetic.SCAN_STAGES)
    assert sum(stats["stages"].values()) == stats["scale"]["patients"]


def test_search_index_is_rebuilt_and_finds_only_the_patients_own_notes(built):
    conn = sqlite3.connect(built)
    try:
        light, heavy = patients_by_entry_count(built)
        found = conn.execute(
            "SELECT entries.patient_id FROM entries_fts JOIN entries"
            " ON entries.id = entries_fts.rowid WHERE entries_fts MATCH ?",
            [f'patient : "p{heavy}" AND note : ("sleep")']).fetchall()
        triggers = {r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    finally:
        conn.close()
    assert found and {row[0] for row in found} == {heavy}
    assert {"entries_ai", "entries_ad", "entries_au"} <= triggers


def test_care_team_tables_are_filled_once_they_exist():
    conn = sqlite3.connect(":memory:")
    plan = synthetic.Plan(scale=synthetic.Scale.of(TINY), now=datetime(2026, 5, 1, tzinfo=UTC),
                          password_hash="x")
    assert synthetic.teams(conn, plan).startswith("skipped: no teams table")
    conn.executescript(f"""
        CREATE TABLE {synthetic.TEAMS} (id INTEGER PRIMARY KEY, {synthetic.TEAM_NAME} TEXT,
            {synthetic.TEAM_HOURS} TEXT, {synthetic.TEAM_CREATED} TEXT);
        CREATE TABLE {synthetic.MEMBERSHIPS} ({synthetic.MEMBERSHIP_TEAM} INTEGER,
            {synthetic.MEMBERSHIP_NURSE} INTEGER, {synthetic.MEMBERSHIP_JOINED} TEXT);
        CREATE TABLE {synthetic.LINKS} ({synthetic.LINK_TEAM} INTEGER);
    """)
    assert synthetic.teams(conn, plan) == plan.scale.teams
    assert synthetic.memberships(conn, plan) == plan.scale.nurses
    assert "has no column" in synthetic.links(conn, plan)
    conn.close()


def _built_at(path):
    stats = json.loads(Path(f"{path}.json").read_text())
    return datetime.strptime(stats["now"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _hash_of(path):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT password_hash FROM users LIMIT 1").fetchone()[0]
    finally:
        conn.close()


def test_the_built_database_has_care_teams_and_agreements_as_the_app_stores_them(built):
    conn = sqlite3.connect(built)
    try:
        def count(sql):
            return conn.execute(sql).fetchone()[0]

        patients = count("SELECT count(*) FROM users WHERE role = 'patient'")
        # Every patient agreed to the current notice, so pages open without the notice step.
        assert count("SELECT count(*) FROM privacy_agreements pa JOIN users u"
                     " ON u.id = pa.user_id AND u.role = 'patient'") == patients
        assert count("SELECT count(*) FROM care_links WHERE ended_at IS NULL") == patients
        assert count("SELECT count(*) FROM team_nurses") == count(
            "SELECT count(*) FROM users WHERE role = 'nurse'")
        # Each review is by a nurse of the patient's own team, and marks the entry.
        assert count("SELECT count(*) FROM entry_reviews") > 0
        assert count(
            "SELECT count(*) FROM entry_reviews r JOIN entries e ON e.id = r.entry_id"
            " JOIN care_links l ON l.patient_id = e.patient_id"
            " JOIN team_nurses m ON m.nurse_id = r.nurse_id"
            " WHERE m.team_id != l.team_id OR r.team_id != l.team_id"
            " OR e.reviewed_at IS NOT r.reviewed_at OR e.shared = 0"
            " OR e.reviewed_team_id IS NOT r.team_id") == 0
        # Each shared entry names its patient's team, as sharing while connected does.
        assert count("SELECT count(*) FROM entries e JOIN care_links l"
                     " ON l.patient_id = e.patient_id WHERE e.shared = 1"
                     " AND e.shared_team_id IS NOT l.team_id") == 0
    finally:
        conn.close()
