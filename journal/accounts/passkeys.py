"""Passkeys (WebAuthn): the two ceremonies with py_webauthn, single-use challenges and the
stored credentials. No Flask here: the routes pass in the relying party and the time."""

import ipaddress
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import webauthn
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from ..platform.clock import utc_iso

RP_NAME = "Waiting Well"
# Long enough to touch a fingerprint reader or type a PIN, short enough not to linger.
CHALLENGE_LIFE = timedelta(minutes=5)
NAME_MAX = 60


class PasskeyRefused(Exception):
    """The browser's answer does not prove what it must: nothing is stored or signed in."""


@dataclass(frozen=True)
class RelyingParty:
    """Who the passkeys are for: an RP id (a domain name) and the origins pages come from."""

    rp_id: str
    origins: tuple[str, ...]


def relying_party(public_url, request_origin, allow_localhost):
    """The RP from PUBLIC_URL's host; without it, `localhost` only (demo and tests), since an
    IP address cannot be an RP id. None when passkeys cannot work here."""
    if public_url:
        parts = urlsplit(public_url)
        if not parts.hostname or _is_address(parts.hostname):
            return None
        return RelyingParty(parts.hostname, (f"{parts.scheme}://{parts.netloc}",))
    origin = urlsplit(request_origin)
    if allow_localhost and origin.hostname == "localhost":
        return RelyingParty("localhost", (f"{origin.scheme}://{origin.netloc}",))
    return None


def _is_address(host):
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def clean_name(raw):
    """A passkey's name as the person typed it, trimmed; a plain default when left empty."""
    name = " ".join((raw or "").split())[:NAME_MAX]
    return name or "Passkey"


# Challenges: kept server-side, spent once.


def _keep_challenge(db, challenge, purpose, user_id, now):
    db.execute("DELETE FROM passkey_challenges WHERE expires_at <= ?", [utc_iso(now)])
    db.execute(
        "INSERT INTO passkey_challenges (challenge, purpose, user_id, expires_at) "
        "VALUES (?, ?, ?, ?)",
        [bytes_to_base64url(challenge), purpose, user_id, utc_iso(now + CHALLENGE_LIFE)],
    )


def spend_challenge(db, challenge_b64, purpose, user_id, now):
    """Use a challenge up; False if it was never given, already used or has expired."""
    if not challenge_b64:
        return False
    cursor = db.execute(
        "DELETE FROM passkey_challenges WHERE challenge = ? AND purpose = ? "
        "AND user_id IS ? AND expires_at > ?",
        [challenge_b64, purpose, user_id, utc_iso(now)],
    )
    return cursor.rowcount == 1


# Registration.


def registration_options(db, rp, user, now):
    """Options for navigator.credentials.create (JSON), and the challenge to keep."""
    existing = [PublicKeyCredentialDescriptor(id=row["credential_id"])
                for row in db.query("SELECT credential_id FROM passkeys WHERE user_id = ?",
                                    [user.id])]
    options = webauthn.generate_registration_options(
        rp_id=rp.rp_id,
        rp_name=RP_NAME,
        user_name=user.email,
        user_display_name=user.first_name or user.email,
        # A random handle: the authenticator never learns the account's number.
        user_id=secrets.token_bytes(16),
        exclude_credentials=existing,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    _keep_challenge(db, options.challenge, "register", user.id, now)
    return webauthn.options_to_json(options), bytes_to_base64url(options.challenge)


def register(db, rp, user, credential_json, challenge_b64, name, now):
    """Check the new credential against the kept challenge and store it; its id."""
    if not spend_challenge(db, challenge_b64, "register", user.id, now):
        raise PasskeyRefused("challenge")
    try:
        verified = webauthn.verify_registration_response(
            credential=credential_json,
            expected_challenge=base64url_to_bytes(challenge_b64),
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise PasskeyRefused("registration") from error
    taken = db.execute("SELECT 1 FROM passkeys WHERE credential_id = ?",
                       [verified.credential_id]).fetchone()
    if taken:
        raise PasskeyRefused("credential_taken")
    cursor = db.execute(
        "INSERT INTO passkeys (user_id, credential_id, public_key, sign_count, name, added_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [user.id, verified.credential_id, verified.credential_public_key,
         verified.sign_count, clean_name(name), utc_iso(now)],
    )
    return cursor.lastrowid


# Sign-in.


def sign_in_options(db, rp, now):
    """Options for navigator.credentials.get with no account named: the authenticator offers
    its passkeys for this site (discoverable credentials)."""
    options = webauthn.generate_authentication_options(
        rp_id=rp.rp_id, user_verification=UserVerificationRequirement.PREFERRED,
    )
    _keep_challenge(db, options.challenge, "sign_in", None, now)
    return webauthn.options_to_json(options), bytes_to_base64url(options.challenge)


def unlock_options(db, rp, user_id, now):
    """Options for unlocking a locked device with one of the person's own passkeys, which
    must check who is holding it (fingerprint, face or PIN); the challenge is theirs alone."""
    own = [PublicKeyCredentialDescriptor(id=row["credential_id"])
           for row in db.query("SELECT credential_id FROM passkeys WHERE user_id = ?", [user_id])]
    options = webauthn.generate_authentication_options(
        rp_id=rp.rp_id, allow_credentials=own,
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    _keep_challenge(db, options.challenge, "sign_in", user_id, now)
    return webauthn.options_to_json(options), bytes_to_base64url(options.challenge)


def credential_owner(db, credential_json):
    """The stored passkey the browser's answer names, or None (unknown or unreadable)."""
    try:
        parsed = parse_authentication_credential_json(credential_json)
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return None
    rows = list(db.query("SELECT * FROM passkeys WHERE credential_id = ?", [parsed.raw_id]))
    return rows[0] if rows else None


def authenticate(db, rp, passkey, credential_json, challenge_b64, now, need_verified_user,
                 challenge_for=None):
    """Check a sign-in answer for a stored passkey and move its sign count on; True when the
    person was verified (fingerprint, face or PIN) as well as present, which
    `need_verified_user` demands. `challenge_for`: the user an unlock challenge was given to
    (a sign-in challenge belongs to nobody yet)."""
    if not spend_challenge(db, challenge_b64, "sign_in", challenge_for, now):
        raise PasskeyRefused("challenge")
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential_json,
            expected_challenge=base64url_to_bytes(challenge_b64),
            expected_rp_id=rp.rp_id,
            expected_origin=list(rp.origins),
            credential_public_key=passkey["public_key"],
            credential_current_sign_count=passkey["sign_count"],
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        # A sign count that did not go up (a cloned authenticator) ends here too.
        raise PasskeyRefused("assertion") from error
    db.execute("UPDATE passkeys SET sign_count = ?, last_used_at = ? WHERE id = ?",
               [verified.new_sign_count, utc_iso(now), passkey["id"]])
    if need_verified_user and not verified.user_verified:
        # A real answer (its count is kept) that proves presence only: not enough here.
        raise PasskeyRefused("not_verified")
    return verified.user_verified


# The list on the Account page.


def passkeys_of(db, user_id):
    return list(db.query(
        "SELECT id, name, added_at, last_used_at FROM passkeys WHERE user_id = ? ORDER BY id",
        [user_id]))


def remove(db, user_id, passkey_id):
    """Remove one of the person's own passkeys; False if it is not theirs or not there."""
    cursor = db.execute("DELETE FROM passkeys WHERE id = ? AND user_id = ?",
                        [passkey_id, user_id])
    return cursor.rowcount == 1


def remove_all(db, user_id):
    """Remove every passkey of an account (an admin's reset for a lost phone)."""
    db.execute("DELETE FROM passkeys WHERE user_id = ?", [user_id])


def as_json(body):
    """The credential from a request body as the JSON text py_webauthn parses."""
    return json.dumps(body) if not isinstance(body, str) else body
