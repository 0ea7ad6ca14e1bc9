"""Fixtures: an app on a temporary database, a test client, accounts and sign-in."""

import email
import email.policy
import os
import re
import shutil
import socket
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from hypothesis import HealthCheck, settings
from jinja2 import BytecodeCache
from werkzeug.routing.rules import Rule

from journal import create_app
from journal.accounts import consent, totp
from journal.accounts import users as accounts
from journal.guidance import packs
from journal.platform import migrations
from journal.platform.clock import utc_now
from journal.platform.db import connect
from tests.helpers import PASSWORD, csrf_from

settings.register_profile("ci", max_examples=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=10, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


class TemplateCode(BytecodeCache):
    """Compiled templates kept in memory for every app this process makes. Each test makes
    its own app, and compiling its templates anew was half the time of a request test; Jinja
    checks each template's source against the cached code, so an edited one is compiled."""

    def __init__(self):
        self.code = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket):
        self.code[bucket.key] = bucket.bytecode_to_string()


Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": TemplateCode()}


def keep_url_builders():
    """Werkzeug writes, parses and compiles a Python function to build each route's URLs
    when the rule is added: about three quarters of making a test's app. The function
    depends only on the rule's parts, defaults and kind, so every app a test process makes
    shares them; the builder reaches its converters through the rule it is bound to."""
    compile_builder = Rule._compile_builder
    kept = {}

    def kept_builder(rule, append_unknown=True):
        key = (rule.rule, tuple(rule._trace), repr(sorted((rule.defaults or {}).items())),
               append_unknown)
        if key not in kept:
            kept[key] = compile_builder(rule, append_unknown)
        return kept[key]

    Rule._compile_builder = kept_builder


def keep_content(load):
    """A content loader that reads each folder's packs once per test process, keyed by
    the files' bytes, so an edited or broken pack is read again. Packs are frozen."""
    kept = {}

    def cached(folder=None):
        path = Path(folder) if folder is not None else packs.CONTENT_DIR
        key = (str(path.resolve()), tuple((p.name, p.read_bytes())
                                          for p in sorted(path.glob("*.toml"))))
        if key not in kept:
            kept[key] = load(folder)
        value = kept[key]
        return dict(value) if isinstance(value, dict) else value

    return cached


keep_url_builders()
packs.load_packs = keep_content(packs.load_packs)
packs.load_safety = keep_content(packs.load_safety)


def pytest_xdist_make_scheduler(config, log):
    """With --dist loadgroup, every browser test goes to one worker, so one Chromium serves
    the run. Chosen by path here: xdist marks groups by rewriting each test's id, which
    pytest 9.2 no longer reads, and the browser tests were spread over both workers."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserTestsTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid):
            if nodeid.startswith("tests/browser/"):
                return "browser"
            return super()._split_scope(nodeid)

    return BrowserTestsTogether(config, log)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory):
    """A database with every migration applied, made once per worker. Each test starts from
    a copy: migrating a new file for every test was about half of making its app."""
    path = tmp_path_factory.mktemp("migrated") / "journal.db"
    connection = connect(str(path))
    try:
        migrations.apply(connection)
    finally:
        connection.close()
    return path


def fresh_database(migrated_database, folder):
    """A copy of the migrated database in this test's folder; its path."""
    path = folder / "journal.db"
    shutil.copyfile(migrated_database, path)
    return str(path)


@pytest.fixture
def app(tmp_path, migrated_database):
    app = create_app({"MODE": "test", "JOURNAL_DB": fresh_database(migrated_database, tmp_path)})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    """Flask's CLI runner: commands run against the test app and its database."""
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    database = connect(app.config["JOURNAL_DB"])
    yield database
    database.close()


def make_user(app, db, email, role="patient", first_name=""):
    password_hash = app.extensions["passwords"].hash(PASSWORD)
    user_id = accounts.create_user(db, email, password_hash, role=role, first_name=first_name)
    if role == "patient":
        consent.agree(db, user_id)  # as sign-up does, so pages open without the notice step
    return accounts.user_by_id(db, user_id)


@pytest.fixture
def patient(app, db):
    return make_user(app, db, "pat@example.com", first_name="Pat")


@pytest.fixture
def other_patient(app, db):
    return make_user(app, db, "other@example.com", first_name="Olu")


@pytest.fixture
def nurse(app, db):
    return make_user(app, db, "nurse@example.com", role="nurse")


class AuthActions:
    def __init__(self, client):
        self.client = client
        self.app = client.application

    def token(self, path="/sign-in"):
        return csrf_from(self.client.get(path, follow_redirects=True).get_data(as_text=True))

    def sign_in(self, email="pat@example.com", password=PASSWORD, second_factor=True):
        """Sign in; for a nurse or admin, also set up or give the second factor."""
        response = self.client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": self.token()}
        )
        if second_factor and response.headers.get("Location") == "/sign-in/code":
            token = self.token("/sign-in/code")  # also makes the secret when setting up
            response = self.client.post(
                "/sign-in/code", data={"code": self.totp_code(email), "csrf_token": token}
            )
        return response

    def totp_code(self, email):
        """A code the app would accept now, even just after another sign-in."""
        return totp_code_for(self.app, email)

    def sign_out(self):
        return self.client.post("/sign-out", data={"csrf_token": self.token("/timeline")})


def totp_at_step(secret, step):
    """The code an authenticator app shows during a time step."""
    import pyotp

    return pyotp.TOTP(secret).generate_otp(step)


def totp_code_for(app, email):
    """A code the app would accept now for this account (its secret must exist, as it does
    once the code page has been shown), even just after another sign-in."""
    database = connect(app.config["JOURNAL_DB"])
    try:
        row = accounts.user_by_email(database, email)
        now, last = totp.step_at(utc_now()), row["totp_last_step"]
        if last is not None and last >= now + totp.DRIFT_STEPS:
            # Test shortcut: no unused step left within the drift, so forget the last.
            database.execute("UPDATE users SET totp_last_step = NULL WHERE id = ?", [row["id"]])
            last = None
        return totp_at_step(row["totp_secret"], now if last is None else max(now, last + 1))
    finally:
        database.close()


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def signed_in(patient, auth):
    """The patient, signed in; returns the client's CSRF token for posts."""
    response = auth.sign_in()
    assert response.status_code == 303
    return auth.token("/home")


# Email: a real SMTP server on loopback ------------------------------------


class Inbox:
    """What the loopback server received; `refuse` makes it answer as a busy server does."""

    def __init__(self):
        self.messages, self.refuse = [], False

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            return "451 Please try again later"
        self.messages.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        return "250 Message accepted"

    def wait_for(self, count, timeout=10):
        """The first `count` messages, once they have arrived (mail from a request is sent
        by a background thread)."""
        from journal.platform import mail

        mail.wait_for_sending(timeout)
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} mails arrived"
        return self.messages[:count]

    def to(self, address):
        """The messages sent to one address, in order."""
        return [m for m in self.messages if m["To"] == address]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def loopback_smtp():
    """A real SMTP server on loopback for as long as the block runs; yields its inbox."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def smtp():
    with loopback_smtp() as inbox:
        yield inbox


@pytest.fixture(scope="module")
def smtp_module():
    """One loopback SMTP server for a whole module."""
    with loopback_smtp() as inbox:
        yield inbox


@pytest.fixture
def mail_app(tmp_path, smtp):
    """An app that sends mail to the loopback server."""
    return create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "journal.db"),
                       "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port})


@pytest.fixture
def mail_db(mail_app):
    database = connect(mail_app.config["JOURNAL_DB"])
    yield database
    database.close()


def link_in(message, path_start):
    """The first link in an email's text whose path starts with `path_start`, as a path."""
    found = re.search(r"https?://[^/\s]+(" + re.escape(path_start) + r"\S*)",
                      message.get_content())
    assert found, f"no {path_start} link in: {message.get_content()!r}"
    return found[1]


# Scan journey (issue 3) ---------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Set the moment that the scan journey and the help panel see."""
    from journal.guidance import loading as guidance

    def set_to(moment):
        monkeypatch.setattr(guidance, "now", lambda: moment)
        return moment

    return set_to


@pytest.fixture
def add_scan(db):
    """Store a scan row for a patient, as the form would; returns its id."""
    return lambda patient_id, **fields: insert_scan(db, patient_id, **fields)


@pytest.fixture
def make_account(app, db):
    """Make another account: make_account(email, role="patient")."""
    return lambda email, role="patient": make_user(app, db, email, role=role)


def insert_scan(db, patient_id, **fields):
    from journal.platform.clock import utc_iso, utc_now

    row = {
        "kind": "liver-ultrasound",
        "appointment_at": None,
        "hospital": "",
        "fasting_hours": None,
        "letter_notes": "",
        "arranged_by_name": "",
        "arranged_by_phone": "",
        "nurse_name": "",
        "nurse_phone": "",
        "results_expected_days": None,
        "results_received_on": None,
        "created_at": utc_iso(utc_now()),
        **fields,
        "patient_id": patient_id,
    }
    for key in ("appointment_at", "created_at"):
        if row[key] is not None and not isinstance(row[key], str):
            row[key] = utc_iso(row[key])
    return db["scans"].insert(row, pk="id").last_pk


# Care teams (issue 4): helpers live in care_helpers.py, so test modules can import them.


@pytest.fixture
def team(db):
    from journal.care import teams

    return teams.team_by_id(db, teams.create_team(db, "Breast Care Team"))


@pytest.fixture
def other_team(db):
    from journal.care import teams

    return teams.team_by_id(db, teams.create_team(db, "Oncology Day Unit"))


@pytest.fixture
def team_nurse(app, db, team):
    from journal.care import teams

    nurse = make_user(app, db, "priya@example.com", role="nurse", first_name="Priya")
    teams.put_nurse_in_team(db, nurse.id, team.id)
    return nurse


@pytest.fixture
def other_nurse(app, db, other_team):
    from journal.care import teams

    nurse = make_user(app, db, "tom@example.com", role="nurse", first_name="Tom")
    teams.put_nurse_in_team(db, nurse.id, other_team.id)
    return nurse


@pytest.fixture
def admin(app, db):
    return make_user(app, db, "admin@example.com", role="admin", first_name="Ada")


@pytest.fixture
def linked(db, patient, team):
    """The patient, connected to the team; returns the link id."""
    from care_helpers import link_patient

    return link_patient(db, patient, team)

def pytest_terminal_summary(terminalreporter):
    """Show the figures that tests recorded: fault runs, and how many inputs were fuzzed."""
    lines, fuzzed, routes = [], 0, 0
    for report in terminalreporter.stats.get("passed", []):
        if report.when != "call":
            continue
        for name, value in report.user_properties:
            if name == "figures":
                lines.append(value)
            elif name == "fuzzed_inputs":
                fuzzed += value
                routes += 1
    if routes:
        lines.append(f"fuzz: {fuzzed} hostile requests over {routes} route-methods")
    if lines:
        terminalreporter.section("figures")
        for line in sorted(lines):
            terminalreporter.write_line(line)
