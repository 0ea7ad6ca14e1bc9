"""Waiting Well: a journal for people waiting for scan results."""

from pathlib import Path

from flask import Flask

from . import config as config_module
from .converters import SQLiteInteger


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

    from . import (
        account,
        accounts,
        admin,
        auth,
        backups,
        care,
        care_cli,
        checkins,
        compression,
        data_rights,
        db,
        guidance,
        help_views,
        migrations,
        pages,
        privacy,
        pwa,
        scans_views,
        security,
        staff_admin,
        templating,
        trend_views,
        unavailable,
    )

    app.session_interface = auth.SessionCookies()
    db.init_app(app)
    backups.init_app(app)
    templating.init_app(app)
    guidance.init_app(app)
    compression.init_app(app)
    app.extensions["passwords"] = accounts.Passwords(**app.config["ARGON2"])
    blueprints = (pages, auth, checkins, scans_views, help_views, trend_views, care, admin,
                  account, privacy, pwa, data_rights)
    for module in blueprints:
        app.register_blueprint(module.bp)
    staff_admin.init_app(app)
    care_cli.init_app(app)
    # After every blueprint, so that the user is known before the CSRF check runs and a
    # stale form can be shown again to the person who filled it in.
    security.init_app(app)
    unavailable.init_app(app)

    connection = db.connect(app.config["JOURNAL_DB"])
    try:
        migrations.apply(connection)
        if app.config["DEMO"]:
            from . import demo

            demo.seed(connection, app.config)
    finally:
        connection.close()
    return app
