"""Account -> Reminders: the patient's choices, and the calendar link made from them."""

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

from ..accounts.sign_in import login_required
from ..platform.clock import uk_today, utc_now
from ..platform.db import get_db
from ..platform.security import csrf
from . import bp, choices, links, push, records
from . import feed as feed_module

# A calendar link just made: only its hash is stored, so it is shown once, after the redirect.
NEW_FEED = "new_reminder_feed"


def email_available():
    """Email reminders need a mail server; the demo writes them to the log instead."""
    config = current_app.config
    return bool(config.get("MAIL_SERVER") or config["DEMO"])


def _page(values, errors=None, status=200):
    token = session.pop(NEW_FEED, None) if status == 200 else None
    feed_url = None
    if token:
        https = url_for("reminders.feed", token=token, _external=True)
        feed_url = {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}
    db = get_db()
    row = records.choices_row(db, g.user.id)
    vapid = current_app.extensions.get("vapid")
    return render_template(
        "reminders/reminders.html", values=values, errors=errors or {},
        email_available=email_available(), feed_url=feed_url,
        has_feed=bool(row and row["feed_hash"]),
        push_key=push.application_server_key(vapid) if vapid else None,
        devices=len(push.subscriptions_for(db, g.user.id)),
    ), status


@bp.route("/account/reminders")
@login_required(role="patient")
def reminders():
    return _page(records.form_values(records.choices_row(get_db(), g.user.id)))


@bp.route("/account/reminders", methods=["POST"])
@login_required(role="patient")
def save():
    has_device = bool(push.subscriptions_for(get_db(), g.user.id))
    values, errors = choices.check(request.form, email_available(), has_device)
    if errors:
        return _page(values, errors, 422)
    token = records.save(get_db(), g.user.id, values)
    if token:
        session[NEW_FEED] = token
    flash("Your reminder choices are saved." if values["daily"] or values["scan_nudges"]
          else "Saved. Reminders are off.")
    return redirect(url_for("reminders.reminders"), code=303)


@bp.route("/account/reminders/calendar", methods=["POST"])
@login_required(role="patient")
def new_feed():
    db = get_db()
    row = records.choices_row(db, g.user.id)
    if row is None or not row["by_calendar"]:
        flash("Choose your calendar first, then save.")
    else:
        session[NEW_FEED] = records.new_feed(db, g.user.id)
        flash("Here is your new calendar link. The old one no longer works.")
    return redirect(url_for("reminders.reminders"), code=303)


@bp.route("/reminders/calendar/<token>.ics")
def feed(token):
    """The feed, for whoever holds its link (a calendar app has no session)."""
    db = get_db()
    row = records.feed_owner(db, token)
    if row is None:
        abort(404)
    now = utc_now()
    body = feed_module.build(
        row["patient_id"], records.choices_for(row),
        records.scan_dates(db, row["patient_id"], records.default_due()), now, uk_today(now),
        {"check_in": url_for("diary.check_in_page", _external=True),
         "scan": url_for("scans.my_scan", _external=True)})
    return current_app.response_class(body, mimetype="text/calendar")


@bp.route("/account/reminders/device", methods=["POST"])
@login_required(role="patient")
def add_device():
    """This device's push subscription, sent by app.js once the person allows notifications."""
    if current_app.extensions.get("vapid") is None:
        abort(404)
    found = push.check_subscription(request.get_json(silent=True),
                                    allow_loopback=current_app.config["MODE"] != "production")
    if found is None:
        return {"error": "That is not a notification subscription we can use."}, 422
    db = get_db()
    push.save_subscription(db, g.user.id, *found)
    records.set_device(db, g.user.id, True)
    return "", 204


@bp.route("/account/reminders/device/remove", methods=["POST"])
@login_required(role="patient")
def remove_devices():
    db = get_db()
    push.forget_devices(db, g.user.id)
    records.set_device(db, g.user.id, False)
    flash("Notifications are off on all your devices.")
    return redirect(url_for("reminders.reminders"), code=303)


OFF_WORDS = {"daily": "your daily check-in reminder", "scan": "reminders about your scan"}


@bp.route("/reminders/off/<token>")
def confirm_turn_off(token):
    """The page a reminder's link opens: one button, so a mail scanner's visit changes
    nothing."""
    found = links.read_off_token(current_app.secret_key, token)
    if found is None:
        return render_template("reminders/off.html", what=None), 404
    return render_template("reminders/off.html", what=OFF_WORDS[found[1]], token=token,
                           done=False)


@bp.route("/reminders/off/<token>", methods=["POST"])
@csrf.exempt  # mail apps post here for one-click unsubscribe (RFC 8058); the token is the key
def turn_off(token):
    found = links.read_off_token(current_app.secret_key, token)
    if found is None:
        return render_template("reminders/off.html", what=None), 404
    patient_id, kind = found
    records.turn_off(get_db(), patient_id, kind)
    return render_template("reminders/off.html", what=OFF_WORDS[kind], token=token, done=True)
