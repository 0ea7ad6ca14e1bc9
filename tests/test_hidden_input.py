"""Look-alike and oversized input: hidden characters, non-ASCII ids, paging ids from
elsewhere and chunked bodies are refused plainly, never a 500."""

import http.client
import io
import re
import threading

import pytest
from care_helpers import add_entry, client_for, link_patient
from werkzeug.serving import make_server

from journal.accounts import users as accounts
from journal.diary import entries
from tests.helpers import csrf_from

HIDDEN = {"NUL": "\x00", "zero-width space": "\u200b", "right-to-left override": "\u202e",
          "byte-order mark": "\ufeff", "escape": "\x1b"}


def sign_up(client, email, first_name=""):
    token = csrf_from(client.get("/sign-up").get_data(as_text=True))
    return client.post("/sign-up", data={"email": email, "password": "quiet morning walks",
                                         "first_name": first_name, "agree": "yes",
                                         "csrf_token": token})


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
def test_an_email_with_a_hidden_character_is_refused_with_a_clear_message(client, db, char):
    response = sign_up(client, f"pat{char}@example.com")
    assert response.status_code == 422
    assert "Your email address has a hidden character in it" in response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


@pytest.mark.parametrize("char", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_name_with_a_hidden_character_is_refused_with_a_clear_message(client, db, char):
    response = sign_up(client, "pat@example.com", first_name=f"Pa{char}t")
    assert response.status_code == 422
    assert "Your name has a hidden character in it" in response.get_data(as_text=True)
    assert db.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 0


def test_names_in_any_script_are_still_welcome(client, db):
    assert sign_up(client, "siobhan@example.com", first_name="Siobhán محمد").status_code == 303
    assert accounts.user_by_email(db, "siobhan@example.com")["first_name"] == "Siobhán محمد"


def test_a_join_code_name_with_a_hidden_character_is_refused(app, db, team_nurse):
    client, token = client_for(app, "priya@example.com")
    response = client.post("/care/codes", data={"name": "Sam\u202eTaylor", "dob": "1971-04-12",
                                                "hospital_number": "RX\u0663", "csrf_token": token})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "The name has a hidden character in it" in html
    assert "Use only letters, numbers and spaces." in html


@pytest.mark.parametrize("query", ["a\x00b", "\x00", "walk\u200bed", "\u202esea", "a\x00\"b"])
def test_search_with_hidden_characters_never_fails(client, db, patient, signed_in, query):
    entries.create(db, patient.id, {"distress": 3, "feelings": [], "topics": [],
                                    "note": "walked by the sea"})
    response = client.post("/timeline/search", data={"q": query, "csrf_token": signed_in})
    assert response.status_code == 200
    assert "\x00" not in response.get_data(as_text=True)


def test_search_treats_a_hidden_character_as_a_space(db, patient):
    entries.create(db, patient.id, {"distress": 3, "feelings": [], "topics": [],
                                    "note": "walked by the sea"})
    assert [e.note for e in entries.search(db, patient.id, "walked\x00sea")] == [
        "walked by the sea"]


@pytest.mark.parametrize("digits", ["%D9%A3", "%DB%B3", "%EF%BC%93", "%C2%B3"])
def test_ids_take_ascii_digits_only(client, db, patient, signed_in, digits):
    for _ in range(3):
        entry_id = entries.create(db, patient.id, {"distress": 3, "feelings": [],
                                                   "topics": [], "note": "mine"})
    assert entry_id == 3
    assert client.get("/entries/3").status_code == 200
    assert client.get(f"/entries/{digits}").status_code == 404  # ٣ ۳ ３ ³ are not 3
    assert client.get(f"/entries/{digits}/edit").status_code == 404


# Paging ids


def test_the_timeline_pages_only_from_the_patients_own_entries(client, db, patient,
                                                               other_patient, signed_in):
    mine = entries.create(db, patient.id, {"distress": 3, "feelings": [], "topics": [],
                                           "note": "mine"})
    theirs = entries.create(db, other_patient.id, {"distress": 3, "feelings": [],
                                                   "topics": [], "note": "theirs"})
    assert client.get(f"/timeline?before={mine}").status_code == 200
    assert client.get(f"/timeline?before={theirs}").status_code == 404
    assert client.get("/timeline?before=999999").status_code == 404


def test_the_inbox_pages_only_from_entries_it_may_show(app, db, patient, other_patient, team,
                                                       team_nurse, other_team):
    link = link_patient(db, patient, team)
    shown = add_entry(db, patient, distress=4, shared=True)
    private = add_entry(db, patient, distress=4)
    link_patient(db, other_patient, other_team, name="Olu Ade")
    elsewhere = add_entry(db, other_patient, distress=4, shared=True)
    nurse, _ = client_for(app, "priya@example.com")
    assert nurse.get(f"/care?before={shown}").status_code == 200
    assert nurse.get(f"/care/patients/{link}?before={shown}").status_code == 200
    for entry_id in (private, elsewhere, 999999):
        assert nurse.get(f"/care?before={entry_id}").status_code == 404, entry_id
        assert nurse.get(f"/care?before={entry_id}&flag=unreviewed").status_code == 404
        assert nurse.get(f"/care/patients/{link}?before={entry_id}").status_code == 404


def test_the_inbox_filtered_to_one_patient_pages_only_from_that_patient(app, db, patient,
                                                                        other_patient, team,
                                                                        team_nurse):
    link = link_patient(db, patient, team)
    link_patient(db, other_patient, team, name="Olu Ade")
    olus = add_entry(db, other_patient, distress=4, shared=True)
    nurse, _ = client_for(app, "priya@example.com")
    assert nurse.get(f"/care?before={olus}").status_code == 200
    assert nurse.get(f"/care?patient={link}&before={olus}").status_code == 404
    assert nurse.get(f"/care/patients/{link}?before={olus}").status_code == 404


def test_who_has_seen_pages_only_from_the_patients_own_events(app, db, patient,
                                                              other_patient, team, team_nurse):
    from journal.platform import audit

    link_patient(db, patient, team)
    audit.record(db, team_nurse, "view-patient", patient_id=patient.id, team_id=team.id)
    audit.record(db, team_nurse, "view-patient", patient_id=other_patient.id, team_id=team.id)
    mine, theirs = [r[0] for r in db.execute("SELECT id FROM audit ORDER BY id")]
    client, _ = client_for(app, "pat@example.com")
    assert client.get(f"/care-team/seen?before={mine}").status_code == 200
    assert client.get(f"/care-team/seen?before={theirs}").status_code == 404


# Chunked bodies


def big_form(size):
    return b"email=a%40example.com&password=" + b"x" * size


def test_a_chunked_body_over_the_limit_gets_the_same_413_page(client):
    limit = client.application.config["MAX_CONTENT_LENGTH"]
    with_length = client.post("/sign-in", data=big_form(limit),
                              content_type="application/x-www-form-urlencoded")
    chunked = client.post("/sign-in", input_stream=io.BytesIO(big_form(limit)),
                          content_type="application/x-www-form-urlencoded",
                          headers={"Transfer-Encoding": "chunked"},
                          environ_overrides={"wsgi.input_terminated": True})
    assert with_length.status_code == chunked.status_code == 413
    assert "That was too much to send at once" in chunked.get_data(as_text=True)
    # The CSRF token carries a timestamp, so the two pages differ in it across a second.
    assert without_token(with_length) == without_token(chunked)


def without_token(response):
    return re.sub(r'"X-CSRFToken": "[^"]+"|name="csrf_token" value="[^"]+"', "token",
                  response.get_data(as_text=True))


def test_a_small_chunked_body_is_read_whole(client, patient):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    body = f"email=pat%40example.com&password=correct+horse+battery&csrf_token={token}"
    response = client.post("/sign-in", input_stream=io.BytesIO(body.encode()),
                           content_type="application/x-www-form-urlencoded",
                           headers={"Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 303 and response.location == "/home"


def test_a_real_chunked_upload_to_a_live_server_gets_413(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        body = big_form(app.config["MAX_CONTENT_LENGTH"] + 1024)
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
        try:
            connection.request("POST", "/sign-in", body=chunks, encode_chunked=True,
                               headers={"Content-Type": "application/x-www-form-urlencoded",
                                        "Transfer-Encoding": "chunked"})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer before reading it all; the answer still waits
        response = connection.getresponse()
        assert response.status == 413
        assert "That was too much to send at once" in response.read().decode()
    finally:
        server.shutdown()
        server.server_close()
