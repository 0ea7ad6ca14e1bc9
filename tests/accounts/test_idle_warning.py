"""Staff are warned before an idle sign-out, and "Stay signed in" really keeps the session."""

import re
from datetime import timedelta

from care_helpers import client_for

from journal.accounts import session_rules
from journal.platform.clock import utc_iso, utc_now

NURSE = "priya@example.com"


def set_last_used(client, db, moment):
    db.execute("UPDATE sessions SET last_seen_at = ? WHERE ended_at IS NULL", [utc_iso(moment)])
    with client.session_transaction() as session:
        session["seen"] = moment.timestamp()  # ignored: the stored time decides


def seconds_left(client):
    response = client.get("/session/left")
    assert response.status_code == 200
    return response.get_json()["seconds"]


def test_ends_at_is_the_sooner_of_idle_and_absolute():
    now = utc_now()
    limits = session_rules.Lifetimes(timedelta(minutes=15), timedelta(hours=12))
    assert session_rules.ends_at(limits, now, now) == now + timedelta(minutes=15)
    started = now - timedelta(hours=11, minutes=55)
    assert session_rules.ends_at(limits, started, now) == started + timedelta(hours=12)


def test_asking_how_long_is_left_does_not_extend_the_session(app, db, team_nurse):
    client, _ = client_for(app, NURSE)
    set_last_used(client, db, utc_now() - timedelta(minutes=14))
    first = seconds_left(client)
    assert 45 <= first <= 60
    assert seconds_left(client) <= first  # the question is not use


def test_stay_signed_in_restarts_the_idle_clock_on_the_server(app, db, team_nurse):
    client, token = client_for(app, NURSE)
    set_last_used(client, db, utc_now() - timedelta(minutes=14))

    response = client.post("/session/stay", data={"csrf_token": token, "next": "/care/codes"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/care/codes"
    assert seconds_left(client) >= 15 * 60 - 5
    stored = db.execute("SELECT last_seen_at FROM sessions WHERE ended_at IS NULL").fetchone()[0]
    assert stored > utc_iso(utc_now() - timedelta(minutes=1))

    # With htmx, nothing to swap; and a foreign `next` is never followed.
    assert client.post("/session/stay", data={"csrf_token": token},
                       headers={"HX-Request": "true"}).status_code == 204
    away = client.post("/session/stay", data={"csrf_token": token, "next": "//evil.example"})
    assert away.headers["Location"] == "/care"


def test_stay_signed_in_needs_the_csrf_token(app, db, team_nurse):
    client, _ = client_for(app, NURSE)
    assert client.post("/session/stay").status_code == 400
    assert client.post("/session/stay", headers={"HX-Request": "true"}).status_code == 400


def test_without_javascript_a_staff_page_turns_into_the_warning_two_minutes_before(
        app, db, team_nurse):
    client, token = client_for(app, NURSE)
    page = client.get("/care/codes").get_data(as_text=True)
    refresh = re.search(r'<noscript><meta http-equiv="refresh" content="(\d+);url=([^"]+)">',
                        page)
    assert refresh, "no refresh to the warning"
    assert 13 * 60 - 5 <= int(refresh[1]) <= 13 * 60
    assert refresh[2].replace("&amp;", "&").startswith("/session/warning?next=")
    assert "data-idle-warning" in page and "Stay signed in" in page

    # Too early (used in another tab meanwhile): straight back to the page.
    early = client.get("/session/warning?next=/care/codes")
    assert early.status_code == 302 and early.headers["Location"] == "/care/codes"

    set_last_used(client, db, utc_now() - timedelta(minutes=13, seconds=5))
    warning = client.get("/session/warning?next=/care/codes")
    body = warning.get_data(as_text=True)
    assert warning.status_code == 200
    assert "signed out in about 2 minutes" in body
    assert 'name="next" value="/care/codes"' in body
    assert re.search(r'<meta http-equiv="refresh" content="1[12]\d">', body)
    # Showing the warning is not use: the session still ends on time.
    assert seconds_left(client) < 120

    # Its button keeps the session and goes back.
    back = client.post("/session/stay", data={"csrf_token": token, "next": "/care/codes"})
    assert back.headers["Location"] == "/care/codes"
    assert seconds_left(client) >= 15 * 60 - 5


def test_an_idle_sign_out_is_never_silent(app, db, team_nurse):
    client, _ = client_for(app, NURSE)
    set_last_used(client, db, utc_now() - timedelta(minutes=15, seconds=5))
    # The warning page's own refresh, after the end: sign-in says why.
    response = client.get("/session/warning?next=/care", follow_redirects=True)
    assert "You were signed out because Waiting Well was not used for a while." in (
        response.get_data(as_text=True))


def test_patients_get_no_staff_idle_warning(client, auth, patient):
    auth.sign_in("pat@example.com")
    page = client.get("/home").get_data(as_text=True)
    assert "data-idle-warning" not in page
    assert 'http-equiv="refresh"' not in page
