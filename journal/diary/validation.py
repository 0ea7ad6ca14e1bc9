"""What a check-in may hold, and the check of a check-in form (pure: no Flask, no database)."""

import re

FEELINGS = ("anxious", "worried", "low", "tired", "angry", "scared", "calm", "hopeful", "okay")


TOPICS = {
    "results": "Waiting for results",
    "sleep": "Sleep",
    "pain": "Pain",
    "family": "Family",
    "work": "Work",
    "money": "Money",
    "treatment": "Treatment",
}


MAX_NOTE = 5000


MAX_PROMPT = 300


CLIENT_ID_RE = re.compile(r"^[A-Za-z0-9-]{8,64}$")


def check_entry(form):
    """Validate a check-in form; returns (values to keep or store, errors by field)."""
    errors = {}
    raw_distress = (form.get("distress") or "").strip()
    distress = None
    if raw_distress:
        try:
            distress = int(raw_distress)
        except ValueError:
            distress = -1
        if not 0 <= distress <= 10:
            errors["distress"] = "Choose a number from 0 to 10."
            distress = None
    feelings = [f for f in FEELINGS if f in form.getlist("feelings")]
    topics = [t for t in TOPICS if t in form.getlist("topics")]
    # Browsers send line breaks as CRLF but count them as one character.
    note = (form.get("note") or "").replace("\r\n", "\n").strip()
    if len(note) > MAX_NOTE:
        errors["note"] = (
            f"Your note is {len(note):,} characters long. The limit is {MAX_NOTE:,}, "
            "so please shorten it. Nothing has been lost."
        )
    # The day's journal prompt travels with its answer, so both are stored together.
    prompt = (form.get("prompt") or "").strip()[:MAX_PROMPT]
    prompt_answer = (form.get("prompt_answer") or "").replace("\r\n", "\n").strip()
    if len(prompt_answer) > MAX_NOTE:
        errors["prompt_answer"] = (
            f"Your answer is {len(prompt_answer):,} characters long. The limit is {MAX_NOTE:,}, "
            "so please shorten it. Nothing has been lost."
        )
    # A calming exercise that helped is worth a check-in of its own.
    calm_helped = form.get("calm_helped") == "1"
    if (not errors and distress is None and not note and not feelings and not prompt_answer
            and not calm_helped):
        errors["distress"] = "Choose a number from 0 to 10, or write a note."
    values = {
        # What was typed is kept only to show it again beside an error; empty is no score.
        "distress": distress if distress is not None else (raw_distress or None),
        "feelings": feelings,
        "topics": topics,
        "note": note,
        "prompt": prompt,
        "prompt_answer": prompt_answer,
        "calm_helped": calm_helped,
    }
    client_id = (form.get("client_id") or "").strip()
    values["client_id"] = client_id if CLIENT_ID_RE.match(client_id) else None
    return values, errors
