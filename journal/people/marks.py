"""Check-ins a patient marks for one chosen person: kept apart from what the care team sees."""

from ..diary.entries import Entry
from ..platform import audit

SHOWN = 50


def marks_for(db, patient_id):
    """{entry id: set of person ids} for every check-in the patient marked for someone."""
    marks = {}
    for entry_id, person_id in db.execute(
        "SELECT entry_id, person_id FROM person_entries WHERE patient_id = ?", [patient_id]
    ):
        marks.setdefault(entry_id, set()).add(person_id)
    return marks


def set_mark(db, patient, person, entry_id, marked):
    """Mark a check-in for this person, or take the mark off; True if anything changed."""
    with db.atomic():
        if marked:
            cursor = db.execute(
                "INSERT OR IGNORE INTO person_entries (person_id, entry_id, patient_id)"
                " VALUES (?, ?, ?)", [person.id, entry_id, patient.id])
        else:
            cursor = db.execute(
                "DELETE FROM person_entries WHERE person_id = ? AND entry_id = ?"
                " AND patient_id = ?", [person.id, entry_id, patient.id])
        if cursor.rowcount:
            audit.record(db, patient, "share-with-person" if marked else "unshare-with-person",
                         patient_id=patient.id, entry_id=entry_id)
    return cursor.rowcount == 1


def entries_for_person(db, person, limit=SHOWN):
    """The check-ins marked for this person, newest first (deleted ones never)."""
    rows = db.query(
        "SELECT e.* FROM person_entries m JOIN entries e ON e.id = m.entry_id"
        " WHERE m.person_id = ? AND e.patient_id = ? AND e.deleted_at IS NULL"
        " ORDER BY e.created_at DESC, e.id DESC LIMIT ?",
        [person.id, person.patient_id, limit],
    )
    return [Entry.from_row(row) for row in rows]
