"""Bad input the fuzzer found, kept as plain regression tests."""

import pytest


def test_check_in_without_a_csrf_token_keeps_the_draft(client, signed_in):
    # The CSRF check runs before the user is loaded; the stale-form page must still know them.
    response = client.post("/check-in", data={"distress": "6", "note": "kept words"})

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "kept words" in html
    assert "press Save again" in html


@pytest.mark.parametrize(
    "path",
    ["/entries/9223372036854775808", "/entries/99999999999999999999999/edit",
     "/entries/9223372036854775808/delete"],
)
def test_an_id_too_big_for_the_database_is_not_found(client, signed_in, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("before", ["99999999999999999999999", "²", "١٢", "-1", "1e3"])
def test_a_strange_timeline_cursor_shows_the_first_page(client, signed_in, before):
    response = client.get("/timeline", query_string={"before": before})
    assert response.status_code == 200


@pytest.mark.parametrize("before", ["99999999999999999999999", "²", "١٢"])
def test_a_strange_cursor_on_who_has_seen_my_entries_shows_the_first_page(client, signed_in,
                                                                         before):
    # Found by `make fuzz`: a number too big for SQLite here was a server error.
    response = client.get("/care-team/seen", query_string={"before": before})
    assert response.status_code == 200


@pytest.mark.parametrize("value", ["99999999999999999999999", "²"])
def test_a_strange_inbox_cursor_or_patient_shows_the_inbox(app, db, team_nurse, value):
    from care_helpers import client_for

    client, _ = client_for(app, "priya@example.com")
    for name in ("before", "patient"):
        assert client.get("/care", query_string={name: value}).status_code == 200


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE", "PATCH"])
def test_methods_the_app_does_not_use_are_refused(client, method):
    assert client.open("/", method=method).status_code == 405


def test_a_check_in_with_only_a_note_is_saved_without_a_score(client, db, signed_in):
    response = client.post("/check-in", data={"csrf_token": signed_in, "distress": "",
                                              "note": "Just words today"})
    assert response.status_code == 303
    row = db.execute("SELECT distress, note FROM entries").fetchone()
    assert row == (None, "Just words today")


def test_an_edit_can_remove_the_score(client, db, patient, signed_in):
    client.post("/check-in", data={"csrf_token": signed_in, "distress": "4", "note": "first"})
    entry_id = db.execute("SELECT id FROM entries").fetchone()[0]
    response = client.post(f"/entries/{entry_id}", data={"csrf_token": signed_in,
                                                         "note": "only words now"})
    assert response.status_code == 303
    assert db.execute("SELECT distress FROM entries").fetchone()[0] is None


@pytest.mark.parametrize("target", ["/\\evil.example", "/\t/evil.example", "/\\/evil.example",
                                    "/\n/evil.example", "//evil.example", "https://evil.example"])
def test_sign_in_never_redirects_off_the_site(client, patient, auth, target):
    token = auth.token()
    response = client.post("/sign-in", data={"csrf_token": token, "email": "pat@example.com",
                                              "password": "correct horse battery",
                                              "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/home"
    # Signed in already: the 'next' in the query is not followed either.
    again = client.get("/sign-in", query_string={"next": target})
    assert again.headers["Location"] == "/home"


def test_sign_in_follows_a_next_on_this_site(client, patient, auth):
    response = client.post("/sign-in", data={"csrf_token": auth.token(), "next": "/timeline",
                                              "email": "pat@example.com",
                                              "password": "correct horse battery"})
    assert response.headers["Location"] == "/timeline"
