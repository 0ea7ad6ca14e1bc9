"""The privacy notice, and asking again when its version changes."""

from journal.accounts import consent
from tests.conftest import AuthActions, csrf_from


def test_notice_says_what_why_who_and_how_long(client):
    response = client.get("/privacy")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for heading in ("What we keep", "Why we keep it", "Who can see it", "How long we keep it"):
        assert f"<h2>{heading}</h2>" in page
    assert "special category" in page and "UK GDPR" in page
    assert f"Version {consent.VERSION}" in page


def test_notice_is_linked_from_every_page_and_sign_up(client):
    assert 'href="/privacy"' in client.get("/").get_data(as_text=True)
    assert 'href="/privacy"' in client.get("/sign-up").get_data(as_text=True)


def test_a_new_version_asks_again_before_going_on(client, signed_in, patient, db, monkeypatch):
    first = consent.VERSION
    monkeypatch.setattr(consent, "VERSION", "2099-01")
    response = client.get("/home")
    assert response.status_code == 303 and response.headers["Location"] == "/privacy/agree"
    page = client.get("/privacy/agree").get_data(as_text=True)
    assert "Our privacy notice has changed" in page and "Version 2099-01" in page
    # Other pages wait too; htmx requests are sent there as a whole page.
    assert client.get("/timeline").headers["Location"] == "/privacy/agree"
    htmx = client.get("/timeline", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/privacy/agree"

    refused = client.post("/privacy/agree", data={"csrf_token": signed_in})
    assert refused.status_code == 422
    assert "Tick the box if you agree" in refused.get_data(as_text=True)
    assert consent.latest_agreement(db, patient.id)["version"] != "2099-01"

    agreed = client.post("/privacy/agree", data={"agree": "yes", "csrf_token": signed_in})
    assert agreed.status_code == 303 and agreed.headers["Location"] == "/home"
    assert consent.latest_agreement(db, patient.id)["version"] == "2099-01"
    assert client.get("/home").status_code == 200
    versions = [r["version"] for r in db.query(
        "SELECT version FROM privacy_agreements WHERE user_id = ? ORDER BY id", [patient.id])]
    assert versions == [first, "2099-01"]


def test_a_check_in_sent_as_the_version_changes_is_still_saved(client, signed_in, patient, db,
                                                               monkeypatch):
    monkeypatch.setattr(consent, "VERSION", "2099-01")
    response = client.post("/check-in", data={"distress": "5", "note": "kept safe",
                                              "csrf_token": signed_in})
    assert response.status_code == 303
    assert db.execute("SELECT note FROM entries WHERE patient_id = ?",
                      [patient.id]).fetchone()[0] == "kept safe"
    assert client.get("/home").headers["Location"] == "/privacy/agree"


def test_a_patient_with_no_recorded_agreement_is_asked(app, client, db):
    from journal.accounts import users as accounts

    password_hash = app.extensions["passwords"].hash("correct horse battery")
    accounts.create_user(db, "before@example.com", password_hash)
    response = AuthActions(client).sign_in("before@example.com")
    assert response.status_code == 303
    assert client.get("/home").headers["Location"] == "/privacy/agree"
    assert "Please read our privacy notice" in client.get("/privacy/agree").get_data(as_text=True)


def test_the_agree_page_is_for_signed_in_patients(client):
    assert client.get("/privacy/agree").status_code == 302


def test_signing_out_stays_possible_while_asked(client, signed_in, monkeypatch):
    monkeypatch.setattr(consent, "VERSION", "2099-01")
    token = csrf_from(client.get("/privacy/agree").get_data(as_text=True))
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_the_app_shell_and_help_stay_open_while_asked(client, signed_in, monkeypatch):
    # A redirected service worker fails to install, and help must never be out of reach.
    monkeypatch.setattr(consent, "VERSION", "2099-01")
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.mimetype == "text/javascript"
    assert client.get("/manifest.webmanifest").status_code == 200
    assert client.get("/offline").status_code == 200
    assert "Samaritans" in client.get("/help").get_data(as_text=True)
    assert client.get("/about-information").status_code == 200
    assert client.get("/home").headers["Location"] == "/privacy/agree"
