"""The privacy notice, and each patient's agreement to the version they read."""

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from .auth import login_required
from .consent import VERSION, VERSION_DATE, agree, latest_agreement
from .db import get_db

bp = Blueprint("privacy", __name__)


@bp.route("/privacy")
def notice():
    return render_template("privacy/notice.html", version=VERSION, version_date=VERSION_DATE)


@bp.route("/privacy/agree", methods=["GET", "POST"])
@login_required(role="patient")
def agree_again():
    db = get_db()
    error = None
    if request.method == "POST":
        if request.form.get("agree") == "yes":
            agree(db, g.user.id)
            flash("Thank you. You can carry on.")
            return redirect(url_for("journal.home"), code=303)
        error = "Tick the box if you agree. If you do not agree, you can sign out."
    earlier = latest_agreement(db, g.user.id)
    return render_template(
        "privacy/agree.html", version=VERSION, version_date=VERSION_DATE, earlier=earlier,
        error=error,
    ), 422 if error else 200
