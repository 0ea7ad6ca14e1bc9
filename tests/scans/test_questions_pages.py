"""Questions for my appointment: add, tick, delete, suggestions, htmx and access."""

import re
from datetime import timedelta

from journal.care import pending, sharing
from journal.guidance.packs import load_packs
from journal.platform.clock import utc_iso, utc_now
from journal.scans import questions
from journal.trends import summaries

HX = {"HX-Request": "true"}
LIVER = load_packs()["liver-ultrasound"]


def listed(db, patient_id):
    return [
        (row["text"], row["suggested"], row["done"])
        for row in db.query(
            "SELECT * FROM questions WHERE patient_id = ? AND deleted_at IS NULL ORDER BY id",
            [patient_id],
        )
    ]


def test_empty_list_offers_the_packs_suggestions(client, signed_in):
    response = client.get("/questions")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Questions for my appointment</h1>" in html
    assert "Your list is empty." in html
    for question in LIVER.questions:
        assert f'name="text" value="{question.text}"' in html


def test_suggestions_follow_the_current_scan(client, signed_in, db, patient, add_scan):
    add_scan(patient.id, kind="ct-scan")
    html = client.get("/questions").get_data(as_text=True)
    assert "Can I drink before the scan?" not in html  # a liver ultrasound suggestion only
    assert "Is there anything I need to do to get ready for the scan?" in html


def test_add_a_question_without_javascript(client, signed_in, db, patient):
    response = client.post("/questions", data={"csrf_token": signed_in,
                                               "text": "  Can my sister   come with me? "})
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/questions#q-")
    assert listed(db, patient.id) == [("Can my sister come with me?", 0, 0)]
    html = client.get("/questions").get_data(as_text=True)
    assert "Question added." in html
    assert "Can my sister come with me?" in html


def test_add_a_suggestion_with_htmx_marks_it_suggested(client, signed_in, db, patient):
    text = LIVER.questions[0].text
    response = client.post("/questions", data={"csrf_token": signed_in, "text": text},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="questions-area"')
    assert 'role="status">Question added.' in html
    assert f'name="text" value="{text}"' not in html  # no longer offered
    assert listed(db, patient.id) == [(text, 1, 0)]


def test_adding_the_same_question_twice_keeps_one(client, signed_in, db, patient):
    for typed in ["Who do I call?", "who do I call?"]:
        client.post("/questions", data={"csrf_token": signed_in, "text": typed})
    assert listed(db, patient.id) == [("Who do I call?", 0, 0)]


def test_empty_question_is_refused_with_htmx(client, signed_in, db, patient):
    response = client.post("/questions", data={"csrf_token": signed_in, "text": "   "},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html
    assert "Write your question first." in html
    assert listed(db, patient.id) == []


def test_too_long_question_keeps_the_words(client, signed_in, db, patient):
    response = client.post("/questions", data={"csrf_token": signed_in, "text": "why " * 200})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" in html
    assert "Use at most 500 characters." in html
    assert "why why why" in html
    assert listed(db, patient.id) == []


def test_tick_and_untick(client, signed_in, db, patient):
    client.post("/questions", data={"csrf_token": signed_in, "text": "How long?"})
    [row] = db.query("SELECT id FROM questions WHERE patient_id = ?", [patient.id])
    qid = row["id"]
    response = client.post(f"/questions/{qid}/done", data={"csrf_token": signed_in, "done": "1"},
                           headers=HX)
    assert response.status_code == 200
    assert "Ticked as asked." in response.get_data(as_text=True)
    assert listed(db, patient.id) == [("How long?", 0, 1)]
    response = client.post(f"/questions/{qid}/done", data={"csrf_token": signed_in, "done": "0"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/questions#q-{qid}"
    assert listed(db, patient.id) == [("How long?", 0, 0)]


def test_delete_offers_an_undo_with_focus_on_it(client, signed_in, db, patient):
    client.post("/questions", data={"csrf_token": signed_in, "text": "How long?"})
    [row] = db.query("SELECT id FROM questions WHERE patient_id = ?", [patient.id])
    response = client.post(f"/questions/{row['id']}/delete", data={"csrf_token": signed_in},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Question deleted." in html
    assert 'class="q-text">How long?' not in html
    assert "You deleted “How long?”" in html
    assert re.search(rf'action="/questions/{row["id"]}/restore".*?data-focus>Undo', html, re.S)
    # Kept for the undo window, off the list, the summary and the nurse's view meanwhile.
    [kept] = db.query("SELECT deleted_at FROM questions WHERE id = ?", [row["id"]])
    assert kept["deleted_at"]

    response = client.post(f"/questions/{row['id']}/restore", data={"csrf_token": signed_in},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert "Question restored." in html
    assert 'class="q-text">How long?' in html
    assert "You deleted" not in html
    assert listed(db, patient.id) == [("How long?", 0, 0)]
    [back] = db.query("SELECT deleted_at FROM questions WHERE id = ?", [row["id"]])
    assert back["deleted_at"] is None


def test_undo_without_javascript_and_its_offer_does_not_take_focus_later(client, signed_in, db,
                                                                        patient):
    client.post("/questions", data={"csrf_token": signed_in, "text": "How long?"})
    client.post("/questions", data={"csrf_token": signed_in, "text": "Who rings me?"})
    [first, second] = [r["id"] for r in db.query(
        "SELECT id FROM questions WHERE patient_id = ? ORDER BY id", [patient.id])]
    response = client.post(f"/questions/{first}/delete", data={"csrf_token": signed_in})
    assert response.status_code == 303
    html = client.get("/questions").get_data(as_text=True)
    assert "Question deleted." in html and "You deleted “How long?”" in html
    # Ticking another question still offers the undo, without pulling focus to it.
    html = client.post(f"/questions/{second}/done", data={"csrf_token": signed_in, "done": "1"},
                       headers=HX).get_data(as_text=True)
    assert "You deleted “How long?”" in html and "data-focus" not in html
    response = client.post(f"/questions/{first}/restore", data={"csrf_token": signed_in})
    assert response.status_code == 303
    assert "Question restored." in client.get("/questions").get_data(as_text=True)
    assert [t for t, _, _ in listed(db, patient.id)] == ["How long?", "Who rings me?"]


def test_after_ten_minutes_a_deleted_question_is_gone_for_good(client, signed_in, db, patient):
    client.post("/questions", data={"csrf_token": signed_in, "text": "How long?"})
    [row] = db.query("SELECT id FROM questions WHERE patient_id = ?", [patient.id])
    client.post(f"/questions/{row['id']}/delete", data={"csrf_token": signed_in})
    old = utc_iso(utc_now() - timedelta(minutes=11))
    db.execute("UPDATE questions SET deleted_at = ? WHERE id = ?", [old, row["id"]])
    html = client.get("/questions").get_data(as_text=True)
    assert "You deleted" not in html
    assert db.execute("SELECT count(*) FROM questions WHERE id = ?", [row["id"]]).fetchone()[0] == 0
    response = client.post(f"/questions/{row['id']}/restore", data={"csrf_token": signed_in},
                           headers=HX)
    assert response.status_code == 200
    assert "can no longer be brought back" in response.get_data(as_text=True)


def test_a_deleted_question_is_left_out_everywhere_while_it_waits(client, signed_in, db, patient):
    client.post("/questions", data={"csrf_token": signed_in, "text": "How long?"})
    [row] = db.query("SELECT id FROM questions WHERE patient_id = ?", [patient.id])
    db.execute("UPDATE questions SET shared = 1 WHERE id = ?", [row["id"]])
    assert sharing.shared_counts(db, patient.id)["questions"] == 1
    assert [q["id"] for q in summaries.open_questions(db, patient.id)] == [row["id"]]
    questions.delete(db, row["id"])
    assert sharing.shared_counts(db, patient.id)["questions"] == 0
    assert summaries.open_questions(db, patient.id) == []
    assert [p.id for p in pending.pending_items(db, patient.id)] == []
    # Adding the same words again makes a new question, not a hidden one.
    client.post("/questions", data={"csrf_token": signed_in, "text": "How long?"})
    assert listed(db, patient.id) == [("How long?", 0, 0)]


def test_restore_of_someone_elses_question_is_not_found(client, signed_in, db, make_account):
    other = make_account("someone@example.com")
    qid = db["questions"].insert({"patient_id": other.id, "text": "Theirs", "suggested": 0,
                                  "done": 0, "created_at": "2026-11-01T00:00:00.000000Z",
                                  "deleted_at": utc_iso(utc_now())}, pk="id").last_pk
    assert client.post(f"/questions/{qid}/restore",
                       data={"csrf_token": signed_in}).status_code == 404
    [row] = db.query("SELECT deleted_at FROM questions WHERE id = ?", [qid])
    assert row["deleted_at"] is not None


def test_another_patients_question_is_not_found(client, signed_in, app, db, make_account):
    other = make_account("someone@example.com")
    qid = db["questions"].insert({"patient_id": other.id, "text": "Theirs", "suggested": 0,
                                  "done": 0, "created_at": "2026-11-01T00:00:00.000000Z"},
                                 pk="id").last_pk
    assert client.post(f"/questions/{qid}/done",
                       data={"csrf_token": signed_in, "done": "1"}).status_code == 404
    assert client.post(f"/questions/{qid}/delete",
                       data={"csrf_token": signed_in}).status_code == 404
    assert "Theirs" not in client.get("/questions").get_data(as_text=True)
    assert listed(db, other.id) == [("Theirs", 0, 0)]


def test_print_button_waits_for_javascript(client, signed_in):
    html = client.get("/questions").get_data(as_text=True)
    # Hidden until app.js can make it work; the print stylesheet does the rest.
    assert '<button class="button secondary" type="button" data-print hidden>' in html
    assert "use your browser's Print or Share menu" in html
