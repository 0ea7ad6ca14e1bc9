"""One start-up path: the factory and `flask init-db` both migrate and seed through
prepare_database, and every command is registered on the app's CLI."""

from journal import create_app, prepare_database
from journal.platform.db import connect


def users(path):
    database = connect(path)
    try:
        return [row["email"] for row in database.query("SELECT email FROM users ORDER BY id")]
    finally:
        database.close()


def test_init_db_in_demo_mode_adds_the_demo_data_once(tmp_path):
    path = str(tmp_path / "demo.db")
    app = create_app({"MODE": "demo", "JOURNAL_DB": path})  # the factory seeds first
    assert users(path) == ["patient@example.com", "nurse@example.com"]
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Demo data already present." in result.output
    assert users(path) == ["patient@example.com", "nurse@example.com"]


def test_prepare_database_adds_no_demo_data_outside_demo_mode(app, runner):
    assert prepare_database(app.config) is False
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database ready at" in result.output and "demo" not in result.output
    assert users(app.config["JOURNAL_DB"]) == []


def test_every_admin_command_is_on_the_cli(app):
    commands = set(app.cli.list_commands(None))
    assert {"init-db", "backup", "restore", "reset-nurse", "set-role", "end-sessions",
            "create-team", "add-nurse", "add-admin", "set-password-link", "move-nurse",
            "remove-nurse", "export-audit"} <= commands
