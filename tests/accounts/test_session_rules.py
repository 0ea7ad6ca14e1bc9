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


@pytest.mark.parametrize(
    ("age", "renew"),
    [(timedelta(0), False), (timedelta(days=14, hours=23), False), (timedelta(days=15), True),
     (timedelta(days=29), True)],
)
def test_a_cookie_is_sent_again_only_past_the_middle_of_its_life(age, renew):
    assert rules.cookie_needs_renewal(NOW - age, NOW, timedelta(days=30)) is renew


def test_a_cookie_of_unknown_age_is_sent_again():
    assert rules.cookie_needs_renewal(None, NOW, timedelta(days=30))


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
