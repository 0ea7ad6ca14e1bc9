"""Care teams: patients connect and share; nurses triage shared entries and review them."""

from dataclasses import replace
from datetime import date, timedelta

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import NotFound

from ..accounts.sign_in import PASSIVE_ENDPOINTS, login_required
from ..guidance import loading
from ..platform import audit
from ..platform.clock import UK, uk_today, utc_now
from ..platform.converters import whole_number
from ..platform.db import get_db
from ..platform.web import before_id, is_htmx, page, safe_next
from ..scans import questions
from ..scans.records import as_scan, current_scan
from ..scans.stages import scan_day
from ..trends import summaries
from ..trends.chart import build_chart, daily_scores
from . import bp, cards, hours, inbox, joincodes, pending, sharing, teams, triage
from .states import patient_states

POLL_ENDPOINT = "care.poll"
# A poll is not the nurse doing anything, so it must not hold off the idle timeout.
PASSIVE_ENDPOINTS.add(POLL_ENDPOINT)
TREND_DAYS = 28


def safety():
    """The same rule as the patient's safety net, read once at start (guidance.loading)."""
    return loading.safety()


def patient_team():
    """The signed-in patient's live care-team link (cached for the request), or None."""
    if g.user is None or g.user.role != "patient":
        return None
    if "care_link" not in g:
        g.care_link = teams.live_link(get_db(), g.user.id)
    return g.care_link


def team_sees(care):
    """When the patient's team will next see something she shares now, in plain words."""
    if "team_staffed" not in g:
        g.team_staffed = teams.has_nurse(get_db(), care.team_id)
    if not g.team_staffed:
        # Working hours mean nothing to a team with nobody on the app (hazard H23).
        return "once a nurse from the team has joined this app, as nobody there reads it yet"
    return hours.when_team_sees(care.working_hours, loading.now())


def staff_team():
    """The signed-in nurse's team for their own help panel, or None for anyone else."""
    if g.user is None or g.user.role != "nurse":
        return None
    return nurse_team()


@bp.app_context_processor
def _care_helpers():
    return {"patient_team": patient_team, "staff_team": staff_team, "care_flags": triage.FLAGS,
            "team_sees": team_sees, "care_outcomes": triage.OUTCOMES, "inbox_card": cards.card}


def _back(default):
    """Where a plain form goes after its POST: the page it came from, if on this site."""
    return safe_next(request.form.get("next")) or default


# The patient's side


@bp.route("/care-team")
@login_required(role="patient")
def team():
    db = get_db()
    link = patient_team()
    context = {"link": link, "values": {}, "errors": {}}
    if link:
        context.update(
            nurses=teams.nurse_names(db, link.team_id),
            questions=questions.questions_for(db, g.user.id),
            counts=sharing.shared_counts(db, g.user.id),
        )
        return page("care/team.html", ["default_switch"], **context)
    # The sharing switch, the only part htmx swaps, exists only with a team: else the page.
    context["ended"] = teams.last_ended_link(db, g.user.id)
    return render_template("care/team.html", **context)


CONNECT_REFUSALS = {
    "unknown": ("code", "We could not find that code. Check it with your care team. "
                        "Codes look like KD4-7PM."),
    "used": ("code", "That code has already been used. Ask your care team for a new one."),
    "expired": ("code", "That code has run out. Codes last 7 days. "
                        "Ask your care team for a new one."),
    "locked": ("code", "That code is locked because the date of birth did not match too many "
                       "times. Ask your care team for a new one."),
    "locked-now": ("dob", "That date of birth does not match what your care team holds, so "
                          "the code is now locked. Ask your care team for a new one."),
    "dob": ("dob", "That date of birth does not match what your care team holds. "
                   "Check it and try again."),
    "connected": ("code", "You are already connected to a care team."),
}


def _connect_form(values, errors, status):
    context = {"link": None, "values": values, "errors": errors,
               "ended": teams.last_ended_link(get_db(), g.user.id)}
    return page("care/team.html", [], status=status, **context)


def _read_connect_form():
    """The code and date of birth as typed, and format errors (which are not counted)."""
    values = {"code": (request.form.get("code") or "").strip()[:20],
              "dob": (request.form.get("dob") or "").strip()[:10]}
    errors = {}
    code = joincodes.normalise_code(values["code"])
    dob = joincodes.parse_dob(values["dob"], uk_today(utc_now()))
    if not values["code"]:
        errors["code"] = "Enter the code your care team gave you."
    elif code is None:
        errors["code"] = "Codes have 6 letters and numbers, like KD4-7PM. Check what you typed."
    if not values["dob"]:
        errors["dob"] = "Enter your date of birth."
    elif dob is None:
        errors["dob"] = "Enter a real date of birth, like 12 April 1971."
    return values, code, dob, errors


def _too_many_tries(db):
    since = utc_now() - timedelta(hours=1)
    return audit.refused_since(db, g.user.id, since) >= joincodes.TRIES_PER_HOUR


TOO_MANY = ("You have tried too many codes in the last hour. Please wait an hour, "
            "or ask your care team for help.")


@bp.route("/care-team/connect", methods=["POST"])
@login_required(role="patient")
def connect():
    db = get_db()
    link = patient_team()
    if link:
        flash(f"You are already connected to {link.team_name}.")
        return redirect(url_for("care.team"), code=303)
    values, code, dob, errors = _read_connect_form()
    if errors:
        return _connect_form(values, errors, 422)
    if _too_many_tries(db):
        return _connect_form(values, {"form": TOO_MANY}, 429)
    found, reason = teams.check_code(db, current_app.secret_key, g.user, code, dob)
    if reason:
        field, message = CONNECT_REFUSALS[reason]
        return _connect_form(values, {field: message}, 422)
    return render_template(
        "care/consent.html",
        values={"code": joincodes.format_code(code), "dob": dob.isoformat()},
        team_name=found["team_name"],
        working_hours=found["working_hours"],
        held_name=found["held_name"],
        held_dob=found["held_dob"],
        nurses=teams.nurse_names(db, found["team_id"]),
        waiting=pending.pending_items(db, g.user.id),
    )


@bp.route("/care-team/agree", methods=["POST"])
@login_required(role="patient")
def agree():
    db = get_db()
    if patient_team():
        return redirect(url_for("care.team"), code=303)
    values, code, dob, errors = _read_connect_form()
    if errors:
        return _connect_form(values, errors, 422)
    if _too_many_tries(db):
        return _connect_form(values, {"form": TOO_MANY}, 429)
    keep = set(request.form.getlist("share"))
    kept = any(item.key in keep for item in pending.pending_items(db, g.user.id))
    link, reason = teams.connect(db, current_app.secret_key, g.user, code, dob, keep=keep)
    if reason:
        field, message = CONNECT_REFUSALS[reason]
        return _connect_form(values, {field: message}, 422)
    flash(f"You are connected to {link.team_name}. Nothing is shared until you choose."
          if not kept else
          f"You are connected to {link.team_name}. You shared what you ticked; "
          "everything else stays private until you choose.")
    return redirect(url_for("care.team"), code=303)


@bp.route("/care-team/disconnect", methods=["GET", "POST"])
@login_required(role="patient")
def disconnect():
    db = get_db()
    link = patient_team()
    if link is None:
        return redirect(url_for("care.team"), code=303)
    if request.method == "GET":
        return render_template("care/disconnect.html", link=link)
    teams.end_link(db, link, g.user, "disconnect")
    flash(f"You have disconnected. {link.team_name} can no longer see any of your entries.")
    return redirect(url_for("care.team"), code=303)


@bp.route("/care-team/default", methods=["POST"])
@login_required(role="patient")
def default():
    db = get_db()
    link = patient_team()
    if link is None:
        return redirect(url_for("care.team"), code=303)
    shared = request.form.get("shared") == "1"
    sharing.set_default(db, g.user, shared, link.team_id)
    # g.user was read before the change.
    g.user = replace(g.user, share_by_default=shared)
    if is_htmx():
        return page("care/team.html", ["default_switch"], link=link, announce=(
            f"New check-ins will be shared with {link.team_name}." if shared
            else "New check-ins will be private."))
    flash("Saved.")
    return redirect(url_for("care.team"), code=303)


@bp.route("/care-team/seen")
@login_required(role="patient")
def seen():
    events, more = audit.seen_by(get_db(), g.user.id, before_id=before_id())
    return page("care/seen.html", ["events"], events=events, more=more)


# The nurses' side


# The dashboard names this many patients who need a look; the flag filters show them all.
ATTENTION_SHOWN = 10
PATIENTS_PER_PAGE = 50


def nurse_team():
    """The signed-in nurse's team (cached for the request), or None."""
    if "care_team" not in g:
        g.care_team = teams.team_of_nurse(get_db(), g.user.id)
    return g.care_team


def _poll_tag(team):
    # A new UK day can make results overdue with no change in the data.
    return f"{team.feed_version}-{uk_today(utc_now()).isoformat()}"


def _filters():
    flag = request.args.get("flag", "")
    patient = request.args.get("patient", "")
    return {
        "flag": flag if flag in triage.FLAGS else "",
        "patient": whole_number(patient),
    }


def _inbox_context(db, team, filters, before_id=None):
    database = current_app.config["JOURNAL_DB"]
    version = inbox.team_version(team, safety())
    states = inbox.team_states(db, team, database, version)
    # Flagged entries nobody has reviewed go on top of the first page, whatever their age.
    if before_id is not None or filters["flag"] not in ("", "concern", "unreviewed"):
        pinned, more_pinned = [], False
    elif filters["patient"] is None:
        pinned, more_pinned = inbox.team_pinned(db, team, database, version, states, safety())
    else:
        pinned, more_pinned = inbox.flagged_unreviewed(db, team.id, states, safety(),
                                                       filters["patient"])
    # The pinned entries take their places on the page: a page is a page, however many.
    if before_id is None and not filters["flag"] and filters["patient"] is None:
        items, more = inbox.team_first_page(db, team, database, version, states, safety(),
                                            pinned)
    else:
        items, more = inbox.page_below(db, team.id, states, safety(), pinned,
                                       flag=filters["flag"] or None, link_id=filters["patient"],
                                       before_id=before_id)
    # Reading the inbox is reading those patients' data.
    audit.record_many(db, g.user, "view-inbox",
                      sorted({i.entry.patient_id for i in [*pinned, *items]}), team_id=team.id)
    attention = inbox.team_attention(db, team, database, version, states, ATTENTION_SHOWN)
    return {
        "team": team,
        "pinned": pinned,
        "more_pinned": more_pinned,
        "items": items,
        "more": more,
        "filters": filters,
        "only": _only_link(db, team, filters["patient"]),
        "connected": len(states),
        "attention": [(link, states[link.patient_id]) for link in attention.shown],
        "attention_total": attention.needing,
        "rising_total": attention.rising,
        "overdue_total": attention.overdue,
        "poll_tag": _poll_tag(team),
        "poll_seconds": current_app.config.get("CARE_POLL_SECONDS", 30),
        "before": before_id,
        "now_time": utc_now(),
    }


def _only_link(db, team, link_id):
    """The patient an inbox is filtered to, when it is one of the team's; else None."""
    if link_id is None:
        return None
    try:
        return teams.link_for_team(db, link_id, team)
    except NotFound:
        return None


@bp.route("/care")
@login_required(role="nurse")
def dashboard():
    team = nurse_team()
    if team is None:
        return render_template("care/dashboard.html", team=None)
    context = _inbox_context(get_db(), team, _filters(), before_id())
    return page("care/dashboard.html", ["inbox"], **context)


@bp.route("/care/poll")
@login_required(role="nurse")
def poll():
    team = nurse_team()
    if team is None or request.args.get("since") == _poll_tag(team):
        return "", 204
    context = _inbox_context(get_db(), team, _filters())
    return page("care/dashboard.html", ["inbox", "poll_announce"], polled=True, **context)


@bp.route("/care/patients", methods=["GET", "POST"])
@login_required(role="nurse")
def patients():
    team = nurse_team()
    if team is None:
        return redirect(url_for("care.dashboard"))
    # Names, dates of birth and hospital numbers go in the body, never the URL (access logs).
    words = (request.form.get("q") or "").strip()[:100]
    # An offset, not an id: past the end is simply an empty page.
    start = min(whole_number(request.form.get("start")) or 0, 10**9)
    links, more = teams.find_links(get_db(), team.id, words, offset=start,
                                   limit=PATIENTS_PER_PAGE)
    return page("care/patients.html", ["results"], team=team, links=links, words=words,
                start=start, more=more, per_page=PATIENTS_PER_PAGE,
                connected=teams.count_links(get_db(), team.id))


@bp.route("/care/patients/<int:link_id>")
@login_required(role="nurse")
def patient(link_id):
    db = get_db()
    team = nurse_team()
    link = teams.link_for_team(db, link_id, team)
    states = patient_states(db, team.id, patient_id=link.patient_id)
    items, more = inbox.shared_entries(db, team.id, link, safety(), states,
                                       before_id=before_id())
    audit.record(db, g.user, "view-patient", patient_id=link.patient_id, team_id=team.id)
    state = states[link.patient_id]
    return page(
        "care/patient.html",
        ["entries_more"],
        team=team,
        link=link,
        items=items,
        more=more,
        state=state,
        stage_words=triage.stage_words(state.stage),
        waits=[(_scan_name(row), triage.stage_words(info), triage.is_overdue(info))
               for row, info in state.waits],
        trend=triage.trend(list(state.scores)),
        chart=_trend_chart(db, link.patient_id, team.id),
        questions=inbox.shared_questions(db, link.patient_id, team.id),
        summary_shared_on=summaries.shared_on(db, link.patient_id, team.id),
    )


def _scan_name(row):
    """'CT scan on 3 November' as a nurse reads it beside the stage."""
    pack = current_app.extensions["packs"].get(row["kind"])
    day = scan_day(as_scan(row))
    return f"{pack.name if pack else 'Scan'} on {day.day} {day:%B}"


@bp.route("/care/patients/<int:link_id>/summary")
@login_required(role="nurse")
def summary(link_id):
    db = get_db()
    link = teams.link_for_team(db, link_id, nurse_team())
    view = summaries.summary_view(db, link.patient_id, team_id=link.team_id)
    if view is None:
        abort(404)  # private again, or never shared: the same answer as any other miss
    audit.record(db, g.user, "view-summary", patient_id=link.patient_id, team_id=link.team_id)
    return render_template("care/summary.html", link=link, summary=view)


def _trend_chart(db, patient_id, team_id):
    """The last four weeks of distress shared with the team, drawn by the chart module."""
    now = utc_now()
    end = uk_today(now)
    start = end - timedelta(days=TREND_DAYS - 1)
    scores = inbox.shared_scores_since(db, patient_id, team_id,
                                       now - timedelta(days=TREND_DAYS + 1))
    row = current_scan(db, patient_id)
    scan = as_scan(row) if row else None
    return build_chart(
        daily_scores(scores, UK), start, end,
        scan_day=scan_day(scan) if scan else None,
        results_day=scan.results_received_on if scan else None,
    )


@bp.route("/care/entries/<int:entry_id>/review", methods=["POST"])
@login_required(role="nurse")
def review(entry_id):
    db = get_db()
    team = nurse_team()
    item = inbox.shared_entry_for_team(db, entry_id, team, safety())
    outcome = triage.check_outcome(request.form.get("outcome"))
    if outcome is None:
        message = "Choose what you did before marking it reviewed."
        if is_htmx():
            return render_template(
                "care/_item.html", item=item, outcome_error=message,
                in_patient_view=request.form.get("view") == "patient"), 422
        flash(message)
        return redirect(_back(url_for("care.dashboard")), code=303)
    inbox.review(db, g.user, team, item, outcome)
    item = inbox.shared_entry_for_team(db, entry_id, team, safety())
    if is_htmx():
        return render_template(
            "care/_item.html", item=item, in_patient_view=request.form.get("view") == "patient",
            announce=f"Marked as reviewed: {item.link.held_name}'s check-in.",
        )
    flash(f"Marked as reviewed: {item.link.held_name}'s check-in.")
    return redirect(_back(url_for("care.dashboard")), code=303)


@bp.route("/care/patients/<int:link_id>/discharge", methods=["GET", "POST"])
@login_required(role="nurse")
def discharge(link_id):
    db = get_db()
    link = teams.link_for_team(db, link_id, nurse_team())
    if request.method == "GET":
        return render_template("care/discharge.html", link=link)
    teams.end_link(db, link, g.user, "discharge")
    flash(f"{link.held_name} is discharged. Their entries are no longer shared with the team.")
    return redirect(url_for("care.dashboard"), code=303)


@bp.route("/care/codes", methods=["GET", "POST"])
@login_required(role="nurse")
def codes():
    db = get_db()
    team = nurse_team()
    values, errors, code, code_for = {}, {}, None, None
    if team is not None and request.method == "POST":
        values, errors = joincodes.check_patient_details(request.form, uk_today(utc_now()))
        if not errors:
            code = teams.create_code(db, team.id, g.user.id, values, current_app.secret_key)
            code_for = dict(values, dob=date.fromisoformat(values["dob"]))
            values = {}
    context = {
        "team": team,
        "values": values,
        "errors": errors,
        "code": code,
        "code_for": code_for,
        "lifetime_days": joincodes.LIFETIME.days,
        "recent": teams.recent_codes(db, team.id) if team else [],
        "now": utc_now(),
        "code_status": teams.code_status,
    }
    # The new code is shown once, on this answer, and never stored where it can be read.
    return render_template("care/codes.html", **context), 422 if errors else 200
