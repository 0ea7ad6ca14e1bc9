"""Nurses and admins: a code from an app at every sign-in, set up on the first one."""

from datetime import timedelta

import pytest

from journal import create_app
from journal.accounts import totp
from journal.accounts import users as accounts
from journal.platform.clock import utc_iso, utc_now
from journal.platform.db import connect
from tests.conftest import PASSWORD, AuthActions, csrf_from, make_user, totp_at_step


def sign_in_password(client, email):
    return AuthActions(client).sign_in(email, second_factor=False)


def post_code(client, code):
    token = csrf_from(client.get("/sign-in/code").get_data(as_text=True))
    return client.post("/sign-in/code", data={"code": code, "csrf_token": token})


def live(db, user_id):
    return list(db.query("SELECT * FROM sessions WHERE user_id = ? AND ended_at IS NULL",
                         [user_id]))


def now_code(db, email, offset=0):
    row = accounts.user_by_email(db, email)
    return totp_at_step(row["totp_secret"], totp.step_at(utc_now()) + offset)


def test_first_sign_in_sets_up_the_app_then_signs_in(client, nurse, db):
    response = sign_in_password(client, nurse.email)
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in/code"
    # A right password alone is not a sign-in.
    assert client.get("/account").status_code == 302
    [pending] = live(db, nurse.id)
    assert pending["stage"] == "enrol"

    page = client.get("/sign-in/code").get_data(as_text=True)
    secret = accounts.user_by_email(db, nurse.email)["totp_secret"]
    assert totp.grouped(secret) in page
    assert "otpauth://totp/Waiting%20Well:nurse%40example.com?secret=" + secret in page
    assert 'src="data:image/svg+xml' in page and "style=" not in page
    # Reloading shows the same secret, so a half-finished set-up still works.
    assert totp.grouped(secret) in client.get("/sign-in/code").get_data(as_text=True)

    response = post_code(client, now_code(db, nurse.email))
    assert response.status_code == 303 and response.headers["Location"] == "/care"
    row = accounts.user_by_email(db, nurse.email)
    assert row["totp_confirmed_at"] and row["totp_last_step"] == totp.step_at(utc_now())
    [active] = live(db, nurse.id)
    assert active["stage"] == "active" and active["id"] != pending["id"]
    assert "Two-step sign-in" in client.get("/account").get_data(as_text=True)


@pytest.fixture
def enrolled(client, nurse, db):
    assert AuthActions(client).sign_in(nurse.email).status_code == 303
    AuthActions(client).sign_out()
    return nurse


def test_later_sign_ins_ask_for_a_code_and_show_no_secret(client, enrolled, db):
    sign_in_password(client, enrolled.email)
    page = client.get("/sign-in/code").get_data(as_text=True)
    assert "Enter your code" in page and "otpauth" not in page
    assert live(db, enrolled.id)[0]["stage"] == "code"


def test_a_wrong_code_is_refused_with_the_form(client, enrolled, db):
    sign_in_password(client, enrolled.email)
    right = now_code(db, enrolled.email, offset=1)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = post_code(client, wrong)
    assert response.status_code == 422
    assert "That code did not work" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def test_a_used_code_cannot_be_used_again(app, client, enrolled, db):
    used_step = accounts.user_by_email(db, enrolled.email)["totp_last_step"]
    replay = totp_at_step(accounts.user_by_email(db, enrolled.email)["totp_secret"], used_step)
    sign_in_password(client, enrolled.email)
    assert post_code(client, replay).status_code == 422


def test_code_guesses_count_towards_the_account_limit(client, enrolled, db):
    sign_in_password(client, enrolled.email)  # one try, held until the code is right
    for _ in range(4):
        post_code(client, "000000")
    response = post_code(client, now_code(db, enrolled.email, offset=1))
    assert response.status_code == 429
    assert client.get("/account").status_code == 302


def test_signing_in_again_does_not_reset_the_code_guesses(client, enrolled, db):
    for _ in range(2):
        sign_in_password(client, enrolled.email)
        post_code(client, "000000")
    sign_in_password(client, enrolled.email)
    assert post_code(client, now_code(db, enrolled.email, offset=1)).status_code == 429


def test_the_code_step_expires(client, enrolled, db):
    sign_in_password(client, enrolled.email)
    db.execute("UPDATE sessions SET created_at = ? WHERE user_id = ?",
               [utc_iso(utc_now() - timedelta(minutes=11)), enrolled.id])
    response = client.get("/sign-in/code")
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in"
    assert live(db, enrolled.id) == []


def test_code_page_without_a_password_first_goes_to_sign_in(client):
    response = client.get("/sign-in/code")
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in"


def test_the_code_step_keeps_where_the_nurse_was_going(client, enrolled, db):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": enrolled.email, "password": PASSWORD,
                                  "next": "/account/password", "csrf_token": token})
    response = post_code(client, now_code(db, enrolled.email, offset=1))
    assert response.headers["Location"] == "/account/password"


def test_admins_need_a_code_too(app, client, db):
    admin = make_user(app, db, "admin@example.com", role="admin")
    assert sign_in_password(client, admin.email).headers["Location"] == "/sign-in/code"


def test_patients_need_no_code(client, patient):
    assert sign_in_password(client, patient.email).headers["Location"] == "/home"


def test_demo_nurse_needs_no_code_in_demo_mode_only(tmp_path):
    demo = create_app({"MODE": "demo", "JOURNAL_DB": str(tmp_path / "demo.db"),
                       "ARGON2": {"time_cost": 1, "memory_cost": 8, "parallelism": 1}})
    client = demo.test_client()
    response = AuthActions(client).sign_in("nurse@example.com", "waiting-well-demo",
                                           second_factor=False)
    assert response.status_code == 303 and response.headers["Location"] == "/care"
    assert "This demo account can sign in without a code" in client.get("/account").get_data(
        as_text=True)
    # Another nurse on the same demo server still needs one.
    db = connect(demo.config["JOURNAL_DB"])
    make_user(demo, db, "real.nurse@example.com", role="nurse")
    db.close()
    other = AuthActions(demo.test_client()).sign_in("real.nurse@example.com",
                                                    second_factor=False)
    assert other.headers["Location"] == "/sign-in/code"


def test_the_demo_nurse_email_needs_a_code_outside_demo_mode(client, nurse):
    assert nurse.email == "nurse@example.com"
    assert sign_in_password(client, nurse.email).headers["Location"] == "/sign-in/code"
