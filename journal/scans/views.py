"""My scan: add and edit scans, calendar files, and questions for my appointment."""

from flask import Response, flash, g, redirect, request, session, url_for
from werkzeug.exceptions import NotFound

from ..accounts.sign_in import login_required
from ..care import sharing
from ..guidance import loading
from ..platform.clock import parse_utc, uk_today, utc_now
from ..platform.db import get_db
from ..platform.security import stale_form_view
from ..platform.templating import uk_time
from ..platform.web import deleted_row_to_restore, is_htmx, page
from . import bp, calendar, questions, records, validation

# Brings the help panel into view over an htmx swap.
SHOW_HELP = {"HX-Reswap": "outerHTML show:#reach-out:top"}
# Where the "my results have come" form may send the patient back to.
BACK = {"home": "diary.home", "scans": "scans.my_scan"}


def _form_context(values, errors, scan=None):
    return {"values": values, "errors": errors, "scan": scan,
            "packs": loading.packs_in_order(), "units": validation.UNITS}


@bp.route("/scans")
@login_required(role="patient")
def my_scan():
    db = get_db()
    rows = records.scans_for(db, g.user.id)
    now = loading.now()
    journeys = [records.journey_for(r, loading.packs(), loading.default_kind(), now) for r in rows]
    earlier = journeys[1:]
    return page("scans/my_scan.html", [], journey=journeys[0] if journeys else None,
                waiting=records.waits_first([j for j in earlier if j.awaiting_results]),
                earlier=[j for j in earlier if not j.awaiting_results],
                reach_out=session.pop("reach_out", None))


@bp.route("/scans/new")
@login_required(role="patient")
def new():
    start = {"results_told_unit": "days", **records.starting_values(get_db(), g.user.id)}
    return page("scans/form.html", [], carried=bool(len(start) > 1), **_form_context(start, {}))


@bp.route("/scans", methods=["POST"])
@login_required(role="patient")
def create():
    db = get_db()
    values, fields, errors = validation.check_scan(request.form, loading.packs(),
                                              uk_today(loading.now()))
    if errors:
        return page("scans/form.html", [], status=422, **_form_context(values, errors))
    records.create(db, g.user.id, fields)
    flash("Your scan is saved.")
    return _after_scan_save(fields, "diary.home")


def _after_scan_save(fields, endpoint):
    """Back to the page, with the help panel in view if the letter notes call for it."""
    reach_out = loading.reach_out(loading.check(None, fields.get("letter_notes")))
    if reach_out:
        session["reach_out"] = reach_out
        return redirect(url_for(endpoint, _anchor="reach-out"), code=303)
    return redirect(url_for(endpoint), code=303)


@bp.route("/scans/<int:scan_id>/edit")
@login_required(role="patient")
def edit(scan_id):
    row = records.scan_for(get_db(), scan_id, g.user)
    return page("scans/form.html", [], **_form_context(validation.form_values(row), {}, row))


@bp.route("/scans/<int:scan_id>", methods=["POST"])
@login_required(role="patient")
def save(scan_id):
    db = get_db()
    row = records.scan_for(db, scan_id, g.user)
    values, fields, errors = validation.check_scan(request.form, loading.packs(),
                                              uk_today(loading.now()))
    if errors:
        return page("scans/form.html", [], status=422, **_form_context(values, errors, row))
    records.update(db, row["id"], fields)
    flash("Your changes are saved.")
    return _after_scan_save(fields, "scans.my_scan")


@stale_form_view("scans.create")
@stale_form_view("scans.save")
def stale_scan_form():
    if g.user is None or g.user.role != "patient":
        return None
    row = None
    if request.view_args and "scan_id" in request.view_args:
        try:
            row = records.scan_for(get_db(), request.view_args["scan_id"], g.user)
        except NotFound:
            return None  # not theirs: the generic page, which names no scan
    values, _, _ = validation.check_scan(request.form, loading.packs(), uk_today(loading.now()))
    errors = {"form": "This page was open for a long time, so it was not saved yet. "
                      "What you typed is still here: press Save again."}
    return page("scans/form.html", [], status=422, **_form_context(values, errors, row))


@bp.route("/scans/<int:scan_id>/results", methods=["POST"])
@login_required(role="patient")
def results(scan_id):
    db = get_db()
    row = records.scan_for(db, scan_id, g.user)
    back = request.form.get("back") if request.form.get("back") in BACK else "scans"
    day, error = validation.check_results_day(request.form.get("results_received_on"),
                                         uk_today(loading.now()))
    if error:
        return page("scans/results.html", [], status=422, scan=row, error=error, back=back,
                    value=request.form.get("results_received_on") or "")
    records.set_results_received(db, row["id"], day)
    flash("Thank you. We have saved the day your results came.")
    return redirect(url_for(BACK[back]), code=303)


@bp.route("/scans/<int:scan_id>/delete", methods=["GET", "POST"])
@login_required(role="patient")
def delete(scan_id):
    db = get_db()
    row = records.scan_for(db, scan_id, g.user)
    if request.method == "GET":
        journey = records.journey_for(row, loading.packs(), loading.default_kind(),
                                    loading.now())
        return page("scans/delete.html", [], journey=journey)
    records.delete(db, row["id"])
    flash("That scan is deleted.")
    return redirect(url_for("scans.my_scan"), code=303)


def _calendar_file(event, filename):
    body = calendar.calendar([event], loading.now())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/scans/<int:scan_id>/appointment.ics")
@login_required(role="patient")
def appointment_ics(scan_id):
    row = records.scan_for(get_db(), scan_id, g.user)
    if not row["appointment_at"]:
        return _no_calendar(row)
    pack = loading.packs().get(row["kind"]) or loading.packs()[loading.default_kind()]
    return _calendar_file(records.appointment_event(row, pack.name), "scan-appointment.ics")


@bp.route("/scans/<int:scan_id>/chase-day.ics")
@login_required(role="patient")
def chase_ics(scan_id):
    row = records.scan_for(get_db(), scan_id, g.user)
    journey = records.journey_for(row, loading.packs(), loading.default_kind(), loading.now())
    if journey.info.chase_on is None:
        return _no_calendar(row)
    return _calendar_file(records.chase_event(row, journey.info.chase_on), "ask-about-results.ics")


def _no_calendar(row):
    flash("Add the date and time of your appointment first. Then you can add it to your calendar.")
    return redirect(url_for("scans.edit", scan_id=row["id"]), code=303)


# Questions for my appointment ---------------------------------------------


def _undo_offer(db):
    """The question this session deleted, while it can still be brought back; else None."""
    question_id = session.get("undo_question")
    if question_id is None:
        return None
    try:
        row = questions.question_for(db, question_id, g.user, deleted=True)
    except NotFound:
        return None  # erased; the session keeps its id, so Undo can say it has gone
    until = parse_utc(row["deleted_at"]) + questions.UNDO_WINDOW
    if until <= utc_now():
        return None
    return {"id": row["id"], "text": row["text"], "until": uk_time(until)}


def _questions_context(db, message=None, error=None, draft="", reach_out=None,
                       focus_undo=False):
    listed = questions.questions_for(db, g.user.id)
    journey = loading.current_journey(db, g.user)
    pack = journey.pack if journey else loading.packs()[loading.default_kind()]
    return {
        "questions": listed,
        "suggestions": questions.suggestions(pack, [q["text"] for q in listed]),
        "pack": pack,
        "journey": journey,
        "message": message,
        "error": error,
        "draft": draft,
        "reach_out": reach_out,
        "undo": _undo_offer(db),
        "focus_undo": focus_undo,
    }


def _after_question_change(message, anchor=None, reach_out=None, focus_undo=False):
    if is_htmx():
        body, status = page("scans/questions.html", ["questions_area"],
                            **_questions_context(get_db(), message=message, reach_out=reach_out,
                                                 focus_undo=focus_undo))
        return body, status, SHOW_HELP if reach_out else {}
    flash(message)
    if reach_out:
        session["reach_out"] = reach_out
        anchor = "reach-out"
    return redirect(url_for("scans.question_list", _anchor=anchor), code=303)


@bp.route("/questions")
@login_required(role="patient")
def question_list():
    questions.purge_deleted(get_db(), g.user.id)
    return page("scans/questions.html", ["questions_area"],
                **_questions_context(get_db(), reach_out=session.pop("reach_out", None)))


@bp.route("/questions", methods=["POST"])
@login_required(role="patient")
def add_question():
    db = get_db()
    text, error = questions.check_question(request.form.get("text"))
    if error:
        return page("scans/questions.html", ["questions_area"], status=422,
                    **_questions_context(db, error=error, draft=text))
    question_id = questions.add(db, g.user.id, text,
                                suggested=questions.is_suggestion(loading.packs(), text))
    reach_out = loading.reach_out(loading.check(None, text))
    return _after_question_change("Question added.", f"q-{question_id}", reach_out)


@bp.route("/questions/<int:question_id>/done", methods=["POST"])
@login_required(role="patient")
def tick_question(question_id):
    db = get_db()
    row = questions.question_for(db, question_id, g.user)
    done = request.form.get("done") == "1"
    questions.set_done(db, row["id"], done)
    message = "Ticked as asked." if done else "Marked as not asked yet."
    return _after_question_change(message, f"q-{row['id']}")


@bp.route("/questions/<int:question_id>/delete", methods=["POST"])
@login_required(role="patient")
def delete_question(question_id):
    db = get_db()
    row = questions.question_for(db, question_id, g.user)
    questions.delete(db, row["id"])
    session["undo_question"] = row["id"]
    return _after_question_change("Question deleted.", "questions-area", focus_undo=True)


QUESTION_GONE = "That question can no longer be brought back. Its 10 minutes to undo have passed."


@bp.route("/questions/<int:question_id>/restore", methods=["POST"])
@login_required(role="patient")
def restore_question(question_id):
    db = get_db()
    row = deleted_row_to_restore(
        lambda row_id: questions.question_for(db, row_id, g.user, deleted=True),
        "undo_question", question_id)
    restored = row is not None and questions.restore(db, row["id"])
    session.pop("undo_question", None)
    if not restored:
        return _after_question_change(QUESTION_GONE)
    return _after_question_change("Question restored.", f"q-{row['id']}")


@bp.route("/questions/<int:question_id>/share", methods=["POST"])
@login_required(role="patient")
def share_question(question_id):
    return sharing.share_from_form(
        get_db(), "question", question_id, questions.question_for,
        "care/_question_sharing.html",
        url_for("care.team"), "q",
    )
