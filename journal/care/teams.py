"""Care teams, their nurses, and the links that connect a patient to a team."""

import json
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime

from werkzeug.exceptions import NotFound

from ..platform import audit
from ..platform.clock import parse_utc, utc_iso, utc_now
from ..platform.db import immediate
from ..platform.text import has_hidden
from . import joincodes, pending

DEFAULT_HOURS = "Monday to Friday, 9am to 5pm"
MAX_TEAM_NAME = 80
MAX_HOURS = 120


@dataclass(frozen=True)
class Team:
    id: int
    name: str
    working_hours: str
    feed_version: int

    @classmethod
    def from_row(cls, row):
        return cls(row["id"], row["name"], row["working_hours"], row["feed_version"])


@dataclass(frozen=True)
class Link:
    """A patient's connection to a team, with the name and date of birth the team holds."""

    id: int
    team_id: int
    patient_id: int
    held_name: str
    held_dob: date
    held_hospital_number: str
    connected_at: datetime
    ended_at: datetime | None
    ended_by: str | None
    team_name: str = ""
    working_hours: str = ""

    @classmethod
    def from_row(cls, row):
        return cls(
            id=row["id"],
            team_id=row["team_id"],
            patient_id=row["patient_id"],
            held_name=row["held_name"],
            held_dob=date.fromisoformat(row["held_dob"]),
            held_hospital_number=row["held_hospital_number"],
            connected_at=parse_utc(row["connected_at"]),
            ended_at=parse_utc(row["ended_at"]) if row["ended_at"] else None,
            ended_by=row["ended_by"],
            team_name=row.get("team_name", ""),
            working_hours=row.get("working_hours", ""),
        )


def check_team(name, hours):
    """Validate a team's name and working hours; returns (values, errors by field)."""
    values = {"name": " ".join((name or "").split()), "hours": " ".join((hours or "").split())}
    errors = {}
    if not values["name"]:
        errors["name"] = "Enter the team's name."
    elif len(values["name"]) > MAX_TEAM_NAME:
        errors["name"] = f"Use at most {MAX_TEAM_NAME} characters."
    elif has_hidden(values["name"]):
        errors["name"] = "The name has a hidden character in it. Type it again by hand."
    if not values["hours"]:
        errors["hours"] = (
            "Enter when the team reads shared entries, like Monday to Friday, 9am to 5pm."
        )
    elif len(values["hours"]) > MAX_HOURS:
        errors["hours"] = f"Use at most {MAX_HOURS} characters."
    elif has_hidden(values["hours"]):
        errors["hours"] = "The hours have a hidden character in them. Type them again by hand."
    return values, errors


# Teams and nurses


def create_team(db, name, working_hours=DEFAULT_HOURS, now=None):
    """Add a team and return its id; raises sqlite3.IntegrityError if the name is taken."""
    cursor = db.execute(
        "INSERT INTO teams (name, working_hours, created_at) VALUES (?, ?, ?)",
        [name, working_hours, utc_iso(now or utc_now())],
    )
    return cursor.lastrowid


def team_by_name(db, name):
    row = next(db.query("SELECT * FROM teams WHERE name = ?", [name]), None)
    return Team.from_row(row) if row else None


def team_by_id(db, team_id):
    row = next(db.query("SELECT * FROM teams WHERE id = ?", [team_id]), None)
    return Team.from_row(row) if row else None


def team_of_nurse(db, nurse_id):
    """The nurse's team, or None if they are not in one."""
    row = next(
        db.query(
            "SELECT t.* FROM team_nurses n JOIN teams t ON t.id = n.team_id WHERE n.nurse_id = ?",
            [nurse_id],
        ),
        None,
    )
    return Team.from_row(row) if row else None


def set_working_hours(db, team_id, hours):
    db.execute("UPDATE teams SET working_hours = ? WHERE id = ?", [hours, team_id])


def put_nurse_in_team(db, nurse_id, team_id, now=None):
    """Make the nurse a member of this team (and of no other)."""
    db.execute(
        "INSERT INTO team_nurses (nurse_id, team_id, joined_at) VALUES (?, ?, ?)"
        " ON CONFLICT (nurse_id) DO UPDATE SET team_id = excluded.team_id,"
        " joined_at = excluded.joined_at",
        [nurse_id, team_id, utc_iso(now or utc_now())],
    )


def take_nurse_out(db, nurse_id):
    db.execute("DELETE FROM team_nurses WHERE nurse_id = ?", [nurse_id])


def nurse_names(db, team_id):
    """First names of the team's nurses, for patients to see who reads their entries."""
    return [
        r["first_name"] or "A nurse"
        for r in db.query(
            "SELECT u.first_name FROM team_nurses n JOIN users u ON u.id = n.nurse_id"
            " WHERE n.team_id = ? ORDER BY u.first_name, u.id",
            [team_id],
        )
    ]


def has_nurse(db, team_id):
    """Whether anyone from the team is on the app to read what is shared with it."""
    return db.execute("SELECT EXISTS (SELECT 1 FROM team_nurses WHERE team_id = ?)",
                      [team_id]).fetchone()[0] == 1


def teams_with_nurses(db):
    """Every team with its nurses' names and emails, for admins."""
    teams = {r["id"]: dict(r, nurses=[], patients=0) for r in db.query(
        "SELECT * FROM teams ORDER BY name")}
    for r in db.query(
        "SELECT n.team_id, u.first_name, u.email FROM team_nurses n"
        " JOIN users u ON u.id = n.nurse_id ORDER BY u.email"
    ):
        teams[r["team_id"]]["nurses"].append(r)
    for r in db.query(
        "SELECT team_id, COUNT(*) AS n FROM care_links WHERE ended_at IS NULL GROUP BY team_id"
    ):
        teams[r["team_id"]]["patients"] = r["n"]
    return list(teams.values())


# Links between patients and teams

_LINK_SELECT = (
    "SELECT l.*, t.name AS team_name, t.working_hours AS working_hours"
    " FROM care_links l JOIN teams t ON t.id = l.team_id"
)


def live_link(db, patient_id):
    """The patient's current connection, or None."""
    row = next(
        db.query(f"{_LINK_SELECT} WHERE l.patient_id = ? AND l.ended_at IS NULL", [patient_id]),
        None,
    )
    return Link.from_row(row) if row else None


def last_ended_link(db, patient_id):
    """The patient's most recently ended connection, or None."""
    row = next(
        db.query(
            f"{_LINK_SELECT} WHERE l.patient_id = ? AND l.ended_at IS NOT NULL"
            " ORDER BY l.ended_at DESC LIMIT 1",
            [patient_id],
        ),
        None,
    )
    return Link.from_row(row) if row else None


def link_for_team(db, link_id, team):
    """A live link of this team, or 404 whether it is missing, ended or another team's."""
    if team is None:
        raise NotFound()
    row = next(
        db.query(
            f"{_LINK_SELECT} WHERE l.id = ? AND l.team_id = ? AND l.ended_at IS NULL",
            [link_id, team.id],
        ),
        None,
    )
    if row is None:
        raise NotFound()
    return Link.from_row(row)


def links_of_patients(db, team_id, patient_ids, limit=-1):
    """The team's live links for these patients, by name; the first `limit` (all if -1)."""
    return [
        Link.from_row(r)
        for r in db.query(
            f"{_LINK_SELECT} WHERE l.team_id = ? AND l.ended_at IS NULL"  # noqa: S608 - constant
            " AND l.patient_id IN (SELECT value FROM json_each(?))"
            " ORDER BY l.held_name COLLATE NOCASE, l.id LIMIT ?",
            [team_id, json.dumps(list(patient_ids)), limit],
        )
    ]


def count_links(db, team_id):
    """How many patients are connected to the team."""
    return db.execute(
        "SELECT COUNT(*) FROM care_links WHERE team_id = ? AND ended_at IS NULL", [team_id]
    ).fetchone()[0]


def find_links(db, team_id, words="", offset=0, limit=50):
    """The team's connected patients by name, optionally only those whose name or hospital
    number holds `words` or whose date of birth it gives; (links, whether there are more)."""
    words = (words or "").strip()
    dob = parse_dob_words(words)
    rows = db.query(
        f"{_LINK_SELECT} WHERE l.team_id = :team AND l.ended_at IS NULL"
        " AND (:words = '' OR instr(lower(l.held_name), lower(:words)) > 0"
        "  OR instr(lower(l.held_hospital_number), lower(:words)) > 0 OR l.held_dob = :dob)"
        " ORDER BY l.held_name COLLATE NOCASE, l.id LIMIT :limit OFFSET :offset",
        {"team": team_id, "words": words, "dob": dob, "limit": limit + 1, "offset": offset},
    )
    links = [Link.from_row(r) for r in rows]
    return links[:limit], len(links) > limit


def parse_dob_words(words):
    """A date of birth typed as 12/04/1971, 12-4-1971 or 1971-04-12, as stored; else None."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", words)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day).isoformat()
        return date.fromisoformat(words).isoformat() if len(words) == 10 else None
    except ValueError:
        return None


def end_link(db, link, actor, action, now=None):
    """Stop sharing at once: end the link, withdraw every share, reset the default, record."""
    now = now or utc_now()
    ended_by = "patient" if action == "disconnect" else actor.role
    with db.atomic():
        db.execute(
            "UPDATE care_links SET ended_at = ?, ended_by = ? WHERE id = ? AND ended_at IS NULL",
            [utc_iso(now), ended_by, link.id],
        )
        # A later team must be chosen afresh: what was shared with this one, and the
        # default for new check-ins, do not carry over to it.
        pending.withdraw(db, link.patient_id)
        db.execute("UPDATE users SET share_by_default = 0 WHERE id = ?", [link.patient_id])
        audit.record(db, actor, action, patient_id=link.patient_id, team_id=link.team_id, now=now)


# Join codes


def create_code(db, team_id, nurse_id, values, secret, now=None):
    """Store a new code for one named patient and return it (shown once, stored hashed)."""
    now = now or utc_now()
    for _ in range(5):
        code = joincodes.make_code()
        try:
            db.execute(
                "INSERT INTO join_codes (team_id, created_by, code_hash, held_name, held_dob,"
                " held_hospital_number, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [team_id, nurse_id, joincodes.digest(secret, code), values["name"],
                 values["dob"], values["hospital_number"], utc_iso(now),
                 utc_iso(now + joincodes.LIFETIME)],
            )
        except sqlite3.IntegrityError:
            continue  # the same code was made before; draw again
        return code
    raise RuntimeError("could not make a unique join code")


def recent_codes(db, team_id, limit=20):
    """The team's latest codes (never the codes themselves), newest first."""
    return [
        _code_from_row(r)
        for r in db.query(
            "SELECT c.*, u.first_name AS created_by_name FROM join_codes c"
            " LEFT JOIN users u ON u.id = c.created_by"
            " WHERE c.team_id = ? ORDER BY c.created_at DESC, c.id DESC LIMIT ?",
            [team_id, limit],
        )
    ]


def _code_from_row(row):
    parsed = dict(row)
    for key in ("created_at", "expires_at", "used_at", "locked_at"):
        parsed[key] = parse_utc(row[key]) if row[key] else None
    parsed["held_dob"] = date.fromisoformat(row["held_dob"])
    return parsed


def code_status(code, now):
    """One word for where a code stands: waiting, used, locked or expired."""
    if code["used_at"]:
        return "used"
    if code["locked_at"]:
        return "locked"
    if now >= code["expires_at"]:
        return "expired"
    return "waiting"


def _find_code(db, secret, code):
    row = next(
        db.query(
            "SELECT c.*, t.name AS team_name, t.working_hours AS working_hours FROM join_codes c"
            " JOIN teams t ON t.id = c.team_id WHERE c.code_hash = ?",
            [joincodes.digest(secret, code)],
        ),
        None,
    )
    return _code_from_row(row) if row else None


def check_code(db, secret, patient, code, dob, now=None):
    """Try a code and date of birth for this patient.

    Returns (code row, None) when they match, or (None, reason) with reason one of
    "unknown", "used", "locked", "expired", "dob", "locked-now"; every refusal is
    recorded, and a wrong date of birth counts towards locking the code.
    """
    now = now or utc_now()
    with immediate(db):
        found = _find_code(db, secret, code)
        reason = "unknown" if found is None else joincodes.refusal(found, now, dob)
        if reason == "dob":
            failed = found["failed_attempts"] + 1
            locked = joincodes.locks_now(failed)
            db.execute(
                "UPDATE join_codes SET failed_attempts = ?, locked_at = ? WHERE id = ?",
                [failed, utc_iso(now) if locked else None, found["id"]],
            )
            reason = "locked-now" if locked else "dob"
        if reason:
            audit.record(db, patient, "connect-refused", patient_id=patient.id,
                         team_id=found["team_id"] if found else None, now=now)
            return None, reason
    return found, None


def connect(db, secret, patient, code, dob, now=None, keep=()):
    """Use the code to connect the patient; returns (Link, None) or (None, reason).

    `keep` holds the keys of the waiting shares the patient ticked on the consent page; they
    go to this team, and every other waiting share becomes private."""
    found, reason = check_code(db, secret, patient, code, dob, now)
    if reason:
        return None, reason
    now = now or utc_now()
    with immediate(db):
        # Checked again inside the write lock: two taps on "Agree" must not use a code twice.
        if db.execute("SELECT used_at FROM join_codes WHERE id = ?", [found["id"]]).fetchone()[0]:
            return None, "used"
        if live_link(db, patient.id):
            return None, "connected"
        db.execute("UPDATE join_codes SET used_at = ?, used_by = ? WHERE id = ?",
                   [utc_iso(now), patient.id, found["id"]])
        db.execute(
            "INSERT INTO care_links (team_id, patient_id, held_name, held_dob,"
            " held_hospital_number, connected_at) VALUES (?, ?, ?, ?, ?, ?)",
            [found["team_id"], patient.id, found["held_name"], found["held_dob"].isoformat(),
             found["held_hospital_number"], utc_iso(now)],
        )
        audit.record(db, patient, "connect", patient_id=patient.id, team_id=found["team_id"],
                     now=now)
        pending.settle(db, patient, found["team_id"], set(keep), now)
    return live_link(db, patient.id), None
