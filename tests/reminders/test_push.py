"""Web Push end to end: a push service on loopback, written here, checks the VAPID JWT and
decrypts the payload with the device's own private key (RFC 8291, with http_ece)."""

import base64
import json
import os
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from journal.reminders import cli, push, records

EIGHT_THIRTY = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
CHOICES = {"daily": "1", "daily_at": "08:30", "quiet_from": "21:00", "quiet_until": "08:00"}


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Device:
    """A browser's side of a subscription: its own key pair and auth secret."""

    def __init__(self, endpoint):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)
        self.endpoint = endpoint

    def subscription(self):
        public = self.key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": b64(public), "auth": b64(self.auth)}}


def verify_vapid(header, audience):
    """The claims of a valid `vapid t=..., k=...` Authorization header; raises otherwise."""
    scheme, _, rest = header.partition(" ")
    assert scheme == "vapid"
    params = dict(part.strip().split("=", 1) for part in rest.split(","))
    signing_input, _, signature = params["t"].rpartition(".")
    raw = unb64(signature)
    assert len(raw) == 64  # JWS ES256: r and s, 32 bytes each
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(params["k"]))
    key.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
    head, body = (json.loads(unb64(p)) for p in signing_input.split("."))
    assert head["alg"] == "ES256"
    assert body["aud"] == audience
    assert time.time() < body["exp"] <= time.time() + 24 * 3600
    return {**body, "k": params["k"]}


class PushService:
    """Receives pushes; answers 201, or the status set for an endpoint path."""

    def __init__(self):
        self.devices, self.received, self.status = {}, [], {}
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                code = service.status.get(self.path, 201)
                if code == 201:
                    device = service.devices[self.path]
                    claims = verify_vapid(self.headers["Authorization"], service.origin)
                    assert self.headers["Content-Encoding"] == "aes128gcm"
                    plain = http_ece.decrypt(body, private_key=device.key,
                                             auth_secret=device.auth, version="aes128gcm")
                    service.received.append({"path": self.path, "claims": claims,
                                             "ttl": int(self.headers["TTL"]),
                                             "payload": json.loads(plain)})
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        # A short poll, so stopping it after each test does not wait half a second.
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.02}, daemon=True)

    def device(self, name):
        found = Device(f"{self.origin}/push/{name}")
        self.devices[f"/push/{name}"] = found
        return found


@pytest.fixture
def push_service():
    service = PushService()
    service.thread.start()
    yield service
    service.server.shutdown()
    service.server.server_close()


@pytest.fixture
def at(monkeypatch):
    def set_to(moment):
        monkeypatch.setattr(cli, "utc_now", lambda: moment)
    return set_to


def run(app):
    result = app.test_cli_runner().invoke(args=["send-reminders", "--base-url",
                                                "https://ww.example"])
    assert result.exit_code == 0, result.output
    return result.output


def subscribe(client, csrf, subscription):
    return client.post("/account/reminders/device", json=subscription,
                       headers={"X-CSRFToken": csrf})


def test_a_reminder_reaches_the_device_signed_and_encrypted(
        app, client, signed_in, db, patient, push_service, at):
    page = client.get("/account/reminders").get_data(as_text=True)
    key = push.application_server_key(app.extensions["vapid"])
    assert f'data-push-key="{key}"' in page
    phone = push_service.device("phone")
    assert subscribe(client, signed_in, phone.subscription()).status_code == 204
    # A device is a channel of its own: no email or calendar needed.
    assert client.post("/account/reminders",
                       data={**CHOICES, "csrf_token": signed_in}).status_code == 303
    row = records.choices_row(db, patient.id)
    assert (row["by_device"], row["by_email"], row["by_calendar"]) == (1, 0, 0)

    at(EIGHT_THIRTY)
    assert "1 new, 1 sent, 0 failed" in run(app)
    [got] = push_service.received
    assert got["payload"] == {"title": "Waiting Well",
                              "body": "A moment to check in? It only takes a minute.",
                              "url": "/check-in"}
    assert got["claims"]["k"] == key
    assert got["claims"]["sub"] == app.config["VAPID_SUBJECT"]
    assert got["ttl"] == push.TTL_SECONDS
    # Once only.
    assert "0 new, 0 sent" in run(app)
    assert len(push_service.received) == 1


def test_a_scan_nudge_opens_my_scan(app, client, signed_in, db, patient, push_service, at,
                                    add_scan):
    subscribe(client, signed_in, push_service.device("phone").subscription())
    client.post("/account/reminders", data={**CHOICES, "daily": "", "scan_nudges": "1",
                                            "csrf_token": signed_in})
    add_scan(patient.id, appointment_at=EIGHT_THIRTY + timedelta(days=1))
    at(datetime(2026, 12, 3, 18, tzinfo=UTC))
    run(app)
    [got] = push_service.received
    assert got["payload"]["url"] == "/scans"
    assert "scan" not in got["payload"]["body"].lower()


def test_a_device_the_push_service_has_forgotten_is_removed(
        app, client, signed_in, db, patient, push_service, at):
    old, new = push_service.device("old"), push_service.device("new")
    for device in (old, new):
        subscribe(client, signed_in, device.subscription())
    push_service.status["/push/old"] = 410
    client.post("/account/reminders", data={**CHOICES, "csrf_token": signed_in})
    at(EIGHT_THIRTY)
    assert "1 sent" in run(app)
    assert [s["endpoint"] for s in push.subscriptions_for(db, patient.id)] == [new.endpoint]
    assert [r["path"] for r in push_service.received] == ["/push/new"]


def test_a_failing_push_service_is_tried_again_later(
        app, client, signed_in, db, patient, push_service, at):
    subscribe(client, signed_in, push_service.device("phone").subscription())
    client.post("/account/reminders", data={**CHOICES, "csrf_token": signed_in})
    push_service.status["/push/phone"] = 503
    at(EIGHT_THIRTY)
    assert "0 sent, 1 failed" in run(app)
    assert len(push.subscriptions_for(db, patient.id)) == 1
    del push_service.status["/push/phone"]
    at(EIGHT_THIRTY + timedelta(minutes=5))
    assert "1 sent, 0 failed" in run(app)
    assert len(push_service.received) == 1


@pytest.mark.parametrize("broken", [
    {"endpoint": "http://elsewhere.example/push"},
    {"keys": {"p256dh": "short", "auth": "AAAAAAAAAAAAAAAAAAAAAA"}},
    {"keys": {"p256dh": b64(b"\x04" + b"\x01" * 64), "auth": "not base64!"}},
    {"endpoint": ["not", "text"]},
])
def test_a_subscription_that_cannot_be_used_is_refused(
        client, signed_in, db, patient, push_service, broken):
    subscription = {**push_service.device("phone").subscription(), **broken}
    assert subscribe(client, signed_in, subscription).status_code == 422
    assert push.subscriptions_for(db, patient.id) == []


def test_subscribing_needs_the_csrf_token(client, signed_in, db, patient, push_service):
    response = client.post("/account/reminders/device",
                           json=push_service.device("phone").subscription())
    assert response.status_code in (400, 403)
    assert push.subscriptions_for(db, patient.id) == []


def test_turning_devices_off_removes_every_subscription(
        client, signed_in, db, patient, push_service):
    subscribe(client, signed_in, push_service.device("phone").subscription())
    assert "on 1 device" in client.get("/account/reminders").get_data(as_text=True)
    response = client.post("/account/reminders/device/remove", data={"csrf_token": signed_in})
    assert response.status_code == 303
    assert push.subscriptions_for(db, patient.id) == []
    assert records.choices_row(db, patient.id)["by_device"] == 0


def test_a_device_moves_to_whoever_subscribed_it_last(
        app, client, signed_in, db, patient, other_patient, push_service):
    phone = push_service.device("shared-phone")
    push.save_subscription(db, other_patient.id, phone.endpoint, "x", "y")
    assert subscribe(client, signed_in, phone.subscription()).status_code == 204
    assert [s["patient_id"] for s in db.query("SELECT * FROM push_subscriptions")] == \
        [patient.id]


def test_production_refuses_a_plain_http_push_service(tmp_path):
    sub = Device("http://127.0.0.1:9/push/x").subscription()
    assert push.check_subscription(sub, allow_loopback=False) is None
    assert push.check_subscription(sub, allow_loopback=True) is not None
    assert push.check_subscription({**sub, "endpoint": "https://fcm.googleapis.com/x"})
