"""The patient's trends page, the "this helped" mark and the appointment summary."""

from flask import flash, g, redirect, request, url_for

from ..accounts.sign_in import login_required
from ..care import teams
from ..platform import audit
from ..platform.clock import utc_now
from ..platform.converters import whole_number
from ..platform.db import get_db
from ..platform.web import is_htmx, page
from ..scans.records import current_scan
from . import bp, insights, periods, queries, summaries


@bp.route("/trends")
@login_required(role="patient")
def trends_page():
    db = get_db()
    view = queries.trend_view(db, g.user.id, request.args.get("range"), utc_now())
    return page(
        "trends/trends.html",
        ["trend"],
        view=view,
        ranges=periods.RANGE_LABELS,
        scan_range=periods.SCAN_RANGE,
        before_after_note=insights.BEFORE_AFTER_NOTE,
        announce=is_htmx(),
    )


def _summary_scan_id(db):
    scan = current_scan(db, g.user.id)
    return scan["id"] if scan else None


@bp.route("/summary")
@login_required(role="patient")
def summary():
    db = get_db()
    view = summaries.summary_view(db, g.user.id, utc_now())
    # Notes up to today can be picked, even when the chart stops on the results day.
    start = view.period.start
    choices = summaries.note_choices(db, g.user.id, start, view.made_on, view.summary_id)
    return page("trends/summary.html", [], summary=view, choices=choices, choices_from=start)


@bp.route("/summary/notes", methods=["POST"])
@login_required(role="patient")
def pick_notes():
    db = get_db()
    picked = [n for n in map(whole_number, request.form.getlist("notes")) if n is not None]
    count = summaries.pick_notes(db, g.user.id, _summary_scan_id(db), picked)
    flash(
        "Saved. Your summary has no notes." if count == 0
        else f"Saved. Your summary has {count} note{'s' if count != 1 else ''}."
    )
    return redirect(url_for("trends.summary", _anchor="summary-notes"), code=303)


@bp.route("/summary/share", methods=["POST"])
@login_required(role="patient")
def share_summary():
    db = get_db()
    shared = request.form.get("shared") == "1"
    summaries.set_shared(db, g.user.id, _summary_scan_id(db), shared)
    link = teams.live_link(db, g.user.id)
    audit.record(db, g.user, "share-summary" if shared else "unshare-summary",
                 patient_id=g.user.id, team_id=link.team_id if link else None)
    if not shared:
        flash("Your summary is private again. No care team can see it.")
    elif link:
        flash(f"Your summary is shared with {link.team_name}.")
    else:
        flash("Saved. When you join a care team, we will show you this summary and ask "
              "whether to share it with them. Until then, nobody else can see it.")
    return redirect(url_for("trends.summary", _anchor="share"), code=303)
