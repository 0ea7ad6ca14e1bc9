"""Finding the reminders due now, recording each one once, and delivering them with a bounded
number of tries. The record's unique key is what keeps a second run from sending again."""

import logging
from datetime import timedelta

from ..platform.clock import parse_utc, to_uk, utc_iso
from ..scans.stages import DEFAULT_DUE
from .choices import as_choices
from .schedule import ScanDates, due

log = logging.getLogger("journal.reminders")

# Each channel and the column of reminder_choices that turns it on.
CHANNELS = {"email": "by_email", "push": "by_device"}
MAX_ATTEMPTS = 3
# Runs come every five minutes; a try still in flight in another run is left alone.
RETRY_AFTER = timedelta(minutes=4)
KEEP_FOR = timedelta(days=30)

OPTED_IN = (
    "SELECT c.*, u.email FROM reminder_choices c JOIN users u ON u.id = c.patient_id"
    " WHERE (c.daily_at IS NOT NULL OR c.scan_nudges = 1) AND (c.by_email = 1 OR c.by_device = 1)"
)
WAITING_SCANS = (
    "SELECT s.id, s.patient_id, s.kind, s.appointment_at, s.results_expected_days"
    " FROM reminder_choices c JOIN scans s ON s.patient_id = c.patient_id"
    " WHERE c.scan_nudges = 1 AND (c.by_email = 1 OR c.by_device = 1)"
    " AND s.appointment_at IS NOT NULL AND s.results_received_on IS NULL"
)
SENT_TODAY = (
    "SELECT patient_id, nudge_key FROM reminder_sends WHERE nudge_key >= ? AND nudge_key < ?"
)


def _day_range(now_utc):
    # Keys start with the UK day, so one day's keys sort between "day:" and "day;".
    day = to_uk(now_utc).date().isoformat()
    return [f"{day}:", f"{day};"]


def find_due(db, now_utc, default_due=None, channels=tuple(CHANNELS)):
    """[(patient id, Nudge, channels)] due now for everyone opted in, in three queries;
    `channels` are those this service can send."""
    default_due = default_due or {}
    scans, sent = {}, {}
    for row in db.query(WAITING_SCANS):
        scans.setdefault(row["patient_id"], []).append(ScanDates(
            row["id"], parse_utc(row["appointment_at"]), row["results_expected_days"], None,
            default_due.get(row["kind"], DEFAULT_DUE)))
    for row in db.query(SENT_TODAY, _day_range(now_utc)):
        sent.setdefault(row["patient_id"], set()).add(row["nudge_key"])
    found = []
    for row in db.query(OPTED_IN):
        patient = row["patient_id"]
        chosen = tuple(c for c in channels if row[CHANNELS[c]])
        if not chosen:
            continue
        found += [(patient, nudge, chosen)
                  for nudge in due(as_choices(row), scans.get(patient, ()), now_utc,
                                   sent.get(patient, set()))]
    return found


def queue(db, found, now_utc):
    """Record each due reminder once per channel; returns how many rows were new."""
    stamp = utc_iso(now_utc)
    before = db.conn.total_changes
    with db.conn:
        db.conn.executemany(
            "INSERT OR IGNORE INTO reminder_sends (patient_id, nudge_key, channel, created_at)"
            " VALUES (?, ?, ?, ?)",
            [(patient, nudge.key, channel, stamp) for patient, nudge, channels in found
             for channel in channels])
    return db.conn.total_changes - before


PENDING = (
    "SELECT r.id, r.patient_id, r.nudge_key, r.channel, r.attempts, u.email"
    # CROSS JOIN keeps reminder_sends first, so the small partial index of queued rows leads.
    " FROM reminder_sends r CROSS JOIN users u ON u.id = r.patient_id"
    " WHERE r.state = 'queued' AND r.nudge_key >= ? AND r.nudge_key < ?"
    " AND (r.tried_at IS NULL OR r.tried_at <= ?) ORDER BY r.id"
)


def still_wanted(db, row):
    """A queued reminder still matches her choices: a retry never goes after she turned it
    off, or after she said her scan's results came."""
    _, kind, scan_id = row["nudge_key"].split(":")
    choices = next(db.query("SELECT * FROM reminder_choices WHERE patient_id = ?",
                            [row["patient_id"]]), None)
    if choices is None or not choices[CHANNELS[row["channel"]]]:
        return False
    if kind == "daily":
        return choices["daily_at"] is not None
    waiting = next(db.query("SELECT 1 FROM scans WHERE id = ? AND patient_id = ?"
                            " AND results_received_on IS NULL",
                            [int(scan_id), row["patient_id"]]), None)
    return bool(choices["scan_nudges"]) and waiting is not None


def deliver_pending(db, now_utc, deliver):
    """Try every queued reminder of today whose turn has come; returns (sent, failed)."""
    sent = failed = 0
    stamp = utc_iso(now_utc)
    rows = list(db.query(PENDING, [*_day_range(now_utc), utc_iso(now_utc - RETRY_AFTER)]))
    for row in rows:
        if not still_wanted(db, row):
            db.execute("UPDATE reminder_sends SET state = 'dropped' WHERE id = ?", [row["id"]])
            continue
        # Claim the try: if another run took it first, the attempts no longer match.
        claimed = db.execute(
            "UPDATE reminder_sends SET attempts = attempts + 1, tried_at = ?"
            " WHERE id = ? AND state = 'queued' AND attempts = ?",
            [stamp, row["id"], row["attempts"]]).rowcount
        if not claimed:
            continue
        try:
            deliver(row)
        except Exception as error:  # noqa: BLE001 - any failure is retried, never fatal
            attempt = row["attempts"] + 1
            final = attempt >= MAX_ATTEMPTS
            if final:
                db.execute("UPDATE reminder_sends SET state = 'failed' WHERE id = ?",
                           [row["id"]])
            # Ids only: no address, no content.
            log.warning("reminder_send_failed send=%s user=%s attempt=%s final=%s error=%s",
                        row["id"], row["patient_id"], attempt, final, type(error).__name__)
            failed += 1
        else:
            db.execute("UPDATE reminder_sends SET state = 'sent', sent_at = ? WHERE id = ?",
                       [stamp, row["id"]])
            log.info("reminder_sent send=%s user=%s", row["id"], row["patient_id"])
            sent += 1
    return sent, failed


def prune(db, now_utc):
    """Forget sends older than KEEP_FOR; they only matter on their own day."""
    return db.execute("DELETE FROM reminder_sends WHERE created_at < ?",
                      [utc_iso(now_utc - KEEP_FOR)]).rowcount
