"""Search over the patient's own notes, through the index narrowed by patient (issue 7)."""

from datetime import timedelta

from journal.diary import entries
from journal.platform.clock import utc_now


def add(db, patient, note, minutes_ago):
    values = {"distress": 3, "feelings": [], "topics": [], "note": note}
    return entries.create(db, patient.id, values, now=utc_now() - timedelta(minutes=minutes_ago))


def search(client, token, words):
    return client.post("/timeline/search", data={"q": words, "csrf_token": token},
                       headers={"HX-Request": "true"})


def test_search_finds_only_own_notes_newest_first(client, db, patient, other_patient, signed_in):
    older = add(db, patient, "Walked by the river", 60)
    newer = add(db, patient, "A long walk after the scan", 5)
    add(db, other_patient, "Walking helps me too", 1)
    response = search(client, signed_in, "walk")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert "2 entries found" in html
    assert html.index(f'id="entry-{newer}"') < html.index(f'id="entry-{older}"')
    assert "Walking helps me too" not in html
    assert "<mark>walk</mark>" in html


def test_edited_note_is_found_by_its_new_words_and_deleted_entries_are_not(
    client, db, patient, signed_in
):
    kept = add(db, patient, "Slept badly", 10)
    gone = add(db, patient, "Slept well for once", 5)
    entries.update(db, kept, {"distress": 3, "feelings": [], "topics": [],
                              "note": "Rang the hospital"})
    entries.delete(db, gone)
    assert "No notes have those words" in search(client, signed_in, "slept").get_data(
        as_text=True)
    html = search(client, signed_in, "hospital").get_data(as_text=True)
    assert f'id="entry-{kept}"' in html
    indexed = db.execute(
        "SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?",
        [f'patient : "p{patient.id}" AND note : ("slept")']).fetchone()[0]
    assert indexed == 1  # the deleted entry stays indexed only for its undo window


def test_purge_after_the_undo_window_removes_the_entry_from_the_index(db, patient):
    entry_id = add(db, patient, "Quiet day in the garden", 30)
    entries.delete(db, entry_id, now=utc_now() - timedelta(minutes=20))
    entries.purge_deleted(db, patient.id)
    assert db.execute("SELECT count(*) FROM entries WHERE id = ?", [entry_id]).fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM entries_fts WHERE entries_fts MATCH 'garden'"
                      ).fetchone()[0] == 0
