"""Content packs (guidance, prompts, questions) and the safety rule, read from TOML."""

import hashlib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType

from ..scans.expectations import Line
from ..scans.stages import STAGES
from .concern import Group, PhraseError, compile_group

CONTENT_DIR = Path(__file__).parent / "content"
SAFETY_FILE = "safety.toml"
OPTIONAL_STAGES = frozenset({"no-date"})
REQUIRED_STAGES = tuple(s for s in STAGES if s not in OPTIONAL_STAGES)
MIN_PROMPTS = 3
BASES = ("leaflet", "general")
PACK_KEYS = (
    "kind",
    "name",
    "basis",
    "review",
    "default_results_days",
    "stages",
    "questions",
)
# A leaflet pack names its leaflet; a general pack says in its own words what it rests on.
OPTIONAL_PACK_KEYS = ("source", "basis_note")
# A results timescale in a sentence shown whatever she was told: it belongs in a
# {usual, told} line, so that a time she was told replaces it.
_TIMESCALE = re.compile(r"\b(weeks?|fortnight|\d+\s+(to\s+\d+\s+)?days?)\b", re.IGNORECASE)
_KIND = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# Dropped, not just unified, so "can't", "can’t" and a typed "cant" all match.
_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019\u201b\u02bc\u2032`\u00b4")


class ContentError(Exception):
    """A content file is missing, malformed or fails validation."""


@dataclass(frozen=True)
class Source:
    """The published leaflet a pack is built on."""

    title: str
    publisher: str
    reviewed: date
    next_review: date
    references: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class Review:
    """Our own review of a pack, separate from the source's."""

    reviewed_on: date
    reviewed_by: str
    review_by: date


@dataclass(frozen=True)
class StageText:
    """What a patient reads at one stage, and the prompts offered there."""

    title: str
    body: tuple[Line, ...]
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    """A question the patient might ask at the appointment."""

    text: str
    why: str | None = None


@dataclass(frozen=True)
class Pack:
    """All content for one kind of scan."""

    kind: str
    name: str
    basis: str
    source: Source | None
    basis_note: str | None
    review: Review
    default_results_days: tuple[int, int]
    stages: Mapping[str, StageText]
    questions: tuple[Question, ...]

    @property
    def usual_results_days(self) -> tuple[int, int] | None:
        """The usual results window to show, only when a leaflet gives one."""
        return self.default_results_days if self.basis == "leaflet" else None


@dataclass(frozen=True)
class Safety:
    """When what a patient writes, or her score, brings help forward and flags her entry."""

    high_distress: int
    raised_distress: int
    groups: tuple[Group, ...]
    negations: frozenset[str]
    negation_fillers: frozenset[str]
    spellings: tuple[str, ...]
    real_words: frozenset[str]
    reviewed_by: str
    reviewed_on: date
    review_by: date


class _Checker:
    """Strict readers that name the file and the place of any problem."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, where: str, problem: str):
        raise ContentError(f"{self.path.name}: {where}: {problem}")

    def table(self, data, where, required, optional=()) -> dict:
        if not isinstance(data, dict):
            self.fail(where, "should be a table")
        missing = [key for key in required if key not in data]
        if missing:
            self.fail(where, f"missing {', '.join(missing)}")
        unknown = sorted(set(data) - set(required) - set(optional))
        if unknown:
            self.fail(where, f"unknown key(s) {', '.join(unknown)}")
        return data

    def text(self, data, key, where) -> str:
        value = data[key]
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{where}.{key}", "should be non-empty text")
        return value.strip()

    def optional_text(self, data, key, where) -> str | None:
        return self.text(data, key, where) if key in data else None

    def texts(self, data, key, where, minimum=1) -> tuple[str, ...]:
        values = data[key]
        if not isinstance(values, list):
            self.fail(f"{where}.{key}", "should be a list of text")
        if len(values) < minimum:
            self.fail(f"{where}.{key}", f"needs at least {minimum}, found {len(values)}")
        return tuple(self.text({key: v}, key, where) for v in values)

    def day(self, data, key, where) -> date:
        value = data[key]
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                pass
        # TOML datetimes are dates too, so rule them out by name.
        if not isinstance(value, date) or isinstance(value, datetime):
            self.fail(f"{where}.{key}", f"should be a date like 2026-11-25, got {value!r}")
        return value

    def integer(self, value, where, low, high) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(where, f"should be a whole number from {low} to {high}, got {value!r}")
        return value


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{path.name}: not valid TOML: {error}") from error
    except OSError as error:
        raise ContentError(f"{path.name}: cannot be read: {error}") from error


def _source(check: _Checker, data) -> Source:
    where = "source"
    check.table(
        data,
        where,
        ("title", "publisher", "reviewed", "next_review", "references"),
        ("note",),
    )
    source = Source(
        title=check.text(data, "title", where),
        publisher=check.text(data, "publisher", where),
        reviewed=check.day(data, "reviewed", where),
        next_review=check.day(data, "next_review", where),
        references=check.texts(data, "references", where, minimum=0),
        note=check.optional_text(data, "note", where),
    )
    if source.next_review <= source.reviewed:
        check.fail(where, "next_review should be after reviewed")
    return source


def _review(check: _Checker, data) -> Review:
    where = "review"
    check.table(data, where, ("reviewed_on", "reviewed_by", "review_by"))
    review = Review(
        reviewed_on=check.day(data, "reviewed_on", where),
        reviewed_by=check.text(data, "reviewed_by", where),
        review_by=check.day(data, "review_by", where),
    )
    if review.review_by <= review.reviewed_on:
        check.fail(where, "review_by should be after reviewed_on")
    return review


def _body(check: _Checker, table, where, usual: bool) -> tuple[Line, ...]:
    """Plain sentences, and {usual, told} tables for any sentence about results timing."""
    items = table["body"]
    if not isinstance(items, list) or not items:
        check.fail(f"{where}.body", "needs at least 1 line")
    lines = []
    for number, item in enumerate(items, start=1):
        at = f"{where}.body[{number}]"
        if isinstance(item, dict):
            check.table(item, at, (), ("usual", "told"))
            if not item:
                check.fail(at, "needs usual, told or both")
            line = Line(check.optional_text(item, "usual", at),
                        check.optional_text(item, "told", at))
            for key, allowed in (("usual", "{usual}"), ("told", "{told}")):
                text = getattr(line, key) or ""
                stray = set(re.findall(r"\{[^}]*\}", text)) - {allowed}
                if stray:
                    check.fail(f"{at}.{key}", f"only {allowed} may be filled in here")
            if not usual and "{usual}" in (line.usual or ""):
                check.fail(f"{at}.usual", "a general pack has no source for a usual time")
        else:
            text = check.text({"line": item}, "line", at)
            if _TIMESCALE.search(text):
                check.fail(at, "a results timescale belongs in a {usual, told} line, "
                               "so that what she was told can replace it")
            line = Line(text, text)
        lines.append(line)
    return tuple(lines)


def _stages(check: _Checker, data, usual: bool) -> Mapping[str, StageText]:
    check.table(data, "stages", REQUIRED_STAGES, OPTIONAL_STAGES)
    stages = {}
    for name, table in data.items():
        where = f"stages.{name}"
        check.table(table, where, ("title", "body", "prompts"))
        stages[name] = StageText(
            title=check.text(table, "title", where),
            body=_body(check, table, where, usual),
            prompts=check.texts(table, "prompts", where, minimum=MIN_PROMPTS),
        )
    return MappingProxyType(stages)


def _questions(check: _Checker, data) -> tuple[Question, ...]:
    if not isinstance(data, list) or not data:
        check.fail("questions", "needs at least one [[questions]] entry")
    questions = []
    for number, table in enumerate(data, start=1):
        where = f"questions[{number}]"
        check.table(table, where, ("text",), ("why",))
        questions.append(
            Question(check.text(table, "text", where), check.optional_text(table, "why", where))
        )
    return tuple(questions)


def _results_days(check: _Checker, value) -> tuple[int, int]:
    where = "default_results_days"
    if not isinstance(value, list) or len(value) != 2:
        check.fail(where, f"should be two numbers of days like [7, 14], got {value!r}")
    first, last = (check.integer(days, where, 1, 365) for days in value)
    if first > last:
        check.fail(where, f"the first number should not be bigger than the second, got {value!r}")
    return first, last


def load_pack(path: Path) -> Pack:
    """Read and validate one content pack file."""
    check = _Checker(path)
    data = check.table(_read_toml(path), "top level", PACK_KEYS, OPTIONAL_PACK_KEYS)
    kind = check.text(data, "kind", "top level")
    if kind != path.stem or not _KIND.fullmatch(kind):
        check.fail("kind", f"should be lowercase-with-hyphens and match the file name: {kind!r}")
    basis = check.text(data, "basis", "top level")
    if basis not in BASES:
        check.fail("basis", f"should be one of {', '.join(BASES)}, got {basis!r}")
    # Only a leaflet names a source; a general pack must not borrow one it is not built on.
    if basis == "leaflet" and "source" not in data:
        check.fail("source", "a leaflet pack names its leaflet")
    if basis == "general" and "source" in data:
        check.fail("source", "a general pack is not built on a leaflet: say so in basis_note")
    if basis == "general" and "basis_note" not in data:
        check.fail("basis_note", "a general pack says what it rests on")
    leaflet = basis == "leaflet"
    return Pack(
        kind=kind,
        name=check.text(data, "name", "top level"),
        basis=basis,
        source=_source(check, data["source"]) if leaflet else None,
        basis_note=check.optional_text(data, "basis_note", "top level"),
        review=_review(check, data["review"]),
        default_results_days=_results_days(check, data["default_results_days"]),
        stages=_stages(check, data["stages"], usual=leaflet),
        questions=_questions(check, data["questions"]),
    )


def load_packs(folder: Path | str | None = None) -> dict[str, Pack]:
    """Read every pack in the folder (all *.toml but safety.toml), keyed by kind."""
    folder = Path(folder) if folder is not None else CONTENT_DIR
    paths = sorted(p for p in folder.glob("*.toml") if p.name != SAFETY_FILE)
    if not paths:
        raise ContentError(f"{folder}: no content packs found")
    return {pack.kind: pack for pack in map(load_pack, paths)}


def normalise(text: str) -> str:
    """Case-fold, drop apostrophes and collapse spaces, for phrase matching."""
    return " ".join(text.casefold().translate(_APOSTROPHES).split())


SAFETY_KEYS = ("high_distress", "raised_distress", "negations", "negation_fillers",
               "spellings", "real_words", "reviewed_by", "reviewed_on", "review_by", "groups")


def _words(check: _Checker, data, key) -> frozenset[str]:
    words = check.texts(data, key, "top level")
    for word in words:
        if normalise(word) != word or " " in word:
            check.fail(key, f"{word!r} should be one lowercase word without apostrophes")
    return frozenset(words)


def _groups(check: _Checker, data) -> tuple[Group, ...]:
    if not isinstance(data, list) or not data:
        check.fail("groups", "needs at least one [[groups]] entry")
    groups = []
    for number, table in enumerate(data, start=1):
        where = f"groups[{number}]"
        check.table(table, where, ("name", "phrases"))
        try:
            groups.append(compile_group(check.text(table, "name", where),
                                        check.texts(table, "phrases", where)))
        except PhraseError as error:
            check.fail(f"{where}.phrases", str(error))
    return tuple(groups)


def load_safety(folder: Path | str | None = None) -> Safety:
    """Read, validate and compile safety.toml."""
    path = (Path(folder) if folder is not None else CONTENT_DIR) / SAFETY_FILE
    check = _Checker(path)
    data = check.table(_read_toml(path), "top level", SAFETY_KEYS)
    high = check.integer(data["high_distress"], "high_distress", 1, 10)
    raised = check.integer(data["raised_distress"], "raised_distress", 1, 10)
    if raised >= high:
        check.fail("raised_distress", "should be lower than high_distress")
    safety = Safety(
        high_distress=high,
        raised_distress=raised,
        groups=_groups(check, data["groups"]),
        negations=_words(check, data, "negations"),
        negation_fillers=_words(check, data, "negation_fillers"),
        spellings=tuple(sorted(_words(check, data, "spellings"))),
        real_words=_words(check, data, "real_words"),
        reviewed_by=check.text(data, "reviewed_by", "top level"),
        reviewed_on=check.day(data, "reviewed_on", "top level"),
        review_by=check.day(data, "review_by", "top level"),
    )
    if safety.review_by <= safety.reviewed_on:
        check.fail("review_by", "should be after reviewed_on")
    return safety


def stage_text(pack: Pack, stage: str) -> StageText:
    """Return a pack's text for a stage; "no-date" falls back to "before"."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    return pack.stages.get(stage) or pack.stages["before"]


def prompt_for_day(pack: Pack, stage: str, day: date, salt: str) -> str:
    """Pick one prompt for this day: the same all day, a different one tomorrow."""
    prompts = stage_text(pack, stage).prompts
    # hashlib, not hash(), so every process and restart picks the same prompt.
    seed = hashlib.sha256(f"{salt}|{pack.kind}|{stage}".encode()).digest()
    # Stepping one place a day shows every prompt before any repeats.
    return prompts[(int.from_bytes(seed[:8], "big") + day.toordinal()) % len(prompts)]


def pack_is_past_review(pack: Pack, today: date) -> bool:
    """Say whether our own review date for the pack has passed."""
    return today > pack.review.review_by
