"""Second-factor codes: RFC 6238 vectors, drift, single use and typing, on a fixed clock."""

import base64
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from journal.accounts import totp

# RFC 6238 appendix B: the SHA-1 secret "12345678901234567890"; the 8-digit codes end in
# the 6-digit ones an app shows.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()
RFC_VECTORS = [(59, "287082"), (1111111109, "081804"), (1111111111, "050471"),
               (1234567890, "005924"), (2000000000, "279037")]


def at(seconds):
    return datetime.fromtimestamp(seconds, UTC)


@pytest.mark.parametrize(("seconds", "code"), RFC_VECTORS)
def test_rfc_6238_codes_are_accepted_at_their_time(seconds, code):
    assert totp.matching_step(RFC_SECRET, code, at(seconds), None) == seconds // 30


def test_a_code_from_one_step_either_side_is_accepted():
    now = at(1111111111)
    for offset in (-1, 1):
        code = pyotp.TOTP(RFC_SECRET).at(now + timedelta(seconds=30 * offset))
        assert totp.matching_step(RFC_SECRET, code, now, None) == totp.step_at(now) + offset


def test_a_code_two_steps_old_is_refused():
    now = at(1111111111)
    old = pyotp.TOTP(RFC_SECRET).at(now - timedelta(seconds=60))
    assert totp.matching_step(RFC_SECRET, old, now, None) is None


def test_a_code_cannot_be_used_twice():
    now = at(59)
    step = totp.matching_step(RFC_SECRET, "287082", now, None)
    assert step is not None
    assert totp.matching_step(RFC_SECRET, "287082", now + timedelta(seconds=5), step) is None


def test_an_earlier_code_is_refused_after_a_later_one_was_used():
    now = at(1111111111)
    later = pyotp.TOTP(RFC_SECRET).at(now + timedelta(seconds=30))
    current = pyotp.TOTP(RFC_SECRET).at(now)
    used = totp.matching_step(RFC_SECRET, later, now, None)
    assert totp.matching_step(RFC_SECRET, current, now, used) is None


@pytest.mark.parametrize("typed", ["287 082", "287-082", " 287082 "])
def test_spaces_and_dashes_are_ignored(typed):
    assert totp.matching_step(RFC_SECRET, typed, at(59), None) == 1


@pytest.mark.parametrize("typed", ["", "28708", "2870820", "abcdef", "28708２", None])
def test_malformed_codes_are_refused(typed):
    assert totp.matching_step(RFC_SECRET, typed, at(59), None) is None


def test_wrong_code_is_refused():
    assert totp.matching_step(RFC_SECRET, "287083", at(59), None) is None


def test_new_secrets_are_160_bits_of_base32_and_differ():
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second
    assert len(base64.b32decode(first)) == 20


def test_provisioning_uri_names_the_app_and_person():
    uri = totp.provisioning_uri(RFC_SECRET, "nurse@example.com")
    assert uri.startswith("otpauth://totp/Waiting%20Well:nurse%40example.com?")
    assert f"secret={RFC_SECRET}" in uri and "issuer=Waiting%20Well" in uri


def test_grouped_secret_reads_back_to_the_same_secret():
    grouped = totp.grouped(RFC_SECRET)
    assert grouped.split(" ")[0] == RFC_SECRET[:4]
    assert grouped.replace(" ", "") == RFC_SECRET
