import json
import os
import re
import subprocess
import sys
import tomllib
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from journal.guidance import concern
from journal.guidance.packs import (
    CONTENT_DIR,
    REQUIRED_STAGES,
    ContentError,
    load_pack,
    load_packs,
    load_safety,
    normalise,
    pack_is_past_review,
    prompt_for_day,
    stage_text,
)

REPO = Path(__file__).resolve().parents[2]


def real_pack_data():
    with (CONTENT_DIR / "liver-ultrasound.toml").open("rb") as f:
        return tomllib.load(f)


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):  # an inline table, as a { usual, told } body line is written
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)  # a TOML basic string


def to_toml(data, prefix=""):
    """Write a small dict as TOML, enough for these tests."""
    lines, tables, arrays = [], [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            arrays.append((key, value))
        else:
            lines.append(f"{key} = {toml_value(value)}")
    for key, value in tables:
        lines += ["", f"[{prefix}{key}]", to_toml(value, f"{prefix}{key}.")]
    for key, items in arrays:
        for item in items:
            lines += ["", f"[[{prefix}{key}]]", to_toml(item, f"{prefix}{key}.")]
    return "\n".join(lines)


def write_pack(folder, data, name=None):
    path = folder / (name or f"{data['kind']}.toml")
    path.write_text(to_toml(data), encoding="utf-8")
    return path


# --- the real files ---------------------------------------------------------


def test_real_packs_load():
    packs = load_packs()
    assert set(packs) == {"liver-ultrasound", "ct-scan"}
    for pack in packs.values():
        assert set(REQUIRED_STAGES) <= set(pack.stages)
        assert pack.default_results_days == (7, 14)
        assert pack.review.reviewed_on == date(2026, 11, 25)
        assert pack.review.review_by == date(2027, 11, 25)
        assert pack.questions
        assert all(len(stage.prompts) >= 3 for stage in pack.stages.values())


def test_liver_pack_credits_its_source():
    pack = load_packs()["liver-ultrasound"]
    assert pack.name == "Liver ultrasound"
    assert pack.basis == "leaflet"
    assert pack.source.title == "Liver ultrasound for secondary breast cancer"
    assert pack.source.publisher == "Cancer Research UK"
    assert pack.source.reviewed == date(2020, 10, 29)
    assert pack.source.next_review == date(2023, 10, 29)
    assert len(pack.source.references) == 3
    assert any("how long" in q.text.lower() for q in pack.questions)


def test_ct_pack_is_marked_general():
    pack = load_packs()["ct-scan"]
    assert pack.basis == "general"
    # It borrows no leaflet as its source, says what it rests on, and offers no usual time.
    assert pack.source is None
    assert "not built on a leaflet about CT scans" in pack.basis_note
    assert pack.usual_results_days is None


def test_real_pack_sentences_are_short():
    packs = load_packs().values()
    lines = [text for p in packs for s in p.stages.values() for line in s.body
             for text in (line.usual, line.told) if text]
    texts = [t for p in packs for s in p.stages.values() for t in (s.title, *s.prompts)] + lines
    texts += [q.text for p in packs for q in p.questions]
    for text in texts:
        for sentence in re.split(r"(?<=[.?!])\s+", text):
            assert len(sentence.split()) <= 25, sentence


def test_real_safety_loads():
    safety = load_safety()
    assert (safety.high_distress, safety.raised_distress) == (8, 4)
    assert [g.name for g in safety.groups] == [
        "Suicidal thoughts", "Self-harm", "Overdose", "Hopelessness", "Not coping"]
    assert "not" in safety.negations and "suicidal" in safety.spellings
    assert safety.reviewed_on < safety.review_by


def test_stages_are_read_only():
    pack = load_packs()["liver-ultrasound"]
    with pytest.raises(TypeError):
        pack.stages["before"] = pack.stages["waiting"]


# --- malformed packs --------------------------------------------------------


def _set(path, value):
    def change(data):
        *parents, last = path.split(".")
        for key in parents:
            data = data[int(key)] if isinstance(data, list) else data[key]
        data[last] = value

    return change


def _drop(path):
    def change(data):
        *parents, last = path.split(".")
        for key in parents:
            data = data[key]
        del data[last]

    return change


MALFORMED = [
    pytest.param(_drop("stages.overdue"), "stages: missing overdue", id="missing-stage"),
    pytest.param(_drop("name"), "top level: missing name", id="missing-name"),
    pytest.param(_drop("source"), "source: a leaflet pack names its leaflet", id="missing-source"),
    pytest.param(_drop("stages.waiting.title"), "stages.waiting: missing title", id="no-title"),
    pytest.param(_drop("review.reviewed_by"), "review: missing reviewed_by", id="no-reviewer"),
    pytest.param(
        _set("review.review_by", "2027-13-45"), "review.review_by: should be a date", id="bad-date"
    ),
    pytest.param(
        _set("source.reviewed", 20201029), "source.reviewed: should be a date", id="number-date"
    ),
    pytest.param(
        _set("review.reviewed_on", datetime(2026, 11, 25, 9)),
        "review.reviewed_on: should be a date",
        id="datetime-not-date",
    ),
    pytest.param(
        _set("review.review_by", date(2026, 1, 1)),
        "review_by should be after reviewed_on",
        id="review-by-before-reviewed",
    ),
    pytest.param(
        _set("stages.waiting.prompts", ["One?", "Two?"]),
        "stages.waiting.prompts: needs at least 3, found 2",
        id="two-prompts",
    ),
    pytest.param(
        _set("stages.before.prompts", "Just one?"),
        "stages.before.prompts: should be a list",
        id="prompts-not-a-list",
    ),
    pytest.param(
        _set("stages.before.body", ["Fine.", "  "]),
        "stages.before.body[2].line: should be non-empty text",
        id="blank-paragraph",
    ),
    pytest.param(
        _set("stages.before.body", []), "stages.before.body: needs at least 1", id="empty-body"
    ),
    pytest.param(_set("colour", "blue"), "top level: unknown key(s) colour", id="unknown-key"),
    pytest.param(
        _set("stages.celebrate", {"title": "x", "body": ["x"], "prompts": ["a", "b", "c"]}),
        "stages: unknown key(s) celebrate",
        id="unknown-stage",
    ),
    pytest.param(
        _set("stages.before.emoji", "yes"),
        "stages.before: unknown key(s) emoji",
        id="unknown-stage-key",
    ),
    pytest.param(
        _set("questions.0.answer", "no"), "questions[1]: unknown key(s) answer", id="question-key"
    ),
    pytest.param(_set("questions", []), "questions: needs at least one", id="no-questions"),
    pytest.param(_set("stages", "all"), "stages: should be a table", id="stages-not-table"),
    pytest.param(_set("basis", "rumour"), "basis: should be one of", id="unknown-basis"),
    pytest.param(
        _set("default_results_days", [14, 7]),
        "default_results_days: the first number should not be bigger",
        id="window-backwards",
    ),
    pytest.param(
        _set("default_results_days", [7]),
        "default_results_days: should be two numbers",
        id="window-one-number",
    ),
    pytest.param(
        _set("default_results_days", [7, True]),
        "default_results_days: should be a whole number",
        id="window-boolean",
    ),
    # A results time in a sentence shown whatever she was told could contradict her.
    pytest.param(
        _set("stages.waiting.body", ["Results usually take 1 to 2 weeks."]),
        "stages.waiting.body[1]: a results timescale belongs in a {usual, told} line",
        id="timescale-in-a-plain-line",
    ),
    pytest.param(
        _set("stages.waiting.body", ["Results usually take 10 days."]),
        "stages.waiting.body[1]: a results timescale",
        id="days-in-a-plain-line",
    ),
    pytest.param(
        _set("stages.waiting.body", [{"usual": "Usually {told}."}]),
        "stages.waiting.body[1].usual: only {usual} may be filled in here",
        id="told-in-the-usual-line",
    ),
    pytest.param(
        _set("stages.waiting.body", [{}]), "stages.waiting.body[1]: needs usual, told or both",
        id="empty-line-table",
    ),
    pytest.param(
        _set("basis", "general"),
        "source: a general pack is not built on a leaflet: say so in basis_note",
        id="general-pack-borrowing-a-source",
    ),
]


@pytest.mark.parametrize(("change", "message"), MALFORMED)
def test_malformed_pack_fails_clearly(tmp_path, change, message):
    data = real_pack_data()
    change(data)
    write_pack(tmp_path, data, "liver-ultrasound.toml")
    with pytest.raises(ContentError) as error:
        load_packs(tmp_path)
    assert str(error.value).startswith("liver-ultrasound.toml: ")
    assert message in str(error.value)


def test_general_pack_cannot_show_a_usual_time(tmp_path):
    data = real_pack_data()
    data["basis"] = "general"
    del data["source"]
    data["basis_note"] = "General help only."
    write_pack(tmp_path, data, "liver-ultrasound.toml")
    with pytest.raises(ContentError, match=r"stages\.afterwards\.body\[4\]\.usual: a general "
                                           r"pack has no source for a usual time"):
        load_packs(tmp_path)


def test_ct_pack_shows_no_usual_time_and_no_medicines_advice():
    pack = load_packs()["ct-scan"]
    words = " ".join(text for s in pack.stages.values() for line in s.body
                     for text in (line.usual, line.told) if text)
    assert not re.search(r"\bweeks?\b|\d+ days?\b|usually", words)
    assert "Keep taking your medicines" not in words


def test_kind_must_match_file_name(tmp_path):
    path = write_pack(tmp_path, real_pack_data(), "mri-scan.toml")
    with pytest.raises(ContentError, match=r"^mri-scan\.toml: kind: .*match the file name"):
        load_pack(path)


def test_invalid_toml_names_the_file(tmp_path):
    (tmp_path / "broken.toml").write_text('kind = "broken\n', encoding="utf-8")
    with pytest.raises(ContentError, match=r"^broken\.toml: not valid TOML"):
        load_packs(tmp_path)


def test_folder_without_packs_fails(tmp_path):
    with pytest.raises(ContentError, match="no content packs"):
        load_packs(tmp_path)


def test_new_pack_file_needs_no_code_change(tmp_path):
    data = real_pack_data()
    data["kind"], data["name"] = "mri-scan", "MRI scan"
    write_pack(tmp_path, data)
    (tmp_path / "safety.toml").write_text("not a pack", encoding="utf-8")
    assert list(load_packs(tmp_path)) == ["mri-scan"]


def test_dates_may_be_written_as_text(tmp_path):
    data = real_pack_data()
    data["review"]["review_by"] = "2027-11-25"
    pack = load_pack(write_pack(tmp_path, data))
    assert pack.review.review_by == date(2027, 11, 25)


def test_no_date_stage_is_optional_and_falls_back_to_before(tmp_path):
    data = real_pack_data()
    del data["stages"]["no-date"]
    pack = load_pack(write_pack(tmp_path, data))
    assert "no-date" not in pack.stages
    assert stage_text(pack, "no-date") == pack.stages["before"]
    picked = prompt_for_day(pack, "no-date", date(2026, 11, 25), "p1")
    assert picked in pack.stages["before"].prompts


# --- malformed safety -------------------------------------------------------

SAFETY_OK = {
    "high_distress": 8,
    "raised_distress": 4,
    "negations": ["not"],
    "negation_fillers": ["im"],
    "spellings": ["suicidal"],
    "real_words": ["homeless"],
    "reviewed_by": "Team",
    "reviewed_on": date(2026, 11, 25),
    "review_by": date(2027, 5, 25),
    "groups": [{"name": "Not coping", "phrases": ["(cant|cannot) cope"]}],
}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        pytest.param({"high_distress": 11}, "high_distress: should be a whole number", id="11"),
        pytest.param({"high_distress": "8"}, "high_distress: should be a whole number", id="text"),
        pytest.param({"raised_distress": 8}, "raised_distress: should be lower", id="bands"),
        pytest.param({"groups": []}, "groups: needs at least one", id="no-groups"),
        pytest.param({"groups": [{"name": "x", "phrases": []}]}, "phrases: needs at least 1",
                     id="no-phrases"),
        pytest.param({"groups": [{"name": "x", "phrases": ["(cant cope"]}]},
                     "brackets do not pair up", id="unpaired-bracket"),
        pytest.param({"groups": [{"name": "x", "phrases": ["(so|) sad"]}]},
                     "should start and end with a word", id="starts-optional"),
        pytest.param({"groups": [{"name": "x", "phrases": ["sad + low"]}]},
                     "cannot read '+'", id="odd-character"),
        pytest.param({"negations": ["do not"]}, "negations: 'do not' should be one",
                     id="two-words"),
        pytest.param({"spellings": ["Can't"]}, "spellings: \"Can't\" should be one",
                     id="apostrophe"),
        pytest.param({"reviewed_on": "soon"}, "reviewed_on: should be a date", id="bad-date"),
        pytest.param({"review_by": date(2026, 11, 1)}, "review_by: should be after",
                     id="review-before"),
        pytest.param({"extra": 1}, "unknown key(s) extra", id="unknown-key"),
    ],
)
def test_malformed_safety_fails_clearly(tmp_path, changes, message):
    (tmp_path / "safety.toml").write_text(to_toml({**SAFETY_OK, **changes}), encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_safety(tmp_path)
    assert str(error.value).startswith("safety.toml: ")
    assert message in str(error.value)


def test_missing_safety_file_fails(tmp_path):
    with pytest.raises(ContentError, match=r"^safety\.toml: cannot be read"):
        load_safety(tmp_path)


# --- the concern check with the real list -----------------------------------


@pytest.mark.parametrize(
    ("distress", "note", "expected"),
    [
        pytest.param(8, "", True, id="distress-at-level"),
        pytest.param(10, "Fine today.", True, id="distress-above-level"),
        pytest.param(7, "", False, id="distress-below-level"),
        pytest.param(None, "", False, id="nothing-given"),
        pytest.param(None, "I can't cope", True, id="straight-apostrophe"),
        pytest.param(None, "I can’t cope", True, id="curly-apostrophe"),
        pytest.param(None, "i cant cope any more", True, id="no-apostrophe"),
        pytest.param(3, "I CANNOT   COPE", True, id="case-and-spaces"),
        pytest.param(2, "I want to hurt\nmyself", True, id="phrase-across-a-line-break"),
        pytest.param(2, "Some days I think about suicide.", True, id="single-word"),
        pytest.param(2, "Feeling suicidal", True, id="suicidal"),
        pytest.param(2, "What's the point? No point.", True, id="phrase-before-full-stop"),
        pytest.param(2, "No pointers from the nurse yet", False, id="word-boundary-after"),
        pytest.param(2, "Fine. I'll give upstairs a clean.", False, id="word-boundary-upstairs"),
        pytest.param(2, "Nervous but OK. Went for a walk.", False, id="ordinary-note"),
    ],
)
def test_real_list_brings_help_forward(distress, note, expected):
    assert concern.check(load_safety(), distress, note).show_help is expected


def test_normalise_drops_apostrophes_and_folds_case():
    assert normalise("  I CAN’T\tcope ") == "i cant cope"


# --- prompt_for_day ---------------------------------------------------------


def test_prompt_is_the_same_all_day():
    pack = load_packs()["liver-ultrasound"]
    day = date(2026, 11, 25)
    assert len({prompt_for_day(pack, "waiting", day, "patient-1") for _ in range(5)}) == 1


@pytest.mark.parametrize("stage", REQUIRED_STAGES)
def test_prompt_changes_each_day_and_shows_every_prompt(stage):
    pack = load_packs()["liver-ultrasound"]
    prompts = pack.stages[stage].prompts
    days = [date(2026, 11, 25) + timedelta(days=n) for n in range(len(prompts))]
    picked = [prompt_for_day(pack, stage, day, "patient-1") for day in days]
    assert all(a != b for a, b in zip(picked, picked[1:], strict=False))
    assert set(picked) == set(prompts)


def test_salt_changes_the_pick():
    pack = load_packs()["liver-ultrasound"]
    day = date(2026, 11, 25)
    assert len({prompt_for_day(pack, "waiting", day, f"patient-{n}") for n in range(20)}) > 1


def test_prompt_is_stable_across_processes():
    pack = load_packs()["liver-ultrasound"]
    here = prompt_for_day(pack, "waiting", date(2026, 11, 25), "patient-1")
    code = (
        "from datetime import date; from journal.guidance.packs import load_packs, prompt_for_day; "
        "print(prompt_for_day(load_packs()['liver-ultrasound'], 'waiting', "
        "date(2026, 11, 25), 'patient-1'))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345", "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == here


def test_unknown_stage_is_refused():
    with pytest.raises(ValueError):
        prompt_for_day(load_packs()["ct-scan"], "celebrating", date(2026, 11, 25), "x")


# --- review dates -----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        pytest.param(date(2026, 11, 25), False, id="reviewed-today"),
        pytest.param(date(2027, 11, 25), False, id="on-review-by-date"),
        pytest.param(date(2027, 11, 26), True, id="day-after-review-by"),
    ],
)
def test_pack_is_past_review(today, expected):
    assert pack_is_past_review(load_packs()["liver-ultrasound"], today) is expected


def test_unchanged_real_data_round_trips_through_the_test_writer(tmp_path):
    # Guards the malformed-pack tests: the untouched copy must load.
    assert load_pack(write_pack(tmp_path, real_pack_data())) == load_packs()["liver-ultrasound"]
