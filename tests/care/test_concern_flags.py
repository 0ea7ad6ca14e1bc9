"""Nurses see the same concern the patient's safety net saw: every text, the words, in full."""

import re
from dataclasses import replace

from care_helpers import client_for, link_patient

from journal.diary import entries


def shared_entry(db, patient, **values):
    base = {"distress": 2, "feelings": [], "topics": [], "note": "", "prompt_answer": "",
            "prompt": "What has helped today?"}
    entry_id = entries.create(db, patient.id, {**base, **values})
    db.execute("UPDATE entries SET shared = 1 WHERE id = ?", [entry_id])
    return entry_id


def item_ids(html):
    return [int(n) for n in re.findall(r'<li class="inbox-item[^"]*" id="item-(\d+)"', html)]


def test_worrying_words_in_the_prompt_answer_are_flagged_and_shown(app, db, patient, team,
                                                                  team_nurse):
    link_id = link_patient(db, patient, team)
    entry_id = shared_entry(db, patient, note="fine today", prompt_answer="I want to end it all")
    client, _ = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    assert 'class="flag flag-concern">Worrying words<' in html
    assert "Words that raised the flag:" in html
    assert "“end it all” <span class=\"hint\">(Suicidal thoughts)</span>" in html
    assert "I want to end it all" in html and "What has helped today?" in html
    assert item_ids(client.get("/care?flag=concern").get_data(as_text=True)) == [entry_id]
    entry_page = client.get(f"/care/patients/{link_id}").get_data(as_text=True)
    assert "I want to end it all" in entry_page


def test_a_denial_is_not_flagged_but_the_nurse_sees_it(app, db, patient, team, team_nurse):
    link_patient(db, patient, team)
    shared_entry(db, patient, note="I'm not suicidal, just exhausted by the wait")
    client, _ = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    assert "flag-concern" not in html
    assert "Also wrote, saying it was not so: “suicidal”" in html
    assert item_ids(client.get("/care?flag=concern").get_data(as_text=True)) == []


def test_long_notes_are_never_cut_short(app, db, patient, team, team_nurse):
    link_patient(db, patient, team)
    note = "A long day of waiting. " * 30 + "And tonight I feel hopeless."
    shared_entry(db, patient, note=note)
    client, _ = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    assert note in html
    assert "“hopeless”" in html


def test_distress_bands_and_flags_follow_the_levels_in_the_rule(app, db, patient, team,
                                                                team_nurse):
    link_patient(db, patient, team)
    shared_entry(db, patient, distress=6, note="tired")
    client, _ = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    assert "band-mid" in html and "flag-concern" not in html
    app.extensions["safety"] = replace(app.extensions["safety"], high_distress=6,
                                       raised_distress=3)
    html = client.get("/care").get_data(as_text=True)
    assert "band-high" in html and 'class="flag flag-concern">High distress<' in html
