"""My scan: adding and editing scans, the home stage card, calendar files and access."""

from datetime import date, time

import pytest

from journal.platform.clock import uk_local_to_utc


def uk(y, m, d, hh=0, mm=0):
    return uk_local_to_utc(date(y, m, d), time(hh, mm))


APPT = uk(2026, 11, 18, 10)  # Wednesday 18 November 2026, 10am GMT


def scan_rows(db, patient_id):
    return list(db.query("SELECT * FROM scans WHERE patient_id = ? ORDER BY id", [patient_id]))


def test_pages_need_a_signed_in_patient(client):
    for path in ["/scans", "/scans/new", "/questions"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in?next=")


def test_nurses_cannot_use_my_scan(client, auth, nurse):
    auth.sign_in("nurse@example.com")
    assert client.get("/scans").status_code == 403
    assert client.get("/questions").status_code == 403


def test_my_scan_invites_a_first_scan(client, signed_in):
    response = client.get("/scans")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>My scan</h1>" in html
    assert "Add your scan" in html
    assert response.headers["Cache-Control"] == "no-store"


def test_add_a_scan(client, signed_in, db, patient, clock):
    clock(uk(2026, 11, 10, 12))
    form = client.get("/scans/new").get_data(as_text=True)
    # Every pack is offered, the liver ultrasound first; none is chosen for the patient.
    assert form.index('id="kind-liver-ultrasound"') < form.index('id="kind-ct-scan"')
    assert 'value="liver-ultrasound" checked' not in form
    response = client.post("/scans", data={
        "csrf_token": signed_in, "kind": "liver-ultrasound", "appointment_date": "2026-11-18",
        "appointment_time": "10:00", "hospital": "City Hospital", "fasting_hours": "6",
        "letter_notes": "Bring glasses", "arranged_by_name": "Dr Shah",
        "arranged_by_phone": "020 7946 0123", "nurse_name": "Jo", "nurse_phone": "0161 496 0000",
        "results_told": "10", "results_told_unit": "days",
    })
    assert response.status_code == 303
    assert response.headers["Location"] == "/home"
    [row] = scan_rows(db, patient.id)
    assert row["appointment_at"] == "2026-11-18T10:00:00.000000Z"
    assert row["fasting_hours"] == 6
    assert row["results_expected_days"] == 10
    assert row["arranged_by_phone"] == "020 7946 0123"

    home = client.get("/home").get_data(as_text=True)
    assert "Your scan is saved." in home
    assert "Before your scan" in home
    assert "8 days to go" in home
    assert "Your scan is on Wednesday 18 November at 10:00am, at City Hospital." in home
    assert "Stop eating at 4:00am on Wednesday 18 November." in home


def test_invalid_scan_shows_the_form_again_with_what_was_typed(client, signed_in, db, patient):
    response = client.post("/scans", data={
        "csrf_token": signed_in, "kind": "liver-ultrasound", "appointment_date": "2026-11-18",
        "hospital": "City Hospital", "arranged_by_phone": "ring the ward",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter the time on your letter, like 10:30." in html
    assert "Enter a phone number using numbers" in html
    assert 'value="City Hospital"' in html
    assert 'value="ring the ward"' in html
    assert 'aria-invalid="true"' in html
    assert scan_rows(db, patient.id) == []


def test_edit_a_scan_keeps_uk_time_and_records_results(client, signed_in, db, patient, clock,
                                                       add_scan):
    clock(uk(2026, 11, 30, 12))
    scan_id = add_scan(patient.id, appointment_at=uk(2026, 6, 10, 9, 30), hospital="Old")
    form = client.get(f"/scans/{scan_id}/edit").get_data(as_text=True)
    assert 'value="2026-06-10"' in form
    assert 'value="09:30"' in form  # BST, as the letter said
    response = client.post(f"/scans/{scan_id}", data={
        "csrf_token": signed_in, "kind": "ct-scan", "appointment_date": "2026-06-10",
        "appointment_time": "09:30", "hospital": "New", "results_received_on": "2026-06-20",
    })
    assert response.status_code == 303
    assert response.headers["Location"] == "/scans"
    [row] = scan_rows(db, patient.id)
    assert (row["kind"], row["hospital"], row["results_received_on"]) == (
        "ct-scan", "New", "2026-06-20")
    assert row["appointment_at"] == "2026-06-10T08:30:00.000000Z"
    assert row["updated_at"]


def test_results_have_come_from_the_card(client, signed_in, db, patient, clock, add_scan):
    clock(uk(2026, 12, 4, 12))
    scan_id = add_scan(patient.id, appointment_at=APPT)
    response = client.post(f"/scans/{scan_id}/results", data={
        "csrf_token": signed_in, "results_received_on": "2026-12-04", "back": "home"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/home"
    assert scan_rows(db, patient.id)[0]["results_received_on"] == "2026-12-04"
    assert "You have your results" in client.get("/home").get_data(as_text=True)


def test_results_date_in_the_future_is_refused(client, signed_in, db, patient, clock, add_scan):
    clock(uk(2026, 12, 4, 12))
    scan_id = add_scan(patient.id, appointment_at=APPT)
    response = client.post(f"/scans/{scan_id}/results", data={
        "csrf_token": signed_in, "results_received_on": "2026-12-05", "back": "elsewhere"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This date is in the future." in html
    assert 'value="2026-12-05"' in html
    assert 'name="back" value="scans"' in html  # only known places to go back to
    assert scan_rows(db, patient.id)[0]["results_received_on"] is None


def test_several_scans_the_newest_is_current(client, signed_in, db, patient, clock, add_scan):
    clock(uk(2026, 11, 20, 12))
    add_scan(patient.id, appointment_at=uk(2026, 3, 1, 9), results_received_on="2026-03-10",
             created_at=uk(2026, 2, 1))
    add_scan(patient.id, kind="ct-scan", appointment_at=uk(2026, 11, 25, 9),
             created_at=uk(2026, 11, 1))
    html = client.get("/scans").get_data(as_text=True)
    assert "Before your CT scan" in html
    assert "Earlier scans" in html
    assert "1 March 2026" in html
    assert "Before your CT scan" in client.get("/home").get_data(as_text=True)


def test_delete_a_scan(client, signed_in, db, patient, add_scan):
    scan_id = add_scan(patient.id)
    assert "Delete this scan?" in client.get(f"/scans/{scan_id}/delete").get_data(as_text=True)
    response = client.post(f"/scans/{scan_id}/delete", data={"csrf_token": signed_in})
    assert response.status_code == 303
    assert scan_rows(db, patient.id) == []


def test_another_patients_scan_is_not_found(client, signed_in, app, db, add_scan, make_account):
    other = make_account("someone@example.com")
    scan_id = add_scan(other.id, appointment_at=APPT, hospital="Theirs")
    for path in [f"/scans/{scan_id}/edit", f"/scans/{scan_id}/delete",
                 f"/scans/{scan_id}/appointment.ics", f"/scans/{scan_id}/chase-day.ics"]:
        assert client.get(path).status_code == 404, path
    for path, data in [
        (f"/scans/{scan_id}", {"kind": "ct-scan", "hospital": "Mine now"}),
        (f"/scans/{scan_id}/results", {"results_received_on": "2026-11-20"}),
        (f"/scans/{scan_id}/delete", {}),
    ]:
        assert client.post(path, data={"csrf_token": signed_in, **data}).status_code == 404, path
    [row] = scan_rows(db, other.id)
    assert (row["kind"], row["hospital"], row["results_received_on"]) == (
        "liver-ultrasound", "Theirs", None)


def test_appointment_calendar_file(client, signed_in, db, patient, clock, add_scan):
    clock(uk(2026, 11, 10, 12))
    scan_id = add_scan(patient.id, appointment_at=APPT, hospital="City Hospital",
                       fasting_hours=6)
    response = client.get(f"/scans/{scan_id}/appointment.ics")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == 'attachment; filename="scan-appointment.ics"'
    assert response.headers["Cache-Control"] == "no-store"
    lines = text.split("\r\n")
    assert "DTSTART:20261118T100000Z" in lines
    assert "SUMMARY:Scan appointment" in lines
    assert "DESCRIPTION:Liver ultrasound.\\n" in text
    assert "LOCATION:City Hospital" in lines
    assert "TRIGGER:-PT6H" in lines


def test_chase_day_calendar_file(client, signed_in, db, patient, clock, add_scan):
    clock(uk(2026, 11, 20, 12))
    scan_id = add_scan(patient.id, appointment_at=APPT, arranged_by_name="Dr Shah",
                       arranged_by_phone="020 7946 0123")
    response = client.get(f"/scans/{scan_id}/chase-day.ics")
    lines = response.get_data(as_text=True).split("\r\n")
    assert response.status_code == 200
    assert "DTSTART;VALUE=DATE:20261203" in lines  # the day after the usual 14 days
    assert "SUMMARY:A phone call about your scan" in lines


def test_calendar_without_a_date_asks_for_one(client, signed_in, db, patient, add_scan):
    scan_id = add_scan(patient.id)
    for path in [f"/scans/{scan_id}/appointment.ics", f"/scans/{scan_id}/chase-day.ics"]:
        response = client.get(path)
        assert response.status_code == 303
        assert response.headers["Location"] == f"/scans/{scan_id}/edit"


# The stage card on the home screen, one row per stage ----------------------------

STAGE_TABLE = [
    # (stage, scan fields, now, what the card must say)
    ("no-date", {}, uk(2026, 11, 10, 12),
     ["Waiting for your scan date", "When your letter comes, add the date and time here.",
      "Add the date"]),
    ("before", {}, uk(2026, 11, 11, 12),
     ["Before your scan", "7 days to go", "Wednesday 18 November at 10:00am",
      "Add to my calendar"]),
    ("prepare", {"fasting_hours": 6}, uk(2026, 11, 18, 5),
     ["Time to stop eating", "No food from 4:00am until your scan.", "for example if you have"
      " diabetes, tell the scan team", "Keep taking your medicines"]),
    ("scan-day", {}, uk(2026, 11, 18, 8),
     ["Today is your scan", "Today at 10:00am"]),
    ("afterwards", {}, uk(2026, 11, 18, 14),
     ["Your scan is done", "Scan done today",
      "The usual time is 1 to 2 weeks: between Wednesday 25 November and Wednesday 2 December."]),
    ("waiting", {}, uk(2026, 11, 22, 12),
     ["Waiting for your results", "Waiting day 4", "Add a reminder to ask on Thursday 3 December"]),
    ("results-due", {"results_expected_days": 10}, uk(2026, 11, 28, 12),
     ["Your results may come soon", "Waiting day 10",
      "You were told your results would take about 10 days. That is Saturday 28 November."]),
    ("overdue", {"arranged_by_name": "Dr Shah", "arranged_by_phone": "020 7946 0123"},
     uk(2026, 12, 4, 12),
     ["Time to ask about your results", "Waiting day 16", "Nobody told you how long your"
      " results would take. They usually come within 1 to 2 weeks, and that usual time ended on"
      " Wednesday 2 December.", 'href="tel:+442079460123">Call Dr Shah']),
    ("results-received", {"results_received_on": "2026-11-26", "nurse_name": "Jo",
                          "nurse_phone": "0161 496 0000"}, uk(2026, 11, 27, 12),
     ["You have your results", "Your results came on Thursday 26 November.",
      "Write down questions for what comes next", 'href="tel:+441614960000"']),
]


@pytest.mark.parametrize(("stage", "fields", "now", "says"), STAGE_TABLE,
                         ids=[row[0] for row in STAGE_TABLE])
def test_home_stage_card(client, signed_in, db, patient, clock, stage, fields, now, says, add_scan):
    clock(now)
    appointment = {} if stage == "no-date" else {"appointment_at": APPT}
    add_scan(patient.id, **appointment, **fields)
    html = client.get("/home").get_data(as_text=True)
    assert f'class="card stage stage-{stage}"' in html
    for text in says:
        assert text in html, text


def test_stage_table_covers_every_stage():
    from journal.scans.stages import STAGES

    assert {row[0] for row in STAGE_TABLE} == set(STAGES)


def test_overdue_without_a_number_points_to_where_to_save_it(client, signed_in, db, patient, clock,
                                                             add_scan):
    clock(uk(2026, 12, 4, 12))
    scan_id = add_scan(patient.id, appointment_at=APPT)
    html = client.get("/home").get_data(as_text=True)
    assert "Contact the person who arranged your scan</p>" in html
    assert f'href="/scans/{scan_id}/edit">Save their number' in html
    assert "Call " not in html.split('id="stage"')[1].split("</section>")[0]


def test_overdue_results_ask_at_once_whether_they_came(client, signed_in, patient, clock,
                                                      add_scan):
    """Hazard H24: results that came but were never marked would keep chase prompts and the
    nurses' overdue flag going, so an overdue card opens the question instead of hiding it."""
    clock(uk(2026, 11, 20, 12))
    add_scan(patient.id, appointment_at=APPT)
    waiting = client.get("/home").get_data(as_text=True)
    assert '<details class="more results-came">' in waiting
    clock(uk(2026, 12, 4, 12))
    overdue = client.get("/home").get_data(as_text=True)
    assert '<details class="more results-came" open>' in overdue
    assert "Save: my results have come" in overdue


def test_home_without_a_scan_invites_one(client, signed_in):
    html = client.get("/home").get_data(as_text=True)
    assert 'href="/scans/new"' in html


def test_ct_pack_says_it_is_general(client, signed_in, db, patient, clock, add_scan):
    clock(uk(2026, 11, 10, 12))
    add_scan(patient.id, kind="ct-scan", appointment_at=APPT)
    html = client.get("/home").get_data(as_text=True)
    assert "Before your CT scan" in html
    assert "This guide is general." in html


def test_stale_form_keeps_what_was_typed(client, signed_in, db, patient):
    response = client.post("/scans", data={
        "csrf_token": "expired", "kind": "ct-scan", "hospital": "City Hospital",
        "nurse_name": "Jo"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This page was open for a long time, so it was not saved yet." in html
    assert 'value="City Hospital"' in html
    assert 'value="ct-scan" checked' in html
    assert scan_rows(db, patient.id) == []


def test_stale_form_for_another_patients_scan_shows_nothing_of_it(client, signed_in,
                                                                  add_scan, make_account):
    other = make_account("someone@example.com")
    scan_id = add_scan(other.id, hospital="Their hospital")
    response = client.post(f"/scans/{scan_id}", data={"csrf_token": "expired", "kind": "ct-scan"})
    assert response.status_code == 400
    assert "Their hospital" not in response.get_data(as_text=True)


# Every wait stays visible: a second scan never hides the first one's results.


def two_scans(add_scan, patient, clock):
    clock(uk(2026, 12, 20, 12))
    first = add_scan(patient.id, appointment_at=APPT, results_expected_days=10,
                     hospital="City Hospital", arranged_by_name="Dr Shah",
                     arranged_by_phone="020 7946 0123", nurse_name="Jo",
                     nurse_phone="0161 496 0000")
    second = add_scan(patient.id, kind="ct-scan", appointment_at=uk(2027, 1, 12, 9))
    return first, second


def test_home_shows_every_scan_still_waiting_overdue_first(client, signed_in, patient, clock,
                                                           add_scan):
    first, second = two_scans(add_scan, patient, clock)
    html = client.get("/home").get_data(as_text=True)
    # The first scan's overdue results keep their own card, above the new scan's.
    assert f'id="stage-{first}"' in html and 'id="stage"' in html
    assert html.index(f'id="stage-{first}"') < html.index('id="stage"')
    first_card = html.split(f'id="stage-{first}"')[1].split("</section>")[0]
    assert "You expected your results by" in first_card
    assert f'action="/scans/{first}/results"' in first_card
    current = html.split('id="stage"')[1].split("</section>")[0]
    assert "days to go" in current


def test_marking_results_received_ends_that_wait_only(client, signed_in, db, patient, clock,
                                                      add_scan):
    first, second = two_scans(add_scan, patient, clock)
    third = add_scan(patient.id, appointment_at=uk(2026, 12, 1, 9))  # waiting too
    db.execute("UPDATE scans SET created_at = '2026-12-02T00:00:00.000000Z' WHERE id = ?",
               [third])
    response = client.post(f"/scans/{first}/results", data={
        "csrf_token": signed_in, "results_received_on": "2026-12-19", "back": "home"})
    assert response.status_code == 303
    html = client.get("/home").get_data(as_text=True)
    assert f'id="stage-{first}"' not in html
    assert f'id="stage-{third}"' in html and 'id="stage"' in html
    assert [r["results_received_on"] for r in scan_rows(db, patient.id)] == [
        "2026-12-19", None, None]


def test_my_scan_keeps_earlier_scans_waiting_with_their_stage(client, signed_in, patient,
                                                               clock, add_scan):
    first, _ = two_scans(add_scan, patient, clock)
    html = client.get("/scans").get_data(as_text=True)
    assert "Earlier scans still waiting for results" in html
    card = html.split(f'id="stage-{first}"')[1].split("</section>")[0]
    assert "You expected your results by" in card
    assert "Have your results come?" in card


def test_a_new_scan_starts_from_the_last_ones_hospital_and_contacts(client, signed_in,
                                                                     patient, clock, add_scan):
    two_scans(add_scan, patient, clock)
    add_scan(patient.id, hospital="Royal Infirmary", arranged_by_name="Dr Okafor",
             arranged_by_phone="0113 496 0000", nurse_name="Sam", nurse_phone="0113 496 0001",
             letter_notes="Bring your letter")
    form = client.get("/scans/new").get_data(as_text=True)
    for value in ("Royal Infirmary", "Dr Okafor", "0113 496 0000", "Sam", "0113 496 0001"):
        assert f'value="{value}"' in form
    # Only the hospital and the people carry over; the letter is new each time.
    assert "Bring your letter" not in form
    assert "from your last scan" in form


def test_a_first_scan_starts_empty(client, signed_in):
    form = client.get("/scans/new").get_data(as_text=True)
    assert 'id="hospital" name="hospital" maxlength="200" autocomplete="off" value=""' in form
    assert "from your last scan" not in form
