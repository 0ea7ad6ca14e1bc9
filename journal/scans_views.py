"""My scan: add and edit scans, calendar files, and questions for my appointment."""

from flask import Blueprint, Response, flash, g, redirect, request, url_for
from werkzeug.exceptions import NotFound

from . import guidance, ics, questions, scans
from .auth import login_required
from .clock import uk_today
from .db import get_db
from .security import stale_form_view
from .web import is_htmx, page

bp = Blueprint("scans", __name__)

# Where the "my results have come" form may send the patient back to.
BACK = {"home": "journal.home", "scans": "scans.my_scan"}


def _form_context(values, errors, scan=None):
    return {"values": values, "errors": errors, "scan": scan,
            "packs": guidance.packs_in_order(), "units": scans.UNITS}


@bp.route("/scans")
@login_required(role="patient")
def my_scan():
    db = get_db()
    rows = scans.scans_for(db, g.user.id)
    now = guidance.now()
    journeys = [scans.journey_for(r, guidance.packs(), guidance.default_kind(), now) for r in rows]
    return page("scans/my_scan.html", [], journey=journeys[0] if journeys else None,
                earlier=journeys[1:])


@bp.route("/scans/new")
@login_required(role="patient")
def new():
    return page("scans/form.html", [], **_form_context({"results_told_unit": "days"}, {}))


@bp.route("/scans", methods=["POST"])
@login_required(role="patient")
def create():
    db = get_db()
    values, fields, errors = scans.check_scan(request.form, guidance.packs(),
                                              uk_today(guidance.now()))
    if errors:
        return page("scans/form.html", [], status=422, **_form_context(values, errors))
    scans.create(db, g.user.id, fields)
    flash("Your scan is saved.")
    return redirect(url_for("journal.home"), code=303)


@bp.route("/scans/<int:scan_id>/edit")
@login_required(role="patient")
def edit(scan_id):
    row = scans.scan_for(get_db(), scan_id, g.user)
    return page("scans/form.html", [], **_form_context(scans.form_values(row), {}, row))


@bp.route("/scans/<int:scan_id>", methods=["POST"])
@login_required(role="patient")
def save(scan_id):
    db = get_db()
    row = scans.scan_for(db, scan_id, g.user)
    values, fields, errors = scans.check_scan(request.form, guidance.packs(),
                                              uk_today(guidance.now()))
    if errors:
        return page("scans/form.html", [], status=422, **_form_context(values, errors, row))
    scans.update(db, row["id"], fields)
    flash("Your changes are saved.")
    return redirect(url_for("scans.my_scan"), code=303)


@stale_form_view("scans.create")
@stale_form_view("scans.save")
def stale_scan_form():
    if g.user is None or g.user.role != "patient":
        return None
    row = None
    if request.view_args and "scan_id" in request.view_args:
        try:
            row = scans.scan_for(get_db(), request.view_args["scan_id"], g.user)
        except NotFound:
            return None  # not theirs: the generic page, which names no scan
    values, _, _ = scans.check_scan(request.form, guidance.packs(), uk_today(guidance.now()))
    errors = {"form": "This page was open for a long time, so it was not saved yet. "
                      "What you typed is still here: press Save again."}
    return page("scans/form.html", [], status=422, **_form_context(values, errors, row))


@bp.route("/scans/<int:scan_id>/results", methods=["POST"])
@login_required(role="patient")
def results(scan_id):
    db = get_db()
    row = scans.scan_for(db, scan_id, g.user)
    back = request.form.get("back") if request.form.get("back") in BACK else "scans"
    day, error = scans.check_results_day(request.form.get("results_received_on"),
                                         uk_today(guidance.now()))
    if error:
        return page("scans/results.html", [], status=422, scan=row, error=error, back=back,
                    value=request.form.get("results_received_on") or "")
    scans.set_results_received(db, row["id"], day)
    flash("Thank you. We have saved the day your results came.")
    return redirect(url_for(BACK[back]), code=303)


@bp.route("/scans/<int:scan_id>/delete", methods=["GET", "POST"])
@login_required(role="patient")
def delete(scan_id):
    db = get_db()
    row = scans.scan_for(db, scan_id, g.user)
    if request.method == "GET":
        journey = scans.journey_for(row, guidance.packs(), guidance.default_kind(),
                                    guidance.now())
        return page("scans/delete.html", [], journey=journey)
    scans.delete(db, row["id"])
    flash("That scan is deleted.")
    return redirect(url_for("scans.my_scan"), code=303)


def _calendar_file(event, filename):
    body = ics.calendar([event], guidance.now())
    return Response(
        body,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/scans/<int:scan_id>/appointment.ics")
@login_required(role="patient")
def appointment_ics(scan_id):
    row = scans.scan_for(get_db(), scan_id, g.user)
    if not row["appointment_at"]:
        return _no_calendar(row)
    pack = guidance.packs().get(row["kind"]) or guidance.packs()[guidance.default_kind()]
    return _calendar_file(scans.appointment_event(row, pack.name), "scan-appointment.ics")


@bp.route("/scans/<int:scan_id>/chase-day.ics")
@login_required(role="patient")
def chase_ics(scan_id):
    row = scans.scan_for(get_db(), scan_id, g.user)
    journey = scans.journey_for(row, guidance.packs(), guidance.default_kind(), guidance.now())
    if journey.info.chase_on is None:
        return _no_calendar(row)
    return _calendar_file(scans.chase_event(row, journey.info.chase_on), "ask-about-results.ics")


def _no_calendar(row):
    flash("Add the date and time of your appointment first. Then you can add it to your calendar.")
    return redirect(url_for("scans.edit", scan_id=row["id"]), code=303)


# Questions for my appointment ---------------------------------------------


def _questions_context(db, message=None, error=None, draft=""):
    listed = questions.questions_for(db, g.user.id)
    journey = guidance.current_journey(db, g.user)
    pack = journey.pack if journey else guidance.packs()[guidance.default_kind()]
    return {
        "questions": listed,
        "suggestions": questions.suggestions(pack, [q["text"] for q in listed]),
        "pack": pack,
        "journey": journey,
        "message": message,
        "error": error,
        "draft": draft,
    }


def _after_question_change(message, anchor=None):
    if is_htmx():
        return page("scans/questions.html", ["questions_area"],
                    **_questions_context(get_db(), message=message))
    flash(message)
    return redirect(url_for("scans.question_list", _anchor=anchor), code=303)


@bp.route("/questions")
@login_required(role="patient")
def question_list():
    return page("scans/questions.html", ["questions_area"], **_questions_context(get_db()))


@bp.route("/questions", methods=["POST"])
@login_required(role="patient")
def add_question():
    db = get_db()
    text, error = questions.check_question(request.form.get("text"))
    if error:
        return page("scans/questions.html", ["questions_area"], status=422,
                    **_questions_context(db, error=error, draft=text))
    question_id = questions.add(db, g.user.id, text,
                                suggested=questions.is_suggestion(guidance.packs(), text))
    return _after_question_change("Question added.", f"q-{question_id}")


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
    return _after_question_change("Question deleted.")
