"""Triage flags for the nurses' inbox."""

from datetime import UTC, datetime, timedelta

import pytest

from journal.care import triage
from journal.guidance import concern
from journal.guidance.packs import load_safety
from journal.scans.stages import StageInfo

SAFETY = load_safety()


@pytest.mark.parametrize(
    "scores, rising",
    [
        ([], False),
        ([1, 1, 1, 9, 9], False),  # five scores: not enough for a trend
        ([3, 3, 3, 5, 5, 5], True),  # exactly 2 higher
        ([3, 3, 3, 5, 5, 4], False),  # 1.67 higher
        ([4, 4, 5, 6, 6, 7], True),  # 6.33 against 4.33: exactly 2, in thirds
        ([4, 4, 5, 6, 6, 6], False),  # 6 against 4.33
        ([9, 9, 9, 3, 3, 3, 5, 5, 5], True),  # only the last six count
        ([1, 2, 3, 3, 3, 3, 1, 1, 1], False),  # falling
        ([5, 5, 5, 5, 5, 5], False),
    ],
)
def test_is_rising(scores, rising):
    assert triage.is_rising(scores) is rising


def test_trend_gives_both_averages():
    assert triage.trend([1, 2, 3, 7, 8, 9]) == (8, 2)
    assert triage.trend([1, 2]) is None


@pytest.mark.parametrize(
    "distress, note, answer, reason",
    [
        (8, "", "", "High distress"),
        (10, "fine", "", "High distress"),
        (7, "", "", None),
        (None, "I can't cope any more", "", "Worrying words"),
        (2, "I CANT COPE", "", "Worrying words"),
        (8, "I can't cope", "", "High distress and worrying words"),
        (3, "cope fine", "", None),
        (None, "", "", None),
        # The prompt answer counts as much as the note: a nurse must see it too.
        (2, "fine today", "I want to end it all", "Worrying words"),
        # A denial shows the patient help, gently, but is not a flag.
        (2, "I'm not suicidal, just tired", "", None),
    ],
)
def test_concern_reads_every_text_with_the_patients_rule(distress, note, answer, reason):
    found = triage.concern(distress, (note, answer), SAFETY)
    assert found.reason == reason
    assert found.flag_nurses is (reason is not None)
    # The very same result the patient's safety net acts on.
    assert found == concern.check(SAFETY, distress, note, answer)


def test_concern_names_the_words_that_raised_it():
    found = triage.concern(3, ("fine", "honestly I want to END it all."), SAFETY)
    assert [(f.group, f.words) for f in found.disclosed] == [("Suicidal thoughts", "END it all")]


T = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "reviewed_at, updated_at, review_team, team, reviewed",
    [
        (None, None, None, 1, False),
        (T, None, 1, 1, True),
        (T, T - timedelta(hours=1), 1, 1, True),
        (T, T, 1, 1, True),
        (T, T + timedelta(seconds=1), 1, 1, False),  # edited after the review
        (T, None, 1, 2, False),  # another team's review never counts
        (T, None, None, 1, False),  # a review that names no team counts for none
        (T, None, 1, None, False),  # nor does any review for no team
    ],
)
def test_is_reviewed(reviewed_at, updated_at, review_team, team, reviewed):
    assert triage.is_reviewed(reviewed_at, updated_at, review_team, team) is reviewed


def test_flags_come_in_reading_order():
    assert triage.flags_for(concern_reason="High distress", rising=True, overdue=True,
                            reviewed=False) == ("concern", "rising", "overdue", "unreviewed")
    assert triage.flags_for(concern_reason=None, rising=False, overdue=False,
                            reviewed=True) == ()
    assert triage.flags_for(concern_reason=None, rising=False, overdue=True,
                            reviewed=True) == ("overdue",)


def test_overdue_only_for_the_overdue_stage():
    assert triage.is_overdue(StageInfo("overdue", waiting_day=16))
    assert not triage.is_overdue(StageInfo("results-due", waiting_day=10))
    assert not triage.is_overdue(None)


@pytest.mark.parametrize(
    "info, words",
    [
        (None, "No scan added yet"),
        (StageInfo("no-date"), "Scan added, no date yet"),
        (StageInfo("before", days_to_go=1), "Scan in 1 day"),
        (StageInfo("before", days_to_go=5), "Scan in 5 days"),
        (StageInfo("waiting", waiting_day=9), "Waiting for results, day 9"),
        (StageInfo("overdue", waiting_day=16, told_days=14),
         "Results overdue, day 16 of waiting (told about 2 weeks)"),
        (StageInfo("overdue", waiting_day=16),
         "No results by the usual time, day 16 of waiting; no time given"),
        (StageInfo("waiting", waiting_day=5, told_days=28),
         "Waiting for results, day 5 (told about 4 weeks)"),
        (StageInfo("results-received"), "Results received"),
    ],
)
def test_stage_words(info, words):
    assert triage.stage_words(info) == words


def test_every_stage_has_words():
    from journal.scans.stages import STAGES

    for stage in STAGES:
        assert triage.stage_words(StageInfo(stage, days_to_go=2, waiting_day=3))
