"""Triage flags for the nurses' inbox: plain rules over plain values, with no Flask."""

from datetime import datetime

from ..guidance import concern as concern_check
from ..guidance.packs import Safety
from ..scans.expectations import span_words
from ..scans.stages import StageInfo

# In the order a nurse reads them; the keys are also the inbox filter values.
FLAGS = {
    "concern": "High distress or worrying words",
    "rising": "Distress rising",
    "overdue": "Results overdue",
    "unreviewed": "Not yet reviewed",
}
# What a nurse did when she reviewed an entry: the form's values and the team's words.
OUTCOMES = {
    "called": "Called the patient",
    "message-left": "Left a message",
    "no-action": "No action needed",
    "referred": "Referred on",
}
# The trend compares the latest three shared scores with the three before them.
TREND_WINDOW = 3
# A rise of two points on the 0 to 10 scale is more than a day's wobble.
RISE_BY = 2


def trend(scores):
    """(average of the last three, average of the three before) from oldest-first scores,
    or None with fewer than six."""
    if len(scores) < 2 * TREND_WINDOW:
        return None
    recent = scores[-TREND_WINDOW:]
    earlier = scores[-2 * TREND_WINDOW : -TREND_WINDOW]
    return sum(recent) / TREND_WINDOW, sum(earlier) / TREND_WINDOW


def is_rising(scores):
    """True when the last three scores average at least RISE_BY more than the three before."""
    if len(scores) < 2 * TREND_WINDOW:
        return False
    recent = sum(scores[-TREND_WINDOW:])
    earlier = sum(scores[-2 * TREND_WINDOW : -TREND_WINDOW])
    # Compare sums, not averages, so that thirds never round the wrong way.
    return recent - earlier >= RISE_BY * TREND_WINDOW


def concern(distress, texts, safety: Safety) -> concern_check.Concern:
    """The patient's own concern check over a shared entry's score and every text in it
    (note and prompt answer): the flag, its reason and the words that raised it."""
    return concern_check.check(safety, distress, *texts)


def check_outcome(value):
    """The outcome key from the review form, or None when it is missing or unknown."""
    return value if value in OUTCOMES else None


def is_reviewed(reviewed_at: datetime | None, updated_at: datetime | None,
                review_team_id: int | None, team_id: int | None):
    """A review counts for the team that made it, until the patient edits the entry."""
    return (
        reviewed_at is not None
        and team_id is not None
        and review_team_id == team_id
        and (updated_at is None or updated_at <= reviewed_at)
    )


def is_overdue(info: StageInfo | None):
    return info is not None and info.stage == "overdue"


def flags_for(*, concern_reason, rising, overdue, reviewed):
    """The flags one inbox item carries, in FLAGS order."""
    present = {
        "concern": concern_reason is not None,
        "rising": rising,
        "overdue": overdue,
        "unreviewed": not reviewed,
    }
    return tuple(key for key in FLAGS if present[key])


def stage_words(info: StageInfo | None):
    """The scan's stage in a few words for a nurse, e.g. "Waiting for results, day 9"."""
    if info is None:
        return "No scan added yet"
    day = info.waiting_day
    to_go = info.days_to_go
    # "Overdue" only against a time she was told; otherwise it is the usual time that passed.
    told = f" (told about {span_words(info.told_days)})" if info.told_days else ""
    overdue = (f"Results overdue, day {day} of waiting{told}" if told
               else f"No results by the usual time, day {day} of waiting; no time given")
    return {
        "no-date": "Scan added, no date yet",
        "before": f"Scan in {to_go} {'day' if to_go == 1 else 'days'}",
        "prepare": "Getting ready for the scan today",
        "scan-day": "Scan today",
        "afterwards": "Scan done today",
        "waiting": f"Waiting for results, day {day}{told}",
        "results-due": f"Results due, day {day} of waiting{told}",
        "overdue": overdue,
        "results-received": "Results received",
    }[info.stage]
