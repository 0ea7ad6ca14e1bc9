"""Ways in by email: "Email me a link" for a forgotten password, the link that sets a new
one, and the link that makes a new account where sign-up confirms the address first."""

import sqlite3
from datetime import timedelta

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

from ..platform import security_log
from ..platform.clock import utc_now
from ..platform.db import get_db, immediate
from ..platform.security import stale_form_view
from . import bp, consent, email_links, guard, mails, sessions, users
from .sign_in import AGREE_ERROR, begin_session, welcome


@bp.app_context_processor
def email_ways():
    """Whether pages may offer "Email me a link"."""
    return {"email_links_on": mails.links_on}


@bp.route("/forgotten-password/email", methods=["GET", "POST"])
def email_me_a_link():
    if not mails.links_on():
        abort(404)
    if g.user:
        return redirect(url_for("accounts.change_password"))
    values, errors = {}, {}
    if request.method == "POST":
        values = {"email": users.normalise_email(request.form.get("email"))}
        if message := users.check_email(values["email"]):
            errors["email"] = message
        else:
            attempt = guard.email_link_attempt(values["email"])
            if not attempt.allowed:
                errors["form"] = guard.wait_message(attempt.wait)
                page = render_template("accounts/email_me_a_link.html", values=values,
                                       errors=errors)
                return guard.too_many(page, attempt.wait)
            _send_reset(values["email"])
            # The same page whether or not the email has an account.
            return render_template("accounts/check_email.html", what="reset")
    return render_template(
        "accounts/email_me_a_link.html", values=values, errors=errors
    ), 422 if errors else 200


def _send_reset(email):
    """Store a link and send it, or tell staff to ask an admin, or (no account) nothing."""
    db = get_db()
    now = utc_now()
    row = users.user_by_email(db, email)
    allowed = row is not None and _may_reset(row)
    lifetime = timedelta(minutes=current_app.config["RESET_LINK_MINUTES"])
    with immediate(db):
        email_links.prune(db, now)
        token = email_links.issue(db, email_links.RESET, now, lifetime,
                                  user_id=row["id"]) if allowed else None
    if token:
        mails.send_reset(row["email"], row["id"], token)
        security_log.event("reset_link_sent", row["id"])
    elif row is not None:
        mails.send_ask_admin(row["email"], row["id"])
        security_log.warn("reset_link_refused_staff", row["id"])
    else:
        security_log.event("reset_link_unknown_email")


def _may_reset(row):
    return email_links.may_reset_by_email(
        row["role"], users.has_password(row), bool(row["totp_confirmed_at"]))


def _dead_link(what, why):
    """The kind page for a link that no longer works, with a way forward."""
    security_log.warn("email_link_refused", reason=why, purpose=what)
    return render_template("accounts/link_dead.html", what=what, why=why), 404


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    db = get_db()
    link = email_links.find(db, email_links.RESET, token)
    why = email_links.state(link, utc_now())
    row = next(db.query("SELECT * FROM users WHERE id = ?", [link["user_id"]]), None) \
        if link else None
    if why == "live" and not _may_reset(row):
        why = "unknown"  # staff whose authenticator or password an admin took away since
    if why != "live":
        return _dead_link("reset", why)
    error = None
    if request.method == "POST":
        password = request.form.get("new_password") or ""
        error = users.check_new_password(password, row["email"])
        if error is None:
            hashed = current_app.extensions["passwords"].hash(password)
            now = utc_now()
            with immediate(db):
                spent = email_links.spend(db, link["id"], now)
                if spent:
                    email_links.end_for_user(db, row["id"], now)
                    users.change_password(db, row["id"], hashed)
                    sessions.end_all(db, row["id"])
            if not spent:
                return _dead_link("reset", "used")
            security_log.event("password_reset_by_email", row["id"])
            return _after_reset(row)
    return render_template("accounts/reset_password.html", email=row["email"], error=error,
                           staff=row["role"] != "patient"), 422 if error else 200


def _after_reset(row):
    """A patient is signed in on this device; staff sign in again, with their code."""
    # Whoever was signed in on this browser may not be the person who just reset.
    if session.get("token"):
        sessions.end(get_db(), session["token"])
    if row["role"] == "patient":
        begin_session(row["id"])
        flash("Your new password is saved. You are signed out on every other device.")
        return redirect(url_for("diary.home"), code=303)
    session.clear()
    flash("Your new password is saved. Sign in with it and the code from your "
          "authenticator app.")
    return redirect(url_for("accounts.sign_in"), code=303)


@bp.route("/sign-up/confirm/<token>", methods=["GET", "POST"])
def confirm_sign_up(token):
    db = get_db()
    link = email_links.find(db, email_links.SIGN_UP, token)
    why = email_links.state(link, utc_now())
    if why == "live" and users.user_by_email(db, link["email"]):
        why = "used"  # another of its links made the account already
    if why != "live":
        return _dead_link("sign_up", why)
    values, errors = {"email": link["email"]}, {}
    if request.method == "POST":
        checked, errors = users.check_signup(link["email"], request.form.get("password"),
                                             request.form.get("first_name"))
        values.update(first_name=checked["first_name"], agree=request.form.get("agree") == "yes")
        if not values["agree"]:
            errors["agree"] = AGREE_ERROR
        if not errors:
            user_id = _make_account(db, link, request.form["password"], values["first_name"])
            if user_id is None:
                return _dead_link("sign_up", "used")
            return welcome(db, user_id)
    return render_template("accounts/confirm_sign_up.html", values=values, errors=errors), (
        422 if errors else 200)


def _make_account(db, link, password, first_name):
    """Spend the link and make the account in one transaction; None if it lost a race."""
    hashed = current_app.extensions["passwords"].hash(password)
    now = utc_now()
    try:
        with immediate(db):
            if not email_links.spend(db, link["id"], now):
                return None
            email_links.end_for_email(db, link["email"], now)
            user_id = users.create_user(db, link["email"], hashed, first_name=first_name)
            consent.agree(db, user_id)
    except sqlite3.IntegrityError:
        return None
    # Whoever was signed in on this browser is not the person whose account this is.
    if session.get("token"):
        sessions.end(db, session["token"])
    return user_id


@stale_form_view("accounts.email_me_a_link")
def stale_email_me_a_link():
    values = {"email": users.normalise_email(request.form.get("email"))}
    errors = {"form": "This page was open for a long time. Please ask for the link again."}
    return render_template("accounts/email_me_a_link.html", values=values, errors=errors), 422
