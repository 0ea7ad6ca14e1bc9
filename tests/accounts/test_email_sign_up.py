"""Sign-up where mail is set up: the address is confirmed first, a taken and a free address
get the same page, the taken one's owner is told, and the free one's link makes the account.
Without a mail server the quick sign-up stays."""

import re
from datetime import timedelta

import pytest

from journal.accounts import email_ways, users
from journal.platform import mail
from journal.platform.clock import utc_now
from tests.conftest import AuthActions, link_in, make_user
from tests.helpers import csrf_from

CHOSEN = "morning tea in the garden"
HEALTH_WORDS = ("cancer", "scan", "result", "breast", "nurse", "diagnos", "hospital",
                "health", "distress")


def sign_up(client, email, address="203.0.113.9", **extra):
    token = csrf_from(client.get("/sign-up").get_data(as_text=True))
    return client.post("/sign-up", data={"email": email, "csrf_token": token, **extra},
                       environ_base={"REMOTE_ADDR": address})


def finish(client, path, password=CHOSEN, agree="yes", first_name="Ana"):
    token = csrf_from(client.get("/sign-in").get_data(as_text=True))
    return client.post(path, data={"password": password, "agree": agree,
                                   "first_name": first_name, "csrf_token": token})


def without_tokens(html):
    return re.sub(r'(csrf_token" value="|X-CSRFToken": ")[^"]+', r"\1", html)


def accounts(db):
    return db.execute("SELECT count(*) FROM users").fetchone()[0]


def test_the_form_asks_only_for_the_email_where_mail_is_set_up(mail_app, app, client):
    page = mail_app.test_client().get("/sign-up").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' not in page
    assert "We will send you a link" in page
    quick = client.get("/sign-up").get_data(as_text=True)
    assert 'name="password"' in quick and 'name="agree"' in quick


def test_a_taken_and_a_free_email_get_the_same_page(mail_app, mail_db, smtp):
    make_user(mail_app, mail_db, "pat@example.com")
    taken = sign_up(mail_app.test_client(), "pat@example.com")
    free = sign_up(mail_app.test_client(), "new@example.com")
    assert taken.status_code == free.status_code == 200
    assert "We have sent you a link" in free.get_data(as_text=True)
    assert without_tokens(taken.get_data(as_text=True)) == \
        without_tokens(free.get_data(as_text=True))
    smtp.wait_for(2)
    [warning] = smtp.to("pat@example.com")
    [invite] = smtp.to("new@example.com")
    assert warning["Subject"] == "Someone tried to make an account with your email"
    assert "nothing has changed" in warning.get_content()
    assert "/sign-up/confirm/" not in warning.get_content()
    assert invite["Subject"] == "Finish making your Waiting Well account"
    for message in (warning, invite):
        for word in HEALTH_WORDS:
            assert word not in message.get_content().lower(), word
    assert accounts(mail_db) == 1  # nothing is made until the link is followed


def test_the_link_makes_the_account_once(mail_app, mail_db, smtp):
    client = mail_app.test_client()
    sign_up(client, "new@example.com")
    path = link_in(smtp.wait_for(1)[0], "/sign-up/confirm/")
    page = client.get(path)
    assert page.status_code == 200 and "new@example.com" in page.get_data(as_text=True)
    assert accounts(mail_db) == 0  # opening the link makes nothing (a mail scanner may)

    made = finish(client, path)
    assert made.status_code == 303
    assert made.headers["Location"] == "/account/recovery-codes/keep"
    row = users.user_by_email(mail_db, "new@example.com")
    assert row["first_name"] == "Ana" and row["role"] == "patient"
    assert mail_db.execute("SELECT count(*) FROM privacy_agreements WHERE user_id = ?",
                           [row["id"]]).fetchone()[0] == 1
    assert mail_db.execute("SELECT count(*) FROM recovery_codes WHERE user_id = ?",
                           [row["id"]]).fetchone()[0] == 8
    assert client.get("/account/recovery-codes/keep").status_code == 200  # signed in
    assert AuthActions(mail_app.test_client()).sign_in("new@example.com", CHOSEN) \
        .status_code == 303

    again = mail_app.test_client().get(path)
    assert again.status_code == 404 and "It has been used already" in again.get_data(True)
    assert finish(mail_app.test_client(), path, "someone else's password").status_code == 404
    assert accounts(mail_db) == 1


def test_two_links_for_one_address_make_one_account(mail_app, mail_db, smtp):
    sign_up(mail_app.test_client(), "new@example.com")
    sign_up(mail_app.test_client(), "new@example.com")
    first, second = (link_in(m, "/sign-up/confirm/") for m in smtp.wait_for(2))
    assert finish(mail_app.test_client(), second).status_code == 303
    assert mail_app.test_client().get(first).status_code == 404
    assert finish(mail_app.test_client(), first).status_code == 404
    assert accounts(mail_db) == 1


def test_the_finishing_form_checks_password_and_agreement(mail_app, mail_db, smtp):
    client = mail_app.test_client()
    sign_up(client, "new@example.com")
    path = link_in(smtp.wait_for(1)[0], "/sign-up/confirm/")
    weak = finish(client, path, password="password123")
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    unticked = finish(client, path, agree="")
    assert unticked.status_code == 422 and "Tick the box" in unticked.get_data(as_text=True)
    assert accounts(mail_db) == 0
    assert finish(client, path).status_code == 303


def test_a_sign_up_link_stops_working_after_24_hours(mail_app, mail_db, smtp, monkeypatch):
    client = mail_app.test_client()
    sign_up(client, "new@example.com")
    path = link_in(smtp.wait_for(1)[0], "/sign-up/confirm/")
    later = utc_now() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(email_ways, "utc_now", lambda: later)
    page = client.get(path)
    assert page.status_code == 404 and "It is too old" in page.get_data(as_text=True)
    assert 'href="/sign-up"' in page.get_data(as_text=True)
    assert finish(client, path).status_code == 404
    assert accounts(mail_db) == 0


def test_sign_up_by_email_is_throttled_per_address_and_per_client(mail_app, mail_db, smtp):
    for n in range(3):
        assert sign_up(mail_app.test_client(), "new@example.com", f"198.51.100.{n}") \
            .status_code == 200
    assert sign_up(mail_app.test_client(), "new@example.com", "198.51.100.9") \
        .status_code == 429
    for n in range(10):
        assert sign_up(mail_app.test_client(), f"p{n}@example.com", "192.0.2.1") \
            .status_code == 200
    assert sign_up(mail_app.test_client(), "more@example.com", "192.0.2.1").status_code == 429
    smtp.wait_for(13)
    assert len(smtp.messages) == 13


def test_a_malformed_address_is_told_at_once(mail_app, mail_db, smtp):
    answer = sign_up(mail_app.test_client(), "not an address")
    assert answer.status_code == 422 and "like name@example.com" in answer.get_data(True)


def test_without_a_mail_server_sign_up_is_as_quick_as_ever(client, db):
    token = csrf_from(client.get("/sign-up").get_data(as_text=True))
    made = client.post("/sign-up", data={"email": "new@example.com", "password": CHOSEN,
                                         "agree": "yes", "csrf_token": token})
    assert made.status_code == 303 and made.headers["Location"] == "/account/recovery-codes/keep"
    assert users.user_by_email(db, "new@example.com") is not None
    assert db.execute("SELECT count(*) FROM email_links").fetchone()[0] == 0


@pytest.mark.parametrize("path", ["/sign-up", "/forgotten-password/email"])
def test_a_stale_form_asks_again_for_the_email_only(mail_app, mail_db, smtp, path):
    stranger = mail_app.test_client()
    foreign_token = csrf_from(stranger.get(path).get_data(as_text=True))
    client = mail_app.test_client()
    client.get(path)
    answer = client.post(path, data={"email": "new@example.com", "csrf_token": foreign_token})
    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert "This page was open for a long time. Please ask for the link again." in page
    assert 'value="new@example.com"' in page and 'name="password"' not in page
    mail.wait_for_sending()
    assert smtp.messages == []
