from datetime import UTC, date, datetime

import pytest
from werkzeug.datastructures import MultiDict

from journal.diary.entries import Entry, by_day
from journal.diary.validation import MAX_NOTE, check_entry


def form(**fields):
    """A MultiDict like request.form; list values become repeated fields."""
    items = []
    for key, value in fields.items():
        for v in value if isinstance(value, list) else [value]:
            items.append((key, v))
    return MultiDict(items)


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def entry(entry_id, created_at):
    return Entry(
        id=entry_id,
        patient_id=1,
        created_at=created_at,
        updated_at=None,
        distress=3,
        feelings=(),
        topics=(),
        note="",
    )


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        pytest.param("0", 0, id="zero"),
        pytest.param("10", 10, id="ten"),
        pytest.param("5", 5, id="five"),
        pytest.param(" 7 ", 7, id="spaces-trimmed"),
    ],
)
def test_distress_from_0_to_10_is_accepted_as_a_number(raw, stored):
    values, errors = check_entry(form(distress=raw))
    assert errors == {}
    assert values["distress"] == stored


def test_blank_distress_is_not_an_error_when_a_note_is_given():
    # What is stored for "no score" is checked end to end in tests/diary/test_checkins.py.
    values, errors = check_entry(form(distress="", note="Just a note today."))
    assert errors == {}
    assert values["note"] == "Just a note today."


@pytest.mark.parametrize("raw", ["11", "-1", "abc", "5.5", "100"])
def test_distress_outside_0_to_10_is_refused_and_the_typed_value_kept(raw):
    values, errors = check_entry(form(distress=raw, note="hello"))
    assert errors["distress"] == "Choose a number from 0 to 10."
    assert values["distress"] == raw
    assert values["note"] == "hello"


def test_known_feelings_and_topics_kept_unknown_ones_dropped():
    values, errors = check_entry(
        form(
            distress="4",
            feelings=["anxious", "furious", "calm", "<script>"],
            topics=["sleep", "holidays", "results"],
        )
    )
    assert errors == {}
    assert values["feelings"] == ["anxious", "calm"]
    assert values["topics"] == ["results", "sleep"]


def test_feelings_alone_make_a_valid_check_in():
    values, errors = check_entry(form(feelings="tired"))
    assert errors == {}
    assert values["feelings"] == ["tired"]


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({}, id="nothing"),
        pytest.param({"distress": "", "note": "   \r\n  "}, id="whitespace-note"),
        pytest.param({"feelings": "furious"}, id="only-unknown-feeling"),
        pytest.param({"topics": "sleep"}, id="only-a-topic"),
    ],
)
def test_empty_check_in_asks_for_a_score_or_a_note(fields):
    _, errors = check_entry(form(**fields))
    assert errors == {"distress": "Choose a number from 0 to 10, or write a note."}


def test_note_is_trimmed():
    values, errors = check_entry(form(note="  \n  Slept badly.  \r\n "))
    assert errors == {}
    assert values["note"] == "Slept badly."


def test_note_line_breaks_are_stored_as_single_newlines():
    values, _ = check_entry(form(note="line one\r\nline two"))
    assert values["note"] == "line one\nline two"


def test_crlf_counts_as_one_character_towards_the_limit():
    # 5,001 characters as sent, 5,000 as the person typed them.
    note = "x" * (MAX_NOTE - 2) + "\r\n" + "y"
    assert len(note) == MAX_NOTE + 1
    values, errors = check_entry(form(note=note))
    assert errors == {}
    assert len(values["note"]) == MAX_NOTE


def test_note_of_exactly_5000_characters_is_accepted():
    values, errors = check_entry(form(note="a" * 5000))
    assert errors == {}
    assert values["note"] == "a" * 5000


def test_note_of_5001_characters_is_refused_and_kept_in_full():
    values, errors = check_entry(form(note="a" * 5001, distress="3"))
    assert errors["note"].startswith("Your note is 5,001 characters long. The limit is 5,000")
    assert "Nothing has been lost" in errors["note"]
    assert values["note"] == "a" * 5001
    assert values["distress"] == 3


@pytest.mark.parametrize(
    "client_id",
    [
        pytest.param("3f2b8c1e-6a4d-4e7f-9b0a-1c2d3e4f5a6b", id="uuid"),
        pytest.param("lq3x9k2a-0f8s7d6g5h", id="fallback-id-from-app-js"),
        pytest.param("abcd1234", id="eight-characters"),
        pytest.param("A" * 64, id="sixty-four-characters"),
    ],
)
def test_well_formed_client_id_is_kept(client_id):
    values, errors = check_entry(form(distress="2", client_id=client_id))
    assert errors == {}
    assert values["client_id"] == client_id


@pytest.mark.parametrize(
    "client_id",
    [
        pytest.param("", id="empty"),
        pytest.param("abc1234", id="seven-characters"),
        pytest.param("A" * 65, id="sixty-five-characters"),
        pytest.param("abcd 1234", id="space"),
        pytest.param("abcd_1234", id="underscore"),
        pytest.param("abcd1234;DROP", id="semicolon"),
        pytest.param("<script>alert(1)</script>", id="markup"),
        pytest.param("abcd1234\nxyz", id="newline-inside"),
    ],
)
def test_malformed_client_id_is_ignored_not_an_error(client_id):
    values, errors = check_entry(form(distress="2", client_id=client_id))
    assert errors == {}
    assert values["client_id"] is None


def test_by_day_keeps_entries_in_order_within_a_day():
    newest, older = entry(2, utc(2026, 1, 15, 18, 0)), entry(1, utc(2026, 1, 15, 9, 0))
    assert by_day([newest, older]) == [(date(2026, 1, 15), [newest, older])]


def test_by_day_of_no_entries_is_empty():
    assert by_day([]) == []


@pytest.mark.parametrize(
    ("before_midnight", "after_midnight", "days"),
    [
        pytest.param(
            utc(2026, 6, 15, 22, 30),  # 23:30 BST on the 15th
            utc(2026, 6, 15, 23, 30),  # 00:30 BST on the 16th, still the 15th in UTC
            (date(2026, 6, 16), date(2026, 6, 15)),
            id="bst",
        ),
        pytest.param(
            utc(2026, 1, 15, 23, 30),  # 23:30 GMT on the 15th
            utc(2026, 1, 16, 0, 30),  # 00:30 GMT on the 16th
            (date(2026, 1, 16), date(2026, 1, 15)),
            id="gmt",
        ),
    ],
)
def test_by_day_splits_at_uk_midnight(before_midnight, after_midnight, days):
    late, early = entry(1, before_midnight), entry(2, after_midnight)
    assert by_day([early, late]) == [(days[0], [early]), (days[1], [late])]


def test_by_day_keeps_late_bst_evening_with_its_uk_day_not_the_utc_one():
    # 00:30 BST on 16 June is 23:30 UTC on the 15th; 09:00 BST on the 16th is 08:00 UTC.
    morning, small_hours = entry(2, utc(2026, 6, 16, 8, 0)), entry(1, utc(2026, 6, 15, 23, 30))
    assert by_day([morning, small_hours]) == [(date(2026, 6, 16), [morning, small_hours])]
