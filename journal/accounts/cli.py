"""Admin commands: reset a nurse who cannot sign in, change a role, end sessions.

Self-contained on purpose: adding nurses with a set-password link lives with care teams.
"""

import secrets
from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from ..platform.clock import utc_iso, utc_now
from ..platform.db import connect_configured
from . import passkeys, session_rules, sessions, throttle, totp, users


def temporary_password():
    """A random password to read out or hand over; about 96 bits."""
    return secrets.token_urlsafe(12)


def reset_staff(db, passwords, email, hours, new_second_factor=False):
    """Give a nurse or admin a temporary password and end their sessions; returns it."""
    row = users.user_by_email(db, email)
    if row is None or row["role"] not in session_rules.STAFF_ROLES:
        raise click.ClickException(f"No nurse or admin account has the email {email!r}.")
    password = temporary_password()
    expires = utc_now() + timedelta(hours=hours)
    users.set_temporary_password(db, row["id"], passwords.hash(password), expires)
    if new_second_factor:
        # A lost phone may hold a passkey as well as the authenticator app.
        totp.forget(db, row["id"])
        passkeys.remove_all(db, row["id"])
    sessions.end_all(db, row["id"])
    throttle.succeeded(db, email)  # a locked-out nurse can try again at once
    return password, expires


@click.command("reset-nurse")
@with_appcontext
@click.argument("email")
@click.option("--new-second-factor", is_flag=True,
              help="Also remove their authenticator and passkeys, for a lost phone.")
def reset_nurse_command(email, new_second_factor):
    """Print a temporary password for a nurse or admin; they choose their own on sign-in."""
    db = connect_configured(current_app.config)
    try:
        password, expires = reset_staff(
            db, current_app.extensions["passwords"], email,
            current_app.config["TEMPORARY_PASSWORD_HOURS"], new_second_factor,
        )
        users.log_operator(db, "staff_reset", email,
                              second_factor_removed=new_second_factor)
    finally:
        db.close()
    click.echo(f"Temporary password for {users.normalise_email(email)}: {password}")
    click.echo(f"It works until {expires:%Y-%m-%d %H:%M} UTC. Hand it over in person or by"
               " phone; they must choose a new password when they sign in.")
    if new_second_factor:
        click.echo("Their authenticator and passkeys were removed: they will set up a new one.")


@click.command("set-role")
@with_appcontext
@click.argument("email")
@click.argument("role", type=click.Choice(users.ROLES))
def set_role_command(email, role):
    """Make an account a patient, nurse or admin; their sessions are renewed or ended."""
    db = connect_configured(current_app.config)
    try:
        row = users.user_by_email(db, email)
        if row is None:
            raise click.ClickException(f"No account has the email {email!r}.")
        users.set_role(db, row["id"], role)
        users.log_operator(db, "role_set", email, role=role)
    finally:
        db.close()
    click.echo(f"{row['email']} is now {'an' if role == 'admin' else 'a'} {role}.")


@click.command("end-sessions")
@with_appcontext
@click.argument("email", required=False)
@click.option("--everyone", is_flag=True, help="Sign out every account.")
def end_sessions_command(email, everyone):
    """Sign out one account on every device, or (with --everyone) all accounts."""
    if bool(email) == everyone:
        raise click.UsageError("Give an EMAIL or --everyone.")
    db = connect_configured(current_app.config)
    try:
        ended = end_sessions(db, email)
        users.log_operator(db, "sessions_ended", email, count=ended)
    finally:
        db.close()
    click.echo(f"Ended {ended} {'session' if ended == 1 else 'sessions'}.")


COMMANDS = (reset_nurse_command, set_role_command, end_sessions_command)


def end_sessions(db, email=None):
    """End the live sessions of one account (by email) or of everyone; returns how many."""
    if email is None:
        cursor = db.execute("UPDATE sessions SET ended_at = ? WHERE ended_at IS NULL",
                            [utc_iso(utc_now())])
        return cursor.rowcount
    row = users.user_by_email(db, email)
    if row is None:
        raise click.ClickException(f"No account has the email {email!r}.")
    cursor = db.execute("UPDATE sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL",
                        [utc_iso(utc_now()), row["id"]])
    return cursor.rowcount
