"""Account -> Reminders: off by default, saved with CSRF, errors keep what was typed."""

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from journal import create_app
from journal.platform.db import connect
from tests.conftest import AuthActions, make_user

FORM = {"daily": "1", "daily_at": "19:30", "scan_nudges": "1", "by_calendar": "1",
        "quiet_from": "21:00", "quiet_until": "08:00"}


def stored(db, patient):
    return next(db.query("SELECT * FROM reminder_choices WHERE patient_id = ?", [patient.id]),
                None)


def feed_link(html):
    return re.search(r'href="(http://localhost/reminders/calendar/[^"]+\.ics)"', html)[1]


def test_reminders_are_off_until_the_patient_turns_them_on(client, signed_in, db, patient):
    page = client.get("/account/reminders").get_data(as_text=True)
    assert 'name="daily" type="checkbox" value="1">' in page
    assert 'name="scan_nudges" type="checkbox" value="1" aria-describedby="scan_nudges-hint">' \
        in page
    assert 'value="21:00"' in page and 'value="08:00"' in page
    assert stored(db, patient) is None
    assert "Choose your reminders" in client.get("/account").get_data(as_text=True)


def test_saving_choices_stores_them_and_shows_the_calendar_link_once(
        client, signed_in, db, patient):
    response = client.post("/account/reminders", data={**FORM, "csrf_token": signed_in})
    assert response.status_code == 303
    assert response.headers["Location"] == "/account/reminders"
    row = stored(db, patient)
    assert (row["daily_at"], row["scan_nudges"], row["by_calendar"], row["by_email"]) == \
        ("19:30", 1, 1, 0)
    page = client.get("/account/reminders").get_data(as_text=True)
    link = feed_link(page)
    token = link.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43 and token not in row["feed_hash"]
    assert "webcal://localhost/reminders/calendar/" in page
    assert 'name="daily" type="checkbox" value="1" checked' in page
    # Only the hash is kept, so the link is shown once.
    assert token not in client.get("/account/reminders").get_data(as_text=True)


def test_a_post_without_the_csrf_token_changes_nothing(client, signed_in, db, patient):
    response = client.post("/account/reminders", data=FORM)
    assert response.status_code in (400, 403)
    assert stored(db, patient) is None


@pytest.mark.parametrize("changes, field, message", [
    ({"daily_at": "7pm"}, "daily_at", "Enter the time for your daily reminder"),
    ({"daily_at": "22:15"}, "daily_at", "Choose a time outside your quiet hours"),
    ({"quiet_until": "soon"}, "quiet_from", "Enter quiet hours as times"),
    ({"by_calendar": ""}, "by_email", "Choose how your reminders reach you"),
    ({"by_email": "1"}, "by_email", "Email reminders are not set up on this service"),
])
def test_a_mistake_is_explained_and_what_was_typed_is_kept(
        client, signed_in, db, patient, changes, field, message):
    response = client.post("/account/reminders",
                           data={**FORM, **changes, "csrf_token": signed_in})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and f'href="#{field}"' in page
    for name, value in changes.items():
        if value and name != "by_email":
            assert f'value="{value}"' in page
    assert 'name="scan_nudges" type="checkbox" value="1" aria-describedby' in page
    assert "checked" in page
    assert stored(db, patient) is None


def test_turning_everything_off_saves_with_no_channel(client, signed_in, db, patient):
    response = client.post("/account/reminders", data={
        "daily_at": "19:00", "quiet_from": "21:00", "quiet_until": "08:00",
        "csrf_token": signed_in})
    assert response.status_code == 303
    row = stored(db, patient)
    assert row["daily_at"] is None and row["scan_nudges"] == 0 and row["feed_hash"] is None


def test_turning_the_calendar_off_ends_its_link(client, signed_in, db, patient):
    client.post("/account/reminders", data={**FORM, "csrf_token": signed_in})
    link = feed_link(client.get("/account/reminders").get_data(as_text=True))
    assert client.get(link).status_code == 200
    client.post("/account/reminders", data={**FORM, "by_calendar": "", "by_email": "",
                                            "daily": "", "scan_nudges": "",
                                            "csrf_token": signed_in})
    assert client.get(link).status_code == 404


def test_a_new_calendar_link_replaces_the_old_one(client, signed_in, db, patient):
    client.post("/account/reminders", data={**FORM, "csrf_token": signed_in})
    old = feed_link(client.get("/account/reminders").get_data(as_text=True))
    response = client.post("/account/reminders/calendar", data={"csrf_token": signed_in})
    assert response.status_code == 303
    new = feed_link(client.get("/account/reminders").get_data(as_text=True))
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_new_calendar_link_needs_the_calendar_chosen(client, signed_in, db, patient):
    client.post("/account/reminders/calendar", data={"csrf_token": signed_in})
    assert stored(db, patient) is None


def test_email_is_offered_where_a_mail_server_is_configured(tmp_path, patient):
    app = create_app({"MODE": "test", "JOURNAL_DB": str(tmp_path / "mail.db"),
                      "MAIL_SERVER": "127.0.0.1"})
    client = app.test_client()
    page = client.get("/account/reminders").get_data(as_text=True)
    assert "By email" not in page  # anonymous: sent to sign in
    db = connect(app.config["JOURNAL_DB"])
    try:
        user = make_user(app, db, "pat@example.com")
        auth = AuthActions(client)
        auth.sign_in()
        token = auth.token("/account/reminders")
        assert "By email" in client.get("/account/reminders").get_data(as_text=True)
        response = client.post("/account/reminders", data={
            **FORM, "by_calendar": "", "by_email": "1", "csrf_token": token})
        assert response.status_code == 303
        assert stored(db, user)["by_email"] == 1
    finally:
        db.close()


# The calendar feed ---------------------------------------------------------


def test_the_feed_holds_the_daily_check_in_the_scan_and_the_chase_day(
        client, signed_in, db, patient, add_scan):
    appointment = datetime.now(UTC) + timedelta(days=3)
    scan_id = add_scan(patient.id, appointment_at=appointment, results_expected_days=7,
                       letter_notes="bring the blue folder", hospital="City Hospital")
    add_scan(patient.id, appointment_at=appointment - timedelta(days=30),
             results_received_on="2026-01-01")
    client.post("/account/reminders", data={**FORM, "csrf_token": signed_in})
    response = client.get(feed_link(client.get("/account/reminders").get_data(as_text=True)))
    assert response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"]
    text = response.get_data(as_text=True)
    cal = icalendar.Calendar.from_ical(text)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"daily-{patient.id}@waiting-well", f"scan-{scan_id}@waiting-well",
                           f"scan-{scan_id}-chase@waiting-well"}
    daily = events[f"daily-{patient.id}@waiting-well"]
    assert daily["rrule"]["FREQ"] == ["DAILY"]
    assert daily.decoded("dtstart").tzinfo.key == "Europe/London"
    assert daily.decoded("dtstart").strftime("%H:%M") == "19:30"
    assert [a["action"] for a in daily.walk("VALARM")] == ["DISPLAY"]
    assert "TZID:Europe/London" in text and "BEGIN:VTIMEZONE" in text
    assert str(events[f"scan-{scan_id}@waiting-well"]["summary"]) == "Scan"
    assert events[f"scan-{scan_id}@waiting-well"].decoded("dtstart") == \
        appointment.replace(microsecond=0)
    # Nothing from the letter, the hospital or the kind of scan.
    for private in ("blue folder", "City Hospital", "ultrasound", "liver", "cancer"):
        assert private.lower() not in text.lower()


def test_the_feed_leaves_out_what_was_not_chosen(client, signed_in, db, patient, add_scan):
    add_scan(patient.id, appointment_at=datetime.now(UTC) + timedelta(days=3))
    client.post("/account/reminders", data={**FORM, "scan_nudges": "",
                                            "csrf_token": signed_in})
    text = client.get(feed_link(client.get("/account/reminders").get_data(as_text=True))) \
        .get_data(as_text=True)
    cal = icalendar.Calendar.from_ical(text)
    assert [str(e["summary"]) for e in cal.walk("VEVENT")] == ["A moment to check in?"]


def test_an_unknown_feed_token_is_not_found(client):
    assert client.get("/reminders/calendar/" + "x" * 43 + ".ics").status_code == 404
