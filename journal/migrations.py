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


@migrations(name="0007_search_by_patient")
def m0007(db):
    # The full-text index also holds each entry's patient as a token ("p42"), so a search
    # joins the patient's few postings with the words' instead of reading every patient's
    # matches (docs/PERFORMANCE.md). The view gives the index its content without a copy.
    db.executescript(
        """
        DROP TRIGGER IF EXISTS entries_ai;
        DROP TRIGGER IF EXISTS entries_ad;
        DROP TRIGGER IF EXISTS entries_au;
        DROP TABLE IF EXISTS entries_fts;
        CREATE VIEW entries_search AS
            SELECT id, note, 'p' || patient_id AS patient FROM entries;
        CREATE VIRTUAL TABLE entries_fts USING fts5(
            note, patient, content='entries_search', content_rowid='id', tokenize='porter'
        );
        CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
            INSERT INTO entries_fts (rowid, note, patient)
            VALUES (new.id, new.note, 'p' || new.patient_id);
        END;
        CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
            INSERT INTO entries_fts (entries_fts, rowid, note, patient)
            VALUES ('delete', old.id, old.note, 'p' || old.patient_id);
        END;
        -- Only a changed note reindexes: deleting, restoring or sharing an entry does not.
        CREATE TRIGGER entries_au AFTER UPDATE OF note, patient_id ON entries BEGIN
            INSERT INTO entries_fts (entries_fts, rowid, note, patient)
            VALUES ('delete', old.id, old.note, 'p' || old.patient_id);
            INSERT INTO entries_fts (rowid, note, patient)
            VALUES (new.id, new.note, 'p' || new.patient_id);
        END;
        INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');
        """
    )


@migrations(name="0007b_deleted_entries_index")
def m0007b(db):
    # Each timeline visit looks for deleted entries to erase; this partial index holds only
    # the few entries inside their undo window, so that look-up costs the same for everyone.
    db.execute(
        "CREATE INDEX entries_deleted ON entries(patient_id, deleted_at)"
        " WHERE deleted_at IS NOT NULL"
    )
