"""Recovery codes as their own step: shown until the person says they have kept them."""

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for

from ..platform.clock import to_uk, utc_now
from ..platform.db import get_db
from . import bp, recovery
from .sign_in import login_required

# Where "Continue" goes once the codes are kept; only these, never a URL from the request.
AFTER = {"sign-up": "diary.home", "account": "accounts.overview"}
NOT_TICKED = "Tick the box once your codes are somewhere safe. Without them, a forgotten " \
             "password means starting a new journal."


def hold_codes(codes, after):
    """Keep fresh codes in this browser's session until they are kept."""
    session["recovery_codes"] = codes
    session["recovery_codes_after"] = after if after in AFTER else "account"


def held_codes():
    """The codes waiting to be kept in this browser, or an empty list."""
    return session.get("recovery_codes") or []


@bp.app_context_processor
def codes_banner():
    """Every page reminds a patient whose codes are not kept yet (but the step itself)."""
    user = g.get("user")
    show = bool(user and user.role == "patient" and user.codes_to_keep
                and request.endpoint != "accounts.keep_codes")
    return {"codes_banner": show, "codes_held": show and bool(held_codes())}


@bp.route("/account/recovery-codes/keep", methods=["GET", "POST"])
@login_required(role="patient")
def keep_codes():
    codes = held_codes()
    error = None
    if request.method == "POST":
        if request.form.get("kept") == "yes":
            recovery.mark_kept(get_db(), g.user.id)
            session.pop("recovery_codes", None)
            after = AFTER[session.pop("recovery_codes_after", "account")]
            flash("Thank you. Your recovery codes are kept. You can make new ones at any time "
                  "in your account.")
            return redirect(url_for(after), code=303)
        error = NOT_TICKED
    after = session.get("recovery_codes_after", "account")
    return render_template(
        "accounts/keep_codes.html", codes=codes, error=error, from_sign_up=after == "sign-up",
    ), 422 if error else 200


@bp.route("/account/recovery-codes/keep/download")
@login_required(role="patient")
def download_codes():
    codes = held_codes()
    if not codes:
        abort(404)
    made = to_uk(utc_now())
    text = render_template("accounts/recovery_codes.txt", codes=codes, made=made)
    response = current_app.response_class(text.replace("\n", "\r\n"), mimetype="text/plain")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="waiting-well-recovery-codes-{made:%Y-%m-%d}.txt"')
    return response
