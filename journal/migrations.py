"""Numbered schema migrations, applied at start; each runs once, in a transaction."""

from sqlite_utils.migrations import Migrations

from .db import immediate

migrations = Migrations("journal")


@migrations(name="0001_accounts_and_entries")
def m0001(db):
    db.executescript(
        """
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            password_hash TEXT NOT NULL,
            first_name TEXT NOT NULL DEFAULT '',
            role TEXT NOT NULL CHECK (role IN ('patient', 'nurse', 'admin')),
            share_by_default INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            ended_at TEXT
        );
        CREATE INDEX sessions_by_user ON sessions(user_id);
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            client_id TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT,
            distress INTEGER CHECK (distress BETWEEN 0 AND 10),
            feelings TEXT NOT NULL DEFAULT '[]',
            topics TEXT NOT NULL DEFAULT '[]',
            note TEXT NOT NULL DEFAULT '',
            deleted_at TEXT
        );
        CREATE INDEX entries_by_patient ON entries(patient_id, created_at);
        CREATE UNIQUE INDEX entries_by_client_id ON entries(patient_id, client_id)
            WHERE client_id IS NOT NULL;
        """
    )
    db["entries"].enable_fts(["note"], create_triggers=True, tokenize="porter")


def apply(db):
    """Bring the schema up to date; safe to call from several processes at once."""
    if not migrations.pending(db):
        return
    # Hold the write lock while reading what is pending and applying it, so two
    # workers starting together cannot both apply the same migration.
    with immediate(db):
        migrations.apply(db)


@migrations(name="0002_scans_questions_prompts")
def m0002(db):
    db.executescript(
        """
        CREATE TABLE scans (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            kind TEXT NOT NULL,
            appointment_at TEXT,
            hospital TEXT NOT NULL DEFAULT '',
            fasting_hours INTEGER CHECK (fasting_hours BETWEEN 1 AND 48),
            letter_notes TEXT NOT NULL DEFAULT '',
            arranged_by_name TEXT NOT NULL DEFAULT '',
            arranged_by_phone TEXT NOT NULL DEFAULT '',
            nurse_name TEXT NOT NULL DEFAULT '',
            nurse_phone TEXT NOT NULL DEFAULT '',
            results_expected_days INTEGER CHECK (results_expected_days BETWEEN 1 AND 120),
            results_received_on TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT
        );
        CREATE INDEX scans_by_patient ON scans(patient_id, created_at);
        CREATE TABLE questions (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            suggested INTEGER NOT NULL DEFAULT 0,
            done INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX questions_by_patient ON questions(patient_id, created_at);
        ALTER TABLE entries ADD COLUMN prompt TEXT NOT NULL DEFAULT '';
        ALTER TABLE entries ADD COLUMN prompt_answer TEXT NOT NULL DEFAULT '';
        """
    )


@migrations(name="0006b_account_tombstones")
def m0006b(db):
    # What is left when a patient deletes their account: no email, name or content,
    # only enough to show that the erasure happened and to repeat it after a restore.
    db.executescript(
        """
        CREATE TABLE account_tombstones (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL,
            role TEXT NOT NULL,
            account_created_at TEXT NOT NULL,
            deleted_at TEXT NOT NULL
        );
        CREATE INDEX account_tombstones_by_user ON account_tombstones(user_id);
        """
    )
