"""Admin commands for care teams and staff: `flask --app app COMMAND --help` for each."""

import sqlite3
import sys
from contextlib import contextmanager

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from ..accounts import staff, users
from ..platform import audit
from ..platform.db import connect_configured
from . import teams

BASE_URL_HELP = "The address people use to reach the app (default: $PUBLIC_URL)."


@contextmanager
def database():
    db = connect_configured(current_app.config)
    try:
        yield db
    finally:
        db.close()


def fail(message):
    raise click.ClickException(message)


def password_link(db, user_id, base_url):
    token = staff.issue_token(db, user_id)
    with current_app.test_request_context(base_url=base_url):
        return url_for("accounts.set_password", token=token, _external=True)


base_url_option = click.option(
    "--base-url", envvar="PUBLIC_URL", default="http://127.0.0.1:8000", show_default=True,
    help=BASE_URL_HELP,
)


@click.command("create-team")
@with_appcontext
@click.argument("name")
@click.option("--hours", default=teams.DEFAULT_HOURS, show_default=True,
              help="When the team reads shared entries, shown to its patients.")
def create_team(name, hours):
    """Add a care team."""
    values, errors = teams.check_team(name, hours)
    if errors:
        fail(" ".join(errors.values()))
    with database() as db:
        try:
            teams.create_team(db, values["name"], values["hours"])
        except sqlite3.IntegrityError:
            fail(f"There is already a team called {values['name']!r}.")
    click.echo(f"Created team {values['name']!r} (working hours: {values['hours']}).")


@click.command("add-nurse")
@with_appcontext
@click.argument("email")
@click.option("--team", "team_name", required=True, help="The team's name.")
@click.option("--name", "first_name", default="", help="The nurse's first name.")
@base_url_option
def add_nurse(email, team_name, first_name, base_url):
    """Make a nurse account in a team and print a one-time set-password link."""
    with database() as db:
        try:
            user_id = staff.add_nurse(db, email, team_name, first_name.strip())
        except staff.StaffError as error:
            fail(str(error))
        link = password_link(db, user_id, base_url)
        users.log_operator(db, "staff_added", email, role="nurse")
    click.echo(f"Added nurse {email.strip().lower()} to {team_name!r}.")
    _echo_link(link)


@click.command("add-admin")
@with_appcontext
@click.argument("email")
@click.option("--name", "first_name", default="", help="The admin's first name.")
@base_url_option
def add_admin(email, first_name, base_url):
    """Make an admin account and print a one-time set-password link."""
    with database() as db:
        try:
            user_id = staff.create_staff(db, email, "admin", first_name.strip())
        except staff.StaffError as error:
            fail(str(error))
        link = password_link(db, user_id, base_url)
        users.log_operator(db, "staff_added", email, role="admin")
    click.echo(f"Added admin {email.strip().lower()}.")
    _echo_link(link)


@click.command("set-password-link")
@with_appcontext
@click.argument("email")
@base_url_option
def set_password_link(email, base_url):
    """Print a new one-time set-password link for a nurse or admin."""
    with database() as db:
        row = users.user_by_email(db, email)
        if row is None or row["role"] == "patient":
            fail(f"There is no nurse or admin account for {email.strip().lower()}.")
        link = password_link(db, row["id"], base_url)
        users.log_operator(db, "set_password_link_issued", email)
    _echo_link(link)


@click.command("move-nurse")
@with_appcontext
@click.argument("email")
@click.option("--team", "team_name", required=True, help="The team to move them to.")
def move_nurse(email, team_name):
    """Move a nurse to another team."""
    with database() as db:
        try:
            team = staff.move_nurse(db, email, team_name)
        except staff.StaffError as error:
            fail(str(error))
        users.log_operator(db, "nurse_moved", email, team_id=team.id)
    click.echo(f"Moved {email.strip().lower()} to {team.name!r}.")


@click.command("remove-nurse")
@with_appcontext
@click.argument("email")
def remove_nurse(email):
    """Take a nurse out of their team and stop them signing in."""
    with database() as db:
        try:
            staff.remove_nurse(db, email)
        except staff.StaffError as error:
            fail(str(error))
        users.log_operator(db, "nurse_removed", email)
    click.echo(f"Removed {email.strip().lower()}: they can no longer sign in.")


@click.command("export-audit")
@with_appcontext
@click.option("--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the CSV to this file instead of the screen.")
def export_audit(output):
    """Write the whole audit trail as CSV (no entry content is ever in it)."""
    with database() as db:
        if output:
            with open(output, "w", newline="", encoding="utf-8") as f:
                count = audit.export_csv(db, f)
            click.echo(f"Wrote {count} audit events to {output}.", err=True)
        else:
            audit.export_csv(db, sys.stdout)


COMMANDS = (create_team, add_nurse, add_admin, set_password_link, move_nurse, remove_nurse,
            export_audit)


def _echo_link(link):
    click.echo(f"Send them this link to set their password. It works once, for "
               f"{int(staff.TOKEN_LIFETIME.total_seconds() // 3600)} hours:")
    click.echo(link)
