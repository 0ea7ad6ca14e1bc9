"""Configuration for each mode: production (default), demo and test."""

import os
import secrets
from pathlib import Path

# The demo accounts (`make run` only); demo sign-ins skip the staff second factor.
DEMO_PATIENT_EMAIL = "patient@example.com"
DEMO_NURSE_EMAIL = "nurse@example.com"


class ConfigError(RuntimeError):
    """The environment cannot start the app safely."""


class Production:
    MODE = "production"
    DEMO = False
    TESTING = False
    JOURNAL_DB = "instance/journal.db"
    PORT = 8000
    # A check-in note is at most 5,000 characters; a whole form stays far below this.
    MAX_CONTENT_LENGTH = 1024 * 1024
    # __Host-: the browser keeps it only if Secure, for this host alone and the whole path.
    SESSION_COOKIE_NAME = "__Host-ww_session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 30
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    WTF_CSRF_HEADERS = ["X-CSRFToken"]
    HSTS = True
    # argon2id at the first of OWASP's equally strong settings (46 MiB, one pass, one lane):
    # the most memory-hard of them that keeps a worker checking a password under its
    # 120 MB budget (the library's default, 64 MiB and four lanes, took it to 123 MB).
    ARGON2 = {"time_cost": 1, "memory_cost": 47104, "parallelism": 1}
    SEND_FILE_MAX_AGE_DEFAULT = 60 * 60 * 24 * 365  # static names carry a version
    # Sign-in hardening (issue 6). Proxies in front of the app that may set
    # X-Forwarded-For; 0 trusts none, so a client cannot pick its own address.
    TRUSTED_PROXIES = 0
    THROTTLE_ACCOUNT_FAILURES = 5
    THROTTLE_ADDRESS_FAILURES = 20  # higher: a hospital's staff may share one address
    THROTTLE_WINDOW_MINUTES = 15
    # Every sign-up counts, made or not, in every mode: enough for a household sharing one
    # connection, too few to try addresses in bulk.
    SIGN_UP_PER_EMAIL = 3
    SIGN_UP_PER_ADDRESS = 10
    SIGN_UP_WINDOW_MINUTES = 60
    # "Email me a link" (forgotten password), counted like sign-ups: every request counts.
    EMAIL_LINK_PER_EMAIL = 3
    EMAIL_LINK_PER_ADDRESS = 10
    # How long an emailed link works: a password reset, and a new account's confirmation.
    RESET_LINK_MINUTES = 30
    SIGN_UP_LINK_HOURS = 24
    STAFF_IDLE_MINUTES = 15
    PATIENT_IDLE_MINUTES = 60 * 24 * 14
    STAFF_SESSION_HOURS = 12
    PATIENT_SESSION_DAYS = 30
    SECOND_FACTOR_MINUTES = 10  # between a right password and the code
    TEMPORARY_PASSWORD_HOURS = 24
    # Litestream streams the database (JOURNAL_REPLICATED=1): it alone checkpoints the WAL,
    # so the app switches SQLite's automatic checkpoints off (docs/OPERATIONS.md).
    REPLICATED = False
    # Reminder emails (docs/OPERATIONS.md): off until MAIL_SERVER is set. SMTP in every mode,
    # so tests talk to a real server on loopback rather than Flask-Mailman's memory box.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_DEFAULT_SENDER = "Waiting Well <reminders@localhost>"
    MAIL_BACKEND = "smtp"
    MAIL_TIMEOUT = 10
    # Web Push (device notifications): the VAPID private key, PEM or base64url; made once per
    # install in the demo. VAPID_SUBJECT tells push services whom to contact.
    VAPID_PRIVATE_KEY = None
    VAPID_SUBJECT = "mailto:reminders@localhost"
    # The address people reach the app at: its host is the passkeys' RP id. Unset, passkeys
    # are off in production and work on http://localhost only (demo and tests).
    PUBLIC_URL = None


class Demo(Production):
    MODE = "demo"
    DEMO = True
    HSTS = False


class Test(Production):
    MODE = "test"
    TESTING = True
    HSTS = False
    # Cheap hashes keep the suite fast; production keeps the library defaults.
    ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


MODES = {"production": Production, "demo": Demo, "test": Test}


def load(overrides=None):
    """Build the configuration mapping from the environment and any overrides."""
    overrides = dict(overrides or {})
    mode = overrides.get("MODE") or os.environ.get("JOURNAL_MODE", "production")
    if mode not in MODES:
        raise ConfigError(f"JOURNAL_MODE must be one of {', '.join(MODES)}, not {mode!r}")
    base = MODES[mode]
    config = {k: getattr(base, k) for k in dir(base) if k.isupper()}
    config["JOURNAL_DB"] = os.environ.get("JOURNAL_DB", config["JOURNAL_DB"])
    config["PORT"] = int(os.environ.get("PORT", config["PORT"]))
    config["SECRET_KEY"] = os.environ.get("SECRET_KEY")
    if "JOURNAL_REPLICATED" in os.environ:
        config["REPLICATED"] = _switch("JOURNAL_REPLICATED", os.environ["JOURNAL_REPLICATED"])
    for name in ("TRUSTED_PROXIES", "PATIENT_IDLE_MINUTES", "MAIL_PORT"):
        if name in os.environ:
            config[name] = _whole_number(name, os.environ[name])
    for name in ("MAIL_SERVER", "MAIL_USERNAME", "MAIL_PASSWORD", "MAIL_DEFAULT_SENDER",
                 "VAPID_PRIVATE_KEY", "VAPID_SUBJECT", "PUBLIC_URL"):
        if os.environ.get(name):
            config[name] = os.environ[name]
    for name in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if name in os.environ:
            config[name] = _switch(name, os.environ[name])
    config.update(overrides)
    if not config["SECRET_KEY"]:
        if mode == "production":
            raise ConfigError("SECRET_KEY must be set in production (JOURNAL_MODE=production)")
        config["SECRET_KEY"] = _local_secret(config["JOURNAL_DB"], mode)
    if mode == "production" and config["MAIL_SERVER"] and not config["PUBLIC_URL"]:
        # Links in emails (password reset, sign-up) are built from PUBLIC_URL, never from
        # the Host header a client sends, which could point a reset link at another site.
        raise ConfigError("PUBLIC_URL must be set when MAIL_SERVER is, for the links in emails")
    return config


def _whole_number(name, raw):
    if not raw.strip().isdigit():
        raise ConfigError(f"{name} must be a whole number, not {raw!r}")
    return int(raw)


def _switch(name, raw):
    value = raw.strip().lower()
    if value not in ("0", "1"):
        raise ConfigError(f"{name} must be 1 or 0, not {raw!r}")
    return value == "1"


def _local_secret(db_path, mode):
    """A demo key kept beside the database, so restarts keep people signed in."""
    if mode == "test" or db_path == ":memory:":
        return secrets.token_hex(32)
    path = Path(db_path).parent / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
