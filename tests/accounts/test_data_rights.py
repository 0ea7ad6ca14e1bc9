"""Data rights: a patient downloads everything and deletes their account for good."""

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from journal.diary import entries
from journal.platform import personal_data
from journal.platform.clock import utc_iso, utc_now

PASSWORD = "correct horse battery"  # every conftest account's password

MARKER = "quokkaflummox"


def check_in(client, token, note, distress="4"):
    response = client.post(
        "/check-in", data={"csrf_token": token, "distress": distress, "note": note}
    )
    assert response.status_code == 303
    return response


def add_scan_and_question(db, patient_id):
    now = utc_iso(utc_now())
    db.execute(
        "INSERT INTO scans (patient_id, kind, hospital, created_at) VALUES (?, ?, ?, ?)",
        [patient_id, "liver-ultrasound", f"St {MARKER} Hospital", now],
    )
    db.execute(
        "INSERT INTO questions (patient_id, text, created_at) VALUES (?, ?, ?)",
        [patient_id, f"What does {MARKER} mean?", now],
    )


def open_zip(response):
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_download_is_a_readable_zip_of_the_patients_own_words(client, db, patient,
                                                               other_patient, signed_in):
    client.post("/check-in", data={"csrf_token": signed_in, "distress": "4",
                                   "note": f"Walked by the {MARKER} pond",
                                   "feelings": ["anxious", "tired"], "topics": ["results"],
                                   "prompt": "What helped today?",
                                   "prompt_answer": "A long bath"})
    add_scan_and_question(db, patient.id)
    db.execute(
        "INSERT INTO entries (patient_id, created_at, note) VALUES (?, ?, ?)",
        [other_patient.id, utc_iso(utc_now()), "someone else's words"],
    )

    response = client.post("/account/data/download", data={"csrf_token": signed_in})

    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="waiting-well-data-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    files = open_zip(response)
    assert set(files) == {"README.txt", "entries.csv", "scans.csv", "questions.csv",
                          "shared-with.csv", "journal.json", "journal.html"}
    for name in ("entries.csv", "scans.csv", "questions.csv", "shared-with.csv",
                 "journal.json", "journal.html"):
        assert name in files["README.txt"]
    data = json.loads(files["journal.json"])
    assert data["account"]["email"] == "pat@example.com"
    [entry] = data["entries"]
    assert entry["note"] == f"Walked by the {MARKER} pond"
    assert entry["prompt_answer"] == "A long bath"
    assert entry["feelings"] == ["anxious", "tired"]
    # Readable labels, not the stored codes.
    assert entry["topics"] == ["Waiting for results"]
    assert data["scans"][0]["hospital"] == f"St {MARKER} Hospital"
    assert data["scans"][0]["scan"] == "Liver ultrasound"
    assert data["questions"][0]["question"] == f"What does {MARKER} mean?"
    [row] = csv_rows(files["entries.csv"])
    assert row["Note"] == f"Walked by the {MARKER} pond"
    assert row["How distressed (0 to 10)"] == "4"
    assert row["Topics"] == "Waiting for results"
    assert row["Feelings"] == "anxious, tired"
    assert row["Your answer"] == "A long bath"
    assert row["Written (ISO 8601, UTC)"].endswith("Z")
    assert [csv_rows(files["scans.csv"])[0]["Scan"]] == ["Liver ultrasound"]
    assert csv_rows(files["questions.csv"])[0]["Question"] == f"What does {MARKER} mean?"
    assert f"Walked by the {MARKER} pond" in files["journal.html"]
    everything = "".join(files.values())
    assert "someone else's words" not in everything


def csv_rows(text):
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@pytest.mark.parametrize("stored, words", [
    # Summer: BST, an hour ahead of UTC.
    ("2026-07-14T13:05:00.000000Z", "Tuesday 14 July 2026, 2:05pm"),
    # Winter: GMT, the same as UTC.
    ("2026-12-03T09:30:00.000000Z", "Thursday 3 December 2026, 9:30am"),
    ("2026-03-29T00:30:00.000000Z", "Sunday 29 March 2026, 12:30am"),
])
def test_export_times_are_uk_local_beside_the_iso_time(stored, words):
    assert personal_data.uk_words(stored) == words


def test_entries_csv_puts_the_uk_time_beside_the_iso_time(client, db, patient, signed_in):
    db.execute("INSERT INTO entries (patient_id, created_at, distress) VALUES (?, ?, ?)",
               [patient.id, "2026-07-14T13:05:00.000000Z", 3])

    files = open_zip(client.post("/account/data/download", data={"csrf_token": signed_in}))

    [row] = csv_rows(files["entries.csv"])
    assert row["Written (UK time)"] == "Tuesday 14 July 2026, 2:05pm"
    assert row["Written (ISO 8601, UTC)"] == "2026-07-14T13:05:00.000000Z"


def test_shared_with_says_who_read_what_and_when(client, db, patient, nurse, signed_in):
    team = db.execute("INSERT INTO teams (name, working_hours, created_at) VALUES (?, ?, ?)",
                      ["Breast Care Team", "Weekdays", utc_iso(utc_now())]).lastrowid
    entry = entries.create(db, patient.id, {"distress": 6, "feelings": [], "topics": [],
                                            "note": "shared note"})
    db.execute("UPDATE entries SET created_at = ? WHERE id = ?",
               ["2026-07-14T13:05:00.000000Z", entry])
    db.execute("UPDATE users SET first_name = 'Priya' WHERE id = ?", [nurse.id])
    db.execute(
        "INSERT INTO audit (at, actor_id, actor_role, action, patient_id, team_id, entry_id)"
        " VALUES (?, ?, 'nurse', 'review', ?, ?, ?)",
        ["2026-07-15T08:00:00.000000Z", nurse.id, patient.id, team, entry],
    )
    # The patient's own sharing is not a read by someone else.
    db.execute(
        "INSERT INTO audit (at, actor_id, actor_role, action, patient_id, team_id, entry_id)"
        " VALUES (?, ?, 'patient', 'share', ?, ?, ?)",
        ["2026-07-14T13:06:00.000000Z", patient.id, patient.id, team, entry],
    )

    files = open_zip(client.post("/account/data/download", data={"csrf_token": signed_in}))

    [row] = csv_rows(files["shared-with.csv"])
    assert row["When (UK time)"] == "Wednesday 15 July 2026, 9:00am"
    assert row["When (ISO 8601, UTC)"] == "2026-07-15T08:00:00.000000Z"
    assert row["Who"] == "Priya (nurse)"
    assert row["Care team"] == "Breast Care Team"
    assert row["What"] == ("Read a check-in and marked it as seen: your check-in of"
                           " Tuesday 14 July 2026, 2:05pm")
    assert "Priya (nurse)" in files["journal.html"]


def test_journal_html_escapes_what_the_person_wrote(client, signed_in):
    check_in(client, signed_in, '<script>alert("hi")</script> & <b>bold</b>')

    files = open_zip(client.post("/account/data/download", data={"csrf_token": signed_in}))

    page = files["journal.html"]
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert page.startswith("<!doctype html>")


def test_download_leaves_out_password_hashes_session_ids_and_token_digests(
    client, db, patient, signed_in
):
    password_hash = db.execute("SELECT password_hash FROM users").fetchone()[0]
    session_ids = [r[0] for r in db.execute("SELECT id, token_hash FROM sessions")]
    token_hashes = [r[1] for r in db.execute("SELECT id, token_hash FROM sessions")]
    db.execute("INSERT INTO password_tokens (user_id, token_hash, created_at, expires_at)"
               " VALUES (?, 'digest-of-a-reset-link', ?, ?)",
               [patient.id, utc_iso(utc_now()), utc_iso(utc_now())])
    db.execute("INSERT INTO recovery_codes (user_id, code_hash, created_at)"
               " VALUES (?, 'digest-of-a-recovery-code', ?)", [patient.id, utc_iso(utc_now())])

    files = open_zip(client.post("/account/data/download", data={"csrf_token": signed_in}))

    everything = "".join(files.values())
    assert password_hash not in everything
    assert token_hashes and not any(t in everything for t in token_hashes)
    assert "digest-of-a-reset-link" not in everything
    assert "digest-of-a-recovery-code" not in everything
    data = json.loads(files["journal.json"])
    for table in ("sessions", "password_tokens", "recovery_codes"):
        assert table not in data["other_records"]
    assert session_ids and not any(
        key in json.dumps(data) for key in ('"token_hash"', '"code_hash"', '"session_id"'))


def test_a_new_table_with_patient_id_is_exported_and_erased_with_no_code_change(
    client, db, patient, signed_in
):
    # Stands in for tables other features add later (care teams, sharing, reviews).
    db.execute(
        "CREATE TABLE care_notes (id INTEGER PRIMARY KEY,"
        " patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, text TEXT)"
    )
    db.execute("INSERT INTO care_notes (patient_id, text) VALUES (?, ?)",
               [patient.id, f"{MARKER} plan"])

    files = open_zip(client.post("/account/data/download", data={"csrf_token": signed_in}))
    other = json.loads(files["journal.json"])["other_records"]
    assert other["care_notes"][0]["text"] == f"{MARKER} plan"

    client.post("/account/delete", data={"csrf_token": signed_in, "password": PASSWORD})
    assert db.execute("SELECT count(*) FROM care_notes").fetchone()[0] == 0


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+44 808", "'+44 808"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("Calm day = good day", "Calm day = good day"),
        (-2, -2),
        (None, None),
    ],
)
def test_spreadsheet_cells_never_start_a_formula(value, expected):
    assert personal_data.spreadsheet_safe(value) == expected


def test_csv_keeps_commas_quotes_and_line_breaks_in_one_cell():
    text = personal_data.csv_text(["note"], [{"note": 'a, "b"\nc'}])
    assert list(csv.reader(io.StringIO(text))) == [["note"], ['a, "b"\nc']]


def test_data_page_offers_download_and_delete(client, signed_in):
    response = client.get("/account/data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'action="/account/data/download" method="post"' in html
    assert 'href="/account/delete"' in html
    assert 'aria-current="page">Your data' in html


def test_nurse_cannot_use_patient_data_pages(client, nurse, auth):
    auth.sign_in("nurse@example.com")
    token = auth.token("/")
    assert client.get("/account/data").status_code == 403
    assert client.post("/account/data/download", data={"csrf_token": token}).status_code == 403
    assert client.get("/account/delete").status_code == 403
    assert client.post("/account/delete", data={"csrf_token": token,
                                                "password": PASSWORD}).status_code == 403


def test_signed_out_person_is_sent_to_sign_in(client, auth):
    assert client.get("/account/data").headers["Location"].startswith("/sign-in?next=")
    response = client.post("/account/data/download", data={"csrf_token": auth.token()})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")


def test_download_needs_a_post_with_the_csrf_token(client, signed_in):
    assert client.get("/account/data/download").status_code == 405
    assert client.post("/account/data/download").status_code == 400


def test_wrong_password_deletes_nothing(client, db, patient, signed_in):
    check_in(client, signed_in, "still here")

    response = client.post("/account/delete",
                           data={"csrf_token": signed_in, "password": "not my password"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "That password is not right" in html
    assert 'aria-invalid="true"' in html
    assert "Clear-Site-Data" not in response.headers
    assert db.execute("SELECT count(*) FROM users WHERE id = ?", [patient.id]).fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM account_tombstones").fetchone()[0] == 0


def test_delete_without_csrf_token_deletes_nothing(client, db, patient, signed_in):
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 400
    assert db.execute("SELECT count(*) FROM users WHERE id = ?", [patient.id]).fetchone()[0] == 1


def test_delete_erases_everything_signs_out_and_clears_the_browser(
    app, client, db, patient, other_patient, signed_in
):
    check_in(client, signed_in, f"The {MARKER} kept me awake")
    check_in(client, signed_in, "A second note")
    add_scan_and_question(db, patient.id)
    db.execute(
        "INSERT INTO entries (patient_id, created_at, note) VALUES (?, ?, ?)",
        [other_patient.id, utc_iso(utc_now()), "Olu's own note"],
    )

    response = client.post("/account/delete", data={"csrf_token": signed_in, "password": PASSWORD})

    assert response.status_code == 303
    assert response.headers["Location"] == "/account/deleted"
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    for table in ("entries", "scans", "questions", "sessions"):
        owner = "user_id" if table == "sessions" else "patient_id"
        count = db.execute(f"SELECT count(*) FROM {table} WHERE {owner} = ?", [patient.id])
        assert count.fetchone()[0] == 0, table
    assert db.execute("SELECT count(*) FROM users WHERE id = ?", [patient.id]).fetchone()[0] == 0
    hits = db.execute("SELECT count(*) FROM entries_fts WHERE entries_fts MATCH ?", [MARKER])
    assert hits.fetchone()[0] == 0
    # The other patient keeps everything.
    assert [r[0] for r in db.execute("SELECT note FROM entries")] == ["Olu's own note"]
    assert db.execute("SELECT count(*) FROM users WHERE id = ?",
                      [other_patient.id]).fetchone()[0] == 1
    # Only a tombstone without content is left.
    tombstone = db.execute("SELECT * FROM account_tombstones").fetchall()
    assert len(tombstone) == 1
    assert tombstone[0][1:3] == (patient.id, "patient")
    assert "pat@example.com" not in repr(tombstone)

    # Signed out: the old session no longer opens the journal.
    home = client.get("/home")
    assert home.status_code == 302
    assert home.headers["Location"].startswith("/sign-in")
    goodbye = client.get("/account/deleted")
    assert goodbye.status_code == 200
    assert "Your account has been deleted" in goodbye.get_data(as_text=True)


@pytest.mark.parametrize("days", [5, 200])
def test_erased_words_are_gone_from_the_database_files(app, client, db, patient, other_patient,
                                                        signed_in, days):
    # Interleaved with another patient's entries, as in the shared full-text index; without
    # the FTS optimise the word stays in old index segments at both sizes.
    for n in range(days):
        for who, words in ((patient.id, f"the {MARKER} again"), (other_patient.id, "a walk")):
            entries.create(db, who, {"distress": 3, "feelings": [], "topics": [],
                                     "note": f"Day {n}: {words}"})
    path = Path(app.config["JOURNAL_DB"])
    before = path.read_bytes() + Path(f"{path}-wal").read_bytes()
    assert MARKER.encode() in before

    client.post("/account/delete", data={"csrf_token": signed_in, "password": PASSWORD})

    db.close()
    wal = Path(f"{path}-wal")
    after = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    # The notes, the full-text index's copy of the word and the email are all overwritten.
    assert MARKER.encode() not in after
    assert b"pat@example.com" not in after
    assert b"other@example.com" in after


def test_erase_account_of_someone_missing_is_false(db):
    assert personal_data.erase_account(db, 999) is False
    assert db.execute("SELECT count(*) FROM account_tombstones").fetchone()[0] == 0
