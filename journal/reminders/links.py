"""The signed link in every reminder that turns that kind of reminder off with one tap."""

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "reminders-off"
# Long enough for an old email to still work; the signature is what makes it safe.
MAX_AGE_SECONDS = 60 * 60 * 24 * 90
KINDS = {"daily": "daily", "scan-tomorrow": "scan", "results-may-come": "scan",
         "chase": "scan"}


def off_token(secret, patient_id, nudge_kind):
    """A token naming the patient and what to turn off (the daily check-in, or scan nudges)."""
    return URLSafeTimedSerializer(secret, salt=SALT).dumps(
        {"p": patient_id, "k": KINDS[nudge_kind]})


def read_off_token(secret, token):
    """(patient id, "daily" or "scan") from a token, or None if it is not one of ours."""
    try:
        data = URLSafeTimedSerializer(secret, salt=SALT).loads(token, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in ("daily", "scan") \
            or not isinstance(data.get("p"), int):
        return None
    return data["p"], data["k"]
