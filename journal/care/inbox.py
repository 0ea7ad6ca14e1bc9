"""What nurses see: the team inbox of shared entries, and one patient's shared record."""

import json
from dataclasses import dataclass, fields

from werkzeug.exceptions import NotFound

from ..diary.entries import Entry
from ..guidance.concern import Concern
from ..platform import audit
from ..platform.clock import parse_utc, uk_today, utc_iso, utc_now
from . import checks, triage
from .states import patient_states, stored_states
from .teams import Link, links_of_patients

# Entries on one page of the inbox, the pinned ones included.
PAGE_SIZE = 30
# Flagged, unreviewed entries pinned on top of the first page; more wait below and in the
# flag's filter, so a backlog cannot make the page huge. The rest of the page is the newest.
PINNED_LIMIT = 20
# A filtered inbox reads at most this many shared entries per page before it offers
# to look further back, so a rare flag never makes one request slow.
SCAN_LIMIT = 2000
# The same test as triage.is_reviewed, in SQL, for the "Not yet reviewed" filter: only a
# review by this team counts, and only until the patient edits the entry.
UNREVIEWED_SQL = (
    "(e.reviewed_at IS NULL OR e.reviewed_team_id IS NOT l.team_id"
    " OR (e.updated_at IS NOT NULL AND e.updated_at > e.reviewed_at))"
)
# An entry the team may read: shared with this very team, and not deleted.
SHARED_WITH_TEAM_SQL = "e.shared = 1 AND e.shared_team_id = l.team_id AND e.deleted_at IS NULL"
# One patient's link, said only when there is one: behind "(:link IS NULL OR ...)" SQLite
# walked every link of the team, where alone it looks the link up by its id.
ONE_LINK_SQL = "l.id = :link"
# A superset of the entries the concern check may flag: the check itself runs on each row.
CONCERN_CANDIDATE_SQL = "(e.distress >= :high OR e.note != '' OR e.prompt_answer != '')"
# An entry still waiting for its team's review, as the entries_team_awaiting_review index
# (migration 0027) says it word for word, so that SQLite can walk that index.
AWAITING_REVIEW_SQL = (
    "e.shared = 1 AND e.deleted_at IS NULL AND (e.reviewed_at IS NULL"
    " OR e.reviewed_team_id IS NOT e.shared_team_id"
    " OR (e.updated_at IS NOT NULL AND e.updated_at > e.reviewed_at))"
)


@dataclass(frozen=True)
class InboxItem:
    entry: Entry
    link: Link
    concern: Concern
    flags: tuple
    reviewed: bool
    reviewed_by: str | None
    outcome: str | None = None

    def __hash__(self):
        # The inbox's cards are kept by their item, and the kept pages hand back the same
        # items on every load: hash the nested fields once, not once per card a load.
        try:
            return self.__dict__["_hash"]
        except KeyError:
            value = hash(tuple(getattr(self, f.name) for f in fields(self)))
            object.__setattr__(self, "_hash", value)
            return value


# Team-wide states by (database, team), reused while nothing they come from has changed:
# triggers move the team's feed_version with every change to its patients' shared entries,
# links (a link deleted with an account included) and scans; the UK day moves the overdue
# rule; and a new safety rule (a test's, or content read again) works every flag out again.
_TEAM_STATES = {}


def team_version(team, safety, now=None):
    """What the team's kept states and pinned entries were worked out from."""
    return (team.feed_version, uk_today(now or utc_now()), safety)


def _kept(store, database, team, version, work):
    """work()'s answer for the team, kept in store while the team's version stands."""
    cached = store.get((database, team.id))
    if cached is not None and cached[0] == version:
        return cached[1]
    answer = work()
    store[(database, team.id)] = (version, answer)
    return answer


def team_states(db, team, database, version, now=None):
    """The whole team's states (states.stored_states), read again only when its version
    (from team_version) has moved."""
    return _kept(_TEAM_STATES, database, team, version,
                 lambda: stored_states(db, team.id, now))


def _item(row, states, concern):
    """The inbox item for a row of _ITEM_SELECT, with its Concern (care.checks)."""
    entry = Entry.from_row(row)
    link = Link.from_row(
        dict(row, id=row["link_id"], team_id=row["team_id"], connected_at=row["connected_at"],
             ended_at=None, ended_by=None)
    )
    state = states.get(entry.patient_id)
    reviewed = triage.is_reviewed(entry.reviewed_at, entry.updated_at,
                                  entry.reviewed_team_id, link.team_id)
    flags = triage.flags_for(
        concern_reason=concern.reason,
        rising=bool(state and state.rising),
        overdue=bool(state and state.overdue),
        reviewed=reviewed,
    )
    return InboxItem(entry, link, concern, flags, reviewed, row["reviewed_by"], row["outcome"])


_ITEM_SELECT = (
    "SELECT e.*, l.id AS link_id, l.team_id, l.held_name, l.held_dob, l.held_hospital_number,"
    " l.connected_at, (SELECT u.first_name FROM entry_reviews r JOIN users u ON u.id = r.nurse_id"
    "  WHERE r.entry_id = e.id AND r.team_id = l.team_id"
    "  ORDER BY r.reviewed_at DESC LIMIT 1) AS reviewed_by,"
    " (SELECT r.outcome FROM entry_reviews r WHERE r.entry_id = e.id AND r.team_id = l.team_id"
    "  ORDER BY r.reviewed_at DESC LIMIT 1) AS outcome"
    # Entries first (by id), then their link: SQLite keeps CROSS JOIN's order, where a plain
    # join let it walk every link of every team.
    " FROM entries e CROSS JOIN care_links l ON l.patient_id = e.patient_id"
)


def _rows_by_id(db, team_id, ids):
    """Whole inbox rows for these entry ids of the team's live links, by id."""
    return {r["id"]: r for r in db.query(
        f"{_ITEM_SELECT} WHERE e.id IN (SELECT value FROM json_each(:ids))"  # noqa: S608
        " AND l.team_id = :team AND l.ended_at IS NULL",
        {"ids": json.dumps(ids), "team": team_id},
    )}


# One patient's entries, or a few patients': their links first, then each one's own shared
# entries (CROSS JOIN and INDEXED BY: left to itself, SQLite walked the whole team's entries
# for each link, as the team index matches too).
_FROM_LINKS_SQL = ("care_links l CROSS JOIN entries e INDEXED BY entries_shared"
                   " ON e.patient_id = l.patient_id")


def _id_source(link_id, flag):
    """Where the inbox's ids come from. The whole team's: the team's newest shared entries,
    walked in order on entries_team_shared_newest (CROSS JOIN keeps SQLite to that order)
    until a page is found, with no sort; a team's whole shared history sorted on every
    request cost 100 times more. One patient's, or a few flagged patients': _FROM_LINKS_SQL."""
    if _team_wide(link_id, flag):
        return "entries e CROSS JOIN care_links l ON l.patient_id = e.patient_id"
    return _FROM_LINKS_SQL


def _team_wide(link_id, flag):
    return link_id is None and flag not in ("rising", "overdue")


def inbox(db, team_id, states, safety, *, flag=None, link_id=None, before_id=None,
          limit=PAGE_SIZE, skip=frozenset()):
    """Shared entries across the team's patients, newest first, optionally filtered and
    leaving out the ids in `skip`; returns (items, id to continue before or None)."""
    where = [
        "l.team_id = :team",
        "l.ended_at IS NULL",
        SHARED_WITH_TEAM_SQL,
        "(e.created_at, e.id) < (:before_at, :before_id)",
    ]
    if link_id is not None:
        where.append(ONE_LINK_SQL)
    if _team_wide(link_id, flag):
        # Said outright, though the link's team says it too, for SQLite to start the walk
        # at the team's own entries.
        where.append("e.shared_team_id = :team")
    params = {"team": team_id, "link": link_id, "before_at": "~", "before_id": 0}
    if flag in ("rising", "overdue"):
        wanted = [pid for pid, state in states.items() if getattr(state, flag)]
        if not wanted:
            return [], None
        where.append("l.patient_id IN (SELECT value FROM json_each(:wanted))")
        params["wanted"] = json.dumps(wanted)
    elif flag == "unreviewed":
        where.append(UNREVIEWED_SQL)
    elif flag == "concern":
        where.append(CONCERN_CANDIDATE_SQL)
        params["high"] = safety.high_distress
    if before_id is not None:
        # Only an entry this page may show can be paged from: any other id is a 404, so
        # its time never tells a nurse that someone else's entry exists.
        start = db.execute(
            "SELECT e.created_at FROM entries e JOIN care_links l ON l.patient_id = e.patient_id"  # noqa: S608
            " WHERE e.id = :entry AND l.team_id = :team AND l.ended_at IS NULL"
            f" AND (:link IS NULL OR l.id = :link) AND {SHARED_WITH_TEAM_SQL}",
            {"entry": before_id, "team": team_id, "link": link_id},
        ).fetchone()
        if start is None:
            raise NotFound()
        params.update(before_at=start[0], before_id=before_id)
    # Read ids and times first, then whole rows for one batch at a time. Every piece of
    # `where` is a constant above; values only ever go in as parameters.
    ids_sql = (
        f"SELECT e.id, e.created_at FROM {_id_source(link_id, flag)}"  # noqa: S608
        f" WHERE {' AND '.join(where)} ORDER BY e.created_at DESC, e.id DESC LIMIT :batch"
    )
    params["batch"] = limit + 1 if flag in (None, "rising", "overdue", "unreviewed") else 200
    items, read = [], 0
    while True:
        batch = db.execute(ids_sql, params).fetchall()
        rows = _rows_by_id(db, team_id, [entry_id for entry_id, _ in batch])
        concern_of = checks.concerns(db, list(rows.values()), safety)
        for entry_id, _ in batch:
            read += 1
            # Not in rows: its link ended between the two reads.
            item = (_item(rows[entry_id], states, concern_of[entry_id]) if entry_id in rows
                    else None)
            if item and entry_id not in skip and (flag is None or flag in item.flags):
                if len(items) == limit:
                    return items, items[-1].entry.id
                items.append(item)
            if read >= SCAN_LIMIT:
                return items, entry_id
        if len(batch) < params["batch"]:
            return items, None
        params.update(before_at=batch[-1][1], before_id=batch[-1][0])


def flagged_unreviewed(db, team_id, states, safety, link_id=None, limit=PINNED_LIMIT):
    """Flagged entries nobody has reviewed yet, however old, newest first, at most `limit`,
    and whether there are more: the inbox puts these on top so a worrying entry is never
    pushed down by newer calm ones. A backlog beyond the limit stays in the list below,
    flagged, and in the "High distress or worrying words" filter."""
    where = [
        "l.team_id = :team", "l.ended_at IS NULL", SHARED_WITH_TEAM_SQL,
        UNREVIEWED_SQL, CONCERN_CANDIDATE_SQL, "(e.created_at, e.id) < (:before_at, :before_id)",
    ]
    if link_id is None:
        # The whole team's: a walk of the team's entries still waiting for review, newest
        # first. Reviewed entries are not in that index, so a team that keeps up has little
        # to pass.
        source = ("entries e INDEXED BY entries_team_awaiting_review"
                  " CROSS JOIN care_links l ON l.patient_id = e.patient_id")
        where += [AWAITING_REVIEW_SQL, "e.shared_team_id = :team"]
    else:
        # One patient's: from the link, a sort of their own few.
        source = _FROM_LINKS_SQL
        where.append(ONE_LINK_SQL)
    # Only what the check reads comes first; whole rows only for the flagged few, which
    # are some one in ten of the entries walked. Every piece of the query is a constant
    # above; values only ever go in as parameters.
    ids_sql = ("SELECT e.id, e.created_at, e.distress, e.note, e.prompt_answer"  # noqa: S608
               f" FROM {source} WHERE {' AND '.join(where)}"
               " ORDER BY e.created_at DESC, e.id DESC LIMIT :batch")
    params = {"team": team_id, "link": link_id, "high": safety.high_distress,
              "before_at": "~", "before_id": 0, "batch": limit + 1}
    found, read = [], 0
    # In batches, newest first, stopping once one more than the limit is flagged: the words
    # check is the costly part, and a backlog of hundreds must not be read on every load.
    while len(found) <= limit and read < SCAN_LIMIT:
        batch = list(db.query(ids_sql, params))
        concern_of = checks.concerns(db, batch, safety)
        flagged = [row["id"] for row in batch if concern_of[row["id"]].reason is not None]
        # The whole rows are a later read, after the check (and its write) on the light
        # ones: an entry whose link has ended since is left out, and one edited since is
        # checked again on what the card will show (stored answers make that cheap).
        rows = _rows_by_id(db, team_id, flagged)
        shown = checks.concerns(db, list(rows.values()), safety)
        found += [_item(rows[entry_id], states, shown[entry_id]) for entry_id in flagged
                  if entry_id in rows and shown[entry_id].reason is not None]
        read += len(batch)
        if len(batch) < params["batch"]:
            break
        params.update(before_at=batch[-1]["created_at"], before_id=batch[-1]["id"])
    return found[:limit], len(found) > limit


# The whole team's pinned entries, kept beside its states and for as long: they change only
# with the team's shared entries, reviews and links, which move the same version.
_TEAM_PINNED = {}


def team_pinned(db, team, database, version, states, safety):
    """flagged_unreviewed for the whole team, worked out again only when its version has
    moved."""
    return _kept(_TEAM_PINNED, database, team, version,
                 lambda: flagged_unreviewed(db, team.id, states, safety))


# The whole team's first page below its pinned entries, kept the same way: it changes only
# with the team's shared entries, reviews and links, which move the version.
_TEAM_FIRST_PAGE = {}


def page_below(db, team_id, states, safety, pinned, **filters):
    """inbox's page below the pinned entries, which take their places on it and are not
    listed again; `filters` as inbox takes them."""
    return inbox(db, team_id, states, safety, limit=PAGE_SIZE - len(pinned),
                 skip=frozenset(item.entry.id for item in pinned), **filters)


def team_first_page(db, team, database, version, states, safety, pinned):
    """page_below for the whole team, unfiltered, below `pinned` (the team's pinned entries
    for the same version); worked out again only when the version has moved."""
    return _kept(_TEAM_FIRST_PAGE, database, team, version,
                 lambda: page_below(db, team.id, states, safety, pinned))


# The patients the dashboard's side names as needing a look, kept the same way.
_TEAM_ATTENTION = {}


@dataclass(frozen=True)
class Attention:
    shown: list  # links of up to `limit` patients whose own flags say they need a look
    needing: int  # how many patients do
    rising: int
    overdue: int


def team_attention(db, team, database, version, states, limit):
    """The patients the dashboard's side names (Attention), worked out again only when the
    team's version has moved: a team's 1,200 states counted on every load cost more than
    the rest of the side."""
    def work():
        needing = [pid for pid, state in states.items() if state.rising or state.overdue]
        return Attention(links_of_patients(db, team.id, needing, limit=limit), len(needing),
                         sum(state.rising for state in states.values()),
                         sum(state.overdue for state in states.values()))

    return _kept(_TEAM_ATTENTION, database, team, version, work)


def forget_kept():
    """Forget every team's kept answers, as a new worker starts (the benchmark's cold runs)."""
    for store in (_TEAM_STATES, _TEAM_PINNED, _TEAM_FIRST_PAGE, _TEAM_ATTENTION):
        store.clear()


def shared_entries(db, team_id, link, safety, states, before_id=None, limit=PAGE_SIZE):
    """One connected patient's shared entries, newest first, as inbox items."""
    return inbox(db, team_id, states, safety, link_id=link.id, before_id=before_id,
                 limit=limit)


def shared_questions(db, patient_id, team_id):
    """The questions the patient shares with this team, in the order they were added."""
    return list(
        db.query(
            "SELECT * FROM questions WHERE patient_id = ? AND shared = 1 AND shared_team_id = ?"
            " AND deleted_at IS NULL ORDER BY created_at, id",
            [patient_id, team_id],
        )
    )


def shared_scores_since(db, patient_id, team_id, since):
    """(UTC time, distress) of the check-ins shared with this team since a moment, oldest
    first."""
    return [
        (parse_utc(r["created_at"]), r["distress"])
        for r in db.query(
            "SELECT created_at, distress FROM entries WHERE patient_id = ? AND shared = 1"
            " AND shared_team_id = ? AND deleted_at IS NULL AND distress IS NOT NULL"
            " AND created_at >= ? ORDER BY created_at",
            [patient_id, team_id, utc_iso(since)],
        )
    ]


def shared_entry_for_team(db, entry_id, team, safety):
    """A shared entry of a patient connected to this team, or 404 for anything else."""
    if team is None:
        raise NotFound()
    row = next(
        db.query(
            f"{_ITEM_SELECT} WHERE e.id = :entry AND l.team_id = :team AND l.ended_at IS NULL"
            f" AND {SHARED_WITH_TEAM_SQL}",
            {"entry": entry_id, "team": team.id},
        ),
        None,
    )
    if row is None:
        raise NotFound()
    return _item(row, patient_states(db, team.id, patient_id=row["patient_id"]),
                 checks.concerns(db, [row], safety)[entry_id])


def review(db, nurse, team, item, outcome=None, now=None):
    """Mark a shared entry as seen by the team, and record who did it and what she did."""
    now = now or utc_now()
    with db.atomic():
        db.execute("UPDATE entries SET reviewed_at = ?, reviewed_team_id = ? WHERE id = ?",
                   [utc_iso(now), team.id, item.entry.id])
        db.execute(
            "INSERT INTO entry_reviews (entry_id, nurse_id, team_id, reviewed_at, outcome)"
            " VALUES (?, ?, ?, ?, ?)",
            [item.entry.id, nurse.id, team.id, utc_iso(now), outcome],
        )
        audit.record(db, nurse, "review", patient_id=item.entry.patient_id, team_id=team.id,
                     entry_id=item.entry.id, now=now)
