import stat

import pytest

from journal.platform import config


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    for name in ("JOURNAL_MODE", "JOURNAL_DB", "PORT", "SECRET_KEY", "JOURNAL_REPLICATED",
                 "MAIL_SERVER", "PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)


def test_production_is_the_default_mode_and_refuses_to_start_without_secret_key():
    with pytest.raises(config.ConfigError, match="SECRET_KEY must be set in production"):
        config.load()


def test_production_chosen_by_environment_refuses_to_start_without_secret_key(monkeypatch):
    monkeypatch.setenv("JOURNAL_MODE", "production")
    monkeypatch.setenv("SECRET_KEY", "")
    with pytest.raises(config.ConfigError):
        config.load()


def test_production_takes_secret_key_from_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-env")
    loaded = config.load()
    assert loaded["MODE"] == "production"
    assert loaded["SECRET_KEY"] == "s3cret-from-env"
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["HSTS"] is True


def test_production_mail_needs_public_url_for_the_links_in_emails(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s3cret-from-env")
    monkeypatch.setenv("MAIL_SERVER", "relay.example")
    with pytest.raises(config.ConfigError, match="PUBLIC_URL must be set when MAIL_SERVER"):
        config.load()
    monkeypatch.setenv("PUBLIC_URL", "https://ww.example")
    assert config.load()["PUBLIC_URL"] == "https://ww.example"


def test_journal_db_and_port_come_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("JOURNAL_MODE", "test")
    monkeypatch.setenv("JOURNAL_DB", str(tmp_path / "elsewhere.db"))
    monkeypatch.setenv("PORT", "8123")
    loaded = config.load()
    assert loaded["JOURNAL_DB"] == str(tmp_path / "elsewhere.db")
    assert loaded["PORT"] == 8123


def test_overrides_beat_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("JOURNAL_MODE", "production")
    monkeypatch.setenv("JOURNAL_DB", str(tmp_path / "env.db"))
    loaded = config.load({"MODE": "test", "JOURNAL_DB": str(tmp_path / "override.db")})
    assert loaded["MODE"] == "test"
    assert loaded["JOURNAL_DB"] == str(tmp_path / "override.db")


def test_demo_writes_a_private_secret_beside_the_database_and_reuses_it(monkeypatch, tmp_path):
    db_path = tmp_path / "instance" / "journal.db"
    monkeypatch.setenv("JOURNAL_MODE", "demo")
    monkeypatch.setenv("JOURNAL_DB", str(db_path))

    first = config.load()

    secret_file = db_path.parent / "secret_key"
    assert secret_file.read_text().strip() == first["SECRET_KEY"]
    assert len(first["SECRET_KEY"]) == 64
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert config.load()["SECRET_KEY"] == first["SECRET_KEY"]


def test_test_mode_gets_a_fresh_key_and_writes_no_file(tmp_path):
    db_path = tmp_path / "journal.db"
    first = config.load({"MODE": "test", "JOURNAL_DB": str(db_path)})
    second = config.load({"MODE": "test", "JOURNAL_DB": str(db_path)})
    assert first["SECRET_KEY"] and first["SECRET_KEY"] != second["SECRET_KEY"]
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize("via", ["environment", "override"])
def test_unknown_mode_is_refused(monkeypatch, via):
    if via == "environment":
        monkeypatch.setenv("JOURNAL_MODE", "staging")
        overrides = None
    else:
        overrides = {"MODE": "staging"}
    with pytest.raises(config.ConfigError, match="JOURNAL_MODE must be one of"):
        config.load(overrides)
