"""Request tests: the appointment summary, picking notes, and sharing it."""

import re

from journal.trends import summaries
from tests.trend_data import add_days, add_entry, add_question, add_scan, uk_noon


def summary_html(client):
    response = client.get("/summary")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def picked_ids(db, patient_id):
    return sorted(
        row[0]
        for row in db.execute(
            "SELECT entry_id FROM summary_notes JOIN summaries ON summaries.id = summary_id"
            " WHERE summaries.patient_id = ?",
            [patient_id],
        ).fetchall()
    )


def test_summary_shows_scan_wait_chart_and_open_questions(client, db, patient, signed_in):
    add_days(db, patient.id, 30)
    add_scan(db, patient.id, days_ago=16, results_days_ago=4, hospital="St Luke's Hospital",
             nurse_name="Jo Adams", nurse_phone="020 7946 0000", results_expected_days=14)
    add_question(db, patient.id, "What happens next?")
    add_question(db, patient.id, "Ticked off already", done=True)

    html = summary_html(client)

    assert "<dd>Liver ultrasound</dd>" in html
    assert "St Luke&#39;s Hospital" in html
    assert "Jo Adams, 020 7946 0000" in html
    assert "<dd>About 2 weeks</dd>" in html
    assert "You waited 12 days for your results" in html
    assert '<svg class="chart-svg"' in html and 'class="chart-marker results"' in html
    assert "What happens next?" in html and "Ticked off already" not in html
    assert "No notes chosen." in html
    assert 'style="' not in html


def test_summary_without_a_scan_still_helps(client, db, patient, signed_in):
    add_entry(db, patient.id, uk_noon(1), distress=5, note="First note.")

    html = summary_html(client)

    assert "You have not saved a scan date yet." in html
    assert "No open questions on my list." in html
    assert "First note." in html  # offered as a choice
    assert "<circle" in html


def test_picking_notes_keeps_only_the_patients_own_notes(client, db, patient, other_patient,
                                                         signed_in):
    scan_id = add_scan(db, patient.id, days_ago=5)
    first = add_entry(db, patient.id, uk_noon(3), distress=5, note="Slept badly.")
    second = add_entry(db, patient.id, uk_noon(1), distress=4, note="Good chat with Ana.")
    no_note = add_entry(db, patient.id, uk_noon(2), distress=4)
    theirs = add_entry(db, other_patient.id, uk_noon(1), distress=9, note="Olu private words")

    response = client.post(
        "/summary/notes",
        data={"csrf_token": signed_in, "notes": [str(first), str(second), str(no_note),
                                                 str(theirs), "nonsense"]},
    )

    assert response.status_code == 303
    assert response.headers["Location"] == "/summary#summary-notes"
    assert picked_ids(db, patient.id) == [first, second]
    row = db.execute("SELECT scan_id, shared FROM summaries WHERE patient_id = ?",
                     [patient.id]).fetchone()
    assert row == (scan_id, 0)
    html = summary_html(client)
    assert "Saved. Your summary has 2 notes." in html
    notes = re.search(r'<ul class="picked-notes">.*?</ul>', html, re.S).group(0)
    assert notes.index("Slept badly.") < notes.index("Good chat with Ana.")
    assert "Olu private words" not in html


def test_picking_again_replaces_the_choice(client, db, patient, signed_in):
    first = add_entry(db, patient.id, uk_noon(3), distress=5, note="One.")
    second = add_entry(db, patient.id, uk_noon(1), distress=4, note="Two.")
    client.post("/summary/notes", data={"csrf_token": signed_in, "notes": [first, second]})

    client.post("/summary/notes", data={"csrf_token": signed_in, "notes": [second]})

    assert picked_ids(db, patient.id) == [second]
    assert db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0] == 1
    html = summary_html(client)
    assert re.search(rf'id="note-{second}" value="{second}" checked', html)
    assert not re.search(rf'id="note-{first}" value="{first}" checked', html)


def test_picking_nothing_clears_the_notes(client, db, patient, signed_in):
    entry = add_entry(db, patient.id, uk_noon(1), distress=4, note="Two.")
    client.post("/summary/notes", data={"csrf_token": signed_in, "notes": [entry]})

    response = client.post("/summary/notes", data={"csrf_token": signed_in})

    assert response.status_code == 303
    assert picked_ids(db, patient.id) == []
    assert "Saved. Your summary has no notes." in summary_html(client)


def test_a_deleted_entry_drops_out_of_the_summary(client, db, patient, signed_in):
    entry = add_entry(db, patient.id, uk_noon(1), distress=4, note="Soon deleted.")
    client.post("/summary/notes", data={"csrf_token": signed_in, "notes": [entry]})
    client.post(f"/entries/{entry}/delete", data={"csrf_token": signed_in})

    html = summary_html(client)

    assert "Soon deleted." not in html


def test_sharing_and_unsharing_the_summary(client, db, patient, team, linked, signed_in):
    add_scan(db, patient.id, days_ago=5)

    response = client.post("/summary/share", data={"csrf_token": signed_in, "shared": "1"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/summary#share"
    shared, shared_at, team_id = db.execute(
        "SELECT shared, shared_at, shared_team_id FROM summaries WHERE patient_id = ?",
        [patient.id],
    ).fetchone()
    assert shared == 1 and shared_at and team_id == team.id
    html = summary_html(client)
    assert "Stop sharing" in html and "Breast Care Team can read this summary" in html

    client.post("/summary/share", data={"csrf_token": signed_in, "shared": "0"})

    shared, shared_at = db.execute(
        "SELECT shared, shared_at FROM summaries WHERE patient_id = ?", [patient.id]
    ).fetchone()
    assert (shared, shared_at) == (0, None)
    assert "Share this summary" in summary_html(client)


def test_summary_posts_need_the_csrf_token(client, db, patient, signed_in):
    entry = add_entry(db, patient.id, uk_noon(1), distress=4, note="Kept private.")

    assert client.post("/summary/notes", data={"notes": [entry]}).status_code == 400
    assert client.post("/summary/share", data={"shared": "1"}).status_code == 400
    assert db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0] == 0


def test_the_care_team_seam_sees_a_summary_only_once_shared(db, patient, other_patient, team,
                                                            linked):
    entry = add_entry(db, patient.id, uk_noon(1), distress=4, note="For my nurse.")
    add_question(db, patient.id, "What next?")
    shared_question = add_question(db, patient.id, "Shared with my nurse?")
    db.execute("UPDATE questions SET shared = 1 WHERE id = ?", [shared_question])
    add_question(db, other_patient.id, "Olu's question")
    summaries.pick_notes(db, patient.id, None, [entry])

    assert summaries.summary_view(db, patient.id, team_id=team.id) is None

    summaries.set_shared(db, patient.id, None, True)
    shared = summaries.summary_view(db, patient.id, team_id=team.id)

    assert shared.shared and [e.note for e in shared.notes] == ["For my nurse."]
    # The picked note goes with the summary; questions keep their own switch.
    assert [q["text"] for q in shared.questions] == ["Shared with my nurse?"]
    assert [q["text"] for q in summaries.summary_view(db, patient.id).questions] == [
        "What next?", "Shared with my nurse?"]
    assert summaries.summary_view(db, other_patient.id, team_id=team.id) is None


def test_a_new_scan_starts_a_new_summary(client, db, patient, signed_in):
    add_scan(db, patient.id, days_ago=60, results_days_ago=50)
    entry = add_entry(db, patient.id, uk_noon(55), distress=4, note="From the first wait.")
    client.post("/summary/notes", data={"csrf_token": signed_in, "notes": [entry]})
    client.post("/summary/share", data={"csrf_token": signed_in, "shared": "1"})

    add_scan(db, patient.id, days_ago=3)

    html = summary_html(client)
    assert "No notes chosen." in html
    assert "Share this summary" in html
    assert db.execute("SELECT COUNT(*) FROM summaries").fetchone()[0] == 1


def test_the_summary_names_the_scan_from_the_packs_the_app_loaded(tmp_path):
    """Packs are read once at start from CONTENT_DIR, not again from the default folder."""
    import shutil

    from journal import create_app
    from journal.guidance.packs import CONTENT_DIR
    from journal.trends import summaries

    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    pack = folder / "liver-ultrasound.toml"
    text = pack.read_text().replace('name = "Liver ultrasound"', 'name = "Liver scan (ours)"', 1)
    pack.write_text(text)
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "j.db"),
                      "CONTENT_DIR": str(folder)})
    with app.app_context():
        assert summaries._scan_name("liver-ultrasound") == "Liver scan (ours)"
        assert summaries._scan_name("unknown-kind") == "unknown-kind"
