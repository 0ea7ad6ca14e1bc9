"""What a patient shares with their care team: entries, questions, and the default."""

from flask import flash, g, redirect, render_template, request, url_for

from ..platform import audit
from ..platform.web import is_htmx, safe_next
from . import teams

# What can be shared one by one: its table, the audit actions and the words the patient sees.
SHAREABLE = {
    "entry": {"table": "entries", "id_column": "entry_id", "actions": ("share", "unshare"),
              "shared": "Shared with {team}.",
              "private": "This entry is private now. Your care team cannot see it.",
              "no_team": "Connect to your care team before you share entries."},
    "question": {"table": "questions", "id_column": "question_id",
                 "actions": ("share-question", "unshare-question"),
                 "shared": "Question shared with {team}.",
                 "private": "This question is private now.",
                 "no_team": "Connect to your care team before you share questions."},
}


def set_shared(db, patient, kind, item_id, shared, team_id):
    """Share or unshare one of the patient's entries or questions; True if anything changed."""
    what = SHAREABLE[kind]
    with db.atomic():
        cursor = db.execute(
            f"UPDATE {what['table']} SET shared = ? WHERE id = ? AND patient_id = ?"  # noqa: S608 - table from SHAREABLE
            " AND shared != ?",
            [int(shared), item_id, patient.id, int(shared)],
        )
        if cursor.rowcount:
            audit.record(db, patient, what["actions"][0 if shared else 1],
                         patient_id=patient.id, team_id=team_id, **{what["id_column"]: item_id})
    return cursor.rowcount == 1


def share_from_form(db, kind, item_id, find, template, fallback, context_name):
    """The whole answer to a share or unshare POST, for an entry or a question.

    `find(db, item_id, patient)` returns the patient's own item or raises 404."""
    find(db, item_id, g.user)
    link = teams.live_link(db, g.user.id)
    shared = request.form.get("shared") == "1"
    what = SHAREABLE[kind]
    if shared and link is None:
        flash(what["no_team"])
        return redirect(url_for("care.team"), code=303)
    set_shared(db, g.user, kind, item_id, shared, link.team_id if link else None)
    announce = what["shared"].format(team=link.team_name) if shared else what["private"]
    if is_htmx():
        return render_template(template, announce=announce,
                               **{context_name: find(db, item_id, g.user)})
    flash(announce)
    return redirect(safe_next(request.form.get("next")) or fallback, code=303)


def set_default(db, patient, shared, team_id):
    """Choose whether new check-ins are shared; True if it changed."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE users SET share_by_default = ? WHERE id = ? AND share_by_default != ?",
            [int(shared), patient.id, int(shared)],
        )
        if cursor.rowcount:
            audit.record(db, patient, "default-shared" if shared else "default-private",
                         patient_id=patient.id, team_id=team_id)
    return cursor.rowcount == 1


def shared_counts(db, patient_id):
    """How many entries and questions the patient has marked shared."""
    row = db.execute(
        "SELECT (SELECT COUNT(*) FROM entries WHERE patient_id = :p AND shared = 1"
        " AND deleted_at IS NULL), (SELECT COUNT(*) FROM questions WHERE patient_id = :p"
        " AND shared = 1 AND deleted_at IS NULL)",
        {"p": patient_id},
    ).fetchone()
    return {"entries": row[0], "questions": row[1]}
