"""The people a patient shares with and the links she sends them: the queries that own them."""

import hmac
import sqlite3
from dataclasses import dataclass
from datetime import datetime

from werkzeug.exceptions import NotFound

from ..platform import audit
from ..platform.clock import parse_utc, utc_iso, utc_now
from ..platform.db import immediate
from . import codes

# A fresh code that matches one already stored is drawn again; more than a few in a row
# would mean something else is wrong.
CODE_DRAWS = 5


@dataclass(frozen=True)
class Person:
    id: int
    patient_id: int
    first_name: str
    relation: str
    shared_by: str
    show_scan: bool
    show_trend: bool
    show_checkins: bool
    show_questions: bool

    @classmethod
    def from_row(cls, row):
        return cls(id=row["id"], patient_id=row["patient_id"], first_name=row["first_name"],
                   relation=row["relation"], shared_by=row["shared_by"],
                   **{key: bool(row[key]) for key in codes.CHOICES})

    @property
    def choices(self):
        return {key: getattr(self, key) for key in codes.CHOICES}


@dataclass(frozen=True)
class Link:
    id: int
    person_id: int
    patient_id: int
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    opened_at: datetime | None = None

    @classmethod
    def from_row(cls, row, opened_at=None):
        return cls(id=row["id"], person_id=row["person_id"], patient_id=row["patient_id"],
                   created_at=parse_utc(row["created_at"]),
                   expires_at=parse_utc(row["expires_at"]),
                   ended_at=parse_utc(row["ended_at"]) if row["ended_at"] else None,
                   opened_at=opened_at)

    def state(self, now=None):
        return codes.link_state(self.expires_at, self.ended_at, now or utc_now())


@dataclass(frozen=True)
class LinkHolder:
    """Whoever holds a link, for the audit: no account, so no id."""

    id: None = None
    role: str = "person"


HOLDER = LinkHolder()


@dataclass(frozen=True)
class NewLink:
    """A link just made: the only moment its token and code exist outside the person's hands."""

    id: int
    token: str
    code: str


def people_for(db, patient_id):
    """The patient's people, in the order she added them."""
    rows = db.query("SELECT * FROM people WHERE patient_id = ? ORDER BY id", [patient_id])
    return [Person.from_row(row) for row in rows]


def person_for(db, person_id, user):
    """The user's own person, or 404 whether it is missing or someone else's."""
    rows = list(db.query("SELECT * FROM people WHERE id = ? AND patient_id = ?",
                         [person_id, user.id]))
    if not rows:
        raise NotFound()
    return Person.from_row(rows[0])


def links_for(db, patient_id):
    """Every link the patient made, newest first, grouped by person id, each with when it
    was last opened (from the audit)."""
    rows = list(db.query(
        "SELECT * FROM person_links WHERE patient_id = ? ORDER BY id DESC", [patient_id]))
    opened = audit.last_opened(db, [row["id"] for row in rows])
    grouped = {}
    for row in rows:
        grouped.setdefault(row["person_id"], []).append(Link.from_row(row, opened.get(row["id"])))
    return grouped


def add_person(db, patient, values, secret, now=None):
    """Store a new person with what they may see, and make their first link."""
    now = now or utc_now()
    with immediate(db):
        person_id = db.conn.execute(
            "INSERT INTO people (patient_id, first_name, relation, shared_by, show_scan,"
            " show_trend, show_checkins, show_questions, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [patient.id, values["first_name"], values["relation"], values["shared_by"],
             *(int(values[key]) for key in codes.CHOICES), utc_iso(now)],
        ).lastrowid
        made = _insert_link(db, patient, person_id, secret, now)
    return person_id, made


def new_link(db, patient, person, secret, now=None):
    """Another link for someone already on the list (a new phone, a lost message)."""
    with immediate(db):
        return _insert_link(db, patient, person.id, secret, now or utc_now())


def _insert_link(db, patient, person_id, secret, now):
    token = codes.make_token()
    for _ in range(CODE_DRAWS):
        code = codes.make_short_code()
        try:
            link_id = db.conn.execute(
                "INSERT INTO person_links (person_id, patient_id, token_hash, code_hash,"
                " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                [person_id, patient.id, codes.token_digest(token),
                 codes.code_digest(secret, code), utc_iso(now), utc_iso(now + codes.LIFETIME)],
            ).lastrowid
            break
        except sqlite3.IntegrityError:
            continue
    else:
        raise RuntimeError("could not draw an unused short code")
    audit.record(db, patient, "invite-person", patient_id=patient.id, link_id=link_id, now=now)
    return NewLink(link_id, token, code)


def set_choices(db, patient, person, values, now=None):
    """Change what a person may see; it applies on their next visit."""
    db.execute(
        "UPDATE people SET show_scan = ?, show_trend = ?, show_checkins = ?, show_questions = ?,"
        " updated_at = ? WHERE id = ? AND patient_id = ?",
        [*(int(values[key]) for key in codes.CHOICES), utc_iso(now or utc_now()), person.id,
         patient.id],
    )


def end_link(db, patient, person, link_id, now=None):
    """End one of a person's links at once; False if it was not theirs or already ended."""
    now = now or utc_now()
    with db.atomic():
        cursor = db.execute(
            "UPDATE person_links SET ended_at = ? WHERE id = ? AND person_id = ?"
            " AND patient_id = ? AND ended_at IS NULL",
            [utc_iso(now), link_id, person.id, patient.id],
        )
        if cursor.rowcount:
            audit.record(db, patient, "end-person-link", patient_id=patient.id,
                         link_id=link_id, now=now)
    return cursor.rowcount == 1


def _live(db, column, value, now, secret_of=None):
    """(person, link) when the link found by `column` is live; (None, link) when it ended
    or expired; (None, None) when there is none. `secret_of(row)` must also hold if given."""
    rows = list(db.query(f"SELECT * FROM person_links WHERE {column} = ?", [value]))  # noqa: S608 - a column name from this module
    if not rows or (secret_of is not None and not secret_of(rows[0])):
        return None, None
    link = Link.from_row(rows[0])
    if link.state(now) != "live":
        return None, link
    person = Person.from_row(next(db.query("SELECT * FROM people WHERE id = ?",
                                           [link.person_id])))
    return person, link


def live_by_token(db, token, now=None):
    """(person, link) for a live link's token, else (None, the link or None)."""
    # The index finds the row; the comparison that lets anyone in then takes the same
    # time however much of the stored digest matches.
    return _live(db, "token_hash", codes.token_digest(token), now or utc_now(),
                 lambda row: codes.same_digest(row["token_hash"], token))


def live_by_code(db, secret, code, now=None):
    """(person, link) for a live link's short code, else (None, the link or None)."""
    digest = codes.code_digest(secret, code)
    if digest is None:
        return None, None
    return _live(db, "code_hash", digest, now or utc_now(),
                 lambda row: hmac.compare_digest(row["code_hash"], digest))


def live_by_id(db, link_id, now=None):
    """(person, link) for a live link kept in the holder's session, else (None, ...)."""
    return _live(db, "id", link_id, now or utc_now())


def record_open(db, person, link, now=None):
    """Write the read to the audit: what the patient sees as "opened today at 6:10pm"."""
    audit.record(db, HOLDER, "open-person-link", patient_id=person.patient_id,
                 link_id=link.id, now=now)
