"""The one concern check: its phrase notation, spelling slips, denials and levels."""

from dataclasses import replace

import pytest

from journal.guidance import concern
from journal.guidance.packs import load_safety

SAFETY = load_safety()


def small(*phrases, **changes):
    """The real rule with one group of these phrases instead of the real list."""
    return replace(SAFETY, groups=(concern.compile_group("Test", phrases),), **changes)


@pytest.mark.parametrize(
    ("phrase", "text", "words"),
    [
        pytest.param("kill* myself", "Killing myself", "Killing myself", id="word-ending"),
        pytest.param("kill* myself", "skill myself", None, id="whole-words-only"),
        pytest.param("(cant|cannot) cope", "I cannot cope", "cannot cope", id="choice"),
        pytest.param("end (it all|everything)", "end everything", "end everything",
                     id="choice-of-several-words"),
        pytest.param("want (to|) die", "I want die", "want die", id="optional-part"),
        pytest.param("want ... die", "want to just die", "want to just die", id="gap"),
        pytest.param("want ... die", "want to go and then die", None, id="gap-of-four"),
        pytest.param("give up $", "I give up.", "give up", id="end-of-clause"),
        pytest.param("give up $", "I give up", "give up", id="end-of-text"),
        pytest.param("give up $", "I give up sugar", None, id="not-the-end"),
        pytest.param("end it all", "end it. All fine", None, id="never-across-a-full-stop"),
        pytest.param("hurt myself", "hurt\nmyself", "hurt\nmyself", id="across-a-line-break"),
        pytest.param("cant cope", "I can’t   cope", "can’t   cope", id="curly-apostrophe"),
        pytest.param("self harm", "self-harm", "self-harm", id="hyphen"),
    ],
)
def test_phrase_notation(phrase, text, words):
    found = concern.find(text, small(phrase))
    assert [f.words for f in found] == ([words] if words else [])


@pytest.mark.parametrize(
    ("phrase", "problem"),
    [
        ("(a|b", "brackets do not pair up"),
        ("a) b", "brackets do not pair up"),
        ("(a|(b|c))", "brackets do not pair up"),
        ("(a|) b", "should start and end with a word"),
        ("a ...", "should start and end with a word"),
        ("$", "should start and end with a word"),
        ("a + b", "cannot read '+'"),
        ("(|)", "empty choice"),
    ],
)
def test_a_bad_phrase_is_refused(phrase, problem):
    with pytest.raises(concern.PhraseError, match=problem.replace("+", r"\+")):
        concern.compile_group("Test", (phrase,))


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("suicidal", "suicidal", 0), ("sucidal", "suicidal", 1), ("siucidal", "suicidal", 1),
     ("suicidle", "suicidal", 2), ("hopless", "hopeless", 1), ("cat", "dog", 3)],
)
def test_osa_distance(a, b, distance):
    assert concern.osa_distance(a, b, 3) == distance


def test_distance_stops_at_the_limit():
    assert concern.osa_distance("suicidal", "sandwich", 2) == 3


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("sucidal", True), ("suicdal", True), ("feeling suicidle", True), ("overdoze", True),
        ("hopless", True),
        # Real words one slip away are left alone, and so is a different first letter.
        ("the homeless shelter", False), ("the garden looks overdone", False),
        ("vuicidal", False),
    ],
)
def test_spelling_slips_are_read_as_the_word(text, found):
    assert bool(concern.find(text, SAFETY)) is found


@pytest.mark.parametrize(
    ("text", "denied"),
    [
        ("I'm not suicidal", True),
        ("I would never kill myself", True),
        ("I'm not going to end my life", True),
        ("no thoughts of self harm", True),
        # Any other word, a clause end or "but" between breaks the denial.
        ("I am not sleeping I want to die", False),
        ("No, I want to die", False),
        ("not sure but I want to die", False),
        ("I have no friends and want to die", False),
        ("I can't stop thinking about wanting to die", False),
    ],
)
def test_denials(text, denied):
    [found] = concern.find(text, SAFETY)
    assert found.denied is denied


def test_words_are_shown_as_written_in_order():
    found = concern.find("Fine. But honestly I CAN'T cope, I want to END IT ALL.", SAFETY)
    assert [(f.group, f.words) for f in found] == [
        ("Not coping", "CAN'T cope"), ("Suicidal thoughts", "END IT ALL")]


@pytest.mark.parametrize(
    ("distress", "texts", "show", "flag", "reason"),
    [
        (8, (), True, True, "High distress"),
        (7, (), False, False, None),
        (None, ("", None), False, False, None),
        (2, ("fine", "I want to die"), True, True, "Worrying words"),
        (9, ("I want to die",), True, True, "High distress and worrying words"),
        (2, ("I'm not suicidal",), True, False, None),
        (2, ("I'm not suicidal", "I can't go on"), True, True, "Worrying words"),
    ],
)
def test_check_over_every_text(distress, texts, show, flag, reason):
    found = concern.check(SAFETY, distress, *texts)
    assert (found.show_help, found.flag_nurses, found.reason) == (show, flag, reason)


def test_levels_come_from_the_rule():
    lower = replace(SAFETY, high_distress=6, raised_distress=3)
    assert concern.check(lower, 6).flag_nurses
    assert not concern.check(SAFETY, 6).flag_nurses
    assert [concern.distress_band(n, lower) for n in (None, 2, 3, 5, 6)] == [
        None, "low", "mid", "mid", "high"]
    assert [concern.distress_band(n, SAFETY) for n in (3, 4, 7, 8)] == [
        "low", "mid", "mid", "high"]


def test_a_long_note_is_checked_quickly():
    import time

    note = ("Went for a walk and had a cup of tea with my sister. " * 100)[:5000]
    started = time.perf_counter()
    for _ in range(20):
        concern.check(SAFETY, 3, note, note)
    # Generous, as the machine may be busy: a slow matcher takes seconds, not this.
    assert (time.perf_counter() - started) / 20 < 0.25
