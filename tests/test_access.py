import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from journal.platform.clock import utc_iso, utc_now
from tests.helpers import csrf_from

HTMX = {"HX-Request": "true"}

# (method, path; {id} is an entry's id)
ENTRY_ROUTES = [
    pytest.param("GET", "/entries/{id}", id="view"),
    pytest.param("GET", "/entries/{id}/edit", id="edit-form"),
    pytest.param("POST", "/entries/{id}", id="save"),
    pytest.param("GET", "/entries/{id}/delete", id="delete-confirm"),
    pytest.param("POST", "/entries/{id}/delete", id="delete"),
    pytest.param("POST", "/entries/{id}/restore", id="restore"),
]
PATIENT_ROUTES = [
    pytest.param("GET", "/home", id="home"),
    pytest.param("GET", "/timeline", id="timeline"),
    pytest.param("GET", "/timeline/search", id="search-page"),
    pytest.param("POST", "/timeline/search", id="search"),
    pytest.param("POST", "/check-in", id="check-in"),
    *ENTRY_ROUTES,
]
EDIT = {"distress": "0", "note": "overwritten by someone else"}


def add_entry(db, patient_id, note, deleted=False):
    cursor = db.execute(
        "INSERT INTO entries (patient_id, created_at, distress, feelings, note, deleted_at)"
        " VALUES (?, ?, 6, ?, ?, ?)",
        [patient_id, utc_iso(utc_now() - timedelta(hours=1)), json.dumps(["anxious"]), note,
         utc_iso(utc_now() - timedelta(minutes=1)) if deleted else None],
    )
    return cursor.lastrowid


def snapshot(db, entry_id):
    return list(db.query("SELECT * FROM entries WHERE id = ?", [entry_id]))


def request(client, method, path, token, headers=None):
    if method == "GET":
        return client.get(path, headers=headers or {})
    return client.post(path, data={**EDIT, "q": "private", "csrf_token": token},
                       headers=headers or {})


@pytest.fixture
def others_entry(db, other_patient):
    """Another patient's entry: live, and one deleted a minute ago (for restore)."""
    return {
        "live": add_entry(db, other_patient.id, "Olu's private words"),
        "deleted": add_entry(db, other_patient.id, "Olu's deleted words", deleted=True),
    }


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["plain", "htmx"])
@pytest.mark.parametrize(("method", "path"), ENTRY_ROUTES)
def test_patient_cannot_touch_another_patients_entry(client, db, signed_in, others_entry,
                                                     method, path, headers):
    entry_id = others_entry["deleted" if path.endswith("/restore") else "live"]
    before = snapshot(db, entry_id)

    response = request(client, method, path.format(id=entry_id), signed_in, headers)

    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "Olu" not in body
    assert "private words" not in body and "deleted words" not in body
    assert snapshot(db, entry_id) == before


@pytest.mark.parametrize(("method", "path"), ENTRY_ROUTES)
def test_missing_entry_looks_the_same_as_another_patients(client, signed_in, method, path):
    response = request(client, method, path.format(id=999999), signed_in)
    assert response.status_code == 404
    assert "We could not find that page" in response.get_data(as_text=True)


def test_patient_cannot_restore_an_entry_that_is_not_deleted(client, db, patient, signed_in):
    entry_id = add_entry(db, patient.id, "still here")
    response = client.post(f"/entries/{entry_id}/restore", data={"csrf_token": signed_in})
    assert response.status_code == 404


def test_another_patients_entries_never_show_on_home_or_timeline(client, db, patient,
                                                                 signed_in, others_entry):
    add_entry(db, patient.id, "my own words")
    for path in ("/home", "/timeline"):
        page = client.get(path).get_data(as_text=True)
        assert "my own words" in page
        assert "private words" not in page


def test_paging_from_another_patients_entry_shows_nothing_of_theirs(client, db, patient,
                                                                    signed_in, others_entry):
    # Not even that the entry exists: the same 404 as for an id nobody has.
    response = client.get(f"/timeline?before={others_entry['live']}")
    assert response.status_code == 404
    assert "private words" not in response.get_data(as_text=True)


@pytest.fixture
def nurse_client(client, auth, nurse):
    auth.sign_in(email=nurse.email)
    return client


@pytest.mark.parametrize(("method", "path"), PATIENT_ROUTES)
def test_nurse_gets_403_on_patient_journal_pages(nurse_client, db, patient, method, path):
    entry_id = add_entry(db, patient.id, "Pat's words", deleted=path.endswith("/restore"))
    token = csrf_from(nurse_client.get("/", follow_redirects=True).get_data(as_text=True))
    before = snapshot(db, entry_id)

    response = request(nurse_client, method, path.format(id=entry_id), token)

    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "This page is not available to you" in body
    assert "Pat&#39;s words" not in body and "Pat's words" not in body
    assert snapshot(db, entry_id) == before
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1


@pytest.mark.parametrize(("method", "path"), PATIENT_ROUTES)
def test_anonymous_visitor_is_sent_to_sign_in(client, db, patient, method, path):
    entry_id = add_entry(db, patient.id, "Pat's words", deleted=path.endswith("/restore"))
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    before = snapshot(db, entry_id)
    path = path.format(id=entry_id)

    response = request(client, method, path, token)

    assert response.status_code == 302
    parts = urlsplit(response.headers["Location"])
    assert parts.path == "/sign-in"
    # Only a page to come back to is remembered; a form post is not replayed.
    assert parse_qs(parts.query) == ({"next": [path]} if method == "GET" else {})
    assert snapshot(db, entry_id) == before
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1


@pytest.mark.parametrize(("method", "path"), PATIENT_ROUTES)
def test_anonymous_htmx_request_is_told_to_sign_in(client, db, patient, method, path):
    entry_id = add_entry(db, patient.id, "Pat's words")
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))

    response = request(client, method, path.format(id=entry_id), token, HTMX)

    assert response.status_code == 401
    assert urlsplit(response.headers["HX-Redirect"]).path == "/sign-in"
    assert "Pat's words" not in response.get_data(as_text=True)
