"""Arithmetic and wording for gentle insights: comparisons that describe, never diagnose."""

from decimal import ROUND_HALF_UP, Decimal

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
