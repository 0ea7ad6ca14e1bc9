"""What the app says about when results come: a time the patient was told beats the usual one."""

from dataclasses import dataclass
from datetime import date

# Stages in which she is waiting for results and a sentence about their timing belongs.
AWAITING = ("afterwards", "waiting", "results-due", "overdue")


@dataclass(frozen=True)
class Line:
    """One sentence of stage guidance: what to say when nobody told her a time, and when
    someone did. None means the sentence is left out in that case."""

    usual: str | None
    told: str | None


@dataclass(frozen=True)
class Expectation:
    """How long results should take for one scan, and whether that is what she was told."""

    told_days: int | None = None
    # The usual window from a pack built on a source that gives one; None when no source does.
    usual_days: tuple[int, int] | None = None

    @property
    def told(self) -> bool:
        return self.told_days is not None


def span_words(days: int) -> str:
    """A number of days as people say it: "1 day", "10 days", "4 weeks"."""
    if days % 7 == 0:
        weeks = days // 7
        return "1 week" if weeks == 1 else f"{weeks} weeks"
    return "1 day" if days == 1 else f"{days} days"


def usual_words(window: tuple[int, int]) -> str:
    """A usual window in words: (7, 14) is "1 to 2 weeks", (3, 5) is "3 to 5 days"."""
    first, last = window
    if first == last:
        return span_words(first)
    if first % 7 == 0 and last % 7 == 0:
        return f"{first // 7} to {last // 7} weeks"
    return f"{first} to {last} days"


def body_for(lines: tuple[Line, ...], expectation: Expectation) -> tuple[str, ...]:
    """The sentences to show: the told version of each line if she was told a time."""
    told = span_words(expectation.told_days) if expectation.told else ""
    usual = usual_words(expectation.usual_days) if expectation.usual_days else ""
    chosen = (line.told if expectation.told else line.usual for line in lines)
    return tuple(text.format(told=told, usual=usual) for text in chosen if text is not None)


def _day(day: date) -> str:
    # The same words as the uk_day filter, kept here so this module stays free of Flask.
    return f"{day:%A} {day.day} {day:%B}"


def results_fact(stage: str, expectation: Expectation, due_from: date | None,
                 due_by: date | None) -> str | None:
    """The one sentence about results timing on a scan's stage card, or None."""
    if stage not in AWAITING or due_by is None:
        return None
    if expectation.told:
        told = span_words(expectation.told_days)
        if stage == "overdue":
            return (f"You expected your results by {_day(due_by)}. "
                    f"You were told they would take about {told}.")
        return f"You were told your results would take about {told}. That is {_day(due_by)}."
    if expectation.usual_days is None:
        return "Nobody has told you how long your results will take. It is fine to ask."
    usual = usual_words(expectation.usual_days)
    if stage == "overdue":
        return (f"Nobody told you how long your results would take. They usually come within "
                f"{usual}, and that usual time ended on {_day(due_by)}.")
    return (f"Nobody has told you how long your results will take. The usual time is {usual}: "
            f"between {_day(due_from)} and {_day(due_by)}.")


def expected_words(expectation: Expectation) -> str:
    """The "Results expected" line on My scan."""
    if expectation.told:
        return f"About {span_words(expectation.told_days)}, as you were told."
    if expectation.usual_days is None:
        return "Nobody has told you yet. It is fine to ask how long they will take."
    return (f"Nobody has told you yet. Results usually take {usual_words(expectation.usual_days)}, "
            "but your hospital may be different.")
