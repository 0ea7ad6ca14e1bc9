"""The concern check measured on tests/data/concern_corpus.txt: it must miss nothing."""

from pathlib import Path

import pytest

from journal.guidance import concern
from journal.guidance.packs import load_safety

CORPUS = Path(__file__).parent.parent / "data" / "concern_corpus.txt"
OUTCOMES = ("flag", "gentle", "none")


def read_corpus():
    """(expected outcome, text) for each line of the corpus."""
    rows = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        outcome, text = line.split(":", 1)
        assert outcome in OUTCOMES, line
        rows.append((outcome, text.strip()))
    return rows


def outcome(found: concern.Concern) -> str:
    if found.flag_nurses:
        return "flag"
    return "gentle" if found.show_help else "none"


@pytest.fixture(scope="module")
def results():
    safety = load_safety()
    return [(expected, text, outcome(concern.check(safety, None, text)))
            for expected, text in read_corpus()]


def test_corpus_is_big_enough_and_mixed():
    rows = read_corpus()
    assert len(rows) >= 150
    counts = {kind: sum(1 for k, _ in rows if k == kind) for kind in OUTCOMES}
    assert counts["flag"] >= 100 and counts["none"] >= 50 and counts["gentle"] >= 15
    assert len({text for _, text in rows}) == len(rows), "a phrase is listed twice"


def test_every_worrying_phrase_is_flagged(results, record_property):
    positives = [(text, got) for expected, text, got in results if expected == "flag"]
    ordinary = [(text, got) for expected, text, got in results if expected == "none"]
    denials = [(text, got) for expected, text, got in results if expected == "gentle"]
    missed = [text for text, got in positives if got != "flag"]
    alarms = [text for text, got in ordinary if got != "none"]
    found = len(positives) - len(missed)
    record_property(
        "figures",
        f"concern check: {len(results)} phrases; recall {found}/{len(positives)}"
        f" = {found / len(positives):.1%}; false alarms {len(alarms)}/{len(ordinary)}"
        f" = {len(alarms) / len(ordinary):.1%}; denials flagged to nurses"
        f" {sum(got == 'flag' for _, got in denials)}/{len(denials)}",
    )
    assert missed == []


def test_denials_show_help_but_are_not_flagged(results):
    wrong = [(text, got) for expected, text, got in results
             if expected == "gentle" and got != "gentle"]
    assert wrong == []


def test_false_alarms_stay_rare(results):
    """Missing nothing comes first, but help that shows for every cup of tea is ignored."""
    ordinary = [(text, got) for expected, text, got in results if expected == "none"]
    alarms = [text for text, got in ordinary if got != "none"]
    assert len(alarms) / len(ordinary) <= 0.05, alarms
