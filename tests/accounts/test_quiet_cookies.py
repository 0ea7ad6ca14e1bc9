"""The session cookie goes out only when needed: never with static files, the health check
or an empty poll, and with a page only when the session changed or the cookie is old."""

import re
from datetime import timedelta
from email.utils import parsedate_to_datetime

from journal.platform.clock import utc_now
from journal.platform.config import Production
from journal.platform.templating import static_url
from tests.care_helpers import add_entry, client_for
from tests.helpers import age_session_cookie

COOKIE = Production.SESSION_COOKIE_NAME
OLD = timedelta(days=20)  # past the middle of the 30-day cookie


def vary(response):
    """The names in every Vary header of an answer."""
    return {v.strip() for line in response.headers.getlist("Vary") for v in line.split(",")}


def sent_cookie(response):
    """The session cookie an answer sets, or None."""
    for line in response.headers.getlist("Set-Cookie"):
        if line.startswith(f"{COOKIE}="):
            return line
    return None


def test_static_files_carry_no_cookie_and_do_not_vary_with_it(app, client, signed_in):
    age_session_cookie(client, OLD)
    with app.test_request_context():
        url = static_url("app.css")
    with client.get(url) as response:
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers
        assert "Cookie" not in vary(response)
        assert response.headers["Cache-Control"] == "public, max-age=31536000"


def test_the_health_check_carries_no_cookie_and_does_not_vary_with_it(client, signed_in):
    age_session_cookie(client, OLD)
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in vary(response)
    assert response.headers["Cache-Control"] == "no-store"


def test_an_empty_poll_carries_no_cookie_and_no_vary(app, db, patient, team, team_nurse,
                                                     linked):
    client, _ = client_for(app, "priya@example.com")
    html = client.get("/care").get_data(as_text=True)
    url = re.search(r'hx-get="(/care/poll[^"]*)"', html)[1].replace("&amp;", "&")
    age_session_cookie(client, OLD)
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in vary(response)
    # Something new: the answer is the inbox, which depends on who asks, still without a cookie.
    add_entry(db, patient, distress=3, shared=True)
    response = client.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Cookie" in vary(response)
    assert "Set-Cookie" not in response.headers


def test_a_page_sends_no_cookie_when_the_session_did_not_change(client, signed_in):
    client.get("/home")
    response = client.get("/home")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Cookie" in vary(response)  # the page is the signed-in patient's own
    assert client.get("/timeline").headers.get("Set-Cookie") is None


def test_a_page_renews_a_cookie_past_the_middle_of_its_life_once(client, signed_in):
    age_session_cookie(client, timedelta(days=14))
    assert "Set-Cookie" not in client.get("/home").headers
    age_session_cookie(client, timedelta(days=16))
    cookie = sent_cookie(client.get("/home"))
    expires = parsedate_to_datetime(re.search(r"Expires=([^;]+)", cookie)[1])
    assert abs(expires - (utc_now() + timedelta(days=30))) < timedelta(minutes=1)
    assert "Set-Cookie" not in client.get("/home").headers  # the renewed cookie is young


def test_a_page_that_changes_the_session_sends_it(app, client, signed_in, patient, db):
    entry_id = add_entry(db, patient, distress=2)
    response = client.post(f"/entries/{entry_id}/delete", data={"csrf_token": signed_in})
    assert response.status_code == 303
    cookie = sent_cookie(response)
    assert cookie is not None
    data = app.session_interface.get_signing_serializer(app).loads(
        cookie.split(";", 1)[0].split("=", 1)[1])
    assert data["undo"] == entry_id


def test_quiet_answers_still_end_an_expired_session_on_the_next_page(client, signed_in, db,
                                                                      patient):
    # The cookie is not renewed by static files or the health check, but the server-side
    # session keeps its limits: past the idle limit, the next page signs the person out.
    db.execute("UPDATE sessions SET last_seen_at = '2000-01-01T00:00:00Z' WHERE user_id = ?",
               [patient.id])
    client.get("/healthz")
    response = client.get("/home")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert sent_cookie(response) is not None  # the ended session's cookie is replaced
