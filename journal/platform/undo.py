"""Deleting with a way back: a row is hidden first and erased only once its undo window
has passed. Tables here are the app's own names, never input."""

from datetime import timedelta

from .clock import utc_iso, utc_now

# Long enough to notice a slip on a phone, short enough that deleted words do not linger.
UNDO_WINDOW = timedelta(minutes=10)


def hide(db, table, row_id, now=None):
    """Mark a row deleted, starting its undo window."""
    db.execute(f"UPDATE {table} SET deleted_at = ? WHERE id = ?",  # noqa: S608
               [utc_iso(now or utc_now()), row_id])


def bring_back(db, table, row_id, now=None):
    """Unhide a row if its undo window is still open; True if it came back."""
    cutoff = utc_iso((now or utc_now()) - UNDO_WINDOW)
    cursor = db.execute(
        f"UPDATE {table} SET deleted_at = NULL WHERE id = ? AND deleted_at >= ?",  # noqa: S608
        [row_id, cutoff],
    )
    return cursor.rowcount == 1


def erase_expired(db, table, patient_id, now=None):
    """Erase a patient's rows whose undo window has passed."""
    cutoff = utc_iso((now or utc_now()) - UNDO_WINDOW)
    where = "patient_id = ? AND deleted_at IS NOT NULL AND deleted_at < ?"
    # Read first: there is rarely anything to erase, and a DELETE takes the write lock
    # (waiting behind other people's check-ins) even when it removes nothing.
    if db.execute(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1",  # noqa: S608
                  [patient_id, cutoff]).fetchone():
        db.execute(f"DELETE FROM {table} WHERE {where}", [patient_id, cutoff])  # noqa: S608
