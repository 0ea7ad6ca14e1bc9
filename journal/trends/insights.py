"""Arithmetic and wording for gentle insights: comparisons that describe, never diagnose."""

from decimal import ROUND_HALF_UP, Decimal

from .chart import long_date

# Averages this close are "about the same": a half-point wobble means little on a 0-10 scale.
SAME_WITHIN = 0.5
# Up to this difference a change is "a little" higher or lower.
A_LITTLE_WITHIN = 2.0

BEFORE_AFTER_LABELS = ("The week before your scan", "While you waited", "Since your results")


def round_average(value):
    """Round an average to one decimal place, halves upwards (4.25 to 4.3); keep None."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def week_comparison(this_week_avg, last_week_avg):
    """Compare this week's average distress with last week's in kind, plain words."""
    if this_week_avg is None or last_week_avg is None:
        return None
    this_week = round_average(this_week_avg)
    last_week = round_average(last_week_avg)
    # Compare the rounded figures so the words always agree with the numbers shown.
    difference = round_average(this_week - last_week)
    if abs(difference) <= SAME_WITHIN:
        how = "about the same as"
    else:
        direction = "lower" if difference < 0 else "higher"
        how = (
            f"a little {direction} than"
            if abs(difference) <= A_LITTLE_WITHIN
            else f"{direction} than"
        )
    return f"Your average this week is {this_week:.1f}, {how} last week's {last_week:.1f}."


def top_items(counts, n=3):
    """Return the n most frequent items as (name, count), ties in alphabetical order."""
    ranked = sorted(
        ((name, count) for name, count in counts.items() if count > 0),
        key=lambda item: (-item[1], item[0].casefold(), item[0]),
    )
    return ranked[: max(n, 0)]


def before_after(before_avg, waiting_avg, after_avg):
    """Label the averages before the scan, while waiting and since the results."""
    averages = (before_avg, waiting_avg, after_avg)
    return [
        (label, round_average(value))
        for label, value in zip(BEFORE_AFTER_LABELS, averages, strict=True)
    ]


# How each list of most-noted items starts, and what to say when there is nothing to list.
MOST_OFTEN = {
    "feelings": (
        "The feelings you noted most often",
        "You have not added feelings to check-ins in these days.",
    ),
    "topics": (
        "What was on your mind most often",
        "You have not chosen what was on your mind in these days.",
    ),
}
BEFORE_AFTER_NOTE = (
    "These are averages of the numbers you chose when you checked in. "
    "They show how the wait felt for you. They say nothing about your results."
)


def times(count):
    """Say how many times in words: once, twice, 3 times."""
    return {1: "once", 2: "twice"}.get(count, f"{count} times")


def join_words(parts):
    """Join phrases as people write lists: "a", "a and b", "a, b and c"."""
    parts = list(parts)
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"


def most_often(ranked, kind, label):
    """A sentence naming the most-noted feelings or topics, from top_items' (name, count)."""
    opening, nothing = MOST_OFTEN[kind]
    if not ranked:
        return nothing
    listed = join_words(f"{label(name)} ({times(count)})" for name, count in ranked)
    return f"{opening}: {listed}."


def week_words(this_week_avg, last_week_avg):
    """This week against last week, with a kind sentence when a week has no check-ins."""
    compared = week_comparison(this_week_avg, last_week_avg)
    if compared:
        return compared
    if this_week_avg is not None:
        return (
            f"Your average this week is {round_average(this_week_avg):.1f}. "
            "Next week you will see how the two weeks compare."
        )
    if last_week_avg is not None:
        return (
            "You have not given a number this week. "
            f"Last week's average was {round_average(last_week_avg):.1f}."
        )
    return "When you have checked in for a week or two, you will see how the weeks compare."


def helped_words(total):
    """Say how many entries the patient marked as helping, or how to mark one."""
    if total == 0:
        return (
            "When an entry reminds you of something that helped, "
            "choose \u201cThis helped\u201d on it. It will be kept here to look back on."
        )
    entries = "1 entry" if total == 1 else f"{total} entries"
    return f"You have marked {entries} as helping."


def average_words(value):
    """An average for a table cell: one decimal place, or a plain "No numbers given"."""
    if value is None:
        return "No numbers given"
    return f"{round_average(value):.1f} out of 10"


def wait_words(scan_day, results_day, today):
    """How long the patient has waited, or will wait, in plain words."""
    if scan_day is None:
        return "You have not saved a scan date yet."
    if results_day is not None and results_day >= scan_day:
        waited = (results_day - scan_day).days
        if waited == 0:
            return f"Your results came on the day of your scan, {long_date(scan_day)}."
        return (
            f"You waited {_days(waited)} for your results, "
            f"from {long_date(scan_day)} to {long_date(results_day)}."
        )
    if today < scan_day:
        ahead = (scan_day - today).days
        when = "tomorrow" if ahead == 1 else f"in {_days(ahead)}"
        return f"Your scan is {when}, on {long_date(scan_day)}."
    if today == scan_day:
        return "Your scan is today."
    waited = _days((today - scan_day).days)
    return f"You have waited {waited} since your scan on {long_date(scan_day)}."


def _days(count):
    return "1 day" if count == 1 else f"{count} days"
