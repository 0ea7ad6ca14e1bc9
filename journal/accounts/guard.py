"""Sign-in hardening on the web side: who is asking from where, the failed-try limits,
second factor and where a person goes once fully signed in."""

from datetime import timedelta

from flask import current_app

from ..platform import security_log
from ..platform.clock import utc_now
from ..platform.config import DEMO_NURSE_EMAIL, DEMO_PATIENT_EMAIL
from ..platform.db import get_db
from ..platform.web import client_address, home_url
from . import email_links, session_rules, throttle

DEMO_EMAILS = frozenset({DEMO_PATIENT_EMAIL, DEMO_NURSE_EMAIL})


def _limits():
    config = current_app.config
    window = timedelta(minutes=config["THROTTLE_WINDOW_MINUTES"])
    return (
        throttle.Limit(config["THROTTLE_ACCOUNT_FAILURES"], window),
        throttle.Limit(config["THROTTLE_ADDRESS_FAILURES"], window),
    )


def attempt(email):
    """Let a sign-in, code or recovery try go ahead (counted as failed until it succeeds),
    or say how long to wait."""
    db = get_db()
    now = utc_now()
    throttle.forget_before(db, now - timedelta(days=1))
    # Tidied here too: sign-in tries come often enough that old links never linger.
    email_links.prune(db, now)
    return throttle.begin(db, email, client_address(), now, *_limits())


SIGN_UP = "sign-up:"


def sign_up_attempt(email):
    """Let a sign-up go ahead, or say how long to wait: every sign-up counts, per email and
    per address, so nobody can try address after address to see which have accounts."""
    config = current_app.config
    window = timedelta(minutes=config["SIGN_UP_WINDOW_MINUTES"])
    return throttle.begin(
        get_db(), email, client_address(), utc_now(),
        throttle.Limit(config["SIGN_UP_PER_EMAIL"], window),
        throttle.Limit(config["SIGN_UP_PER_ADDRESS"], window),
        scope=SIGN_UP,
    )


EMAIL_LINK = "email-link:"


def email_link_attempt(email):
    """Let an "Email me a link" request go ahead, or say how long to wait: every request
    counts, per email and per address, whether or not the email has an account, so nobody
    can fill a mailbox or try address after address."""
    config = current_app.config
    window = timedelta(minutes=config["SIGN_UP_WINDOW_MINUTES"])
    return throttle.begin(
        get_db(), email, client_address(), utc_now(),
        throttle.Limit(config["EMAIL_LINK_PER_EMAIL"], window),
        throttle.Limit(config["EMAIL_LINK_PER_ADDRESS"], window),
        scope=EMAIL_LINK,
    )


def succeeded(email):
    throttle.succeeded(get_db(), email)


def wait_message(wait):
    minutes = throttle.minutes_to_wait(wait)
    unit = "minute" if minutes == 1 else "minutes"
    return f"There have been too many tries. To keep your account safe, wait {minutes} {unit}."


def too_many(response_body, wait):
    """A 429 answer with Retry-After."""
    security_log.warn("throttled", wait_seconds=int(wait.total_seconds()))
    response = current_app.make_response((response_body, 429))
    response.headers["Retry-After"] = str(int(wait.total_seconds()) + 1)
    return response


def needs_second_factor(role, email):
    return session_rules.needs_second_factor(
        role, email, current_app.config["DEMO"], DEMO_EMAILS
    )


def destination(role, next_url=None):
    """Where to go once signed in: where they were going, else their own start page."""
    return next_url or home_url(role)
