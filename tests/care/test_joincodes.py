"""Join codes: easy to read aloud, hard to guess, checked against the date of birth."""

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest

from journal.care import joincodes


def test_codes_are_two_groups_of_three_from_the_clear_alphabet():
    for _ in range(200):
        code = joincodes.make_code()
        assert len(code) == 7 and code[3] == "-"
        assert all(ch in joincodes.ALPHABET for ch in code.replace("-", ""))


@pytest.mark.parametrize("ambiguous", list("0O1IL2Z5S8BUV"))
def test_alphabet_has_no_look_alike_characters(ambiguous):
    assert ambiguous not in joincodes.ALPHABET


def test_make_code_uses_the_given_random_choice():
    letters = itertools.cycle("KD47PM")
    assert joincodes.make_code(choice=lambda _alphabet: next(letters)) == "KD4-7PM"


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("KD4-7PM", "KD47PM"),
        ("kd4 7pm", "KD47PM"),
        (" kd47pm ", "KD47PM"),
        ("KD4\u20137PM", "KD47PM"),  # an en dash from a phone keyboard
        ("KD4-7P", None),  # too short
        ("KD4-7PMM", None),  # too long
        ("KD0-7PM", None),  # 0 is never in a code
        ("", None),
        (None, None),
    ],
)
def test_normalise_code(typed, expected):
    assert joincodes.normalise_code(typed) == expected


def test_digest_is_keyed_and_ignores_formatting():
    assert joincodes.digest("k1", "KD4-7PM") == joincodes.digest("k1", "kd47pm")
    assert joincodes.digest("k1", "KD4-7PM") != joincodes.digest("k2", "KD4-7PM")
    with pytest.raises(ValueError):
        joincodes.digest("k1", "nonsense")


TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("1971-04-12", date(1971, 4, 12)),
        ("2026-11-25", TODAY),
        ("2026-11-26", None),  # tomorrow
        ("1899-12-31", None),
        ("1971-02-30", None),
        ("12/04/1971", None),
        ("", None),
    ],
)
def test_parse_dob(typed, expected):
    assert joincodes.parse_dob(typed, TODAY) == expected


def test_patient_details_are_tidied_and_checked():
    values, errors = joincodes.check_patient_details(
        {"name": "  Sam   Taylor ", "dob": "1971-04-12", "hospital_number": " rx 4471 "}, TODAY
    )
    assert errors == {}
    assert values == {"name": "Sam Taylor", "dob": "1971-04-12", "hospital_number": "RX 4471"}


def test_patient_details_errors_name_each_field():
    values, errors = joincodes.check_patient_details(
        {"name": "", "dob": "2030-01-01", "hospital_number": "RX<4471>"}, TODAY
    )
    assert set(errors) == {"name", "dob", "hospital_number"}
    assert values["hospital_number"] == "RX<4471>"


NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


def code(**changes):
    row = {"used_at": None, "locked_at": None, "expires_at": NOW + timedelta(days=1),
           "held_dob": date(1971, 4, 12)}
    row.update(changes)
    return row


@pytest.mark.parametrize(
    "row, dob, reason",
    [
        (code(), date(1971, 4, 12), None),
        (code(), date(1971, 4, 13), "dob"),
        (code(used_at=NOW), date(1971, 4, 12), "used"),
        (code(locked_at=NOW), date(1971, 4, 12), "locked"),
        (code(expires_at=NOW), date(1971, 4, 12), "expired"),
        # A used code says "used" even to someone with the wrong date: nothing to count.
        (code(used_at=NOW), date(1971, 4, 13), "used"),
    ],
)
def test_refusal(row, dob, reason):
    assert joincodes.refusal(row, NOW, dob) == reason


def test_a_code_locks_on_its_third_wrong_date_of_birth():
    assert [joincodes.locks_now(n) for n in (1, 2, 3, 4)] == [False, False, True, True]
