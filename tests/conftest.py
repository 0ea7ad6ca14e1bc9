"""Fixtures: an app on a temporary database, a test client, accounts and sign-in."""

import os
import re

import pytest
from hypothesis import HealthCheck, settings

from journal import accounts, create_app
from journal.db import connect

settings.register_profile("ci", max_examples=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("fuzz", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=10, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

PASSWORD = "correct horse battery"


@pytest.fixture
def app(tmp_path):
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "journal.db")})
    yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def db(app):
    database = connect(app.config["JOURNAL_DB"])
    yield database
    database.close()


def make_user(app, db, email, role="patient", first_name=""):
    password_hash = app.extensions["passwords"].hash(PASSWORD)
    user_id = accounts.create_user(db, email, password_hash, role=role, first_name=first_name)
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


def csrf_from(html):
    """The CSRF token from a rendered page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def token(self, path="/sign-in"):
        return csrf_from(self.client.get(path).get_data(as_text=True))

    def sign_in(self, email="pat@example.com", password=PASSWORD):
        return self.client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": self.token()}
        )

    def sign_out(self):
        return self.client.post("/sign-out", data={"csrf_token": self.token("/")})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def signed_in(patient, auth):
    """The patient, signed in; returns the client's CSRF token for posts."""
    response = auth.sign_in()
    assert response.status_code == 303
    return auth.token("/home")


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
