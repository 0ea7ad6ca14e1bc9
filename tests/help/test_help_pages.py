"""The help panel on every page, the help page, "About this information" and content loading."""

import re
import shutil
from dataclasses import replace
from datetime import date, time

import pytest

from journal import create_app
from journal.accounts import consent
from journal.accounts import users as accounts
from journal.guidance.packs import CONTENT_DIR, ContentError
from journal.platform.clock import uk_local_to_utc
from journal.platform.db import connect


def uk(y, m, d, hh=0, mm=0):
    return uk_local_to_utc(date(y, m, d), time(hh, mm))


URGENT_LINKS = [
    'href="tel:+448088004040">0808 800 4040</a>',
    'href="tel:999">999</a>',
    'href="tel:111">111</a>',
    'href="tel:116123">116 123</a>',
    'href="sms:85258?body=SHOUT">Text SHOUT to 85258</a>',
]


def help_panel(html):
    match = re.search(r'<section id="help".*?</section>', html, re.S)
    assert match, "no help panel"
    return match.group(0)


@pytest.mark.parametrize("path", ["/", "/sign-in", "/sign-up", "/help", "/about-information",
                                  "/no-such-page"])
def test_help_panel_on_public_pages(client, clock, path):
    clock(uk(2026, 11, 23, 10))  # a Monday
    html = client.get(path).get_data(as_text=True)
    panel = help_panel(html)
    for link in URGENT_LINKS:
        assert link in panel
    assert "Open now, until 5pm" in panel
    assert "option 2" in panel
    assert "<script" not in panel


def test_help_panel_on_patient_pages(client, signed_in, clock):
    clock(uk(2026, 11, 23, 10))
    for path in ["/home", "/timeline", "/scans", "/scans/new", "/questions"]:
        assert 'href="sms:85258?body=SHOUT"' in help_panel(client.get(path).get_data(as_text=True))


@pytest.mark.parametrize(
    ("now", "status"),
    [
        pytest.param(uk(2026, 11, 23, 16, 59), "Open now, until 5pm", id="monday-before-5"),
        pytest.param(uk(2026, 11, 23, 17), "Closed now. Opens tomorrow at 9am", id="monday-5pm"),
        pytest.param(uk(2026, 11, 28, 12), "Closed now. Opens Monday at 9am", id="saturday"),
        pytest.param(uk(2026, 12, 25, 10), "Closed now. Opens Tuesday 29 December at 9am",
                     id="christmas-day"),
        pytest.param(uk(2026, 3, 30, 9), "Open now, until 5pm", id="first-bst-monday-9am"),
    ],
)
def test_nurse_line_status_is_worked_out_per_request(client, clock, now, status):
    clock(now)
    assert status in help_panel(client.get("/").get_data(as_text=True))


def test_status_says_when_to_ask_again_and_the_fragment_answers(client, clock):
    clock(uk(2026, 11, 23, 16, 59))
    panel = help_panel(client.get("/").get_data(as_text=True))
    assert 'data-changes-at="2026-11-23T17:00:00+00:00"' in panel
    assert 'data-refresh="/help/line-status"' in panel
    # A page left open past 5pm asks again, and is told the line has closed.
    clock(uk(2026, 11, 23, 17, 1))
    response = client.get("/help/line-status")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "Closed now. Opens tomorrow at 9am" in html
    assert 'data-changes-at="2026-11-24T00:00:00+00:00"' in html
    # Only the status: no page around it, no cookie for a passer-by.
    assert "<html" not in html and "Set-Cookie" not in response.headers


def test_asking_for_the_status_is_not_use(client, signed_in, clock):
    # A page that keeps itself right is not the person using the app: no new cookie.
    clock(uk(2026, 11, 23, 10))
    response = client.get("/help/line-status")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "Open now, until 5pm" in response.get_data(as_text=True)


def test_bank_holiday_is_named(client, clock):
    clock(uk(2026, 12, 25, 10))
    panel = help_panel(client.get("/").get_data(as_text=True))
    assert "Today is a bank holiday: Christmas Day." in panel


def test_panel_shows_the_patients_own_nurse_and_who_arranged_the_scan(client, signed_in, db,
                                                                      patient, clock, add_scan):
    clock(uk(2026, 11, 23, 10))
    add_scan(patient.id, nurse_name="Jo Bloggs", nurse_phone="0161 496 0000",
             created_at=uk(2026, 1, 1))
    add_scan(patient.id, kind="ct-scan", arranged_by_name="Dr Shah",
             arranged_by_phone="020 7946 0123", created_at=uk(2026, 11, 1))
    panel = help_panel(client.get("/timeline").get_data(as_text=True))
    assert "Your specialist nurse: Jo Bloggs" in panel
    assert 'href="tel:+441614960000">0161 496 0000</a>' in panel
    assert "The person who arranged your scan: Dr Shah" in panel
    assert 'href="tel:+442079460123">020 7946 0123</a>' in panel


def test_no_personal_contacts_for_other_people(client, auth, app, db, patient, clock, add_scan,
                                               make_account):
    clock(uk(2026, 11, 23, 10))
    add_scan(patient.id, nurse_name="Jo Bloggs", nurse_phone="0161 496 0000")
    assert "Jo Bloggs" not in client.get("/").get_data(as_text=True)
    make_account("second@example.com")
    auth.sign_in("second@example.com")
    html = client.get("/home").get_data(as_text=True)
    assert "Jo Bloggs" not in html
    assert "Your own team" not in html


def test_help_page(client, clock):
    clock(uk(2026, 11, 28, 12))
    response = client.get("/help")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>Help and support</h1>" in html
    assert html.count('id="help"') == 1  # the page is the panel; no second one in the footer
    assert "Closed now. Opens Monday at 9am" in html
    for link in URGENT_LINKS:
        assert link in html


def test_about_page_credits_the_leaflet_with_both_sets_of_dates(client, clock):
    clock(uk(2026, 11, 28, 12))
    html = client.get("/about-information").get_data(as_text=True)
    assert "<h1>About this information</h1>" in html
    assert "Liver ultrasound for secondary breast cancer" in html
    assert "Cancer Research UK" in html
    assert "29 October 2020" in html  # the leaflet's own review
    assert "29 October 2023" in html  # its next review, now passed
    assert "this date has passed" in html
    assert "25 November 2026" in html  # our own review
    assert "25 November 2027" in html  # our review-by date
    assert "ESMO International Consensus Guidelines" in html
    # The CT pack names no leaflet as its source, and says why.
    assert "This guide is not built on a leaflet about CT scans." in html
    assert "For admins" not in html


def past_review(app):
    pack = app.extensions["packs"]["ct-scan"]
    app.extensions["packs"]["ct-scan"] = replace(
        pack, review=replace(pack.review, reviewed_on=date(2025, 1, 1), review_by=date(2026, 1, 1))
    )


def test_pack_past_review_is_flagged_to_admins(client, auth, app, db, clock, make_account):
    clock(uk(2026, 11, 28, 12))
    past_review(app)
    make_account("admin@example.com", role="admin")
    auth.sign_in("admin@example.com")
    about = client.get("/about-information").get_data(as_text=True)
    assert "For admins: review needed" in about
    assert "CT scan: our review-by date was 1 January 2026." in about
    assert "the CT scan guide was due" not in about  # the page says it once
    start = client.get("/", follow_redirects=True)
    assert start.request.path == "/admin"  # the admin's own start page
    assert "the CT scan guide was due for our review by 1 January 2026." in start.get_data(
        as_text=True)


def test_pack_past_review_is_never_hidden_from_patients(client, signed_in, app, db, patient, clock,
                                                        add_scan):
    clock(uk(2026, 11, 10, 12))
    past_review(app)
    add_scan(patient.id, kind="ct-scan", appointment_at=uk(2026, 11, 18, 10))
    home = client.get("/home").get_data(as_text=True)
    assert "Before your CT scan" in home
    assert "For admins" not in home
    about = client.get("/about-information").get_data(as_text=True)
    assert "1 January 2026" in about
    assert "For admins" not in about


def test_content_is_loaded_once_at_start(app):
    assert set(app.extensions["packs"]) == {"liver-ultrasound", "ct-scan"}
    assert app.extensions["safety"].high_distress == 8


def test_a_malformed_pack_stops_the_start(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    pack = folder / "ct-scan.toml"
    pack.write_text(pack.read_text().replace('[stages.overdue]', '[stages.overdoo]'))
    with pytest.raises(ContentError, match="ct-scan.toml"):
        create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "j.db"),
                    "CONTENT_DIR": str(folder)})


def test_a_new_pack_file_is_offered_without_code_changes(tmp_path):
    folder = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, folder)
    text = (folder / "ct-scan.toml").read_text()
    (folder / "mri-scan.toml").write_text(
        text.replace('kind = "ct-scan"', 'kind = "mri-scan"').replace('name = "CT scan"',
                                                                      'name = "MRI scan"'))
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "j.db"),
                      "CONTENT_DIR": str(folder)})
    db = connect(app.config["JOURNAL_DB"])
    user_id = accounts.create_user(
        db, "new@example.com", app.extensions["passwords"].hash("a long password")
    )
    consent.agree(db, user_id)
    db.close()
    client = app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"',
                      client.get("/sign-in").get_data(as_text=True)).group(1)
    client.post("/sign-in", data={"email": "new@example.com", "password": "a long password",
                                  "csrf_token": token})
    assert 'id="kind-mri-scan"' in client.get("/scans/new").get_data(as_text=True)


def test_panel_keeps_the_public_numbers_when_contacts_cannot_be_read(client, signed_in,
                                                                     monkeypatch):
    import sqlite3

    from journal.scans import records as scans

    def broken(db, patient_id):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(scans, "own_contacts", broken)
    response = client.get("/timeline")
    assert response.status_code == 200
    assert 'href="tel:999">999</a>' in help_panel(response.get_data(as_text=True))
