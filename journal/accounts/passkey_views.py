"""Passkey routes: add, list and remove them from Account, and sign in with one. The
browser side is in static/app.js; the password form works without it."""

from flask import abort, current_app, flash, g, jsonify, redirect, request, session, url_for

from ..platform import security_log
from ..platform.clock import utc_now
from ..platform.db import get_db
from ..platform.web import safe_next
from . import bp, guard, passkeys, sessions, users
from .sign_in import begin_session, login_required

REGISTER_KEY = "passkey_register"
SIGN_IN_KEY = "passkey_sign_in"
# Unknown credentials share one count, apart from any real account's failed tries.
UNKNOWN_ACCOUNT = "passkey:unknown"
ADD_FAILED = "That passkey could not be added. Please try again."
SIGN_IN_FAILED = "That passkey did not work here. Try again, or sign in with your password."
STAFF_NEEDS_VERIFYING = ("Staff passkeys must check it is you, with a fingerprint, face or "
                         "PIN. Try again, or sign in with your password and code.")


def relying_party():
    """This site as a relying party, or 404 when passkeys are off (no PUBLIC_URL)."""
    rp = _relying_party_or_none()
    if rp is None:
        abort(404)
    return rp


def _relying_party_or_none():
    config = current_app.config
    return passkeys.relying_party(config.get("PUBLIC_URL"), request.host_url,
                                  allow_localhost=config["MODE"] != "production")


def passkeys_on():
    """Whether this request can use passkeys (for the pages that offer them)."""
    return _relying_party_or_none() is not None


@bp.app_context_processor
def passkey_context():
    return {"passkeys_on": passkeys_on}


def _refused(message, status=422):
    return jsonify(error=message), status


@bp.route("/account/passkeys/options", methods=["POST"])
@login_required
def passkey_options():
    rp = relying_party()
    options, challenge = passkeys.registration_options(get_db(), rp, g.user, utc_now())
    session[REGISTER_KEY] = challenge
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/account/passkeys", methods=["POST"])
@login_required
def add_passkey():
    rp = relying_party()
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        if request.is_json:
            return _refused(ADD_FAILED)
        # A plain form post: this browser ran no script, so it made no passkey.
        flash("Adding a passkey needs JavaScript and a browser that supports passkeys.")
        return redirect(url_for("accounts.overview"), code=303)
    challenge = session.pop(REGISTER_KEY, None)
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    try:
        passkey_id = passkeys.register(get_db(), rp, g.user, passkeys.as_json(body["credential"]),
                                       challenge, name, utc_now())
    except passkeys.PasskeyRefused as why:
        security_log.warn("passkey_refused", reason=str(why))
        return _refused(ADD_FAILED)
    security_log.event("passkey_added", passkey=passkey_id)
    flash("Your passkey is added. You can use it to sign in.")
    return jsonify(redirect=url_for("accounts.overview"))


@bp.route("/account/passkeys/<int:passkey_id>/remove", methods=["POST"])
@login_required
def remove_passkey(passkey_id):
    if not passkeys.remove(get_db(), g.user.id, passkey_id):
        abort(404)
    security_log.event("passkey_removed", passkey=passkey_id)
    flash("That passkey is removed. It no longer signs you in.")
    return redirect(url_for("accounts.overview"), code=303)


@bp.route("/sign-in/passkey/options", methods=["POST"])
def passkey_sign_in_options():
    rp = relying_party()
    options, challenge = passkeys.sign_in_options(get_db(), rp, utc_now())
    session[SIGN_IN_KEY] = challenge
    return current_app.response_class(options, mimetype="application/json")


@bp.route("/sign-in/passkey", methods=["POST"])
def passkey_sign_in():
    rp = relying_party()
    if g.user:
        return jsonify(redirect=guard.destination(g.user.role))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        return _refused(SIGN_IN_FAILED)
    challenge = session.pop(SIGN_IN_KEY, None)
    credential = passkeys.as_json(body["credential"])
    db = get_db()
    passkey = passkeys.credential_owner(db, credential)
    if passkey and g.pending and passkey["user_id"] != g.pending["user_id"]:
        # At the code step, only the person whose password was right may finish.
        passkey = None
    user = users.user_by_id(db, passkey["user_id"]) if passkey else None
    account = user.email if user else UNKNOWN_ACCOUNT
    try_ = guard.attempt(account)
    if not try_.allowed:
        security_log.warn("throttled", wait_seconds=int(try_.wait.total_seconds()))
        response = jsonify(error=guard.wait_message(try_.wait))
        response.status_code = 429
        response.headers["Retry-After"] = str(int(try_.wait.total_seconds()) + 1)
        return response
    if user is None:
        security_log.warn("sign_in_failed", None, account="unknown", method="passkey")
        return _refused(SIGN_IN_FAILED)
    # For staff the passkey is both factors only when it checked who is holding it.
    staff = guard.needs_second_factor(user.role, user.email)
    try:
        verified = passkeys.authenticate(db, rp, passkey, credential, challenge, utc_now(),
                                         need_verified_user=staff)
    except passkeys.PasskeyRefused as why:
        security_log.warn("sign_in_failed", user.id, account="known", method="passkey",
                          reason=str(why))
        return _refused(STAFF_NEEDS_VERIFYING if str(why) == "not_verified" else SIGN_IN_FAILED)
    guard.succeeded(user.email)
    next_url = session.get("next") if g.pending else None
    if g.pending:
        sessions.end(db, session["token"])  # the half-signed-in step is over
    begin_session(user.id)
    security_log.event("signed_in", user.id, method="passkey",
                       user_verified=verified, second_factor="passkey" if staff else "none")
    if isinstance(body.get("next"), str):
        next_url = body["next"]
    next_url = safe_next(next_url)
    return jsonify(redirect=guard.destination(user.role, next_url))

