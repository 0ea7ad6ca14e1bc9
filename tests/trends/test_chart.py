from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journal.trends.chart import (
    CHAR_WIDTH,
    PLOT_BOTTOM,
    PLOT_LEFT,
    PLOT_RIGHT,
    PLOT_TOP,
    WIDTH,
    build_chart,
    daily_scores,
    daily_values,
    label_extent,
    svg_path,
)

UK = ZoneInfo("Europe/London")
START = date(2025, 11, 1)
END = date(2025, 11, 14)


def days(start, *values):
    """Consecutive (date, value) pairs from start; None leaves a day out."""
    return [(start + timedelta(i), v) for i, v in enumerate(values) if v is not None]


def test_zero_distress_sits_on_the_bottom_of_the_plot_and_ten_on_the_top():
    chart = build_chart([(START, 0), (END, 10)], START, END)

    bottom, top = chart.points
    assert bottom.y == PLOT_BOTTOM == chart.plot_bottom
    assert top.y == PLOT_TOP == chart.plot_top


def test_higher_distress_is_drawn_higher():
    chart = build_chart(days(START, 2, 7), START, END)

    low, high = chart.points
    assert high.y < low.y


def test_first_and_last_days_of_the_range_sit_on_the_plot_edges():
    chart = build_chart([(START, 3), (END, 4)], START, END)

    first, last = chart.points
    assert first.x == PLOT_LEFT == chart.plot_left
    assert last.x == PLOT_RIGHT == chart.plot_right


def test_days_are_evenly_spaced_across_the_plot():
    chart = build_chart(days(START, 1, 2, 3), START, START + timedelta(2))

    assert [p.x for p in chart.points] == [PLOT_LEFT, (PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_RIGHT]


def test_view_box_matches_the_fixed_size():
    chart = build_chart([], START, END)

    assert (chart.width, chart.height) == (300, 182)
    assert chart.view_box == "0 0 300 182"
    assert chart.plot_right - chart.plot_left == chart.plot_width
    assert chart.plot_bottom - chart.plot_top == chart.plot_height


def test_gridlines_for_none_middle_and_extreme():
    chart = build_chart([], START, END)

    assert [(g.value, g.label, g.word) for g in chart.gridlines] == [
        (0, "0", "none"),
        (5, "5", ""),
        (10, "10", "extreme"),
    ]
    assert [g.y for g in chart.gridlines] == [PLOT_BOTTOM, (PLOT_TOP + PLOT_BOTTOM) / 2, PLOT_TOP]
    assert all(g.label_x < PLOT_LEFT for g in chart.gridlines)


@pytest.mark.parametrize(
    ("length", "expected"),
    [
        pytest.param(1, ["1 Nov"], id="one-day"),
        pytest.param(4, ["1 Nov", "2 Nov", "3 Nov", "4 Nov"], id="four-days-every-day"),
        pytest.param(7, ["1 Nov", "3 Nov", "5 Nov", "7 Nov"], id="week-every-other-day"),
        pytest.param(14, ["4 Nov", "9 Nov", "14 Nov"], id="fortnight"),
        pytest.param(30, ["10 Nov", "20 Nov", "30 Nov"], id="month"),
        pytest.param(90, ["30 Nov", "30 Dec", "29 Jan"], id="three-months"),
    ],
)
def test_x_labels_are_evenly_spaced_short_dates_ending_on_the_last_day(length, expected):
    end = START + timedelta(length - 1)
    chart = build_chart([], START, end)

    labels = chart.x_labels
    assert [lbl.text for lbl in labels] == expected
    assert labels[-1].date == end
    assert all(lbl.y > PLOT_BOTTOM for lbl in labels)


@pytest.mark.parametrize(
    "length",
    [
        pytest.param(n, id=f"{n}-days")
        for n in (2, 7, 8, 9, 13, 14, 15, 21, 28, 30, 31, 60, 89, 90, 91)
    ],
)
def test_x_labels_never_crowd(length):
    chart = build_chart([], START, START + timedelta(length - 1))

    labels = chart.x_labels
    assert len(labels) <= 4
    # A centred label such as "30 Nov" is about 6 characters wide; keep a gap between two.
    widest = 6 * CHAR_WIDTH
    gaps = {round(b.x - a.x, 1) for a, b in zip(labels, labels[1:], strict=False)}
    assert min(gaps) >= widest + CHAR_WIDTH
    assert max(gaps) - min(gaps) <= 0.2, "labels should be evenly spaced"
    assert labels[0].x - widest / 2 >= 0 and labels[-1].x + widest / 2 <= WIDTH


@pytest.mark.parametrize(
    ("values", "expected_runs"),
    [
        pytest.param(days(START, 1, 2, 3, 4), [4], id="every-day-one-line"),
        pytest.param(days(START, 1, None, None, 4), [2], id="two-missing-days-still-joined"),
        pytest.param(
            days(START, 1, 2, None, None, None, 6, 7), [2, 2], id="three-missing-days-break"
        ),
        pytest.param(
            days(START, 1, 2, None, None, None, 6, None, None, None, 9, 8),
            [2, 2],
            id="lone-point-between-gaps-has-no-line",
        ),
    ],
)
def test_long_gaps_break_the_line(values, expected_runs):
    chart = build_chart(values, START, END)

    assert [len(s.points) for s in chart.segments] == expected_runs
    assert len(chart.points) == len(values)


def test_segment_path_joins_its_points():
    chart = build_chart(days(START, 0, 10), START, START + timedelta(1))

    (segment,) = chart.segments
    assert segment.path == f"M{PLOT_LEFT} {PLOT_BOTTOM} L{PLOT_RIGHT} {PLOT_TOP}"


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        pytest.param([], "", id="empty"),
        pytest.param([(1, 2)], "M1 2", id="one-point"),
        pytest.param(
            [(32.0, 150.0), (45.33, 97.96), (58.5, 20)],
            "M32 150 L45.3 98 L58.5 20",
            id="rounded-to-one-place",
        ),
    ],
)
def test_svg_path(points, expected):
    assert svg_path(points) == expected


@pytest.mark.parametrize(
    ("scan_day", "results_day", "expected"),
    [
        pytest.param(date(2025, 11, 3), date(2025, 11, 10), ["scan", "results"], id="both-inside"),
        pytest.param(date(2025, 10, 20), date(2025, 11, 10), ["results"], id="scan-before-range"),
        pytest.param(date(2025, 11, 3), date(2025, 11, 20), ["scan"], id="results-after-range"),
        pytest.param(None, None, [], id="no-dates"),
        pytest.param(START, END, ["scan", "results"], id="on-the-edges-count-as-inside"),
        pytest.param(date(2025, 11, 5), date(2025, 11, 5), ["scan-and-results"], id="same-day"),
    ],
)
def test_markers_only_inside_the_range(scan_day, results_day, expected):
    chart = build_chart([], START, END, scan_day=scan_day, results_day=results_day)

    assert [m.kind for m in chart.markers] == expected


def test_markers_span_the_plot_with_labels_above_it():
    chart = build_chart([], START, END, scan_day=date(2025, 11, 3), results_day=date(2025, 11, 10))

    scan, results = chart.markers
    assert (scan.y1, scan.y2) == (PLOT_TOP, PLOT_BOTTOM)
    assert scan.label == "Scan" and results.label == "Results"
    assert scan.title == "Scan, Monday 3 November"
    assert scan.label_y < PLOT_TOP
    # Scan written to the left of its line, results to the right, so close days do not clash.
    assert (scan.anchor, results.anchor) == ("end", "start")
    assert scan.label_x < scan.x < results.x < results.label_x


def test_marker_labels_at_the_edges_stay_inside_the_chart():
    chart = build_chart([], START, END, scan_day=START, results_day=END)

    scan, results = chart.markers
    # Neither fits outside its line at the edge of the plot, so each turns inwards.
    assert scan.anchor == "start" and scan.x < scan.label_x
    assert results.anchor == "end" and results.label_x < results.x < WIDTH
    for left, right in map(label_extent, chart.markers):
        assert 0 <= left and right <= WIDTH


def test_long_marker_label_at_the_start_turns_inwards():
    chart = build_chart([], START, END, scan_day=START, results_day=START)

    (both,) = chart.markers
    assert both.label == "Scan and results"
    assert both.anchor == "start" and both.label_x > both.x


def test_empty_chart_says_there_are_no_check_ins():
    chart = build_chart([], START, END, scan_day=date(2025, 11, 3))

    assert chart.points == () and chart.segments == () and chart.table_rows == ()
    assert chart.description == "Distress from 1 to 14 November: no check-ins in this period."
    assert chart.title == "Distress, 1 to 14 November"
    assert len(chart.markers) == 1


def test_single_check_in_is_a_point_without_a_line():
    chart = build_chart([(date(2025, 11, 5), 6)], START, END)

    (point,) = chart.points
    assert chart.segments == ()
    assert point.label == "5 Nov: distress 6 out of 10"
    assert (
        chart.description
        == "Distress from 1 to 14 November: 1 day with a check-in (5 Nov), distress 6."
    )


def test_description_sums_up_the_period():
    values = days(START, 4, 2, None, 8, 6, 3, 3, 5, None, 7, None, None, 5, None)
    chart = build_chart(values, START, END)

    assert chart.description == (
        "Distress from 1 to 14 November: 9 days with check-ins, highest: 8 (Tuesday 4 November)."
        " Daily averages from 2 to 8, latest 5."
    )


def test_table_rows_give_each_day_in_words():
    chart = build_chart([(date(2025, 11, 3), 4.5), (date(2025, 11, 4), 5.0)], START, END)

    assert chart.table_rows == (
        ("Monday 3 November", "4.5", "4.5"), ("Tuesday 4 November", "5", "5"))


@pytest.mark.parametrize(
    ("start", "end", "title"),
    [
        pytest.param(
            date(2025, 11, 1), date(2025, 11, 14), "Distress, 1 to 14 November", id="one-month"
        ),
        pytest.param(
            date(2025, 10, 20),
            date(2025, 11, 2),
            "Distress, 20 October to 2 November",
            id="two-months",
        ),
        pytest.param(
            date(2025, 12, 20),
            date(2026, 1, 2),
            "Distress, 20 December 2025 to 2 January 2026",
            id="across-new-year",
        ),
        pytest.param(date(2025, 11, 3), date(2025, 11, 3), "Distress, 3 November", id="one-day"),
    ],
)
def test_title_names_the_range_plainly(start, end, title):
    assert build_chart([], start, end).title == title


def test_one_day_range_puts_its_point_in_the_middle():
    chart = build_chart([(START, 5)], START, START)

    (point,) = chart.points
    assert point.x == (PLOT_LEFT + PLOT_RIGHT) / 2
    assert chart.description == "Distress on 1 November: 1 day with a check-in, distress 5."


def test_values_outside_the_range_are_left_off():
    chart = build_chart(
        [(START - timedelta(1), 9), (START, 3), (END + timedelta(1), 9)], START, END
    )

    assert [p.value for p in chart.points] == [3]


def test_numbers_are_rounded_to_one_decimal_place():
    chart = build_chart(days(START, 3.33, 6.66, 7), START, START + timedelta(29))

    for number in [n for p in chart.points for n in (p.x, p.y, p.value)]:
        assert number == round(number, 1)
    for label in chart.x_labels:
        assert label.x == round(label.x, 1)


@pytest.mark.parametrize(
    ("values", "start", "end"),
    [
        pytest.param([(START, 11)], START, END, id="above-ten"),
        pytest.param([(START, -1)], START, END, id="below-zero"),
        pytest.param([], END, START, id="ends-before-it-starts"),
    ],
)
def test_nonsense_input_is_refused(values, start, end):
    with pytest.raises(ValueError):
        build_chart(values, start, end)


def test_chart_is_frozen():
    chart = build_chart([], START, END)

    with pytest.raises(FrozenInstanceError):
        chart.title = "changed"


def utc(*args):
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        pytest.param(
            [(utc(2025, 7, 1, 23, 30), 6)],
            [(date(2025, 7, 2), 6.0)],
            id="late-summer-evening-utc-is-next-day-in-bst",
        ),
        pytest.param(
            [(utc(2025, 7, 1, 22, 59), 6)],
            [(date(2025, 7, 1), 6.0)],
            id="just-before-uk-midnight-in-bst",
        ),
        pytest.param(
            [(utc(2025, 1, 15, 23, 30), 6)], [(date(2025, 1, 15), 6.0)], id="winter-utc-is-uk-time"
        ),
        pytest.param(
            [(datetime(2025, 7, 1, 23, 30), 6)], [(date(2025, 7, 2), 6.0)], id="naive-times-are-utc"
        ),
        pytest.param(
            [(utc(2025, 7, 1, 8), 4), (utc(2025, 7, 1, 12), 5), (utc(2025, 7, 1, 23, 30), 9)],
            [(date(2025, 7, 1), 4.5), (date(2025, 7, 2), 9.0)],
            id="averages-per-uk-day",
        ),
        pytest.param(
            [(utc(2025, 7, 3, 9), 4), (utc(2025, 7, 1, 9), 2), (utc(2025, 7, 2, 9), 3)],
            [(date(2025, 7, 1), 2.0), (date(2025, 7, 2), 3.0), (date(2025, 7, 3), 4.0)],
            id="ordered-by-date",
        ),
        pytest.param(
            [(utc(2025, 7, 1, 9), None), (utc(2025, 7, 1, 10), 3), (utc(2025, 7, 2, 9), None)],
            [(date(2025, 7, 1), 3.0)],
            id="checkins-without-distress-are-ignored",
        ),
        pytest.param(
            [
                (utc(2025, 7, 1, 9), 4),
                (utc(2025, 7, 1, 10), 4),
                (utc(2025, 7, 1, 11), 4),
                (utc(2025, 7, 1, 12), 5),
            ],
            [(date(2025, 7, 1), 4.3)],
            id="halves-round-up",
        ),
        pytest.param(
            [(utc(2025, 7, 1, 9), 1), (utc(2025, 7, 1, 10), 2), (utc(2025, 7, 1, 11), 2)],
            [(date(2025, 7, 1), 1.7)],
            id="thirds-round-to-one-place",
        ),
        pytest.param([], [], id="nothing"),
    ],
)
def test_daily_values_average_each_uk_day(entries, expected):
    assert daily_values(entries, UK) == expected


def test_daily_values_feed_the_chart():
    entries = [(utc(2025, 10, 31, 23, 30), 8), (utc(2025, 11, 2, 9), 2)]

    chart = build_chart(daily_values(entries, UK), START, END)

    # 31 October 23:30 UTC is still 31 October in the UK once the clocks have gone back.
    assert [p.date for p in chart.points] == [date(2025, 11, 2)]


@pytest.mark.parametrize(
    ("length", "radius"),
    [
        pytest.param(1, 5.5, id="one-day"),
        pytest.param(14, 5.5, id="fortnight"),
        pytest.param(15, 5.0, id="just-over-a-fortnight"),
        pytest.param(30, 5.0, id="month"),
        pytest.param(31, 5.0, id="long-month"),
        pytest.param(32, 4.5, id="over-a-month"),
        pytest.param(90, 4.5, id="three-months"),
    ],
)
def test_dots_shrink_as_days_crowd_together(length, radius):
    chart = build_chart([], START, START + timedelta(length - 1))

    assert chart.dot_radius == radius


@pytest.mark.parametrize("length", [1, 14, 30, 90])
def test_every_dot_and_label_is_big_enough_on_the_narrowest_phone(length):
    chart = build_chart(days(START, *([5] * length)), START, START + timedelta(length - 1))
    # On a 320 px phone the chart is about 272 px wide (measured in Chromium).
    scale = 272 / chart.width
    assert 2 * chart.dot_radius * scale >= 8
    assert chart.font_size * scale >= 14


@pytest.mark.parametrize(
    ("length", "scan_offset", "results_offset"),
    [
        pytest.param(90, 69, 81, id="90-days-results-near-the-end"),
        pytest.param(90, 80, 89, id="90-days-results-on-the-last-day"),
        pytest.param(30, 20, 22, id="30-days-two-days-apart"),
        pytest.param(14, 3, 4, id="14-days-next-day"),
        pytest.param(14, 0, 1, id="scan-on-the-first-day"),
        pytest.param(90, 0, 3, id="90-days-both-at-the-start"),
    ],
)
def test_marker_labels_never_write_over_each_other(length, scan_offset, results_offset):
    end = START + timedelta(length - 1)
    chart = build_chart(
        [],
        START,
        end,
        scan_day=START + timedelta(scan_offset),
        results_day=START + timedelta(results_offset),
    )

    scan, results = chart.markers
    (scan_left, scan_right), (results_left, results_right) = map(label_extent, chart.markers)
    same_row = scan.label_y == results.label_y
    assert not (same_row and scan_left < results_right and results_left < scan_right)
    for left, right in ((scan_left, scan_right), (results_left, results_right)):
        assert 0 <= left and right <= WIDTH


def test_marker_labels_far_apart_share_the_row_above_the_plot():
    chart = build_chart([], START, END, scan_day=date(2025, 11, 2), results_day=date(2025, 11, 12))

    assert {m.label_y for m in chart.markers} == {PLOT_TOP - 6}


def test_crowded_results_label_drops_inside_the_plot():
    end = START + timedelta(89)
    chart = build_chart(
        [], START, end, scan_day=START + timedelta(69), results_day=START + timedelta(81)
    )

    scan, results = chart.markers
    assert scan.label_y < PLOT_TOP < results.label_y < PLOT_BOTTOM


# Peaks: a day's highest single score is marked and named, never hidden by its average.
TUESDAY = date(2025, 11, 4)


def test_daily_scores_keep_each_days_highest_score():
    entries = [(utc(2025, 11, 4, 9), 8), (utc(2025, 11, 4, 12), 9), (utc(2025, 11, 4, 18), 10),
               (utc(2025, 11, 5, 9), 3)]
    assert daily_scores(entries, UK) == [(TUESDAY, 9.0, 10), (date(2025, 11, 5), 3.0, 3)]


def test_a_day_of_8_9_and_10_says_highest_10_and_names_the_day():
    entries = [(utc(2025, 11, 3, 9), 2), (utc(2025, 11, 4, 9), 8), (utc(2025, 11, 4, 12), 9),
               (utc(2025, 11, 4, 18), 10), (utc(2025, 11, 5, 9), 4)]
    chart = build_chart(daily_scores(entries, UK), START, END)
    assert "highest: 10 (Tuesday 4 November)" in chart.description
    assert "highest: 9" not in chart.description
    (peak,) = chart.peaks
    assert (peak.date, peak.value, peak.peak) == (TUESDAY, 9.0, 10)
    assert peak.peak_y < peak.y  # the peak sits above the day's average dot
    assert peak.label == "4 Nov: average distress 9, highest 10 out of 10"
    assert ("Tuesday 4 November", "9", "10") in chart.table_rows


def test_the_latest_day_is_named_when_two_days_share_the_highest_score():
    chart = build_chart([(date(2025, 11, 3), 5, 9), (date(2025, 11, 6), 7, 9)], START, END)
    assert "highest: 9 (Thursday 6 November)" in chart.description


def test_a_day_with_one_score_has_no_separate_peak_mark():
    chart = build_chart([(date(2025, 11, 3), 5, 5), (date(2025, 11, 4), 6, 6)], START, END)
    assert chart.peaks == ()


def test_a_peak_outside_the_scale_is_refused():
    with pytest.raises(ValueError, match="outside 0 to 10"):
        build_chart([(date(2025, 11, 3), 5, 11)], START, END)
