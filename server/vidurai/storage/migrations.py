"""Versioned, atomic schema migrations that trust what a file holds, not only its number.

Every layout that has existed is brought to ``LATEST_VERSION``:

* v1, the predecessor's Phase 1 file: `projects`, `memories`, `memories_fts`, no `metadata`;
* v2, the seed's Phase 5.1 (`metadata`, `audience_gists`);
* the predecessor's PyPI `vidurai` 2.x file: stamped 4, but its own columns (`pinned`,
  `pin_reason`, `pinned_at`, `occurrence_count`), `active_state`, a standalone FTS table and
  pin details kept as a `pin_metadata:{...}` tag;
* ours, v3 and later, including a 2.x file that an earlier release stamped 5 after running
  only its v5 step.

A step runs when the stored number is below it OR its structure is missing, and every step
adds only what is missing, so a file stamped with the wrong number is repaired from what it
holds. A new database is made the same way: the v1 baseline, then every step.

Reading the layout and migrating happen in ONE ``BEGIN IMMEDIATE`` transaction, so when
several processes open an old file at once one migrates and the others find it finished. If
any step fails the transaction is rolled back and the file is what it was. A file whose
number is newer than ``LATEST_VERSION`` (or not a number) is refused before anything is
written.

Adding a step: write ``_migrate_to_vN(conn)`` so that it adds only what is missing (``IF NOT
EXISTS``, ``_add_missing_columns``), give it a ``present(layout)`` check that is true once
its structure exists, and append ``Step(N, ...)`` to ``STEPS``. Nothing else changes.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

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
        """,
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


_SALIENCE_RANK_SQL = (
    "CASE salience "
    + " ".join(f"WHEN '{level.name}' THEN {level.rank}" for level in SalienceLevel)
    + " ELSE 0 END"
)

# A salience name's default retention in days, NULL for "never forgotten".
DEFAULT_RETENTION_SQL = (
    "CASE salience "
    + " ".join(
        f"WHEN '{level.name}' THEN {level.retention_days}"
        for level in SalienceLevel
        if level.retention_days is not None
    )
    + " END"
)


_V3_COLUMNS = {
    "pinned": "INTEGER NOT NULL DEFAULT 0",
    "pinned_at": "TIMESTAMP",
    "end_line": "INTEGER",
    "anchor_text": "TEXT",
    "detached": "INTEGER NOT NULL DEFAULT 0",
    "fingerprint": "TEXT",
    "occurrence_count": "INTEGER NOT NULL DEFAULT 1",
    "retention_days": "INTEGER",
    "salience_rank": f"INTEGER GENERATED ALWAYS AS ({_SALIENCE_RANK_SQL}) VIRTUAL",
}


def _migrate_to_v3(conn: sqlite3.Connection) -> None:
    """Pinning, anchors, repeats, retention, and indexes for the hot paths.

    The predecessor's 2.x file already has ``pinned``, ``pinned_at`` and
    ``occurrence_count`` (nullable there): only missing columns are added, NULLs filled.
    """
    conn.create_function("vidurai_utc", 1, _normalize_time, deterministic=True)
    _add_missing_columns(conn, "memories", _V3_COLUMNS)
    _run_script(
        conn,
        f"""
        UPDATE memories SET pinned = COALESCE(pinned, 0), detached = COALESCE(detached, 0),
            occurrence_count = COALESCE(occurrence_count, 1)
            WHERE pinned IS NULL OR detached IS NULL OR occurrence_count IS NULL;
        UPDATE memories SET salience = upper(trim(salience))
            WHERE salience IS NOT upper(trim(salience));
        UPDATE memories SET
            created_at = COALESCE(vidurai_utc(created_at), strftime('%Y-%m-%d %H:%M:%S', 'now')),
            last_accessed = vidurai_utc(last_accessed),
            expires_at = vidurai_utc(expires_at),
            pinned_at = vidurai_utc(pinned_at);
        UPDATE projects SET created_at = vidurai_utc(created_at),
                            last_active = vidurai_utc(last_active);
        -- An upgrade forgets nothing: an upgraded memory's life starts now (or later, if
        -- the old file gave it longer). Counting from its last use would forget most of a
        -- year-old file at the first start.
        UPDATE memories SET expires_at = CASE
            WHEN {DEFAULT_RETENTION_SQL} IS NULL THEN NULL
            ELSE max(COALESCE(expires_at, ''),
                     datetime('now', '+' || ({DEFAULT_RETENTION_SQL}) || ' days'))
        END;

        -- v1's single-column indexes are covered by the composite ones below; each costs
        -- every write. The 2.x file's idx_memories_pinned has another shape than ours.
        DROP INDEX IF EXISTS idx_memories_project;
        DROP INDEX IF EXISTS idx_memories_salience;
        DROP INDEX IF EXISTS idx_memories_created;
        DROP INDEX IF EXISTS idx_memories_file;
        DROP INDEX IF EXISTS idx_memories_pinned;
        -- The hover lookup reads only this index until it finds the lines that cover the
        -- cursor: end_line and detached are in it so non-matching rows cost no table read.
        CREATE INDEX IF NOT EXISTS idx_memories_hover
            ON memories(project_id, file_path, line_number, end_line, detached);
        CREATE INDEX IF NOT EXISTS idx_memories_rank
            ON memories(project_id, salience_rank, created_at);
        CREATE INDEX IF NOT EXISTS idx_memories_recent ON memories(project_id, created_at);
        CREATE INDEX IF NOT EXISTS idx_memories_fingerprint
            ON memories(project_id, fingerprint, created_at);
        CREATE INDEX IF NOT EXISTS idx_memories_expiry ON memories(expires_at)
            WHERE expires_at IS NOT NULL AND pinned = 0;
        CREATE INDEX idx_memories_pinned ON memories(project_id, pinned_at) WHERE pinned = 1;
        """,
    )


def _migrate_to_v4(conn: sqlite3.Connection) -> None:
    """Gist history (a replaced gist is kept) and the forgetting ledger."""
    _run_script(
        conn,
        """
        CREATE TABLE IF NOT EXISTS gist_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            memory_id INTEGER NOT NULL REFERENCES memories(id) ON DELETE CASCADE,
            audience TEXT NOT NULL,
            gist TEXT NOT NULL,
            created_at TIMESTAMP,
            replaced_at TIMESTAMP NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_gist_history_memory ON gist_history(memory_id, audience);

        -- ON CONFLICT DO UPDATE fires UPDATE triggers, so every upsert path keeps history.
        CREATE TRIGGER IF NOT EXISTS audience_gists_keep_history
        AFTER UPDATE OF gist ON audience_gists
        WHEN old.gist IS NOT new.gist
        BEGIN
            INSERT INTO gist_history (memory_id, audience, gist, created_at, replaced_at)
            VALUES (old.memory_id, old.audience, old.gist, old.created_at,
                    strftime('%Y-%m-%d %H:%M:%S', 'now'));
        END;

        CREATE TABLE IF NOT EXISTS forgetting_ledger (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            memory_id INTEGER NOT NULL,
            project_id INTEGER,
            gist TEXT NOT NULL,
            salience TEXT NOT NULL,
            reason TEXT NOT NULL,
            forgotten_at TIMESTAMP NOT NULL
        );
        CREATE INDEX IF NOT EXISTS idx_forgetting_ledger_time ON forgetting_ledger(forgotten_at);
        """,
    )


_FTS_TRIGGERS = ("memories_fts_insert", "memories_fts_delete", "memories_fts_update")


def _migrate_to_v5(conn: sqlite3.Connection) -> None:
    """Full-text search as an external-content FTS5 table kept in step by triggers.

    v1's (and 2.x's) standalone table duplicated the text and went stale when a memory was
    updated or deleted. Rebuilding from `memories` fixes both; the triggers fire only when
    indexed columns change.
    """
    _run_script(
        conn,
        """
        DROP TRIGGER IF EXISTS memories_fts_insert;
        DROP TRIGGER IF EXISTS memories_fts_delete;
        DROP TRIGGER IF EXISTS memories_fts_update;
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
        """,
    )


def _migrate_to_v6(conn: sqlite3.Connection) -> None:
    """Say which audience gists the user wrote, so regenerated gists never replace them.

    Before this step only a user's rewrite replaced a stored gist (and left history), so a
    gist with history is the user's.
    """
    _add_missing_columns(conn, "audience_gists", {"written_by_user": "INTEGER NOT NULL DEFAULT 0"})
    conn.execute(
        """
        UPDATE audience_gists SET written_by_user = 1 WHERE EXISTS (
            SELECT 1 FROM gist_history h
            WHERE h.memory_id = audience_gists.memory_id AND h.audience = audience_gists.audience
        )
        """
    )


_PIN_TAG = "pin_metadata:"


def _migrate_to_v7(conn: sqlite3.Connection) -> None:
    """A pin keeps its reason. The 2.x file wrote a pin's time and reason into a
    ``pin_metadata:{...}`` tag: they move to their columns and the tag goes."""
    _add_missing_columns(conn, "memories", {"pin_reason": "TEXT"})
    rows = conn.execute(
        "SELECT id, tags, pinned_at, pin_reason FROM memories WHERE tags LIKE ?",
        (f"%{_PIN_TAG}%",),
    ).fetchall()
    for memory_id, raw_tags, pinned_at, pin_reason in rows:
        try:
            tags = json.loads(raw_tags)
        except ValueError:
            continue
        if not isinstance(tags, list):
            continue
        kept = []
        for tag in tags:
            if isinstance(tag, str) and tag.startswith(_PIN_TAG):
                try:
                    details = json.loads(tag[len(_PIN_TAG) :])
                except ValueError:
                    details = {}
                if isinstance(details, dict):
                    pinned_at = pinned_at or _normalize_time(details.get("pinned_at"))
                    pin_reason = pin_reason or details.get("pin_reason")
            else:
                kept.append(tag)
        conn.execute(
            "UPDATE memories SET tags = ?, pinned_at = ?, pin_reason = ? WHERE id = ?",
            (json.dumps(kept), pinned_at, pin_reason, memory_id),
        )


def _migrate_to_v8(conn: sqlite3.Connection) -> None:
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
        """,
    )


# ---------------------------------------------------------------------- layouts


@dataclass(frozen=True)
class Layout:
    """What a file holds: its tables, triggers and columns, and the number it claims."""

    tables: dict[str, str]  # name -> CREATE statement
    triggers: frozenset[str]
    indexes: frozenset[str]
    columns: dict[str, frozenset[str]] = field(default_factory=dict)
    stored_version: int = 0  # 0: a new (empty) file

    def has_columns(self, table: str, names: Iterable[str]) -> bool:
        return set(names) <= self.columns.get(table, frozenset())

    def describe(self) -> str:
        """What kind of file this is, in words for messages and `doctor`."""
        if not self.tables:
            return "a new, empty database"
        if "metadata" not in self.tables:
            return "the predecessor's Phase 1 file (v1)"
        if "active_state" in self.tables and "gist_history" not in self.tables:
            if self.stored_version == 4:
                return "the predecessor vidurai 2.x file (schema_version 4)"
            return (
                f"the predecessor vidurai 2.x file, stamped v{self.stored_version} by an "
                "unfinished upgrade"
            )
        if self.stored_version == 2 and not self.has_columns("memories", ["end_line"]):
            return "the seed's Phase 5.1 file (v2)"
        return f"a Vidurai for VS Code database (v{self.stored_version})"


@dataclass(frozen=True)
class Step:
    version: int
    apply: Callable[[sqlite3.Connection], None]
    present: Callable[[Layout], bool]  # its structure exists
    rebuilds: bool = False  # rebuilds a table: back the file up first


def _fts_is_external(layout: Layout) -> bool:
    sql = " ".join(layout.tables.get("memories_fts", "").lower().replace('"', "'").split())
    return "content='memories'" in sql and set(_FTS_TRIGGERS) <= layout.triggers


STEPS: list[Step] = [
    Step(2, _migrate_to_v2, lambda f: {"metadata", "audience_gists"} <= f.tables.keys()),
    Step(
        3,
        _migrate_to_v3,
        lambda f: f.has_columns("memories", _V3_COLUMNS) and "idx_memories_hover" in f.indexes,
    ),
    Step(
        4,
        _migrate_to_v4,
        lambda f: (
            {"gist_history", "forgetting_ledger"} <= f.tables.keys()
            and "audience_gists_keep_history" in f.triggers
        ),
    ),
    Step(5, _migrate_to_v5, _fts_is_external, rebuilds=True),
    Step(6, _migrate_to_v6, lambda f: f.has_columns("audience_gists", ["written_by_user"])),
    Step(7, _migrate_to_v7, lambda f: f.has_columns("memories", ["pin_reason"])),
    Step(8, _migrate_to_v8, lambda f: "memory_embeddings" in f.tables),
]
LATEST_VERSION = STEPS[-1].version

# A file is a Vidurai one when it has these (every layout above has them).
_REQUIRED = {
    "projects": {"id", "path", "name"},
    "memories": {"id", "project_id", "verbatim", "gist", "salience", "event_type", "created_at"},
}


def inspect(conn: sqlite3.Connection, db_path: Path | None = None) -> Layout:
    """Read the layout; SchemaError when it is not a Vidurai file or its number is not one."""
    where = db_path or "the database"
    objects = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    tables = {name: sql or "" for kind, name, sql in objects if kind == "table"}
    triggers = frozenset(name for kind, name, _ in objects if kind == "trigger")
    indexes = frozenset(name for kind, name, _ in objects if kind == "index")
    if not tables:
        return Layout({}, triggers, indexes)
    stored = 1
    if "metadata" in tables:
        row = conn.execute("SELECT value FROM metadata WHERE key = 'schema_version'").fetchone()
        if row is not None:
            try:
                stored = int(str(row[0]).strip())
            except ValueError:
                raise SchemaError(
                    f"{where} claims schema_version {str(row[0])[:40]!r}, which is not a "
                    "number; it was not changed. Restore it from a backup (a "
                    "`.bak-v<N>` file beside it) or move it aside to start a new database."
                ) from None
    if stored > LATEST_VERSION:  # a newer Vidurai may have any layout: refuse it as newer
        return Layout(tables, triggers, indexes, {}, stored)
    columns = {
        table: frozenset(row[1] for row in conn.execute(f"PRAGMA table_xinfo('{table}')"))
        for table in ("projects", "memories", "audience_gists")
        if table in tables
    }
    missing = [t for t, needed in _REQUIRED.items() if not needed <= columns.get(t, frozenset())]
    if missing:
        shown = ", ".join(sorted(tables)[:8])
        raise SchemaError(
            f"{where} is an SQLite database but not a Vidurai one (its tables: {shown}); "
            "it was not changed. Point Vidurai at another file (the `vidurai.databasePath` "
            "setting, `--db` or VIDURAI_HOME)."
        )
    return Layout(tables, triggers, indexes, columns, stored)


def read_schema_version(conn: sqlite3.Connection) -> int:
    """0 for an empty file, 1 for a predecessor file without `metadata`, else the stored version."""
    return inspect(conn).stored_version


def pending_steps(layout: Layout) -> list[Step]:
    """The steps to run: those above the stored number and those whose structure is missing."""
    return [s for s in STEPS if layout.stored_version < s.version or not s.present(layout)]


def _refuse_newer(layout: Layout, db_path: Path | None) -> None:
    if layout.stored_version > LATEST_VERSION:
        raise SchemaTooNewError(
            f"{db_path or 'the database'} has schema version {layout.stored_version}, newer "
            f"than this Vidurai understands ({LATEST_VERSION}); upgrade Vidurai to use it. "
            "The file was not changed."
        )


@dataclass(frozen=True)
class Upgrade:
    """What opening a file did to it (`doctor` shows it)."""

    found: str  # Layout.describe() before
    from_version: int
    backup: Path | None


def migrate(conn: sqlite3.Connection, db_path: Path | None) -> Upgrade | None:
    """Bring the database to ``LATEST_VERSION``; None when it already was.

    ``conn`` must be in autocommit mode (``isolation_level=None``). The layout is read again
    inside the write transaction, so a process that lost the race to another sees the
    finished schema and does nothing.
    """
    while True:
        layout = inspect(conn, db_path)
        _refuse_newer(layout, db_path)
        steps = pending_steps(layout)
        if not steps:
            return None
        snapshot = None
        if db_path is not None and layout.tables and any(s.rebuilds for s in steps):
            snapshot = _snapshot(conn, db_path)
        backup = None
        try:
            conn.execute("BEGIN IMMEDIATE")
            if inspect(conn, db_path) != layout:  # another process got there first: look again
                conn.execute("ROLLBACK")
                continue
            if snapshot is not None and db_path is not None:
                backup = _keep_backup(snapshot, db_path, layout.stored_version)
            if not layout.tables:
                _run_script(conn, V1_SCHEMA)
            for step in steps:
                step.apply(conn)
            conn.execute(
                "INSERT INTO metadata (key, value) VALUES ('schema_version', ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (str(LATEST_VERSION),),
            )
            conn.execute("COMMIT")
        except Exception as error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if backup is not None:
                backup.unlink(missing_ok=True)  # the file is as it was: no pointless copy
            raise MigrationError(
                f"migrating {db_path or 'the database'} ({layout.describe()}) to "
                f"v{LATEST_VERSION} failed and was rolled back, the file is unchanged: {error}"
            ) from error
        finally:
            if snapshot is not None:
                snapshot.unlink(missing_ok=True)
        return Upgrade(layout.describe(), layout.stored_version, backup)


def _snapshot(conn: sqlite3.Connection, db_path: Path) -> Path:
    """A private copy of the file as it is, made before the write lock is taken (SQLite
    cannot copy a database from inside the connection's own write transaction)."""
    temporary = db_path.with_name(f"{db_path.name}.bak-{os.getpid()}-{id(conn)}.tmp")
    create_private_file(temporary)
    target = sqlite3.connect(temporary)
    try:
        conn.backup(target)
    finally:
        target.close()
    return temporary


def _keep_backup(snapshot: Path, db_path: Path, version: int) -> Path | None:
    """Keep the snapshot as ``<db>.bak-v<N>``; an older backup of that version is kept instead."""
    backup = db_path.with_name(f"{db_path.name}.bak-v{version}")
    try:
        os.link(snapshot, backup)
    except FileExistsError:
        return None
    return backup


def create_private_file(path: Path) -> None:
    """An empty file only its owner can read (SQLite gives -wal/-shm/-journal its mode)."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _add_missing_columns(conn: sqlite3.Connection, table: str, columns: dict[str, str]) -> None:
    present = {row[1] for row in conn.execute(f"PRAGMA table_xinfo('{table}')")}
    for name, definition in columns.items():
        if name not in present:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")


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
