"""Ids from query strings and forms: only what SQLite's INTEGER can hold."""

import pytest

from journal.platform.converters import SQLITE_MAX_INTEGER, whole_number


@pytest.mark.parametrize("raw, expected", [
    ("0", 0), ("42", 42), (str(SQLITE_MAX_INTEGER), SQLITE_MAX_INTEGER),
    (str(SQLITE_MAX_INTEGER + 1), None), ("9" * 400, None),
    ("", None), (None, None), ("-1", None), ("4.2", None), (" 4", None),
    ("²", None), ("٣", None), ("１２", None),
])
def test_whole_number_takes_plain_digits_that_fit_sqlite(raw, expected):
    assert whole_number(raw) == expected
