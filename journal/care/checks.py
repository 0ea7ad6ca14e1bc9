"""The words check's answer for each shared entry, stored by entry, so that finding the
flagged entries to pin does not run the check again on entries it has already read."""

import functools
import hashlib
import json
from pathlib import Path

from ..guidance import concern as concern_check
from . import triage


@functools.lru_cache(maxsize=4)
def rule_key(safety):
    """All the check's answer depends on besides the texts: the rule's words, and the check's
    own code, so that a change to either makes every stored answer count as missing."""
    rule = {
        "groups": [[g.name, list(g.phrases), g.pattern.pattern] for g in safety.groups],
        "negations": sorted(safety.negations),
        "fillers": sorted(safety.negation_fillers),
        "spellings": list(safety.spellings),
        "real_words": sorted(safety.real_words),
    }
    digest = hashlib.blake2b(json.dumps(rule, sort_keys=True).encode(), digest_size=16)
    digest.update(Path(concern_check.__file__).read_bytes())
    return digest.digest()


def _digest(key, row):
    digest = hashlib.blake2b(key, digest_size=16)
    for text in (row["note"], row["prompt_answer"]):
        digest.update((text or "").encode())
        digest.update(b"\0")
    return digest.digest()


def words_found(db, rows, safety):
    """{entry id: True when the words check finds worrying words the patient did not deny}
    for these entry rows: the stored answer where it was worked out from the same texts under
    the same rule, the check itself for the rest, whose answers are then stored."""
    key = rule_key(safety)
    digests = {row["id"]: _digest(key, row) for row in rows}
    stored = {entry_id: (digest, disclosed) for entry_id, digest, disclosed in db.execute(
        "SELECT entry_id, digest, disclosed FROM entry_checks"
        " WHERE entry_id IN (SELECT value FROM json_each(?))", [json.dumps(list(digests))])}
    answers, fresh = {}, []
    for row in rows:
        entry_id = row["id"]
        kept = stored.get(entry_id)
        if kept is not None and kept[0] == digests[entry_id]:
            answers[entry_id] = bool(kept[1])
            continue
        found = triage.concern(None, (row["note"], row["prompt_answer"]), safety)
        answers[entry_id] = bool(found.disclosed)
        fresh.append((entry_id, digests[entry_id], answers[entry_id], entry_id))
    if fresh:
        # An answer stored from texts that have changed since never matches their digest,
        # so no lock is needed; an entry deleted meanwhile is simply not stored.
        with db.atomic():
            db.conn.executemany(
                "INSERT OR REPLACE INTO entry_checks (entry_id, digest, disclosed)"
                " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM entries WHERE id = ?)", fresh)
    return answers
