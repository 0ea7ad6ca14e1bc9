"""Lock this phone: after the minutes a patient chose for this device, every page shows the
lock screen until she unlocks it with her password or a passkey, or signs out. The session
lives on behind the lock (sign_in.load_user notices the lock), and a form sent while
locked is held and offered again once she is back."""

import json
from urllib.parse import urlsplit

from flask import (
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ..platform import security_log
from ..platform.clock import utc_now
from ..platform.db import get_db
from ..platform.security import csrf, kept_fields, stale_form_view
from ..platform.web import home_url, safe_next
from . import bp, guard, passkeys, session_rules, sessions, users
from .passkey_views import passkeys_on, relying_party
from .sign_in import login_required, renew_session
from .views import SHELL_AND_HELP, lock_words, overview_page

# What a locked device still reaches: the lock's own routes, signing out, the app's shell
# (service worker, manifest, offline page), and the help and privacy pages, which show there
# what they show to anyone who is not signed in.
# The lock screen's nurse line asks help.line_status_now to keep its open or closed words right.
OPEN_WHILE_LOCKED = SHELL_AND_HELP | {
    "accounts.locked", "accounts.unlock", "accounts.unlock_passkey_options",
    "accounts.unlock_passkey",
}
UNLOCK_KEY = "passkey_unlock"
# A held form bigger than this is not kept (a check-in note is at most 5,000 characters).
HELD_MAX = 64_000

LOCKED = "Waiting Well is locked. Unlock it to carry on."
UNLOCK_REFUSED = "That is not your password. Try again, or sign out."
UNLOCK_EMPTY = "Enter your password to unlock."
PASSKEY_FAILED = ("That passkey did not unlock Waiting Well. It must check it is you, with a "
                  "fingerprint, face or PIN. Try again, or use your password.")


@bp.before_app_request
def lock_gate():
    """On a locked device, answer every other page with the way to the lock screen."""
    if g.get("locked_user") is None or request.endpoint in OPEN_WHILE_LOCKED:
        return None
    if request.headers.get("HX-Request"):
        # htmx follows HX-Redirect; static/app.js keeps a draft form's words on the device.
        here = urlsplit(request.headers.get("HX-Current-URL", "")).path
        response = current_app.response_class(status=401)
        response.headers["HX-Redirect"] = url_for("accounts.locked", next=safe_next(here))
        return response
    if request.is_json or request.accept_mimetypes.best == "application/json":
        return jsonify(error=LOCKED, locked=True, unlock=url_for("accounts.locked")), 401
    if request.method == "GET":
        # The path only: a query may hold words she typed (a search), not for the lock screen.
        return redirect(url_for("accounts.locked", next=request.path), code=303)
    if request.method == "POST":
        _hold_post()
    return redirect(url_for("accounts.locked"), code=303)


def _hold_post():
    """Keep what a form sent while locked, so it can be sent once she unlocks; only a form
    from her own pages (its CSRF token checks), and never a password or code."""
    try:
        csrf.protect()
    except CSRFError:
        return
    fields = kept_fields()
    held = json.dumps({"path": request.full_path.rstrip("?"), "fields": fields})
    if not fields or len(held) > HELD_MAX:
        return
    sessions.hold_post(get_db(), g.locked_session["id"], held)
    security_log.event("post_held_while_locked", g.locked_user.id, endpoint=request.endpoint)


def _lock_page(user, next_url, error=None, status=200):
    db = get_db()
    page = render_template(
        "accounts/locked.html", first_name=user.first_name, next_url=next_url, error=error,
        passkey_unlock=passkeys_on() and bool(passkeys.passkeys_of(db, user.id)),
        held=g.locked_session["held_post"] is not None,
        help_page=True,  # the lock screen shows the help numbers itself
    )
    return page, status


def _not_locked():
    """Where /locked and /unlock send someone whose device is not locked (any more)."""
    next_url = safe_next(request.values.get("next"))
    if g.user:
        return redirect(next_url or home_url(g.user.role), code=303)
    return redirect(url_for("accounts.sign_in", next=next_url), code=303)


@bp.route("/locked")
def locked():
    """The lock screen: no health detail, only her first name, the ways back in and help."""
    if g.locked_user is None:
        return _not_locked()
    return _lock_page(g.locked_user, safe_next(request.args.get("next")))


@bp.route("/unlock", methods=["POST"])
def unlock():
    """Unlock with her password: throttled and logged as a sign-in is."""
    user = g.locked_user
    if user is None:
        return _not_locked()
    next_url = safe_next(request.form.get("next"))
    password = request.form.get("password") or ""
    if not password:
        return _lock_page(user, next_url, UNLOCK_EMPTY, 422)
    try_ = guard.attempt(user.email)
    if not try_.allowed:
        page, _ = _lock_page(user, next_url, guard.wait_message(try_.wait))
        return guard.too_many(page, try_.wait)
    db = get_db()
    row = users.user_by_email(db, user.email)
    hasher = current_app.extensions["passwords"]
    if not hasher.verify(row["password_hash"], password):
        security_log.warn("unlock_failed", user.id, method="password")
        return _lock_page(user, next_url, UNLOCK_REFUSED, 422)
    guard.succeeded(user.email)
    return redirect(_unlocked(db, user, "password", next_url), code=303)


def _unlocked(db, user, method, next_url):
    """Open the session again, with a new token (she proved who she is again); where to go.
    The session lived on behind the lock, so what it held (an undo, codes still to keep, the
    form token other tabs use) carries on too."""
    kept = {key: value for key, value in session.items() if key not in ("token", UNLOCK_KEY)}
    renew_session(db, user.id)
    session.update(kept)
    security_log.event("unlocked", user.id, method=method)
    if g.locked_session["held_post"] is not None:
        return url_for("accounts.held_post")
    return next_url or home_url(user.role)


@stale_form_view("accounts.unlock")
def stale_unlock():
    """The lock screen again when its form token went stale, asking for the password again."""
    if g.locked_user is None:
        return None
    return _lock_page(g.locked_user, safe_next(request.form.get("next")),
                      "This page was open for a long time. Please enter your password again.",
                      422)


@bp.route("/unlock/passkey/options", methods=["POST"])
def unlock_passkey_options():
    """Options for unlocking with one of her own passkeys; the challenge is hers alone."""
    if g.locked_user is None:
        return jsonify(error=LOCKED), 409
    options, challenge = passkeys.unlock_options(get_db(), relying_party(), g.locked_user.id,
                                                 utc_now())
    session[UNLOCK_KEY] = challenge
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/unlock/passkey", methods=["POST"])
def unlock_passkey():
    """Unlock with a passkey that checked it is her (user verification), throttled and
    logged as a sign-in is: on a shared phone, a tap alone would open it for anyone."""
    user = g.locked_user
    if user is None:
        return jsonify(redirect=url_for("accounts.locked")), 409
    rp = relying_party()  # 404 when passkeys are off here
    body = request.get_json(silent=True)
    credential = body.get("credential") if isinstance(body, dict) else None
    if not isinstance(credential, dict):
        return jsonify(error=PASSKEY_FAILED), 422
    challenge = session.pop(UNLOCK_KEY, None)
    try_ = guard.attempt(user.email)
    if not try_.allowed:
        security_log.warn("throttled", user.id, wait_seconds=int(try_.wait.total_seconds()))
        response = jsonify(error=guard.wait_message(try_.wait))
        response.status_code = 429
        response.headers["Retry-After"] = str(int(try_.wait.total_seconds()) + 1)
        return response
    db = get_db()
    credential = passkeys.as_json(credential)
    passkey = passkeys.credential_owner(db, credential)
    if passkey is None or passkey["user_id"] != user.id:
        security_log.warn("unlock_failed", user.id, method="passkey", reason="not_hers")
        return jsonify(error=PASSKEY_FAILED), 422
    try:
        passkeys.authenticate(db, rp, passkey, credential, challenge, utc_now(),
                              need_verified_user=True, challenge_for=user.id)
    except passkeys.PasskeyRefused as why:
        security_log.warn("unlock_failed", user.id, method="passkey", reason=str(why))
        return jsonify(error=PASSKEY_FAILED), 422
    guard.succeeded(user.email)
    next_url = safe_next(body.get("next")) if isinstance(body.get("next"), str) else None
    return jsonify(redirect=_unlocked(db, user, "passkey", next_url))


# What she sent while locked, offered again once she is back.


def held_target(held):
    """The held form's path and fields, or None when the path is not a form of this app."""
    path = safe_next(held.get("path")) if isinstance(held, dict) else None
    fields = held.get("fields") if isinstance(held, dict) else None
    if path is None or not isinstance(fields, list):
        return None
    try:
        current_app.url_map.bind("localhost").match(urlsplit(path).path, method="POST")
    except HTTPException:
        return None
    return path, [(str(name), str(value)) for name, value in fields]


@bp.route("/unlock/held", methods=["GET", "POST"])
@login_required
def held_post():
    """After unlocking: send the held form, or let it go. Sending re-posts the same fields
    (307 keeps the method and body) to where they were going, and forgets them here."""
    db = get_db()
    if request.method == "POST":
        raw = sessions.take_held_post(db, g.session_id)
        target = held_target(json.loads(raw)) if raw else None
        if target is None or request.form.get("send") != "yes":
            if raw:
                flash("That was not sent. Nothing was saved from it.")
            return redirect(home_url(g.user.role), code=303)
        return redirect(target[0], code=307)
    row = db.execute("SELECT held_post FROM sessions WHERE id = ?", [g.session_id]).fetchone()
    target = held_target(json.loads(row[0])) if row and row[0] else None
    if target is None:
        return redirect(home_url(g.user.role), code=303)
    return render_template("accounts/held_post.html", fields=target[1])


@bp.route("/account/lock", methods=["POST"])
@login_required(role="patient")
def set_lock():
    """Turn this device's lock on (5, 15 or 60 minutes) or off."""
    valid, minutes = session_rules.lock_choice(request.form.get("lock_after"))
    if not valid:
        return overview_page(lock_error="Choose how soon this phone locks, or Off.")
    sessions.set_lock(get_db(), g.session_id, minutes)
    security_log.event("device_lock_set", minutes=minutes or 0)
    flash(f"This phone now locks after {lock_words(minutes)} unused." if minutes
          else "This phone no longer locks by itself.")
    return redirect(url_for("accounts.overview", _anchor="lock"), code=303)
