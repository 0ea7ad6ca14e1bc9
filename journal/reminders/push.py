"""Web Push: the VAPID keys, a device's subscription, and sending one reminder to it.

VAPID as RFC 8292 has it (`vapid t=..., k=...`); the payload is encrypted for the device
(RFC 8291, aes128gcm) by pywebpush, and holds only a line with no health detail and the page
to open."""

import base64
import json
import logging
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from ..platform.clock import utc_iso, utc_now

log = logging.getLogger("journal.reminders")

GONE = (404, 410)  # the push service says this subscription no longer exists
TTL_SECONDS = 60 * 60 * 4  # a nudge that cannot reach the phone in four hours is stale
_KEY = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


def init_app(app):
    """VAPID keys from VAPID_PRIVATE_KEY; made once per install in the demo, per app in tests;
    no keys (and no device notifications) otherwise."""
    config = app.config
    vapid = None
    if config.get("VAPID_PRIVATE_KEY"):
        vapid = Vapid02.from_string(config["VAPID_PRIVATE_KEY"])
    elif config["DEMO"] and config["JOURNAL_DB"] != ":memory:":
        path = Path(config["JOURNAL_DB"]).parent / "vapid_private.pem"
        if not path.exists():
            made = Vapid02()
            made.generate_keys()
            path.parent.mkdir(parents=True, exist_ok=True)
            made.save_key(str(path))
            path.chmod(0o600)
        vapid = Vapid02.from_file(str(path))
    elif config["TESTING"]:
        vapid = Vapid02()
        vapid.generate_keys()
    app.extensions["vapid"] = vapid


def application_server_key(vapid):
    """The public key a browser subscribes with: the uncompressed point, base64url."""
    raw = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                        serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decoded_length(text):
    try:
        return len(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        return -1


def check_subscription(data, allow_loopback=False):
    """(endpoint, p256dh, auth) from a browser's PushSubscription JSON, or None."""
    if not isinstance(data, dict):
        return None
    endpoint = data.get("endpoint")
    keys = data.get("keys") if isinstance(data.get("keys"), dict) else {}
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not isinstance(endpoint, str) or len(endpoint) > 1000:
        return None
    loopback = allow_loopback and endpoint.startswith("http://127.0.0.1:")
    if not (endpoint.startswith("https://") or loopback):
        return None
    for key, size in ((p256dh, 65), (auth, 16)):
        if not isinstance(key, str) or not _KEY.match(key) or _decoded_length(key) != size:
            return None
    return endpoint, p256dh, auth


def save_subscription(db, patient_id, endpoint, p256dh, auth):
    """Store this device for the patient (a device moves to whoever subscribed it last)."""
    db.execute(
        "INSERT INTO push_subscriptions (patient_id, endpoint, p256dh, auth, created_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(endpoint) DO UPDATE SET"
        " patient_id = excluded.patient_id, p256dh = excluded.p256dh, auth = excluded.auth,"
        " created_at = excluded.created_at",
        [patient_id, endpoint, p256dh, auth, utc_iso(utc_now())])


def subscriptions_for(db, patient_id):
    return list(db.query("SELECT * FROM push_subscriptions WHERE patient_id = ? ORDER BY id",
                         [patient_id]))


def forget_devices(db, patient_id):
    """Remove every device of the patient; returns how many there were."""
    return db.execute("DELETE FROM push_subscriptions WHERE patient_id = ?",
                      [patient_id]).rowcount


def payload(line, path):
    """What the device decrypts: a line and the page a tap opens, nothing more."""
    return json.dumps({"title": "Waiting Well", "body": line, "url": path})


def send_to_devices(db, patient_id, data, vapid, subject):
    """Send to each of the patient's devices; a device the push service no longer knows is
    removed; any other failure raises, so the reminder is tried again later."""
    failures = []
    for sub in subscriptions_for(db, patient_id):
        info = {"endpoint": sub["endpoint"], "keys": {"p256dh": sub["p256dh"],
                                                     "auth": sub["auth"]}}
        try:
            webpush(info, data=data, vapid_private_key=vapid, vapid_claims={"sub": subject},
                    ttl=TTL_SECONDS, timeout=10)
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in GONE:
                db.execute("DELETE FROM push_subscriptions WHERE id = ?", [sub["id"]])
                log.info("push_subscription_gone subscription=%s user=%s status=%s",
                         sub["id"], patient_id, status)
            else:
                failures.append(sub["id"])
    if failures:
        raise RuntimeError(f"push failed for subscriptions {failures}")
