"""The pure schedule: every clock moment that decides whether a reminder goes now."""

from datetime import UTC, date, datetime, time

import pytest

from journal.reminders.schedule import Choices, Nudge, ScanDates, due, is_quiet, scan_days

DAILY = Choices(daily_at=time(8, 30))
SCANS = Choices(scan_nudges=True)


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def kinds(nudges):
    return [n.kind for n in nudges]


def scan(appointment, expected=None, received=None, scan_id=1):
    return ScanDates(scan_id, appointment, expected, received)


# Daily check-in and British Summer Time -----------------------------------


def test_nothing_is_due_when_nothing_is_turned_on():
    assert due(Choices(), [scan(utc(2026, 12, 4, 10))], utc(2026, 12, 3, 18)) == []


@pytest.mark.parametrize("now, expected", [
    (utc(2026, 12, 3, 8, 29), []),          # winter: UK time is UTC
    (utc(2026, 12, 3, 8, 30), ["daily"]),
    (utc(2026, 7, 3, 7, 29), []),           # summer: 8:30 BST is 7:30 UTC
    (utc(2026, 7, 3, 7, 30), ["daily"]),
    (utc(2026, 3, 29, 7, 29), []),          # the morning the clocks go forward
    (utc(2026, 3, 29, 7, 30), ["daily"]),
    (utc(2026, 10, 25, 7, 30), []),         # the morning they go back: 7:30 GMT
    (utc(2026, 10, 25, 8, 30), ["daily"]),
])
def test_the_daily_check_in_comes_at_the_chosen_uk_time_whatever_the_season(now, expected):
    assert kinds(due(DAILY, [], now)) == expected


def test_a_daily_nudge_still_goes_later_the_same_day_if_a_run_was_missed():
    assert kinds(due(DAILY, [], utc(2026, 12, 3, 17))) == ["daily"]


def test_a_nudge_already_sent_is_not_due_again():
    first = due(DAILY, [], utc(2026, 12, 3, 8, 30))
    assert due(DAILY, [], utc(2026, 12, 3, 8, 31), {first[0].key}) == []


def test_keys_name_the_uk_day_so_tomorrows_nudge_is_new():
    today = due(DAILY, [], utc(2026, 12, 3, 8, 30))[0]
    tomorrow = due(DAILY, [], utc(2026, 12, 4, 8, 30), {today.key})[0]
    assert (today.key, tomorrow.key) == ("2026-12-03:daily:0", "2026-12-04:daily:0")


def test_just_after_midnight_bst_is_already_the_next_uk_day():
    # 23:30 UTC on 3 July is 00:30 BST on 4 July, with no quiet hours at all.
    night_owl = Choices(daily_at=time(0, 15), quiet_from=time(8), quiet_until=time(8))
    assert due(night_owl, [], utc(2026, 7, 3, 23)) == []
    assert due(night_owl, [], utc(2026, 7, 3, 23, 30))[0].day == date(2026, 7, 4)


# Quiet hours --------------------------------------------------------------


@pytest.mark.parametrize("moment, quiet", [
    (time(20, 59), False), (time(21), True), (time(23, 59), True), (time(0), True),
    (time(7, 59), True), (time(8), False), (time(12), False),
])
def test_default_quiet_hours_run_from_9pm_to_8am(moment, quiet):
    assert is_quiet(moment, time(21), time(8)) is quiet


def test_quiet_hours_within_one_day_and_none_at_all():
    assert is_quiet(time(13, 30), time(13), time(14))
    assert not is_quiet(time(14), time(13), time(14))
    assert not is_quiet(time(3), time(8), time(8))


def test_nothing_is_sent_during_quiet_hours_even_if_it_is_waiting():
    early = Choices(daily_at=time(20))
    assert kinds(due(early, [], utc(2026, 12, 3, 20, 59))) == ["daily"]
    assert due(early, [], utc(2026, 12, 3, 21)) == []


def test_a_time_inside_the_morning_quiet_hours_waits_until_they_end():
    dawn = Choices(daily_at=time(6))
    assert due(dawn, [], utc(2026, 12, 3, 7, 59)) == []
    assert kinds(due(dawn, [], utc(2026, 12, 3, 8))) == ["daily"]


def test_a_time_inside_the_evening_quiet_hours_never_spills_into_the_next_day():
    late = Choices(daily_at=time(22))
    assert due(late, [], utc(2026, 12, 3, 22)) == []
    assert due(late, [], utc(2026, 12, 4, 12)) == []


def test_quiet_hours_in_bst_are_uk_time():
    # 20:30 UTC in July is 21:30 BST: quiet.
    assert due(Choices(daily_at=time(19)), [], utc(2026, 7, 3, 20, 30)) == []
    assert kinds(due(Choices(daily_at=time(19)), [], utc(2026, 7, 3, 19, 59))) == ["daily"]


# Scan nudges, weekends and bank holidays ----------------------------------


def test_the_evening_before_the_scan():
    # Scan at 10:00 GMT on Friday 4 December: the nudge is at 18:00 on Thursday the 3rd.
    scans = [scan(utc(2026, 12, 4, 10))]
    assert due(SCANS, scans, utc(2026, 12, 3, 17, 59)) == []
    assert kinds(due(SCANS, scans, utc(2026, 12, 3, 18))) == ["scan-tomorrow"]


def test_the_first_day_results_may_come_follows_what_she_was_told():
    scans = [scan(utc(2026, 12, 1, 10), expected=5)]
    assert kinds(due(SCANS, scans, utc(2026, 12, 6, 10))) == ["results-may-come"]
    assert due(SCANS, scans, utc(2026, 12, 5, 10)) == []


def test_the_usual_window_when_she_was_not_told():
    # Seven to fourteen days: first results day the 8th, chase day the 15th (a Tuesday).
    scans = [scan(utc(2026, 12, 1, 10))]
    assert kinds(due(SCANS, scans, utc(2026, 12, 8, 10))) == ["results-may-come"]
    assert kinds(due(SCANS, scans, utc(2026, 12, 16, 9, 30))) == ["chase"]
    assert scan_days(scans[0])["chase"] == date(2026, 12, 16)


def test_a_chase_day_on_a_weekend_moves_to_monday():
    # Told 4 days after Tuesday 1 December: Saturday 5th; the day after is Sunday -> Monday.
    dates = scan_days(scan(utc(2026, 12, 1, 10), expected=4))
    assert dates["chase"] == date(2026, 12, 7)
    assert due(SCANS, [scan(utc(2026, 12, 1, 10), expected=4)], utc(2026, 12, 6, 12)) == []


@pytest.mark.parametrize("appointment, told_days, chase", [
    # Told Thursday 2 April: Good Friday, the weekend and Easter Monday pass first.
    (utc(2026, 4, 1, 9), 1, date(2026, 4, 7)),
    # Told Christmas Eve: Christmas, the weekend and Boxing Day's Monday pass first.
    (utc(2026, 12, 1, 9), 23, date(2026, 12, 29)),
    # Told Friday 28 August: the weekend and the summer bank holiday pass first.
    (utc(2026, 8, 1, 9), 27, date(2026, 9, 1)),
])
def test_a_chase_day_skips_england_and_wales_bank_holidays(appointment, told_days, chase):
    assert scan_days(scan(appointment, expected=told_days))["chase"] == chase


def test_a_chase_nudge_comes_at_half_past_nine_uk_time():
    scans = [scan(utc(2026, 6, 1, 9), expected=3)]  # told Thursday 4 June; chase Friday 5th
    assert due(SCANS, scans, utc(2026, 6, 5, 8, 29)) == []
    assert kinds(due(SCANS, scans, utc(2026, 6, 5, 8, 30))) == ["chase"]


def test_nudges_for_a_scan_stop_when_results_are_received():
    waiting = scan(utc(2026, 12, 1, 10), expected=5)
    received = scan(utc(2026, 12, 1, 10), expected=5, received=date(2026, 12, 4))
    assert kinds(due(SCANS, [waiting], utc(2026, 12, 6, 10))) == ["results-may-come"]
    assert due(SCANS, [received], utc(2026, 12, 6, 10)) == []
    assert scan_days(received) == {}


def test_a_scan_with_no_date_has_no_nudges():
    assert scan_days(scan(None)) == {}


# At most two a day --------------------------------------------------------


def crowded_day():
    """Four nudges on Thursday 3 December 2026: a chase, a scan tomorrow, results, daily."""
    return [
        scan(utc(2026, 11, 30, 10), expected=2, scan_id=1),   # told 2nd, chase Thursday 3rd
        scan(utc(2026, 12, 4, 10), scan_id=2),                # scan tomorrow
        scan(utc(2026, 11, 30, 10), expected=3, scan_id=3),   # results may come 3rd
    ]


def test_at_most_two_nudges_a_day_the_most_useful_first():
    both = Choices(daily_at=time(8, 30), scan_nudges=True)
    got = due(both, crowded_day(), utc(2026, 12, 3, 19))
    assert [(n.kind, n.scan_id) for n in got] == [("chase", 1), ("scan-tomorrow", 2)]


def test_the_daily_allowance_counts_what_was_sent_earlier_that_day():
    both = Choices(daily_at=time(8, 30), scan_nudges=True)
    morning = due(both, crowded_day(), utc(2026, 12, 3, 8, 30))
    assert kinds(morning) == ["daily"]
    later = due(both, crowded_day(), utc(2026, 12, 3, 19), {morning[0].key})
    assert kinds(later) == ["chase"]
    assert due(both, crowded_day(), utc(2026, 12, 3, 20),
               {morning[0].key, later[0].key}) == []


def test_yesterdays_sends_do_not_count_today():
    sent = {"2026-12-02:daily:0", "2026-12-02:chase:1"}
    assert kinds(due(DAILY, [], utc(2026, 12, 3, 9), sent)) == ["daily"]


def test_a_moment_must_be_aware():
    with pytest.raises(ValueError):
        due(DAILY, [], datetime(2026, 12, 3, 9))


def test_a_nudge_key_names_its_scan():
    assert Nudge("chase", date(2026, 12, 3), utc(2026, 12, 3, 9, 30), 7).key == \
        "2026-12-03:chase:7"
