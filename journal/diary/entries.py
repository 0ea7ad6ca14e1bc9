"""Journal entries: what a check-in may hold, and the queries that own them."""

import json
import re
from dataclasses import dataclass
from datetime import datetime

from werkzeug.exceptions import NotFound

from ..care.triage import is_reviewed
from ..platform import undo
from ..platform.clock import UK, parse_utc, to_uk, utc_iso, utc_now
from ..platform.db import immediate
from ..platform.templating import MARK_END, MARK_START
from ..platform.text import without_hidden
from .validation import TOPICS

PAGE_SIZE = 20
UNDO_WINDOW = undo.UNDO_WINDOW


@dataclass(frozen=True)
class Entry:
    id: int
    patient_id: int
    created_at: datetime
    updated_at: datetime | None
    distress: int | None
    feelings: tuple
    topics: tuple
    note: str
    highlighted: str | None = None
    highlighted_answer: str | None = None
    helped: bool = False
    prompt: str = ""
    prompt_answer: str = ""
    shared: bool = False
    reviewed_at: datetime | None = None
    shared_team_id: int | None = None
    reviewed_team_id: int | None = None
    calm_helped: bool = False

    @classmethod
    def from_row(cls, row):
        return cls(
            id=row["id"],
            patient_id=row["patient_id"],
            created_at=parse_utc(row["created_at"]),
            updated_at=parse_utc(row["updated_at"]) if row["updated_at"] else None,
            distress=row["distress"],
            feelings=tuple(json.loads(row["feelings"])),
            topics=tuple(json.loads(row["topics"])),
            note=row["note"],
            highlighted=row.get("highlighted"),
            highlighted_answer=row.get("highlighted_answer"),
            helped=bool(row.get("helped")),
            prompt=row.get("prompt") or "",
            prompt_answer=row.get("prompt_answer") or "",
            shared=bool(row.get("shared")),
            reviewed_at=parse_utc(row["reviewed_at"]) if row.get("reviewed_at") else None,
            shared_team_id=row.get("shared_team_id"),
            reviewed_team_id=row.get("reviewed_team_id"),
            calm_helped=bool(row.get("calm_helped")),
        )

    @property
    def uk_time(self):
        return to_uk(self.created_at)

    @property
    def seen_at(self):
        """When the team it is shared with marked it seen, unless it was edited since."""
        seen = is_reviewed(self.reviewed_at, self.updated_at, self.reviewed_team_id,
                           self.shared_team_id)
        return self.reviewed_at if seen else None

    @property
    def topic_labels(self):
        return tuple(TOPICS[t] for t in self.topics if t in TOPICS)


def _stored_distress(values):
    # The form keeps what was typed for showing again; only a number is stored.
    return values["distress"] if isinstance(values["distress"], int) else None


def create(db, patient_id, values, now=None):
    """Store a check-in once; a retry with the same client id returns the first copy."""
    now = utc_iso(now or utc_now())
    with immediate(db):
        if values.get("client_id"):
            existing = db.execute(
                "SELECT id FROM entries WHERE patient_id = ? AND client_id = ?",
                [patient_id, values["client_id"]],
            ).fetchone()
            if existing:
                return existing[0]
        cursor = db.execute(
            "INSERT INTO entries (patient_id, client_id, created_at, distress, feelings, topics,"
            " note, prompt, prompt_answer, calm_helped, helped)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                patient_id,
                values.get("client_id"),
                now,
                _stored_distress(values),
                json.dumps(values["feelings"]),
                json.dumps(values["topics"]),
                values["note"],
                # A prompt nobody answered is not worth keeping.
                values.get("prompt", "") if values.get("prompt_answer") else "",
                values.get("prompt_answer", ""),
                # A calming exercise that helped counts on the trends page as "This helped".
                int(bool(values.get("calm_helped"))),
                int(bool(values.get("calm_helped"))),
            ],
        )
        return cursor.lastrowid


def update(db, entry_id, values, now=None):
    # The prompt itself stays as it was asked; only an entry that has one keeps an answer.
    db.execute(
        "UPDATE entries SET distress = ?, feelings = ?, topics = ?, note = ?, updated_at = ?,"
        " prompt_answer = CASE WHEN prompt = '' THEN '' ELSE ? END WHERE id = ?",
        [
            _stored_distress(values),
            json.dumps(values["feelings"]),
            json.dumps(values["topics"]),
            values["note"],
            utc_iso(now or utc_now()),
            values.get("prompt_answer", ""),
            entry_id,
        ],
    )


def entry_for(db, entry_id, user, deleted=False):
    """The user's own entry, or 404 whether it is missing or someone else's."""
    state = "deleted_at IS NOT NULL" if deleted else "deleted_at IS NULL"
    rows = list(
        db.query(
            f"SELECT * FROM entries WHERE id = ? AND patient_id = ? AND {state}",  # noqa: S608
            [entry_id, user.id],
        )
    )
    if not rows:
        raise NotFound()
    return Entry.from_row(rows[0])


def page(db, patient_id, before_id=None, limit=PAGE_SIZE):
    """A page of entries, newest first; returns (entries, id to continue before).

    `before_id` must be one of the patient's own entries: any other id is a 404, so
    paging never says whether someone else's entry exists."""
    params = {"patient": patient_id, "limit": limit + 1}
    where = "patient_id = :patient AND deleted_at IS NULL"
    if before_id is not None:
        if db.execute("SELECT 1 FROM entries WHERE id = ? AND patient_id = ?",
                      [before_id, patient_id]).fetchone() is None:
            raise NotFound()
        where += (
            " AND (created_at, id) < (SELECT created_at, id FROM entries"
            " WHERE id = :before AND patient_id = :patient)"
        )
        params["before"] = before_id
    rows = list(
        db.query(
            f"SELECT * FROM entries WHERE {where} ORDER BY created_at DESC, id DESC LIMIT :limit",  # noqa: S608
            params,
        )
    )
    entries = [Entry.from_row(r) for r in rows[:limit]]
    more = entries[-1].id if len(rows) > limit else None
    return entries, more


# Control characters mark the match, so the note can be escaped before <mark> goes in.


# A topic chip's other words find it too: "waiting" finds "Waiting for results", whose key
# ("results") is what the index holds.
_TOPIC_WORDS = {word: key for key, label in TOPICS.items()
                for word in label.lower().split() if len(word) > 3 and word != key}


def match_expression(patient_id, words):
    """The FTS5 query: her own entries, with every word in her writing or on her chips."""
    terms = []
    for word in words.split():
        quoted = '"' + word.replace('"', '""') + '"'
        key = _TOPIC_WORDS.get(word.lower().strip('"'))
        terms.append(f'({quoted} OR "{key}")' if key else quoted)
    return f'patient : "p{int(patient_id)}" AND {{note answer tags}} : ({" ".join(terms)})'


def search(db, patient_id, query, limit=50):
    """The patient's own entries that have the words in the note, the answer to the day's
    question, or the feelings and topics she chose; newest first."""
    # Hidden characters go (the highlight marks among them): FTS5 reads a NUL as the end
    # of the query, and nobody searches for a character they cannot see.
    words = without_hidden(query).strip()
    if not re.search(r"\w", words):
        return []  # only punctuation: FTS5 has nothing to match and would refuse the query
    # The patient's token narrows the index to their own entries first. Newest first, not
    # bm25: ranking would weigh the words across every patient's notes on each search.
    rows = db.query(
        "SELECT entries.*, highlight(entries_fts, 0, :start, :end) AS highlighted,"
        " highlight(entries_fts, 1, :start, :end) AS highlighted_answer"
        " FROM entries_fts JOIN entries ON entries.id = entries_fts.rowid"
        " WHERE entries_fts MATCH :q AND entries.patient_id = :patient"
        " AND entries.deleted_at IS NULL ORDER BY entries_fts.rowid DESC LIMIT :limit",
        {
            "q": match_expression(patient_id, words),
            "patient": patient_id,
            "limit": limit,
            "start": MARK_START,
            "end": MARK_END,
        },
    )
    return [Entry.from_row(r) for r in rows]


def delete(db, entry_id, now=None):
    """Hide an entry, keeping it for the undo window."""
    undo.hide(db, "entries", entry_id, now)


def restore(db, entry_id, now=None):
    """Bring back a deleted entry if the undo window is still open; True if it came back."""
    return undo.bring_back(db, "entries", entry_id, now)


def purge_deleted(db, patient_id, now=None):
    """Erase entries whose undo window has passed (the FTS triggers follow)."""
    undo.erase_expired(db, "entries", patient_id, now)


def latest_today(db, patient_id, now=None):
    """The newest entry made today in UK time, or None."""
    now = now or utc_now()
    start = datetime.combine(to_uk(now).date(), datetime.min.time(), tzinfo=UK)
    rows = list(
        db.query(
            "SELECT * FROM entries WHERE patient_id = ? AND deleted_at IS NULL AND created_at >= ?"
            " ORDER BY created_at DESC LIMIT 1",
            [patient_id, utc_iso(start)],
        )
    )
    return Entry.from_row(rows[0]) if rows else None


def by_day(entries):
    """Group entries (newest first) into (UK date, entries) pairs, keeping the order."""
    groups = []
    for entry in entries:
        day = entry.uk_time.date()
        if groups and groups[-1][0] == day:
            groups[-1][1].append(entry)
        else:
            groups.append((day, [entry]))
    return groups


def set_helped(db, entry_id, helped):
    """Mark an entry as one that helped, or take the mark off."""
    db.execute("UPDATE entries SET helped = ? WHERE id = ?", [1 if helped else 0, entry_id])
