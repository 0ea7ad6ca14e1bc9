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
    return [dict(zip(("id", "note", "prompt_answer"), row, strict=True)) for row in db.execute(
        "SELECT id, note, prompt_answer FROM entries WHERE id IN (SELECT value FROM"
        " json_each(?)) ORDER BY id", [str(list(ids))])]


def test_stored_answers_are_the_check_s_answers_for_the_whole_corpus(db, patient, safety,
                                                                     checked):
    corpus = read_corpus()
    ids = [add_entry(db, patient, note=text) for _, text in corpus]
    expected = {entry_id: bool(triage.concern(None, (text, ""), safety).disclosed)
                for entry_id, (_, text) in zip(ids, corpus, strict=True)}
    assert sum(expected.values()) >= 100  # the corpus's worrying phrases, each found

    first = checks.words_found(db, rows(db, ids), safety)
    checked.clear()
    again = checks.words_found(db, rows(db, ids), safety)

    assert first == expected and again == expected
    assert checked == []  # the second time, every answer came from the store


def test_an_edited_note_is_checked_again(db, patient, safety):
    entry_id = add_entry(db, patient, note="A calm day in the garden")
    assert checks.words_found(db, rows(db, [entry_id]), safety) == {entry_id: False}

    db.execute("UPDATE entries SET note = 'I want to end it all' WHERE id = ?", [entry_id])

    assert checks.words_found(db, rows(db, [entry_id]), safety) == {entry_id: True}


def test_a_words_only_in_the_prompt_answer_count(db, patient, safety):
    entry_id = add_entry(db, patient, note="Fine")
    db.execute("UPDATE entries SET prompt_answer = 'I just want to die' WHERE id = ?",
               [entry_id])

    assert checks.words_found(db, rows(db, [entry_id]), safety) == {entry_id: True}


def test_a_changed_rule_checks_every_entry_again(db, patient, safety, checked):
    entry_id = add_entry(db, patient, note="I want to end it all")
    assert checks.words_found(db, rows(db, [entry_id]), safety) == {entry_id: True}
    without_words = dataclasses.replace(safety, groups=())

    assert checks.words_found(db, rows(db, [entry_id]), without_words) == {entry_id: False}
    assert checks.words_found(db, rows(db, [entry_id]), safety) == {entry_id: True}
    assert len(checked) == 3


def test_a_deleted_entry_takes_its_answer_with_it(db, patient, safety):
    entry_id = add_entry(db, patient, note="I want to end it all")
    read = rows(db, [entry_id])
    checks.words_found(db, read, safety)
    db.execute("DELETE FROM entries WHERE id = ?", [entry_id])

    assert db.execute("SELECT COUNT(*) FROM entry_checks").fetchone()[0] == 0
    # Read just before it went: still answered, and nothing is stored for it.
    assert checks.words_found(db, read, safety) == {entry_id: True}
    assert db.execute("SELECT COUNT(*) FROM entry_checks").fetchone()[0] == 0


def test_an_old_entry_edited_to_worrying_words_is_pinned_at_once(app, db, patient, team,
                                                                  team_nurse, linked):
    old = add_entry(db, patient, note="Quiet day", shared=True,
                    when=utc_now() - timedelta(days=30))
    for _ in range(inbox.PAGE_SIZE + 1):
        add_entry(db, patient, distress=2, note="Tired but fine", shared=True)
    client, _ = client_for(app, "priya@example.com")
    assert old not in item_ids(client.get("/care").get_data(as_text=True))
    assert db.execute("SELECT disclosed FROM entry_checks WHERE entry_id = ?",
                      [old]).fetchone() == (0,)

    db.execute("UPDATE entries SET note = 'I keep thinking about killing myself' WHERE id = ?",
               [old])

    assert item_ids(client.get("/care").get_data(as_text=True))[0] == old
