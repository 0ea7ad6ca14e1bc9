"""Failed sign-ins are limited per account and per address, in the database, and the
address comes from X-Forwarded-For only through configured proxies."""

from datetime import timedelta

import pytest

from journal import create_app
from journal.platform.clock import utc_iso, utc_now
from tests.conftest import PASSWORD, csrf_from


def failures(db):
    return db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0]


def post_sign_in(client, email, password, headers=None):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password,
                                         "csrf_token": token}, headers=headers or {})


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(client, patient, db):
    for _ in range(5):
        assert post_sign_in(client, patient.email, "wrong password here").status_code == 422
    assert failures(db) == 5
    response = post_sign_in(client, patient.email, PASSWORD)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 14 * 60
    assert "wait 15 minutes" in response.get_data(as_text=True)
    assert "Location" not in response.headers
    # The refused try was not checked, so it is not counted either.
    assert failures(db) == 5


def test_an_unknown_email_is_limited_the_same_way(client, db):
    for _ in range(5):
        post_sign_in(client, "nobody@example.com", "whatever words")
    assert post_sign_in(client, "nobody@example.com", "whatever words").status_code == 429


def test_the_lock_lifts_when_failures_leave_the_window(client, patient, db):
    for _ in range(5):
        post_sign_in(client, patient.email, "wrong password here")
    old = utc_iso(utc_now() - timedelta(minutes=16))
    db.execute("UPDATE sign_in_failures SET failed_at = ?", [old])
    assert post_sign_in(client, patient.email, PASSWORD).status_code == 303


def test_a_right_password_clears_the_account_count(client, patient, db):
    for _ in range(4):
        post_sign_in(client, patient.email, "wrong password here")
    assert post_sign_in(client, patient.email, PASSWORD).status_code == 303
    assert failures(db) == 0


def test_the_limit_holds_across_workers_and_restarts(app, patient):
    # A second app on the same database is what another gunicorn worker, or the same
    # server after a restart, sees.
    first = app.test_client()
    for _ in range(5):
        post_sign_in(first, patient.email, "wrong password here")
    other_worker = create_app({"MODE": "test", "JOURNAL_DB": app.config["JOURNAL_DB"]})
    assert post_sign_in(other_worker.test_client(), patient.email, PASSWORD).status_code == 429


def test_one_address_is_limited_across_many_accounts(app, client, db):
    app.config["THROTTLE_ADDRESS_FAILURES"] = 3
    for n in range(3):
        post_sign_in(client, f"guess{n}@example.com", "wrong password here")
    assert post_sign_in(client, "fresh@example.com", "any password").status_code == 429


@pytest.fixture
def behind_proxy(tmp_path):
    def make(hops):
        return create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "proxy.db"),
                           "TRUSTED_PROXIES": hops, "THROTTLE_ADDRESS_FAILURES": 3})
    return make


def test_forwarded_addresses_are_ignored_without_trusted_proxies(behind_proxy):
    client = behind_proxy(0).test_client()
    for n in range(3):
        post_sign_in(client, f"guess{n}@example.com", "wrong password here",
                     {"X-Forwarded-For": f"198.51.100.{n}"})
    # A made-up header does not give a fresh address.
    response = post_sign_in(client, "fresh@example.com", "any password",
                            {"X-Forwarded-For": "198.51.100.99"})
    assert response.status_code == 429


def test_one_trusted_proxy_gives_the_address_it_saw(behind_proxy, db):
    app = behind_proxy(1)
    client = app.test_client()
    for n in range(3):
        # The client forged the first entry; our proxy appended the real one.
        post_sign_in(client, f"guess{n}@example.com", "wrong password here",
                     {"X-Forwarded-For": f"10.0.0.{n}, 203.0.113.7"})
    blocked = post_sign_in(client, "fresh@example.com", "any password",
                           {"X-Forwarded-For": "10.9.9.9, 203.0.113.7"})
    assert blocked.status_code == 429
    other = post_sign_in(client, "fresh@example.com", "any password",
                         {"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 422
    from journal.platform.db import connect

    database = connect(app.config["JOURNAL_DB"])
    addresses = {r[0] for r in database.execute("SELECT address FROM sign_in_failures")}
    database.close()
    assert addresses == {"203.0.113.7", "203.0.113.8"}


def test_trusted_proxies_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    monkeypatch.setenv("PATIENT_IDLE_MINUTES", "90")
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "env.db")})
    assert app.config["TRUSTED_PROXIES"] == 2 and app.config["PATIENT_IDLE_MINUTES"] == 90


def test_old_failures_are_forgotten_after_a_day(client, patient, db):
    db.execute("INSERT INTO sign_in_failures (account_key, address, failed_at) VALUES (?, ?, ?)",
               ["k", "192.0.2.1", utc_iso(utc_now() - timedelta(days=2))])
    post_sign_in(client, patient.email, "wrong password here")
    rows = list(db.query("SELECT address FROM sign_in_failures"))
    assert [r["address"] for r in rows] == ["127.0.0.1"]


def test_failed_tries_store_no_email(client, db):
    post_sign_in(client, "secret.person@example.com", "wrong password here")
    row = next(db.query("SELECT * FROM sign_in_failures"))
    assert "secret" not in str(dict(row))


