"""Versioned, atomic schema migrations.

A file with `projects`, `memories` and `memories_fts` but no `metadata` table is v1 (the
predecessor's Phase 1 file, which users have on disk). Every later version is one numbered
step below. A new database is made the same way an old one is upgraded: the v1 baseline,
then every step, so a fresh file and a migrated file cannot drift apart.

All pending steps run in ONE transaction in rollback-journal mode: if any step fails the
transaction is rolled back and the file is byte-for-byte what it was. A file whose version is
newer than ``LATEST_VERSION`` is refused before anything is written to it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from vidurai.storage.models import DB_TIME_FORMAT, SalienceLevel


class SchemaError(Exception):
    """The database cannot be used by this version of Vidurai."""


class SchemaTooNewError(SchemaError):
    pass


class MigrationError(SchemaError):
    pass


V1_SCHEMA = """
CREATE TABLE projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT UNIQUE NOT NULL,
    name TEXT NOT NULL,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    last_active TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE memories (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id INTEGER NOT NULL,
    verbatim TEXT NOT NULL,
    event_type TEXT NOT NULL,
    file_path TEXT,
    line_number INTEGER,
    salience TEXT NOT NULL,
    access_count INTEGER DEFAULT 0,
    last_accessed TIMESTAMP,
    gist TEXT NOT NULL,
    tags TEXT,
    created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
    expires_at TIMESTAMP,
    FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE
);
CREATE INDEX idx_memories_project ON memories(project_id);
CREATE INDEX idx_memories_salience ON memories(salience);
CREATE INDEX idx_memories_created ON memories(created_at DESC);
CREATE INDEX idx_memories_file ON memories(file_path);
CREATE VIRTUAL TABLE memories_fts USING fts5(memory_id, gist, verbatim, tags);
"""


def _migrate_to_v2(conn: sqlite3.Connection) -> None:
    """The seed's Phase 5.1: schema metadata and one gist per (memory, audience)."""
    _run_script(
    conn,
        """
        CREATE TABLE IF NOT EXISTS metadata (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE IF NOT EXISTS audience_gists (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            memory_id INTEGER NOT NULL,
            audience TEXT NOT NULL,
            gist TEXT NOT NULL,
            created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
            FOREIGN KEY(memory_id) REFERENCES memories(id) ON DELETE CASCADE,
            UNIQUE(memory_id, audience)
        );
        CREATE INDEX IF NOT EXISTS idx_audience_gists_memory ON audience_gists(memory_id);
        CREATE INDEX IF NOT EXISTS idx_audience_gists_audience ON audience_gists(audience);
        """
    )


def _normalize_time(value: object) -> str | None:
    """Any time the predecessor wrote, as a UTC `YYYY-MM-DD HH:MM:SS` string.

    SQLite's CURRENT_TIMESTAMP already has that form (and is UTC). Python's
    ``datetime.now().isoformat()`` strings are local time without an offset; those with an
    offset are converted by it. Unparseable values are left alone rather than lost.
    """
    if value is None:
        return None
    text = str(value).strip()
    if len(text) == 19 and text[10] == " " and "T" not in text:
        return text
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is None:
        moment = moment.astimezone()  # a naive Python time is the machine's local time
    return moment.astimezone(timezone.utc).strftime(DB_TIME_FORMAT)


_SALIENCE_RANK_SQL = "CASE salience " + " ".join(
    f"WHEN '{level.name}' THEN {level.rank}" for level in SalienceLevel
) + " ELSE 0 END"

# A salience name's default retention in days, NULL for "never forgotten".
DEFAULT_RETENTION_SQL = "CASE salience " + " ".join(
    f"WHEN '{level.name}' THEN {level.retention_days}"
    for level in SalienceLevel
    if level.retention_days is not None
) + " END"


def _migrate_to_v3(conn: sqlite3.Connection) -> None:
    """Pinning, anchors, repeats, retention from last use, and indexes for the hot paths."""
    conn.create_function("vidurai_utc", 1, _normalize_time, deterministic=True)
    _run_script(
    conn,
        f"""
        ALTER TABLE memories ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE memories ADD COLUMN pinned_at TIMESTAMP;
        ALTER TABLE memories ADD COLUMN end_line INTEGER;
        ALTER TABLE memories ADD COLUMN anchor_text TEXT;
        ALTER TABLE memories ADD COLUMN detached INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE memories ADD COLUMN fingerprint TEXT;
        ALTER TABLE memories ADD COLUMN occurrence_count INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE memories ADD COLUMN retention_days INTEGER;
        ALTER TABLE memories ADD COLUMN salience_rank INTEGER
            GENERATED ALWAYS AS ({_SALIENCE_RANK_SQL}) VIRTUAL;

        UPDATE memories SET salience = upper(trim(salience))
            WHERE salience IS NOT upper(trim(salience));
        UPDATE memories SET
            created_at = COALESCE(vidurai_utc(created_at), strftime('%Y-%m-%d %H:%M:%S', 'now')),
            last_accessed = vidurai_utc(last_accessed),
            expires_at = vidurai_utc(expires_at);
        UPDATE projects SET created_at = vidurai_utc(created_at),
                            last_active = vidurai_utc(last_active);
        -- Life is counted from the last use: re-derive every expiry from that rule.
        UPDATE memories SET expires_at = CASE
            WHEN {DEFAULT_RETENTION_SQL} IS NULL THEN NULL
            ELSE datetime(COALESCE(last_accessed, created_at), '+' || ({DEFAULT_RETENTION_SQL}) || ' days')
        END;

        -- v1's single-column indexes are covered by the composite ones below; each costs
        -- every write.
        DROP INDEX IF EXISTS idx_memories_project;
        DROP INDEX IF EXISTS idx_memories_salience;
        DROP INDEX IF EXISTS idx_memories_created;
        DROP INDEX IF EXISTS idx_memories_file;
        -- The hover lookup reads only this index until it finds the lines that cover the
        -- cursor: end_line and detached are in it so non-matching rows cost no table read.
        CREATE INDEX idx_memories_hover
            ON memories(project_id, file_path, line_number, end_line, detached);
        CREATE INDEX idx_memories_rank ON memories(project_id, salience_rank, created_at);
        CREATE INDEX idx_memories_recent ON memories(project_id, created_at);
        CREATE INDEX idx_memories_fingerprint ON memories(project_id, fingerprint, created_at);
        CREATE INDEX idx_memories_expiry ON memories(expires_at)
            WHERE expires_at IS NOT NULL AND pinned = 0;
        CREATE INDEX idx_memories_pinned ON memories(project_id, pinned_at) WHERE pinned = 1;
        """
    )


def _migrate_to_v4(conn: sqlite3.Connection) -> None:
    """Gist history (a replaced gist is kept) and the forgetting ledger."""
    _run_script(
    conn,
        """
        CREATE TABLE gist_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            memory_id INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
            audience TEXT NOT NULL,
            gist TEXT NOT NULL,
            created_at TIMESTAMP,
            replaced_at TIMESTAMP NOT NULL
        );
        CREATE INDEX idx_gist_history_memory ON gist_history(memory_id, audience);

        -- ON CONFLICT DO UPDATE fires UPDATE triggers, so every upsert path keeps history.
        CREATE TRIGGER audience_gists_keep_history AFTER UPDATE OF gist ON audience_gists
        WHEN old.gist IS NOT new.gist
        BEGIN
            INSERT INTO gist_history (memory_id, audience, gist, created_at, replaced_at)
            VALUES (old.memory_id, old.audience, old.gist, old.created_at,
                    strftime('%Y-%m-%d %H:%M:%S', 'now'));
        END;

        CREATE TABLE forgetting_ledger (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            memory_id INTEGER NOT NULL,
            project_id INTEGER,
            gist TEXT NOT NULL,
            salience TEXT NOT NULL,
            reason TEXT NOT NULL,
            forgotten_at TIMESTAMP NOT NULL
        );
        CREATE INDEX idx_forgetting_ledger_time ON forgetting_ledger(forgotten_at);
        """
    )


def _migrate_to_v5(conn: sqlite3.Connection) -> None:
    """Full-text search as an external-content FTS5 table kept in step by triggers.

    v1's standalone table duplicated the text and went stale when a memory was updated or
    deleted (the predecessor found deleted memories by search). Rebuilding from `memories`
    fixes both; the triggers fire only when indexed columns change.
    """
    _run_script(
    conn,
        """
        DROP TABLE IF EXISTS memories_fts;
        CREATE VIRTUAL TABLE memories_fts USING fts5(
            gist, verbatim, tags, content='memories', content_rowid='id'
        );
        INSERT INTO memories_fts(memories_fts) VALUES ('rebuild');

        CREATE TRIGGER memories_fts_insert AFTER INSERT ON memories BEGIN
            INSERT INTO memories_fts(rowid, gist, verbatim, tags)
            VALUES (new.id, new.gist, new.verbatim, new.tags);
        END;
        CREATE TRIGGER memories_fts_delete AFTER DELETE ON memories BEGIN
            INSERT INTO memories_fts(memories_fts, rowid, gist, verbatim, tags)
            VALUES ('delete', old.id, old.gist, old.verbatim, old.tags);
        END;
        CREATE TRIGGER memories_fts_update AFTER UPDATE OF gist, verbatim, tags ON memories BEGIN
            INSERT INTO memories_fts(memories_fts, rowid, gist, verbatim, tags)
            VALUES ('delete', old.id, old.gist, old.verbatim, old.tags);
            INSERT INTO memories_fts(rowid, gist, verbatim, tags)
            VALUES (new.id, new.gist, new.verbatim, new.tags);
        END;
        """
    )


def _migrate_to_v6(conn: sqlite3.Connection) -> None:
    """Say which audience gists the user wrote, so regenerated gists never replace them.

    Before this step only a user's rewrite replaced a stored gist (and left history), so a
    gist with history is the user's.
    """
    _run_script(
    conn,
        """
        ALTER TABLE audience_gists ADD COLUMN written_by_user INTEGER NOT NULL DEFAULT 0;
        UPDATE audience_gists SET written_by_user = 1 WHERE EXISTS (
            SELECT 1 FROM gist_history h
            WHERE h.memory_id = audience_gists.memory_id AND h.audience = audience_gists.audience
        );
        """
    )


def _migrate_to_v7(conn: sqlite3.Connection) -> None:
    """Meaning vectors for hybrid search: one int8 blob per memory, gone with the memory.

    The table starts empty; the server fills it for existing memories in the background
    (``MemoryDatabase.backfill_embeddings``), so this step is instant on any file.
    """
    _run_script(
    conn,
        """
        CREATE TABLE IF NOT EXISTS memory_embeddings (
            memory_id INTEGER PRIMARY KEY REFERENCES memories(id) ON DELETE CASCADE,
            model TEXT NOT NULL,
            vector BLOB NOT NULL
        );
        """
    )


# (version reached, step, rebuilds a table: back the file up first)
MIGRATIONS: list[tuple[int, Callable[[sqlite3.Connection], None], bool]] = [
    (2, _migrate_to_v2, False),
    (3, _migrate_to_v3, False),
    (4, _migrate_to_v4, False),
    (5, _migrate_to_v5, True),
    (6, _migrate_to_v6, False),
    (7, _migrate_to_v7, False),
]
LATEST_VERSION = MIGRATIONS[-1][0]


def _table_names(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def read_schema_version(conn: sqlite3.Connection) -> int:
    """0 for an empty file, 1 for a predecessor file without `metadata`, else the stored version."""
    tables = _table_names(conn)
    if "metadata" in tables:
        row = conn.execute("SELECT value FROM metadata WHERE key = 'schema_version'").fetchone()
        if row is not None:
            return int(row[0])
    if "memories" in tables:
        return 1
    if tables:
        raise SchemaError("the file is an SQLite database but not a Vidurai one")
    return 0


def _has_memories(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT EXISTS (SELECT 1 FROM memories)").fetchone()[0] == 1


def migrate(conn: sqlite3.Connection, db_path: Path | None) -> int:
    """Bring the database to ``LATEST_VERSION``; return the version it had before.

    ``conn`` must be in autocommit mode (``isolation_level=None``) and not yet in WAL
    mode, so that a rollback leaves the file exactly as it was.
    """
    found = read_schema_version(conn)
    if found > LATEST_VERSION:
        raise SchemaTooNewError(
            f"{db_path or 'the database'} has schema version {found}, newer than this "
            f"Vidurai understands ({LATEST_VERSION}); upgrade Vidurai to use it. "
            "The file was not changed."
        )
    if found == LATEST_VERSION:
        return found
    pending = [step for step in MIGRATIONS if step[0] > max(found, 1)]
    if db_path is not None and found >= 1 and any(rebuilds for _, _, rebuilds in pending):
        if _has_memories(conn):
            backup_path = db_path.with_name(f"{db_path.name}.bak-v{found}")
            backup = sqlite3.connect(backup_path)
            try:
                conn.backup(backup)
            finally:
                backup.close()
    try:
        conn.execute("BEGIN IMMEDIATE")
        if found == 0:
            _run_script(conn, V1_SCHEMA)
        for version, step, _ in pending:
            step(conn)
        conn.execute(
            "INSERT INTO metadata (key, value) VALUES ('schema_version', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(LATEST_VERSION),),
        )
        conn.execute("COMMIT")
    except Exception as error:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise MigrationError(
            f"migrating {db_path or 'the database'} from schema v{found} to v{LATEST_VERSION} "
            f"failed and was rolled back, the file is unchanged: {error}"
        ) from error
    return found


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run statements one by one inside the open transaction.

    ``executescript`` would COMMIT the pending transaction first, which would make a failed
    migration leave a half-migrated file. Trigger bodies contain `;`, so statements are
    cut where SQLite says one is complete.
    """
    statement = ""
    for piece in script.split(";"):
        statement += piece + ";"
        if sqlite3.complete_statement(statement):
            if statement.strip(" \n;"):
                conn.execute(statement)
            statement = ""
