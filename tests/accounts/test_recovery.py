"""Recovery code format and how typed codes are read."""

import re

import pytest

from journal.accounts import recovery


def test_new_codes_are_three_groups_of_four_unambiguous_characters():
    codes = {recovery.new_code() for _ in range(50)}
    assert len(codes) == 50
    for code in codes:
        assert re.fullmatch(r"[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}-[2-9a-hjkmnp-z]{4}", code)


@pytest.mark.parametrize(
    "typed", ["K7MQ-2XFP-9HDT", "k7mq 2xfp 9hdt", "k7mq2xfp9hdt", " k7mq-2xfp-9hdt "]
)
def test_typed_codes_are_read_in_any_case_with_or_without_separators(typed):
    assert recovery.clean(typed) == "k7mq-2xfp-9hdt"


@pytest.mark.parametrize("typed", ["", None, "k7mq-2xfp", "k7mq-2xfp-9hdt-aaaa", "o1il-2xfp-9hdt"])
def test_malformed_codes_read_as_nothing(typed):
    assert recovery.clean(typed) == ""
