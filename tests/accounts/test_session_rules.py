"""Session lifetimes, second-factor rule, role changes and owed steps."""

from datetime import UTC, datetime, timedelta

import pytest

from journal.accounts import session_rules as rules
from journal.platform.config import Production

CONFIG = {k: getattr(Production, k) for k in dir(Production) if k.isupper()}
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_staff_time_out_after_15_idle_minutes_and_patients_after_14_days():
    assert rules.lifetimes("nurse", CONFIG).idle == timedelta(minutes=15)
    assert rules.lifetimes("admin", CONFIG).idle == timedelta(minutes=15)
    assert rules.lifetimes("patient", CONFIG).idle == timedelta(days=14)
    assert rules.lifetimes("patient", {**CONFIG, "PATIENT_IDLE_MINUTES": 30}).idle == timedelta(
        minutes=30
    )


@pytest.mark.parametrize(
    ("idle", "expected"),
    [(timedelta(minutes=14, seconds=59), None), (timedelta(minutes=15), "idle")],
)
def test_idle_limit_is_exact(idle, expected):
    limits = rules.lifetimes("nurse", CONFIG)
    assert rules.why_ended(limits, NOW - timedelta(hours=1), NOW - idle, NOW) == expected


def test_a_busy_session_still_ends_at_its_absolute_lifetime():
    limits = rules.lifetimes("nurse", CONFIG)
    assert rules.why_ended(limits, NOW - timedelta(hours=12), NOW, NOW) == "expired"
    assert rules.why_ended(limits, NOW - timedelta(hours=11), NOW, NOW) is None


def test_last_active_prefers_the_exact_cookie_time_over_the_minute_old_record():
    stored = NOW - timedelta(minutes=15, seconds=30)
    exact = NOW - timedelta(minutes=14, seconds=40)
    assert rules.last_active(stored, exact.timestamp()) == exact
    assert rules.last_active(stored, None) == stored
    # An older cookie (replayed) never moves the time back.
    assert rules.last_active(stored, (stored - timedelta(hours=1)).timestamp()) == stored


def test_second_factor_is_for_staff_and_only_demo_accounts_in_demo_mode_are_let_off():
    demo = {"nurse@example.com"}
    assert rules.needs_second_factor("nurse", "nurse@example.com", False, demo)
    assert not rules.needs_second_factor("nurse", "nurse@example.com", True, demo)
    assert rules.needs_second_factor("nurse", "real@nhs.example", True, demo)
    assert rules.needs_second_factor("admin", "boss@example.com", False, demo)
    assert not rules.needs_second_factor("patient", "pat@example.com", False, demo)


@pytest.mark.parametrize(
    ("old", "new", "needs_code", "expected"),
    [
        ("patient", "patient", False, "keep"),
        ("nurse", "admin", True, "renew"),
        ("nurse", "patient", False, "renew"),
        ("patient", "nurse", True, "sign_in_again"),
        ("patient", "nurse", False, "renew"),  # demo nurse in demo mode
    ],
)
def test_role_change(old, new, needs_code, expected):
    assert rules.after_role_change(old, new, needs_code) == expected


def test_owed_steps_come_in_order_and_privacy_is_for_patients():
    assert rules.next_step("patient", True, None, "2") == "password"
    assert rules.next_step("patient", False, "1", "2") == "privacy"
    assert rules.next_step("patient", False, None, "2") == "privacy"
    assert rules.next_step("patient", False, "2", "2") is None
    assert rules.next_step("nurse", False, None, "2") is None
