"""Recovery codes: a way back in for a patient who forgets their password, which needs
no email (a deployment may have no mail server, and a mailbox can be lost too). Stored
hashed; each works once.

A code is 59 random bits, not something a person chose, so a slow password hash adds
nothing that a keyed hash does not: it is stored as HMAC-SHA256 under a key derived from
the server's secret (docs/SECURITY.md). Codes made before that were hashed with argon2id;
those keep working until they are used or replaced."""

import hashlib
import hmac
import re
import secrets

from ..platform.clock import utc_iso, utc_now
from ..platform.db import immediate

COUNT = 8
GROUPS = 3
GROUP_LENGTH = 4
# No 0/o, 1/l/i: easy to copy from paper. 31 symbols, 12 of them: about 59 bits a code,
# tried online only under the sign-in limits.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
KEYED = "hmac-sha256$"
LEGACY = "$argon2"


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


def digest(secret, code: str) -> str:
    """The stored form of a code: HMAC-SHA256 under a key for recovery codes alone."""
    secret = secret.encode() if isinstance(secret, str) else secret
    key = hmac.new(secret, b"waiting-well recovery codes", hashlib.sha256).digest()
    return KEYED + hmac.new(key, code.encode(), hashlib.sha256).hexdigest()


def replace_codes(db, user_id, secret) -> list[str]:
    """Make a new set of codes for the user, ending the old set; returns them in plain text
    for showing once."""
    codes = [new_code() for _ in range(COUNT)]
    hashes = [digest(secret, code) for code in codes]
    now = utc_iso(utc_now())
    with immediate(db):
        db.execute("DELETE FROM recovery_codes WHERE user_id = ?", [user_id])
        for code_hash in hashes:
            db.execute(
                "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
                [user_id, code_hash, now],
            )
        # New codes are not kept until the person says so (see `mark_kept`).
        db.execute("UPDATE users SET recovery_codes_pending_at = ? WHERE id = ?", [now, user_id])
    return codes


def mark_kept(db, user_id):
    """The person has downloaded, printed or copied their codes: stop reminding them."""
    db.execute("UPDATE users SET recovery_codes_pending_at = NULL WHERE id = ?", [user_id])


def unused_count(db, user_id) -> int:
    return db.execute(
        "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", [user_id]
    ).fetchone()[0]


def legacy_codes_left(db) -> bool:
    """Whether any unused code anywhere is still an argon2 hash from before keyed hashing."""
    return db.execute(
        "SELECT EXISTS (SELECT 1 FROM recovery_codes WHERE used_at IS NULL"
        " AND substr(code_hash, 1, 7) = ?)", [LEGACY],
    ).fetchone()[0] == 1


def use_code(db, user_id, code, secret, passwords) -> bool:
    """Spend a matching unused code; False if none matches (or there is no such user).

    The time taken must not tell whether the account exists or how many codes it has
    left: every stored code is compared in constant time, and while any old argon2 codes
    remain in the database, every try checks COUNT argon2 hashes (padding with a dummy),
    whoever it is for.
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
    wanted = digest(secret, code or "-")
    matched = None
    for row in rows:
        if row["code_hash"].startswith(KEYED) and hmac.compare_digest(row["code_hash"], wanted):
            matched = matched or row["id"]
    if legacy_codes_left(db):
        legacy = [row for row in rows if row["code_hash"].startswith(LEGACY)]
        for row in legacy + [None] * (COUNT - len(legacy)):
            ok = passwords.verify(row["code_hash"] if row else None, code or "-")
            if ok and row and matched is None:
                matched = row["id"]
    if matched is None or not code:
        return False
    # Only the first of two racing uses of one code wins.
    cursor = db.execute(
        "UPDATE recovery_codes SET used_at = ? WHERE id = ? AND used_at IS NULL",
        [utc_iso(utc_now()), matched],
    )
    return cursor.rowcount == 1
