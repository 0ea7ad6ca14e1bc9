"""A patient's data rights: download everything, or delete the account for good."""

from flask import (
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from ..diary.validation import TOPICS
from ..platform import audit, personal_data, security_log
from ..platform.clock import to_uk, utc_now
from ..platform.db import get_db
from ..platform.security import clear_site_data
from . import bp, guard, users
from .sign_in import login_required

NOT_CONFIRMED = (
    "That password is not right. Check it and try again. Nothing has been deleted."
)


def export_labels():
    """The words the app uses for topics, kinds of scan and audit events."""
    packs = current_app.extensions["packs"]
    return personal_data.Labels(
        topics=TOPICS,
        scan_kinds={kind: pack.name for kind, pack in packs.items()},
        actions=audit.ACTIONS,
    )


@bp.route("/account/data")
@login_required(role="patient")
def your_data():
    return render_template("accounts/data.html")


# A POST with the CSRF token: an export is sensitive and costs work, so no other site may
# start one (a GET could be sent by a link or an image on any page).
@bp.route("/account/data/download", methods=["POST"])
@login_required(role="patient")
def download_data():
    now = utc_now()
    data = personal_data.collect(get_db(), g.user.id, labels=export_labels(), now=now)
    # Autoescaped like every page: the person's words are shown, never run.
    journal_html = render_template("accounts/export_journal.html", data=data)
    filename = f"waiting-well-data-{to_uk(now):%Y-%m-%d}.zip"
    response = current_app.response_class(personal_data.to_zip(data, journal_html),
                                          mimetype="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required(role="patient")
def delete_account():
    error = None
    if request.method == "POST":
        # The password is asked again here, so it is limited like any other try.
        attempt = guard.attempt(g.user.email)
        if not attempt.allowed:
            body = render_template("accounts/delete.html",
                                   error=guard.wait_message(attempt.wait))
            return guard.too_many(body, attempt.wait)
        db = get_db()
        row = users.user_by_email(db, g.user.email)
        password = request.form.get("password") or ""
        if row and current_app.extensions["passwords"].verify(row["password_hash"], password):
            guard.succeeded(g.user.email)
            personal_data.erase_account(db, g.user.id)
            security_log.warn("account_deleted_by_owner")
            session.clear()
            return clear_site_data(redirect(url_for("accounts.account_deleted"), code=303),
                                   cookies=True)
        error = NOT_CONFIRMED
        security_log.warn("password_check_failed")
    return render_template("accounts/delete.html", error=error), 422 if error else 200


@bp.route("/account/deleted")
def account_deleted():
    return render_template("accounts/deleted.html")
