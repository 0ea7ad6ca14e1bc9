"""Scans: the rows a patient enters, and their link to the pure stage logic."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from werkzeug.exceptions import NotFound

from ..help.phones import tel_href
from ..platform.clock import parse_utc, to_uk, utc_iso, utc_now
from . import calendar, expectations
from .stages import DEFAULT_DUE, Scan, StageInfo, stage_for

# Stages where the results are still to come, so "my results have come" makes sense.
AWAITING_RESULTS = frozenset({"afterwards", "waiting", "results-due", "overdue"})


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


# What a new scan starts from: usually the same hospital and the same people.
CARRIED_OVER = ("hospital", "arranged_by_name", "arranged_by_phone", "nurse_name", "nurse_phone")


def starting_values(db, patient_id):
    """The last scan's hospital and contacts, for the new-scan form to start from."""
    last = current_scan(db, patient_id)
    return {name: last[name] for name in CARRIED_OVER if last and last[name]}


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
    def expectation(self):
        """What she was told about results, else the pack's sourced usual time, if any."""
        return expectations.Expectation(self.row["results_expected_days"],
                                        self.pack.usual_results_days)

    @property
    def body(self):
        """The stage's guidance, with any time she was told in place of the usual one."""
        return expectations.body_for(self.text.body, self.expectation)

    @property
    def results_fact(self):
        return expectations.results_fact(self.stage, self.expectation, self.info.due_from,
                                         self.info.due_by)

    @property
    def expected_words(self):
        return expectations.expected_words(self.expectation)

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
    def fast_is_today(self):
        fast = self.info.fast_from_utc
        return fast is not None and to_uk(fast).date() == self.today


def waits_first(journeys, current_id=None):
    """The scans to show: every one still waiting for results and the current one, each
    with its own stage; overdue first, then the current scan, then the longest waits."""
    shown = [j for j in journeys if j.awaiting_results or j.row["id"] == current_id]
    return sorted(shown, key=lambda j: (j.stage != "overdue", j.row["id"] != current_id,
                                        j.info.due_by or date.max))


def journey_for(row, packs, default_kind, now_utc):
    """The Journey for a scan row; a kind with no pack left falls back to the default."""
    pack = packs.get(row["kind"]) or packs[default_kind]
    info = stage_of(row, now_utc, pack.default_results_days)
    return Journey(row=row, pack=pack, info=info, today=to_uk(now_utc).date())


# Calendar files -----------------------------------------------------------


def appointment_event(row, pack_name):
    """The appointment as a calendar event, with a reminder the day before
    and, only where the letter asks, one when it is time to stop eating.

    The title and alarms show on a locked phone, so they name no scan or body part (hazard
    H22); the kind of scan is in the details, seen only when the event is opened."""
    start = parse_utc(row["appointment_at"])
    alarms = [calendar.Alarm(-timedelta(days=1), "Your scan appointment is tomorrow.")]
    lines = [f"{pack_name}.", "Take your appointment letter with you."]
    if row["fasting_hours"]:
        hours = row["fasting_hours"]
        alarms.append(calendar.Alarm(-timedelta(hours=hours),
                                "Time to stop eating, as your letter asks."))
        lines.append(f"Your letter asks you not to eat for {hours} hours before the scan.")
    if row["letter_notes"]:
        lines.append(f"Your notes from the letter: {row['letter_notes']}")
    return calendar.Event(
        uid=f"scan-{row['id']}-appointment@waiting-well",
        summary="Scan appointment",
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
        summary="A phone call about your scan",
        start=chase_on,
        description="\n".join(lines),
        alarms=(calendar.Alarm(timedelta(hours=9), "A phone call to make today about your scan."),),
    )
