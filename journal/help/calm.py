"""The calming minute: a breathing and a grounding exercise, read from content/calm.toml."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

CALM_FILE = Path(__file__).resolve().parent / "content" / "calm.toml"
EXERCISES = ("breathing", "grounding")


class CalmContentError(ValueError):
    """The calm content file is missing something or has the wrong kind of value."""


@dataclass(frozen=True)
class Exercise:
    key: str
    title: str
    intro: str
    steps: tuple[str, ...]
    closing: str
    breathe_in: int = 0
    breathe_out: int = 0
    rounds: int = 0

    @property
    def seconds(self):
        """How long the breathing takes, in whole seconds."""
        return (self.breathe_in + self.breathe_out) * self.rounds


def _text(table, key, where):
    value = table.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CalmContentError(f"{where}: '{key}' must be some words")
    return value.strip()


def _count(table, key, where, low, high):
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise CalmContentError(f"{where}: '{key}' must be a whole number from {low} to {high}")
    return value


def parse(data, where="calm.toml"):
    """The exercises from the file's tables, checked, keyed by name."""
    exercises = {}
    for key in EXERCISES:
        table = data.get(key)
        if not isinstance(table, dict):
            raise CalmContentError(f"{where}: the [{key}] table is missing")
        steps = table.get("steps")
        if not isinstance(steps, list) or not steps or not all(
                isinstance(s, str) and s.strip() for s in steps):
            raise CalmContentError(f"{where}: [{key}] needs a list of steps in words")
        timing = {}
        if key == "breathing":
            timing = {"breathe_in": _count(table, "breathe_in", where, 2, 10),
                      "breathe_out": _count(table, "breathe_out", where, 2, 12),
                      "rounds": _count(table, "rounds", where, 1, 20)}
        exercises[key] = Exercise(key=key, title=_text(table, "title", where),
                                  intro=_text(table, "intro", where),
                                  steps=tuple(s.strip() for s in steps),
                                  closing=_text(table, "closing", where), **timing)
    return exercises


def load(path=CALM_FILE):
    """Read and check the calm content file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CalmContentError(f"{path}: {error}") from error
    return parse(data, str(path))
