"""Back in by email: "Email me a link" on the forgotten-password page, received by a real
SMTP server on loopback, followed, and spent once."""

import logging
import re
from datetime import timedelta

from journal import create_app
from journal.accounts import email_links, email_ways, users
from journal.platform.clock import utc_now
from journal.platform.db import connect, immediate
from tests.conftest import AuthActions, link_in, make_user
from tests.helpers import csrf_from

NEW_PASSWORD = "a quiet walk by the river"
HEALTH_WORDS = ("cancer", "scan", "result", "breast", "nurse", "diagnos", "hospital",
                "health", "distress")


def ask_for_link(client, email, address="203.0.113.9"):
    token = csrf_from(client.get("/forgotten-password/email").get_data(as_text=True))
    return client.post("/forgotten-password/email", data={"email": email, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def set_password(client, path, password=NEW_PASSWORD):
    # The session's form token (a dead link's page has no form to take it from).
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    return client.post(path, data={"new_password": password, "csrf_token": token})


def signed_in(client):
    return client.get("/home").status_code == 200


def without_tokens(html):
    """A page with its per-session form tokens taken out, to compare two answers."""
    return re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1", html)


def test_the_email_way_is_offered_only_where_mail_can_be_sent(app, client, mail_app):
    page = client.get("/forgotten-password").get_data(as_text=True)
    assert "Email me a link" not in page and "No codes left?" in page
    assert client.get("/forgotten-password/email").status_code == 404
    mail_page = mail_app.test_client().get("/forgotten-password").get_data(as_text=True)
    assert "Email me a link" in mail_page and 'href="/forgotten-password/email"' in mail_page
    # Recovery codes stay.
    assert 'name="code"' in mail_page


def test_a_reset_by_email_ends_every_session_and_sets_the_new_password(
        mail_app, mail_db, smtp):
    patient = make_user(mail_app, mail_db, "pat@example.com")
    phone, laptop, other = (mail_app.test_client() for _ in range(3))
    assert AuthActions(laptop).sign_in().status_code == 303 and signed_in(laptop)

    answer = ask_for_link(phone, "pat@example.com")
    assert answer.status_code == 200
    assert "Check your email" in answer.get_data(as_text=True)
    [message] = smtp.wait_for(1)
    assert message["To"] == "pat@example.com"
    assert message["Subject"] == "Reset your Waiting Well password"
    text = message.get_content()
    assert "within 30 minutes" in text
    for word in HEALTH_WORDS:
        assert word not in text.lower(), word
    path = link_in(message, "/reset-password/")

    # Opening the link changes nothing (a mail scanner may open it first).
    form = phone.get(path)
    assert form.status_code == 200 and "Choose a new password" in form.get_data(as_text=True)
    assert signed_in(laptop)

    done = set_password(phone, path)
    assert done.status_code == 303 and done.headers["Location"] == "/home"
    assert signed_in(phone)
    assert not signed_in(laptop)  # every other session ended
    assert AuthActions(other).sign_in().status_code == 422  # the old password is refused
    assert AuthActions(other).sign_in(password=NEW_PASSWORD).status_code == 303
    assert mail_db.execute("SELECT count(*) FROM sessions WHERE user_id = ? AND ended_at IS NULL",
                           [patient.id]).fetchone()[0] == 2

    # The link works once.
    again = mail_app.test_client().get(path)
    assert again.status_code == 404
    assert "It has been used already" in again.get_data(as_text=True)
    assert set_password(mail_app.test_client(), path, "yet another long password") \
        .status_code == 404
    assert AuthActions(mail_app.test_client()).sign_in(password=NEW_PASSWORD) \
        .status_code == 303


def test_using_one_link_ends_every_other_outstanding_link(mail_app, mail_db, smtp):
    make_user(mail_app, mail_db, "pat@example.com")
    client = mail_app.test_client()
    ask_for_link(client, "pat@example.com")
    ask_for_link(client, "pat@example.com")
    first, second = (link_in(m, "/reset-password/") for m in smtp.wait_for(2))
    assert first != second
    assert set_password(client, second).status_code == 303
    late = mail_app.test_client().get(first)
    assert late.status_code == 404 and "It has been used already" in late.get_data(as_text=True)


def test_an_address_with_no_account_gets_the_same_page_and_no_mail(mail_app, mail_db, smtp):
    make_user(mail_app, mail_db, "pat@example.com")
    known = ask_for_link(mail_app.test_client(), "pat@example.com")
    unknown = ask_for_link(mail_app.test_client(), "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known.get_data(as_text=True)) == \
        without_tokens(unknown.get_data(as_text=True))
    smtp.wait_for(1)
    assert [m["To"] for m in smtp.messages] == ["pat@example.com"]
    assert mail_db.execute("SELECT count(*) FROM email_links").fetchone()[0] == 1


def test_a_link_stops_working_after_30_minutes(mail_app, mail_db, smtp, monkeypatch):
    make_user(mail_app, mail_db, "pat@example.com")
    client = mail_app.test_client()
    ask_for_link(client, "pat@example.com")
    path = link_in(smtp.wait_for(1)[0], "/reset-password/")
    later = utc_now() + timedelta(minutes=30, seconds=1)
    monkeypatch.setattr(email_ways, "utc_now", lambda: later)
    page = client.get(path)
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "It is too old" in text and 'href="/forgotten-password/email"' in text
    assert set_password(client, path).status_code == 404
    assert AuthActions(mail_app.test_client()).sign_in().status_code == 303  # unchanged


def test_a_made_up_link_gets_a_kind_page_with_a_way_forward(mail_app):
    page = mail_app.test_client().get("/reset-password/not-a-real-link")
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "This link no longer works" in text and "We could not find it" in text
    assert 'href="/forgotten-password/email"' in text and 'href="/forgotten-password"' in text


def test_the_new_password_follows_the_usual_rules(mail_app, mail_db, smtp):
    make_user(mail_app, mail_db, "pat@example.com")
    client = mail_app.test_client()
    ask_for_link(client, "pat@example.com")
    path = link_in(smtp.wait_for(1)[0], "/reset-password/")
    for weak in ("short", "password123", "pat@example.com"):
        assert set_password(client, path, weak).status_code == 422
    assert client.get(path).status_code == 200  # still live after refused tries
    assert set_password(client, path).status_code == 303


def test_asking_is_throttled_per_address_and_per_client(mail_app, mail_db, smtp):
    make_user(mail_app, mail_db, "pat@example.com")
    for n in range(3):
        assert ask_for_link(mail_app.test_client(), "pat@example.com",
                            f"198.51.100.{n}").status_code == 200
    refused = ask_for_link(mail_app.test_client(), "pat@example.com", "198.51.100.9")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "too many tries" in refused.get_data(as_text=True)
    for n in range(10):
        assert ask_for_link(mail_app.test_client(), f"person{n}@example.com").status_code == 200
    assert ask_for_link(mail_app.test_client(), "one.more@example.com").status_code == 429
    smtp.wait_for(3)
    assert len(smtp.messages) == 3


def test_a_nurse_reset_by_email_still_needs_her_code_to_sign_in(mail_app, mail_db, smtp):
    nurse = make_user(mail_app, mail_db, "nurse@example.com", role="nurse")
    first = AuthActions(mail_app.test_client())
    assert first.sign_in("nurse@example.com").headers["Location"] == "/care"  # enrols TOTP
    client = mail_app.test_client()
    ask_for_link(client, "nurse@example.com")
    path = link_in(smtp.wait_for(1)[0], "/reset-password/")
    assert "authenticator app" in client.get(path).get_data(as_text=True)
    done = set_password(client, path)
    assert done.status_code == 303 and done.headers["Location"] == "/sign-in"
    assert client.get("/care").status_code == 302  # not signed in by the link
    assert first.client.get("/care").status_code == 302  # her other session ended
    step = AuthActions(mail_app.test_client()).sign_in(
        "nurse@example.com", NEW_PASSWORD, second_factor=False)
    assert step.headers["Location"] == "/sign-in/code"
    row = users.user_by_email(mail_db, "nurse@example.com")
    assert row["totp_confirmed_at"] and row["id"] == nurse.id


def test_staff_with_no_authenticator_are_asked_to_see_an_admin(mail_app, mail_db, smtp):
    make_user(mail_app, mail_db, "nurse@example.com", role="nurse")
    client = mail_app.test_client()
    same = ask_for_link(client, "nurse@example.com")
    assert same.status_code == 200 and "Check your email" in same.get_data(as_text=True)
    [message] = smtp.wait_for(1)
    assert message["Subject"] == "Resetting your Waiting Well password"
    assert "ask your administrator" in message.get_content()
    assert "/reset-password/" not in message.get_content()
    assert mail_db.execute("SELECT count(*) FROM email_links").fetchone()[0] == 0


def test_a_stopped_staff_account_gets_no_link(mail_app, mail_db, smtp):
    from journal.accounts import staff

    make_user(mail_app, mail_db, "nurse@example.com", role="nurse")
    AuthActions(mail_app.test_client()).sign_in("nurse@example.com")  # enrols TOTP
    users.set_password_hash(mail_db, users.user_by_email(mail_db, "nurse@example.com")["id"],
                            staff.NO_PASSWORD)
    ask_for_link(mail_app.test_client(), "nurse@example.com")
    assert "/reset-password/" not in smtp.wait_for(1)[0].get_content()


def test_recovery_codes_still_work_where_mail_is_set_up(mail_app, mail_db):
    from journal.accounts import recovery

    patient = make_user(mail_app, mail_db, "pat@example.com")
    code = recovery.replace_codes(mail_db, patient.id, mail_app.secret_key)[0]
    client = mail_app.test_client()
    token = csrf_from(client.get("/forgotten-password").get_data(as_text=True))
    done = client.post("/forgotten-password", data={
        "email": "pat@example.com", "code": code, "new_password": NEW_PASSWORD,
        "csrf_token": token})
    assert done.status_code == 303 and signed_in(client)


def test_the_demo_with_no_server_logs_a_link_that_works(tmp_path, caplog):
    caplog.set_level(logging.INFO, "journal.mail")
    demo = create_app({"MODE": "test", "DEMO": True, "JOURNAL_DB": str(tmp_path / "d.db")})
    db = connect(demo.config["JOURNAL_DB"])
    try:
        make_user(demo, db, "someone@example.com")
        client = demo.test_client()
        assert ask_for_link(client, "someone@example.com").status_code == 200
        path = re.search(r"http://localhost(/reset-password/[\w-]+)", caplog.text)[1]
        assert "someone@example.com" not in caplog.text
        assert set_password(client, path).status_code == 303
        assert AuthActions(demo.test_client()).sign_in(
            "someone@example.com", NEW_PASSWORD).status_code == 303
    finally:
        db.close()


def test_a_signed_in_person_is_sent_to_change_their_password(mail_app, mail_db):
    make_user(mail_app, mail_db, "pat@example.com")
    auth = AuthActions(mail_app.test_client())
    auth.sign_in()
    assert auth.client.get("/forgotten-password/email").headers["Location"] \
        == "/account/password"


def test_old_links_are_tidied_away_by_the_next_sign_in_try(app, db, patient, auth):
    long_ago = utc_now() - timedelta(days=3)
    with immediate(db):
        email_links.issue(db, email_links.SIGN_UP, long_ago, timedelta(hours=24),
                          email="never.confirmed@example.com")
        email_links.issue(db, email_links.RESET, utc_now(), timedelta(minutes=30),
                          user_id=patient.id)
    auth.sign_in(password="not the password")
    assert [row["purpose"] for row in db.query("SELECT purpose FROM email_links")] == ["reset"]
