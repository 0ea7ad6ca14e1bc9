"""Sign-up is throttled per email and per client, and costs at most two password hashes."""

import pytest

from journal.accounts import recovery
from tests.helpers import csrf_from


def sign_up(client, email, address="203.0.113.9"):
    token = csrf_from(client.get("/sign-up").get_data(as_text=True))
    return client.post("/sign-up", data={"email": email, "password": "quiet morning walks",
                                         "agree": "yes", "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def made(db):
    return db.execute("SELECT COUNT(*) FROM users").fetchone()[0]


def test_one_email_is_tried_at_most_three_times_an_hour(app, db):
    for _ in range(3):
        assert sign_up(app.test_client(), "same@example.com").status_code in (303, 422)
    response = sign_up(app.test_client(), "same@example.com", address="198.51.100.7")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "too many tries" in response.get_data(as_text=True)
    assert made(db) == 1


def test_one_client_makes_at_most_ten_sign_ups_an_hour(app, db):
    for n in range(10):
        assert sign_up(app.test_client(), f"person{n}@example.com").status_code == 303
    response = sign_up(app.test_client(), "one-more@example.com")
    assert response.status_code == 429
    assert made(db) == 10
    # Another client is not held up by that one.
    assert sign_up(app.test_client(), "elsewhere@example.com", "198.51.100.7").status_code == 303


def test_a_taken_and_a_free_email_count_alike(app, db, patient):
    for _ in range(3):
        assert sign_up(app.test_client(), "pat@example.com").status_code == 422
    assert sign_up(app.test_client(), "pat@example.com").status_code == 429


def test_sign_in_failures_and_sign_ups_keep_separate_counts(app, db, patient, auth):
    for n in range(10):
        sign_up(app.test_client(), f"person{n}@example.com", address="127.0.0.1")
    assert auth.sign_in().status_code == 303  # the sign-ups did not lock signing in


@pytest.mark.parametrize("taken", [False, True])
def test_a_sign_up_costs_at_most_two_password_hashes(app, db, patient, monkeypatch, taken):
    passwords = app.extensions["passwords"]
    calls = []
    for name in ("hash", "verify"):
        real = getattr(passwords, name)
        monkeypatch.setattr(passwords, name,
                            lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))
    client = app.test_client()
    client.get("/sign-up")
    calls.clear()
    sign_up(client, "pat@example.com" if taken else "new@example.com")
    assert len(calls) <= 2, calls
    assert len(calls) == 1  # today: the password's one hash, taken email or not


def test_an_old_argon2_code_still_works_and_only_then_costs_argon2(app, db, patient,
                                                                   monkeypatch):
    passwords = app.extensions["passwords"]
    old = recovery.new_code()
    db.execute("INSERT INTO recovery_codes (user_id, code_hash, created_at)"
               " VALUES (?, ?, '2026-01-01T00:00:00Z')", [patient.id, passwords.hash(old)])
    assert recovery.legacy_codes_left(db)
    assert not recovery.use_code(db, patient.id, recovery.new_code(), app.secret_key, passwords)
    assert recovery.use_code(db, patient.id, old, app.secret_key, passwords)
    assert not recovery.legacy_codes_left(db)  # spent: no argon2 work for anyone from now on

    calls = []
    verify = passwords.verify
    monkeypatch.setattr(passwords, "verify", lambda *a: calls.append(a) or verify(*a))
    new = recovery.replace_codes(db, patient.id, app.secret_key)
    assert recovery.use_code(db, patient.id, new[0], app.secret_key, passwords)
    assert not recovery.use_code(db, patient.id, new[0], app.secret_key, passwords)  # once
    assert not recovery.use_code(db, None, new[1], app.secret_key, passwords)
    assert calls == []


def test_a_code_hashed_under_another_secret_does_not_match(app, db, patient):
    codes = recovery.replace_codes(db, patient.id, "another secret")
    assert not recovery.use_code(db, patient.id, codes[0], app.secret_key,
                                 app.extensions["passwords"])
