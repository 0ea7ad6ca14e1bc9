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


@migrations(name="0008_entry_helped")
def m0008(db):
    db.executescript(
        """
        ALTER TABLE entries ADD COLUMN helped INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX entries_helped ON entries(patient_id, created_at) WHERE helped = 1;
        """
    )


@migrations(name="0008b_summaries")
def m0008b(db):
    # One appointment summary per patient and scan (scan_id NULL before any scan is added);
    # `shared` is the patient's consent for their care team to read it.
    db.executescript(
        """
        CREATE TABLE summaries (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            scan_id INTEGER REFERENCES scans(id) ON DELETE CASCADE,
            shared INTEGER NOT NULL DEFAULT 0,
            shared_at TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT
        );
        CREATE UNIQUE INDEX summaries_by_patient ON summaries(patient_id, IFNULL(scan_id, 0));
        CREATE INDEX summaries_by_scan ON summaries(scan_id);
        CREATE TABLE summary_notes (
            summary_id INTEGER NOT NULL REFERENCES summaries(id) ON DELETE CASCADE,
            entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            PRIMARY KEY (summary_id, entry_id)
        ) WITHOUT ROWID;
        CREATE INDEX summary_notes_by_entry ON summary_notes(entry_id);
        """
    )


@migrations(name="0006a_sign_in_hardening_and_privacy")
def m0006a(db):
    db.executescript(
        """
        -- Failed sign-ins by account (a hash of the typed email, known or not) and address.
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            account_key TEXT NOT NULL,
            address TEXT NOT NULL,
            failed_at TEXT NOT NULL
        );
        CREATE INDEX sign_in_failures_by_account ON sign_in_failures(account_key, failed_at);
        CREATE INDEX sign_in_failures_by_address ON sign_in_failures(address, failed_at);
        CREATE INDEX sign_in_failures_by_time ON sign_in_failures(failed_at);
        -- The role a session began with, and how far through signing in it is.
        ALTER TABLE sessions ADD COLUMN role TEXT;
        ALTER TABLE sessions ADD COLUMN stage TEXT NOT NULL DEFAULT 'active'
            CHECK (stage IN ('active', 'code', 'enrol'));
        UPDATE sessions SET role = (SELECT role FROM users WHERE users.id = sessions.user_id);
        -- Second factor for nurses and admins; the last time step used stops a replay.
        ALTER TABLE users ADD COLUMN totp_secret TEXT;
        ALTER TABLE users ADD COLUMN totp_confirmed_at TEXT;
        ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
        -- Set while a password is temporary (an admin reset): it must be changed, and expires.
        ALTER TABLE users ADD COLUMN password_expires_at TEXT;
        CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            code_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX recovery_codes_by_user ON recovery_codes(user_id);
        CREATE TABLE privacy_agreements (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            version TEXT NOT NULL,
            agreed_at TEXT NOT NULL
        );
        CREATE INDEX privacy_agreements_by_user ON privacy_agreements(user_id, agreed_at);
        """
    )
