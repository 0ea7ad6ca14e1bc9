"""Triage flags for the nurses' inbox."""

from datetime import UTC, date, datetime, timedelta

import pytest

from journal.care import triage
from journal.guidance.packs import Safety, is_concerning, load_safety
from journal.scans.stages import StageInfo

SAFETY = Safety(high_distress=8, words=("can't cope", "give up"), reviewed_by="t",
                reviewed_on=date(2026, 1, 1))


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
    "distress, note, reason",
    [
        (8, "", "High distress"),
        (10, "fine", "High distress"),
        (7, "", None),
        (None, "I can't cope any more", "Worrying words"),
        (2, "I CANT COPE", "Worrying words"),
        (8, "I can't cope", "High distress"),
        (3, "cope fine", None),
        (None, "", None),
    ],
)
def test_concern_follows_the_safety_rule(distress, note, reason):
    assert triage.concern(distress, note, SAFETY) == reason
    assert (reason is not None) is is_concerning(distress, note, SAFETY)


def test_concern_uses_the_real_safety_file():
    safety = load_safety()
    assert triage.concern(safety.high_distress, "", safety) == "High distress"
    assert triage.concern(safety.high_distress - 1, "", safety) is None
    assert triage.concern(0, f"I {safety.words[0]}", safety) == "Worrying words"


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
        (StageInfo("overdue", waiting_day=16), "Results overdue, day 16 of waiting"),
        (StageInfo("results-received"), "Results received"),
    ],
)
def test_stage_words(info, words):
    assert triage.stage_words(info) == words


def test_every_stage_has_words():
    from journal.scans.stages import STAGES

    for stage in STAGES:
        assert triage.stage_words(StageInfo(stage, days_to_go=2, waiting_day=3))
