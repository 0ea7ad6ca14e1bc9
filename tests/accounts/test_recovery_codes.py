"""Recovery codes: made at sign-up and shown as their own step until the person says they
kept them, used to set a new password when one is forgotten; stored only as hashes."""

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


def keep_page(client):
    return client.get("/account/recovery-codes/keep").get_data(as_text=True)


def kept(client, tick=True):
    token = csrf_from(keep_page(client))
    data = {"csrf_token": token, **({"kept": "yes"} if tick else {})}
    return client.post("/account/recovery-codes/keep", data=data)


def test_sign_up_goes_to_its_own_recovery_codes_step(client, db):
    response = sign_up(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/recovery-codes/keep"
    page = keep_page(client)
    codes = codes_in(page)
    assert len(codes) == recovery.COUNT and len(set(codes)) == recovery.COUNT
    assert 'href="/account/recovery-codes/keep/download"' in page
    assert "data-print" in page and 'data-copy="recovery-codes"' in page
    assert 'name="kept" type="checkbox" value="yes"' in page
    # Looking again shows the same codes: nothing is lost by reloading or leaving.
    assert codes_in(keep_page(client)) == codes
    user = accounts.user_by_email(db, "new@example.com")
    stored = [r["code_hash"] for r in db.query(
        "SELECT code_hash FROM recovery_codes WHERE user_id = ?", [user["id"]])]
    assert len(stored) == recovery.COUNT
    # High-entropy codes get a keyed fast hash, so a sign-up costs one password hash.
    secret = client.application.secret_key
    assert sorted(stored) == sorted(recovery.digest(secret, code) for code in codes)
    assert all(h.startswith("hmac-sha256$") for h in stored)
    assert not set(codes) & set(stored)
    assert user["recovery_codes_pending_at"]


def test_the_codes_download_as_a_text_file(client):
    sign_up(client)
    codes = codes_in(keep_page(client))
    response = client.get("/account/recovery-codes/keep/download")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="waiting-well-recovery-codes-')
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert all(code in text for code in codes)
    assert "new@example.com" in text


def test_continuing_needs_the_tick_that_they_are_kept(client, db):
    sign_up(client)
    codes = codes_in(keep_page(client))
    response = kept(client, tick=False)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="kept-error"' in page and 'aria-invalid="true"' in page
    assert codes_in(page) == codes
    assert accounts.user_by_email(db, "new@example.com")["recovery_codes_pending_at"]


def test_ticking_kept_goes_home_forgets_the_codes_and_ends_the_banner(client, db):
    sign_up(client)
    response = kept(client)
    assert response.status_code == 303 and response.headers["Location"] == "/home"
    home = client.get("/home").get_data(as_text=True)
    assert "Your recovery codes are kept" in home
    assert "codes-banner" not in home
    assert codes_in(keep_page(client)) == []
    assert client.get("/account/recovery-codes/keep/download").status_code == 404
    assert accounts.user_by_email(db, "new@example.com")["recovery_codes_pending_at"] is None


def test_leaving_early_keeps_a_banner_on_every_page_until_they_are_kept(client, db):
    sign_up(client)
    for path in ("/home", "/timeline", "/scans", "/account"):
        page = client.get(path).get_data(as_text=True)
        assert "codes-banner" in page, path
        assert 'href="/account/recovery-codes/keep"' in page, path
    # An htmx check-in does not use up the codes.
    token = csrf_from(client.get("/timeline").get_data(as_text=True))
    client.post("/check-in", data={"distress": "3", "csrf_token": token},
                headers={"HX-Request": "true"})
    assert len(codes_in(keep_page(client))) == recovery.COUNT
    kept(client)
    assert "codes-banner" not in client.get("/timeline").get_data(as_text=True)


def test_codes_missed_in_another_session_ask_for_a_new_set(app, client, db):
    sign_up(client)
    AuthActions(client).sign_out()
    AuthActions(client).sign_in("new@example.com", "quiet morning walks")
    home = client.get("/home").get_data(as_text=True)
    assert "codes-banner" in home
    assert 'href="/account/recovery-codes"' in home and "Make new codes" in home
    page = keep_page(client)
    assert codes_in(page) == []
    assert "Make new recovery codes" in page


def test_account_shows_how_many_codes_are_left(client, signed_in, patient, db):
    recovery.replace_codes(db, patient.id, client.application.secret_key)
    recovery.mark_kept(db, patient.id)
    page = client.get("/account").get_data(as_text=True)
    assert f"You have {recovery.COUNT} unused codes" in page
    assert 'href="/account/recovery-codes"' in page


def test_a_recovery_code_sets_a_new_password_and_signs_in(app, client, db):
    sign_up(client)
    codes = codes_in(keep_page(client))
    kept(client)
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
    codes = codes_in(keep_page(client))
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
    assert response.headers["Location"] == "/account/recovery-codes/keep"
    new = codes_in(keep_page(client))
    assert len(new) == recovery.COUNT and not set(new) & set(old)
    # New codes are a step of their own too, and back to the account afterwards.
    assert kept(client).headers["Location"] == "/account"
    assert codes_in(keep_page(client)) == []
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
