"""The one concern check: does what a patient wrote, or her distress score, call for help?

Pure: plain text and numbers in, a Concern out; no Flask, no database. Every place a
patient writes and every nurse view asks this, so the two can never disagree.

Phrases (in safety.toml) are written plainly, one per line, with a little notation:
  word*      the word with any ending ("kill*" finds kill, kills, killing, killed)
  (a|b c)    one of the choices; a choice may be several words, or empty: (a|)
  ...        up to three other words here ("want ... to die")
  $          the end of a sentence or clause here ("i give up $")
Before matching, the text is case-folded, apostrophes dropped ("can't" is "cant"), and a
word that is one slip from a listed spelling word (same first letter, not a listed real
word) is read as that word, so "sucidal" is read as "suicidal".
"""

import re
from dataclasses import dataclass
from functools import lru_cache

# Clause ends: a phrase never runs across them, and a "not" never reaches over them. A line
# break is not one: phones wrap, and a phrase split over two lines must still be found.
_BOUNDARY = "|"
_TOKENS = re.compile(
    r"[^\W_]+(?:['\u2018\u2019\u201b\u02bc\u2032`\u00b4][^\W_]+)*|[.!?;:,()\u2013\u2014]"
)
_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u201b\u02bc\u2032`\u00b4")
_GAP = r"(?:[^ |]+ ){0,3}"
_END = r"(?=\||$)"
_WORD = re.compile(r"[a-z0-9]+\*?")
GAP_MARK, END_MARK = "...", "$"
# How far back a denial may start: "not going to end my life" is three words back.
NEGATION_REACH = 4


class PhraseError(ValueError):
    """A phrase in safety.toml cannot be read."""


@dataclass(frozen=True)
class Group:
    """One kind of worrying words, e.g. suicidal thoughts."""

    name: str
    phrases: tuple[str, ...]
    pattern: re.Pattern


@dataclass(frozen=True)
class Found:
    """Worrying words found in one text, as the patient wrote them."""

    group: str
    words: str
    denied: bool


@dataclass(frozen=True)
class Concern:
    """What one piece of writing (and score) calls for."""

    high_distress: bool
    found: tuple[Found, ...]

    @property
    def show_help(self) -> bool:
        """The patient sees the help panel (gently, even for a denial)."""
        return self.high_distress or bool(self.found)

    @property
    def disclosed(self) -> tuple[Found, ...]:
        """The worrying words that were not denied."""
        return tuple(f for f in self.found if not f.denied)

    @property
    def flag_nurses(self) -> bool:
        """The care team's inbox flags it: high distress, or words not denied."""
        return self.high_distress or bool(self.disclosed)

    @property
    def reason(self) -> str | None:
        """The flag's words for a nurse, or None."""
        if self.disclosed:
            return "High distress and worrying words" if self.high_distress else "Worrying words"
        return "High distress" if self.high_distress else None


NO_CONCERN = Concern(False, ())


def _word(token: str, where: str) -> str:
    if not _WORD.fullmatch(token):
        raise PhraseError(f"{where}: cannot read {token!r} (use letters, * at the end, ( | ))")
    return re.escape(token.rstrip("*")) + (r"[^ |]*" if token.endswith("*") else "") + " "


def _piece(token: str, where: str) -> tuple[str, bool]:
    """(regular expression eating its own trailing space, whether it may match nothing)."""
    if token == GAP_MARK:
        return _GAP, True
    if token == END_MARK:
        return _END, True
    if token.startswith("(") and token.endswith(")"):
        choices = [c.split() for c in token[1:-1].split("|")]
        words = [c for c in choices if c]
        if not words:
            raise PhraseError(f"{where}: empty choice {token!r}")
        body = "(?:" + "|".join("".join(_word(w, where) for w in c) for c in words) + ")"
        optional = len(words) < len(choices)
        return body + ("?" if optional else ""), optional
    return _word(token, where), False


def _split(phrase: str) -> list[str]:
    """Words of a phrase, keeping each (a|b c) choice whole."""
    tokens, depth, current = [], 0, ""
    for char in phrase:
        depth += (char == "(") - (char == ")")
        if depth not in (0, 1):
            raise PhraseError(f"{phrase!r}: brackets do not pair up")
        if char == " " and depth == 0:
            tokens.append(current)
            current = ""
        else:
            current += char
    if depth:
        raise PhraseError(f"{phrase!r}: brackets do not pair up")
    return [t for t in tokens + [current] if t]


def phrase_regex(phrase: str) -> str:
    """The regular expression for one phrase, over the tidied text."""
    pieces = [_piece(t, repr(phrase)) for t in _split(phrase.casefold().translate(_APOSTROPHES))]
    end = pieces[-1] if pieces and pieces[-1][0] == _END else None
    body = pieces[:-1] if end else pieces
    # A phrase starts and ends on a word that must be there, so the words it shows are tight.
    if not body or body[0][1] or body[-1][1]:
        raise PhraseError(f"{phrase!r}: should start and end with a word, not a choice or ...")
    return "".join(regex for regex, _ in pieces)


def compile_group(name: str, phrases: tuple[str, ...]) -> Group:
    """Check and compile one group of phrases; raises PhraseError naming a bad one."""
    alternatives = [phrase_regex(p) for p in phrases]
    # Whole words only: every word in the line has a space before and after it.
    pattern = re.compile(r"(?<= )(?:" + "|".join(alternatives) + ")")
    return Group(name, tuple(phrases), pattern)


def osa_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, change, swap two neighbours) from a to b, or limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            row[j] = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], previous2[j - 2] + 1)
        if min(row) > limit:
            return limit + 1
        previous2, previous = previous, row
    return previous[-1]


# Words repeat across notes and pages of the inbox, so each is worked out once.
@lru_cache(maxsize=8192)
def _respell(word: str, spellings: tuple[str, ...], real_words: frozenset[str]) -> str:
    """The listed spelling this word is one slip from (two for long words), or the word."""
    if len(word) < 5 or word in real_words or word in spellings:
        return word
    for wanted in spellings:
        limit = 2 if len(wanted) >= 8 else 1
        if wanted[0] == word[0] and osa_distance(word, wanted, limit) <= limit:
            return wanted
    return word


def _tokens(text: str, spellings, real_words):
    """(tidied word or "|", start, end in the original text) for each word and clause end."""
    out = []
    for m in _TOKENS.finditer(text):
        raw = m.group()
        if raw[0].isalnum():
            word = _respell(raw.casefold().translate(_APOSTROPHES), spellings, real_words)
            out.append((word, m.start(), m.end()))
        elif not out or out[-1][0] != _BOUNDARY:
            out.append((_BOUNDARY, m.start(), m.end()))
    return out


def find(text: str, safety) -> tuple[Found, ...]:
    """Worrying words in one text, in the order they appear, as safety.toml lists them."""
    if not text or not text.strip():
        return ()
    tokens = _tokens(text, safety.spellings, safety.real_words)
    line, starts = " ", []
    for word, _, _ in tokens:
        starts.append(len(line))
        line += word + " "
    found = []
    for group in safety.groups:
        for m in group.pattern.finditer(line):
            first = starts.index(m.start())
            last = max(i for i, s in enumerate(starts) if s < m.end())
            words = text[tokens[first][1]:tokens[last][2]]
            denied = _denied(tokens, first, safety.negations, safety.negation_fillers)
            found.append((first, Found(group.name, words, denied)))
    return tuple(f for _, f in sorted(found, key=lambda pair: pair[0]))


def _denied(tokens, first, negations, fillers) -> bool:
    """A negation just before the phrase, with only small filler words between."""
    for word, _, _ in reversed(tokens[max(0, first - NEGATION_REACH):first]):
        if word in negations:
            return True
        if word not in fillers:
            return False
    return False


def check(safety, distress: int | None = None, *texts: str | None) -> Concern:
    """The concern check for a distress score (or None) and any texts the patient wrote."""
    high = distress is not None and distress >= safety.high_distress
    return Concern(high, tuple(f for text in texts if text for f in find(text, safety)))


def distress_band(distress: int | None, safety) -> str | None:
    """"high", "mid" or "low" for a score, from the same levels as the safety net."""
    if distress is None:
        return None
    if distress >= safety.high_distress:
        return "high"
    return "mid" if distress >= safety.raised_distress else "low"
