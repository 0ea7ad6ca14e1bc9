"""Waiting Well: a journal for people waiting for scan results."""

from pathlib import Path

from flask import Flask

from . import config as config_module


def create_app(overrides=None):
    """Build the app from the environment, with optional configuration overrides."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
    )
    app.config.update(config_module.load(overrides))

    from . import accounts, auth, checkins, db, migrations, pages, security, templating, trend_views

    db.init_app(app)
    templating.init_app(app)
    app.extensions["passwords"] = accounts.Passwords(**app.config["ARGON2"])
    for blueprint in (pages.bp, auth.bp, checkins.bp, trend_views.bp):
        app.register_blueprint(blueprint)
    from . import account, privacy, staff_admin

    for blueprint in (account.bp, privacy.bp):
        app.register_blueprint(blueprint)
    staff_admin.init_app(app)
    # After every blueprint, so that the user is known before the CSRF check runs and a
    # stale form can be shown again to the person who filled it in.
    security.init_app(app)

    connection = db.connect(app.config["JOURNAL_DB"])
    try:
        migrations.apply(connection)
        if app.config["DEMO"]:
            from . import demo

            demo.seed(connection, app.config)
    finally:
        connection.close()
    return app
