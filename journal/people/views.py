"""People I share with: the patient invites someone, chooses what they see, ends links."""

from flask import current_app, flash, g, redirect, render_template, request, session, url_for

from ..accounts.sign_in import login_required
from ..diary.entries import entry_for
from ..platform.clock import utc_now
from ..platform.db import get_db
from ..platform.web import is_htmx, page, safe_next
from . import bp, codes, marks, records

# The link and code just made, shown once on the person's page after the redirect.
NEW_LINK = "new_person_link"


def people_for_checkins():
    """The signed-in patient's people who may see marked check-ins (cached for the request)."""
    if g.get("user") is None or g.user.role != "patient":
        return []
    if "checkin_people" not in g:
        g.checkin_people = [p for p in records.people_for(get_db(), g.user.id)
                            if p.show_checkins]
    return g.checkin_people


def entry_marks():
    """{entry id: person ids} for the signed-in patient (cached for the request)."""
    if not people_for_checkins():
        return {}
    if "entry_marks" not in g:
        g.entry_marks = marks.marks_for(get_db(), g.user.id)
    return g.entry_marks


@bp.app_template_filter("when_words")
def when_words(moment):
    """When something happened, in words, from now: "today at 6:10pm"."""
    return codes.when_words(moment, utc_now())


@bp.app_context_processor
def _people_helpers():
    return {"people_for_checkins": people_for_checkins, "entry_marks": entry_marks}


def _overview(values=None, errors=None, status=200):
    db = get_db()
    return page("people/people.html", [], status=status,
                people=records.people_for(db, g.user.id), links=records.links_for(db, g.user.id),
                values=values or {"shared_by": g.user.first_name}, errors=errors or {},
                choices=codes.CHOICES)


@bp.route("/people")
@login_required(role="patient")
def people():
    return _overview()


@bp.route("/people", methods=["POST"])
@login_required(role="patient")
def invite():
    values, errors = codes.check_person(request.form)
    if errors:
        return _overview(values, errors, 422)
    person_id, made = records.add_person(get_db(), g.user, values, current_app.secret_key)
    _keep_for_showing(person_id, made)
    return redirect(url_for("people.person", person_id=person_id), code=303)


def _keep_for_showing(person_id, made):
    # Only the hashes are stored: this is the one time the link and code can be shown.
    session[NEW_LINK] = {"person": person_id, "link": made.id, "token": made.token,
                         "code": codes.shown_code(made.code)}


def _person_page(person, errors=None, status=200, new=None):
    db = get_db()
    return page("people/person.html", [], status=status, person=person,
                links=records.links_for(db, g.user.id).get(person.id, []), new=new,
                errors=errors or {}, choices=codes.CHOICES)


@bp.route("/people/<int:person_id>")
@login_required(role="patient")
def person(person_id):
    found = records.person_for(get_db(), person_id, g.user)
    new = session.pop(NEW_LINK, None)
    if new and new["person"] == found.id:
        new = dict(new, url=url_for("people.shared", token=new["token"], _external=True))
    else:
        new = None
    return _person_page(found, new=new)


@bp.route("/people/<int:person_id>", methods=["POST"])
@login_required(role="patient")
def choose(person_id):
    db = get_db()
    found = records.person_for(db, person_id, g.user)
    values, errors = codes.check_choices(request.form)
    if errors:
        return _person_page(found, errors, 422)
    records.set_choices(db, g.user, found, values)
    flash(f"Saved. {found.first_name} sees the new choice next time they open the link.")
    return redirect(url_for("people.person", person_id=found.id), code=303)


@bp.route("/people/<int:person_id>/links", methods=["POST"])
@login_required(role="patient")
def another_link(person_id):
    db = get_db()
    found = records.person_for(db, person_id, g.user)
    made = records.new_link(db, g.user, found, current_app.secret_key)
    _keep_for_showing(found.id, made)
    return redirect(url_for("people.person", person_id=found.id), code=303)


@bp.route("/people/<int:person_id>/links/<int:person_link_id>/end", methods=["POST"])
@login_required(role="patient")
def end_link(person_id, person_link_id):
    db = get_db()
    found = records.person_for(db, person_id, g.user)
    ended = records.end_link(db, g.user, found, person_link_id)
    flash(f"That link has ended. {found.first_name} can no longer open it."
          if ended else "That link had already ended.")
    return redirect(url_for("people.person", person_id=found.id), code=303)


@bp.route("/people/<int:person_id>/entries/<int:entry_id>", methods=["POST"])
@login_required(role="patient")
def mark_entry(person_id, entry_id):
    db = get_db()
    found = records.person_for(db, person_id, g.user)
    entry = entry_for(db, entry_id, g.user)
    marked = request.form.get("shared") == "1"
    if marked and not found.show_checkins:
        flash(f"{found.first_name} cannot see check-ins yet. Choose that for them first.")
        return redirect(url_for("people.person", person_id=found.id), code=303)
    marks.set_mark(db, g.user, found, entry.id, marked)
    g.pop("entry_marks", None)
    announce = (f"Shared with {found.first_name}." if marked
                else f"{found.first_name} can no longer see this check-in.")
    if is_htmx():
        return render_template("people/_entry_people.html", e=entry, announce=announce)
    flash(announce)
    back = safe_next(request.form.get("next")) or url_for("diary.timeline")
    return redirect(f"{back}#entry-{entry.id}", code=303)
