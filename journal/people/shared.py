"""The page a chosen person opens from their link or short code: read-only, never indexed,
never cached, sending no referrer, and naming nothing the patient did not choose."""

from datetime import timedelta

from flask import current_app, redirect, render_template, request, session, url_for

from ..accounts import throttle
from ..guidance import loading
from ..platform import security_log
from ..platform.clock import parse_utc, utc_now
from ..platform.db import get_db
from ..platform.web import client_address
from ..scans import questions
from ..scans import records as scans
from ..trends import queries as trends
from . import bp, codes, marks, records

# Where a short code opened a link, the link's id is kept in the holder's session.
SESSION_KEY = "person_link"
# Short codes are far shorter than link tokens, so tries are limited: per address, and in
# all, since a wrong code names no link to lock.
CODE_TRIES = throttle.Limit(10, timedelta(minutes=15))
ALL_CODE_TRIES = throttle.Limit(200, timedelta(minutes=15))
CODE_KEY = "person-link-code"
TREND_RANGE = "30"
# The stage of her scan in words for someone beside her (the packs speak to the patient).
STAGE_WORDS = {
    "no-date": "Waiting for a scan date",
    "before": "The scan is coming up",
    "prepare": "The scan is soon",
    "scan-day": "Today is scan day",
    "afterwards": "The scan is done",
    "waiting": "Waiting for results",
    "results-due": "Results may come soon",
    "overdue": "The results have not come yet, and it may be time to ask",
    "results-received": "The results have come",
}
GONE = 410


def private(response, status=200):
    """The holder's page: kept out of search engines, caches and other sites' logs."""
    response = current_app.make_response((response, status))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    # This page has no form, so Flask-WTF's Referer check on HTTPS posts is not in play.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _no_longer(link):
    """The answer for a link that is not live: ended or expired (410), or unknown (404)."""
    status = GONE if link is not None else 404
    return private(render_template("people/not_working.html", private=True), status)


def _show(person, link):
    db = get_db()
    records.record_open(db, person, link)
    view = shared_view(db, person)
    return private(render_template("people/shared.html", private=True, person=person,
                                   stage_words=STAGE_WORDS, **view))


def shared_view(db, person, now=None):
    """What this person may see, as the patient chose it, and when it last changed."""
    now = now or loading.now()
    view = {"journey": None, "chart": None, "entries": [], "questions": []}
    changed = []
    if person.show_scan:
        row = scans.current_scan(db, person.patient_id)
        if row is not None:
            view["journey"] = scans.journey_for(row, loading.packs(), loading.default_kind(),
                                                now)
            changed.append(row["updated_at"] or row["created_at"])
    if person.show_trend:
        _, view["chart"] = trends.chart_for_patient(db, person.patient_id, TREND_RANGE, now)
        latest = db.execute(
            "SELECT MAX(COALESCE(updated_at, created_at)) FROM entries WHERE patient_id = ?"
            " AND deleted_at IS NULL AND distress IS NOT NULL", [person.patient_id]).fetchone()
        changed.append(latest[0])
    if person.show_checkins:
        view["entries"] = marks.entries_for_person(db, person)
        changed += [(e.updated_at or e.created_at) for e in view["entries"]]
    if person.show_questions:
        view["questions"] = questions.questions_for(db, person.patient_id)
        changed += [q["created_at"] for q in view["questions"]]
    moments = [parse_utc(c) if isinstance(c, str) else c for c in changed if c]
    view["updated_at"] = max(moments, default=None)
    return view


@bp.route("/shared/<token>")
def shared(token):
    person, link = records.live_by_token(get_db(), token)
    if person is None:
        return _no_longer(link)
    return _show(person, link)


@bp.route("/shared")
def code_form():
    return _code_page({}, {})


def _code_page(values, errors, status=200):
    page = render_template("people/code.html", private=True, values=values, errors=errors)
    response = current_app.make_response((page, status))
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.route("/shared", methods=["POST"])
def code_entered():
    values = {"code": (request.form.get("code") or "").strip()[:20]}
    if codes.code_digest(current_app.secret_key, values["code"]) is None:
        return _code_page(values, {"code": "Codes have 6 letters and numbers, like KD4-7PM. "
                                           "Check what you typed."}, 422)
    db = get_db()
    now = utc_now()
    attempt = throttle.begin(db, CODE_KEY, f"person-code:{client_address()}", now,
                             ALL_CODE_TRIES, CODE_TRIES)
    if not attempt.allowed:
        minutes = throttle.minutes_to_wait(attempt.wait)
        response = _code_page(values, {"code": "Too many codes were tried. Please wait "
                                               f"{minutes} minutes and try again."}, 429)
        response.headers["Retry-After"] = str(int(attempt.wait.total_seconds()) + 1)
        return response
    person, link = records.live_by_code(db, current_app.secret_key, values["code"], now)
    if person is None:
        security_log.warn("person_code_refused")
        message = ("That code no longer works. Ask the person who gave it to you for a new one."
                   if link is not None else
                   "We could not find that code. Check it with the person who gave it to you.")
        return _code_page(values, {"code": message}, 422)
    throttle.forgive(db, attempt.failure_id)
    session[SESSION_KEY] = link.id
    return redirect(url_for("people.shared_by_code"), code=303)


@bp.route("/shared/page")
def shared_by_code():
    link_id = session.get(SESSION_KEY)
    person, link = records.live_by_id(get_db(), link_id) if link_id else (None, None)
    if person is None:
        session.pop(SESSION_KEY, None)
        if link_id is None:
            return redirect(url_for("people.code_form"), code=303)
        return _no_longer(link)
    return _show(person, link)
