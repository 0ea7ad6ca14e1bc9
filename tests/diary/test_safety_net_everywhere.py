"""One concern check for every place a patient writes, and help in view after each save."""

import pytest

from journal.diary import entries

HX = {"HX-Request": "true"}
HARD = "It sounds like things are really hard right now"
GENTLE = "Help is here if you ever need it"
SHOW = "outerHTML show:#reach-out:top"


def stored(db, patient_id):
    return list(db.query("SELECT * FROM entries WHERE patient_id = ? ORDER BY id", [patient_id]))


def make_entry(db, patient, **values):
    base = {"distress": 3, "feelings": [], "topics": [], "note": "", "prompt_answer": "",
            "prompt": "How are you sleeping?"}
    return entries.create(db, patient.id, {**base, **values})


def test_check_in_from_the_check_in_page_brings_help_into_view(client, signed_in, db, patient):
    response = client.post(
        "/check-in", data={"csrf_token": signed_in, "distress": "2",
                           "prompt_answer": "I want to end it all"},
        headers={**HX, "HX-Current-URL": "http://localhost/check-in"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["HX-Reswap"] == SHOW
    assert 'id="reach-out"' in html and HARD in html
    assert 'id="latest"' not in html  # the check-in page has no home sections
    assert len(stored(db, patient.id)) == 1


def test_a_denial_shows_help_gently(client, signed_in):
    response = client.post("/check-in", data={"csrf_token": signed_in, "distress": "2",
                                              "note": "I'm not suicidal, just tired"},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert GENTLE in html and HARD not in html
    assert response.headers["HX-Reswap"] == SHOW


@pytest.mark.parametrize("field", ["note", "prompt_answer"])
def test_editing_in_worrying_words_brings_help_with_htmx(client, signed_in, db, patient, field):
    entry_id = make_entry(db, patient, prompt_answer="Badly.")
    response = client.post(f"/entries/{entry_id}", headers=HX, data={
        "csrf_token": signed_in, "distress": "3", field: "I can't go on like this"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f'id="entry-{entry_id}"' in html
    assert HARD in html and 'href="tel:116123"' in html
    assert response.headers["HX-Reswap"] == SHOW
    assert stored(db, patient.id)[0][field] == "I can't go on like this"


def test_editing_without_javascript_brings_help_once(client, signed_in, db, patient):
    entry_id = make_entry(db, patient)
    response = client.post(f"/entries/{entry_id}", data={
        "csrf_token": signed_in, "distress": "9", "note": "rough day"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/timeline#reach-out"
    timeline = client.get("/timeline").get_data(as_text=True)
    assert HARD in timeline and 'id="reach-out"' in timeline
    assert HARD not in client.get("/timeline").get_data(as_text=True)


def test_a_calm_edit_brings_no_help(client, signed_in, db, patient):
    entry_id = make_entry(db, patient)
    response = client.post(f"/entries/{entry_id}", headers=HX, data={
        "csrf_token": signed_in, "distress": "3", "note": "A walk by the river."})
    assert 'id="reach-out"' not in response.get_data(as_text=True)
    assert "HX-Reswap" not in response.headers
    response = client.post(f"/entries/{entry_id}", data={
        "csrf_token": signed_in, "distress": "3", "note": "A walk by the river."})
    assert response.headers["Location"] == f"/timeline#entry-{entry_id}"


def test_a_question_with_worrying_words_brings_help(client, signed_in):
    response = client.post("/questions", headers=HX, data={
        "csrf_token": signed_in, "text": "What if I can't cope with the results?"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert HARD in html and response.headers["HX-Reswap"] == SHOW
    response = client.post("/questions", data={
        "csrf_token": signed_in, "text": "Is there any point in going on with this?"})
    assert response.headers["Location"] == "/questions#reach-out"
    assert HARD in client.get("/questions").get_data(as_text=True)
    assert HARD not in client.get("/questions").get_data(as_text=True)


def test_an_ordinary_question_brings_no_help(client, signed_in):
    response = client.post("/questions", headers=HX, data={
        "csrf_token": signed_in, "text": "When will I get my results?"})
    assert 'id="reach-out"' not in response.get_data(as_text=True)


def test_scan_letter_notes_with_worrying_words_bring_help(client, signed_in, db, patient):
    form = {"csrf_token": signed_in, "kind": "liver-ultrasound", "results_told_unit": "days",
            "letter_notes": "Honestly I feel hopeless about all of it"}
    response = client.post("/scans", data=form)
    assert response.status_code == 303
    assert response.headers["Location"] == "/home#reach-out"
    assert HARD in client.get("/home").get_data(as_text=True)
    [scan] = db.query("SELECT id FROM scans WHERE patient_id = ?", [patient.id])
    response = client.post(f"/scans/{scan['id']}", data=form)
    assert response.headers["Location"] == "/scans#reach-out"
    assert HARD in client.get("/scans").get_data(as_text=True)
    response = client.post(f"/scans/{scan['id']}", data={**form, "letter_notes": "Bring a list"})
    assert response.headers["Location"] == "/scans"


def test_the_panel_is_honest_about_who_reads_it_and_when(client, signed_in):
    html = client.post("/check-in", data={"csrf_token": signed_in, "distress": "9"},
                       headers=HX).get_data(as_text=True)
    assert "Nobody reads this straight away." in html
    assert "If you might act on these thoughts" in html and 'href="tel:999"' in html
    assert "call 999 or go to A&amp;E" in html
    assert "A&amp;E" in html and "option 2" in html
    assert 'href="tel:116123"' in html and 'href="sms:85258?body=SHOUT"' in html


def test_the_panel_says_when_the_team_will_see_a_shared_entry(client, signed_in, db, patient,
                                                              team_nurse, linked, clock):
    from datetime import date, time

    from journal.platform.clock import uk_local_to_utc

    clock(uk_local_to_utc(date(2026, 12, 4), time(18)))  # a Friday evening
    db.execute("UPDATE users SET share_by_default = 1 WHERE id = ?", [patient.id])
    html = client.post("/check-in", data={"csrf_token": signed_in, "distress": "9"},
                       headers=HX).get_data(as_text=True)
    assert stored(db, patient.id)[0]["shared"] == 1
    assert ("You shared it with Breast Care Team. They will see it on Monday 7 December"
            " from 9am at the earliest, not before.") in html
    db.execute("UPDATE users SET share_by_default = 0 WHERE id = ?", [patient.id])
    html = client.post("/check-in", data={"csrf_token": signed_in, "distress": "9"},
                       headers=HX).get_data(as_text=True)
    assert "It stays private unless you share it with Breast Care Team." in html
