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

    from . import accounts, auth, checkins, db, migrations, pages, security, templating
    from .backups import init_app as init_backups
    from .data_rights import bp as data_rights_bp
    from .unavailable import init_app as init_unavailable

    db.init_app(app)
    init_backups(app)
    security.init_app(app)
    init_unavailable(app)
    templating.init_app(app)
    app.extensions["passwords"] = accounts.Passwords(**app.config["ARGON2"])
    for blueprint in (pages.bp, auth.bp, checkins.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(data_rights_bp)

    connection = db.connect(app.config["JOURNAL_DB"])
    try:
        migrations.apply(connection)
        if app.config["DEMO"]:
            from . import demo

            demo.seed(connection, app.config)
    finally:
        connection.close()
    return app
