"""Bad input, tried widely: hypothesis sends random, huge, unicode, control-character, HTML
and script payloads to every route in the app's url_map, as every role.

Never a 500; nothing reflected unescaped; nothing stored that breaks a page afterwards;
and no write transaction reads before it holds the write lock. New routes are fuzzed with
no change here: the routes come from the url_map, the field names from the templates and
from the code that reads the request.
"""

import re
import secrets
import sqlite3
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itsdangerous import URLSafeTimedSerializer

from journal import create_app
from journal.accounts import consent, email_links, sessions
from journal.accounts import users as accounts
from journal.diary import entries
from journal.platform import db as journal_db
from journal.platform import mail
from journal.platform.clock import utc_iso, utc_now
from journal.platform.db import connect, immediate

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"
# "locked": the patient on a device whose lock has come on (lock this phone).
ROLES = ("patient", "locked", "nurse", "admin", None)

LOCKED_AS = {"locked": "patient"}
# Payloads that would show up as a tag or attribute if anything were reflected unescaped.
ATTACKS = [
    '<script data-fuzz="1">alert(1)</script>',
    '"><img src=x data-fuzz=1 onerror=alert(1)>',
    "'><svg data-fuzz=1 onload=alert(1)>",
    "<fuzz-tag data-fuzz>",
    '" data-fuzz="1',
    "' data-fuzz='1",
    "</textarea><fuzz-tag data-fuzz>",
    "</title><fuzz-tag data-fuzz>",
    "--><fuzz-tag data-fuzz><!--",
    "javascript:alert(1)",
    "//evil.example/",
    "/\\evil.example",
    "{{ 7*7 }}{% for x in range(9) %}",
    "' OR 1=1 --",
    '"; DROP TABLE entries; --',
    "NEAR(a b) AND OR NOT * ^ \" col:",
    "\x00\x01\x02\x03\x1b[31m\x7f",
    "\x02<fuzz-tag data-fuzz>\x03",
    "\u202e\u200b\ufeff\u2028",
    "Zoë 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 😀 漢字 عربى",
    "\r\nSet-Cookie: fuzz=1",
    "%00%3Cscript%3E",
    "9223372036854775808",
    "99999999999999999999999",
    "-1",
    "²",
    "١٢",
]
# Values the forms expect, so that fuzzing also reaches the paths that save.
PLAUSIBLE = ["0", "5", "10", "anxious", "calm", "results", "sleep", "pat@example.com",
             "on", "1"]
# Over the note limit, far over it, and over the 1 MB request limit; one at most per request.
HUGE = ["x" * 5_001, "y" * 70_000, "z" * (1024 * 1024 + 1)]

payloads = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=200),
    st.sampled_from(ATTACKS),
    st.sampled_from(PLAUSIBLE),
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=20).filter(str.isprintable),
              st.sampled_from(ATTACKS), st.text(max_size=20).filter(str.isprintable)),
)


def field_names(app, pages):
    """Every field name a template renders or the code reads from a request."""
    names = set()
    code = re.compile(r"\b(?:form|args|values)\.get(?:list)?\(\s*[\"'](\w+)[\"']")
    for path in (ROOT / "journal").rglob("*.py"):
        names.update(code.findall(path.read_text()))
    for path in (ROOT / "templates").rglob("*.html"):
        names.update(re.findall(r'\bname="(\w+)"', path.read_text()))
    for html in pages:
        names.update(re.findall(r'\bname="(\w+)"', html))
    names.discard("csrf_token")
    return sorted(names)


def routes():
    """(rule, method) for every route but static files, from a throwaway app."""
    app = create_app({"MODE": "test", "JOURNAL_DB": ":memory:"})
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.rule, method))
    return sorted(found)


WRITTEN_TABLE = re.compile(
    r"\s*(?:INSERT|REPLACE|UPDATE|DELETE)(?:\s+OR\s+\w+)?(?:\s+INTO|\s+FROM)?\s+[\"`\[]?(\w+)",
    re.IGNORECASE)
# Written by every signed-in request (when it was last seen); nothing typed is stored there.
BOOKKEEPING = {"sessions"}


class TransactionAudit:
    """Records, from SQLite's own trace, any write transaction that read before it wrote
    without BEGIN IMMEDIATE: under load that is where 'database is locked' comes from."""

    def __init__(self):
        self.problems = []
        self.written = set()  # the tables any statement wrote to, for the fuzzer's page check

    def attach(self, conn):
        state = {"open": False, "immediate": False, "read": False, "wrote": False, "log": []}

        def trace(sql):
            words = sql.strip().split(None, 2)
            if not words or words[0].startswith("--"):
                return  # statements run by triggers
            first = words[0].upper()
            second = words[1].upper() if len(words) > 1 else ""
            if first in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
                self.written.add(WRITTEN_TABLE.match(sql).group(1).lower())
            if first in ("BEGIN", "SAVEPOINT") and not state["open"]:
                state.update(open=True, immediate=second in ("IMMEDIATE", "EXCLUSIVE"),
                             read=False, wrote=False, log=[sql])
                return
            if first in ("COMMIT", "END", "ROLLBACK") or (first == "RELEASE" and state["open"]):
                state.update(open=False)
                return
            if not state["open"] or state["immediate"]:
                return
            state["log"].append(sql)
            if first in ("SELECT", "WITH") or (first == "PRAGMA" and "=" not in sql):
                state["read"] = True
            elif first in ("INSERT", "UPDATE", "DELETE", "REPLACE"):
                if state["read"] and not state["wrote"]:
                    self.problems.append(list(state["log"]))
                state["wrote"] = True

        conn.set_trace_callback(trace)


class PageCheck(HTMLParser):
    """Finds anything a payload could have injected into a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.injected = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag == "fuzz-tag" or "data-fuzz" in names or names & {"onerror", "onload"}:
            self.injected.append((tag, attrs))
        if tag == "script" and not dict(attrs).get("src", "").startswith("/static/"):
            self.injected.append((tag, attrs))
        for name, value in attrs:
            if name in ("href", "action", "src") and (value or "").lower().startswith(
                ("javascript:", "//", "/\\")
            ):
                self.injected.append((tag, attrs))


def check_page(response, where):
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.mimetype == "text/html":
        assert "charset=utf-8" in response.content_type
        parser = PageCheck()
        parser.feed(response.get_data(as_text=True))
        assert not parser.injected, f"{where}: injected {parser.injected[:3]}"
    for name, value in response.headers.items():
        assert "\n" not in value and "\r" not in value, f"{where}: header {name} split"


class Harness:
    """The fuzzed app: one database with a patient, another patient, a nurse and an admin."""

    def __init__(self, tmp_path, overrides=None):
        self.monkeypatch = pytest.MonkeyPatch()
        self.audit = TransactionAudit()
        real_connect = journal_db.connect

        def traced(path, **options):
            db = real_connect(path, **options)
            self.audit.attach(db.conn)
            return db

        self.app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "fuzz.db"),
                               **(overrides or {})})
        self.monkeypatch.setattr(journal_db, "connect", traced)
        self.serializer = URLSafeTimedSerializer(self.app.secret_key, salt="wtf-csrf-token")
        db = connect(self.app.config["JOURNAL_DB"])
        password_hash = self.app.extensions["passwords"].hash(PASSWORD)
        self.users = {}
        for role, email in (("patient", "pat@example.com"), ("other", "other@example.com"),
                            ("nurse", "nurse@example.com"), ("admin", "admin@example.com")):
            user_role = "patient" if role == "other" else role
            self.users[role] = accounts.create_user(db, email, password_hash, role=user_role)
            if user_role == "patient":
                # As sign-up does: fuzz the pages, not the notice they would redirect to.
                consent.agree(db, self.users[role])
        self.ids = {"patient": [], "other": []}
        for who in ("patient", "other"):
            for n in range(3):
                values = {"distress": n, "feelings": ["calm"], "topics": [], "note": f"n{n}"}
                self.ids[who].append(entries.create(db, self.users[who], values))
        db.close()
        self.requests = 0
        self.tokens = {}
        self.sign_in_all()
        self.names = field_names(self.app, self.get_pages("patient"))

    def sign_in_all(self):
        """A fresh server-side session for each role (a fuzzed sign-out may end one)."""
        db = connect(self.app.config["JOURNAL_DB"])
        try:
            self.tokens = {role: sessions.start(db, self.users[LOCKED_AS.get(role, role)])
                           for role in ROLES if role}
            locked = sessions.find(db, self.tokens["locked"])
            db.execute("UPDATE sessions SET lock_after_minutes = 5, last_seen_at = ?"
                       " WHERE id = ?", [utc_iso(utc_now() - timedelta(minutes=10)),
                                         locked["id"]])
        finally:
            db.close()

    def close(self):
        self.monkeypatch.undo()

    def client(self, role):
        """A test client signed in as `role` (or no one), and its CSRF token."""
        client = self.app.test_client()
        raw = secrets.token_hex(20)
        with client.session_transaction() as session:
            session["csrf_token"] = raw
            if role:
                session["token"] = self.tokens[role]
        return client, self.serializer.dumps(raw)

    def get_pages(self, role):
        """Every page a role can open with no input, with real ids filled in."""
        client, _ = self.client(role)
        pages = []
        for rule in self.app.url_map.iter_rules():
            if rule.endpoint == "static" or "GET" not in rule.methods:
                continue
            ids = self.ids["patient"] if rule.arguments else [None]
            for entry_id in ids:
                values = {name: entry_id for name in rule.arguments}
                try:
                    path = rule.build(values)[1]
                except Exception:  # a rule whose argument is not an id: left to the fuzzer
                    continue
                response = client.get(path)
                check_page(response, f"GET {path} as {role}")
                pages.append(response.get_data(as_text=True) if response.mimetype
                             == "text/html" else "")
        return pages


@pytest.fixture(scope="module")
def harness(tmp_path_factory):
    harness = Harness(tmp_path_factory.mktemp("fuzz"))
    yield harness
    try:
        harness.sign_in_all()
        for role in ROLES:
            harness.get_pages(role)
    finally:
        harness.close()


@pytest.mark.parametrize("rule, method", routes())
def test_route_survives_hostile_input(harness, rule, method, record_property):
    fuzz_route(harness, rule, method, record_property)


# The ways in by email, fuzzed again where a mail server is set (the harness above has none,
# so there they are switched off), with live links among the hostile ones.
EMAIL_RULES = ("/forgotten-password/email", "/reset-password/<token>", "/sign-up",
               "/sign-up/confirm/<token>")


@pytest.fixture(scope="module")
def mail_harness(tmp_path_factory, smtp_module):
    harness = Harness(tmp_path_factory.mktemp("fuzz-mail"),
                      {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_module.port})
    yield harness
    harness.close()


def live_links(harness):
    """A fresh reset link for the patient and a sign-up link for a new address."""
    db = connect(harness.app.config["JOURNAL_DB"])
    now = utc_now()
    try:
        with immediate(db):
            return [email_links.issue(db, email_links.RESET, now, timedelta(minutes=30),
                                      user_id=harness.users["patient"]),
                    email_links.issue(db, email_links.SIGN_UP, now, timedelta(hours=24),
                                      email=f"new{secrets.token_hex(4)}@example.com")]
    finally:
        db.close()


@pytest.mark.parametrize("rule, method", [r for r in routes() if r[0] in EMAIL_RULES])
def test_email_route_survives_hostile_input(mail_harness, rule, method, record_property):
    tokens = live_links(mail_harness)
    fuzz_route(mail_harness, rule, method, record_property,
               {"token": st.one_of(st.sampled_from(tokens), payloads)})
    mail.wait_for_sending()


def fuzz_route(harness, rule, method, record_property, path_overrides=None):
    """Hostile requests to one route and method, as every role."""
    app = harness.app
    harness.sign_in_all()
    names = harness.names
    werkzeug_rule = next(r for r in app.url_map.iter_rules() if r.rule == rule)
    known_ids = harness.ids["patient"] + harness.ids["other"]
    id_values = st.one_of(st.sampled_from(known_ids), st.integers(0, 2**70))
    path_values = {
        name: id_values if "int" in type(werkzeug_rule._converters[name]).__name__.lower()
        else payloads
        for name in werkzeug_rule.arguments
    }
    path_values.update({name: value for name, value in (path_overrides or {}).items()
                        if name in path_values})
    # Real ids as text too, so ?before= and other id fields reach rows of every owner.
    values = st.one_of(payloads, st.sampled_from([str(i) for i in known_ids]))
    fields = st.dictionaries(st.one_of(st.sampled_from(names), st.text(min_size=1, max_size=8)),
                             st.lists(values, min_size=1, max_size=2), max_size=6)
    before = harness.requests
    harness.audit.written.clear()

    @given(
        role=st.sampled_from(ROLES),
        path_args=st.fixed_dictionaries(path_values),
        form=fields,
        query=fields,
        csrf=st.sampled_from(["valid", "valid", "valid", "missing", "garbage"]),
        htmx=st.booleans(),
        bulk=st.sampled_from([None] * 9 + HUGE),
        bulk_field=st.sampled_from(names),
        site=st.sampled_from([None, None, "same-origin", "cross-site"]),
    )
    def attempt(role, path_args, form, query, csrf, htmx, bulk, bulk_field, site):
        client, token = harness.client(role)
        path = werkzeug_rule.build(path_args, append_unknown=False)[1]
        headers = {"HX-Request": "true"} if htmx else {}
        if site:
            headers["Sec-Fetch-Site"] = site
        data = {k: v for k, v in form.items()}
        if bulk:
            data[bulk_field] = bulk
        if csrf == "valid":
            data["csrf_token"] = token
        elif csrf == "garbage":
            data["csrf_token"] = "not-a-token"
        harness.requests += 1
        response = client.open(path, method=method, query_string=query,
                               data=data if method != "GET" else None, headers=headers)
        check_page(response, f"{method} {path} as {role}")
        assert not harness.audit.problems, harness.audit.problems[:2]

    attempt()
    # Whatever was stored must not break a page afterwards, for the patient who stored it
    # or a nurse who may see it (every role is checked again when the module ends). A route
    # whose requests stored nothing cannot have, so the pages are not opened again for it.
    if harness.audit.written - BOOKKEEPING:
        harness.sign_in_all()
        harness.get_pages("patient")
        harness.get_pages("nurse")
    record_property("fuzzed_inputs", harness.requests - before)


def test_the_audit_catches_a_read_before_write_transaction(tmp_path):
    audit = TransactionAudit()
    conn = sqlite3.connect(tmp_path / "audit.db", isolation_level=None)
    audit.attach(conn)
    conn.execute("CREATE TABLE t (x)")
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("SELECT count(*) FROM t").fetchone()
    conn.execute("INSERT INTO t VALUES (1)")
    conn.execute("COMMIT")
    assert audit.problems == []

    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM t").fetchone()
    conn.execute("INSERT INTO t VALUES (2)")
    conn.execute("COMMIT")
    conn.close()
    assert len(audit.problems) == 1
    assert audit.problems[0][0] == "BEGIN"


def test_the_audit_names_every_table_written(tmp_path):
    """The fuzzer opens every page again after a route only when that route wrote a table
    other than sessions: a write the audit missed would skip that check."""
    audit = TransactionAudit()
    conn = sqlite3.connect(tmp_path / "audit.db", isolation_level=None)
    audit.attach(conn)
    for table in ("entries", "sessions", "notes", "links"):
        conn.execute(f"CREATE TABLE {table} (x)")
    conn.execute("SELECT count(*) FROM entries").fetchone()
    assert audit.written == set()
    conn.execute("INSERT INTO entries VALUES (1)")
    conn.execute('UPDATE OR IGNORE "sessions" SET x = 2')
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("delete from notes")
    conn.execute("REPLACE INTO [links] VALUES (3)")
    conn.execute("COMMIT")
    conn.close()
    assert audit.written == {"entries", "sessions", "notes", "links"}
