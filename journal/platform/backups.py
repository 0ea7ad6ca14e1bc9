"""Online backups with SQLite's backup API, checked copies, and restores that keep erasures."""

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import migrations, personal_data
from .db import connect, immediate


class BackupError(RuntimeError):
    """A backup or restore that must not be trusted."""


@dataclass(frozen=True)
class BackupReport:
    path: Path
    pages: int
    seconds: float


def _fsync(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def integrity(path):
    """PRAGMA integrity_check on a database file, opened read-only; 'ok' when sound."""
    try:
        conn = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        return str(error)
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return str(error)
    finally:
        conn.close()
    return "; ".join(r[0] for r in rows)


def backup(source_path, dest_path):
    """Copy the live database to dest_path while writes go on, check the copy, sync it."""
    dest = Path(dest_path)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    started = time.monotonic()
    source = sqlite3.connect(source_path, timeout=10)
    copy = sqlite3.connect(partial)
    try:
        # In one step the copy is the snapshot taken as it starts: under WAL a reader never
        # blocks writers, and a stepwise copy would restart every time someone writes.
        source.backup(copy)
        # One self-contained file, with no -wal beside it.
        copy.execute("PRAGMA journal_mode = DELETE")
        pages = copy.execute("PRAGMA page_count").fetchone()[0]
    finally:
        copy.close()
        source.close()
    partial.chmod(0o600)
    result = integrity(partial)
    if result != "ok":
        raise BackupError(f"the copy failed its integrity check: {result}")
    _fsync(partial)
    os.replace(partial, dest)
    _fsync(dest.parent)
    return BackupReport(dest, pages, time.monotonic() - started)


def _tombstones(db_path):
    """The tombstones in the current database, if it can still be read."""
    if not Path(db_path).exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{Path(db_path).resolve()}?mode=ro", uri=True)
        try:
            return conn.execute(
                "SELECT user_id, role, account_created_at, deleted_at FROM account_tombstones"
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def reapply_erasures(db, tombstones):
    """Erase again every account deleted after the backup was taken; returns how many.

    An account matches on its id and creation time, so a reused id is never erased."""
    erased = 0
    with immediate(db):
        for user_id, role, created_at, deleted_at in tombstones:
            known = db.execute(
                "SELECT 1 FROM account_tombstones WHERE user_id = ? AND account_created_at = ?",
                [user_id, created_at],
            ).fetchone()
            if known:
                continue
            db.execute(
                "INSERT INTO account_tombstones (user_id, role, account_created_at, deleted_at)"
                " VALUES (?, ?, ?, ?)",
                [user_id, role, created_at, deleted_at],
            )
            alive = db.execute(
                "SELECT 1 FROM users WHERE id = ? AND created_at = ?", [user_id, created_at]
            ).fetchone()
            if alive:
                personal_data.erase_rows(db, user_id)
                erased += 1
    if erased:
        personal_data.scrub(db)
    return erased


def restore(backup_path, db_path):
    """Replace the database with a checked backup; accounts deleted since stay deleted."""
    result = integrity(backup_path)
    if result != "ok":
        raise BackupError(f"{backup_path} is not a sound database: {result}")
    tombstones = _tombstones(db_path)
    target = connect(str(db_path))
    try:
        source = sqlite3.connect(f"file:{Path(backup_path).resolve()}?mode=ro", uri=True)
        try:
            source.backup(target.conn)
        finally:
            source.close()
        migrations.apply(target)
        erased = reapply_erasures(target, tombstones)
    finally:
        target.close()
    result = integrity(db_path)
    if result != "ok":
        raise BackupError(f"the restored database failed its integrity check: {result}")
    return erased


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Copy the database to PATH while the app runs, and check the copy."""
    try:
        report = backup(current_app.config["JOURNAL_DB"], path)
    except (BackupError, sqlite3.Error) as error:
        raise click.ClickException(f"Backup failed: {error}") from error
    click.echo(
        f"Backed up {report.pages} pages to {report.path} in {report.seconds:.2f}s;"
        " integrity_check: ok"
    )


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def restore_command(path):
    """Replace the database with the backup at PATH (stop the app first)."""
    try:
        erased = restore(path, current_app.config["JOURNAL_DB"])
    except (BackupError, sqlite3.Error) as error:
        raise click.ClickException(f"Restore failed: {error}") from error
    click.echo(
        f"Restored {path} into {current_app.config['JOURNAL_DB']}; integrity_check: ok;"
        f" accounts erased again: {erased}"
    )


COMMANDS = (backup_command, restore_command)
