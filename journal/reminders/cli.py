"""`flask --app app send-reminders`: run every five minutes from cron or a systemd timer."""

import logging
from contextlib import closing

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from ..platform.clock import utc_now
from ..platform.db import connect_configured
from . import links, mail, push, records, sending

log = logging.getLogger("journal.reminders")
OPENS = {"daily": "diary.check_in_page", "scan-tomorrow": "scans.my_scan",
         "results-may-come": "diary.check_in_page", "chase": "scans.my_scan"}


def _addresses(row, base_url):
    kind = row["nudge_key"].split(":")[1]
    token = links.off_token(current_app.secret_key, row["patient_id"], kind)
    with current_app.test_request_context(base_url=base_url):
        return (kind, url_for(OPENS[kind], _external=True),
                url_for("reminders.turn_off", token=token, _external=True))


def run(db, now, base_url):
    """Queue what is due and deliver what is queued; returns (queued, sent, failed)."""
    config = current_app.config
    vapid = current_app.extensions.get("vapid")
    sending.prune(db, now)
    senders = {}
    if config.get("MAIL_SERVER"):
        def by_email(row):
            kind, open_url, off_url = _addresses(row, base_url)
            mail.send(row["email"], kind, open_url, off_url, config["MAIL_DEFAULT_SENDER"])
        senders["email"] = by_email
    elif config["DEMO"]:
        senders["email"] = lambda row: mail.log_instead(row["id"], *_addresses(row, base_url))
    if vapid is not None:
        def by_push(row):
            kind = row["nudge_key"].split(":")[1]
            with current_app.test_request_context(base_url=base_url):
                path = url_for(OPENS[kind])
            push.send_to_devices(db, row["patient_id"], push.payload(mail.LINES[kind], path),
                                 vapid, config["VAPID_SUBJECT"])
        senders["push"] = by_push
    if not senders:
        return 0, 0, 0  # no way to send: queue nothing that would only wait to be pruned
    found = sending.find_due(db, now, records.default_due(), tuple(senders))
    queued = sending.queue(db, found, now)
    sent, failed = sending.deliver_pending(db, now, lambda row: senders[row["channel"]](row))
    return queued, sent, failed


@click.command("send-reminders")
@with_appcontext
@click.option("--base-url", envvar="PUBLIC_URL", default="http://127.0.0.1:8000",
              show_default=True, help="The address people use to reach the app "
              "(default: $PUBLIC_URL), for the links in each reminder.")
def send_reminders(base_url):
    """Send the reminders due now; safe to run as often as you like."""
    with closing(connect_configured(current_app.config)) as db:
        queued, sent, failed = run(db, utc_now(), base_url)
    click.echo(f"Reminders: {queued} new, {sent} sent, {failed} failed (will retry).")


COMMANDS = (send_reminders,)
