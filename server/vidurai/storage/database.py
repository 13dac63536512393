"""The memory and audience-gist store: one SQLite file shared by the server, the CLI and MCP.

Rules kept here: every connection has foreign keys on, WAL and a busy timeout; every write is
one short ``BEGIN IMMEDIATE`` transaction; times are UTC ``YYYY-MM-DD HH:MM:SS``; salience is
stored by name and ordered by rank. This module knows nothing of LSP or VS Code.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from vidurai.storage import embedding
from vidurai.storage.errors import (
    DatabaseOpenError,
    MemoryNotFoundError,
    NewerSchemaError,
    StoreError,
    StoreLocked,
)
from vidurai.storage.migrations import (
    DEFAULT_RETENTION_SQL,
    SchemaError,
    LATEST_VERSION,
    SchemaTooNewError,
    Upgrade,
    create_private_file,
    migrate,
    read_schema_version,
)
from vidurai.storage.search import (
    WordQuery,
    fold,
    fused_order,
    identifiers_in,
    reciprocal_rank_fusion,
)
from vidurai.storage.models import (
    BUILTIN_AUDIENCES,
    DETACHED_RETENTION_DAYS,
    SalienceLevel,
    from_db_time,
    iso_time,
    to_db_time,
    utc_now,
)
from vidurai.storage.records import (
    ARCHIVE_COLUMNS,
    ARCHIVE_TIMES,
    ArchiveRecord,
    FileAnchor,
    FileMark,
    HealthReport,
    ImportResult,
    GistVersion,
    LedgerEntry,
    Memory,
    SearchHit,
    Snippet,
    Statistics,
)

BUSY_TIMEOUT_MS = 10_000


def default_db_path() -> Path:
    """`$VIDURAI_HOME/memory.db` when set, else the platform's user data dir."""
    home = os.environ.get("VIDURAI_HOME")
    if home:
        return Path(home).expanduser() / "memory.db"
    return platform_data_folder() / "memory.db"


def platform_data_folder() -> Path:
    """Vidurai's own folder in the platform's user data dir (never a folder the user chose)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("vidurai", appauthor=False))


_WHERE_TO_POINT = " (the `vidurai.databasePath` setting, `--db` or VIDURAI_HOME)"


def _connect(path: Path | str) -> sqlite3.Connection:
    """Autocommit (every transaction is explicit), foreign keys on, a busy timeout."""
    conn = sqlite3.connect(
        str(path), isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL. SQLite does not wait for the lock this needs (waiting could deadlock
    two processes switching at once), so try again briefly; the winner's switch is enough."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(random.uniform(0.005, 0.03))


def _create_database(path: Path) -> None:
    """Make a new, fully migrated database at ``path`` atomically.

    It is built under a private name and linked into place, so no process ever sees a
    half-made file, and when several start at once the first link wins and the others
    simply open it.
    """
    building = path.with_name(f".{path.name}.new-{os.getpid()}-{threading.get_ident()}")
    create_private_file(building)
    try:
        conn = _connect(building)
        try:
            migrate(conn, None)
        finally:
            conn.close()
        try:
            os.link(building, path)
        except FileExistsError:
            pass  # another process made it first: open theirs
        except OSError:  # a file system without hard links
            if not path.exists():
                os.replace(building, path)
    finally:
        building.unlink(missing_ok=True)


def _is_read_only(path: Path) -> bool:
    """No write permission for us, or none for anybody (which root, who may write
    anyway, takes as the owner's wish)."""
    return not os.access(path, os.W_OK) or path.stat().st_mode & 0o222 == 0


def _check_location(path: Path) -> None:
    """Refuse, with what to do, every file or folder SQLite could not use safely; tighten
    the permissions of what is ours. Raises DatabaseOpenError; changes no file's bytes."""
    folder = path.parent
    try:
        if not folder.exists():
            missing = [folder, *(p for p in folder.parents if not p.exists())]
            for new_folder in reversed(missing):  # every folder we make is private
                new_folder.mkdir(mode=0o700, exist_ok=True)
        elif folder == platform_data_folder() and folder.stat().st_mode & 0o077:
            folder.chmod(0o700)  # our own data folder (older releases made it 0755)
    except OSError as error:
        raise DatabaseOpenError(
            f"cannot create the folder {folder} for the database {path}: "
            f"{error.strerror or error}. Choose another location{_WHERE_TO_POINT}."
        ) from None
    if path.is_dir():
        raise DatabaseOpenError(
            f"{path} is a folder, not a database file. Point Vidurai at a file{_WHERE_TO_POINT}."
        )
    if not folder.is_dir() or _is_read_only(folder):
        raise DatabaseOpenError(
            f"the folder of {path} is read-only; SQLite needs to write its journal beside the "
            f"database. Make {folder} writable, or choose another location{_WHERE_TO_POINT}."
        )
    if not path.exists():
        return
    if not path.is_file():
        raise DatabaseOpenError(f"{path} is not a regular file; it cannot be a database.")
    if _is_read_only(path):
        raise DatabaseOpenError(
            f"{path} is read-only; it was not changed. Make it writable (chmod u+w) or copy "
            f"it elsewhere and point Vidurai at the copy{_WHERE_TO_POINT}."
        )
    if path.stat().st_size == 0 and not _has_wal(
        path
    ):  # ours are never empty: see _create_database
        _refuse_damaged(path, "is empty (0 bytes), not a Vidurai database")
    _make_private(path)


def _refuse_damaged(path: Path, problem: str) -> None:
    raise DatabaseOpenError(
        f"{path} {problem}; it was not changed. Restore it from a backup (a `.bak-v<N>` "
        "file beside it), or move it aside to start a new database."
    )


def _has_wal(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return wal.exists() and wal.stat().st_size > 0


def _make_private(path: Path) -> None:
    """The database and its -wal/-shm readable by their owner only (POSIX; Windows keeps
    the ACLs of the user's profile folder)."""
    if not hasattr(os, "getuid"):
        return
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            status = file.stat()
            if status.st_uid == os.getuid() and status.st_mode & 0o077:
                file.chmod(status.st_mode & 0o700)
        except OSError:
            pass  # not there, or not ours to change


def normalize_project_path(project_path: str | os.PathLike[str]) -> str:
    return str(Path(project_path).expanduser().resolve())


# Read back by position in MemoryDatabase._memories: keep the two in the same order.
_MEMORY_COLUMNS = (
    "m.id, m.project_id, p.path AS project_path, m.verbatim, m.gist, m.event_type, m.file_path, "
    "m.line_number, m.end_line, m.anchor_text, m.detached, m.salience, m.tags, m.created_at, "
    "m.last_accessed, m.access_count, m.expires_at, m.retention_days, m.pinned, m.pinned_at, "
    "m.pin_reason, "
    "m.fingerprint, m.occurrence_count"
)
_FROM_MEMORIES = "FROM memories m JOIN projects p ON p.id = m.project_id"
# The file's edit count (metadata): one more for each write a user would see (see _write).
_EDITS_KEY = "edits"
_COUNT_EDIT = (
    "INSERT INTO metadata (key, value) VALUES (?, 1) "
    "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
)

# Newest-first within the same salience, most salient first: the order of hovers and recall.
_SALIENT_FIRST = "m.salience_rank DESC, m.created_at DESC, m.id DESC"

# Search looks at this many of the best ids from each ranking first, and more only when the
# filters (project, salience, file) leave too few.
SEARCH_CANDIDATES = 100
# A word that matches more memories than this is ranked by bm25 among its newest this-many
# matches only: scoring 50,000 matches costs ~30 ms, and for so common a word the newest
# matches are the useful ones (meaning search still covers the whole store).
WORD_RANKING_WINDOW = 1_000
EMBED_BATCH = 256
# Memories scored exactly for meaning, picked first by the cheap sign-bit distance.
MEANING_CANDIDATES = 300
# The weight in the fusion of memories that have only some of the query's words.
ANY_WORD_WEIGHT = 0.5


class MemoryDatabase:
    """The store. Thread-safe: a connection for writes and one for reads, each guarded by a
    lock (the server writes from worker threads while its event loop reads)."""

    def __init__(
        self,
        db_path: str | os.PathLike[str] | None = None,
        audiences: Iterable[str] | None = None,
    ):
        self.db_path = Path(db_path).expanduser() if db_path else default_db_path()
        self.audiences: tuple[str, ...] = tuple(audiences) if audiences else BUILTIN_AUDIENCES
        self._lock = threading.RLock()
        self._project_ids: dict[str, int] = {}
        # The sign bits of every meaning vector, loaded on first use; reloaded when another
        # process (the CLI, MCP) has written to the file since (PRAGMA data_version).
        self._vectors: embedding.VectorIndex | None = None
        self._vectors_version: int | None = None
        self._backfilled_below: int | None = None  # see backfill_embeddings
        # What changed_elsewhere last saw: the data version and the file's edit count; and
        # whether this store wrote since (its own writes leave the data version as it was).
        self._elsewhere_version: int | None = None
        self._elsewhere_edits: int | None = None
        self._own_edits_since_look = 0  # of the edit count's rises since, how many were ours
        self.upgrade: Upgrade | None = None  # what opening did to an older file
        self.conn = self._open()
        self._reader, self._read_lock = self._open_reader()

    # ------------------------------------------------------------------ connection

    def _open(self) -> sqlite3.Connection:
        in_memory = str(self.db_path) == ":memory:"
        try:
            if not in_memory:
                _check_location(self.db_path)
                if not self.db_path.exists():
                    _create_database(self.db_path)
            conn = _connect(self.db_path)
        except (OSError, sqlite3.Error) as error:
            raise DatabaseOpenError(
                f"cannot open {self.db_path}: {getattr(error, 'strerror', None) or error}. "
                f"Check the file and its folder, or choose another location{_WHERE_TO_POINT}."
            ) from error
        try:
            self.upgrade = migrate(conn, None if in_memory else self.db_path)
            _use_wal(conn)
            conn.execute("PRAGMA synchronous = NORMAL")
        except SchemaTooNewError as error:
            conn.close()
            raise NewerSchemaError(str(error)) from error
        except SchemaError as error:  # DatabaseOpenError included
            conn.close()
            raise DatabaseOpenError(str(error)) from error
        except sqlite3.DatabaseError as error:
            conn.close()
            raise DatabaseOpenError(
                f"{self.db_path} is not a usable Vidurai database ({error}); it was not "
                "changed. Move it aside (or restore it from a backup) and open again, or "
                f"point Vidurai at another file{_WHERE_TO_POINT}."
            ) from error
        return conn

    def _open_reader(self) -> tuple[sqlite3.Connection, threading.RLock]:
        """A second connection, for reads only, with its own lock. In WAL a reader never
        waits for a writer, so a read (a hover) never waits behind a write that is itself
        waiting for another process's write lock (a long `vidurai import`) while holding
        ``_lock``. Each read sees every transaction committed before it started, our own
        included. An in-memory database has one connection: reads share it."""
        if str(self.db_path) == ":memory:":
            return self.conn, self._lock
        reader = _connect(self.db_path)
        reader.execute("PRAGMA query_only = ON")
        return reader, threading.RLock()

    def trace(self, callback: Callable[[str], object] | None) -> None:
        """Pass every statement either connection runs to ``callback`` (None: stop)."""
        self.conn.set_trace_callback(callback)
        self._reader.set_trace_callback(callback)

    def close(self) -> None:
        with self._lock, self._read_lock:
            if self._reader is not self.conn:
                self._reader.close()
            self.conn.close()

    def __enter__(self) -> "MemoryDatabase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self, *, shown: bool = True) -> Iterator[sqlite3.Connection]:
        """One short write transaction; rolled back whole on any error. A write that changes
        what a user sees (a memory, its gists, its pin or its lines) adds one to the file's
        edit count, which other processes watch (``changed_elsewhere``); bookkeeping (use
        counts, meaning vectors, metadata, project rows) passes ``shown=False``."""
        with self._lock, _store_errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                if shown:
                    self.conn.execute(_COUNT_EDIT, (_EDITS_KEY,))
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")
            self._own_edits_since_look += shown

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The read connection, under its lock, with SQLite's errors as StoreError."""
        with self._read_lock, _store_errors():
            yield self._reader

    @contextmanager
    def _writer_connection(self) -> Iterator[sqlite3.Connection]:
        """The write connection outside a transaction, for what must see it as it is: the
        data version our own writes do not change, and a repair that writes."""
        with self._lock, _store_errors():
            yield self.conn

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._reading() as conn:
            return conn.execute(sql, params).fetchall()

    def schema_version(self) -> int:
        with self._reading() as conn:
            return read_schema_version(conn)

    def has_memories(self) -> bool:
        return bool(self._read("SELECT EXISTS (SELECT 1 FROM memories)")[0][0])

    # ------------------------------------------------------------------ audiences

    def validate_audience(self, audience: str) -> str:
        if audience not in self.audiences:
            raise ValueError(
                f"unknown audience {audience!r}; valid audiences: {', '.join(self.audiences)}"
            )
        return audience

    def set_audiences(self, audiences: Iterable[str]) -> None:
        """Replace the set of valid audience names (built-ins plus configured ones)."""
        self.audiences = tuple(dict.fromkeys([*BUILTIN_AUDIENCES, *audiences]))

    # ------------------------------------------------------------------ projects

    def get_or_create_project(self, project_path: str | os.PathLike[str]) -> int:
        cached = self._project_ids.get(str(project_path))
        if cached is not None:
            return cached
        path = normalize_project_path(project_path)
        cached = self._project_ids.get(path)
        if cached is not None:
            self._project_ids[str(project_path)] = cached
            return cached
        with self._write(shown=False) as conn:
            row = conn.execute("SELECT id FROM projects WHERE path = ?", (path,)).fetchone()
            if row is None:
                project_id = conn.execute(
                    "INSERT INTO projects (path, name, created_at, last_active) VALUES (?, ?, ?, ?)",
                    (path, Path(path).name or path, to_db_time(utc_now()), to_db_time(utc_now())),
                ).lastrowid
                assert project_id is not None  # an INSERT sets lastrowid
            else:
                project_id = row["id"]
        self._project_ids[path] = self._project_ids[str(project_path)] = project_id
        return project_id

    def _find_project(self, project_path: str | os.PathLike[str]) -> int | None:
        """The project's id, or None when nothing was ever stored for it (reads create nothing)."""
        cached = self._project_ids.get(str(project_path))
        if cached is not None:
            return cached
        path = normalize_project_path(project_path)
        rows = self._read("SELECT id FROM projects WHERE path = ?", (path,))
        if not rows:
            return None
        self._project_ids[path] = self._project_ids[str(project_path)] = rows[0]["id"]
        return rows[0]["id"]

    # ------------------------------------------------------------------ memories

    def store_memory(
        self,
        project_path: str | os.PathLike[str],
        verbatim: str,
        gist: str,
        salience: SalienceLevel | str,
        event_type: str,
        file_path: str | None = None,
        line_number: int | None = None,
        tags: Sequence[str] | None = None,
        retention_days: int | None = None,
        created_at: datetime | str | None = None,
        audience_gists: Mapping[str, str] | None = None,
        *,
        end_line: int | None = None,
        anchor_text: str | None = None,
        fingerprint: str | None = None,
        pinned: bool = False,
    ) -> int:
        """Store a memory, its full-text row and its audience gists in one transaction.

        The caller is responsible for redaction (capture does it); this layer stores what
        it is given. Lines are 1-based; ``end_line`` marks a multi-line memory.
        """
        level = SalienceLevel.parse(salience)
        if not gist or not gist.strip():
            raise ValueError("a memory needs a non-empty gist")
        if audience_gists:
            for audience in audience_gists:
                self.validate_audience(audience)
        created_moment = (
            from_db_time(created_at) if isinstance(created_at, str) else (created_at or utc_now())
        )
        created = to_db_time(created_moment)
        days = retention_days if retention_days is not None else level.retention_days
        expires = None if days is None else to_db_time(created_moment + timedelta(days=days))
        project_id = self.get_or_create_project(project_path)
        vector = self._embed([_embedded_text(gist, verbatim)])
        with self._write() as conn:
            memory_id = conn.execute(
                "INSERT INTO memories (project_id, verbatim, event_type, file_path, line_number, "
                "end_line, anchor_text, salience, gist, tags, created_at, expires_at, "
                "retention_days, fingerprint, pinned, pinned_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    project_id,
                    verbatim,
                    str(getattr(event_type, "value", event_type)),
                    _clean_file_path(file_path),
                    line_number,
                    end_line if end_line is not None and line_number is not None else line_number,
                    anchor_text,
                    level.name,
                    gist,
                    json.dumps(list(tags or [])),
                    created,
                    expires,
                    retention_days,
                    fingerprint,
                    int(pinned),
                    created if pinned else None,
                ),
            ).lastrowid
            assert memory_id is not None  # an INSERT sets lastrowid
            if audience_gists:
                self._upsert_gists(conn, memory_id, audience_gists)
            conn.execute("UPDATE projects SET last_active = ? WHERE id = ?", (created, project_id))
            if vector:
                self._save_vectors(conn, [(memory_id, project_id, vector[0])])
        return memory_id

    def get_memory_by_id(self, memory_id: int, audience: str | None = None) -> Memory | None:
        rows = self._read(f"SELECT {_MEMORY_COLUMNS} {_FROM_MEMORIES} WHERE m.id = ?", (memory_id,))
        if not rows:
            return None
        return self._memories(rows, audience)[0]

    def get_memories_by_ids(
        self, memory_ids: Iterable[int], audience: str | None = None
    ) -> list[Memory]:
        """Several memories in one query, most salient then newest first (the hover order);
        ids that no longer exist are left out."""
        ids = list(dict.fromkeys(memory_ids))
        if not ids:
            return []
        rows = self._read(
            f"SELECT {_MEMORY_COLUMNS} {_FROM_MEMORIES} WHERE m.id IN "
            f"(SELECT value FROM json_each(?)) ORDER BY {_SALIENT_FIRST}",
            (json.dumps(ids),),
        )
        return self._memories(rows, audience)

    def all_memories(self) -> list[Memory]:
        """Every memory of every project, by id (for exports)."""
        rows = self._read(f"SELECT {_MEMORY_COLUMNS} {_FROM_MEMORIES} ORDER BY m.id")
        return self._memories(rows)

    def delete_memory(self, memory_id: int, reason: str = "forgotten by the user") -> bool:
        """Delete a memory (its gists and history cascade); leave a ledger line. False if absent."""
        with self._write() as conn:
            row = conn.execute(
                "SELECT id, project_id, gist, salience FROM memories WHERE id = ?", (memory_id,)
            ).fetchone()
            if row is None:
                return False
            now = to_db_time(utc_now())
            self._write_ledger(conn, [row], reason, now)
            conn.execute("DELETE FROM memories WHERE id = ?", (memory_id,))
        return True

    def set_memory_pinned(self, memory_id: int, pinned: bool, reason: str | None = None) -> None:
        """Pin (with an optional reason) or unpin; unpinning drops the reason."""
        with self._write() as conn:
            updated = conn.execute(
                "UPDATE memories SET pinned = ?1, pinned_at = CASE WHEN ?1 THEN ?2 END, "
                "pin_reason = CASE WHEN ?1 THEN ?3 END WHERE id = ?4",
                (int(pinned), to_db_time(utc_now()), reason if pinned else None, memory_id),
            ).rowcount
        if not updated:
            raise MemoryNotFoundError(memory_id)

    def touch_memory(self, memory_id: int, now: datetime | None = None) -> None:
        """A use: counts it and restarts its life from now."""
        self.touch_memories([memory_id], now)

    def touch_memories(self, memory_ids: Iterable[int], now: datetime | None = None) -> None:
        ids = list(memory_ids)
        if not ids:
            return
        moment = to_db_time(now or utc_now())
        retention = (
            f"CASE WHEN detached = 1 THEN MIN(COALESCE(retention_days, {DEFAULT_RETENTION_SQL}), "
            f"{DETACHED_RETENTION_DAYS}) ELSE COALESCE(retention_days, {DEFAULT_RETENTION_SQL}) END"
        )
        with self._write(shown=False) as conn:
            conn.executemany(
                "UPDATE memories SET access_count = COALESCE(access_count, 0) + 1, "
                f"last_accessed = ?1, expires_at = CASE WHEN {retention} IS NULL THEN NULL "
                f"ELSE datetime(?1, '+' || {retention} || ' days') END WHERE id = ?2",
                [(moment, memory_id) for memory_id in ids],
            )

    def find_by_fingerprint(
        self, project_path: str | os.PathLike[str], fingerprint: str, since: datetime
    ) -> Memory | None:
        """The newest memory with this fingerprint last seen at or after ``since``."""
        project_id = self._find_project(project_path)
        if project_id is None:
            return None
        rows = self._read(
            f"SELECT {_MEMORY_COLUMNS} {_FROM_MEMORIES} WHERE m.project_id = ? AND "
            "m.fingerprint = ? AND COALESCE(m.last_accessed, m.created_at) >= ? "
            "ORDER BY m.created_at DESC LIMIT 1",
            (project_id, fingerprint, to_db_time(since)),
        )
        return self._memories(rows)[0] if rows else None

    def record_occurrence(self, memory_id: int, now: datetime | None = None) -> int:
        """A repeat of an existing memory: count it and treat it as a use. Returns the count."""
        with self._write() as conn:
            row = conn.execute(
                "UPDATE memories SET occurrence_count = occurrence_count + 1 WHERE id = ? "
                "RETURNING occurrence_count",
                (memory_id,),
            ).fetchone()
        if row is None:
            raise MemoryNotFoundError(memory_id)
        self.touch_memory(memory_id, now)
        return row[0]

    def update_memory(
        self,
        memory_id: int,
        *,
        gist: str | None = None,
        verbatim: str | None = None,
        salience: SalienceLevel | str | None = None,
        tags: Sequence[str] | None = None,
        audience_gists: Mapping[str, str] | None = None,
    ) -> None:
        """Change a memory's text or salience (and its gists) in one transaction."""
        assignments: list[str] = []
        params: list[Any] = []
        if gist is not None:
            if not gist.strip():
                raise ValueError("a memory needs a non-empty gist")
            assignments.append("gist = ?")
            params.append(gist)
        if verbatim is not None:
            assignments.append("verbatim = ?")
            params.append(verbatim)
        if salience is not None:
            assignments.append("salience = ?")
            params.append(SalienceLevel.parse(salience).name)
        if tags is not None:
            assignments.append("tags = ?")
            params.append(json.dumps(list(tags)))
        if audience_gists:
            for audience in audience_gists:
                self.validate_audience(audience)
        with self._write() as conn:
            if assignments:
                updated = conn.execute(
                    f"UPDATE memories SET {', '.join(assignments)} WHERE id = ?",
                    (*params, memory_id),
                ).rowcount
            else:
                updated = conn.execute(
                    "SELECT COUNT(*) FROM memories WHERE id = ?", (memory_id,)
                ).fetchone()[0]
            if not updated:
                raise MemoryNotFoundError(memory_id)
            if audience_gists:
                self._upsert_gists(conn, memory_id, audience_gists)
        if gist is not None or verbatim is not None:
            self._embed_memories([memory_id])

    # ------------------------------------------------------------------ meaning vectors

    @staticmethod
    def semantic_search_unavailable() -> str | None:
        """None when hybrid search works, else why not (the optional packages are missing)."""
        return embedding.unavailable_reason()

    @staticmethod
    def _embed(texts: Sequence[str]) -> list[bytes] | None:
        """int8 blobs for the texts, or None when no embedder is installed."""
        embedder = embedding.load_embedder()
        if embedder is None or not texts:
            return None
        return [embedding.to_blob(vector) for vector in embedder.embed(texts)]

    def _save_vectors(
        self, conn: sqlite3.Connection, vectors: Sequence[tuple[int, int, bytes]]
    ) -> None:
        """Write (memory id, project id, blob) rows inside the caller's transaction, and
        into the loaded index."""
        conn.executemany(
            "INSERT INTO memory_embeddings (memory_id, model, vector) VALUES (?, ?, ?) "
            "ON CONFLICT(memory_id) DO UPDATE SET model = excluded.model, vector = excluded.vector",
            [(memory_id, embedding.MODEL_NAME, blob) for memory_id, _, blob in vectors],
        )
        if self._vectors is not None:
            self._vectors.add(vectors)

    def _embed_memories(self, memory_ids: Sequence[int]) -> int:
        """(Re)compute and store the vectors of these memories; returns how many."""
        rows = self._read(
            "SELECT id, project_id, gist, verbatim FROM memories WHERE id IN "
            "(SELECT value FROM json_each(?))",
            (json.dumps(list(memory_ids)),),
        )
        blobs = self._embed([_embedded_text(row["gist"], row["verbatim"]) for row in rows])
        if not blobs:
            return 0
        with self._write(shown=False) as conn:
            # A memory deleted meanwhile has no row to hang a vector on: skip it.
            alive = {
                row[0]
                for row in conn.execute(
                    "SELECT id FROM memories WHERE id IN (SELECT value FROM json_each(?))",
                    (json.dumps([row["id"] for row in rows]),),
                )
            }
            self._save_vectors(
                conn,
                [
                    (row["id"], row["project_id"], blob)
                    for row, blob in zip(rows, blobs, strict=True)
                    if row["id"] in alive
                ],
            )
        return len(alive)

    def embedding_progress(self) -> tuple[int, int]:
        """(memories with a current vector, all memories)."""
        row = self._read(
            "SELECT (SELECT COUNT(*) FROM memory_embeddings WHERE model = ?), "
            "(SELECT COUNT(*) FROM memories)",
            (embedding.MODEL_NAME,),
        )[0]
        return row[0], row[1]

    def backfill_embeddings(self, batch_size: int = EMBED_BATCH) -> int:
        """Embed up to ``batch_size`` memories that have no current vector, newest first;
        returns how many were embedded (0 when none are left or no embedder is installed).

        Call it again until it returns 0: the state is in the file, so a backfill stopped
        halfway (the editor closed) goes on where it was at the next start.
        """
        if embedding.load_embedder() is None:
            return 0
        for below in (self._backfilled_below, None):  # on from the last batch, then from the top
            missing = self._read(
                "SELECT m.id FROM memories m LEFT JOIN memory_embeddings e ON e.memory_id = m.id "
                "WHERE (e.memory_id IS NULL OR e.model IS NOT ?) AND m.id < ? "
                "ORDER BY m.id DESC LIMIT ?",
                (embedding.MODEL_NAME, below if below is not None else 2**63 - 1, batch_size),
            )
            if missing:
                break
        if not missing:
            self._backfilled_below = None
            return 0
        # Where the next batch starts, so each batch does not walk again over every memory
        # this backfill has already embedded.
        self._backfilled_below = missing[-1][0]
        return self._embed_memories([row[0] for row in missing]) or len(missing)

    def vector_index(self) -> embedding.VectorIndex | None:
        """The sign-bit index of every vector, loaded on first use (the server warms it at
        start) and current with the file; None without an embedder."""
        if embedding.load_embedder() is None:
            return None
        with self._writer_connection() as conn:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if self._vectors is None or version != self._vectors_version:
                index = embedding.VectorIndex()
                rows = conn.execute(
                    "SELECT e.memory_id, m.project_id, e.vector FROM memory_embeddings e "
                    "JOIN memories m ON m.id = e.memory_id WHERE e.model = ?",
                    (embedding.MODEL_NAME,),
                )
                while chunk := rows.fetchmany(10_000):  # never all 25 MB of rows at once
                    index.extend(chunk)
                self._vectors, self._vectors_version = index, version
            return self._vectors

    # ------------------------------------------------------------------ anchors

    def memories_at(
        self,
        project_path: str | os.PathLike[str],
        file_path: str,
        line: int,
        audience: str | None = None,
    ) -> list[Memory]:
        """The hover lookup: attached memories whose lines cover ``line`` (1-based), most
        salient then newest first."""
        project_id = self._find_project(project_path)
        if project_id is None:
            return []
        rows = self._read(
            f"SELECT {_MEMORY_COLUMNS} {_FROM_MEMORIES} WHERE m.project_id = ? AND "
            "m.file_path = ? AND m.line_number <= ? AND COALESCE(m.end_line, m.line_number) >= ? "
            f"AND m.detached = 0 ORDER BY {_SALIENT_FIRST}",
            (project_id, _clean_file_path(file_path), line, line),
        )
        return self._memories(rows, audience)

    def changed_elsewhere(self) -> bool:
        """True when another process (the CLI, MCP, another editor window) has changed what
        a user sees since the last call: added, removed or edited a memory, or moved its
        lines. The first call only takes note. While nobody else writes it costs one PRAGMA;
        other processes' bookkeeping (hover counts, meaning vectors) leaves the file's edit
        count as it was (see ``_write``). An in-memory store has no other writer."""
        with self._writer_connection() as conn:
            version = conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._elsewhere_version:
                return False  # only our own writes since: they stay counted until it moves
            self._elsewhere_version = version
            ours, self._own_edits_since_look = self._own_edits_since_look, 0
            row = conn.execute("SELECT value FROM metadata WHERE key = ?", (_EDITS_KEY,)).fetchone()
            seen, self._elsewhere_edits = self._elsewhere_edits, int(row[0]) if row else 0
            return seen is not None and self._elsewhere_edits - seen > ours

    def file_marks(self, project_path: str | os.PathLike[str], file_path: str) -> list[FileMark]:
        """Where a file's memories are: id, line, end line, detached. Read from the hover
        index alone, with no table row: the gutter stays a few milliseconds at thousands of
        memories in one file."""
        rows = self._file_rows(project_path, file_path, "")
        return [
            FileMark(memory_id, line, end_line, detached == 1)
            for memory_id, line, end_line, detached in rows
        ]

    def file_anchors(
        self, project_path: str | os.PathLike[str], file_path: str
    ) -> list[FileAnchor]:
        """``file_marks`` with each memory's anchor text (its first line as last saved), to
        find the lines again in a file that changed while no editor followed it."""
        rows = self._file_rows(project_path, file_path, ", anchor_text")
        return [
            FileAnchor(memory_id, line, end_line, detached == 1, anchor_text)
            for memory_id, line, end_line, detached, anchor_text in rows
        ]

    def _file_rows(
        self, project_path: str | os.PathLike[str], file_path: str, extra_columns: str
    ) -> list[tuple[Any, ...]]:
        project_id = self._find_project(project_path)
        if project_id is None:
            return []
        with self._reading() as conn:
            cursor = conn.execute(
                f"SELECT id, line_number, end_line, detached{extra_columns} FROM memories "
                "WHERE project_id = ? AND file_path = ? AND line_number IS NOT NULL",
                (project_id, _clean_file_path(file_path)),
            )
            cursor.row_factory = None  # plain tuples: thousands of rows, read by position
            return cursor.fetchall()

    def update_anchors(
        self, anchors: Iterable[tuple[int, int | None, int | None, bool, str | None]]
    ) -> None:
        """Save moved anchors: (memory id, line, end line, detached, anchor text), one
        transaction. The anchor text is the first line as saved (redacted by the caller). A
        memory that becomes detached expires within ``DETACHED_RETENTION_DAYS``."""
        with self._write() as conn:
            conn.executemany(
                "UPDATE memories SET line_number = ?1, end_line = ?2, detached = ?3, anchor_text = ?4, "
                "expires_at = CASE WHEN ?3 = 1 AND detached = 0 AND expires_at IS NOT NULL "
                f"THEN MIN(expires_at, datetime(?6, '+{DETACHED_RETENTION_DAYS} days')) "
                "ELSE expires_at END WHERE id = ?5",
                [
                    (line, end, int(detached), anchor_text, memory_id, to_db_time(utc_now()))
                    for memory_id, line, end, detached, anchor_text in anchors
                ],
            )

    # ------------------------------------------------------------------ audience gists

    def store_audience_gists(
        self, memory_id: int, gists: Mapping[str, str], *, written_by_user: bool = False
    ) -> None:
        """Upsert gists for several audiences: all or none. A replaced gist goes to history.
        A gist the user wrote is never replaced by a regenerated one."""
        for audience, gist in gists.items():
            self.validate_audience(audience)
            if not isinstance(gist, str) or not gist.strip():
                raise ValueError(f"the {audience} gist must be non-empty text")
        with self._write() as conn:
            exists = conn.execute("SELECT 1 FROM memories WHERE id = ?", (memory_id,)).fetchone()
            if exists is None:
                raise MemoryNotFoundError(memory_id)
            self._upsert_gists(conn, memory_id, gists, written_by_user)

    @staticmethod
    def _upsert_gists(
        conn: sqlite3.Connection,
        memory_id: int,
        gists: Mapping[str, str],
        written_by_user: bool = False,
    ) -> None:
        now = to_db_time(utc_now())
        conn.executemany(
            "INSERT INTO audience_gists (memory_id, audience, gist, created_at, written_by_user) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(memory_id, audience) DO UPDATE SET "
            "gist = excluded.gist, created_at = excluded.created_at, "
            "written_by_user = excluded.written_by_user "
            "WHERE gist IS NOT excluded.gist OR written_by_user IS NOT excluded.written_by_user",
            [
                (memory_id, audience, gist, now, int(written_by_user))
                for audience, gist in gists.items()
            ],
        )

    # ------------------------------------------------------------------ regenerating gists

    def get_metadata(self, key: str) -> str | None:
        rows = self._read("SELECT value FROM metadata WHERE key = ?", (key,))
        return rows[0][0] if rows else None

    def set_metadata(self, key: str, value: str) -> None:
        with self._write(shown=False) as conn:
            conn.execute(
                "INSERT INTO metadata (key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def memories_after(self, memory_id: int, limit: int) -> list[Memory]:
        """Every project's memories with an id above ``memory_id``, by id: a page to walk."""
        rows = self._read(
            f"SELECT {_MEMORY_COLUMNS} {_FROM_MEMORIES} WHERE m.id > ? ORDER BY m.id LIMIT ?",
            (memory_id, limit),
        )
        return self._memories(rows)

    def replace_generated_gists(self, gists: Mapping[int, Mapping[str, str]]) -> int:
        """Store newly generated gists of many memories in one transaction, leaving every gist
        the user wrote as it is (the replaced text goes to history). Returns how many changed."""
        now = to_db_time(utc_now())
        with self._write() as conn:
            cursor = conn.executemany(
                "INSERT INTO audience_gists (memory_id, audience, gist, created_at) "
                "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS (SELECT 1 FROM memories WHERE id = ?1) "
                "ON CONFLICT(memory_id, audience) DO UPDATE SET gist = excluded.gist, "
                "created_at = excluded.created_at "
                "WHERE written_by_user = 0 AND gist IS NOT excluded.gist",
                [
                    (memory_id, audience, gist, now)
                    for memory_id, by_audience in gists.items()
                    for audience, gist in by_audience.items()
                ],
            )
            return cursor.rowcount

    def get_audience_gists(
        self, memory_id: int, audiences: Sequence[str] | None = None
    ) -> dict[str, str]:
        return self.get_audience_gists_bulk([memory_id], audiences).get(memory_id, {})

    def get_audience_gists_bulk(
        self, memory_ids: Iterable[int], audiences: Sequence[str] | None = None
    ) -> dict[int, dict[str, str]]:
        """Gists of many memories in one query: {memory_id: {audience: gist}}."""
        ids = list(dict.fromkeys(memory_ids))
        if not ids:
            return {}
        sql = (
            "SELECT memory_id, audience, gist FROM audience_gists WHERE memory_id IN "
            "(SELECT value FROM json_each(?))"
        )
        params: list[Any] = [json.dumps(ids)]
        if audiences:
            for audience in audiences:
                self.validate_audience(audience)
            sql += " AND audience IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(audiences)))
        result: dict[int, dict[str, str]] = {}
        for row in self._read(sql, params):
            result.setdefault(row[0], {})[row[1]] = row[2]
        return result

    def get_gist_history(self, memory_id: int, audience: str | None = None) -> list[GistVersion]:
        """Every replaced gist, oldest first, with when it was written and when it was replaced."""
        sql = "SELECT audience, gist, created_at, replaced_at FROM gist_history WHERE memory_id = ?"
        params: list[Any] = [memory_id]
        if audience is not None:
            self.validate_audience(audience)
            sql += " AND audience = ?"
            params.append(audience)
        return [
            GistVersion(
                row["audience"],
                row["gist"],
                _parse_time(row["created_at"]),
                from_db_time(row["replaced_at"]),
            )
            for row in self._read(sql + " ORDER BY id", params)
        ]

    # ------------------------------------------------------------------ recall and listing

    def recall_memories(
        self,
        project_path: str | os.PathLike[str],
        query: str | None = None,
        min_salience: SalienceLevel | str = SalienceLevel.MEDIUM,
        limit: int = 10,
        file_path: str | None = None,
        audience: str | None = None,
        *,
        hybrid: bool = True,
    ) -> list[Memory]:
        """The memories of ``search_memories``, without scores and snippets."""
        hits = self.search_memories(
            project_path, query, min_salience, limit, file_path, audience, hybrid=hybrid
        )
        return [hit.memory for hit in hits]

    def search_memories(
        self,
        project_path: str | os.PathLike[str],
        query: str | None = None,
        min_salience: SalienceLevel | str = SalienceLevel.MEDIUM,
        limit: int = 10,
        file_path: str | None = None,
        audience: str | None = None,
        *,
        hybrid: bool = True,
    ) -> list[SearchHit]:
        """Memories of a project: for a query, the best matches by words (bm25) and by
        meaning (vectors) fused, each with the matched ``snippet`` and a ``score`` (higher
        for a better match; comparable within one search); else most salient then most
        recent (no score, no snippet). ``hybrid=False`` ranks by words alone (it is also what
        happens when no embedder is installed)."""
        if audience is not None:
            self.validate_audience(audience)
        project_id = self._find_project(project_path)
        if project_id is None:
            return []
        min_rank = SalienceLevel.parse(min_salience).rank
        filters = "m.project_id = ? AND m.salience_rank >= ?"
        params: list[Any] = [project_id, min_rank]
        if file_path is not None:
            filters += " AND m.file_path = ?"
            params.append(_clean_file_path(file_path))
        if query is None or not query.strip():
            rows = self._read(
                f"SELECT {_MEMORY_COLUMNS} {_FROM_MEMORIES} WHERE {filters} "
                f"ORDER BY {_SALIENT_FIRST} LIMIT ?",
                (*params, limit),
            )
            return [SearchHit(memory) for memory in self._memories(rows, audience)]
        parsed = WordQuery.parse(query)
        if parsed is None:
            return []  # punctuation alone (":::") means nothing, in words or in meaning
        words = replace(parsed, common=self._common_words(parsed.meaningful))
        rankings: list[tuple[float, Any]] = [
            (1.0, lambda wanted: self._every_word_ranking(words, wanted)),
            # Any one of the words is weaker evidence than all of them.
            (ANY_WORD_WEIGHT, lambda wanted: self._any_word_ranking(words, wanted)),
        ]
        if hybrid:
            rankings.append((1.0, lambda wanted: self._meaning_ranking(query, project_id, wanted)))
        rows, scores = self._fused_search(rankings, filters, params, limit, identifiers_in(query))
        return [
            SearchHit(memory, scores[memory.id], _snippet(memory, words))
            for memory in self._memories(rows, audience)
        ]

    def related_memories(
        self,
        project_path: str | os.PathLike[str],
        text: str,
        min_salience: SalienceLevel | str = SalienceLevel.MEDIUM,
        limit: int = 10,
        audience: str | None = None,
    ) -> list[Memory]:
        """The project's memories closest in meaning to a text (an open file's content),
        nearest first; [] without an embedder."""
        if audience is not None:
            self.validate_audience(audience)
        project_id = self._find_project(project_path)
        if project_id is None or not text.strip():
            return []
        filters = "m.project_id = ? AND m.salience_rank >= ?"
        params: list[Any] = [project_id, SalienceLevel.parse(min_salience).rank]
        rows, _ = self._fused_search(
            [(1.0, lambda wanted: self._meaning_ranking(text, project_id, wanted))],
            filters,
            params,
            limit,
        )
        return self._memories(rows, audience)

    def _fused_search(
        self,
        rankings: Sequence[tuple[float, Any]],
        filters: str,
        params: Sequence[Any],
        limit: int,
        identifiers: Sequence[str] = (),
    ) -> tuple[list[Any], dict[int, float]]:
        """Fuse the best ids of (weight, ranking) pairs by reciprocal rank fusion, then apply
        the filters and order; asks the rankings for more ids while the filters leave fewer
        than ``limit``. Returns the rows, best first, and the fused score of each id."""
        wanted = max(SEARCH_CANDIDATES, limit)
        # Only what the order needs, for every candidate; whole rows for the page alone.
        texts = ", m.gist, m.verbatim" if identifiers else ""
        while True:
            ranked = [(weight, ranking(wanted)) for weight, ranking in rankings]
            scores = reciprocal_rank_fusion(ranked)
            # CROSS JOIN: look the few ids up by key; left to itself SQLite would walk the
            # project's index over every memory and test each against the list.
            candidates = self._read(
                f"SELECT m.id, m.created_at, m.salience_rank{texts} FROM json_each(?) AS fused "
                f"CROSS JOIN memories m ON m.id = fused.value WHERE {filters}",
                (json.dumps(list(scores)), *params),
            )
            if len(candidates) >= limit or all(len(ids) < wanted for _, ids in ranked):
                break
            wanted *= 4
        best = [row["id"] for row in fused_order(scores, candidates, identifiers)[:limit]]
        rows = {
            row["id"]: row
            for row in self._read(
                f"SELECT {_MEMORY_COLUMNS}, m.salience_rank FROM json_each(?) AS page "
                "CROSS JOIN memories m ON m.id = page.value JOIN projects p ON p.id = m.project_id",
                (json.dumps(best),),
            )
        }
        # a memory deleted between the two reads is left out
        return [rows[memory_id] for memory_id in best if memory_id in rows], scores

    def _common_words(self, words: Sequence[str]) -> frozenset[str]:
        """The (folded) words in more than half of the memories their newest
        WORD_RANKING_WINDOW matches span; a word with fewer matches is never common. Asking
        for a word's newest matches only costs a fraction of a millisecond even for a word in
        every memory, where counting all its matches would cost several."""
        common = set()
        for word in words:
            count, span = self._read(
                "SELECT COUNT(*), MAX(rowid) - MIN(rowid) + 1 FROM (SELECT rowid FROM memories_fts "
                "WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT ?)",
                (f'"{word}"', WORD_RANKING_WINDOW),
            )[0]
            if count == WORD_RANKING_WINDOW and 2 * count > span:
                common.add(fold(word))
        return frozenset(common)

    def _every_word_ranking(self, words: WordQuery, wanted: int) -> list[int]:
        """Up to ``wanted`` ids of memories with every word of the query, by bm25; when every
        meaningful word is common, newest first with those naming the words in the gist
        first (bm25 would give such words no weight, at the highest cost). The last word, if
        unfinished, is retried as a prefix when the whole words find too few and the other
        words are found together at all."""
        rank = self._gist_first_ids if words.all_common else self._bm25_ids
        ids = rank(words.every_word(), wanted)
        others = words.every_word_but_last()
        if words.partial and len(ids) < wanted and (others is None or self._newest_ids(others, 1)):
            ids += self._newest_ids(words.every_word(prefix=True), wanted - len(ids), ids)
        return ids

    def _any_word_ranking(self, words: WordQuery, wanted: int) -> list[int]:
        """Up to ``wanted`` ids by bm25 of memories with any meaningful word that is not
        common; an unfinished last word is retried as a prefix if that finds too few."""
        match = words.any_word()
        if match is None:
            return []
        ids = self._bm25_ids(match, wanted)
        with_prefix = words.any_word(prefix=True)
        if len(ids) < wanted and with_prefix is not None and with_prefix != match:
            ids += self._newest_ids(with_prefix, wanted - len(ids), ids)
        return ids

    def _bm25_ids(self, match: str, wanted: int) -> list[int]:
        """The best ids for an FTS5 query by bm25 (the gist weighs most; equal scores oldest
        first, as FTS5 finds them), picked inside FTS (no join), among its newest
        WORD_RANKING_WINDOW matches only: one pass that scores only those."""
        return self._ids(
            "SELECT rowid FROM (SELECT rowid, bm25(memories_fts, 4.0, 1.0, 2.0) AS score "
            "FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT ?) "
            "ORDER BY score, rowid LIMIT ?",
            (match, WORD_RANKING_WINDOW, wanted),
        )

    def _gist_first_ids(self, match: str, wanted: int) -> list[int]:
        """The newest ids for an FTS5 query, those matching it in the gist first."""
        ids = self._newest_ids(f"{{gist}} : ({match})", wanted)
        return ids + self._newest_ids(match, wanted - len(ids), ids) if len(ids) < wanted else ids

    def _newest_ids(self, match: str, count: int, found: Sequence[int] = ()) -> list[int]:
        """Up to ``count`` ids for an FTS5 query, newest first, leaving out those ``found``
        already. How prefix queries are ranked too: FTS5 gathers every match of every
        completion of a prefix before it can answer, and bm25 would go over them all again."""
        seen = set(found)
        newest = self._ids(
            "SELECT rowid FROM memories_fts WHERE memories_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (match, count + len(seen)),
        )
        return [memory_id for memory_id in newest if memory_id not in seen][:count]

    def _ids(self, sql: str, params: Sequence[Any]) -> list[int]:
        return [row[0] for row in self._read(sql, params)]

    def _meaning_ranking(self, text: str, project_id: int, wanted: int) -> list[int]:
        """Up to ``wanted`` ids of the project nearest in meaning to the text, close enough
        to be related at all; [] without an embedder."""
        index = self.vector_index()
        if index is None:
            return []
        embedder = embedding.load_embedder()
        assert embedder is not None
        query = embedder.embed([text])[0]
        candidates = index.candidates(query, max(MEANING_CANDIDATES, wanted), project_id)
        vectors = self._read(
            "SELECT memory_id, vector FROM memory_embeddings WHERE memory_id IN "
            "(SELECT value FROM json_each(?))",
            (json.dumps(candidates),),
        )
        return [
            memory_id
            for memory_id, similarity in embedding.rerank(query, vectors, wanted)
            if similarity >= embedding.MIN_RELATED_SIMILARITY
        ]

    def list_memories(
        self,
        project_path: str | os.PathLike[str],
        *,
        file_path: str | None = None,
        without_file: bool = False,
        salience: SalienceLevel | str | None = None,
        pinned: bool | None = None,
        since: datetime | None = None,
        order: str = "salience",
        audience: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Memory]:
        """A page of memories for the tree and reports.

        ``order``: "salience" (most salient, then newest), "recent" (newest first) or
        "line" (by position in the file).
        """
        if audience is not None:
            self.validate_audience(audience)
        project_id = self._find_project(project_path)
        if project_id is None:
            return []
        where, params = self._list_filters(
            project_id, file_path, without_file, salience, pinned, since
        )
        order_sql = {
            "salience": _SALIENT_FIRST,
            "recent": "m.created_at DESC, m.id DESC",
            "line": "m.line_number, m.id",
            "pinned": "m.pinned_at DESC, m.id DESC",
        }[order]
        rows = self._read(
            f"SELECT {_MEMORY_COLUMNS} {_FROM_MEMORIES} WHERE {where} ORDER BY {order_sql} "
            "LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return self._memories(rows, audience)

    def count_memories(
        self,
        project_path: str | os.PathLike[str],
        *,
        file_path: str | None = None,
        without_file: bool = False,
        salience: SalienceLevel | str | None = None,
        pinned: bool | None = None,
        since: datetime | None = None,
    ) -> int:
        project_id = self._find_project(project_path)
        if project_id is None:
            return 0
        where, params = self._list_filters(
            project_id, file_path, without_file, salience, pinned, since
        )
        return self._read(f"SELECT COUNT(*) FROM memories m WHERE {where}", params)[0][0]

    @staticmethod
    def _list_filters(
        project_id: int,
        file_path: str | None,
        without_file: bool,
        salience: SalienceLevel | str | None,
        pinned: bool | None,
        since: datetime | None,
    ) -> tuple[str, list[Any]]:
        clauses = ["m.project_id = ?"]
        params: list[Any] = [project_id]
        if file_path is not None:
            clauses.append("m.file_path = ?")
            params.append(_clean_file_path(file_path))
        if without_file:
            clauses.append("m.file_path IS NULL")
        if salience is not None:
            clauses.append("m.salience_rank = ?")
            params.append(SalienceLevel.parse(salience).rank)
        if pinned is not None:
            clauses.append("m.pinned = ?")
            params.append(int(pinned))
        if since is not None:
            clauses.append("m.created_at >= ?")
            params.append(to_db_time(since))
        return " AND ".join(clauses), params

    def count_by_file(self, project_path: str | os.PathLike[str]) -> list[tuple[str | None, int]]:
        """(file path or None, memory count) for every file with memories, by path."""
        project_id = self._find_project(project_path)
        if project_id is None:
            return []
        rows = self._read(
            "SELECT file_path, COUNT(*) FROM memories WHERE project_id = ? "
            "GROUP BY file_path ORDER BY file_path IS NULL, file_path",
            (project_id,),
        )
        return [(row[0], row[1]) for row in rows]

    def get_statistics(self, project_path: str | os.PathLike[str] | None = None) -> Statistics:
        """Counts for one project (or all): total, by salience, by event type, pinned, files."""
        where, params = "1 = 1", []
        if project_path is not None:
            project_id = self._find_project(project_path)
            where, params = "project_id = ?", [project_id if project_id is not None else -1]
        by_salience = {level.name: 0 for level in SalienceLevel}
        for row in self._read(
            f"SELECT salience, COUNT(*) FROM memories WHERE {where} GROUP BY salience", params
        ):
            by_salience[row[0]] = row[1]
        by_event = {
            row[0]: row[1]
            for row in self._read(
                f"SELECT event_type, COUNT(*) FROM memories WHERE {where} "
                "GROUP BY event_type ORDER BY COUNT(*) DESC",
                params,
            )
        }
        totals = self._read(
            f"SELECT COUNT(*), COALESCE(SUM(pinned), 0), COUNT(DISTINCT file_path), "
            f"MIN(created_at), MAX(created_at) FROM memories WHERE {where}",
            params,
        )[0]
        return Statistics(
            total=totals[0],
            pinned=totals[1],
            files=totals[2],
            oldest=_parse_time(totals[3]),
            newest=_parse_time(totals[4]),
            by_salience=by_salience,
            by_event_type=by_event,
        )

    # ------------------------------------------------------------------ forgetting

    def forget_expired(
        self, now: datetime | None = None, dry_run: bool = False
    ) -> list[LedgerEntry]:
        """Delete expired, unpinned memories; one ledger line each. Returns the ledger lines.

        With ``dry_run`` nothing is deleted or written: the lines say what would be forgotten.
        """
        moment = to_db_time(now or utc_now())
        with self._write() as conn:
            rows = conn.execute(
                "SELECT id, project_id, gist, salience, last_accessed, created_at, retention_days, "
                "detached FROM memories WHERE expires_at IS NOT NULL AND pinned = 0 AND expires_at <= ? "
                "ORDER BY expires_at",
                (moment,),
            ).fetchall()
            if dry_run:
                return [_ledger_entry(row, _expiry_reason(row), moment) for row in rows]
            entries = []
            for row in rows:
                entries += self._write_ledger(conn, [row], _expiry_reason(row), moment)
            conn.executemany("DELETE FROM memories WHERE id = ?", [(row["id"],) for row in rows])
        return entries

    @staticmethod
    def _write_ledger(
        conn: sqlite3.Connection, rows: Sequence[sqlite3.Row], reason: str, moment: str
    ) -> list[LedgerEntry]:
        entries = [_ledger_entry(row, reason, moment) for row in rows]
        conn.executemany(
            "INSERT INTO forgetting_ledger (memory_id, project_id, gist, salience, reason, "
            "forgotten_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(e.memory_id, e.project_id, e.gist, e.salience, e.reason, moment) for e in entries],
        )
        return entries

    def get_forgetting_ledger(
        self, project_path: str | os.PathLike[str] | None = None, limit: int = 100
    ) -> list[LedgerEntry]:
        """What was forgotten, newest first."""
        sql = "SELECT memory_id, project_id, gist, salience, reason, forgotten_at FROM forgetting_ledger"
        params: list[Any] = []
        if project_path is not None:
            sql += " WHERE project_id = ?"
            params.append(self._find_project(project_path) or -1)
        sql += " ORDER BY forgotten_at DESC, id DESC LIMIT ?"
        params.append(limit)
        return [
            LedgerEntry(
                row["memory_id"],
                row["project_id"],
                row["gist"],
                row["salience"],
                row["reason"],
                from_db_time(row["forgotten_at"]),
            )
            for row in self._read(sql, params)
        ]

    # ------------------------------------------------------------------ export, import, health
    # (the archive format itself is described in records.ARCHIVE_COLUMNS)

    def export_records(self, project_path: str | os.PathLike[str] | None) -> list[dict[str, Any]]:
        """Every memory of a project (or of all) with its gists and gist history, oldest id
        first, as JSON-ready archive records (ISO-8601 UTC times).

        Read in one transaction, so a server writing meanwhile cannot tear the snapshot.
        """
        with self._reading() as conn:
            conn.execute("BEGIN")
            try:
                memories = (
                    self.list_memories(
                        project_path, order="recent", limit=self.count_memories(project_path)
                    )
                    if project_path is not None
                    else self.all_memories()
                )
                gists: dict[int, dict[str, dict[str, Any]]] = {}
                for row in conn.execute(
                    "SELECT memory_id, audience, gist, created_at, written_by_user "
                    "FROM audience_gists ORDER BY memory_id, id"
                ):
                    gists.setdefault(row["memory_id"], {})[row["audience"]] = {
                        "gist": row["gist"],
                        "created_at": _iso(row["created_at"]),
                        "written_by_user": bool(row["written_by_user"]),
                    }
                history: dict[int, list[dict[str, Any]]] = {}
                for row in conn.execute(
                    "SELECT memory_id, audience, gist, created_at, replaced_at FROM gist_history "
                    "ORDER BY id"
                ):
                    history.setdefault(row["memory_id"], []).append(
                        {
                            "audience": row["audience"],
                            "gist": row["gist"],
                            "created_at": _iso(row["created_at"]),
                            "replaced_at": _iso(row["replaced_at"]),
                        }
                    )
            finally:
                conn.execute("COMMIT")
        records = []
        for memory in sorted(memories, key=lambda memory: memory.id):
            record: dict[str, Any] = {"id": memory.id, "project_path": memory.project_path}
            for column in ARCHIVE_COLUMNS:
                value = getattr(memory, column)
                record[column] = (
                    iso_time(value)
                    if column in ARCHIVE_TIMES
                    else list(value)
                    if column == "tags"
                    else value
                )
            record["audience_gists"] = gists.get(memory.id, {})
            record["gist_history"] = history.get(memory.id, [])
            records.append(record)
        return records

    def stored_audiences(self) -> list[str]:
        """Every audience some memory has a gist for (configured ones included)."""
        return [row[0] for row in self._read("SELECT DISTINCT audience FROM audience_gists")]

    def import_records(self, records: Iterable[ArchiveRecord]) -> ImportResult:
        """Store archive records exactly (times, pin, counts, gists, history) in ONE
        transaction: an error raised while ``records`` is read (a bad line) rolls the whole
        import back. A record already in the store (same project, creation time, gist and
        verbatim) is skipped, so importing a file twice does not double it. New ids are
        assigned. Texts must be redacted and audiences checked by the caller."""
        result = ImportResult(0, 0)
        project_ids: dict[str, int] = {}
        with self._write() as conn:
            last_existing_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM memories").fetchone()[
                0
            ]
            for record in records:
                path = normalize_project_path(record.project_path)
                if path not in project_ids:
                    project_ids[path] = self._import_project(conn, path)
                project_id = project_ids[path]
                memory = record.memory
                created = to_db_time(memory.created_at)
                duplicate = conn.execute(
                    "SELECT 1 FROM memories WHERE project_id = ? AND created_at = ? AND gist = ? "
                    "AND verbatim = ? AND id <= ?",
                    (project_id, created, memory.gist, memory.verbatim, last_existing_id),
                ).fetchone()
                if duplicate:
                    result.skipped += 1
                    continue
                values = [getattr(memory, column) for column in ARCHIVE_COLUMNS]
                values = [
                    _db_time(value)
                    if isinstance(value, datetime)
                    else json.dumps(list(value))
                    if isinstance(value, tuple)
                    else int(value)
                    if isinstance(value, bool)
                    else value
                    for value in values
                ]
                memory_id = conn.execute(
                    f"INSERT INTO memories (project_id, {', '.join(ARCHIVE_COLUMNS)}) "
                    f"VALUES (?, {', '.join('?' * len(ARCHIVE_COLUMNS))})",
                    (project_id, *values),
                ).lastrowid
                conn.executemany(
                    "INSERT INTO audience_gists (memory_id, audience, gist, created_at, "
                    "written_by_user) VALUES (?, ?, ?, ?, ?)",
                    [
                        (
                            memory_id,
                            audience,
                            gist.gist,
                            _db_time(gist.created_at),
                            int(gist.written_by_user),
                        )
                        for audience, gist in record.audience_gists.items()
                    ],
                )
                conn.executemany(
                    "INSERT INTO gist_history (memory_id, audience, gist, created_at, replaced_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        (
                            memory_id,
                            old.audience,
                            old.gist,
                            _db_time(old.created_at),
                            to_db_time(old.replaced_at),
                        )
                        for old in record.gist_history
                    ],
                )
                result.imported += 1
        return result

    @staticmethod
    def _import_project(conn: sqlite3.Connection, path: str) -> int:
        row = conn.execute("SELECT id FROM projects WHERE path = ?", (path,)).fetchone()
        if row is not None:
            return row[0]
        now = to_db_time(utc_now())
        project_id = conn.execute(
            "INSERT INTO projects (path, name, created_at, last_active) VALUES (?, ?, ?, ?)",
            (path, Path(path).name or path, now, now),
        ).lastrowid
        assert project_id is not None
        return project_id

    def check_health(self, repair: bool = False) -> HealthReport:
        """Integrity, the full-text index (rebuilt when ``repair`` and out of step), the
        schema version and counts."""
        with self._writer_connection() as conn:
            integrity = tuple(row[0] for row in conn.execute("PRAGMA integrity_check"))
            fts_problem = _fts_problem(conn)
            rebuilt = False
            if fts_problem is not None and repair:
                conn.execute("INSERT INTO memories_fts(memories_fts) VALUES('rebuild')")
                fts_problem, rebuilt = _fts_problem(conn), True
            counts = {
                name: conn.execute(sql).fetchone()[0]
                for name, sql in (
                    ("projects", "SELECT COUNT(*) FROM projects"),
                    ("memories", "SELECT COUNT(*) FROM memories"),
                    ("pinned", "SELECT COUNT(*) FROM memories WHERE pinned = 1"),
                    ("audience_gists", "SELECT COUNT(*) FROM audience_gists"),
                    (
                        "memories_missing_gists",
                        f"SELECT COUNT(*) FROM memories WHERE (SELECT COUNT(*) FROM audience_gists g "
                        f"WHERE g.memory_id = memories.id) < {len(self.audiences)}",
                    ),
                    ("gist_history", "SELECT COUNT(*) FROM gist_history"),
                    ("ledger", "SELECT COUNT(*) FROM forgetting_ledger"),
                )
            }
            version = read_schema_version(conn)
        size = self.db_path.stat().st_size if self.db_path.exists() else 0
        return HealthReport(version, LATEST_VERSION, integrity, fts_problem, rebuilt, counts, size)

    @property
    def location(self) -> str:
        """Where the store is, as a person would look for it: the database file."""
        return str(self.db_path)

    # ------------------------------------------------------------------ rows

    def _memories(self, rows: Sequence[Any], audience: str | None = None) -> list[Memory]:
        """Rows of ``_MEMORY_COLUMNS`` as records, with the asked-for audience's gist."""
        gists = (
            self.get_audience_gists_bulk([row[0] for row in rows], [audience])
            if audience is not None and rows
            else {}
        )
        memories = []
        for row in rows:
            # By position, in _MEMORY_COLUMNS' order: a Row looks a name up column by column.
            (
                memory_id,
                _,
                project_path,
                verbatim,
                gist,
                event_type,
                file_path,
                line_number,
                end_line,
                anchor_text,
                detached,
                salience,
                tags,
                created_at,
                last_accessed,
                access_count,
                expires_at,
                retention_days,
                pinned,
                pinned_at,
                pin_reason,
                fingerprint,
                occurrence_count,
                *_,
            ) = row
            memories.append(
                Memory(
                    memory_id,
                    project_path,
                    verbatim,
                    gist,
                    event_type,
                    file_path,
                    line_number,
                    end_line,
                    anchor_text,
                    bool(detached),
                    salience,
                    tuple(_load_tags(tags)),
                    from_db_time(created_at),
                    _parse_time(last_accessed),
                    access_count or 0,
                    _parse_time(expires_at),
                    retention_days,
                    bool(pinned),
                    _parse_time(pinned_at),
                    pin_reason,
                    fingerprint,
                    occurrence_count or 1,
                    gists.get(memory_id, {}).get(audience, gist) if audience else None,
                )
            )
        return memories


@contextmanager
def _store_errors() -> Iterator[None]:
    """SQLite's exceptions as the store's own: callers never see ``sqlite3``."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if "locked" in str(error) or "busy" in str(error):
            raise StoreLocked(
                f"the database is busy: another process is writing ({error})"
            ) from error
        raise StoreError(str(error)) from error
    except sqlite3.Error as error:
        raise StoreError(str(error)) from error


def _parse_time(stored: str | None) -> datetime | None:
    return from_db_time(stored) if stored else None


def _db_time(moment: datetime | None) -> str | None:
    return to_db_time(moment) if moment is not None else None


def _iso(stored: str | None) -> str | None:
    return iso_time(from_db_time(stored)) if stored else None


def _fts_problem(conn: sqlite3.Connection) -> str | None:
    """None when the full-text index matches `memories` row for row, else SQLite's complaint.

    rank = 1 makes FTS5 compare the index with the external content table itself.
    """
    try:
        conn.execute("INSERT INTO memories_fts(memories_fts, rank) VALUES('integrity-check', 1)")
    except sqlite3.DatabaseError as error:
        return str(error)
    return None


def _snippet(memory: Memory, words: WordQuery) -> Snippet | None:
    """The memory's matched words (gist, verbatim, tags), None when it was found by meaning
    alone; made from the row already read."""
    return words.snippet((memory.gist, memory.verbatim, ", ".join(memory.tags)))


def _ledger_entry(row: sqlite3.Row, reason: str, moment: str) -> LedgerEntry:
    return LedgerEntry(
        row["id"], row["project_id"], row["gist"], row["salience"], reason, from_db_time(moment)
    )


def _expiry_reason(row: sqlite3.Row) -> str:
    """e.g. "MEDIUM, not used for 30 days (last used 2026-10-01)"."""
    level = SalienceLevel.parse(row["salience"])
    days = row["retention_days"] if row["retention_days"] is not None else level.retention_days
    last = "used" if row["last_accessed"] else "made"
    when = (row["last_accessed"] or row["created_at"])[:10]
    if row["detached"]:
        return f"{level.name}, its lines were deleted (last {last} {when})"
    return f"{level.name}, not used for {days} day{'s' if days != 1 else ''} (last {last} {when})"


def _clean_file_path(file_path: str | None) -> str | None:
    """Stored file paths are relative to the project and use `/`."""
    if file_path is None:
        return None
    path = file_path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def _load_tags(raw: str | None) -> list[str]:
    if not raw:
        return []
    try:
        tags = json.loads(raw)
    except ValueError:
        return [tag.strip() for tag in raw.split(",") if tag.strip()]
    return [str(tag) for tag in tags] if isinstance(tags, list) else [str(tags)]


def _embedded_text(gist: str, verbatim: str) -> str:
    """What a memory's meaning vector is computed from."""
    return f"{gist}\n{verbatim}"
