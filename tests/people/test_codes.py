"""The rules of a person's link, without an app: tokens, short codes, states, the form."""

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from journal.people import codes

NOW = datetime(2026, 12, 3, 18, 10, tzinfo=UTC)


def test_tokens_are_long_random_and_url_safe():
    made = {codes.make_token() for _ in range(50)}
    assert len(made) == 50
    assert all(len(t) >= 43 and t.replace("-", "").replace("_", "").isalnum() for t in made)


def test_a_token_is_stored_as_its_sha256_and_only_the_same_token_matches():
    token = codes.make_token()
    stored = codes.token_digest(token)
    assert token not in stored and len(stored) == 64
    assert codes.same_digest(stored, token)
    assert not codes.same_digest(stored, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert not codes.same_digest(stored, "")


def test_short_codes_read_aloud_and_hash_whatever_the_spacing_and_case():
    code = codes.make_short_code()
    assert len(code) == 7 and code[3] == "-"
    digest = codes.code_digest("key", code)
    assert codes.code_digest("key", code.lower().replace("-", " ")) == digest
    assert codes.code_digest("another key", code) != digest
    assert code not in digest


@pytest.mark.parametrize("typed", ["", "KD4", "KD4-7PM9", "OOO-000", "hello!"])
def test_something_that_cannot_be_a_code_has_no_digest(typed):
    assert codes.code_digest("key", typed) is None


def test_person_codes_never_hash_like_join_codes():
    from journal.care import joincodes

    assert codes.code_digest("key", "KD4-7PM") != joincodes.digest("key", "KD4-7PM")


@pytest.mark.parametrize(("expires_in", "ended", "state"), [
    (timedelta(days=1), False, "live"),
    (timedelta(seconds=1), False, "live"),
    (timedelta(0), False, "expired"),
    (-timedelta(days=1), False, "expired"),
    (timedelta(days=1), True, "ended"),
    (-timedelta(days=1), True, "ended"),
])
def test_link_state(expires_in, ended, state):
    assert codes.link_state(NOW + expires_in, NOW if ended else None, NOW) == state


def test_links_last_thirty_days():
    assert codes.LIFETIME == timedelta(days=30)


def form(**fields):
    return MultiDict(fields)


def test_a_complete_invite_is_accepted_with_its_spacing_tidied():
    values, errors = codes.check_person(form(first_name="  Sam ", relation="big  sister",
                                             shared_by="Pat", show_checkins="1"))
    assert errors == {}
    assert values["first_name"] == "Sam" and values["relation"] == "big sister"
    assert values["show_checkins"] and not values["show_scan"]


@pytest.mark.parametrize(("fields", "field"), [
    ({"first_name": "", "shared_by": "Pat", "show_scan": "1"}, "first_name"),
    ({"first_name": "S" * 41, "shared_by": "Pat", "show_scan": "1"}, "first_name"),
    ({"first_name": "Sam", "shared_by": "", "show_scan": "1"}, "shared_by"),
    ({"first_name": "Sam", "relation": "r" * 41, "shared_by": "Pat", "show_scan": "1"},
     "relation"),
    ({"first_name": "Sam", "shared_by": "Pat"}, "choices"),
    ({"first_name": "Sam", "shared_by": "Pat", "show_scan": "yes"}, "choices"),
])
def test_an_incomplete_invite_says_what_is_missing(fields, field):
    _, errors = codes.check_person(form(**fields))
    assert list(errors) == [field]


def test_choices_need_at_least_one_thing():
    assert codes.check_choices(form(show_trend="1")) == (
        {"show_scan": False, "show_trend": True, "show_checkins": False,
         "show_questions": False}, {})
    assert "choices" in codes.check_choices(form())[1]


@pytest.mark.parametrize(("moment", "words"), [
    (NOW - timedelta(minutes=5), "today at 6:05pm"),
    (datetime(2026, 12, 3, 0, 5, tzinfo=UTC), "today at 12:05am"),
    (NOW - timedelta(days=1), "yesterday at 6:10pm"),
    (datetime(2026, 11, 28, 9, 5, tzinfo=UTC), "on 28 November at 9:05am"),
    # British Summer Time: 17:10 UTC is 6:10pm in London.
    (datetime(2026, 7, 1, 17, 10, tzinfo=UTC), "on 1 July at 6:10pm"),
])
def test_when_words_in_uk_time(moment, words):
    assert codes.when_words(moment, NOW) == words
