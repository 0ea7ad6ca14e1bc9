"""Geometry and words for the distress trend chart, drawn by the server as inline SVG."""

import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# A fixed coordinate system; the SVG's viewBox scales it to the phone's width. The font is
# 16 units in 300 so that labels are at least 14 px on a 320 px phone, where the chart is
# about 272 px wide; app.css caps the chart's width so they do not grow huge on a desktop.
WIDTH = 300
HEIGHT = 182
PLOT_LEFT = 30
PLOT_TOP = 26
# The right margin leaves room for half of a date label centred on the last day.
PLOT_WIDTH = 242
PLOT_HEIGHT = 130
PLOT_RIGHT = PLOT_LEFT + PLOT_WIDTH
PLOT_BOTTOM = PLOT_TOP + PLOT_HEIGHT
# Label positions below assume this font size, in viewBox units.
FONT_SIZE = 16
# A rough width of one character at FONT_SIZE, to keep labels inside the viewBox.
CHAR_WIDTH = 9

MAX_DISTRESS = 10
GRID_VALUES = (0, 5, 10)
GRID_WORDS = {0: "none", 10: "extreme"}
# Up to four days, every day gets a label; beyond that, at most four, evenly spaced: more
# would write over each other at this size.
EVERY_DAY_UP_TO = 4
MAX_X_LABELS = 4
# A line carries on across up to this many days without a check-in, then breaks.
MAX_MISSING_DAYS = 2
# Dots shrink as days crowd together, but never below 8 px across on a 320 px phone
# (a radius of 4.5 units there is about 4 px): (longest span in days, radius), the first
# that fits wins.
DOT_RADII = ((14, 5.5), (31, 5.0))
DENSE_DOT_RADIUS = 4.5

# Spelt out here rather than taken from strftime, which follows the server's locale.
MONTHS = tuple(
    "January February March April May June July August September October November December".split()
)
WEEKDAYS = tuple("Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split())


@dataclass(frozen=True)
class Gridline:
    """A horizontal line across the plot at one distress value, with its label."""

    value: int
    y: float
    x1: float
    x2: float
    label: str
    label_x: float
    label_y: float
    word: str


@dataclass(frozen=True)
class XLabel:
    """A date written under the plot, centred on x."""

    date: date
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class Point:
    """One day's average distress, placed on the plot, with words for its <title>; and the
    day's highest single score, so that an average never hides a peak."""

    x: float
    y: float
    date: date
    value: float
    label: str
    peak: float | None = None
    peak_y: float | None = None

    @property
    def peak_above(self):
        """Whether the day's highest score sits above its average, so needs its own mark."""
        return self.peak is not None and self.peak > self.value


@dataclass(frozen=True)
class Segment:
    """A run of points close enough in time to join with a line."""

    points: tuple[Point, ...]
    path: str


@dataclass(frozen=True)
class Marker:
    """A vertical line for the scan or results day, with its label above the plot."""

    kind: str
    date: date
    x: float
    y1: float
    y2: float
    label: str
    label_x: float
    label_y: float
    anchor: str
    title: str


@dataclass(frozen=True)
class Chart:
    """Everything a template needs to draw the chart without doing any maths."""

    start: date
    end: date
    width: int
    height: int
    view_box: str
    font_size: int
    plot_left: float
    plot_top: float
    plot_right: float
    plot_bottom: float
    plot_width: float
    plot_height: float
    gridlines: tuple[Gridline, ...]
    x_labels: tuple[XLabel, ...]
    points: tuple[Point, ...]
    segments: tuple[Segment, ...]
    markers: tuple[Marker, ...]
    title: str
    description: str
    # (day, average, highest single score), each in words.
    table_rows: tuple[tuple[str, str, str], ...]
    dot_radius: float

    @property
    def peaks(self):
        """The points whose highest score is above their average: each gets a peak mark."""
        return tuple(p for p in self.points if p.peak_above)


def round_half_up(value):
    """Round to one decimal place the way people do by hand (4.25 to 4.3)."""
    return float(Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def format_value(value):
    """Write a distress value without a needless ".0" (5, 4.5)."""
    return f"{round_half_up(value):g}"


def short_date(day):
    """Write a date for an axis label, e.g. "3 Nov"."""
    return f"{day.day} {MONTHS[day.month - 1][:3]}"


def long_date(day):
    """Write a date for the table, e.g. "Monday 3 November"."""
    return f"{WEEKDAYS[day.weekday()]} {day.day} {MONTHS[day.month - 1]}"


def date_range_words(start, end):
    """Write a range in words, naming the month and year only as often as needed."""
    if start == end:
        return f"{start.day} {MONTHS[start.month - 1]}"
    if start.year != end.year:
        return (
            f"{start.day} {MONTHS[start.month - 1]} {start.year} "
            f"to {end.day} {MONTHS[end.month - 1]} {end.year}"
        )
    if start.month != end.month:
        return f"{start.day} {MONTHS[start.month - 1]} to {end.day} {MONTHS[end.month - 1]}"
    return f"{start.day} to {end.day} {MONTHS[end.month - 1]}"


def svg_path(points):
    """Return the SVG path data ("M x y L x y ...") joining (x, y) pairs."""
    return " ".join(
        f"{'M' if i == 0 else 'L'}{_num(x)} {_num(y)}" for i, (x, y) in enumerate(points)
    )


def daily_values(entries, tz):
    """Average each local day's distress from (UTC datetime, distress or None) pairs."""
    return [(day, average) for day, average, _ in daily_scores(entries, tz)]


def daily_scores(entries, tz):
    """(day, average, highest) for each local day, from (UTC datetime, distress or None) pairs."""
    totals = defaultdict(Decimal)
    counts = defaultdict(int)
    peaks = {}
    for when, distress in entries:
        if distress is None:
            continue
        # Times come in UTC; a naive one (as sqlite hands back) is read as UTC too.
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        day = when.astimezone(tz).date()
        totals[day] += Decimal(str(distress))
        counts[day] += 1
        peaks[day] = max(peaks.get(day, distress), distress)
    return [(day, round_half_up(totals[day] / counts[day]), peaks[day]) for day in sorted(totals)]


def build_chart(values, start, end, scan_day=None, results_day=None):
    """Lay out daily values from start to end, both days included: (date, average) pairs,
    or (date, average, highest) from daily_scores so that each day's peak is marked too."""
    if end < start:
        raise ValueError(f"the chart ends ({end}) before it starts ({start})")
    by_day = {}
    for day, value, *peak in values:
        peak = peak[0] if peak else value
        for score in (value, peak):
            if not 0 <= score <= MAX_DISTRESS:
                raise ValueError(f"distress {score} on {day} is outside 0 to {MAX_DISTRESS}")
        # Days outside the range are left off; a repeated day keeps its last value.
        if start <= day <= end:
            by_day[day] = (value, max(peak, value))
    span = (end - start).days

    def x_for(day):
        # A one-day chart puts its only day in the middle.
        if span == 0:
            return round(PLOT_LEFT + PLOT_WIDTH / 2, 1)
        return round(PLOT_LEFT + (day - start).days / span * PLOT_WIDTH, 1)

    points = tuple(
        Point(
            x=x_for(day),
            y=_y_for(value),
            date=day,
            value=round_half_up(value),
            label=_point_label(day, value, peak),
            peak=round_half_up(peak),
            peak_y=_y_for(peak),
        )
        for day, (value, peak) in sorted(by_day.items())
    )
    range_words = date_range_words(start, end)
    return Chart(
        start=start,
        end=end,
        width=WIDTH,
        height=HEIGHT,
        view_box=f"0 0 {WIDTH} {HEIGHT}",
        font_size=FONT_SIZE,
        plot_left=PLOT_LEFT,
        plot_top=PLOT_TOP,
        plot_right=PLOT_RIGHT,
        plot_bottom=PLOT_BOTTOM,
        plot_width=PLOT_WIDTH,
        plot_height=PLOT_HEIGHT,
        gridlines=_gridlines(),
        x_labels=tuple(
            XLabel(date=day, x=x_for(day), y=PLOT_BOTTOM + FONT_SIZE + 4, text=short_date(day))
            for day in _label_days(start, span)
        ),
        points=points,
        segments=_segments(points),
        markers=_markers(start, end, scan_day, results_day, x_for),
        title=f"Distress, {range_words}",
        description=_description(range_words, start == end, points),
        table_rows=tuple(
            (long_date(p.date), format_value(p.value), format_value(p.peak)) for p in points
        ),
        dot_radius=dot_radius(span + 1),
    )


def _point_label(day, value, peak):
    """Words for a day's dot: its average, and its highest score when that is higher."""
    if round_half_up(peak) > round_half_up(value):
        return (f"{short_date(day)}: average distress {format_value(value)}, "
                f"highest {format_value(peak)} out of {MAX_DISTRESS}")
    return f"{short_date(day)}: distress {format_value(value)} out of {MAX_DISTRESS}"


def highest(points):
    """The point with the highest single score; the latest day when several share it."""
    return max(reversed(points), key=lambda p: p.peak) if points else None


def dot_radius(days):
    """The radius of each day's dot on a chart covering this many days."""
    return next((radius for most, radius in DOT_RADII if days <= most), DENSE_DOT_RADIUS)


def _num(value):
    """Write a coordinate with at most one decimal place and no trailing ".0"."""
    return f"{round(value, 1):g}"


def _y_for(value):
    """Place a distress value on the plot; higher distress sits higher up."""
    return round(PLOT_BOTTOM - value / MAX_DISTRESS * PLOT_HEIGHT, 1)


def _gridlines():
    """Lines and labels for 0, 5 and 10, labels right-aligned left of the plot."""
    return tuple(
        Gridline(
            value=value,
            y=_y_for(value),
            x1=PLOT_LEFT,
            x2=PLOT_RIGHT,
            label=str(value),
            label_x=PLOT_LEFT - 6,
            # Nudged down by about a third of the font so the text centres on the line.
            label_y=round(_y_for(value) + FONT_SIZE * 0.35, 1),
            word=GRID_WORDS.get(value, ""),
        )
        for value in GRID_VALUES
    )


def _label_days(start, span):
    """Pick evenly spaced days to label, counting back from the last so it always has one."""
    step = 1 if span + 1 <= EVERY_DAY_UP_TO else math.ceil(span / (MAX_X_LABELS - 1))
    return [start + timedelta(days=offset) for offset in range(span % step, span + 1, step)]


def _segments(points):
    """Split points into lines wherever more than MAX_MISSING_DAYS days are missing."""
    runs = []
    for point in points:
        if runs and (point.date - runs[-1][-1].date).days - 1 <= MAX_MISSING_DAYS:
            runs[-1].append(point)
        else:
            runs.append([point])
    # A lone point has nothing to join; it is still drawn as a dot.
    return tuple(
        Segment(points=tuple(run), path=svg_path((p.x, p.y) for p in run))
        for run in runs
        if len(run) > 1
    )


def _markers(start, end, scan_day, results_day, x_for):
    """Vertical lines for the scan and results days that fall inside the range."""
    if scan_day is not None and scan_day == results_day:
        wanted = [("scan-and-results", scan_day, "Scan and results", "end")]
    else:
        # Scan labels sit left of their line and results labels right, so that close
        # days do not write over each other.
        wanted = [("scan", scan_day, "Scan", "end"), ("results", results_day, "Results", "start")]
    markers = []
    for kind, day, label, anchor in wanted:
        if day is None or not start <= day <= end:
            continue
        x = x_for(day)
        text_width = len(label) * CHAR_WIDTH
        if anchor == "end" and x - 3 - text_width < 0:
            anchor = "start"
        elif anchor == "start" and x + 3 + text_width > WIDTH:
            anchor = "end"
        markers.append(
            Marker(
                kind=kind,
                date=day,
                x=x,
                y1=PLOT_TOP,
                y2=PLOT_BOTTOM,
                label=label,
                label_x=round(x - 3 if anchor == "end" else x + 3, 1),
                label_y=PLOT_TOP - 6,
                anchor=anchor,
                title=f"{label}, {long_date(day)}",
            )
        )
    if len(markers) == 2 and _overlap(*markers):
        # Both labels cannot share the row above the plot, so results drops just inside it.
        markers[1] = replace(markers[1], label_y=PLOT_TOP + FONT_SIZE + 2)
    return tuple(markers)


def label_extent(marker):
    """The (left, right) x a marker's label takes up, judged by CHAR_WIDTH."""
    width = len(marker.label) * CHAR_WIDTH
    if marker.anchor == "end":
        return marker.label_x - width, marker.label_x
    return marker.label_x, marker.label_x + width


def _overlap(first, second, gap=4):
    """True when two labels on the same row would touch or write over each other."""
    (a_left, a_right), (b_left, b_right) = label_extent(first), label_extent(second)
    return first.label_y == second.label_y and a_left < b_right + gap and b_left < a_right + gap


def _description(range_words, one_day, points):
    """Sum the chart up in plain words for screen readers and the figure caption."""
    opening = f"Distress on {range_words}" if one_day else f"Distress from {range_words}"
    if not points:
        return f"{opening}: no check-ins in this period."
    if len(points) == 1:
        only = points[0]
        when = "" if one_day else f" ({short_date(only.date)})"
        if only.peak_above:
            return (f"{opening}: 1 day with check-ins{when}, average distress "
                    f"{format_value(only.value)}, highest: {format_value(only.peak)}.")
        return f"{opening}: 1 day with a check-in{when}, distress {format_value(only.value)}."
    values = [p.value for p in points]
    top = highest(points)
    # The highest single score, not the highest daily average, which can hide a peak.
    return (
        f"{opening}: {len(points)} days with check-ins, highest: {format_value(top.peak)} "
        f"({long_date(top.date)}). Daily averages from {format_value(min(values))} to "
        f"{format_value(max(values))}, latest {format_value(points[-1].value)}."
    )
