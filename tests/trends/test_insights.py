import pytest

from journal.trends.insights import (
    BEFORE_AFTER_NOTE,
    average_words,
    before_after,
    helped_words,
    join_words,
    most_often,
    times,
    top_items,
    week_comparison,
    week_words,
)


@pytest.mark.parametrize(
    ("this_week", "last_week", "expected"),
    [
        pytest.param(
            4.2,
            5.6,
            "Your average this week is 4.2, a little lower than last week's 5.6.",
            id="a-little-lower",
        ),
        pytest.param(
            6.1,
            5.0,
            "Your average this week is 6.1, a little higher than last week's 5.0.",
            id="a-little-higher",
        ),
        pytest.param(
            2.0, 7.5, "Your average this week is 2.0, lower than last week's 7.5.", id="lower"
        ),
        pytest.param(
            8.0, 3.0, "Your average this week is 8.0, higher than last week's 3.0.", id="higher"
        ),
        pytest.param(
            4.2,
            4.5,
            "Your average this week is 4.2, about the same as last week's 4.5.",
            id="about-the-same",
        ),
        pytest.param(
            4.7,
            4.2,
            "Your average this week is 4.7, about the same as last week's 4.2.",
            id="half-a-point-is-about-the-same",
        ),
        pytest.param(
            4.8,
            4.2,
            "Your average this week is 4.8, a little higher than last week's 4.2.",
            id="just-over-half-a-point-is-higher",
        ),
        pytest.param(
            5,
            5,
            "Your average this week is 5.0, about the same as last week's 5.0.",
            id="whole-numbers-shown-with-one-place",
        ),
        pytest.param(
            4.26666,
            5.63333,
            "Your average this week is 4.3, a little lower than last week's 5.6.",
            id="rounded-to-one-place",
        ),
        pytest.param(
            7.0,
            5.0,
            "Your average this week is 7.0, a little higher than last week's 5.0.",
            id="two-points-is-still-a-little",
        ),
    ],
)
def test_week_comparison_wording(this_week, last_week, expected):
    assert week_comparison(this_week, last_week) == expected


@pytest.mark.parametrize(
    ("this_week", "last_week"),
    [
        pytest.param(None, 5.0, id="no-check-ins-this-week"),
        pytest.param(4.0, None, id="no-check-ins-last-week"),
        pytest.param(None, None, id="neither-week"),
    ],
)
def test_week_comparison_needs_both_weeks(this_week, last_week):
    assert week_comparison(this_week, last_week) is None


@pytest.mark.parametrize(
    "this_week, last_week",
    [pytest.param(a, b, id=f"{a}-vs-{b}") for a, b in [(0.0, 10.0), (10.0, 0.0), (3.3, 3.3)]],
)
def test_week_comparison_describes_without_diagnosing(this_week, last_week):
    words = week_comparison(this_week, last_week).lower()

    for clinical in ("anxiety", "depress", "disorder", "worse", "better", "should", "normal"):
        assert clinical not in words


@pytest.mark.parametrize(
    ("counts", "n", "expected"),
    [
        pytest.param(
            {"sleep": 5, "work": 2, "family": 7, "pain": 1},
            3,
            [("family", 7), ("sleep", 5), ("work", 2)],
            id="most-frequent-first",
        ),
        pytest.param(
            {"walk": 3, "bath": 3, "music": 3, "call": 1},
            3,
            [("bath", 3), ("music", 3), ("walk", 3)],
            id="ties-alphabetical",
        ),
        pytest.param({"Walk": 2, "bath": 2}, 3, [("bath", 2), ("Walk", 2)], id="ties-ignore-case"),
        pytest.param({"a": 1, "b": 2}, 3, [("b", 2), ("a", 1)], id="fewer-than-n"),
        pytest.param({"a": 1, "b": 2, "c": 3}, 1, [("c", 3)], id="n-of-one"),
        pytest.param({"a": 0, "b": 2}, 3, [("b", 2)], id="zero-counts-left-out"),
        pytest.param({}, 3, [], id="nothing"),
        pytest.param({"a": 1}, 0, [], id="n-of-zero"),
    ],
)
def test_top_items(counts, n, expected):
    assert top_items(counts, n) == expected


def test_top_items_defaults_to_three():
    assert len(top_items({"a": 1, "b": 2, "c": 3, "d": 4})) == 3


@pytest.mark.parametrize(
    ("averages", "expected_values"),
    [
        pytest.param((3.0, 6.5, 4.0), [3.0, 6.5, 4.0], id="all-three"),
        pytest.param((None, 6.0, None), [None, 6.0, None], id="only-while-waiting"),
        pytest.param((3.25, 6.66666, 4.04), [3.3, 6.7, 4.0], id="rounded-to-one-place"),
    ],
)
def test_before_after_rows(averages, expected_values):
    rows = before_after(*averages)

    labels = ["The week before your scan", "While you waited", "Since your results"]
    assert rows == list(zip(labels, expected_values, strict=True))


@pytest.mark.parametrize(
    ("count", "expected"),
    [(1, "once"), (2, "twice"), (3, "3 times"), (12, "12 times")],
)
def test_times(count, expected):
    assert times(count) == expected


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        pytest.param([], "", id="none"),
        pytest.param(["calm"], "calm", id="one"),
        pytest.param(["calm", "tired"], "calm and tired", id="two"),
        pytest.param(["a", "b", "c"], "a, b and c", id="three"),
    ],
)
def test_join_words(parts, expected):
    assert join_words(parts) == expected


def test_most_often_names_feelings_with_how_often():
    ranked = top_items({"anxious": 5, "tired": 3, "calm": 1, "low": 1})

    assert most_often(ranked, "feelings", str) == (
        "The feelings you noted most often: anxious (5 times), tired (3 times) and calm (once)."
    )


def test_most_often_uses_the_label_for_topics():
    labels = {"results": "Waiting for results", "sleep": "Sleep"}
    ranked = top_items({"results": 2, "sleep": 2})

    assert most_often(ranked, "topics", lambda key: labels[key].lower()) == (
        "What was on your mind most often: waiting for results (twice) and sleep (twice)."
    )


@pytest.mark.parametrize("kind", ["feelings", "topics"])
def test_most_often_with_nothing_noted_is_gentle(kind):
    words = most_often([], kind, str)

    assert words.startswith("You have not")
    assert "should" not in words.lower()


@pytest.mark.parametrize(
    ("this_week", "last_week", "expected"),
    [
        pytest.param(
            4.2, 5.6, "Your average this week is 4.2, a little lower than last week's 5.6.",
            id="both-weeks",
        ),
        pytest.param(
            4.25,
            None,
            "Your average this week is 4.3. Next week you will see how the two weeks compare.",
            id="only-this-week",
        ),
        pytest.param(
            None,
            5.0,
            "You have not given a number this week. Last week's average was 5.0.",
            id="only-last-week",
        ),
        pytest.param(
            None,
            None,
            "When you have checked in for a week or two, you will see how the weeks compare.",
            id="neither",
        ),
    ],
)
def test_week_words(this_week, last_week, expected):
    assert week_words(this_week, last_week) == expected


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (1, "You have marked 1 entry as helping."),
        (4, "You have marked 4 entries as helping."),
    ],
)
def test_helped_words_counts(total, expected):
    assert helped_words(total) == expected


def test_helped_words_explain_the_mark_when_there_is_none():
    assert "This helped" in helped_words(0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, "No numbers given"), (4, "4.0 out of 10"), (6.25, "6.3 out of 10")],
)
def test_average_words(value, expected):
    assert average_words(value) == expected


def test_before_after_note_describes_without_diagnosing():
    words = BEFORE_AFTER_NOTE.lower()

    for clinical in ("anxiety", "depress", "disorder", "worse", "better", "should", "normal"):
        assert clinical not in words
