"""The scan form's rules, its round trip, calendar events and questions: no Flask."""

from datetime import UTC, date, datetime, time
from types import SimpleNamespace

import pytest
from werkzeug.datastructures import MultiDict

from journal.guidance import loading
from journal.guidance.packs import load_packs
from journal.platform.clock import uk_local_to_utc, utc_iso
from journal.scans import questions, validation
from journal.scans import records as scans

KINDS = {"liver-ultrasound", "ct-scan"}
TODAY = date(2026, 11, 25)


def check(**fields):
    return validation.check_scan(MultiDict({"kind": "liver-ultrasound", **fields}), KINDS, TODAY)


def test_a_full_form_is_stored_in_utc_with_told_weeks_as_days():
    values, fields, errors = check(
        appointment_date="2026-12-01", appointment_time="09:30", hospital=" City Hospital ",
        fasting_hours="6", letter_notes="Bring a list\r\nof medicines", arranged_by_name="Dr Shah",
        arranged_by_phone="020  7946 0123", nurse_name="Jo", nurse_phone="0161 496 0000",
        results_told="2", results_told_unit="weeks",
    )
    assert errors == {}
    assert fields == {
        "kind": "liver-ultrasound",
        "appointment_at": "2026-12-01T09:30:00.000000Z",  # GMT in December
        "hospital": "City Hospital",
        "fasting_hours": 6,
        "letter_notes": "Bring a list\nof medicines",
        "arranged_by_name": "Dr Shah",
        "arranged_by_phone": "020 7946 0123",
        "nurse_name": "Jo",
        "nurse_phone": "0161 496 0000",
        "results_expected_days": 14,
        "results_received_on": None,
    }


def test_summer_time_is_converted():
    _, fields, _ = check(appointment_date="2026-06-10", appointment_time="09:30")
    assert fields["appointment_at"] == "2026-06-10T08:30:00.000000Z"


def test_only_the_kind_is_needed_and_nothing_is_assumed():
    _, fields, errors = check()
    assert errors == {}
    assert fields["appointment_at"] is None
    assert fields["fasting_hours"] is None
    assert fields["results_expected_days"] is None


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"kind": ""}, "kind", "Choose the type of scan."),
        ({"kind": "mri"}, "kind", "Choose the type of scan."),
        ({"appointment_date": "2026-12-01"}, "appointment_time", "Enter the time on your letter"),
        ({"appointment_time": "10:00"}, "appointment_date", "Enter the date of your appointment"),
        ({"appointment_date": "31/02/2026", "appointment_time": "10:00"}, "appointment_date",
         "Enter the date like"),
        ({"appointment_date": "2030-01-01", "appointment_time": "10:00"}, "appointment_date",
         "Check the year"),
        ({"appointment_date": "2026-12-01", "appointment_time": "25:00"}, "appointment_time",
         "Enter the time like"),
        ({"appointment_date": "2026-12-01", "appointment_time": "9"}, "appointment_time",
         "Enter the time like"),
        ({"fasting_hours": "0"}, "fasting_hours", "from 1 to 48"),
        ({"fasting_hours": "six"}, "fasting_hours", "from 1 to 48"),
        ({"fasting_hours": "49"}, "fasting_hours", "from 1 to 48"),
        ({"results_told": "18", "results_told_unit": "weeks"}, "results_told", "up to 17"),
        ({"results_told": "0"}, "results_told", "up to 120"),
        ({"results_received_on": "2026-11-26"}, "results_received_on", "in the future"),
        ({"results_received_on": "soon"}, "results_received_on", "Enter the date like"),
        ({"arranged_by_phone": "ask at desk"}, "arranged_by_phone", "Enter a phone number"),
        ({"nurse_phone": "12"}, "nurse_phone", "Enter a phone number"),
        ({"hospital": "x" * 201}, "hospital", "at most 200"),
        ({"letter_notes": "x" * 2001}, "letter_notes", "at most 2,000"),
    ],
)
def test_invalid_answers_are_explained_and_kept(fields, field, message):
    values, stored, errors = check(**fields)
    assert message in errors[field]
    assert stored == {}
    for name, typed in fields.items():
        if name != "results_told_unit":
            assert values[name] == typed.strip()


def test_uk_typed_date_and_12_hour_time_are_understood():
    _, fields, errors = check(appointment_date="1/12/2026", appointment_time="2:15pm")
    assert errors == {}
    assert fields["appointment_at"] == utc_iso(uk_local_to_utc(date(2026, 12, 1), time(14, 15)))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("09:30", time(9, 30)), ("9.30", time(9, 30)), ("12am", time(0)), ("12:05pm", time(12, 5)),
     ("9am", time(9)), ("10:30 a.m.", time(10, 30)), ("13pm", None), ("24:00", None), ("", None)],
)
def test_parse_clock(typed, expected):
    assert validation.parse_clock(typed) == expected


def test_unknown_unit_falls_back_to_days():
    values, fields, _ = check(results_told="10", results_told_unit="fortnights")
    assert values["results_told_unit"] == "days"
    assert fields["results_expected_days"] == 10


def row_from(fields, **extra):
    return {"id": 7, **fields, **extra}


@pytest.mark.parametrize(
    ("days", "told", "unit"), [(14, "2", "weeks"), (10, "10", "days"), (None, "", "days")]
)
def test_form_values_round_trip(days, told, unit):
    _, fields, _ = check(appointment_date="2026-07-01", appointment_time="08:05",
                         fasting_hours="4")
    fields["results_expected_days"] = days
    values = validation.form_values(row_from(fields))
    assert values["appointment_date"] == "2026-07-01"
    assert values["appointment_time"] == "08:05"  # back in BST, as typed
    assert values["fasting_hours"] == "4"
    assert (values["results_told"], values["results_told_unit"]) == (told, unit)
    _, again, errors = validation.check_scan(MultiDict(values), KINDS, TODAY)
    assert errors == {}
    assert again["appointment_at"] == fields["appointment_at"]
    assert again["results_expected_days"] == days


@pytest.mark.parametrize(
    ("typed", "day", "error"),
    [("2026-11-25", date(2026, 11, 25), None), ("20/11/2026", date(2026, 11, 20), None),
     ("2026-11-26", None, "in the future"), ("", None, "Enter the date"),
     ("2001-01-01", None, "Check the year")],
)
def test_check_results_day(typed, day, error):
    got, message = validation.check_results_day(typed, TODAY)
    assert got == day
    assert (message is None) if error is None else (error in message)


PACKS = load_packs()


def journey(now, **fields):
    row = {
        "id": 3, "kind": "liver-ultrasound", "hospital": "City Hospital", "fasting_hours": None,
        "letter_notes": "", "arranged_by_name": "", "arranged_by_phone": "", "nurse_name": "",
        "nurse_phone": "", "results_expected_days": None, "results_received_on": None,
        "appointment_at": utc_iso(uk_local_to_utc(date(2026, 11, 18), time(10))), **fields,
    }
    return scans.journey_for(row, PACKS, "liver-ultrasound", now)


@pytest.mark.parametrize(
    ("now", "stage"),
    [
        pytest.param(uk_local_to_utc(date(2026, 11, 18), time(8)), "scan-day", id="morning"),
        # The scan was at 10am: by the evening the day's question is about afterwards.
        pytest.param(uk_local_to_utc(date(2026, 11, 18), time(22)), "afterwards", id="evening"),
        pytest.param(uk_local_to_utc(date(2026, 11, 19), time(0, 1)), "waiting", id="next-day"),
    ],
)
def test_the_days_prompt_follows_the_stage_of_the_moment(monkeypatch, now, stage):
    monkeypatch.setattr(loading, "now", lambda: now)
    user = SimpleNamespace(id=7)
    prompt = loading.todays_prompt(journey(now), user)
    assert prompt in PACKS["liver-ultrasound"].stages[stage].prompts


def test_unknown_kind_falls_back_to_the_default_pack():
    j = journey(datetime(2026, 11, 1, tzinfo=UTC), kind="retired-pack")
    assert j.pack.kind == "liver-ultrasound"
    assert j.stage == "before"


def test_appointment_event_mentions_fasting_only_when_the_letter_asks():
    early = datetime(2026, 11, 1, tzinfo=UTC)
    plain = scans.appointment_event(journey(early).row, "Liver ultrasound")
    assert "eat" not in plain.description
    assert len(plain.alarms) == 1
    fasting = scans.appointment_event(
        journey(datetime(2026, 11, 1, tzinfo=UTC), fasting_hours=6).row, "Liver ultrasound"
    )
    assert "not to eat for 6 hours" in fasting.description
    assert [a.offset.total_seconds() / 3600 for a in fasting.alarms] == [-24, -6]
    assert fasting.location == "City Hospital"


def test_what_a_locked_phone_shows_names_no_scan_kind_and_no_results():
    """Titles and alarms appear on a locked screen (hazard H22): they say "scan" at most."""
    row = journey(datetime(2026, 11, 1, tzinfo=UTC), fasting_hours=6).row
    events = [scans.appointment_event(row, "Liver ultrasound"),
              scans.chase_event(row, date(2026, 12, 3))]
    shown = [e.summary for e in events] + [a.description for e in events for a in e.alarms]
    assert len(shown) == 5
    for text in shown:
        assert not {"liver", "ultrasound", "results", "cancer"} & set(
            text.lower().replace(".", " ").split()), text
    assert "Liver ultrasound." in events[0].description


def test_chase_event_names_who_to_call():
    row = journey(datetime(2026, 11, 1, tzinfo=UTC), arranged_by_name="Dr Shah",
                  arranged_by_phone="020 7946 0123").row
    event = scans.chase_event(row, date(2026, 12, 3))
    assert event.start == date(2026, 12, 3)
    assert "Contact Dr Shah on 020 7946 0123." in event.description


# Questions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "text", "error"),
    [("  How   long? ", "How long?", None), ("", "", "Write your question first."),
     ("x" * 501, "x" * 501, "Use at most 500 characters. This has 501.")],
)
def test_check_question(typed, text, error):
    assert questions.check_question(typed) == (text, error)


def test_suggestions_leave_out_questions_already_listed():
    pack = PACKS["liver-ultrasound"]
    first = pack.questions[0].text
    left = questions.suggestions(pack, [first.upper(), "My own question"])
    assert [q.text for q in left] == [q.text for q in pack.questions[1:]]


def test_is_suggestion():
    assert questions.is_suggestion(PACKS, PACKS["ct-scan"].questions[-1].text)
    assert not questions.is_suggestion(PACKS, "Can I bring my dog?")
