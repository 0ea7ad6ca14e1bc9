"""Recovery codes: made at sign-up, shown once below the check-in, used to set a new
password when one is forgotten; stored only as hashes."""

import re

from journal.accounts import consent, recovery
from journal.accounts import users as accounts
from tests.conftest import PASSWORD, AuthActions, csrf_from

NEW_PASSWORD = "lighthouse tea biscuits"


def sign_up(client, email="new@example.com", agree=True):
    token = csrf_from(client.get("/sign-up").get_data(as_text=True))
    data = {"email": email, "password": "quiet morning walks", "first_name": "Nia",
            "csrf_token": token}
    if agree:
        data["agree"] = "yes"
    return client.post("/sign-up", data=data)


def codes_in(html):
    return re.findall(r"<code>([2-9a-z]{4}-[2-9a-z]{4}-[2-9a-z]{4})</code>", html)


def forgotten(client, email, code, new_password=NEW_PASSWORD):
    token = csrf_from(client.get("/forgotten-password").get_data(as_text=True))
    return client.post("/forgotten-password", data={
        "email": email, "code": code, "new_password": new_password, "csrf_token": token})


def test_sign_up_shows_codes_once_below_the_check_in(client, db):
    assert sign_up(client).status_code == 303
    home = client.get("/home").get_data(as_text=True)
    codes = codes_in(home)
    assert len(codes) == recovery.COUNT and len(set(codes)) == recovery.COUNT
    # The check-in form comes first; the codes never stand in its way.
    assert home.index('id="checkin"') < home.index("Your recovery codes")
    assert codes_in(client.get("/home").get_data(as_text=True)) == []
    user = accounts.user_by_email(db, "new@example.com")
    stored = [r["code_hash"] for r in db.query(
        "SELECT code_hash FROM recovery_codes WHERE user_id = ?", [user["id"]])]
    assert len(stored) == recovery.COUNT
    # High-entropy codes get a keyed fast hash, so a sign-up costs one password hash.
    secret = client.application.secret_key
    assert sorted(stored) == sorted(recovery.digest(secret, code) for code in codes)
    assert all(h.startswith("hmac-sha256$") for h in stored)
    assert not set(codes) & set(stored)


def test_an_htmx_check_in_before_home_loads_does_not_use_up_the_codes(client, db):
    sign_up(client)
    token = csrf_from(client.get("/timeline").get_data(as_text=True))
    response = client.post("/check-in", data={"distress": "3", "csrf_token": token},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    assert len(codes_in(client.get("/home").get_data(as_text=True))) == recovery.COUNT


def test_a_recovery_code_sets_a_new_password_and_signs_in(app, client, db):
    sign_up(client)
    codes = codes_in(client.get("/home").get_data(as_text=True))
    other_device = app.test_client()
    AuthActions(other_device).sign_in("new@example.com", "quiet morning walks")
    AuthActions(client).sign_out()

    response = forgotten(client, "New@Example.com ", codes[3].upper())
    assert response.status_code == 303 and response.headers["Location"] == "/home"
    assert "7 recovery codes left" in client.get("/home").get_data(as_text=True)
    user = accounts.user_by_email(db, "new@example.com")
    assert app.extensions["passwords"].verify(user["password_hash"], NEW_PASSWORD)
    assert recovery.unused_count(db, user["id"]) == recovery.COUNT - 1
    # Whoever was signed in elsewhere is signed out.
    assert other_device.get("/home").status_code == 302
    # The same code does not work twice.
    AuthActions(client).sign_out()
    assert forgotten(client, "new@example.com", codes[3]).status_code == 422
    assert forgotten(client, "new@example.com", codes[4]).status_code == 303


def test_a_wrong_code_changes_nothing(client, patient, db):
    before = accounts.user_by_email(db, patient.email)["password_hash"]
    response = forgotten(client, patient.email, "k7mq-2xfp-9hdt")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "That email and recovery code do not match" in page
    assert 'value="pat@example.com"' in page
    assert accounts.user_by_email(db, patient.email)["password_hash"] == before


def test_unknown_email_gets_the_same_answer(client):
    response = forgotten(client, "nobody@example.com", "k7mq-2xfp-9hdt")
    assert response.status_code == 422
    assert "That email and recovery code do not match" in response.get_data(as_text=True)


def test_form_errors_are_shown_beside_each_field(client):
    response = forgotten(client, "not-an-email", "nope", "short")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="email-error"' in page and 'id="code-error"' in page
    assert 'id="new_password-error"' in page


def test_recovery_tries_are_limited(app, client, db):
    sign_up(client)
    codes = codes_in(client.get("/home").get_data(as_text=True))
    AuthActions(client).sign_out()
    for _ in range(5):
        forgotten(client, "new@example.com", "k7mq-2xfp-9hdt")
    response = forgotten(client, "new@example.com", codes[0])
    assert response.status_code == 429
    user = accounts.user_by_email(db, "new@example.com")
    assert recovery.unused_count(db, user["id"]) == recovery.COUNT


def test_nurses_cannot_use_recovery_codes(app, client, nurse, db):
    codes = recovery.replace_codes(db, nurse.id, app.secret_key)
    assert forgotten(client, nurse.email, codes[0]).status_code == 422


def test_making_new_codes_needs_the_password_and_ends_the_old_ones(client, signed_in, patient,
                                                                   db):
    old = recovery.replace_codes(db, patient.id, client.application.secret_key)
    wrong = client.post("/account/recovery-codes", data={"password": "nope nope",
                                                         "csrf_token": signed_in})
    assert wrong.status_code == 422
    response = client.post("/account/recovery-codes", data={"password": PASSWORD,
                                                            "csrf_token": signed_in})
    assert response.status_code == 303
    page = client.get("/account/recovery-codes").get_data(as_text=True)
    new = codes_in(page)
    assert len(new) == recovery.COUNT and not set(new) & set(old)
    assert codes_in(client.get("/account/recovery-codes").get_data(as_text=True)) == []
    app = client.application
    assert not recovery.use_code(db, patient.id, old[0], app.secret_key,
                                 app.extensions["passwords"])


def test_sign_up_without_agreeing_keeps_the_form(client, db):
    response = sign_up(client, agree=False)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="agree-error"' in page and 'value="new@example.com"' in page
    assert accounts.user_by_email(db, "new@example.com") is None


def test_sign_up_records_the_notice_version(client, db):
    sign_up(client)
    user = accounts.user_by_email(db, "new@example.com")
    assert consent.latest_agreement(db, user["id"])["version"] == consent.VERSION
