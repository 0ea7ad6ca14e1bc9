"""The patient's journal: home, check-ins, timeline, search, edit and delete."""

import sqlite3
from urllib.parse import urlsplit

from flask import flash, g, redirect, request, session, url_for

from ..accounts.sign_in import load_user, login_required
from ..care import sharing
from ..guidance import loading
from ..platform.clock import utc_now
from ..platform.db import get_db
from ..platform.security import stale_form_view
from ..platform.templating import uk_time
from ..platform.text import without_hidden
from ..platform.unavailable import is_unavailable, keeps_draft
from ..platform.web import before_id, deleted_row_to_restore, is_htmx, page, safe_next
from . import bp, entries, validation


def home_context(db, values=None, errors=None, saved=None):
    latest, _ = entries.page(db, g.user.id, limit=3)
    journey = loading.current_journey(db, g.user)
    return {
        "journey": journey,
        "journeys": loading.scans_to_show(db, g.user, journey),
        "prompt": loading.todays_prompt(journey, g.user),
        "today": entries.latest_today(db, g.user.id),
        "latest": latest,
        "values": values or {},
        "errors": errors or {},
        "saved": saved,
        "feelings": validation.FEELINGS,
        "topics": validation.TOPICS,
    }


@bp.route("/home")
@login_required(role="patient")
def home():
    # Set by a save that asked for the help panel, when it came without htmx.
    reach_out = session.pop("reach_out", None)
    return page("diary/home.html", [], reach_out=reach_out, **home_context(get_db()))


def _reach_out(values, shared):
    """The help panel's state after saving these values (note, answer, score), or None."""
    distress = values["distress"] if isinstance(values["distress"], int) else None
    found = loading.check(distress, values["note"], values.get("prompt_answer"))
    return loading.reach_out(found, shared)


# Brings the help panel into view over an htmx swap: the Save button is at the foot.
SHOW_HELP = {"HX-Reswap": "outerHTML show:#reach-out:top"}


@bp.route("/check-in")
@login_required(role="patient")
def check_in_page():
    """The check-in form on its own: the app's shortcut, and quick on a slow phone."""
    # From the calming minute's "Check in and note it": the box starts ticked.
    values = {"calm_helped": request.args.get("calm") == "1"}
    return page("diary/check_in.html", [], **home_context(get_db(), values))


def _from_check_in_page():
    """True when htmx sends the form from the check-in page, which has no home sections."""
    here = urlsplit(request.headers.get("HX-Current-URL", "")).path
    return here == url_for("diary.check_in_page")


@bp.route("/check-in", methods=["POST"])
@login_required(role="patient")
def check_in():
    db = get_db()
    values, errors = validation.check_entry(request.form)
    if errors:
        return page(
            "diary/home.html",
            ["checkin_form"],
            status=422,
            **home_context(db, values, errors),
        )
    if not loading.is_known_prompt(values["prompt"]):
        values["prompt"] = loading.todays_prompt(loading.current_journey(db, g.user), g.user)
    entry_id = entries.create(db, g.user.id, values)
    _tidy(db)
    saved = entries.entry_for(db, entry_id, g.user)
    reach_out = _reach_out(values, saved.shared)
    if is_htmx():
        # The check-in page shows home's form block and nothing else of home.
        blocks = ["checkin_form"] if _from_check_in_page() else ["checkin_form", "today", "latest"]
        body, status = page("diary/home.html", blocks, oob=len(blocks) > 1,
                            reach_out=reach_out, **home_context(db, saved=saved))
        return body, status, SHOW_HELP if reach_out else {}
    flash("Saved. Your check-in is on your timeline.")
    if reach_out:
        session["reach_out"] = reach_out
        return redirect(url_for("diary.home", _anchor="reach-out"), code=303)
    return redirect(url_for("diary.home"), code=303)


STALE = (
    "This page was open for a long time, so it was not saved yet. "
    "Your words are still here: press Save again."
)


def _tidy(db):
    """Erase entries past their undo window; it can wait when the database cannot write,
    so a saved check-in is never reported as failed and the timeline still shows."""
    try:
        entries.purge_deleted(db, g.user.id)
    except sqlite3.OperationalError as error:
        if not is_unavailable(error):
            raise


def _patient():
    """The signed-in patient, or None; also in error handlers, where the CSRF check may
    have stopped the request before the user was loaded."""
    if "user" not in g:
        load_user()
    return g.user if g.user is not None and g.user.role == "patient" else None


@stale_form_view("diary.check_in")
def stale_check_in():
    if _patient() is None:
        return None
    values, _ = validation.check_entry(request.form)
    return page("diary/home.html", ["checkin_form"], status=422,
                **home_context(get_db(), values, {"form": STALE}))


@bp.route("/timeline")
@login_required(role="patient")
def timeline():
    db = get_db()
    _tidy(db)
    found, more = entries.page(db, g.user.id, before_id=before_id())
    # A later page starts mid-day when the day's heading was already shown.
    last_day = request.args.get("after_day")
    undo = _restorable(db)
    return page(
        "diary/timeline.html",
        ["more"],
        days=entries.by_day(found),
        more=more,
        continues_day=last_day,
        undo=undo,
        reach_out=session.pop("reach_out", None),
    )


def _restorable(db):
    """The entry that the last delete could still bring back, if any."""
    entry_id = session.get("undo")
    if not entry_id:
        return None
    rows = list(
        db.query(
            "SELECT id FROM entries WHERE id = ? AND patient_id = ? AND deleted_at IS NOT NULL",
            [entry_id, g.user.id],
        )
    )
    if not rows:
        session.pop("undo", None)
        return None
    return entry_id


@bp.route("/timeline/search", methods=["GET", "POST"])
@login_required(role="patient")
def search():
    # The words go in the request body, never the URL, so they stay out of logs.
    query = ""
    if request.method == "POST":
        query = " ".join(without_hidden(request.form.get("q")).split())[:200]
    results = entries.search(get_db(), g.user.id, query) if query else []
    return page(
        "diary/search.html", ["results"], query=query, results=results, searched=bool(query)
    )


@bp.route("/entries/<int:entry_id>")
@login_required(role="patient")
def entry(entry_id):
    entry = entries.entry_for(get_db(), entry_id, g.user)
    # Fetched by htmx only when Cancel closes the edit form: focus goes back to Edit.
    return page("diary/entry.html", ["entry_card"], entry=entry, focus_edit=is_htmx())


@bp.route("/entries/<int:entry_id>/edit")
@login_required(role="patient")
def edit(entry_id):
    entry = entries.entry_for(get_db(), entry_id, g.user)
    values = {
        "distress": entry.distress,
        "feelings": entry.feelings,
        "topics": entry.topics,
        "note": entry.note,
        "prompt_answer": entry.prompt_answer,
    }
    return page("diary/edit.html", ["edit_form"], entry=entry, values=values, errors={},
                feelings=validation.FEELINGS, topics=validation.TOPICS)


@bp.route("/entries/<int:entry_id>", methods=["POST"])
@login_required(role="patient")
def save(entry_id):
    db = get_db()
    entry = entries.entry_for(db, entry_id, g.user)
    values, errors = validation.check_entry(request.form)
    if errors:
        return page("diary/edit.html", ["edit_form"], status=422, entry=entry, values=values,
                    errors=errors, feelings=validation.FEELINGS, topics=validation.TOPICS)
    entries.update(db, entry.id, values)
    entry = entries.entry_for(db, entry.id, g.user)
    reach_out = _reach_out(values, entry.shared)
    if is_htmx():
        body, status = page("diary/entry.html", ["entry_card"], entry=entry, reach_out=reach_out,
                            entry_message="Your changes are saved.")
        return body, status, SHOW_HELP if reach_out else {}
    flash("Your changes are saved.")
    if reach_out:
        session["reach_out"] = reach_out
        return redirect(url_for("diary.timeline", _anchor="reach-out"), code=303)
    return redirect(url_for("diary.timeline", _anchor=f"entry-{entry.id}"), code=303)


@bp.route("/entries/<int:entry_id>/delete", methods=["GET", "POST"])
@login_required(role="patient")
def delete(entry_id):
    db = get_db()
    entry = entries.entry_for(db, entry_id, g.user)
    if request.method == "GET":
        return page("diary/delete.html", [], entry=entry)
    now = utc_now()
    entries.delete(db, entry.id, now=now)
    session["undo"] = entry.id
    until = uk_time(now + entries.UNDO_WINDOW)
    if is_htmx():
        return page("diary/delete.html", ["deleted"], entry=entry, undo_until=until)
    flash(f"Entry deleted. You can undo this until {until}.")
    return redirect(url_for("diary.timeline"), code=303)


GONE = "That entry can no longer be brought back. Its 10 minutes to undo have passed."


@bp.route("/entries/<int:entry_id>/restore", methods=["POST"])
@login_required(role="patient")
def restore(entry_id):
    db = get_db()
    entry = deleted_row_to_restore(
        lambda row_id: entries.entry_for(db, row_id, g.user, deleted=True), "undo", entry_id)
    restored = entry is not None and entries.restore(db, entry.id)
    session.pop("undo", None)
    if is_htmx():
        if restored:
            entry = entries.entry_for(db, entry.id, g.user)
            return page("diary/entry.html", ["entry_card"], entry=entry,
                        entry_message="Entry restored.")
        # Said in place of the Undo button, never by redirecting the swap to a whole page.
        return page("diary/delete.html", ["deleted"], entry_id=entry_id, gone=GONE)
    flash("Entry restored." if restored else GONE)
    return redirect(url_for("diary.timeline", _anchor=f"entry-{entry_id}"), code=303)


@keeps_draft("diary.check_in")
def check_in_not_saved(message):
    if _patient() is None:
        return None
    values, _ = validation.check_entry(request.form)
    return page("diary/home.html", ["checkin_form"], status=503,
                **home_context(get_db(), values, {"form": message}))


@keeps_draft("diary.save")
def edit_not_saved(message):
    if _patient() is None:
        return None
    entry = entries.entry_for(get_db(), request.view_args["entry_id"], g.user)
    values, _ = validation.check_entry(request.form)
    return page("diary/edit.html", ["edit_form"], status=503, entry=entry, values=values,
                errors={"form": message}, feelings=validation.FEELINGS, topics=validation.TOPICS)


@bp.route("/entries/<int:entry_id>/helped", methods=["POST"])
@login_required(role="patient")
def helped(entry_id):
    db = get_db()
    entry = entries.entry_for(db, entry_id, g.user)
    mark = request.form.get("helped") == "1"
    entries.set_helped(db, entry.id, mark)
    back = safe_next(request.form.get("next")) or url_for("diary.timeline")
    if is_htmx():
        entry = entries.entry_for(db, entry.id, g.user)
        return page(
            "diary/helped.html", ["toggle"], e=entry, helped_next=back, helped_announce=True
        )
    flash("Marked as helping." if mark else "The \u201cThis helped\u201d mark is off.")
    return redirect(f"{back}#entry-{entry.id}", code=303)


@bp.route("/entries/<int:entry_id>/share", methods=["POST"])
@login_required(role="patient")
def share_entry(entry_id):
    return sharing.share_from_form(
        get_db(), "entry", entry_id, entries.entry_for, "care/_entry_sharing.html",
        url_for("diary.timeline", _anchor=f"entry-{entry_id}"), "e",
    )
