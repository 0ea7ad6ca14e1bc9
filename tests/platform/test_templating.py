from datetime import UTC, datetime

from journal.platform.templating import uk_day_time


def test_day_time_names_the_uk_day_and_time_in_summer_and_winter():
    # 23:30 UTC in June is already the next day in the UK (BST); in January it is not.
    assert uk_day_time(datetime(2026, 6, 3, 23, 30, tzinfo=UTC)) == "Thursday 4 June 12:30am"
    assert uk_day_time(datetime(2026, 1, 7, 9, 5, tzinfo=UTC)) == "Wednesday 7 January 9:05am"
