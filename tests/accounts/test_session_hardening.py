"""Sessions: renewed on sign-in and role change, idle and absolute timeouts, sign out
everywhere, and a password change ending the other sessions."""

from datetime import timedelta

import pytest

from journal.accounts import sign_in as auth
from journal.accounts import users as accounts
from journal.platform.clock import utc_iso, utc_now
from tests.conftest import PASSWORD, AuthActions, make_user
from tests.helpers import age_session_cookie


def live_sessions(db, user_id):
    return list(db.query(
        "SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL ORDER BY id", [user_id]))


def cookie_token(client):
    with client.session_transaction() as s:
        return s.get("token")


def set_idle(db, session_id, ago):
    """Pretend the session was last used `ago`."""
    db.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?",
               [utc_iso(utc_now() - ago), session_id])


def test_sign_in_starts_a_new_session_and_token(client, patient, auth, db):
    with client.session_transaction() as s:
        s["token"] = "planted-before-sign-in"
        s["undo"] = 42
    auth.sign_in()
    token = cookie_token(client)
    assert token and token != "planted-before-sign-in"
    with client.session_transaction() as s:
        assert "undo" not in s
    [row] = live_sessions(db, patient.id)
    assert row["role"] == "patient" and row["stage"] == "active"


@pytest.fixture
def nurse_in(app, client, db):
    nurse = make_user(app, db, "ward@example.com", role="nurse")
    assert AuthActions(client).sign_in("ward@example.com").status_code == 303
    [row] = live_sessions(db, nurse.id)
    return row


def test_nurse_is_signed_out_after_15_idle_minutes(client, db, nurse_in):
    set_idle(db, nurse_in["id"], timedelta(minutes=15, seconds=5))
    response = client.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert live_sessions(db, nurse_in["user_id"]) == []
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out because Waiting Well was not used for a while" in page


def test_the_stored_time_decides_and_the_cookie_cannot_hold_a_session_open(client, db,
                                                                           nurse_in):
    set_idle(db, nurse_in["id"], timedelta(minutes=14))
    assert client.get("/account").status_code == 200
    set_idle(db, nurse_in["id"], timedelta(minutes=16))
    with client.session_transaction() as s:
        s["seen"] = utc_now().timestamp()  # what cookies of earlier versions carried
    assert client.get("/account").status_code == 302


def test_use_is_written_at_most_once_a_minute(client, db, nurse_in):
    before = utc_iso(utc_now() - timedelta(seconds=30))
    db.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [before, nurse_in["id"]])
    client.get("/account")
    assert live_sessions(db, nurse_in["user_id"])[0]["last_seen_at"] == before
    older = utc_iso(utc_now() - timedelta(minutes=2))
    db.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [older, nurse_in["id"]])
    client.get("/account")
    assert live_sessions(db, nurse_in["user_id"])[0]["last_seen_at"] > before


def test_passive_endpoints_do_not_count_as_use(client, db, nurse_in, monkeypatch):
    # Any endpoint may be passive (the dashboard poll will be); the notice stands in here.
    monkeypatch.setattr(auth, "PASSIVE_ENDPOINTS", {"accounts.privacy_notice"})
    set_idle(db, nurse_in["id"], timedelta(minutes=14))
    assert client.get("/privacy").status_code == 200
    assert live_sessions(db, nurse_in["user_id"])[0]["last_seen_at"] < utc_iso(
        utc_now() - timedelta(minutes=13))
    set_idle(db, nurse_in["id"], timedelta(minutes=16))
    client.get("/privacy")
    assert live_sessions(db, nurse_in["user_id"]) == []


def test_a_passive_request_sends_no_cookie_unless_the_session_changed(client, db, nurse_in,
                                                                      monkeypatch):
    monkeypatch.setattr(auth, "PASSIVE_ENDPOINTS", {"accounts.privacy_notice"})
    client.get("/account")  # the first page after signing in adds its form token
    age_session_cookie(client, timedelta(days=20))  # real use would renew a cookie this old
    assert "Set-Cookie" not in client.get("/privacy").headers  # expiry not pushed on
    set_idle(db, nurse_in["id"], timedelta(minutes=16))
    assert "Set-Cookie" in client.get("/privacy").headers  # the ended session is replaced


def test_patient_idle_timeout_is_configurable(app, client, signed_in, patient, db):
    [row] = live_sessions(db, patient.id)
    set_idle(db, row["id"], timedelta(days=13))
    assert client.get("/home").status_code == 200
    app.config["PATIENT_IDLE_MINUTES"] = 60
    set_idle(db, row["id"], timedelta(minutes=61))
    assert client.get("/home").status_code == 302
    assert live_sessions(db, patient.id) == []


def test_a_session_ends_at_its_absolute_lifetime_however_busy(client, db, nurse_in):
    db.execute("UPDATE sessions SET created_at = ? WHERE id = ?",
               [utc_iso(utc_now() - timedelta(hours=12, minutes=1)), nurse_in["id"]])
    response = client.get("/account")
    assert response.status_code == 302
    assert "keep your account safe" in client.get("/sign-in").get_data(as_text=True)


def test_htmx_request_after_timeout_is_sent_to_sign_in(client, db, nurse_in):
    set_idle(db, nurse_in["id"], timedelta(minutes=20))
    response = client.get("/account", headers={"HX-Request": "true"})
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/sign-in")


def test_role_change_renews_the_session(client, db, nurse_in):
    old_token = cookie_token(client)
    accounts.set_role(db, nurse_in["user_id"], "admin")
    assert client.get("/account").status_code == 200
    new_token = cookie_token(client)
    assert new_token != old_token
    [row] = live_sessions(db, nurse_in["user_id"])
    assert row["role"] == "admin" and row["id"] != nurse_in["id"]


def test_patient_made_nurse_must_sign_in_again_with_a_second_factor(client, signed_in, patient, db):
    accounts.set_role(db, patient.id, "nurse")
    response = client.get("/account")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert live_sessions(db, patient.id) == []


def test_sign_out_everywhere_ends_every_session(app, client, signed_in, patient, db):
    phone = app.test_client()
    AuthActions(phone).sign_in()
    assert len(live_sessions(db, patient.id)) == 2
    account = client.get("/account").get_data(as_text=True)
    assert "signed in on 2 devices" in account
    response = client.post("/account/sign-out-everywhere", data={"csrf_token": signed_in})
    assert response.status_code == 303 and response.headers["Location"] == "/"
    assert live_sessions(db, patient.id) == []
    assert phone.get("/home").status_code == 302
    assert client.get("/home").status_code == 302


def test_password_change_ends_the_other_sessions_and_keeps_this_one(app, client, signed_in,
                                                                    patient, db):
    phone = app.test_client()
    AuthActions(phone).sign_in()
    token_before = cookie_token(client)
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new phrase",
        "csrf_token": signed_in})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert cookie_token(client) != token_before  # giving the password again renews the token
    assert phone.get("/home").status_code == 302
    assert client.get("/home").status_code == 200
    assert len(live_sessions(db, patient.id)) == 1
    assert AuthActions(app.test_client()).sign_in(password="a brand new phrase").status_code == 303


def test_password_change_needs_the_current_password(client, signed_in, patient, db):
    before = accounts.user_by_email(db, patient.email)["password_hash"]
    response = client.post("/account/password", data={
        "current_password": "not it at all", "new_password": "a brand new phrase",
        "csrf_token": signed_in})
    assert response.status_code == 422
    assert "That is not your current password" in response.get_data(as_text=True)
    assert accounts.user_by_email(db, patient.email)["password_hash"] == before


@pytest.mark.parametrize(("new", "message"), [
    ("short", "at least 8 characters"),
    ("password123", "too easy to guess"),
    (PASSWORD, "different from the one you have"),
])
def test_password_change_refuses_weak_or_same_passwords(client, signed_in, new, message):
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": new, "csrf_token": signed_in})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_password_change_guesses_are_limited(client, signed_in, patient, db):
    for _ in range(5):
        client.post("/account/password", data={
            "current_password": "guess guess", "new_password": "a brand new phrase",
            "csrf_token": signed_in})
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new phrase",
        "csrf_token": signed_in})
    assert response.status_code == 429


def test_account_page_needs_sign_in(client):
    response = client.get("/account")
    assert response.status_code == 302 and "/sign-in?next=/account" in response.headers["Location"]
