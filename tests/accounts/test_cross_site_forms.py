"""A form posted from another site is refused without touching the person's session."""

import pytest

COOKIE = "__Host-ww_session"
FROM_ELSEWHERE = {"Sec-Fetch-Site": "cross-site", "Origin": "http://elsewhere.example"}


def live_sessions(db, user_id):
    return db.execute("SELECT COUNT(*) FROM sessions WHERE user_id = ? AND ended_at IS NULL",
                      [user_id]).fetchone()[0]


@pytest.mark.parametrize("path", ["/sign-out", "/check-in", "/account/sign-out-everywhere",
                                  "/sign-in"])
def test_a_cross_site_post_without_the_cookie_sets_no_cookie(app, path):
    # SameSite=Lax keeps the cookie off another site's POST: the answer must not put a fresh,
    # empty session cookie in its place.
    stranger = app.test_client()
    response = stranger.post(path, data={"email": "pat@example.com"}, headers=FROM_ELSEWHERE)
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers
    html = response.get_data(as_text=True)
    assert "came from another website" in html and "pat@example.com" not in html
    assert "Send again" not in html


def test_the_person_stays_signed_in_after_a_cross_site_post(app, client, db, patient,
                                                            signed_in):
    cookie = client.get_cookie(COOKIE).value
    assert live_sessions(db, patient.id) == 1

    # The browser leaves the Lax cookie off; the answer must neither replace it nor end it.
    response = app.test_client().post("/sign-out", headers=FROM_ELSEWHERE)

    assert response.status_code == 403 and "Set-Cookie" not in response.headers
    assert live_sessions(db, patient.id) == 1
    assert client.get_cookie(COOKIE).value == cookie
    assert client.get("/home").status_code == 200


def test_a_cross_site_post_that_brings_the_cookie_keeps_the_session(client, db, patient,
                                                                    signed_in):
    # A same-site (sibling host) page can bring the cookie: the session is left as it was.
    response = client.post("/sign-out", headers={"Sec-Fetch-Site": "same-site"})
    assert response.status_code == 403
    set_cookie = response.headers.get("Set-Cookie", "")
    assert "Expires=Thu, 01 Jan 1970" not in set_cookie  # never deleted
    assert live_sessions(db, patient.id) == 1
    assert client.get("/home").status_code == 200


def test_our_own_stale_form_still_gets_a_working_token(app):
    # A tab restored after the browser forgot its cookie posts from our own page: it gets a
    # cookie and a token, so "Send again" works.
    fresh = app.test_client()
    response = fresh.post("/sign-in", data={"email": "pat@example.com", "password": "x"},
                          headers={"Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 422
    assert COOKIE in response.headers.get("Set-Cookie", "")
