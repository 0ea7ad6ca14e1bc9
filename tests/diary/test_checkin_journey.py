"""The day's journal prompt on the check-in form, and the kind safety net after saving."""

import re
from datetime import date, time

import pytest

from journal.guidance.packs import load_packs
from journal.platform.clock import uk_local_to_utc

HX = {"HX-Request": "true"}
PACKS = load_packs()


def uk(y, m, d, hh=0, mm=0):
    return uk_local_to_utc(date(y, m, d), time(hh, mm))


def shown_prompt(html):
    match = re.search(r'<input type="hidden" name="prompt" value="([^"]*)">', html)
    assert match, "no prompt on the form"
    return match.group(1).replace("&#39;", "'")


def stored(db, patient_id):
    return list(db.query("SELECT * FROM entries WHERE patient_id = ? ORDER BY id", [patient_id]))


def test_prompt_comes_from_the_stage_and_stays_all_day(client, signed_in, db, patient, clock,
                                                       add_scan):
    add_scan(patient.id, appointment_at=uk(2026, 11, 18, 10))
    clock(uk(2026, 11, 22, 0, 5))
    morning = shown_prompt(client.get("/home").get_data(as_text=True))
    clock(uk(2026, 11, 22, 23, 55))
    night = shown_prompt(client.get("/home").get_data(as_text=True))
    assert morning == night
    assert morning in PACKS["liver-ultrasound"].stages["waiting"].prompts
    days = set()
    for day in range(19, 25):
        clock(uk(2026, 11, day, 12))
        days.add(shown_prompt(client.get("/home").get_data(as_text=True)))
    assert len(days) > 1  # a different prompt on other days


def test_prompt_without_a_scan(client, signed_in, clock):
    clock(uk(2026, 11, 22, 12))
    prompt = shown_prompt(client.get("/home").get_data(as_text=True))
    assert prompt in PACKS["liver-ultrasound"].stages["no-date"].prompts


def test_answer_is_saved_with_its_prompt_and_shown_on_the_entry(client, signed_in, db, patient,
                                                                clock):
    clock(uk(2026, 11, 22, 12))
    prompt = shown_prompt(client.get("/home").get_data(as_text=True))
    response = client.post("/check-in", data={
        "csrf_token": signed_in, "distress": "4", "prompt": prompt,
        "prompt_answer": "My sister, on Sunday.",
    })
    assert response.status_code == 303
    [entry] = stored(db, patient.id)
    assert (entry["prompt"], entry["prompt_answer"]) == (prompt, "My sister, on Sunday.")
    timeline = client.get("/timeline").get_data(as_text=True)
    assert '<p class="prompt-q">' in timeline
    assert "My sister, on Sunday." in timeline


def test_an_answer_alone_is_a_check_in(client, signed_in, db, patient):
    prompt = shown_prompt(client.get("/home").get_data(as_text=True))
    response = client.post("/check-in", data={"csrf_token": signed_in, "prompt": prompt,
                                              "prompt_answer": "Calmer today."}, headers=HX)
    assert response.status_code == 200
    assert "Saved at" in response.get_data(as_text=True)
    assert stored(db, patient.id)[0]["prompt_answer"] == "Calmer today."


def test_unanswered_prompt_is_not_kept(client, signed_in, db, patient):
    prompt = shown_prompt(client.get("/home").get_data(as_text=True))
    client.post("/check-in", data={"csrf_token": signed_in, "distress": "3", "prompt": prompt})
    assert (stored(db, patient.id)[0]["prompt"], stored(db, patient.id)[0]["prompt_answer"]) == (
        "", "")


def test_a_made_up_prompt_is_replaced_by_todays(client, signed_in, db, patient):
    today = shown_prompt(client.get("/home").get_data(as_text=True))
    client.post("/check-in", data={"csrf_token": signed_in, "prompt": "Anything I like?",
                                   "prompt_answer": "An answer."})
    assert stored(db, patient.id)[0]["prompt"] == today


def test_too_long_answer_is_refused_and_kept(client, signed_in, db, patient):
    response = client.post("/check-in", data={"csrf_token": signed_in, "distress": "2",
                                              "prompt_answer": "a" * 5001}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html
    assert "Your answer is 5,001 characters long." in html
    assert "a" * 5001 in html
    assert stored(db, patient.id) == []


def test_editing_keeps_the_prompt_and_changes_the_answer(client, signed_in, db, patient):
    prompt = shown_prompt(client.get("/home").get_data(as_text=True))
    client.post("/check-in", data={"csrf_token": signed_in, "distress": "4", "prompt": prompt,
                                   "prompt_answer": "First answer."})
    entry_id = stored(db, patient.id)[0]["id"]
    form = client.get(f"/entries/{entry_id}/edit").get_data(as_text=True)
    assert "First answer." in form
    client.post(f"/entries/{entry_id}", data={"csrf_token": signed_in, "distress": "4",
                                              "prompt": "Changed?", "prompt_answer": "Second."})
    entry = stored(db, patient.id)[0]
    assert (entry["prompt"], entry["prompt_answer"]) == (prompt, "Second.")


@pytest.mark.parametrize(
    ("form", "reach_out"),
    [
        pytest.param({"distress": "8"}, True, id="distress-8"),
        pytest.param({"distress": "10"}, True, id="distress-10"),
        pytest.param({"distress": "7"}, False, id="distress-7"),
        pytest.param({"distress": "2", "note": "I just can’t cope any more"}, True,
                     id="words-in-note"),
        pytest.param({"distress": "2", "prompt_answer": "There is no point"}, True,
                     id="words-in-answer"),
        pytest.param({"distress": "3", "note": "A good walk."}, False, id="calm"),
    ],
)
def test_safety_net_with_htmx(client, signed_in, db, patient, form, reach_out):
    response = client.post("/check-in", data={"csrf_token": signed_in, **form}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert len(stored(db, patient.id)) == 1  # saved either way
    assert ("It sounds like things are really hard right now" in html) is reach_out
    assert (response.headers.get("HX-Reswap") == "outerHTML show:#reach-out:top") is reach_out
    if reach_out:
        assert 'href="tel:116123"' in html
        assert 'href="sms:85258?body=SHOUT"' in html
        assert "Help is here if you need it." in html


def test_safety_net_without_javascript_shows_once(client, signed_in, db, patient):
    response = client.post("/check-in", data={"csrf_token": signed_in, "distress": "9"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/home#reach-out"
    assert len(stored(db, patient.id)) == 1
    home = client.get("/home").get_data(as_text=True)
    assert "Saved. Your check-in is on your timeline." in home
    assert "It sounds like things are really hard right now" in home
    # The lines open at any hour come first; the nurse line keeps office hours.
    assert home.index('id="reach-out-urgent"') < home.index('id="reach-out-nurse-line"')
    again = client.get("/home").get_data(as_text=True)
    assert "It sounds like things are really hard right now" not in again


def test_calm_check_in_without_javascript_has_no_safety_net(client, signed_in):
    client.post("/check-in", data={"csrf_token": signed_in, "distress": "3"})
    assert "It sounds like things are really hard right now" not in client.get("/home").get_data(
        as_text=True)


def test_a_note_alone_is_a_check_in_without_a_score(client, signed_in, db, patient):
    response = client.post("/check-in", data={"csrf_token": signed_in, "note": "Just a note."})
    assert response.status_code == 303
    [entry] = stored(db, patient.id)
    assert (entry["distress"], entry["note"]) == (None, "Just a note.")


def test_stale_check_in_keeps_the_words(client, signed_in, db, patient):
    response = client.post("/check-in", data={"csrf_token": "expired", "note": "Still here.",
                                              "prompt_answer": "My answer."})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Still here." in html
    assert "My answer." in html
    assert stored(db, patient.id) == []
