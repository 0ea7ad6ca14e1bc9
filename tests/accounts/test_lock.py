"""Lock this phone, through the test client: the setting (per device), the lock screen in
place of every page, unlocking with a password or a passkey, signing out from the lock, and
a form sent while locked that is kept and sent after."""

import json
import logging
from datetime import timedelta

import pytest

from journal.accounts import sessions
from journal.diary import entries
from journal.platform.clock import utc_iso, utc_now
from tests.accounts.test_passkeys import SoftAuthenticator, add_passkey, post_json
from tests.care_helpers import link_patient
from tests.conftest import AuthActions, insert_scan
from tests.helpers import PASSWORD, csrf_from, move_clock

NOTE = "Scared about the biopsy on Friday"
HOSPITAL = "St Elsewhere Breast Unit"
TEAM = "Breast Care Team"
NURSE = "Nurse Okafor"
# Words that would tell someone who picked up the phone about her health or her care (the
# help lines' own words, the same for everyone, may speak of scans in general).
HEALTH_DETAIL = (NOTE, HOSPITAL, TEAM, NURSE, "pat@example.com", "biopsy", "ultrasound",
                 "My scan", "Timeline", "Distress", "distress", "Pat Jones", "RX4471")


def live_sessions(db, user_id):
    return list(db.query(
        "SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL ORDER BY id", [user_id]))


def set_lock(client, token, value):
    return client.post("/account/lock", data={"lock_after": value, "csrf_token": token})


@pytest.fixture
def her_world(db, patient, team):
    """A check-in with words in it, a scan with her nurse, and her care team."""
    entries.create(db, patient.id, {"distress": 8, "feelings": ["scared"], "topics": [],
                                    "note": NOTE})
    insert_scan(db, patient.id, hospital=HOSPITAL, nurse_name=NURSE, nurse_phone="01632 960 123",
                appointment_at=utc_now() - timedelta(days=2))
    link_patient(db, patient, team)
    return patient


@pytest.fixture
def locking(client, signed_in, her_world, monkeypatch):
    """The patient, with this device set to lock after 5 minutes; returns a function that
    moves the clock on past it (or by a given time)."""
    assert set_lock(client, signed_in, "5").status_code == 303

    def wait(by=timedelta(minutes=5, seconds=1)):
        move_clock(monkeypatch, by)

    return wait


def assert_nothing_private(body):
    for words in HEALTH_DETAIL:
        assert words not in body, words


# The setting.


def test_patient_turns_the_lock_on_for_this_device_only(app, client, db, patient, signed_in):
    other_device = app.test_client()
    assert AuthActions(other_device).sign_in().status_code == 303
    response = set_lock(client, signed_in, "15")
    assert response.status_code == 303
    assert response.headers["Location"] == "/account#lock"
    this, other = live_sessions(db, patient.id)
    assert this["lock_after_minutes"] == 15
    assert other["lock_after_minutes"] is None
    page = client.get("/account").get_data(as_text=True)
    assert 'id="lock-15" value="15" checked' in page
    assert "This phone now locks after 15 minutes unused." in page
    assert 'id="lock-off" value="off" checked' in other_device.get("/account").get_data(
        as_text=True)


def test_patient_turns_the_lock_off_again(client, db, patient, signed_in):
    set_lock(client, signed_in, "60")
    assert live_sessions(db, patient.id)[0]["lock_after_minutes"] == 60
    set_lock(client, signed_in, "off")
    assert live_sessions(db, patient.id)[0]["lock_after_minutes"] is None
    assert "This phone no longer locks by itself." in client.get("/account").get_data(
        as_text=True)


@pytest.mark.parametrize("value", ["30", "0", "", "five"])
def test_a_lock_time_not_offered_is_refused_and_nothing_changes(client, db, patient, signed_in,
                                                                value):
    response = client.post("/account/lock", data={"lock_after": value, "csrf_token": signed_in})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Choose how soon this phone locks, or Off." in body
    assert 'href="#lock-off"' in body
    assert live_sessions(db, patient.id)[0]["lock_after_minutes"] is None


def test_staff_have_no_lock_setting(app, client, db, nurse):
    AuthActions(client).sign_in("nurse@example.com")
    page = client.get("/account").get_data(as_text=True)
    assert "Lock this phone" not in page
    token = csrf_from(page)
    assert set_lock(client, token, "5").status_code == 403


def test_the_lock_setting_survives_a_new_session_token(client, db, patient, signed_in):
    set_lock(client, signed_in, "15")
    response = client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a different long password",
        "csrf_token": signed_in})
    assert response.status_code == 303
    [row] = live_sessions(db, patient.id)
    assert row["lock_after_minutes"] == 15


# When it locks, and what a locked device shows.


def test_nothing_locks_before_the_time_is_up(client, locking):
    locking(timedelta(minutes=4, seconds=50))
    assert client.get("/timeline").status_code == 200


def test_a_device_without_the_lock_never_locks(client, signed_in, her_world, monkeypatch):
    move_clock(monkeypatch, timedelta(days=2))
    assert client.get("/timeline").status_code == 200


PAGES = ["/home", "/timeline", "/check-in", "/scans", "/trends", "/summary", "/care-team",
         "/people", "/questions", "/account", "/account/data", "/account/reminders", "/more",
         "/calm", "/", "/timeline/search?q=biopsy", "/care-team/seen"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_of_a_locked_device_is_the_lock_screen(client, locking, path):
    locking()
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/locked?next=")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Waiting Well is locked" in body and "Hello Pat." in body
    assert_nothing_private(body)
    assert page.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/help", "/privacy", "/help/line-status"])
def test_help_and_the_privacy_notice_stay_open_as_to_anyone(client, locking, path):
    locking()
    response = client.get(path)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    # These pages speak of distress and scans in general; nothing of hers is there.
    for words in (NOTE, HOSPITAL, TEAM, NURSE, "pat@example.com", "Pat Jones", "My scan"):
        assert words not in body, words
    assert "01632 960 123" not in body  # her own team's number stays behind the lock
    if path != "/help/line-status":  # a fragment the lock screen's nurse line asks for
        assert 'href="/locked">Unlock</a>' in body
    # Still locked: nothing here touched the session.
    assert client.get("/home").headers["Location"].startswith("/locked")


def test_the_lock_screen_keeps_the_help_numbers_with_tap_to_call_links(client, locking):
    locking()
    body = client.get("/locked").get_data(as_text=True)
    for href, number in [("tel:999", "999"), ("tel:111", "111"),
                         ("tel:+448088004040", "0808 800 4040")]:
        assert f'href="{href}">{number}</a>' in body
    assert "9am to 5pm, Monday to Friday." in body
    # Her own team's numbers would name her team: not on the lock screen.
    assert "01632 960 123" not in body and "Your own team" not in body
    # Nor the rest of the app: no menu, no tab bar, no way round the lock.
    for link in ('href="/timeline"', 'href="/home"', 'href="/sign-in"', 'class="tabbar"'):
        assert link not in body


def test_an_htmx_request_on_a_locked_device_is_sent_to_the_lock_screen(client, locking):
    locking()
    response = client.get("/timeline?before=99", headers={
        "HX-Request": "true", "HX-Current-URL": "http://localhost/timeline"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/locked?next=/timeline"
    assert response.get_data(as_text=True) == ""


def test_an_htmx_post_on_a_locked_device_saves_nothing(client, db, patient, locking, signed_in):
    locking()
    response = client.post("/check-in", data={"distress": "3", "note": "kept as a draft"},
                           headers={"HX-Request": "true", "X-CSRFToken": signed_in,
                                    "HX-Current-URL": "http://localhost/home"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"] == "/locked?next=/home"
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1


def test_json_and_calendar_files_on_a_locked_device_hold_nothing(client, db, patient, locking):
    locking()
    answer = client.post("/account/passkeys/options", json={},
                         headers={"X-CSRFToken": "whatever"})
    assert answer.status_code == 401
    assert answer.get_json() == {"error": "Waiting Well is locked. Unlock it to carry on.",
                                 "locked": True, "unlock": "/locked"}
    asked = client.get("/session/left", headers={"Accept": "application/json"})
    assert asked.status_code == 401 and asked.get_json()["locked"] is True
    scan_id = db.execute("SELECT id FROM scans").fetchone()[0]
    ics = client.get(f"/scans/{scan_id}/appointment.ics")
    assert ics.status_code == 303 and ics.headers["Location"].startswith("/locked")
    assert_nothing_private(ics.get_data(as_text=True))


def test_the_lock_neither_ends_nor_refreshes_the_session(client, db, patient, locking):
    locking()
    [before] = live_sessions(db, patient.id)
    for path in ("/home", "/locked", "/timeline"):
        client.get(path)
    [after] = live_sessions(db, patient.id)
    assert after["id"] == before["id"] and after["ended_at"] is None
    assert after["last_seen_at"] == before["last_seen_at"]
    assert client.get("/home").headers["Location"].startswith("/locked")


def test_a_locked_session_still_ends_when_the_patient_idle_limit_passes(client, db, patient,
                                                                        locking):
    locking(timedelta(days=15))
    response = client.get("/home")
    assert response.headers["Location"].startswith("/sign-in")
    assert live_sessions(db, patient.id) == []


def test_a_locked_patient_made_staff_must_sign_in_again(app, client, db, patient, locking):
    locking()
    db.execute("UPDATE users SET role = 'nurse' WHERE id = ?", [patient.id])
    response = client.get("/care")
    assert response.headers["Location"].startswith("/sign-in")
    assert live_sessions(db, patient.id) == []


def test_a_role_change_does_not_open_a_locked_session(app, client, db, patient, locking):
    locking()
    # Demo mode lets the demo nurse off the code: her session would be renewed, not ended.
    app.config["DEMO"] = True
    db.execute("UPDATE users SET role = 'nurse', email = 'nurse@example.com' WHERE id = ?",
               [patient.id])
    assert client.get("/care").headers["Location"].startswith("/locked")
    assert client.get("/care").headers["Location"].startswith("/locked")


def test_the_lock_screen_sends_an_unlocked_person_on(client, signed_in):
    assert client.get("/locked?next=/timeline").headers["Location"] == "/timeline"
    assert client.get("/locked").headers["Location"] == "/home"


def test_nobody_signed_in_is_sent_from_the_lock_screen_to_sign_in(client):
    assert client.get("/locked").headers["Location"].startswith("/sign-in")
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post("/unlock", data={"password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].startswith("/sign-in")


# Unlocking.


def lock_token(client):
    return csrf_from(client.get("/locked").get_data(as_text=True))


def test_unlock_with_her_password_goes_back_where_she_was(client, db, patient, locking,
                                                         caplog):
    locking()
    [locked] = live_sessions(db, patient.id)
    token = lock_token(client)
    with caplog.at_level(logging.INFO, logger="journal.security"):
        response = client.post("/unlock", data={"password": PASSWORD, "next": "/timeline",
                                                 "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/timeline"
    assert f"unlocked user={patient.id}" in caplog.text and "method='password'" in caplog.text
    # A new token for the session (she proved who she is again); the lock stays set.
    [unlocked] = live_sessions(db, patient.id)
    assert unlocked["id"] != locked["id"]
    assert unlocked["lock_after_minutes"] == 5
    assert NOTE in client.get("/timeline").get_data(as_text=True)


def test_a_wrong_password_keeps_the_lock_and_says_so(client, db, patient, locking, caplog):
    locking()
    token = lock_token(client)
    with caplog.at_level(logging.INFO, logger="journal.security"):
        response = client.post("/unlock", data={"password": "not my password",
                                                 "csrf_token": token})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "That is not your password. Try again, or sign out." in body
    assert 'aria-invalid="true"' in body
    assert_nothing_private(body)
    assert f"unlock_failed user={patient.id}" in caplog.text
    assert db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 1
    assert client.get("/home").headers["Location"].startswith("/locked")


def test_an_empty_password_asks_for_one_and_counts_no_try(client, db, locking):
    locking()
    response = client.post("/unlock", data={"password": "", "csrf_token": lock_token(client)})
    assert response.status_code == 422
    assert "Enter your password to unlock." in response.get_data(as_text=True)
    assert db.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 0


def test_unlock_tries_are_throttled_like_sign_in(app, client, locking):
    locking()
    token = lock_token(client)
    for _ in range(app.config["THROTTLE_ACCOUNT_FAILURES"]):
        assert client.post("/unlock", data={"password": "wrong", "csrf_token": token}
                           ).status_code == 422
    response = client.post("/unlock", data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "too many tries" in response.get_data(as_text=True)
    assert client.get("/home").headers["Location"].startswith("/locked")


def test_an_unlock_without_its_csrf_token_is_refused(client, locking):
    locking()
    response = client.post("/unlock", data={"password": PASSWORD})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Please enter your password again." in body and "Waiting Well is locked" in body
    assert_nothing_private(body)
    assert client.get("/home").headers["Location"].startswith("/locked")


def test_what_the_session_held_carries_on_after_unlocking(client, db, patient, locking):
    locking()
    with client.session_transaction() as held:
        held["undo"] = 42
        old_token = held["token"]
    client.post("/unlock", data={"password": PASSWORD, "csrf_token": lock_token(client)})
    with client.session_transaction() as now:
        assert now["undo"] == 42
        assert now["token"] != old_token


def test_sign_out_from_the_lock_screen_ends_the_session(client, db, patient, locking):
    locking()
    response = client.post("/sign-out", data={"csrf_token": lock_token(client)})
    assert response.status_code == 303
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert live_sessions(db, patient.id) == []
    assert client.get("/home").headers["Location"].startswith("/sign-in")


# Unlocking with a passkey: it must check it is her (user verification), or a tap on a
# shared phone would open it for anyone holding it.


def passkey_unlock(client, device):
    token = lock_token(client)
    options = post_json(client, "/unlock/passkey/options", token)
    assert options.status_code == 200
    options = options.get_json()
    return post_json(client, "/unlock/passkey", token,
                     {"credential": device.get(options), "next": "/trends"}), options


def test_unlock_with_her_passkey(client, db, patient, locking, caplog):
    device = SoftAuthenticator()
    assert add_passkey(client, device).status_code == 200
    locking()
    assert "Unlock with a passkey" in client.get("/locked").get_data(as_text=True)
    with caplog.at_level(logging.INFO, logger="journal.security"):
        response, options = passkey_unlock(client, device)
    assert response.status_code == 200
    assert response.get_json() == {"redirect": "/trends"}
    assert options["userVerification"] == "required"
    assert [c["id"] for c in options["allowCredentials"]] == [
        device.get(options)["id"]]  # only her own passkeys are asked for
    assert "method='passkey'" in caplog.text
    assert client.get("/trends").status_code == 200


def test_a_passkey_that_did_not_check_it_is_her_does_not_unlock(client, db, patient, locking):
    device = SoftAuthenticator(verified=False)
    add_passkey(client, device)
    locking()
    response, _ = passkey_unlock(client, device)
    assert response.status_code == 422
    assert "must check it is you" in response.get_json()["error"]
    assert client.get("/home").headers["Location"].startswith("/locked")


def test_another_persons_passkey_does_not_unlock(app, client, db, patient, locking):
    stranger = app.test_client()
    AuthActions(stranger).sign_in(*_other_patient(app, db))
    theirs = SoftAuthenticator()
    assert add_passkey(stranger, theirs).status_code == 200
    locking()
    response, _ = passkey_unlock(client, theirs)
    assert response.status_code == 422
    assert client.get("/home").headers["Location"].startswith("/locked")


def _other_patient(app, db):
    from tests.conftest import make_user

    make_user(app, db, "olu@example.com")
    return "olu@example.com", PASSWORD


def test_without_a_passkey_the_lock_screen_offers_only_the_password(client, locking):
    locking()
    assert "Unlock with a passkey" not in client.get("/locked").get_data(as_text=True)


# A form sent while locked is kept, and sent once she unlocks.


def held(db, patient):
    row = db.execute("SELECT held_post FROM sessions WHERE user_id = ? AND ended_at IS NULL",
                     [patient.id]).fetchone()
    return json.loads(row[0]) if row and row[0] else None


def test_a_check_in_sent_while_locked_is_kept_and_sent_after_unlocking(client, db, patient,
                                                                       locking, signed_in):
    locking()
    response = client.post("/check-in", data={"distress": "6", "note": "Written on the bus",
                                              "csrf_token": signed_in})
    assert response.status_code == 303 and response.headers["Location"] == "/locked"
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    kept = held(db, patient)
    assert kept["path"] == "/check-in"
    assert ["note", "Written on the bus"] in kept["fields"]
    assert not any(name == "csrf_token" for name, _ in kept["fields"])
    lock_page = client.get("/locked").get_data(as_text=True)
    assert "What you were sending is kept." in lock_page
    assert "Written on the bus" not in lock_page  # her words wait out of sight

    unlocked = client.post("/unlock", data={"password": PASSWORD,
                                            "csrf_token": csrf_from(lock_page)})
    assert unlocked.headers["Location"] == "/unlock/held"
    offer = client.get("/unlock/held").get_data(as_text=True)
    assert 'name="note" value="Written on the bus"' in offer
    sent = client.post("/unlock/held", data={**dict(kept["fields"]), "send": "yes",
                                             "csrf_token": csrf_from(offer)})
    assert sent.status_code == 307 and sent.headers["Location"] == "/check-in"
    client.post("/check-in", data={**dict(kept["fields"]), "send": "yes",
                                   "csrf_token": csrf_from(offer)})
    notes = [row[0] for row in db.execute("SELECT note FROM entries ORDER BY id")]
    assert notes == [NOTE, "Written on the bus"]
    assert held(db, patient) is None


def test_a_held_form_can_be_let_go(client, db, patient, locking, signed_in):
    locking()
    client.post("/check-in", data={"distress": "2", "note": "never mind", "csrf_token": signed_in})
    client.post("/unlock", data={"password": PASSWORD, "csrf_token": lock_token(client)})
    offer = client.get("/unlock/held").get_data(as_text=True)
    response = client.post("/unlock/held", data={"send": "no", "csrf_token": csrf_from(offer)})
    assert response.status_code == 303 and response.headers["Location"] == "/home"
    assert held(db, patient) is None
    assert db.execute("SELECT count(*) FROM entries").fetchone()[0] == 1
    assert client.get("/unlock/held").headers["Location"] == "/home"


def test_a_form_from_elsewhere_is_not_held(client, db, patient, locking):
    locking()
    response = client.post("/check-in", data={"distress": "2", "note": "planted",
                                              "csrf_token": "not-a-token"})
    assert response.headers["Location"] == "/locked"
    assert held(db, patient) is None


def test_signing_out_from_the_lock_forgets_what_was_held(client, db, patient, locking,
                                                         signed_in):
    locking()
    client.post("/check-in", data={"distress": "2", "note": "on a shared phone",
                                   "csrf_token": signed_in})
    [row] = live_sessions(db, patient.id)
    client.post("/sign-out", data={"csrf_token": lock_token(client)})
    stored = db.execute("SELECT held_post, ended_at FROM sessions WHERE id = ?",
                        [row["id"]]).fetchone()
    assert stored[1] is not None and stored[0] is None


def test_a_held_form_whose_path_is_not_a_form_here_is_not_offered(client, db, patient, locking):
    [row] = live_sessions(db, patient.id)
    sessions.hold_post(db, row["id"], json.dumps({"path": "//evil.example/x", "fields": [
        ["note", "x"]]}))
    db.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [utc_iso(utc_now()), row["id"]])
    assert client.get("/unlock/held").headers["Location"] == "/home"
