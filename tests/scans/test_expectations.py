"""A results time the patient was told replaces the usual one, in every sentence."""

from datetime import date

import pytest

from journal.scans.expectations import (
    Expectation,
    Line,
    body_for,
    expected_words,
    results_fact,
    span_words,
    usual_words,
)

USUAL = (7, 14)
TOLD_4_WEEKS = Expectation(told_days=28, usual_days=USUAL)
NOT_TOLD = Expectation(usual_days=USUAL)
# A general pack (CT) has no source for a usual time.
NOT_TOLD_NO_SOURCE = Expectation()
DUE_FROM, DUE_BY = date(2026, 11, 25), date(2026, 12, 2)
TOLD_DUE = date(2026, 12, 16)


@pytest.mark.parametrize(("days", "words"), [
    (1, "1 day"), (3, "3 days"), (7, "1 week"), (10, "10 days"), (14, "2 weeks"), (28, "4 weeks"),
])
def test_span_words_say_a_time_as_people_do(days, words):
    assert span_words(days) == words


@pytest.mark.parametrize(("window", "words"), [
    ((7, 14), "1 to 2 weeks"), ((3, 5), "3 to 5 days"), ((7, 10), "7 to 10 days"),
    ((14, 14), "2 weeks"),
])
def test_usual_words(window, words):
    assert usual_words(window) == words


LINES = (
    Line("A doctor is looking at your scan.", "A doctor is looking at your scan."),
    Line("Results usually take {usual}.", "You were told your results would take about {told}."),
    Line("If someone tells you how long, add it to My scan.", None),
)


def test_told_time_replaces_the_usual_line_and_drops_the_ask():
    assert body_for(LINES, TOLD_4_WEEKS) == (
        "A doctor is looking at your scan.",
        "You were told your results would take about 4 weeks.",
    )


def test_not_told_shows_the_usual_time_and_the_ask():
    assert body_for(LINES, NOT_TOLD) == (
        "A doctor is looking at your scan.",
        "Results usually take 1 to 2 weeks.",
        "If someone tells you how long, add it to My scan.",
    )


@pytest.mark.parametrize("stage", ["afterwards", "waiting", "results-due"])
def test_told_fact_names_what_she_was_told_never_the_usual_time(stage):
    fact = results_fact(stage, TOLD_4_WEEKS, TOLD_DUE, TOLD_DUE)
    assert fact == ("You were told your results would take about 4 weeks. "
                    "That is Wednesday 16 December.")
    assert "usual" not in fact and "1 to 2" not in fact


@pytest.mark.parametrize("stage", ["afterwards", "waiting", "results-due"])
def test_not_told_fact_says_it_is_the_usual_time(stage):
    fact = results_fact(stage, NOT_TOLD, DUE_FROM, DUE_BY)
    assert fact == ("Nobody has told you how long your results will take. The usual time is "
                    "1 to 2 weeks: between Wednesday 25 November and Wednesday 2 December.")


def test_overdue_when_told_says_she_expected_them():
    fact = results_fact("overdue", TOLD_4_WEEKS, TOLD_DUE, TOLD_DUE)
    assert fact == ("You expected your results by Wednesday 16 December. "
                    "You were told they would take about 4 weeks.")


def test_overdue_when_not_told_never_says_she_expected_them():
    fact = results_fact("overdue", NOT_TOLD, DUE_FROM, DUE_BY)
    assert "expected" not in fact
    assert fact == ("Nobody told you how long your results would take. They usually come within "
                    "1 to 2 weeks, and that usual time ended on Wednesday 2 December.")


@pytest.mark.parametrize("stage", ["waiting", "overdue"])
def test_no_source_and_not_told_gives_no_time_at_all(stage):
    fact = results_fact(stage, NOT_TOLD_NO_SOURCE, DUE_FROM, DUE_BY)
    assert fact == "Nobody has told you how long your results will take. It is fine to ask."


@pytest.mark.parametrize("stage", ["no-date", "before", "prepare", "scan-day", "results-received"])
def test_no_results_fact_outside_the_wait(stage):
    assert results_fact(stage, TOLD_4_WEEKS, TOLD_DUE, TOLD_DUE) is None


def test_expected_words_both_ways():
    assert expected_words(TOLD_4_WEEKS) == "About 4 weeks, as you were told."
    assert expected_words(NOT_TOLD) == (
        "Nobody has told you yet. Results usually take 1 to 2 weeks, "
        "but your hospital may be different.")
    assert "week" not in expected_words(NOT_TOLD_NO_SOURCE)
