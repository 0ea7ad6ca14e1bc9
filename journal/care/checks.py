"""The words check's answer for each shared entry, stored by entry, so that the inbox does
not run the check again on entries it has already read."""

import dataclasses
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


def concerns(db, rows, safety):
    """{entry id: the Concern triage.concern gives for the row's score and texts}, for
    these entry rows: the words found as stored where they were found in the same texts
    under the same rule, the check itself for the rest, whose words are then stored."""
    key = rule_key(safety)
    digests = {row["id"]: _digest(key, row) for row in rows}
    stored = {entry_id: (digest, found) for entry_id, digest, found in db.execute(
        "SELECT entry_id, digest, found FROM entry_checks"
        " WHERE entry_id IN (SELECT value FROM json_each(?))", [json.dumps(list(digests))])}
    answers, fresh, by_score = {}, [], {}
    for row in rows:
        entry_id = row["id"]
        kept = stored.get(entry_id)
        if kept is not None and kept[0] == digests[entry_id]:
            # The score's part is cheap and read afresh, once per score; only the words are
            # kept, and most entries have none.
            score = by_score.get(row["distress"])
            if score is None:
                score = by_score[row["distress"]] = triage.concern(row["distress"], (), safety)
            found = tuple(concern_check.Found(*words) for words in json.loads(kept[1]))
            answers[entry_id] = dataclasses.replace(score, found=found) if found else score
            continue
        answers[entry_id] = triage.concern(row["distress"], (row["note"], row["prompt_answer"]),
                                           safety)
        found = json.dumps([dataclasses.astuple(f) for f in answers[entry_id].found])
        fresh.append((entry_id, digests[entry_id], found, entry_id))
    if fresh:
        # Words stored from texts that have changed since never match their digest, so no
        # lock is needed; an entry deleted meanwhile is simply not stored.
        with db.atomic():
            db.conn.executemany(
                "INSERT OR REPLACE INTO entry_checks (entry_id, digest, found)"
                " SELECT ?, ?, ? WHERE EXISTS (SELECT 1 FROM entries WHERE id = ?)", fresh)
    return answers
