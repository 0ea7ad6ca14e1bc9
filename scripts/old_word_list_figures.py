"""The concern corpus measured against the word list used before the concern check: the
"before" figures in docs/HAZARDS.md (H03). Usage: python scripts/old_word_list_figures.py
[revision], default 8eb7c4f, the last commit with the plain list."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u201b\u02bc\u2032`\u00b4")


def normalise(text):
    return " ".join(text.casefold().translate(APOSTROPHES).split())


def main(revision="8eb7c4f"):
    toml = subprocess.run(  # noqa: S603 - git, with a revision the person typed
        ["git", "show", f"{revision}:journal/guidance/content/safety.toml"],  # noqa: S607
        cwd=ROOT, check=True, capture_output=True, text=True).stdout
    phrases = sorted({normalise(w) for w in tomllib.loads(toml)["words"]}, key=len, reverse=True)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, phrases)) + r")(?!\w)")
    rows = [line.split(":", 1) for line in
            (ROOT / "tests/data/concern_corpus.txt").read_text().splitlines()
            if line.strip() and not line.startswith("#")]
    found = {kind: [bool(pattern.search(normalise(text))) for k, text in rows if k == kind]
             for kind in ("flag", "none", "gentle")}
    flag, none, gentle = found["flag"], found["none"], found["gentle"]
    print(f"word list at {revision}: {len(rows)} phrases; recall {sum(flag)}/{len(flag)}"
          f" = {sum(flag) / len(flag):.1%}; false alarms {sum(none)}/{len(none)}"
          f" = {sum(none) / len(none):.1%}; denials flagged {sum(gentle)}/{len(gentle)}")


if __name__ == "__main__":
    main(*sys.argv[1:])
