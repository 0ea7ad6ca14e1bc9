"""Trends: the SQL behind one patient's distress chart and gentle insights."""

from dataclasses import dataclass
from datetime import date, time, timedelta

from ..diary.entries import Entry
from ..diary.validation import TOPICS
from ..platform.clock import UK, parse_utc, uk_local_to_utc, uk_today, utc_iso
from ..scans.records import as_scan, current_scan
from ..scans.stages import scan_day as scan_day_of
from . import insights
from .chart import build_chart, daily_scores
from .periods import Period, period_for, range_key, wait_windows, week_windows

TOP_N = 3
HELPED_SHOWN = 5


def scan_dates(scan_row):
    """(scan day, results day) of a scan row as UK dates; either may be None."""
    if scan_row is None:
        return None, None
    results = scan_row["results_received_on"]
    return scan_day_of(as_scan(scan_row)), date.fromisoformat(results) if results else None


def day_start_utc(day):
    """The stored-time string for the first moment of a UK day."""
    return utc_iso(uk_local_to_utc(day, time(0)))


def _only(only):
    # `only` is a condition on entries written in code, alone or with its named parameters
    # (for example the care team's rule for entries shared with it); never request text.
    if not only:
        return "", {}
    condition, values = (only, {}) if isinstance(only, str) else only
    return f" AND ({condition})", values


def distress_values(db, patient_id, start, end, only=None):
    """Each UK day's (day, average, highest) distress from start to end, both included."""
    condition, values = _only(only)
    rows = db.query(
        "SELECT created_at, distress FROM entries WHERE patient_id = :patient"  # noqa: S608 - see _only
        " AND deleted_at IS NULL AND distress IS NOT NULL"
        " AND created_at >= :start AND created_at < :end" + condition + " ORDER BY created_at",
        {"patient": patient_id, "start": day_start_utc(start),
         "end": day_start_utc(end + timedelta(days=1)), **values},
    )
    return daily_scores(((parse_utc(r["created_at"]), r["distress"]) for r in rows), UK)


def chart_for_patient(db, patient_id, key, now, only=None):
    """The distress chart for one patient and range key, from all entries or `only` some.

    The care team's view passes its shared-entries condition as `only`.
    """
    scan_day, results_day = scan_dates(current_scan(db, patient_id))
    return _chart(db, patient_id, key, uk_today(now), scan_day, results_day, only)


def _chart(db, patient_id, key, today, scan_day, results_day, only=None):
    """(period, chart) for a range key once the scan's dates are known."""
    period = period_for(range_key(key, scan_day is not None), today, scan_day, results_day)
    values = distress_values(db, patient_id, period.start, period.end, only)
    return period, build_chart(values, period.start, period.end, scan_day, results_day)


def average_distress(db, patient_id, windows, only=None):
    """Average distress in each (first day, day after the last) window, in one query."""
    columns = ", ".join(
        f"AVG(CASE WHEN created_at >= :s{i} AND created_at < :e{i} THEN distress END)"
        for i in range(len(windows))
    )
    params = {"patient": patient_id}
    for i, (start, end) in enumerate(windows):
        params[f"s{i}"], params[f"e{i}"] = day_start_utc(start), day_start_utc(end)
    params["first"] = min(params[f"s{i}"] for i in range(len(windows)))
    params["last"] = max(params[f"e{i}"] for i in range(len(windows)))
    condition, values = _only(only)
    row = db.execute(
        f"SELECT {columns} FROM entries WHERE patient_id = :patient"  # noqa: S608 - built from indexes
        " AND deleted_at IS NULL AND distress IS NOT NULL"
        " AND created_at >= :first AND created_at < :last" + condition,
        {**params, **values},
    ).fetchone()
    return list(row)


def item_counts(db, patient_id, start, end):
    """How often each feeling and topic was noted from start to end: two name-count dicts."""
    where = (
        "entries.patient_id = :patient AND entries.deleted_at IS NULL"
        " AND entries.created_at >= :start AND entries.created_at < :end"
    )
    rows = db.query(
        f"SELECT 'feelings' AS kind, item.value AS name, COUNT(*) AS n"  # noqa: S608 - no input
        f" FROM entries JOIN json_each(entries.feelings) AS item WHERE {where} GROUP BY item.value"
        f" UNION ALL SELECT 'topics', item.value, COUNT(*)"
        f" FROM entries JOIN json_each(entries.topics) AS item WHERE {where} GROUP BY item.value",
        {
            "patient": patient_id,
            "start": day_start_utc(start),
            "end": day_start_utc(end + timedelta(days=1)),
        },
    )
    counts = {"feelings": {}, "topics": {}}
    for row in rows:
        counts[row["kind"]][row["name"]] = row["n"]
    return counts["feelings"], counts["topics"]


def helped_entries(db, patient_id, limit=HELPED_SHOWN):
    """The newest entries the patient marked "this helped", and how many there are in all."""
    rows = list(
        db.query(
            "SELECT *, COUNT(*) OVER () AS total FROM entries"
            " WHERE patient_id = ? AND helped = 1 AND deleted_at IS NULL"
            " ORDER BY created_at DESC, id DESC LIMIT ?",
            [patient_id, limit],
        )
    )
    return [Entry.from_row(r) for r in rows], rows[0]["total"] if rows else 0


@dataclass(frozen=True)
class TrendView:
    """Everything the trends page shows for one range."""

    period: Period
    chart: object
    has_scan_day: bool
    has_entries: bool
    week_words: str
    feelings_words: str
    topics_words: str
    helped: list
    helped_total: int
    helped_words: str
    before_after: list | None


def trend_view(db, patient_id, key, now):
    """The chart and gentle insights for the patient's own trends page."""
    today = uk_today(now)
    scan_day, results_day = scan_dates(current_scan(db, patient_id))
    period, chart = _chart(db, patient_id, key, today, scan_day, results_day)
    windows = list(week_windows(today))
    if results_day is not None and scan_day is not None and results_day >= scan_day:
        windows += wait_windows(scan_day, results_day, today)
    averages = average_distress(db, patient_id, windows)
    feelings, topics = item_counts(db, patient_id, period.start, period.end)
    helped, helped_total = helped_entries(db, patient_id)
    before_after = None
    if len(averages) == 5:
        before_after = [
            (label, insights.average_words(value))
            for label, value in insights.before_after(*averages[2:])
        ]
    return TrendView(
        period=period,
        chart=chart,
        has_scan_day=scan_day is not None,
        has_entries=bool(chart.points or feelings or topics),
        week_words=insights.week_words(*averages[:2]),
        feelings_words=insights.most_often(
            insights.top_items(feelings, TOP_N), "feelings", lambda name: name
        ),
        topics_words=insights.most_often(
            insights.top_items({k: v for k, v in topics.items() if k in TOPICS}, TOP_N),
            "topics",
            lambda key: TOPICS[key].lower(),
        ),
        helped=helped,
        helped_total=helped_total,
        helped_words=insights.helped_words(helped_total),
        before_after=before_after,
    )
