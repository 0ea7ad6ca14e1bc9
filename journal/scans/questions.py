"""Questions for my appointment: the patient's own list, and the pack's suggestions."""

from werkzeug.exceptions import NotFound

from ..guidance.packs import normalise
from ..platform import undo
from ..platform.clock import utc_iso, utc_now
from ..platform.db import immediate

MAX_QUESTION = 500
UNDO_WINDOW = undo.UNDO_WINDOW


def check_question(text):
    """Validate a question; returns (tidy text, error or None)."""
    text = " ".join((text or "").split())
    if not text:
        return text, "Write your question first."
    if len(text) > MAX_QUESTION:
        return text, f"Use at most {MAX_QUESTION} characters. This has {len(text):,}."
    return text, None


def suggestions(pack, existing_texts):
    """The pack's suggested questions that are not on the list yet, in the pack's order."""
    have = {normalise(text) for text in existing_texts}
    return [q for q in pack.questions if normalise(q.text) not in have]


def is_suggestion(packs, text):
    """Whether the text is one of any pack's suggested questions."""
    wanted = normalise(text)
    return any(normalise(q.text) == wanted for pack in packs.values() for q in pack.questions)


def questions_for(db, patient_id):
    """The patient's questions, in the order they were added."""
    return list(
        db.query(
            "SELECT * FROM questions WHERE patient_id = ? AND deleted_at IS NULL"
            " ORDER BY created_at, id", [patient_id]
        )
    )


def question_for(db, question_id, user, deleted=False):
    """The user's own question (or, with deleted, one waiting to be undone); 404 whether
    it is missing or someone else's."""
    state = "IS NOT NULL" if deleted else "IS NULL"
    sql = f"SELECT * FROM questions WHERE id = ? AND patient_id = ? AND deleted_at {state}"  # noqa: S608
    row = next(db.query(sql, [question_id, user.id]), None)
    if row is None:
        raise NotFound()
    return row


def add(db, patient_id, text, suggested=False, now=None):
    """Add a question once; the same words already on the list are not added again."""
    with immediate(db):
        for row in db.execute(
            "SELECT id, text FROM questions WHERE patient_id = ? AND deleted_at IS NULL",
            [patient_id],
        ).fetchall():
            if normalise(row[1]) == normalise(text):
                return row[0]
        cursor = db.execute(
            "INSERT INTO questions (patient_id, text, suggested, created_at) VALUES (?, ?, ?, ?)",
            [patient_id, text, int(suggested), utc_iso(now or utc_now())],
        )
        return cursor.lastrowid


def set_done(db, question_id, done):
    """Tick a question as asked, or untick it."""
    db.execute("UPDATE questions SET done = ? WHERE id = ?", [int(bool(done)), question_id])


def delete(db, question_id, now=None):
    """Take a question off the list, keeping it for the undo window."""
    undo.hide(db, "questions", question_id, now)


def restore(db, question_id, now=None):
    """Put a deleted question back if its undo window is still open; True if it came back."""
    return undo.bring_back(db, "questions", question_id, now)


def purge_deleted(db, patient_id, now=None):
    """Erase questions whose undo window has passed."""
    undo.erase_expired(db, "questions", patient_id, now)
