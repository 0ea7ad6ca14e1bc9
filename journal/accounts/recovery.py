"""Recovery codes: a way back in for a patient who forgets their password, since we
hold no email we could send a reset link to. Stored hashed; each works once."""

import re
import secrets

from ..platform.clock import utc_iso, utc_now
from ..platform.db import immediate

COUNT = 8
GROUPS = 3
GROUP_LENGTH = 4
# No 0/o, 1/l/i: easy to copy from paper. 31 symbols, 12 of them: about 59 bits a code,
# hashed with argon2 and tried online only under the sign-in limits.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def new_code() -> str:
    """One code such as 'k7mq-2xfp-9hdt'."""
    groups = ("".join(secrets.choice(ALPHABET) for _ in range(GROUP_LENGTH)) for _ in range(GROUPS))
    return "-".join(groups)


def clean(code: str) -> str:
    """A typed code in the stored form: lower case, grouped with dashes, spaces ignored."""
    bare = re.sub(r"[\s-]", "", (code or "").lower())
    if len(bare) != GROUPS * GROUP_LENGTH or any(c not in ALPHABET for c in bare):
        return ""
    return "-".join(bare[i : i + GROUP_LENGTH] for i in range(0, len(bare), GROUP_LENGTH))


def replace_codes(db, user_id, passwords) -> list[str]:
    """Make a new set of codes for the user, ending the old set; returns them in plain text
    for showing once."""
    codes = [new_code() for _ in range(COUNT)]
    hashes = [passwords.hash(code) for code in codes]
    now = utc_iso(utc_now())
    with immediate(db):
        db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
        for code_hash in hashes:
            db.execute(
                "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
                [user_id, code_hash, now],
            )
    return codes


def unused_count(db, user_id) -> int:
    return db.execute(
        "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", [user_id]
    ).fetchone()[0]


def use_code(db, user_id, code, passwords) -> bool:
    """Spend a matching unused code; False if none matches (or there is no such user).

    Always checks COUNT hashes, padding with a dummy, so the time taken does not tell
    whether the account exists or how many codes it has left.
    """
    code = clean(code)
    rows = []
    if user_id is not None:
        rows = list(
            db.query(
                "SELECT id, code_hash FROM recovery_codes WHERE user_id = ? AND used_at IS NULL",
                [user_id],
            )
        )
    matched = None
    for row in rows + [None] * (COUNT - len(rows)):
        ok = passwords.verify(row["code_hash"] if row else None, code or "-")
        if ok and row and matched is None:
            matched = row["id"]
    if matched is None:
        return False
    # Only the first of two racing uses of one code wins.
    cursor = db.execute(
        "UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
        [utc_iso(utc_now()), matched],
    )
    return cursor.rowcount == 1
