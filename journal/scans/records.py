"""Scans: the rows a patient enters, and their link to the pure stage logic."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from werkzeug.exceptions import NotFound

from ..help.phones import check_phone, tel_href, tidy_phone
from ..platform.clock import parse_utc, to_uk, uk_local_to_utc, utc_iso, utc_now
from . import calendar
from .stages import DEFAULT_DUE, Scan, StageInfo, stage_for

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
# Stages where the results are still to come, so "my results have come" makes sense.
AWAITING_RESULTS = frozenset({"afterwards", "waiting", "results-due", "overdue"})
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


def _whole_number(text, low, high):
    if not re.fullmatch(r"\d{1,4}", text):
        return None
    number = int(text)
    return number if low <= number <= high else None


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


# Queries ----------------------------------------------------------------


def current_scan(db, patient_id):
    """The patient's current scan row (the one added last), or None."""
    rows = db.query(
        "SELECT * FROM scans WHERE patient_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
        [patient_id],
    )
    return next(rows, None)


def scans_for(db, patient_id):
    """All the patient's scans, the current one first."""
    return list(
        db.query(
            "SELECT * FROM scans WHERE patient_id = ? ORDER BY created_at DESC, id DESC",
            [patient_id],
        )
    )


def scan_for(db, scan_id, user):
    """The user's own scan row, or 404 whether it is missing or someone else's."""
    row = next(
        db.query("SELECT * FROM scans WHERE id = ? AND patient_id = ?", [scan_id, user.id]), None
    )
    if row is None:
        raise NotFound()
    return row


def own_contacts(db, patient_id):
    """The specialist nurse (the latest saved on any scan) and who arranged the current scan."""
    current = current_scan(db, patient_id)
    if current is None:
        return []
    nurse = current
    if not (current["nurse_name"] or current["nurse_phone"]):
        nurse = next(
            db.query(
                "SELECT nurse_name, nurse_phone FROM scans WHERE patient_id = ?"
                " AND (nurse_name != '' OR nurse_phone != '')"
                " ORDER BY created_at DESC, id DESC LIMIT 1",
                [patient_id],
            ),
            None,
        )
    contacts = []
    if nurse:
        contacts.append(Contact("Your specialist nurse", nurse["nurse_name"],
                                nurse["nurse_phone"]))
    if current["arranged_by_name"] or current["arranged_by_phone"]:
        contacts.append(Contact("The person who arranged your scan",
                                current["arranged_by_name"], current["arranged_by_phone"]))
    return contacts


def create(db, patient_id, fields, now=None):
    """Store a new scan; it becomes the current one."""
    stamp = utc_iso(now or utc_now())
    return db["scans"].insert(
        {**fields, "patient_id": patient_id, "created_at": stamp}, pk="id"
    ).last_pk


def update(db, scan_id, fields, now=None):
    """Save changes to a scan."""
    db["scans"].update(scan_id, {**fields, "updated_at": utc_iso(now or utc_now())})


def set_results_received(db, scan_id, day: date, now=None):
    """Record the day the results came."""
    update(db, scan_id, {"results_received_on": day.isoformat()}, now)


def delete(db, scan_id):
    """Remove a scan for good."""
    db.execute("DELETE FROM scans WHERE id = ?", [scan_id])


# The pure view of a scan ---------------------------------------------------


@dataclass(frozen=True)
class Contact:
    """Someone the patient can call, as they saved them."""

    role: str
    name: str
    number: str

    @property
    def href(self):
        return tel_href(self.number) if self.number else None


def as_scan(row):
    """The pure-logic view of a scan row."""
    return Scan(
        kind=row["kind"],
        appointment_utc=parse_utc(row["appointment_at"]) if row["appointment_at"] else None,
        fasting_hours=row["fasting_hours"],
        results_expected_days=row["results_expected_days"],
        results_received_on=(
            date.fromisoformat(row["results_received_on"]) if row["results_received_on"] else None
        ),
    )


def stage_of(row, now_utc, default_due=DEFAULT_DUE):
    """The StageInfo for a scan row at the given moment."""
    return stage_for(as_scan(row), now_utc, default_due=default_due)


@dataclass(frozen=True)
class Journey:
    """A scan with its content pack and where the patient is now: what a card shows."""

    row: dict
    pack: object
    info: StageInfo
    today: date

    @property
    def stage(self):
        return self.info.stage

    @property
    def text(self):
        return self.pack.stages.get(self.stage) or self.pack.stages["before"]

    @property
    def appointment(self) -> datetime | None:
        at = self.row["appointment_at"]
        return parse_utc(at) if at else None

    @property
    def received_on(self) -> date | None:
        day = self.row["results_received_on"]
        return date.fromisoformat(day) if day else None

    @property
    def arranged_by(self):
        return Contact("The person who arranged your scan", self.row["arranged_by_name"],
                       self.row["arranged_by_phone"])

    @property
    def nurse(self):
        return Contact("Your specialist nurse", self.row["nurse_name"], self.row["nurse_phone"])

    @property
    def awaiting_results(self):
        return self.stage in AWAITING_RESULTS

    @property
    def day_stage(self):
        """The stage at the start of today, so the day's journal prompt stays all day."""
        start = uk_local_to_utc(self.today, time(0))
        return stage_of(self.row, start, self.pack.default_results_days).stage

    @property
    def fast_is_today(self):
        fast = self.info.fast_from_utc
        return fast is not None and to_uk(fast).date() == self.today


def journey_for(row, packs, default_kind, now_utc):
    """The Journey for a scan row; a kind with no pack left falls back to the default."""
    pack = packs.get(row["kind"]) or packs[default_kind]
    info = stage_of(row, now_utc, pack.default_results_days)
    return Journey(row=row, pack=pack, info=info, today=to_uk(now_utc).date())


# Calendar files -----------------------------------------------------------


def appointment_event(row, pack_name):
    """The appointment as a calendar event, with a reminder the day before
    and, only where the letter asks, one when it is time to stop eating."""
    start = parse_utc(row["appointment_at"])
    alarms = [calendar.Alarm(-timedelta(days=1), f"Your {pack_name.lower()} is tomorrow.")]
    lines = ["Take your appointment letter with you."]
    if row["fasting_hours"]:
        hours = row["fasting_hours"]
        alarms.append(calendar.Alarm(-timedelta(hours=hours),
                                "Time to stop eating, as your letter asks."))
        lines.append(f"Your letter asks you not to eat for {hours} hours before the scan.")
    if row["letter_notes"]:
        lines.append(f"Your notes from the letter: {row['letter_notes']}")
    return calendar.Event(
        uid=f"scan-{row['id']}-appointment@waiting-well",
        summary=pack_name,
        start=start,
        duration=timedelta(hours=1),
        description="\n".join(lines),
        location=row["hospital"],
        alarms=tuple(alarms),
    )


def chase_event(row, chase_on: date):
    """The day to ask about results if none have come, as an all-day event."""
    who = row["arranged_by_name"] or "the person who arranged your scan"
    lines = [
        "If your results have not come yet, it is fine to ask.",
        f"Contact {who}" + (f" on {row['arranged_by_phone']}." if row["arranged_by_phone"]
                            else "."),
    ]
    if row["nurse_name"] or row["nurse_phone"]:
        nurse = row["nurse_name"] or "your specialist nurse"
        lines.append(f"You can also contact {nurse}"
                     + (f" on {row['nurse_phone']}." if row["nurse_phone"] else "."))
    lines.append("If your results have already come, you can ignore this.")
    return calendar.Event(
        uid=f"scan-{row['id']}-chase@waiting-well",
        summary="Ask about your scan results",
        start=chase_on,
        description="\n".join(lines),
        alarms=(calendar.Alarm(timedelta(hours=9), "Have your scan results come? If not, ask."),),
    )
