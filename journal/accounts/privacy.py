"""The privacy notice, and each patient's agreement to the version they read."""

from flask import flash, g, redirect, render_template, request, url_for

from ..platform.db import get_db
from . import bp, consent
from .sign_in import login_required


@bp.route("/privacy")
def privacy_notice():
    return render_template("accounts/privacy_notice.html", **_version())


def _version():
    return {"version": consent.VERSION, "version_date": consent.VERSION_DATE}


@bp.route("/privacy/agree", methods=["GET", "POST"])
@login_required(role="patient")
def agree_again():
    db = get_db()
    error = None
    if request.method == "POST":
        if request.form.get("agree") == "yes":
            consent.agree(db, g.user.id)
            flash("Thank you. You can carry on.")
            return redirect(url_for("diary.home"), code=303)
        error = "Tick the box if you agree. If you do not agree, you can sign out."
    earlier = consent.latest_agreement(db, g.user.id)
    return render_template(
        "accounts/privacy_agree.html", earlier=earlier, error=error, **_version()
    ), 422 if error else 200
