"""Sign up, sign in, sign out, and who is asking on each request."""

import functools
import sqlite3
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

from ..platform import security_log
from ..platform.clock import parse_utc, utc_now
from ..platform.db import get_db, immediate
from ..platform.security import (
    SESSIONLESS_ENDPOINTS,
    clear_site_data,
    may_write_session_cookie,
    stale_form_view,
)
from ..platform.templating import uk_date
from ..platform.unavailable import is_unavailable
from ..platform.web import safe_next
from . import (
    bp,
    consent,
    email_links,
    guard,
    mails,
    recovery,
    session_rules,
    sessions,
    users,
)

# Writing last_seen on every request would turn each read into a write; the idle timeout
# is therefore kept to the minute (a session may end up to a minute early, never late).
TOUCH_EVERY = timedelta(minutes=1)
# Endpoints the page calls by itself (polls): they are not the person doing anything, so
# they neither refresh last_seen_at nor renew the cookie, and cannot keep an idle session
# alive.
PASSIVE_ENDPOINTS = set()


IDLE_MESSAGE = "You were signed out because Waiting Well was not used for a while."
EXPIRED_MESSAGE = "You were signed out to keep your account safe. Please sign in again."


@bp.before_app_request
def load_user():
    g.user = None
    g.pending = None
    g.locked_user = None
    # Static files and the health check are the same for everyone: no session read, no
    # query, no cookie and no Vary: Cookie.
    if request.endpoint in SESSIONLESS_ENDPOINTS:
        return
    token = session.get("token")
    if not token:
        return
    db = get_db()
    row = sessions.find(db, token)
    user = users.user_by_id(db, row["user_id"]) if row else None
    if user is None:
        session.clear()
        return
    now = utc_now()
    if row["stage"] != "active":
        # Right password, second factor still to come: not signed in yet.
        window = timedelta(minutes=current_app.config["SECOND_FACTOR_MINUTES"])
        if now - parse_utc(row["created_at"]) < window:
            g.pending = row
        else:
            _end(db, token, None)
        return
    last_seen = parse_utc(row["last_seen_at"])
    limits = session_rules.lifetimes(user.role, current_app.config)
    started = parse_utc(row["created_at"])
    why = session_rules.why_ended(limits, started, last_seen, now)
    if why:
        security_log.event("session_ended", user.id, reason=why)
        _end(db, token, IDLE_MESSAGE if why == "idle" else EXPIRED_MESSAGE)
        return
    change = session_rules.after_role_change(
        row["role"], user.role, guard.needs_second_factor(user.role, user.email)
    )
    if change == "sign_in_again":
        security_log.event("session_ended", user.id, reason="role_changed")
        _end(db, token, "Your account has changed. Please sign in again.")
        return
    if session_rules.is_locked(row["lock_after_minutes"], last_seen, now):
        # This device is locked (lock.py): every page but the lock's own sees nobody signed
        # in, and the session is not touched (nor renewed, which would open it), so it stays
        # locked until she unlocks it.
        g.locked_session = row
        g.locked_user = user
        return
    if change == "renew":
        begin_session(user.id, carry_from=row)
        sessions.end(db, token)
    g.user = user
    g.session_id = row["id"]
    g.idle_limit = limits.idle
    if request.endpoint in PASSIVE_ENDPOINTS or request.endpoint == "static":
        # The stored last use (written at most once a minute): the warning may come up to a
        # minute early, never late.
        g.session_ends_at = session_rules.ends_at(limits, started, last_seen)
        return
    g.session_ends_at = session_rules.ends_at(limits, started, now)
    if now - last_seen > TOUCH_EVERY:
        try:
            sessions.touch(db, row["id"])
        except sqlite3.OperationalError as error:
            # A full or read-only database must still let people read their journal.
            if not is_unavailable(error):
                raise
            current_app.logger.warning("Session not touched: %s", error)


def _end(db, token, message):
    sessions.end(db, token)
    session.clear()
    if message and request.endpoint != "static":
        flash(message)



def login_required(view=None, *, role=None):
    """Send anonymous people to sign in; refuse people of another role."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            if g.user is None:
                return to_sign_in()
            if role and g.user.role != role:
                abort(403)
            return view(**kwargs)

        return wrapped

    return decorate(view) if view else decorate


def to_sign_in():
    """Redirect to sign in, remembering where the person was going."""
    if request.headers.get("HX-Request"):
        here = urlsplit(request.headers.get("HX-Current-URL", "")).path or url_for("diary.home")
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("accounts.sign_in", next=safe_next(here))
        return response
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("accounts.sign_in", next=target))


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, sent only when needed: when the session changed, or
    when a page is asked for past the middle of the cookie's life (its expiry moves on).
    Passive requests (a poll), static files, the health check and empty 204 answers never
    renew it. The server-side session keeps the idle and absolute limits either way."""

    def open_session(self, app, request):
        # As Flask does, but keeping when the cookie was signed, to know its age.
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        opened = self.session_class(data)
        opened.signed_at = signed_at
        return opened

    def should_set_cookie(self, app, session):
        if session.modified:
            return True
        if (not session.permanent or request.endpoint in PASSIVE_ENDPOINTS
                or request.endpoint in SESSIONLESS_ENDPOINTS):
            return False
        signed_at = getattr(session, "signed_at", None)
        return session_rules.cookie_needs_renewal(
            signed_at, utc_now(), app.permanent_session_lifetime)

    def save_session(self, app, session, response):
        # A form from another site that failed its CSRF check must not replace (or delete)
        # the person's live session cookie, which the browser did not send with it.
        if not may_write_session_cookie(app):
            return
        if response.status_code == 204 and not session.modified:
            return  # nothing to send and nothing that varies with the cookie
        super().save_session(app, session, response)


def begin_session(user_id, stage="active", carry_from=None):
    """Start a fresh session: nothing from before sign-in carries over, except, for a new
    token on the same device (`carry_from`, the session row it replaces), its lock."""
    session.clear()
    session["token"] = sessions.start(get_db(), user_id, stage, carry_from=carry_from)
    session.permanent = True


def renew_session(db, user_id):
    """A new session token after the person gave their password (or passkey) again, as at
    sign-in; this device's lock setting goes with it."""
    old = session["token"]
    begin_session(user_id, carry_from=sessions.find(db, old))
    sessions.end(db, old)


AGREE_ERROR = "Tick the box to agree. We can only keep your journal if you say yes."
# Never "this email has an account": the words fit a mistyped address as well as a taken
# one, and the owner hears of the try when they next sign in.
SIGN_UP_REFUSED = ("We could not make an account with these details. If you have used "
                   "Waiting Well before, sign in instead, or use a recovery code if you have "
                   "forgotten your password.")
TRIED_MESSAGE = ("Someone tried to make a new account with your email on {day}. If it was "
                 "you, this is your account. If not, nothing has changed and your journal "
                 "is safe.")


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    if g.user:
        return redirect(guard.destination(g.user.role))
    if mails.confirms_sign_up():
        return _sign_up_by_email()
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = users.check_signup(
            request.form.get("email"), request.form.get("password"), request.form.get("first_name")
        )
        values["agree"] = request.form.get("agree") == "yes"
        if not values["agree"]:
            errors["agree"] = AGREE_ERROR
        if not errors:
            try_ = guard.sign_up_attempt(values["email"])
            if not try_.allowed:
                errors["form"] = guard.wait_message(try_.wait)
                page = render_template("accounts/sign_up.html", values=values, errors=errors)
                return guard.too_many(page, try_.wait)
            db = get_db()
            passwords = current_app.extensions["passwords"]
            # The one slow hash of a sign-up, made whether or not the email is free, so the
            # time taken does not tell either (recovery codes take a fast keyed hash).
            password_hash = passwords.hash(request.form["password"])
            try:
                user_id = users.create_user(
                    db,
                    values["email"],
                    password_hash,
                    first_name=values["first_name"],
                )
            except sqlite3.IntegrityError:
                users.note_sign_up_tried(db, values["email"])
                security_log.warn("sign_up_refused")
                errors["form"] = SIGN_UP_REFUSED
            else:
                consent.agree(db, user_id)
                return welcome(db, user_id)
    return render_template(
        "accounts/sign_up.html", values=values, errors=errors
    ), 422 if errors else 200


def welcome(db, user_id):
    """A new account's first moments: signed in, and recovery codes to keep."""
    codes = recovery.replace_codes(db, user_id, current_app.secret_key)
    begin_session(user_id)
    security_log.event("signed_up", user_id)
    # The next step shows them until the person says they have kept them
    # (keeping_codes.py; held in this signed session, never stored in plain).
    session["recovery_codes"] = codes
    session["recovery_codes_after"] = "sign-up"
    flash("Welcome. Your journal is ready. One more step: keep your recovery codes.")
    return redirect(url_for("accounts.keep_codes"), code=303)


def _sign_up_by_email():
    """Sign-up where mail is set up: the address comes first, and a taken address gets the
    same answer as a free one. Its owner is told by email; a free one gets a link that makes
    the account (email_ways.confirm_sign_up)."""
    values, errors = {}, {}
    if request.method == "POST":
        values = {"email": users.normalise_email(request.form.get("email"))}
        if message := users.check_email(values["email"]):
            errors["email"] = message
        else:
            try_ = guard.sign_up_attempt(values["email"])
            if not try_.allowed:
                errors["form"] = guard.wait_message(try_.wait)
                page = render_template("accounts/sign_up.html", values=values, errors=errors,
                                       by_email=True)
                return guard.too_many(page, try_.wait)
            db = get_db()
            now = utc_now()
            row = users.user_by_email(db, values["email"])
            lifetime = timedelta(hours=current_app.config["SIGN_UP_LINK_HOURS"])
            with immediate(db):
                email_links.prune(db, now)
                token = None if row else email_links.issue(
                    db, email_links.SIGN_UP, now, lifetime, email=values["email"])
            if row:
                mails.send_sign_up_tried(row["email"], row["id"])
                security_log.warn("sign_up_refused")
            else:
                mails.send_sign_up_link(values["email"], token)
                security_log.event("sign_up_link_sent")
            return render_template("accounts/check_email.html", what="sign_up")
    return render_template(
        "accounts/sign_up.html", values=values, errors=errors, by_email=True
    ), 422 if errors else 200


SIGN_IN_ERROR = "That email and password do not match an account. Check them and try again."


MISSING = {"email": "Enter your email address.", "password": "Enter your password."}


def missing_sign_in_fields(email, password):
    """What the sign-in form lacks before it can be checked, by field."""
    given = {"email": email, "password": password}
    return {field: message for field, message in MISSING.items() if not given[field]}


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_url = safe_next(request.values.get("next"))
    if g.user:
        return redirect(guard.destination(g.user.role, next_url))
    values, error, errors = {}, None, {}
    if request.method == "POST":
        values = {"email": users.normalise_email(request.form.get("email"))}
        errors = missing_sign_in_fields(values["email"], request.form.get("password"))
        if errors:
            # Nothing to check yet: say what is missing, and count no try against the account.
            return render_template("accounts/sign_in.html", values=values, errors=errors,
                                   next_url=next_url), 422
        try_ = guard.attempt(values["email"])
        if not try_.allowed:
            page = render_template("accounts/sign_in.html", values=values,
                                   error=guard.wait_message(try_.wait), next_url=next_url)
            return guard.too_many(page, try_.wait)
        password = request.form.get("password") or ""
        db = get_db()
        row = users.user_by_email(db, values["email"])
        passwords = current_app.extensions["passwords"]
        if passwords.verify(row["password_hash"] if row else None, password) and not (
            users.password_expired(row, utc_now())
        ):
            if passwords.needs_rehash(row["password_hash"]):
                users.set_password_hash(db, row["id"], passwords.hash(password))
            if guard.needs_second_factor(row["role"], row["email"]):
                # The try stays counted until the code is right too.
                begin_session(row["id"], stage="code" if row["totp_confirmed_at"] else "enrol")
                if next_url:
                    session["next"] = next_url
                security_log.event("password_accepted", row["id"], next="second_factor")
                return redirect(url_for("accounts.second_factor"), code=303)
            guard.succeeded(values["email"])
            begin_session(row["id"])
            security_log.event("signed_in", row["id"])
            if tried := users.take_sign_up_tried(db, row["id"]):
                flash(TRIED_MESSAGE.format(day=uk_date(tried)))
            return redirect(guard.destination(row["role"], next_url), code=303)
        # One message for an unknown email and a wrong password: no account probing.
        error = SIGN_IN_ERROR
        security_log.warn("sign_in_failed", row["id"] if row else None,
                          account="known" if row else "unknown")
    return render_template(
        "accounts/sign_in.html", values=values, error=error, next_url=next_url
    ), 422 if error else 200


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    token = session.get("token")
    if token:
        sessions.end(get_db(), token)
        security_log.event("signed_out")
    session.clear()
    flash("You have signed out.")
    # Phones are shared: drafts and stored files go with the session.
    return clear_site_data(redirect(url_for("help.landing"), code=303))


@stale_form_view("accounts.sign_in")
def stale_sign_in():
    values = {"email": users.normalise_email(request.form.get("email"))}
    error = "This page was open for a long time. Please enter your password again."
    next_url = safe_next(request.form.get("next"))
    return render_template("accounts/sign_in.html", values=values, error=error,
                           next_url=next_url), 422


@stale_form_view("accounts.sign_up")
def stale_sign_up():
    values = {"email": users.normalise_email(request.form.get("email")),
              "first_name": (request.form.get("first_name") or "").strip()}
    if mails.confirms_sign_up():
        errors = {"form": "This page was open for a long time. Please ask for the link again."}
        return render_template("accounts/sign_up.html", values=values, errors=errors,
                               by_email=True), 422
    errors = {"password": "This page was open for a long time. Please enter a password again."}
    return render_template("accounts/sign_up.html", values=values, errors=errors), 422
