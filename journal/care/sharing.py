"""What a patient shares with their care team: entries, questions, and the default."""

from werkzeug.exceptions import NotFound

from ..platform import audit


def set_entry_shared(db, patient, entry, shared, team_id):
    """Share or unshare one of the patient's entries; True if anything changed."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE entries SET shared = ? WHERE id = ? AND patient_id = ? AND shared != ?",
            [int(shared), entry.id, patient.id, int(shared)],
        )
        if cursor.rowcount:
            audit.record(db, patient, "share" if shared else "unshare", patient_id=patient.id,
                         team_id=team_id, entry_id=entry.id)
    return cursor.rowcount == 1


def question_for(db, question_id, patient):
    """The patient's own question, or 404 whether it is missing or someone else's."""
    row = next(
        db.query("SELECT * FROM questions WHERE id = ? AND patient_id = ?",
                 [question_id, patient.id]),
        None,
    )
    if row is None:
        raise NotFound()
    return row


def set_question_shared(db, patient, question, shared, team_id):
    """Share or unshare one of the patient's questions; True if anything changed."""
    with db.atomic():
        cursor = db.execute(
            "UPDATE questions SET shared = ? WHERE id = ? AND patient_id = ? AND shared != ?",
            [int(shared), question["id"], patient.id, int(shared)],
        )
        if cursor.rowcount:
            audit.record(db, patient, "share-question" if shared else "unshare-question",
                         patient_id=patient.id, team_id=team_id, question_id=question["id"])
    return cursor.rowcount == 1


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


def questions_of(db, patient_id):
    """All the patient's questions, oldest first, as on their list."""
    return list(
        db.query(
            "SELECT * FROM questions WHERE patient_id = ? ORDER BY created_at, id", [patient_id]
        )
    )


def shared_counts(db, patient_id):
    """How many entries and questions the patient has marked shared."""
    row = db.execute(
        "SELECT (SELECT COUNT(*) FROM entries WHERE patient_id = :p AND shared = 1"
        " AND deleted_at IS NULL), (SELECT COUNT(*) FROM questions WHERE patient_id = :p"
        " AND shared = 1)",
        {"p": patient_id},
    ).fetchone()
    return {"entries": row[0], "questions": row[1]}
