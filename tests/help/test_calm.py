"""The calming minute: its words from content, steps as text, motion only when welcome, and
a check-in that notes it helped counting like "This helped"."""

import re
from pathlib import Path

import pytest

from journal.help import calm

CSS = (Path(__file__).resolve().parents[2] / "static" / "app.css").read_text()


def test_the_content_file_has_both_exercises_and_a_minute_of_breathing():
    exercises = calm.load()
    assert set(exercises) == {"breathing", "grounding"}
    breathing = exercises["breathing"]
    assert (breathing.breathe_in, breathing.breathe_out) == (4, 6)
    assert breathing.seconds == 60
    assert len(exercises["grounding"].steps) == 5


GOOD = {
    "breathing": {"title": "t", "intro": "i", "closing": "c", "steps": ["s"],
                  "breathe_in": 4, "breathe_out": 6, "rounds": 6},
    "grounding": {"title": "t", "intro": "i", "closing": "c", "steps": ["s"]},
}


@pytest.mark.parametrize(("table", "key", "value"), [
    ("breathing", "title", ""),
    ("grounding", "steps", []),
    ("grounding", "steps", ["ok", 3]),
    ("breathing", "breathe_in", "4"),
    ("breathing", "breathe_out", 0),
    ("breathing", "rounds", True),
    ("grounding", "closing", None),
])
def test_a_mistake_in_the_content_is_refused(table, key, value):
    data = {name: dict(fields) for name, fields in GOOD.items()}
    data[table][key] = value
    with pytest.raises(calm.CalmContentError, match=key):
        calm.parse(data)


def test_a_missing_exercise_is_refused():
    with pytest.raises(calm.CalmContentError, match="grounding"):
        calm.parse({"breathing": GOOD["breathing"]})


def test_an_unreadable_file_is_refused(tmp_path):
    bad = tmp_path / "calm.toml"
    bad.write_text("[breathing\n")
    with pytest.raises(calm.CalmContentError):
        calm.load(bad)


def no_motion_preference_block():
    start = CSS.index("@media (prefers-reduced-motion: no-preference)")
    depth, i = 0, CSS.index("{", start)
    for i in range(CSS.index("{", start), len(CSS)):
        depth += {"{": 1, "}": -1}.get(CSS[i], 0)
        if depth == 0:
            break
    return CSS[start:i + 1]


def test_the_circle_moves_only_without_a_reduced_motion_request_and_keeps_the_contents_time():
    breathing = calm.load()["breathing"]
    block = no_motion_preference_block()
    cycle = breathing.breathe_in + breathing.breathe_out
    assert f"animation: breath-circle {cycle}s ease-in-out {breathing.rounds};" in block
    assert f"animation: breath-done 0.5s ease-in {breathing.seconds}s forwards;" in block
    turn = 100 * breathing.breathe_in // cycle
    assert f"{turn}% {{ transform: scale(1); }}" in CSS
    # Outside that block the circle is not drawn at all, and nothing about it animates.
    outside = CSS.replace(block, "")
    assert re.search(r"\.breath \{ display: none; \}", outside)
    assert not re.search(r"\.breath[\w-]*[^{]*\{[^}]*animation", outside)


def test_the_page_gives_every_step_as_text_to_anyone(client):
    response = client.get("/calm")
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    for exercise in calm.load().values():
        assert exercise.title in body
        for step in exercise.steps:
            assert f"<li>{step}</li>" in body
    assert "Check in and note it" not in body  # only a patient has check-ins


def test_home_and_help_lead_to_the_calming_minute(client, signed_in):
    for path in ("/home", "/help"):
        body = client.get(path).get_data(as_text=True)
        assert 'href="/calm#breathing"' in body and 'href="/calm#grounding"' in body


def test_a_patient_is_offered_a_check_in_that_starts_ticked(client, signed_in):
    body = client.get("/calm").get_data(as_text=True)
    assert 'href="/check-in?calm=1"' in body
    ticked = client.get("/check-in?calm=1").get_data(as_text=True)
    assert re.search(r'id="calm_helped"[^>]*checked', ticked)
    assert not re.search(r'id="calm_helped"[^>]*checked',
                         client.get("/check-in").get_data(as_text=True))


def test_a_check_in_noting_the_exercise_helped_counts_like_this_helped(client, db,
                                                                      signed_in):
    response = client.post("/check-in", data={"csrf_token": signed_in, "calm_helped": "1"})
    assert response.status_code == 303
    row = db.execute("SELECT calm_helped, helped, distress, note FROM entries").fetchone()
    assert tuple(row) == (1, 1, None, "")
    trends = client.get("/trends").get_data(as_text=True)
    assert "You have marked 1 entry as helping." in trends
    assert "a calming exercise helped" in trends
    assert "A calming exercise helped." in client.get("/timeline").get_data(as_text=True)


def test_an_ordinary_check_in_is_not_marked_as_helping(client, db, signed_in):
    client.post("/check-in", data={"csrf_token": signed_in, "distress": "3"})
    assert tuple(db.execute("SELECT calm_helped, helped FROM entries").fetchone()) == (0, 0)
