from datetime import UTC, date, datetime, time, timedelta

import pytest

from journal.platform.clock import (
    UK,
    parse_utc,
    to_uk,
    uk_local_to_utc,
    uk_today,
    utc_iso,
    utc_now,
)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_utc_now_is_aware_utc():
    now = utc_now()
    assert now.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        pytest.param(utc(2026, 1, 15, 23, 30), date(2026, 1, 15), id="winter-gmt-same-day"),
        pytest.param(utc(2026, 6, 15, 23, 30), date(2026, 6, 16), id="summer-bst-next-day"),
        pytest.param(utc(2026, 3, 29, 0, 59), date(2026, 3, 29), id="just-before-spring-change"),
        pytest.param(utc(2026, 10, 24, 23, 0), date(2026, 10, 25), id="bst-midnight-before-fold"),
        pytest.param(utc(2026, 10, 25, 23, 0), date(2026, 10, 25), id="gmt-after-fold"),
    ],
)
def test_uk_today_counts_uk_calendar_days(instant, expected):
    assert uk_today(instant) == expected


def test_to_uk_uses_europe_london():
    assert to_uk(utc(2026, 7, 1, 12)).tzinfo is UK
    assert to_uk(utc(2026, 7, 1, 12)).hour == 13


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        to_uk(datetime(2026, 7, 1, 12))
    with pytest.raises(ValueError):
        utc_iso(datetime(2026, 7, 1, 12))
    with pytest.raises(ValueError):
        parse_utc("2026-07-01T12:00:00")


def test_utc_iso_round_trips_and_sorts():
    instants = [utc(2026, 3, 29, 1, 0, 0, 5), utc(2026, 3, 29, 1), to_uk(utc(2026, 3, 29, 0, 59))]
    strings = [utc_iso(i) for i in instants]
    assert strings[1] == "2026-03-29T01:00:00.000000Z"
    assert [parse_utc(s) for s in strings] == instants
    assert sorted(strings) == [utc_iso(i) for i in sorted(instants)]


def test_parse_utc_converts_offsets_to_utc():
    parsed = parse_utc("2026-06-01T10:00:00+01:00")
    assert parsed == utc(2026, 6, 1, 9)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("day", "at", "expected"),
    [
        pytest.param(date(2026, 1, 15), time(9), utc(2026, 1, 15, 9), id="gmt"),
        pytest.param(date(2026, 7, 15), time(9), utc(2026, 7, 15, 8), id="bst"),
        # 01:30 on 29 March 2026 never happens: it reads as 02:30 BST.
        pytest.param(date(2026, 3, 29), time(1, 30), utc(2026, 3, 29, 1, 30), id="spring-gap"),
        # 01:30 on 25 October 2026 happens twice: the first (BST) is chosen.
        pytest.param(date(2026, 10, 25), time(1, 30), utc(2026, 10, 25, 0, 30), id="autumn-fold"),
        pytest.param(date(2026, 10, 25), time(0), utc(2026, 10, 24, 23), id="midnight-before-fold"),
    ],
)
def test_uk_local_to_utc(day, at, expected):
    assert uk_local_to_utc(day, at) == expected


def test_uk_local_to_utc_ignores_a_fold_flag_on_the_time():
    assert uk_local_to_utc(date(2026, 10, 25), time(1, 30, fold=1)) == utc(2026, 10, 25, 0, 30)
