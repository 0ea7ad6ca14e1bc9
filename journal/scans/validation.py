"""What a scan may hold, and the checks of the scan forms (pure: no Flask, no database)."""

import re
from datetime import date, time, timedelta

from ..help.phones import check_phone, tidy_phone
from ..platform.clock import parse_utc, to_uk, uk_local_to_utc, utc_iso

MAX_NAME = 100


MAX_HOSPITAL = 200


MAX_LETTER = 2000


MAX_FASTING = 48


MAX_RESULTS_DAYS = 120


FUTURE_LIMIT = timedelta(days=2 * 366)


PAST_LIMIT = timedelta(days=10 * 366)


UNITS = {"days": 1, "weeks": 7}


TEXT_FIELDS = {
    "hospital": MAX_HOSPITAL,
    "letter_notes": MAX_LETTER,
    "arranged_by_name": MAX_NAME,
    "nurse_name": MAX_NAME,
}


FORM_FIELDS = (
    "kind", "appointment_date", "appointment_time", "hospital", "fasting_hours", "letter_notes",
    "arranged_by_name", "arranged_by_phone", "nurse_name", "nurse_phone", "results_told",
    "results_told_unit", "results_received_on",
)


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?", re.IGNORECASE)


def parse_day(text: str) -> date | None:
    """A date from a date picker (2026-11-25) or typed the UK way (25/11/2026)."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    match = _DMY.fullmatch(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def parse_clock(text: str) -> time | None:
    """A time from a time picker (14:30) or typed (2:30pm, 9am, 9.15)."""
    match = _CLOCK.fullmatch(text.strip())
    if not match:
        return None
    hour, minute = int(match[1]), int(match[2] or 0)
    half = (match[3] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif match[2] is None:
        return None  # a bare "9" could be morning or evening
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def check_scan(form, kinds, today: date):
    """Validate the scan form against the known kinds of scan and UK today.

    Returns (values as typed, to show again; fields to store; errors by field).
    """
    values = {name: (form.get(name) or "").strip() for name in FORM_FIELDS}
    values["letter_notes"] = values["letter_notes"].replace("\r\n", "\n")
    values["results_told_unit"] = values["results_told_unit"] or "days"
    errors, fields = {}, {}

    if values["kind"] not in kinds:
        errors["kind"] = "Choose the type of scan."
    fields["kind"] = values["kind"]

    fields["appointment_at"] = None
    day = parse_day(values["appointment_date"]) if values["appointment_date"] else None
    at = parse_clock(values["appointment_time"]) if values["appointment_time"] else None
    if values["appointment_date"] and day is None:
        errors["appointment_date"] = "Enter the date like 25/11/2026."
    elif day and not today - PAST_LIMIT <= day <= today + FUTURE_LIMIT:
        errors["appointment_date"] = "Check the year. The date should be within the next 2 years."
    if values["appointment_time"] and at is None:
        errors["appointment_time"] = "Enter the time like 10:30, or 2:15pm."
    elif values["appointment_date"] and not values["appointment_time"]:
        errors["appointment_time"] = "Enter the time on your letter, like 10:30."
    elif values["appointment_time"] and not values["appointment_date"]:
        errors["appointment_date"] = "Enter the date of your appointment too."
    if day and at and "appointment_date" not in errors:
        fields["appointment_at"] = utc_iso(uk_local_to_utc(day, at))

    for name, limit in TEXT_FIELDS.items():
        if len(values[name]) > limit:
            errors[name] = f"Use at most {limit:,} characters. This has {len(values[name]):,}."
        fields[name] = values[name]

    for name in ("arranged_by_phone", "nurse_phone"):
        if message := check_phone(values[name]):
            errors[name] = message
        fields[name] = tidy_phone(values[name])

    fields["fasting_hours"] = None
    if values["fasting_hours"]:
        hours = _whole_number(values["fasting_hours"], 1, MAX_FASTING)
        if hours is None:
            errors["fasting_hours"] = (
                f"Enter the hours from your letter, from 1 to {MAX_FASTING}. "
                "Leave it empty if your letter does not ask you to stop eating."
            )
        fields["fasting_hours"] = hours

    fields["results_expected_days"] = None
    if values["results_told_unit"] not in UNITS:
        values["results_told_unit"] = "days"
    if values["results_told"]:
        step = UNITS[values["results_told_unit"]]
        number = _whole_number(values["results_told"], 1, MAX_RESULTS_DAYS // step)
        if number is None:
            errors["results_told"] = (
                f"Enter a number of {values['results_told_unit']}, up to "
                f"{MAX_RESULTS_DAYS // step}. Leave it empty if nobody told you."
            )
        else:
            fields["results_expected_days"] = number * step

    fields["results_received_on"] = None
    if values["results_received_on"]:
        received = parse_day(values["results_received_on"])
        if received is None:
            errors["results_received_on"] = "Enter the date like 25/11/2026."
        elif received > today:
            errors["results_received_on"] = "This date is in the future. Enter the day they came."
        elif received < today - PAST_LIMIT:
            errors["results_received_on"] = "Check the year of this date."
        else:
            fields["results_received_on"] = received.isoformat()
    return values, ({} if errors else fields), errors


def check_results_day(text: str, today: date):
    """Validate the 'my results have come' date; returns (date or None, error or None)."""
    received = parse_day(text or "")
    if received is None:
        return None, "Enter the date like 25/11/2026."
    if received > today:
        return None, "This date is in the future. Enter the day they came."
    if received < today - PAST_LIMIT:
        return None, "Check the year of this date."
    return received, None


def form_values(row) -> dict:
    """A stored scan as the form shows it: UK date and time, days or weeks."""
    values = {name: row.get(name) or "" for name in FORM_FIELDS}
    if row["appointment_at"]:
        local = to_uk(parse_utc(row["appointment_at"]))
        values["appointment_date"] = local.date().isoformat()
        values["appointment_time"] = f"{local:%H:%M}"
    values["fasting_hours"] = str(row["fasting_hours"] or "")
    days = row["results_expected_days"]
    values["results_told"], values["results_told_unit"] = "", "days"
    if days:
        weeks, rest = divmod(days, 7)
        values["results_told"], values["results_told_unit"] = (
            (str(weeks), "weeks") if not rest else (str(days), "days")
        )
    return values


def _whole_number(text, low, high):
    if not re.fullmatch(r"\d{1,4}", text):
        return None
    number = int(text)
    return number if low <= number <= high else None
