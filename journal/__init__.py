"""Waiting Well: a journal for people waiting for scan results."""

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from . import accounts, care, demo, diary, help, people, platform, reminders, scans, trends
from .accounts import (
    admin,
    data_rights,
    email_ways,
    idle,
    keeping_codes,
    lock,
    passkey_views,
    privacy,
    sign_in,
    users,
)
from .accounts import cli as accounts_cli
from .accounts import views as account_views
from .care import cli as care_cli
from .care import views as care_views
from .diary import views as diary_views
from .guidance import loading
from .help import pages
from .help import views as help_views
from .people import shared as people_shared
from .people import views as people_views
from .platform import (
    backups,
    compression,
    db,
    mail,
    migrations,
    pwa,
    replication,
    security,
    templating,
    unavailable,
)
from .platform import config as config_module
from .platform.converters import SQLiteInteger
from .reminders import cli as reminders_cli
from .reminders import push as reminders_push
from .reminders import views as reminder_views
from .scans import views as scan_views
from .trends import views as trend_views

# Each wing's route modules add their routes to the wing's blueprint when imported.
ROUTES = (admin, data_rights, email_ways, idle, keeping_codes, lock, passkey_views, privacy,
          sign_in,
          account_views, care_views, diary_views, pages, help_views, people_views,
          people_shared, pwa, reminder_views, scan_views, trend_views)
WINGS = (help, accounts, diary, scans, trends, care, people, reminders, platform)


def create_app(overrides=None):
    """Build the app from the environment, with optional configuration overrides."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    app.config.update(config_module.load(overrides))
    # Before any route is added: every <int:...> id must fit SQLite's INTEGER.
    app.url_map.converters["int"] = SQLiteInteger

    app.session_interface = sign_in.SessionCookies()
    db.init_app(app)
    templating.init_app(app)
    loading.init_app(app)
    compression.init_app(app)
    app.extensions["passwords"] = users.Passwords(**app.config["ARGON2"])
    for wing in WINGS:
        app.register_blueprint(wing.bp)
    mail.init_app(app)
    reminders_push.init_app(app)
    for command in (*accounts_cli.COMMANDS, *care_cli.COMMANDS, *reminders_cli.COMMANDS,
                    *backups.COMMANDS, *replication.COMMANDS, init_db_command):
        app.cli.add_command(command)
    # After every blueprint, so that the user is known before the CSRF check runs and a
    # stale form can be shown again to the person who filled it in.
    security.init_app(app, sign_in.load_user, sign_in.to_sign_in)
    unavailable.init_app(app)

    prepare_database(app.config)
    return app


def prepare_database(config):
    """Migrate the database, and add the demo data in demo mode; True if demo data was added."""
    connection = db.connect_configured(config)
    try:
        migrations.apply(connection)
        return bool(config["DEMO"]) and demo.seed(connection, config)
    finally:
        connection.close()


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or upgrade the database, adding demo data in demo mode."""
    config = current_app.config
    added = prepare_database(config)
    if config["DEMO"]:
        click.echo("Added demo data." if added else "Demo data already present.")
    click.echo(f"Database ready at {config['JOURNAL_DB']}")
