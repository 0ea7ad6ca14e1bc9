"""Failed sign-in limits, per account and per address, kept in the database so they
hold across restarts and across gunicorn workers."""

import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..platform.clock import parse_utc, utc_iso
from ..platform.db import immediate


@dataclass(frozen=True)
class Limit:
    """At most `failures` failed tries within `window`."""

    failures: int
    window: timedelta


# A request reads its clock before it waits for the write lock, so a try that another
# request counted meanwhile can carry a time a little after this one's "now": it still
# counts, or parallel tries slip one past the limit. A time further ahead than this is a
# clock's mistake and is ignored.
CLOCK_SKEW = timedelta(seconds=30)


def wait_needed(failed_at: list[datetime], now: datetime, limit: Limit) -> timedelta | None:
    """How long until another try is allowed, or None if one is allowed now.

    A try is refused while `limit.failures` failures sit inside the window ending now;
    it opens again when the oldest of those leaves the window.
    """
    recent = sorted(t for t in failed_at if now - limit.window < t <= now + CLOCK_SKEW)
    if len(recent) < limit.failures:
        return None
    return recent[-limit.failures] + limit.window - now


def minutes_to_wait(wait: timedelta) -> int:
    """Whole minutes, rounded up, to tell a person (never 0)."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def account_key(email: str) -> str:
    """What we store for the typed email: a hash, since it may not be an account at all."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """A try that was let through and counted as a failure until it succeeds."""

    failure_id: int | None
    wait: timedelta | None

    @property
    def allowed(self) -> bool:
        return self.wait is None


_RECENT = {
    "account": "SELECT failed_at FROM sign_in_failures WHERE account_key = ? AND failed_at > ?",
    "address": "SELECT failed_at FROM sign_in_failures WHERE address = ? AND failed_at > ?",
}


def _times(db, by, value, since):
    rows = db.query(_RECENT[by], [value, utc_iso(since)])
    return [parse_utc(row["failed_at"]) for row in rows]


def begin(db, email, address, now, per_account: Limit, per_address: Limit,
          scope="") -> Attempt:
    """Check both limits and, if the try may go ahead, count it as a failure first.

    Counting before the (slow) password check, under the write lock, stops parallel
    tries from several workers slipping past the limit together. A `scope` such as
    "sign-up:" keeps another kind of try in its own count, apart from sign-in failures.
    """
    key = account_key(scope + (email or "").strip().lower())
    address = scope + address
    with immediate(db):
        waits = [
            wait_needed(_times(db, "account", key, now - per_account.window), now, per_account),
            wait_needed(_times(db, "address", address, now - per_address.window), now, per_address),
        ]
        wait = max((w for w in waits if w is not None), default=None)
        if wait is not None:
            return Attempt(None, wait)
        cursor = db.conn.execute(
            "INSERT INTO sign_in_failures (account_key, address, failed_at) VALUES (?, ?, ?)",
            [key, address, utc_iso(now)],
        )
        return Attempt(cursor.lastrowid, None)


def succeeded(db, email):
    """A right answer clears the account's failures (the address keeps its count)."""
    db.execute("DELETE FROM sign_in_failures WHERE account_key = ?", [account_key(email)])


def forget_before(db, cutoff):
    """Drop failures too old to matter, so the table stays small."""
    db.execute("DELETE FROM sign_in_failures WHERE failed_at < ?", [utc_iso(cutoff)])


def forgive(db, failure_id):
    """Take back one counted try that turned out right, leaving the others' count alone."""
    db.execute("DELETE FROM sign_in_failures WHERE id = ?", [failure_id])
