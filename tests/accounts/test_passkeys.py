"""Passkeys through the ceremony endpoints, with a software authenticator made here: an
ES256 key, attestation "none" and assertions signed as a real authenticator signs them."""

import base64
import hashlib
import json
import logging
import secrets
import struct
from datetime import timedelta

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from journal.accounts import passkey_views, passkeys
from journal.platform.clock import utc_now
from tests.helpers import csrf_from

ORIGIN = "http://localhost"
UP, UV, AT = 0x01, 0x04, 0x40


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    """One passkey on a pretend device: makes it, then signs sign-in challenges with it."""

    def __init__(self, rp_id="localhost", verified=True):
        self.rp_id = rp_id
        self.verified = verified
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.count = 0
        self.user_handle = None

    def _flags(self, extra=0):
        return UP | (UV if self.verified else 0) | extra

    def _client_data(self, kind, challenge, origin):
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin,
                           "crossOrigin": False}).encode()

    def create(self, options, origin=ORIGIN):
        """What navigator.credentials.create hands back, as toJSON() gives it."""
        self.user_handle = options["user"]["id"]
        numbers = self.key.public_key().public_numbers()
        cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([self._flags(AT)])
                     + struct.pack(">I", self.count) + bytes(16)
                     + struct.pack(">H", len(self.credential_id)) + self.credential_id + cose)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data),
                             "attestationObject": b64url(attestation)}}

    def get(self, options, origin=ORIGIN, count=None):
        """What navigator.credentials.get hands back; the count goes up unless given."""
        self.count = self.count + 1 if count is None else count
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest() + bytes([self._flags()])
                     + struct.pack(">I", self.count))
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(),
                                  ec.ECDSA(hashes.SHA256()))
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id),
                "type": "public-key", "clientExtensionResults": {},
                "response": {"clientDataJSON": b64url(client_data),
                             "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature), "userHandle": self.user_handle}}


def csrf(client, path):
    return csrf_from(client.get(path, follow_redirects=True).get_data(as_text=True))


def post_json(client, path, token, body=None):
    return client.post(path, json=body or {}, headers={"X-CSRFToken": token})


def add_passkey(client, device, name="My phone"):
    """Run the add ceremony as the signed-in person; the final answer."""
    token = csrf(client, "/account")
    options = post_json(client, "/account/passkeys/options", token).get_json()
    return post_json(client, "/account/passkeys", token,
                     {"name": name, "credential": device.create(options)})


def sign_in_with(client, device, **get_args):
    """Run the sign-in ceremony anonymously; the final answer."""
    token = csrf(client, "/sign-in")
    options = post_json(client, "/sign-in/passkey/options", token).get_json()
    return post_json(client, "/sign-in/passkey", token,
                     {"credential": device.get(options, **get_args)}), options


def stored(db, user_id):
    return list(db.query("SELECT * FROM passkeys WHERE user_id = ?", [user_id]))


@pytest.fixture
def device():
    return SoftAuthenticator()


def test_patient_adds_a_named_passkey_and_sees_it_listed(client, db, patient, signed_in, device):
    response = add_passkey(client, device, name="  Kitchen   tablet ")
    assert response.status_code == 200
    assert response.get_json() == {"redirect": "/account"}
    rows = stored(db, patient.id)
    assert [(r["name"], r["credential_id"], r["sign_count"]) for r in rows] == [
        ("Kitchen tablet", device.credential_id, 0)]
    page = client.get("/account").get_data(as_text=True)
    assert "Kitchen tablet" in page and "Not used yet." in page
    assert "Your passkey is added" in page


def test_registration_options_name_this_site_and_exclude_passkeys_already_added(
        client, db, patient, signed_in, device):
    add_passkey(client, device)
    options = post_json(client, "/account/passkeys/options", csrf(client, "/account")).get_json()
    assert options["rp"] == {"id": "localhost", "name": "Waiting Well"}
    assert options["user"]["name"] == "pat@example.com"
    assert options["user"]["id"] != b64url(str(patient.id).encode())
    assert [c["id"] for c in options["excludeCredentials"]] == [b64url(device.credential_id)]


def test_a_passkey_signs_the_patient_in_and_is_marked_used(client, db, patient, device, auth):
    auth.sign_in()
    add_passkey(client, device)
    auth.sign_out()
    response, _ = sign_in_with(client, device)
    assert response.status_code == 200
    assert response.get_json() == {"redirect": "/home"}
    assert client.get("/home").status_code == 200
    row = stored(db, patient.id)[0]
    assert row["sign_count"] == 1 and row["last_used_at"] is not None
    assert "Last used" in client.get("/account").get_data(as_text=True)


def test_a_replayed_sign_in_challenge_is_refused(client, db, patient, device, auth):
    auth.sign_in()
    add_passkey(client, device)
    auth.sign_out()
    token = csrf(client, "/sign-in")
    options = post_json(client, "/sign-in/passkey/options", token).get_json()
    assert post_json(client, "/sign-in/passkey", token,
                     {"credential": device.get(options)}).status_code == 200
    auth.sign_out()
    token = csrf(client, "/sign-in")
    # The same challenge again, freshly signed with a higher count: already spent.
    with client.session_transaction() as session:
        session["passkey_sign_in"] = options["challenge"]
    replay = post_json(client, "/sign-in/passkey", token, {"credential": device.get(options)})
    assert replay.status_code == 422
    assert "did not work" in replay.get_json()["error"]
    assert client.get("/home").status_code == 302


def test_a_registration_challenge_is_single_use(client, db, patient, signed_in, device):
    token = csrf(client, "/account")
    options = post_json(client, "/account/passkeys/options", token).get_json()
    assert post_json(client, "/account/passkeys", token,
                     {"name": "A", "credential": device.create(options)}).status_code == 200
    with client.session_transaction() as session:
        session["passkey_register"] = options["challenge"]
    second = SoftAuthenticator()
    again = post_json(client, "/account/passkeys", token,
                      {"name": "B", "credential": second.create(options)})
    assert again.status_code == 422
    assert [r["name"] for r in stored(db, patient.id)] == ["A"]


def test_an_expired_challenge_is_refused(client, db, patient, device, auth, monkeypatch):
    auth.sign_in()
    add_passkey(client, device)
    auth.sign_out()
    token = csrf(client, "/sign-in")
    options = post_json(client, "/sign-in/passkey/options", token).get_json()
    later = utc_now() + passkeys.CHALLENGE_LIFE + timedelta(seconds=1)
    monkeypatch.setattr(passkey_views, "utc_now", lambda: later)
    late = post_json(client, "/sign-in/passkey", token, {"credential": device.get(options)})
    assert late.status_code == 422
    assert stored(db, patient.id)[0]["sign_count"] == 0


def test_an_unknown_credential_is_refused(client, db, patient, device, auth, caplog):
    auth.sign_in()
    add_passkey(client, device)
    auth.sign_out()
    stranger = SoftAuthenticator()
    with caplog.at_level(logging.WARNING, logger="journal.security"):
        response, _ = sign_in_with(client, stranger)
    assert response.status_code == 422
    assert client.get("/home").status_code == 302
    assert "sign_in_failed" in caplog.text and "method='passkey'" in caplog.text


def test_a_wrong_key_for_a_known_credential_is_refused(client, db, patient, device, auth):
    auth.sign_in()
    add_passkey(client, device)
    auth.sign_out()
    impostor = SoftAuthenticator()
    impostor.credential_id = device.credential_id  # the id is not secret; the key is
    response, _ = sign_in_with(client, impostor)
    assert response.status_code == 422
    assert client.get("/home").status_code == 302
    assert stored(db, patient.id)[0]["last_used_at"] is None


def test_a_sign_count_going_backwards_is_refused(client, db, patient, device, auth):
    auth.sign_in()
    add_passkey(client, device)
    auth.sign_out()
    assert sign_in_with(client, device, count=5)[0].status_code == 200
    auth.sign_out()
    response, _ = sign_in_with(client, device, count=3)  # a copy of the key, behind
    assert response.status_code == 422
    assert stored(db, patient.id)[0]["sign_count"] == 5
    assert client.get("/home").status_code == 302


def test_another_origin_is_refused(client, db, patient, device, auth):
    auth.sign_in()
    add_passkey(client, device)
    auth.sign_out()
    response, _ = sign_in_with(client, device, origin="http://localhost.evil.example")
    assert response.status_code == 422


def test_passkey_sign_in_is_throttled_like_a_password(app, client, db, patient, device, auth):
    auth.sign_in()
    add_passkey(client, device)
    auth.sign_out()
    impostor = SoftAuthenticator()
    impostor.credential_id = device.credential_id
    for _ in range(app.config["THROTTLE_ACCOUNT_FAILURES"]):
        assert sign_in_with(client, impostor)[0].status_code == 422
    response, _ = sign_in_with(client, device)  # even the right passkey waits now
    assert response.status_code == 429
    assert "wait" in response.get_json()["error"]
    assert int(response.headers["Retry-After"]) > 0


def test_removing_a_passkey_stops_it_signing_in(client, db, patient, device, auth):
    auth.sign_in()
    add_passkey(client, device)
    passkey_id = stored(db, patient.id)[0]["id"]
    response = client.post(f"/account/passkeys/{passkey_id}/remove",
                           data={"csrf_token": csrf(client, "/account")})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert stored(db, patient.id) == []
    auth.sign_out()
    assert sign_in_with(client, device)[0].status_code == 422


def test_another_users_passkey_cannot_be_removed(client, db, patient, other_patient, auth):
    auth.sign_in()
    add_passkey(client, SoftAuthenticator(), name="Pat's phone")
    theirs = stored(db, patient.id)[0]["id"]
    auth.sign_out()
    auth.sign_in("other@example.com")
    response = client.post(f"/account/passkeys/{theirs}/remove",
                           data={"csrf_token": csrf(client, "/account")})
    assert response.status_code == 404
    assert [r["name"] for r in stored(db, patient.id)] == ["Pat's phone"]
    assert "Pat&#39;s phone" not in client.get("/account").get_data(as_text=True)


def test_adding_without_javascript_explains_and_stores_nothing(client, db, patient, signed_in):
    response = client.post("/account/passkeys", data={"name": "x", "csrf_token": signed_in},
                           follow_redirects=True)
    assert "needs JavaScript" in response.get_data(as_text=True)
    assert stored(db, patient.id) == []


def test_ceremony_posts_need_the_csrf_token(client, patient, signed_in):
    assert client.post("/account/passkeys/options", json={}).status_code in (400, 403)
    assert client.post("/sign-in/passkey/options", json={}).status_code in (400, 403)


def test_a_staff_passkey_with_verification_replaces_the_code(client, db, nurse, auth):
    auth.sign_in("nurse@example.com")
    device = SoftAuthenticator(verified=True)
    add_passkey(client, device)
    auth.sign_out()
    response, _ = sign_in_with(client, device)
    assert response.status_code == 200
    assert response.get_json()["redirect"] != "/sign-in/code"
    assert client.get("/account").status_code == 200


def test_a_staff_passkey_without_verification_is_refused(client, db, nurse, auth):
    auth.sign_in("nurse@example.com")
    device = SoftAuthenticator(verified=False)
    add_passkey(client, device)
    auth.sign_out()
    response, _ = sign_in_with(client, device)
    assert response.status_code == 422
    assert "fingerprint, face or PIN" in response.get_json()["error"]
    assert client.get("/account").status_code == 302


def test_a_patient_passkey_without_verification_still_signs_in(client, db, patient, auth):
    auth.sign_in()
    device = SoftAuthenticator(verified=False)
    add_passkey(client, device)
    auth.sign_out()
    assert sign_in_with(client, device)[0].status_code == 200


def test_sign_in_page_offers_a_passkey_only_where_it_can_work(app, client):
    assert "Sign in with a passkey" in client.get("/sign-in").get_data(as_text=True)
    ip = client.get("/sign-in", base_url="http://127.0.0.1").get_data(as_text=True)
    assert "Sign in with a passkey" not in ip
    assert client.post("/sign-in/passkey/options", base_url="http://127.0.0.1",
                       json={}, headers={"X-CSRFToken": csrf(client, "/sign-in")}
                       ).status_code in (403, 404, 400)


@pytest.mark.parametrize(("public_url", "origin", "production", "expected"), [
    ("https://ww.example.org", "http://localhost/", True,
     passkeys.RelyingParty("ww.example.org", ("https://ww.example.org",))),
    (None, "http://localhost:5000/", False,
     passkeys.RelyingParty("localhost", ("http://localhost:5000",))),
    (None, "http://localhost:5000/", True, None),
    (None, "http://127.0.0.1:5000/", False, None),
    ("http://127.0.0.1:8000", "http://localhost/", False, None),
    ("not a url", "http://localhost/", False, None),
])
def test_relying_party_comes_from_public_url_or_localhost(public_url, origin, production,
                                                           expected):
    assert passkeys.relying_party(public_url, origin, allow_localhost=not production) == expected


def test_names_are_trimmed_and_defaulted():
    assert passkeys.clean_name("  Work   laptop ") == "Work laptop"
    assert passkeys.clean_name("") == "Passkey"
    assert len(passkeys.clean_name("x" * 200)) == passkeys.NAME_MAX


MALFORMED = [
    {},
    {"id": "!!", "rawId": "!!", "type": "public-key", "response": {}},
    {"id": "AAAA", "rawId": "AAAA", "type": "public-key",
     "response": {"clientDataJSON": "AAAA", "attestationObject": "AAAA",
                  "authenticatorData": "AAAA", "signature": "AAAA"}},
    {"id": 5, "rawId": [1, 2], "type": "public-key", "response": "x"},
]


@pytest.mark.parametrize("credential", MALFORMED)
def test_malformed_answers_are_refused_not_crashed(client, db, patient, device, auth,
                                                   credential):
    auth.sign_in()
    token = csrf(client, "/account")
    post_json(client, "/account/passkeys/options", token)
    added = post_json(client, "/account/passkeys", token, {"name": "x", "credential": credential})
    assert added.status_code == 422
    assert stored(db, patient.id) == []
    add_passkey(client, device)
    auth.sign_out()
    token = csrf(client, "/sign-in")
    post_json(client, "/sign-in/passkey/options", token)
    assert post_json(client, "/sign-in/passkey", token,
                     {"credential": credential}).status_code == 422


def test_the_data_download_names_passkeys_without_their_keys(client, db, patient, signed_in,
                                                             device):
    import io
    import zipfile

    add_passkey(client, device, name="Kitchen tablet")
    post_json(client, "/account/passkeys/options", csrf(client, "/account"))  # a live challenge
    response = client.post("/account/data/download", data={"csrf_token": signed_in})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        other = json.loads(archive.read("journal.json"))["other_records"]
    assert [row["name"] for row in other["passkeys"]] == ["Kitchen tablet"]
    assert not {"public_key", "credential_id"} & set(other["passkeys"][0])
    assert "passkey_challenges" not in other


def test_a_reset_for_a_lost_phone_removes_the_nurses_passkeys(app, client, db, nurse, auth):
    auth.sign_in("nurse@example.com")
    device = SoftAuthenticator()
    add_passkey(client, device)
    auth.sign_out()
    kept = app.test_cli_runner().invoke(args=["reset-nurse", nurse.email])
    assert kept.exit_code == 0 and len(stored(db, nurse.id)) == 1
    result = app.test_cli_runner().invoke(args=["reset-nurse", nurse.email,
                                                "--new-second-factor"])
    assert result.exit_code == 0 and "passkeys were removed" in result.output
    assert stored(db, nurse.id) == []
    assert sign_in_with(client, device)[0].status_code == 422


def test_at_the_code_step_the_nurses_own_passkey_finishes_sign_in(client, db, nurse, auth):
    auth.sign_in("nurse@example.com")
    device = SoftAuthenticator()
    add_passkey(client, device)
    auth.sign_out()
    response = auth.sign_in("nurse@example.com", second_factor=False)
    assert response.headers["Location"] == "/sign-in/code"
    page = client.get("/sign-in/code").get_data(as_text=True)
    assert "Use a passkey instead" in page
    finished, _ = sign_in_with(client, device)
    assert finished.status_code == 200 and finished.get_json() == {"redirect": "/care"}
    assert client.get("/care").status_code == 200
    # The half-signed-in session was ended, not left behind.
    live = db.execute("SELECT stage FROM sessions WHERE user_id = ? AND ended_at IS NULL",
                      [nurse.id]).fetchall()
    assert [row[0] for row in live] == ["active"]


def test_at_the_code_step_someone_elses_passkey_is_refused(client, db, nurse, patient, auth):
    auth.sign_in()
    pats = SoftAuthenticator()
    add_passkey(client, pats)
    auth.sign_out()
    auth.sign_in("nurse@example.com", second_factor=False)
    refused, _ = sign_in_with(client, pats)
    assert refused.status_code == 422
    assert client.get("/home").status_code == 302
