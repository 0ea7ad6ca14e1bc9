"""The audit trail: who did what to whose data, and when. Never any content."""

import csv
import io
import json
from datetime import datetime

from werkzeug.exceptions import NotFound

from .clock import parse_utc, uk_today, utc_iso, utc_now

ACTIONS = {
    "view-inbox": "saw your shared check-ins in the team inbox",
    "view-patient": "opened your shared check-ins and questions",
    "view-summary": "opened your shared appointment summary",
    "review": "read a check-in and marked it as seen",
    "share": "shared a check-in",
    "unshare": "stopped sharing a check-in",
    "share-question": "shared a question",
    "unshare-question": "stopped sharing a question",
    "share-summary": "shared the appointment summary",
    "unshare-summary": "stopped sharing the appointment summary",
    "default-shared": "chose to share new check-ins",
    "default-private": "chose to keep new check-ins private",
    "connect": "connected to the care team",
    "connect-refused": "tried a join code that did not work",
    "disconnect": "disconnected from the care team",
    "discharge": "ended the patient's connection to the team",
    "invite-person": "made a link for someone to see what you chose",
    "end-person-link": "ended a link",
    "open-person-link": "opened the page you shared",
    "share-with-person": "shared a check-in with someone you chose",
    "unshare-with-person": "stopped sharing a check-in with someone you chose",
}
# What a patient sees on "Who has seen my entries": a nurse opening her page, her summary
# or one of her entries, and the connection. Loading the team inbox is still recorded, but
# it lists many patients at once, so it is not told to her as having seen her entries.
SEEN_ACTIONS = ("view-patient", "view-summary", "review", "connect", "disconnect",
                "discharge")
# Said word for word beside SEEN_ACTIONS in the queries that list them, so SQLite may use
# audit_by_patient, which leaves the inbox reads out (migration 0031).
NOT_INBOX_SQL = "a.action != 'view-inbox'"
COLUMNS = ("id", "at", "action", "actor_id", "actor_role", "patient_id", "team_id",
           "entry_id", "question_id", "link_id")


def record(db, actor, action, *, patient_id=None, team_id=None, entry_id=None,
           question_id=None, link_id=None, now=None):
    """Append one event; `actor` is the User who did it (or a link holder, with no id)."""
    record_many(db, actor, action, [patient_id], team_id=team_id, entry_id=entry_id,
                question_id=question_id, link_id=link_id, now=now)


def record_many(db, actor, action, patient_ids, *, team_id=None, entry_id=None,
                question_id=None, link_id=None, now=None):
    """Append the same event once for each patient, in one statement."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    at = utc_iso(now or utc_now())
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO audit (at, actor_id, actor_role, action, patient_id, team_id,"
            " entry_id, question_id, link_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(at, actor.id, actor.role, action, pid, team_id, entry_id, question_id, link_id)
             for pid in patient_ids],
        )


def last_opened(db, link_ids):
    """When each of these person links was last opened, by link id (missing if never)."""
    rows = db.execute(
        "SELECT link_id, MAX(at) FROM audit WHERE action = 'open-person-link'"
        " AND link_id IN (SELECT value FROM json_each(?)) GROUP BY link_id",
        [json.dumps(list(link_ids))],
    ).fetchall()
    return {link_id: parse_utc(at) for link_id, at in rows}


def refused_since(db, patient_id, since: datetime):
    """How many join-code tries this patient has had refused since the given time."""
    row = db.execute(
        "SELECT COUNT(*) FROM audit WHERE patient_id = ? AND action = 'connect-refused'"
        " AND at >= ?",
        [patient_id, utc_iso(since)],
    ).fetchone()
    return row[0]


def seen_by(db, patient_id, before_id=None, limit=50):
    """Reads of the patient's data and changes to their connection, newest first;
    returns (events, id to continue before)."""
    params = {"patient": patient_id, "limit": limit + 1, "actions": json.dumps(SEEN_ACTIONS),
              "before": before_id}
    if before_id is not None and db.execute(
        "SELECT 1 FROM audit a WHERE a.id = :before AND a.patient_id = :patient"
        " AND a.action IN (SELECT value FROM json_each(:actions))", params,
    ).fetchone() is None:
        raise NotFound()  # only a row of this page can be paged from
    rows = list(
        db.query(
            "SELECT a.id, a.at, a.action, a.actor_role, a.actor_id, a.entry_id,"  # noqa: S608
            " u.first_name AS actor_name, t.name AS team_name, e.created_at AS entry_at"
            " FROM audit a LEFT JOIN users u ON u.id = a.actor_id"
            " LEFT JOIN teams t ON t.id = a.team_id"
            " LEFT JOIN entries e ON e.id = a.entry_id"
            f" WHERE a.patient_id = :patient AND {NOT_INBOX_SQL}"
            " AND a.action IN (SELECT value FROM json_each(:actions))"
            " AND (:before IS NULL OR a.id < :before)"
            " ORDER BY a.id DESC LIMIT :limit",
            params,
        )
    )
    more = rows[limit - 1]["id"] if len(rows) > limit else None
    return collapse(
        [dict(r, at=parse_utc(r["at"]), words=ACTIONS[r["action"]],
              entry_at=parse_utc(r["entry_at"]) if r["entry_at"] else None)
         for r in rows[:limit]]
    ), more


def collapse(events):
    """Fold runs of the same person doing the same thing on the same UK day into one line,
    keeping the latest time and a count, so a busy day stays readable."""
    folded = []
    for event in events:
        last = folded[-1] if folded else None
        if (
            last is not None
            # Each entry opened keeps its own line, so she can tell which was read.
            and (last["actor_id"], last["action"], last.get("entry_id"))
            == (event["actor_id"], event["action"], event.get("entry_id"))
            and uk_today(last["at"]) == uk_today(event["at"])
        ):
            last["times"] += 1
        else:
            folded.append(dict(event, times=1))
    return folded


def export_csv(db, out):
    """Write the whole audit as CSV to a text stream, oldest first."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    cursor = db.execute(f"SELECT {', '.join(COLUMNS)} FROM audit ORDER BY id")  # noqa: S608
    count = 0
    for row in cursor:
        writer.writerow(row)
        count += 1
    return count


def export_text(db):
    """The audit as one CSV string."""
    buffer = io.StringIO()
    export_csv(db, buffer)
    return buffer.getvalue()
