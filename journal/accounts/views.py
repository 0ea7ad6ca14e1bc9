"""Account settings and the sign-in steps around the password: second factor, forgotten
password with a recovery code, password change, signing out everywhere."""

from flask import (
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
from ..platform.clock import parse_utc, utc_iso, utc_now
from ..platform.db import get_db
from ..platform.security import stale_form_view
from ..platform.web import is_htmx
from . import (
    bp,
    consent,
    guard,
    keeping_codes,
    passkeys,
    recovery,
    session_rules,
    sessions,
    totp,
    users,
)
from .sign_in import begin_session, login_required, renew_session

# Pages a person may still open while a step is owed (new password, privacy notice).
# The app's shell (service worker, manifest, offline page) holds nothing private and a
# redirect would break its install; help stays in reach from every page.
# The shell, help and the way out: open to a signed-in person whatever stands in the way
# (a step owed here, a locked device in lock.py).
SHELL_AND_HELP = {
    "static", "accounts.sign_out", "help.healthz", "accounts.privacy_notice",
    "platform.service_worker", "platform.manifest", "platform.offline",
    "help.help_page", "help.line_status_now",
}
OPEN_DURING_STEPS = SHELL_AND_HELP | {
    "accounts.agree_again", "accounts.reset_password", "accounts.confirm_sign_up",
    "accounts.change_password", "help.about",
}


@bp.before_app_request
def owed_steps():
    """Send a signed-in person to a step they owe before anything else."""
    if g.get("user") is None or request.endpoint in OPEN_DURING_STEPS:
        return None
    # Only patients agree to the notice: staff requests (such as the inbox poll) read
    # nothing more than the user row already loaded.
    agreed = consent.latest_agreement(get_db(), g.user.id) if g.user.role == "patient" else None
    step = session_rules.next_step(
        g.user.role, g.user.temporary_password, agreed["version"] if agreed else None,
        consent.VERSION,
    )
    # A post that saves what a patient wrote still goes through: nothing typed is lost,
    # and the next page asks them.
    if step is None or (step == "privacy" and request.method != "GET"):
        return None
    target = url_for("accounts.change_password" if step == "password" else "accounts.agree_again")
    if is_htmx():
        response = current_app.response_class(status=200)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target, code=303)


# The second factor at sign-in.

CODE_ERROR = "That code did not work. Type the newest 6-digit code from your app."


@bp.route("/sign-in/code", methods=["GET", "POST"])
def second_factor():
    if g.user:
        return redirect(guard.destination(g.user.role))
    if g.pending is None:
        flash("Please sign in again.")
        return redirect(url_for("accounts.sign_in"), code=303)
    db = get_db()
    row = next(db.query("SELECT * FROM users WHERE id = ?", [g.pending["user_id"]]))
    enrolling = g.pending["stage"] == "enrol" or not row["totp_confirmed_at"]
    secret = totp.enrolment_secret(db, row["id"]) if enrolling else row["totp_secret"]
    error, status = None, 200
    if request.method == "POST":
        attempt = guard.attempt(row["email"])
        if not attempt.allowed:
            body = _second_factor_page(row, secret, enrolling, guard.wait_message(attempt.wait))
            return guard.too_many(body, attempt.wait)
        now = utc_now()
        step = totp.matching_step(secret, request.form.get("code", ""), now, row["totp_last_step"])
        confirm = utc_iso(now) if enrolling else None
        if step is not None and totp.spend_step(db, row["id"], step, confirm):
            guard.succeeded(row["email"])
            next_url = session.get("next")
            sessions.end(db, session["token"])
            begin_session(row["id"])  # a new token once fully signed in
            security_log.event("signed_in", row["id"],
                               second_factor="enrolled" if enrolling else "code")
            if enrolling:
                flash("Two-step sign-in is set up. You will need a code each time you sign in.")
            return redirect(guard.destination(row["role"], next_url), code=303)
        error, status = CODE_ERROR, 422
        security_log.warn("second_factor_failed", row["id"])
    return _second_factor_page(row, secret, enrolling, error), status


def _second_factor_page(row, secret, enrolling, error):
    context = {"error": error, "enrolling": enrolling}
    if enrolling:
        uri = totp.provisioning_uri(secret, row["email"])
        context.update(secret=totp.grouped(secret), uri=uri, qr=_qr_data_uri(uri))
    return render_template("accounts/second_factor.html", **context)


def _qr_data_uri(uri):
    """The set-up address as a QR code image (SVG in a data: URL, no inline style)."""
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")


# Forgotten password, for patients: a recovery code stands in for an emailed link.

RECOVERY_ERROR = (
    "That email and recovery code do not match. Check the code: each one works only once."
)


@bp.route("/forgotten-password", methods=["GET", "POST"])
def forgotten_password():
    if g.user:
        return redirect(url_for("accounts.change_password"))
    values, errors = {}, {}
    if request.method == "POST":
        values = {"email": users.normalise_email(request.form.get("email"))}
        new_password = request.form.get("new_password") or ""
        if message := users.check_email(values["email"]):
            errors["email"] = message
        if not recovery.clean(request.form.get("code", "")):
            errors["code"] = "Enter a recovery code. It looks like k7mq-2xfp-9hdt."
        if message := users.check_new_password(new_password, values["email"]):
            errors["new_password"] = message
        if not errors:
            attempt = guard.attempt(values["email"])
            if not attempt.allowed:
                errors["form"] = guard.wait_message(attempt.wait)
                body = render_template("accounts/forgotten.html", values=values, errors=errors)
                return guard.too_many(body, attempt.wait)
            if user_id := _recover(values["email"], request.form.get("code"), new_password):
                guard.succeeded(values["email"])
                begin_session(user_id)
                security_log.event("password_reset_by_recovery_code", user_id)
                left = recovery.unused_count(get_db(), user_id)
                flash(f"Your new password is saved. You have {left} recovery codes left.")
                return redirect(url_for("diary.home"), code=303)
            errors["code"] = RECOVERY_ERROR
            security_log.warn("recovery_code_failed")
    return render_template(
        "accounts/forgotten.html", values=values, errors=errors
    ), 422 if errors else 200


def _recover(email, code, new_password):
    """Spend the code and set the new password; the user id, or None."""
    db = get_db()
    passwords = current_app.extensions["passwords"]
    row = users.user_by_email(db, email)
    patient_id = row["id"] if row and row["role"] == "patient" else None
    if not recovery.use_code(db, patient_id, code, current_app.secret_key, passwords):
        return None
    users.change_password(db, patient_id, passwords.hash(new_password))
    sessions.end_all(db, patient_id)
    return patient_id


# Settings for a signed-in person.


@bp.route("/account")
@login_required
def overview():
    return overview_page()


def overview_page(lock_error=None):
    """The Account page; with a message (and 422) when the lock setting was not one offered."""
    db = get_db()
    row = users.user_by_email(db, g.user.email)
    agreement = consent.latest_agreement(db, g.user.id)
    return render_template(
        "accounts/overview.html",
        lock_after=sessions.lock_after(db, g.session_id),
        errors={"lock_after": lock_error} if lock_error else {},
        lock_choices=[(m, lock_words(m) if m else "Off") for m in session_rules.LOCK_CHOICES],
        devices=sessions.live_count(db, g.user.id),
        codes_left=recovery.unused_count(db, g.user.id) if g.user.role == "patient" else None,
        second_factor_since=parse_utc(row["totp_confirmed_at"])
        if row["totp_confirmed_at"] else None,
        agreed_on=parse_utc(agreement["agreed_at"]) if agreement else None,
        passkeys=[dict(row, added_at=parse_utc(row["added_at"]),
                       last_used_at=parse_utc(row["last_used_at"]) if row["last_used_at"]
                       else None) for row in passkeys.passkeys_of(db, g.user.id)],
    ), 422 if lock_error else 200


def lock_words(minutes):
    """How a lock time reads: '5 minutes', '1 hour'."""
    return "1 hour" if minutes == 60 else f"{minutes} minutes"


SAME_AS_BEFORE = "Choose a password that is different from the one you have now."
NOT_CURRENT = "That is not your current password. Try again."


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    db = get_db()
    row = users.user_by_email(db, g.user.email)
    temporary = bool(row["password_expires_at"])
    errors = {}
    if request.method == "POST":
        current = request.form.get("current_password") or ""
        new = request.form.get("new_password") or ""
        if message := users.check_new_password(new, g.user.email):
            errors["new_password"] = message
        elif new == current:
            errors["new_password"] = SAME_AS_BEFORE
        if not errors:
            attempt = guard.attempt(g.user.email)
            if not attempt.allowed:
                errors["current_password"] = guard.wait_message(attempt.wait)
                body = render_template("accounts/password.html", errors=errors, temporary=temporary)
                return guard.too_many(body, attempt.wait)
            passwords = current_app.extensions["passwords"]
            if passwords.verify(row["password_hash"], current):
                guard.succeeded(g.user.email)
                users.change_password(db, g.user.id, passwords.hash(new))
                renew_session(db, g.user.id)
                sessions.end_all(db, g.user.id, keep_token=session["token"])
                security_log.event("password_changed")
                flash("Your new password is saved. Any other devices are now signed out.")
                return redirect(guard.destination(g.user.role) if temporary
                                else url_for("accounts.overview"), code=303)
            errors["current_password"] = NOT_CURRENT
            security_log.warn("password_check_failed")
    return render_template(
        "accounts/password.html", errors=errors, temporary=temporary
    ), 422 if errors else 200


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    sessions.end_all(get_db(), g.user.id)
    security_log.event("signed_out_everywhere")
    session.clear()
    flash("You have signed out on every device, including this one.")
    return redirect(url_for("help.landing"), code=303)


@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@login_required(role="patient")
def recovery_codes():
    db = get_db()
    error = None
    if request.method == "POST":
        attempt = guard.attempt(g.user.email)
        if not attempt.allowed:
            body = render_template("accounts/recovery_codes.html", error=guard.wait_message(
                attempt.wait), codes_left=recovery.unused_count(db, g.user.id))
            return guard.too_many(body, attempt.wait)
        passwords = current_app.extensions["passwords"]
        row = users.user_by_email(db, g.user.email)
        if passwords.verify(row["password_hash"], request.form.get("password") or ""):
            guard.succeeded(g.user.email)
            renew_session(db, g.user.id)
            keeping_codes.hold_codes(
                recovery.replace_codes(db, g.user.id, current_app.secret_key), "account")
            security_log.event("recovery_codes_replaced")
            return redirect(url_for("accounts.keep_codes"), code=303)
        error = "That is not your password. Try again."
        security_log.warn("password_check_failed")
    return render_template(
        "accounts/recovery_codes.html", error=error,
        codes_left=recovery.unused_count(db, g.user.id),
    ), 422 if error else 200


@stale_form_view("accounts.forgotten_password")
def stale_forgotten():
    values = {"email": users.normalise_email(request.form.get("email"))}
    errors = {"form": "This page was open for a long time. Please enter your code and a new "
                      "password again."}
    return render_template("accounts/forgotten.html", values=values, errors=errors), 422
