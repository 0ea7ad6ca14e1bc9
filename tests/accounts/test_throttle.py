"""Failed sign-in windows, on a fixed clock."""

from datetime import UTC, datetime, timedelta

import pytest

from journal.accounts.throttle import Limit, account_key, minutes_to_wait, wait_needed

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FIVE_IN_15 = Limit(5, timedelta(minutes=15))


def minutes_ago(*minutes):
    return [NOW - timedelta(minutes=m) for m in minutes]


def test_four_failures_still_allow_a_try():
    assert wait_needed(minutes_ago(1, 2, 3, 4), NOW, FIVE_IN_15) is None


def test_fifth_failure_in_the_window_blocks_until_the_oldest_leaves_it():
    wait = wait_needed(minutes_ago(1, 2, 3, 4, 10), NOW, FIVE_IN_15)
    assert wait == timedelta(minutes=5)


def test_failures_older_than_the_window_do_not_count():
    assert wait_needed(minutes_ago(1, 2, 3, 4, 15, 16, 30), NOW, FIVE_IN_15) is None


def test_a_failure_exactly_at_the_window_edge_has_left_it():
    assert wait_needed(minutes_ago(0, 1, 2, 3, 15), NOW, FIVE_IN_15) is None


def test_many_failures_wait_for_the_fifth_newest():
    wait = wait_needed(minutes_ago(1, 2, 3, 4, 5, 6, 7, 8), NOW, FIVE_IN_15)
    assert wait == timedelta(minutes=10)


def test_failures_from_the_future_are_ignored():
    future = [NOW + timedelta(minutes=m) for m in (1, 2, 3, 4, 5)]
    assert wait_needed(future, NOW, FIVE_IN_15) is None


def test_a_try_counted_just_after_this_request_read_its_clock_still_counts():
    # Five parallel sign-ups: the last to take the write lock read its clock before the
    # one just stored read its own. Ignoring that one let an eleventh sign-up past ten.
    tries = minutes_ago(1, 2, 3, 4) + [NOW + timedelta(milliseconds=3)]
    assert wait_needed(tries, NOW, FIVE_IN_15) is not None


@pytest.mark.parametrize(
    ("wait", "minutes"),
    [(timedelta(seconds=1), 1), (timedelta(seconds=60), 1), (timedelta(seconds=61), 2),
     (timedelta(minutes=14, seconds=59), 15), (timedelta(0), 1)],
)
def test_minutes_to_wait_round_up_and_are_never_zero(wait, minutes):
    assert minutes_to_wait(wait) == minutes


def test_account_key_ignores_case_and_spaces_and_hides_the_email():
    key = account_key(" Pat@Example.com ")
    assert key == account_key("pat@example.com")
    assert "pat" not in key and len(key) == 64
