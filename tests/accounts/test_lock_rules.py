"""When a session is locked, and which lock settings are accepted: plain rules, no app."""

from datetime import UTC, datetime, timedelta

import pytest

from journal.accounts import session_rules as rules

NOW = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize("minutes", [5, 15, 60])
def test_a_session_locks_once_its_full_idle_time_has_passed(minutes):
    limit = timedelta(minutes=minutes)
    assert not rules.is_locked(minutes, NOW - limit + timedelta(seconds=1), NOW)
    assert rules.is_locked(minutes, NOW - limit, NOW)
    assert rules.is_locked(minutes, NOW - timedelta(days=3), NOW)


@pytest.mark.parametrize("off", [None, 0])
def test_a_session_with_the_lock_off_never_locks(off):
    assert not rules.is_locked(off, NOW - timedelta(days=13), NOW)


def test_a_session_used_just_now_is_not_locked():
    assert not rules.is_locked(5, NOW, NOW)


@pytest.mark.parametrize(("raw", "expected"), [
    ("off", (True, None)), ("5", (True, 5)), ("15", (True, 15)), ("60", (True, 60)),
])
def test_the_offered_lock_choices_are_accepted(raw, expected):
    assert rules.lock_choice(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "0", "1", "30", "5.0", " 5", "-5", "None", "OFF"])
def test_anything_else_is_refused(raw):
    assert rules.lock_choice(raw) == (False, None)
