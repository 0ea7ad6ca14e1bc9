"""Emailed links: high-entropy tokens stored as digests, single use, expiring; and who may
reset a password by email."""

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from journal.accounts import email_links
from journal.platform.clock import utc_iso
from journal.platform.db import connect, immediate
from journal.platform.migrations import migrations

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)


def test_tokens_are_long_random_and_url_safe():
    tokens = {email_links.new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) >= 43  # 32 bytes in base64
        assert set(token) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789-_")


def test_only_a_digest_is_stored_and_it_is_fixed_for_a_token():
    token = email_links.new_token()
    assert email_links.digest(token) == email_links.digest(token)
    assert token not in email_links.digest(token)
    assert len(email_links.digest(token)) == 64
    assert email_links.digest(token) != email_links.digest(token + "x")


@pytest.mark.parametrize("row, expected", [
    (None, "unknown"),
    ({"used_at": utc_iso(NOW), "expires_at": utc_iso(NOW + HALF_HOUR)}, "used"),
    ({"used_at": None, "expires_at": utc_iso(NOW)}, "expired"),
    ({"used_at": None, "expires_at": utc_iso(NOW - timedelta(seconds=1))}, "expired"),
    ({"used_at": None, "expires_at": utc_iso(NOW + timedelta(seconds=1))}, "live"),
])
def test_state_of_a_link(row, expected):
    assert email_links.state(row, NOW) == expected


@pytest.mark.parametrize("role, password_set, second_factor, allowed", [
    ("patient", True, False, True),
    ("nurse", True, True, True),
    ("admin", True, True, True),
    # No authenticator yet: the mailbox alone could set one up at the next sign-in.
    ("nurse", True, False, False),
    ("admin", True, False, False),
    # Stopped by an admin (no password): an emailed link must not bring the account back.
    ("nurse", False, True, False),
])
def test_who_may_reset_by_email(role, password_set, second_factor, allowed):
    assert email_links.may_reset_by_email(role, password_set, second_factor) is allowed


@pytest.fixture
def db():
    database = connect(":memory:")
    migrations.apply(database)
    database.execute("INSERT INTO users (id, email, password_hash, role, created_at)"
                     " VALUES (1, 'pat@example.com', 'x', 'patient', ?)", [utc_iso(NOW)])
    yield database
    database.close()


def issue(db, **kwargs):
    with immediate(db):
        return email_links.issue(db, email_links.RESET, NOW, HALF_HOUR, user_id=1, **kwargs)


def test_a_link_is_found_by_its_token_and_purpose_only(db):
    token = issue(db)
    [row] = db.query("SELECT * FROM email_links")
    assert row["token_hash"] == email_links.digest(token) and token not in str(row)
    assert email_links.find(db, email_links.RESET, token)["id"] == row["id"]
    assert email_links.find(db, email_links.SIGN_UP, token) is None
    assert email_links.find(db, email_links.RESET, token[:-1]) is None
    assert row["expires_at"] == utc_iso(NOW + HALF_HOUR)


def test_a_link_is_spent_once_and_never_after_it_expires(db):
    first, second = issue(db), issue(db)
    one = email_links.find(db, email_links.RESET, first)
    with immediate(db):
        assert email_links.spend(db, one["id"], NOW + timedelta(minutes=5))
    with immediate(db):
        assert not email_links.spend(db, one["id"], NOW + timedelta(minutes=6))
    two = email_links.find(db, email_links.RESET, second)
    with immediate(db):
        assert not email_links.spend(db, two["id"], NOW + HALF_HOUR)
    assert email_links.state(email_links.find(db, email_links.RESET, second), NOW + HALF_HOUR) \
        == "expired"


def test_ending_an_accounts_links_ends_every_outstanding_one(db):
    tokens = [issue(db) for _ in range(3)]
    email_links.end_for_user(db, 1, NOW)
    assert {email_links.state(email_links.find(db, email_links.RESET, t), NOW)
            for t in tokens} == {"used"}


def test_links_are_forgotten_a_day_after_they_expire(db):
    token = issue(db)
    email_links.prune(db, NOW + HALF_HOUR + timedelta(hours=23))
    assert email_links.find(db, email_links.RESET, token) is not None
    email_links.prune(db, NOW + HALF_HOUR + timedelta(days=1, seconds=1))
    assert email_links.find(db, email_links.RESET, token) is None


def test_a_reset_link_needs_an_account_and_a_sign_up_link_an_address(db):
    with pytest.raises(sqlite3.IntegrityError):
        email_links.issue(db, email_links.RESET, NOW, HALF_HOUR)
    with pytest.raises(sqlite3.IntegrityError):
        email_links.issue(db, email_links.SIGN_UP, NOW, HALF_HOUR, user_id=1)
    email_links.issue(db, email_links.SIGN_UP, NOW, HALF_HOUR, email="new@example.com")
