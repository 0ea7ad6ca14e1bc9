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


# Before the migrations were numbered in the order they run, seven had other names; a
# database made then has those recorded, and gets the new names before anything is applied.
RENAMED = {
    "0008_entry_helped": "0003_entry_helped",
    "0008b_summaries": "0004_summaries",
    "0006a_sign_in_hardening_and_privacy": "0005_sign_in_hardening_and_privacy",
    "0004_care_teams": "0006_care_teams",
    "0006b_account_tombstones": "0007_account_tombstones",
    "0007_search_by_patient": "0008_search_by_patient",
    "0007b_deleted_entries_index": "0009_deleted_entries_index",
}


def apply(db):
    """Bring the schema up to date; safe to call from several processes at once."""
    if not (_old_names(db) or migrations.pending(db)):
        return
    # Hold the write lock while reading what is pending and applying it, so two
    # workers starting together cannot both apply the same migration.
    with immediate(db):
        for old in _old_names(db):
            db.execute(
                f"UPDATE [{Migrations.migrations_table}] SET name = ?"  # noqa: S608 - a constant
                " WHERE migration_set = ? AND name = ?",
                [RENAMED[old], migrations.name, old],
            )
        migrations.apply(db)


def _old_names(db):
    if not db[Migrations.migrations_table].exists():
        return []
    return [row["name"] for row in db.query(
        f"SELECT name FROM [{Migrations.migrations_table}] WHERE migration_set = ?",  # noqa: S608
        [migrations.name]) if row["name"] in RENAMED]


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


@migrations(name="0003_entry_helped")
def m0003(db):
    db.executescript(
        """
        ALTER TABLE entries ADD COLUMN helped INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX entries_helped ON entries(patient_id, created_at) WHERE helped = 1;
        """
    )


@migrations(name="0004_summaries")
def m0004(db):
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


@migrations(name="0005_sign_in_hardening_and_privacy")
def m0005(db):
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


@migrations(name="0006_care_teams")
def m0006(db):
    # One statement at a time: one long script is slow to split into statements.
    for statement in CARE_TEAMS_SCHEMA:
        db.execute(statement)


CARE_TEAMS_SCHEMA = (
    """
    CREATE TABLE teams (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        working_hours TEXT NOT NULL,
        -- Bumped by the triggers below whenever the team's inbox could look different,
        -- so a dashboard poll is one primary-key read.
        feed_version INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE team_nurses (
        nurse_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        joined_at TEXT NOT NULL
    )
    """,
    """
    CREATE INDEX team_nurses_by_team ON team_nurses(team_id)
    """,
    """
    CREATE TABLE care_links (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        held_name TEXT NOT NULL,
        held_dob TEXT NOT NULL,
        held_hospital_number TEXT NOT NULL DEFAULT '',
        connected_at TEXT NOT NULL,
        ended_at TEXT,
        ended_by TEXT CHECK (ended_by IN ('patient', 'nurse', 'admin'))
    )
    """,
    """
    CREATE UNIQUE INDEX care_links_live_patient ON care_links(patient_id)
        WHERE ended_at IS NULL
    """,
    """
    CREATE INDEX care_links_live_team ON care_links(team_id, patient_id)
        WHERE ended_at IS NULL
    """,
    """
    CREATE TABLE join_codes (
        id INTEGER PRIMARY KEY,
        team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
        created_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
        code_hash TEXT NOT NULL UNIQUE,
        held_name TEXT NOT NULL,
        held_dob TEXT NOT NULL,
        held_hospital_number TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT,
        used_by INTEGER REFERENCES users(id) ON DELETE CASCADE,
        failed_attempts INTEGER NOT NULL DEFAULT 0,
        locked_at TEXT
    )
    """,
    """
    CREATE INDEX join_codes_by_team ON join_codes(team_id, created_at)
    """,
    """
    CREATE TABLE password_tokens (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        token_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    )
    """,
    """
    CREATE INDEX password_tokens_by_user ON password_tokens(user_id)
    """,
    """
    ALTER TABLE entries ADD COLUMN shared INTEGER NOT NULL DEFAULT 0
    """,
    """
    ALTER TABLE entries ADD COLUMN reviewed_at TEXT
    """,
    """
    ALTER TABLE questions ADD COLUMN shared INTEGER NOT NULL DEFAULT 0
    """,
    """
    CREATE INDEX entries_shared ON entries(patient_id, created_at)
        WHERE shared = 1 AND deleted_at IS NULL
    """,
    """
    CREATE TABLE entry_reviews (
        id INTEGER PRIMARY KEY,
        entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
        nurse_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
        team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,
        reviewed_at TEXT NOT NULL
    )
    """,
    """
    CREATE INDEX entry_reviews_by_entry ON entry_reviews(entry_id, reviewed_at)
    """,
    # Who did what to whose data, and when; never any content. No foreign keys:
    # the record must outlive the accounts it names.
    """
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor_id INTEGER,
        actor_role TEXT NOT NULL,
        action TEXT NOT NULL,
        patient_id INTEGER,
        team_id INTEGER,
        entry_id INTEGER,
        question_id INTEGER
    )
    """,
    """
    CREATE INDEX audit_by_patient ON audit(patient_id, id)
    """,
    """
    CREATE INDEX audit_by_patient_action ON audit(patient_id, action, at)
    """,
    """
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END
    """,
    """
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END
    """,
    # A new check-in follows the patient's default, but only while a team is connected.
    """
    CREATE TRIGGER entries_share_by_default AFTER INSERT ON entries
    WHEN (SELECT share_by_default FROM users WHERE id = NEW.patient_id) = 1
        AND EXISTS (SELECT 1 FROM care_links
                    WHERE patient_id = NEW.patient_id AND ended_at IS NULL)
    BEGIN
        UPDATE entries SET shared = 1 WHERE id = NEW.id;
        INSERT INTO audit (at, actor_id, actor_role, action, patient_id, team_id, entry_id)
        SELECT NEW.created_at, NEW.patient_id, 'patient', 'share', NEW.patient_id,
               team_id, NEW.id
        FROM care_links WHERE patient_id = NEW.patient_id AND ended_at IS NULL;
    END
    """,
    """
    CREATE TRIGGER entries_feed_update AFTER UPDATE ON entries
    WHEN OLD.shared = 1 OR NEW.shared = 1
    BEGIN
        UPDATE teams SET feed_version = feed_version + 1 WHERE id IN (
            SELECT team_id FROM care_links
            WHERE patient_id = NEW.patient_id AND ended_at IS NULL);
    END
    """,
    """
    CREATE TRIGGER entries_feed_delete AFTER DELETE ON entries
    WHEN OLD.shared = 1
    BEGIN
        UPDATE teams SET feed_version = feed_version + 1 WHERE id IN (
            SELECT team_id FROM care_links
            WHERE patient_id = OLD.patient_id AND ended_at IS NULL);
    END
    """,
    """
    CREATE TRIGGER care_links_feed_insert AFTER INSERT ON care_links
    BEGIN
        UPDATE teams SET feed_version = feed_version + 1 WHERE id = NEW.team_id;
    END
    """,
    """
    CREATE TRIGGER care_links_feed_update AFTER UPDATE ON care_links
    BEGIN
        UPDATE teams SET feed_version = feed_version + 1
        WHERE id IN (OLD.team_id, NEW.team_id);
    END
    """,
    """
    CREATE TRIGGER scans_feed_insert AFTER INSERT ON scans
    BEGIN
        UPDATE teams SET feed_version = feed_version + 1 WHERE id IN (
            SELECT team_id FROM care_links
            WHERE patient_id = NEW.patient_id AND ended_at IS NULL);
    END
    """,
    """
    CREATE TRIGGER scans_feed_update AFTER UPDATE ON scans
    BEGIN
        UPDATE teams SET feed_version = feed_version + 1 WHERE id IN (
            SELECT team_id FROM care_links
            WHERE patient_id = NEW.patient_id AND ended_at IS NULL);
    END
    """,
    """
    CREATE TRIGGER scans_feed_delete AFTER DELETE ON scans
    BEGIN
        UPDATE teams SET feed_version = feed_version + 1 WHERE id IN (
            SELECT team_id FROM care_links
            WHERE patient_id = OLD.patient_id AND ended_at IS NULL);
    END
    """,
)


@migrations(name="0007_account_tombstones")
def m0007(db):
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


@migrations(name="0008_search_by_patient")
def m0008(db):
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


@migrations(name="0009_deleted_entries_index")
def m0009(db):
    # Each timeline visit looks for deleted entries to erase; this partial index holds only
    # the few entries inside their undo window, so that look-up costs the same for everyone.
    db.execute(
        "CREATE INDEX entries_deleted ON entries(patient_id, deleted_at)"
        " WHERE deleted_at IS NOT NULL"
    )


@migrations(name="0010_sharing_with_a_named_team")
def m0010(db):
    for statement in NAMED_TEAM_SCHEMA:
        db.execute(statement)


# A share names the team it was given to; a share made with no team connected names none
# and is held ("share when I join") until the patient confirms or drops it on joining.
# The triggers stamp the team live at the moment of sharing, on every path that shares
# (a button, the default for new check-ins, an import), so no share is ever team-less by
# accident. Review marks name their team too: another team's review never counts.
_LIVE_TEAM = (
    "(SELECT team_id FROM care_links WHERE patient_id = NEW.patient_id AND ended_at IS NULL)"
)
NAMED_TEAM_SCHEMA = (
    *(
        f"ALTER TABLE {table} ADD COLUMN shared_team_id INTEGER"
        " REFERENCES teams(id) ON DELETE SET NULL"
        for table in ("entries", "questions", "summaries")
    ),
    "ALTER TABLE entries ADD COLUMN reviewed_team_id INTEGER"
    " REFERENCES teams(id) ON DELETE SET NULL",
    *(
        f"""
        CREATE TRIGGER {table}_share_stamp_update AFTER UPDATE OF shared ON {table}
        WHEN OLD.shared IS NOT NEW.shared
        BEGIN
            UPDATE {table} SET shared_team_id = CASE WHEN NEW.shared = 1 THEN {_LIVE_TEAM} END
            WHERE id = NEW.id;
        END
        """  # noqa: S608 - table names are the constants below
        for table in ("entries", "questions", "summaries")
    ),
    *(
        f"""
        CREATE TRIGGER {table}_share_stamp_insert AFTER INSERT ON {table}
        WHEN NEW.shared = 1 AND NEW.shared_team_id IS NULL
        BEGIN
            UPDATE {table} SET shared_team_id = {_LIVE_TEAM} WHERE id = NEW.id;
        END
        """  # noqa: S608 - table names are the constants below
        for table in ("entries", "questions", "summaries")
    ),
    # Existing shares go to the team the patient is connected to now. Entries and questions
    # left shared after a team was left are withdrawn, as leaving now does; a summary shared
    # with no team is held, so the next join lists it for the patient to confirm or drop.
    *(
        f"UPDATE {table} SET shared_team_id = (SELECT team_id FROM care_links"  # noqa: S608
        f" WHERE care_links.patient_id = {table}.patient_id AND ended_at IS NULL)"
        " WHERE shared = 1"
        for table in ("entries", "questions", "summaries")
    ),
    "UPDATE entries SET shared = 0 WHERE shared = 1 AND shared_team_id IS NULL",
    "UPDATE questions SET shared = 0 WHERE shared = 1 AND shared_team_id IS NULL",
    "UPDATE entries SET reviewed_team_id = (SELECT team_id FROM entry_reviews"
    " WHERE entry_reviews.entry_id = entries.id ORDER BY reviewed_at DESC, id DESC LIMIT 1)"
    " WHERE reviewed_at IS NOT NULL",
)


@migrations(name="0011_sign_up_tried")
def m0011(db):
    # When someone last tried to make a new account with this account's email: sign-up no
    # longer says an address is taken, so the owner is told at their next sign-in instead.
    db.execute("ALTER TABLE users ADD COLUMN sign_up_tried_at TEXT")


@migrations(name="0012_newest_shared_entries_index")
def m0012(db):
    # A team's inbox walks the newest shared entries in order and keeps its own patients',
    # instead of sorting the team's whole shared history on every dashboard request.
    db.execute(
        "CREATE INDEX entries_shared_newest ON entries(created_at, id)"
        " WHERE shared = 1 AND deleted_at IS NULL"
    )


@migrations(name="0013_people")
def m0013(db):
    # The people a patient shares with outside the care team, the links she sends them
    # (only hashes of the token and the short code are kept), the check-ins she marks for
    # each one (never `entries.shared`, which is the care team's), and a check-in's note
    # that a calming exercise helped. Reads of a link go to the audit with its id.
    db.executescript(
        """
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            first_name TEXT NOT NULL,
            relation TEXT NOT NULL DEFAULT '',
            shared_by TEXT NOT NULL,
            show_scan INTEGER NOT NULL DEFAULT 0,
            show_trend INTEGER NOT NULL DEFAULT 0,
            show_checkins INTEGER NOT NULL DEFAULT 0,
            show_questions INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT
        );
        CREATE INDEX people_by_patient ON people(patient_id);
        CREATE TABLE person_links (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_hash TEXT NOT NULL UNIQUE,
            code_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            ended_at TEXT
        );
        CREATE INDEX person_links_by_person ON person_links(person_id);
        CREATE INDEX person_links_by_patient ON person_links(patient_id);
        CREATE TABLE person_entries (
            person_id INTEGER NOT NULL REFERENCES people(id) ON DELETE CASCADE,
            entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            PRIMARY KEY (person_id, entry_id)
        ) WITHOUT ROWID;
        CREATE INDEX person_entries_by_entry ON person_entries(entry_id);
        CREATE INDEX person_entries_by_patient ON person_entries(patient_id);
        ALTER TABLE audit ADD COLUMN link_id INTEGER;
        CREATE INDEX audit_by_link ON audit(link_id, action, at) WHERE link_id IS NOT NULL;
        ALTER TABLE entries ADD COLUMN calm_helped INTEGER NOT NULL DEFAULT 0;
        """
    )


@migrations(name="0014_review_outcome")
def m0014(db):
    # What the nurse did with a reviewed entry (called, left a message, no action needed,
    # referred on); NULL for reviews made before it was asked.
    db.execute("ALTER TABLE entry_reviews ADD COLUMN outcome TEXT")


@migrations(name="0015_recovery_codes_kept")
def m0015(db):
    # Set when a new set of recovery codes is made, cleared when the person says they have
    # kept them: until then every page reminds them, so a missed screen never locks them out.
    db.execute("ALTER TABLE users ADD COLUMN recovery_codes_pending_at TEXT")


@migrations(name="0016_reminders")
def m0016(db):
    # What the patient turned on (one row, made when she first saves the page; no row means
    # everything off), a hash of her calendar feed's token, and one row per reminder per
    # channel: the unique key is what stops a second run from sending the same one twice.
    db.executescript(
        """
        CREATE TABLE reminder_choices (
            patient_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
            daily_at TEXT,
            scan_nudges INTEGER NOT NULL DEFAULT 0,
            by_email INTEGER NOT NULL DEFAULT 0,
            by_calendar INTEGER NOT NULL DEFAULT 0,
            by_device INTEGER NOT NULL DEFAULT 0,
            quiet_from TEXT NOT NULL DEFAULT '21:00',
            quiet_until TEXT NOT NULL DEFAULT '08:00',
            feed_hash TEXT UNIQUE,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX reminder_choices_on ON reminder_choices(patient_id)
            WHERE daily_at IS NOT NULL OR scan_nudges = 1;
        CREATE TABLE reminder_sends (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            nudge_key TEXT NOT NULL,
            channel TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'queued'
                CHECK (state IN ('queued', 'sent', 'failed', 'dropped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            tried_at TEXT,
            sent_at TEXT,
            UNIQUE (patient_id, nudge_key, channel)
        );
        CREATE INDEX reminder_sends_waiting ON reminder_sends(nudge_key) WHERE state = 'queued';
        CREATE INDEX reminder_sends_by_key ON reminder_sends(nudge_key, patient_id);
        CREATE INDEX reminder_sends_by_age ON reminder_sends(created_at);
        """
    )


@migrations(name="0017_push_subscriptions")
def m0017(db):
    # A device's Web Push subscription: the push service's address and the keys the payload
    # is encrypted for. Removed when the push service says it is gone (404 or 410).
    db.executescript(
        """
        CREATE TABLE push_subscriptions (
            id INTEGER PRIMARY KEY,
            patient_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            endpoint TEXT NOT NULL UNIQUE,
            p256dh TEXT NOT NULL,
            auth TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX push_subscriptions_by_patient ON push_subscriptions(patient_id);
        """
    )


@migrations(name="0018_passkeys")
def m0018(db):
    # A person's passkeys (WebAuthn credentials): the public key and the last sign count the
    # authenticator gave, which must only go up. A challenge is kept until it is used once or
    # expires, so a replayed answer finds nothing to match.
    db.executescript(
        """
        CREATE TABLE passkeys (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            credential_id BLOB NOT NULL UNIQUE,
            public_key BLOB NOT NULL,
            sign_count INTEGER NOT NULL DEFAULT 0,
            name TEXT NOT NULL,
            added_at TEXT NOT NULL,
            last_used_at TEXT
        );
        CREATE INDEX passkeys_by_user ON passkeys(user_id);
        CREATE TABLE passkey_challenges (
            challenge TEXT PRIMARY KEY,
            purpose TEXT NOT NULL CHECK (purpose IN ('register', 'sign_in')),
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            expires_at TEXT NOT NULL
        );
        CREATE INDEX passkey_challenges_by_user ON passkey_challenges(user_id);
        """
    )


@migrations(name="0019_search_answers_and_tags")
def m0019(db):
    # Search finds an entry by anything she wrote or chose on it: the note, the answer to the
    # day's question, and the feelings and topics (as their keys: "anxious", "results").
    # The JSON lists index as plain words, since the tokenizer drops brackets and quotes.
    db.executescript(
        """
        DROP TRIGGER IF EXISTS entries_ai;
        DROP TRIGGER IF EXISTS entries_ad;
        DROP TRIGGER IF EXISTS entries_au;
        DROP TABLE IF EXISTS entries_fts;
        DROP VIEW IF EXISTS entries_search;
        CREATE VIEW entries_search AS
            SELECT id, note, prompt_answer AS answer, feelings || ' ' || topics AS tags,
                   'p' || patient_id AS patient
            FROM entries;
        CREATE VIRTUAL TABLE entries_fts USING fts5(
            note, answer, tags, patient,
            content='entries_search', content_rowid='id', tokenize='porter'
        );
        CREATE TRIGGER entries_ai AFTER INSERT ON entries BEGIN
            INSERT INTO entries_fts (rowid, note, answer, tags, patient)
            VALUES (new.id, new.note, new.prompt_answer, new.feelings || ' ' || new.topics,
                    'p' || new.patient_id);
        END;
        CREATE TRIGGER entries_ad AFTER DELETE ON entries BEGIN
            INSERT INTO entries_fts (entries_fts, rowid, note, answer, tags, patient)
            VALUES ('delete', old.id, old.note, old.prompt_answer,
                    old.feelings || ' ' || old.topics, 'p' || old.patient_id);
        END;
        -- Only what is indexed reindexes: deleting, restoring or sharing an entry does not.
        CREATE TRIGGER entries_au
        AFTER UPDATE OF note, prompt_answer, feelings, topics, patient_id ON entries BEGIN
            INSERT INTO entries_fts (entries_fts, rowid, note, answer, tags, patient)
            VALUES ('delete', old.id, old.note, old.prompt_answer,
                    old.feelings || ' ' || old.topics, 'p' || old.patient_id);
            INSERT INTO entries_fts (rowid, note, answer, tags, patient)
            VALUES (new.id, new.note, new.prompt_answer, new.feelings || ' ' || new.topics,
                    'p' || new.patient_id);
        END;
        INSERT INTO entries_fts (entries_fts) VALUES ('rebuild');
        """
    )


@migrations(name="0020_questions_undo")
def m0020(db):
    # A deleted question waits ten minutes, as a deleted entry does, so a slip can be undone.
    db.execute("ALTER TABLE questions ADD COLUMN deleted_at TEXT")


@migrations(name="0021_email_links")
def m0021(db):
    # Links sent by email, each working once: a password reset (for an account) and a new
    # account's confirmation (for an address with no account yet). Only a digest of the
    # token is kept; rows go a day after they expire.
    db.executescript(
        """
        CREATE TABLE email_links (
            id INTEGER PRIMARY KEY,
            purpose TEXT NOT NULL CHECK (purpose IN ('reset', 'sign_up')),
            token_hash TEXT NOT NULL UNIQUE,
            user_id INTEGER REFERENCES users(id) ON DELETE CASCADE,
            email TEXT,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            used_at TEXT,
            CHECK ((purpose = 'reset' AND user_id IS NOT NULL AND email IS NULL)
                OR (purpose = 'sign_up' AND user_id IS NULL AND email IS NOT NULL))
        );
        CREATE INDEX email_links_by_user ON email_links(user_id);
        CREATE INDEX email_links_by_email ON email_links(email);
        CREATE INDEX email_links_by_expiry ON email_links(expires_at);
        """
    )


@migrations(name="0022_device_lock")
def m0022(db):
    # "Lock this phone" belongs to one session (one browser on one device), not to the
    # account: a patient may want her family's shared tablet to lock and her own phone not.
    # A form sent while locked is held with its session (as JSON) until she unlocks; when the
    # session ends, however it ends, the held words go with it.
    db.executescript(
        """
        ALTER TABLE sessions ADD COLUMN lock_after_minutes INTEGER
            CHECK (lock_after_minutes IN (5, 15, 60));
        ALTER TABLE sessions ADD COLUMN held_post TEXT;
        CREATE TRIGGER sessions_forget_held_post AFTER UPDATE OF ended_at ON sessions
            WHEN NEW.ended_at IS NOT NULL AND NEW.held_post IS NOT NULL
        BEGIN
            UPDATE sessions SET held_post = NULL WHERE id = NEW.id;
        END;
        """
    )


@migrations(name="0023_entries_awaiting_review")
def m0023(db):
    # Shared entries that still wait for their team's review, newest first: the inbox finds
    # the flagged ones to pin by walking these alone, across teams, and stops once it has
    # enough. The condition is care.inbox.AWAITING_REVIEW_SQL word for word, as SQLite only
    # uses a partial index for a query that says the same.
    db.execute(
        "CREATE INDEX entries_awaiting_review ON entries(created_at, id)"
        " WHERE shared = 1 AND deleted_at IS NULL AND (reviewed_at IS NULL"
        " OR reviewed_team_id IS NOT shared_team_id"
        " OR (updated_at IS NOT NULL AND updated_at > reviewed_at))"
    )


@migrations(name="0024_entries_shared_scores")
def m0024(db):
    # The dashboard reads each connected patient's last shared scores (care.inbox's
    # _recent_scores), over a thousand patients for a big team. This index answers each from
    # the index alone, newest first; shared and deleted_at, constant in it, are there only
    # so that SQLite finds every column the query names in the index. The condition is the
    # query's, word for word, as SQLite uses a partial index only then.
    db.execute(
        "CREATE INDEX entries_shared_scores ON entries(patient_id, shared_team_id,"
        " created_at, id, distress, shared, deleted_at)"
        " WHERE shared = 1 AND deleted_at IS NULL AND distress IS NOT NULL"
    )


@migrations(name="0025_patient_flags")
def m0025(db):
    # Each connected patient's dashboard flags as care.states last worked them out: whether
    # their last shared scores rise, and the last day results were due for their first scan
    # still waiting (overdue from the day after). A dashboard load reads
    # these instead of working out a thousand patients' again. Any change to what they come
    # from deletes the patient's rows, and the next load works out only those again.
    db.executescript(
        """
        CREATE TABLE patient_flags (
            team_id INTEGER NOT NULL,
            patient_id INTEGER NOT NULL,
            rules TEXT NOT NULL,
            rising INTEGER NOT NULL,
            due_by TEXT,
            PRIMARY KEY (team_id, patient_id)
        ) WITHOUT ROWID;
        CREATE INDEX patient_flags_by_patient ON patient_flags(patient_id);
        CREATE TRIGGER entries_flags_insert AFTER INSERT ON entries WHEN NEW.shared = 1
        BEGIN
            DELETE FROM patient_flags WHERE patient_id = NEW.patient_id;
        END;
        CREATE TRIGGER entries_flags_update
        AFTER UPDATE OF patient_id, shared, shared_team_id, deleted_at, distress, created_at
        ON entries WHEN OLD.shared = 1 OR NEW.shared = 1
        BEGIN
            DELETE FROM patient_flags WHERE patient_id IN (OLD.patient_id, NEW.patient_id);
        END;
        CREATE TRIGGER entries_flags_delete AFTER DELETE ON entries WHEN OLD.shared = 1
        BEGIN
            DELETE FROM patient_flags WHERE patient_id = OLD.patient_id;
        END;
        CREATE TRIGGER scans_flags_insert AFTER INSERT ON scans
        BEGIN
            DELETE FROM patient_flags WHERE patient_id = NEW.patient_id;
        END;
        CREATE TRIGGER scans_flags_update AFTER UPDATE ON scans
        BEGIN
            DELETE FROM patient_flags WHERE patient_id IN (OLD.patient_id, NEW.patient_id);
        END;
        CREATE TRIGGER scans_flags_delete AFTER DELETE ON scans
        BEGIN
            DELETE FROM patient_flags WHERE patient_id = OLD.patient_id;
        END;
        CREATE TRIGGER care_links_flags_insert AFTER INSERT ON care_links
        BEGIN
            DELETE FROM patient_flags WHERE patient_id = NEW.patient_id;
        END;
        CREATE TRIGGER care_links_flags_update AFTER UPDATE ON care_links
        BEGIN
            DELETE FROM patient_flags WHERE patient_id IN (OLD.patient_id, NEW.patient_id);
        END;
        CREATE TRIGGER care_links_flags_delete AFTER DELETE ON care_links
        BEGIN
            DELETE FROM patient_flags WHERE patient_id = OLD.patient_id;
        END;
        """
    )


@migrations(name="0026_entry_checks")
def m0026(db):
    # The words check's answer for each entry the inbox has read (care.checks): the words
    # it found, as JSON, and a digest of the texts and the rule it found them by, which must
    # match for the answer to be used again.
    db.execute(
        "CREATE TABLE entry_checks ("
        " entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,"
        " digest BLOB NOT NULL,"
        " found TEXT NOT NULL)"
    )


@migrations(name="0027_team_inbox_indexes")
def m0027(db):
    # The team inbox's two walks, newest first, by team: every team's shared entries, and
    # every team's entries waiting for review, made each walk pass some fifty other teams'
    # entries for each of its own. These start at the team's own. The conditions are the
    # old indexes', and AWAITING_REVIEW_SQL's, word for word.
    db.executescript(
        """
        DROP INDEX entries_shared_newest;
        CREATE INDEX entries_team_shared_newest ON entries(shared_team_id, created_at, id)
            WHERE shared = 1 AND deleted_at IS NULL;
        DROP INDEX entries_awaiting_review;
        CREATE INDEX entries_team_awaiting_review ON entries(shared_team_id, created_at, id)
            WHERE shared = 1 AND deleted_at IS NULL AND (reviewed_at IS NULL
            OR reviewed_team_id IS NOT shared_team_id
            OR (updated_at IS NOT NULL AND updated_at > reviewed_at));
        """
    )


@migrations(name="0028_care_links_feed_delete")
def m0028(db):
    # A link deleted with its patient's account moves the team's version too, as every
    # other change to a link does; the dashboard then needs no count of the live links on
    # each load to notice it.
    db.execute(
        "CREATE TRIGGER care_links_feed_delete AFTER DELETE ON care_links BEGIN"
        " UPDATE teams SET feed_version = feed_version + 1 WHERE id = OLD.team_id; END"
    )


@migrations(name="0029_checks_and_reviewers_follow_changes")
def m0029(db):
    # The words a check found go as soon as the patient edits the text they were found in,
    # not when the inbox next reads the entry; and a nurse renamed, or erased (her reviews
    # keep no name), moves the version of every team whose pages name her as reviewer.
    db.executescript(
        """
        CREATE TRIGGER entries_checks_edit AFTER UPDATE OF note, prompt_answer ON entries
        BEGIN
            DELETE FROM entry_checks WHERE entry_id = NEW.id;
        END;
        CREATE TRIGGER entry_reviews_feed_update AFTER UPDATE ON entry_reviews
        BEGIN
            UPDATE teams SET feed_version = feed_version + 1
            WHERE id IN (OLD.team_id, NEW.team_id);
        END;
        CREATE TRIGGER users_reviewer_renamed AFTER UPDATE OF first_name ON users
        WHEN NEW.role = 'nurse' AND OLD.first_name IS NOT NEW.first_name
        BEGIN
            UPDATE teams SET feed_version = feed_version + 1 WHERE id IN (
                SELECT team_id FROM entry_reviews WHERE nurse_id = NEW.id);
        END;
        """
    )


@migrations(name="0030_audit_refusals_index")
def m0030(db):
    # Every inbox load appends a read for each patient on the page, and each row went into
    # two indexes at random places. Only refused join codes are ever looked up by patient,
    # action and time, so that index now holds those alone, and a read goes into one.
    db.executescript(
        """
        DROP INDEX audit_by_patient_action;
        CREATE INDEX audit_refused_by_patient ON audit(patient_id, at)
            WHERE action = 'connect-refused';
        """
    )


@migrations(name="0031_audit_inbox_reads_unindexed")
def m0031(db):
    # Nothing looks a patient's inbox reads up: "Who has seen my entries" and her data
    # export list only SEEN_ACTIONS, and the inbox reads stay in the table and its full
    # export. Left out of the patient index, the dozens an inbox load appends go into no
    # index at all, and her page no longer steps past them.
    db.executescript(
        """
        DROP INDEX audit_by_patient;
        CREATE INDEX audit_by_patient ON audit(patient_id, id) WHERE action != 'view-inbox';
        """
    )
