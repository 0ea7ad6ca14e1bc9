"""Shares that wait for a team ("share when I join") and shares that end with a team.

A share names the team it was given to (the database stamps the team live at that
moment). A share made with no team connected names none: it is held, listed by name on
the next join's consent page, and goes to that team only if the patient ticks it there.
"""

from dataclasses import dataclass

from ..platform import audit
from ..platform.clock import parse_utc, utc_iso, utc_now

# Each kind of shareable thing: its table, the audit column and actions (share, unshare).
KINDS = {
    "summary": ("summaries", None, ("share-summary", "unshare-summary")),
    "entry": ("entries", "entry_id", ("share", "unshare")),
    "question": ("questions", "question_id", ("share-question", "unshare-question")),
}


@dataclass(frozen=True)
class Pending:
    """One thing the patient asked to share before a team existed."""

    kind: str
    id: int
    at: object  # when it was made: a check-in's or summary's time
    text: str  # a question's words; empty for the others

    @property
    def key(self):
        """The value its tick box sends, like "summary-3"."""
        return f"{self.kind}-{self.id}"


def pending_items(db, patient_id):
    """Everything the patient asked to share that no team has yet, summaries first."""
    rows = db.execute(
        "SELECT 'summary', id, created_at, '' FROM summaries"
        " WHERE patient_id = :p AND shared = 1 AND shared_team_id IS NULL"
        " UNION ALL SELECT 'entry', id, created_at, '' FROM entries"
        " WHERE patient_id = :p AND shared = 1 AND shared_team_id IS NULL"
        " AND deleted_at IS NULL"
        " UNION ALL SELECT 'question', id, created_at, text FROM questions"
        " WHERE patient_id = :p AND shared = 1 AND shared_team_id IS NULL"
        " AND deleted_at IS NULL",
        {"p": patient_id},
    ).fetchall()
    order = list(KINDS)
    items = [Pending(kind, item_id, parse_utc(at), text) for kind, item_id, at, text in rows]
    return sorted(items, key=lambda h: (order.index(h.kind), h.at, h.id))


def settle(db, patient, team_id, keep, now=None):
    """On joining: give the ticked waiting shares to the team, make the rest private.

    Call inside the join's write transaction, so no waiting share outlives the join."""
    now = now or utc_now()
    for item in pending_items(db, patient.id):
        table, id_column, (share, unshare) = KINDS[item.kind]
        ids = {id_column: item.id} if id_column else {}
        if item.key in keep:
            # Every piece of SQL here names a table from KINDS; values are parameters.
            db.execute(
                f"UPDATE {table} SET shared_team_id = ? WHERE id = ?",  # noqa: S608
                [team_id, item.id],
            )
            if table == "summaries":
                db.execute("UPDATE summaries SET shared_at = ? WHERE id = ?",
                           [utc_iso(now), item.id])
            audit.record(db, patient, share, patient_id=patient.id, team_id=team_id,
                         now=now, **ids)
        else:
            _make_private(db, table, "id = ?", [item.id])
            audit.record(db, patient, unshare, patient_id=patient.id, team_id=team_id,
                         now=now, **ids)


def withdraw(db, patient_id):
    """On leaving a team: every share ends with it, so a later team starts with nothing."""
    for table, _, _ in KINDS.values():
        _make_private(db, table, "patient_id = ?", [patient_id])


def _make_private(db, table, where, params):
    extra = ", shared_at = NULL" if table == "summaries" else ""
    db.execute(
        f"UPDATE {table} SET shared = 0{extra} WHERE {where} AND shared = 1",  # noqa: S608
        params,
    )
