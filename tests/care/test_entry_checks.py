"""The stored words check (care.checks) answers as the check itself does, and never from
texts or a rule that have changed since."""

import dataclasses
from datetime import timedelta

import pytest
from care_helpers import add_entry, client_for

from journal.care import checks, inbox, triage
from journal.guidance.packs import load_safety
from journal.platform.clock import utc_now
from tests.care.test_inbox_walk import item_ids
from tests.guidance.test_concern_corpus import read_corpus


@pytest.fixture(scope="module")
def safety():
    return load_safety()


@pytest.fixture
def checked(monkeypatch):
    """The texts the words check itself ran on."""
    texts = []
    real = triage.concern

    def counted(distress, own, rule):
        texts.append(own)
        return real(distress, own, rule)

    monkeypatch.setattr(triage, "concern", counted)
    return texts


def rows(db, ids):
    return [dict(zip(("id", "distress", "note", "prompt_answer"), row, strict=True))
            for row in db.execute(
                "SELECT id, distress, note, prompt_answer FROM entries WHERE id IN"
                " (SELECT value FROM json_each(?)) ORDER BY id", [str(list(ids))])]


def words_found(db, ids, safety):
    """{entry id: whether words the patient did not deny were found}, through the store."""
    return {entry_id: bool(concern.disclosed)
            for entry_id, concern in checks.concerns(db, rows(db, ids), safety).items()}


def test_stored_answers_are_the_check_s_answers_for_the_whole_corpus(db, patient, safety,
                                                                     checked):
    corpus = read_corpus()
    # Every phrase in the note, then in the answer to a prompt, with scores low and high.
    ids = [add_entry(db, patient, distress=n % 11, note=text) for n, (_, text) in
           enumerate(corpus)]
    answered = add_entry(db, patient, distress=None, note="A long walk")
    db.execute("UPDATE entries SET prompt_answer = ? WHERE id = ?", [corpus[0][1], answered])
    ids.append(answered)
    expected = {row["id"]: triage.concern(row["distress"], (row["note"], row["prompt_answer"]),
                                          safety) for row in rows(db, ids)}
    assert sum(bool(c.disclosed) for c in expected.values()) >= 100  # each worrying phrase
    assert any(f.denied for c in expected.values() for f in c.found)  # and the denials

    first = checks.concerns(db, rows(db, ids), safety)
    checked.clear()
    again = checks.concerns(db, rows(db, ids), safety)

    assert first == expected and again == expected
    # The second time only the scores were checked, once for each score.
    assert sorted(checked) == [()] * len({row["distress"] for row in rows(db, ids)})


def test_an_edited_note_is_checked_again(db, patient, safety):
    entry_id = add_entry(db, patient, note="A calm day in the garden")
    assert words_found(db, [entry_id], safety) == {entry_id: False}

    db.execute("UPDATE entries SET note = 'I want to end it all' WHERE id = ?", [entry_id])

    assert words_found(db, [entry_id], safety) == {entry_id: True}


def test_a_words_only_in_the_prompt_answer_count(db, patient, safety):
    entry_id = add_entry(db, patient, note="Fine")
    db.execute("UPDATE entries SET prompt_answer = 'I just want to die' WHERE id = ?",
               [entry_id])

    assert words_found(db, [entry_id], safety) == {entry_id: True}


def test_a_changed_rule_checks_every_entry_again(db, patient, safety, checked):
    entry_id = add_entry(db, patient, note="I want to end it all")
    assert words_found(db, [entry_id], safety) == {entry_id: True}
    without_words = dataclasses.replace(safety, groups=())

    assert words_found(db, [entry_id], without_words) == {entry_id: False}
    assert words_found(db, [entry_id], safety) == {entry_id: True}
    assert [texts for texts in checked if texts] == [("I want to end it all", "")] * 3


def test_a_deleted_entry_takes_its_answer_with_it(db, patient, safety):
    entry_id = add_entry(db, patient, note="I want to end it all")
    read = rows(db, [entry_id])
    checks.concerns(db, read, safety)
    db.execute("DELETE FROM entries WHERE id = ?", [entry_id])

    assert db.execute("SELECT COUNT(*) FROM entry_checks").fetchone()[0] == 0
    # Read just before it went: still answered, and nothing is stored for it.
    assert checks.concerns(db, read, safety)[entry_id].disclosed
    assert db.execute("SELECT COUNT(*) FROM entry_checks").fetchone()[0] == 0


def test_an_old_entry_edited_to_worrying_words_is_pinned_at_once(app, db, patient, team,
                                                                  team_nurse, linked):
    old = add_entry(db, patient, note="Quiet day", shared=True,
                    when=utc_now() - timedelta(days=30))
    for _ in range(inbox.PAGE_SIZE + 1):
        add_entry(db, patient, distress=2, note="Tired but fine", shared=True)
    client, _ = client_for(app, "priya@example.com")
    assert old not in item_ids(client.get("/care").get_data(as_text=True))
    assert db.execute("SELECT found FROM entry_checks WHERE entry_id = ?",
                      [old]).fetchone() == ("[]",)

    db.execute("UPDATE entries SET note = 'I keep thinking about killing myself' WHERE id = ?",
               [old])

    assert item_ids(client.get("/care").get_data(as_text=True))[0] == old


def test_the_words_found_go_as_soon_as_the_text_is_edited(db, patient, safety):
    entry_id = add_entry(db, patient, note="I want to end it all")
    checks.concerns(db, rows(db, [entry_id]), safety)
    assert db.execute("SELECT found FROM entry_checks").fetchone()[0] != "[]"

    db.execute("UPDATE entries SET note = 'A better day' WHERE id = ?", [entry_id])

    assert db.execute("SELECT COUNT(*) FROM entry_checks").fetchone()[0] == 0
