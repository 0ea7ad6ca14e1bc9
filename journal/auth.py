"""Sign up, sign in, sign out, and who is asking on each request."""

import functools
import sqlite3
from datetime import timedelta
from urllib.parse import urlsplit

from flask import (
    Blueprint,
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

from . import accounts, sessions
from .clock import parse_utc, utc_now
from .db import get_db
from .security import stale_form_view
from .unavailable import is_unavailable

bp = Blueprint("auth", __name__)

# Writing last_seen on every request would turn each read into a write.
TOUCH_EVERY = timedelta(minutes=1)


@bp.before_app_request
def load_user():
    g.user = None
    token = session.get("token")
    if not token:
        return
    db = get_db()
    row = sessions.find(db, token)
    if row is None:
        session.clear()
        return
    g.user = accounts.user_by_id(db, row["user_id"])
    g.session_id = row["id"]
    if utc_now() - parse_utc(row["last_seen_at"]) > TOUCH_EVERY:
        try:
            sessions.touch(db, row["id"])
        except sqlite3.OperationalError as error:
            # A full or read-only database must still let people read their journal.
            if not is_unavailable(error):
                raise
            current_app.logger.warning("Session not touched: %s", error)


def safe_next(target):
    """Only follow a 'next' that stays on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers read "/\evil.example" as "//evil.example", and drop tabs and line breaks.
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    return target


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
        here = urlsplit(request.headers.get("HX-Current-URL", "")).path or url_for("journal.home")
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("auth.sign_in", next=safe_next(here))
        return response
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.sign_in", next=target))


def begin_session(user_id):
    """Start a fresh session: nothing from before sign-in carries over."""
    session.clear()
    session["token"] = sessions.start(get_db(), user_id)
    session.permanent = True


@bp.route("/sign-up", methods=["GET", "POST"])
def sign_up():
    if g.user:
        return redirect(url_for("journal.home"))
    values, errors = {}, {}
    if request.method == "POST":
        values, errors = accounts.check_signup(
            request.form.get("email"), request.form.get("password"), request.form.get("first_name")
        )
        if not errors:
            db = get_db()
            try:
                user_id = accounts.create_user(
                    db,
                    values["email"],
                    current_app.extensions["passwords"].hash(request.form["password"]),
                    first_name=values["first_name"],
                )
            except sqlite3.IntegrityError:
                errors["email"] = "There is already an account with this email. Try signing in."
            else:
                begin_session(user_id)
                flash("Welcome. Your journal is ready.")
                return redirect(url_for("journal.home"), code=303)
    return render_template(
        "auth/sign_up.html", values=values, errors=errors
    ), 422 if errors else 200


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    next_url = safe_next(request.values.get("next"))
    if g.user:
        return redirect(next_url or url_for("journal.home"))
    values, error = {}, None
    if request.method == "POST":
        values = {"email": accounts.normalise_email(request.form.get("email"))}
        password = request.form.get("password") or ""
        db = get_db()
        row = accounts.user_by_email(db, values["email"])
        passwords = current_app.extensions["passwords"]
        if passwords.verify(row["password_hash"] if row else None, password):
            if passwords.needs_rehash(row["password_hash"]):
                accounts.set_password_hash(db, row["id"], passwords.hash(password))
            begin_session(row["id"])
            return redirect(next_url or url_for("journal.home"), code=303)
        # One message for an unknown email and a wrong password: no account probing.
        error = "That email and password do not match an account. Check them and try again."
    return render_template(
        "auth/sign_in.html", values=values, error=error, next_url=next_url
    ), 422 if error else 200


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    token = session.get("token")
    if token:
        sessions.end(get_db(), token)
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("pages.landing"), code=303)


@stale_form_view("auth.sign_in")
def stale_sign_in():
    values = {"email": accounts.normalise_email(request.form.get("email"))}
    error = "This page was open for a long time. Please enter your password again."
    next_url = safe_next(request.form.get("next"))
    return render_template("auth/sign_in.html", values=values, error=error, next_url=next_url), 422


@stale_form_view("auth.sign_up")
def stale_sign_up():
    values = {"email": accounts.normalise_email(request.form.get("email")),
              "first_name": (request.form.get("first_name") or "").strip()}
    errors = {"password": "This page was open for a long time. Please enter a password again."}
    return render_template("auth/sign_up.html", values=values, errors=errors), 422
