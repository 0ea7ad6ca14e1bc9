"""Search over the patient's own notes, through the index narrowed by patient (issue 7)."""

import re
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
    assert "No entries have those words" in search(client, signed_in, "slept").get_data(
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


def add_full(db, patient, minutes_ago, **fields):
    values = {"distress": 3, "feelings": [], "topics": [], "note": "", **fields}
    return entries.create(db, patient.id, values, now=utc_now() - timedelta(minutes=minutes_ago))


def found(client, token, words):
    html = search(client, token, words).get_data(as_text=True)
    return [int(i) for i in re.findall(r'<li class="entry" id="entry-(\d+)"', html)], html


def test_search_finds_answers_feelings_and_topics_too(client, db, patient, other_patient,
                                                      signed_in):
    answered = add_full(db, patient, 30, prompt="What helped today?",
                        prompt_answer="Feeding the ducks with my granddaughter")
    scared = add_full(db, patient, 20, feelings=["scared"], note="A bad night")
    money = add_full(db, patient, 10, topics=["money"])
    waiting = add_full(db, patient, 5, topics=["results"])
    add_full(db, other_patient, 1, feelings=["scared"], topics=["money", "results"],
             prompt_answer="ducks")

    ids, html = found(client, signed_in, "ducks")
    assert ids == [answered]
    # The answer is shown with the words marked, as a note is.
    assert "Feeding the <mark>ducks</mark> with my granddaughter" in html
    assert found(client, signed_in, "scared")[0] == [scared]
    assert found(client, signed_in, "Money")[0] == [money]
    # A chip's words find it: "Waiting for results" by "waiting" and by "results".
    assert found(client, signed_in, "waiting")[0] == [waiting]
    assert found(client, signed_in, "results")[0] == [waiting]
    # Every word must be there, wherever each one is.
    assert found(client, signed_in, "scared night")[0] == [scared]
    assert found(client, signed_in, "scared money")[0] == []


def test_changed_chips_and_answers_are_found_by_their_new_words(client, db, patient, signed_in):
    entry_id = add_full(db, patient, 5, feelings=["calm"], prompt="Q?", prompt_answer="garden")
    entries.update(db, entry_id, {"distress": 3, "feelings": ["tired"], "topics": ["sleep"],
                                  "note": "", "prompt_answer": "allotment"})
    assert found(client, signed_in, "calm")[0] == []
    assert found(client, signed_in, "garden")[0] == []
    for words in ("tired", "sleep", "allotment"):
        assert found(client, signed_in, words)[0] == [entry_id], words


def test_the_index_key_words_are_not_searchable_as_her_words(client, db, patient, signed_in):
    add_full(db, patient, 5, note="hello")
    # The patient token lives in its own column, outside what her words are matched against.
    assert found(client, signed_in, f"p{patient.id}")[0] == []
