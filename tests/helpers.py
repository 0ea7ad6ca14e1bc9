"""Helpers shared by the test modules (fixtures live in conftest.py)."""

import re

PASSWORD = "correct horse battery"


def csrf_from(html):
    """The CSRF token from a rendered page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "page has no CSRF token"
    return match.group(1)


def age_session_cookie(client, age):
    """Re-sign the client's session cookie, with the same contents, as if signed `age` ago."""
    import time

    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    app = client.application
    face = app.session_interface
    name = app.config["SESSION_COOKIE_NAME"]
    data = face.get_signing_serializer(app).loads(client.get_cookie(name).value)

    class SignedThen(TimestampSigner):
        def get_timestamp(self):
            return int(time.time() - age.total_seconds())

    serializer = URLSafeTimedSerializer(
        app.secret_key, salt=face.salt, serializer=face.serializer, signer=SignedThen,
        signer_kwargs={"key_derivation": face.key_derivation, "digest_method": face.digest_method})
    client.set_cookie(name, serializer.dumps(data))


def move_clock(monkeypatch, by):
    """Move the app's clock on by `by` (timedelta), for every journal module that reads
    `utc_now`; moving again adds to what was moved before."""
    import sys

    from journal.platform import clock

    current = clock.utc_now
    real = getattr(current, "real", current)
    moved = getattr(current, "moved", None) or type(by)(0)

    def later():
        return real() + moved + by

    later.real, later.moved = real, moved + by
    for name, module in list(sys.modules.items()):
        if name.startswith("journal") and getattr(module, "utc_now", None) in (
                real, current):
            monkeypatch.setattr(module, "utc_now", later)
