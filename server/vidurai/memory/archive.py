"""Memories out of and into a store: the JSONL archive, and the predecessor's file.

An export carries every column a user would miss (times, pin and its reason, counts, anchors)
with the audience gists and gist history; an import restores it exactly. The predecessor's
``~/.vidurai/memory.db`` is imported the same way, from a migrated private copy, so the old
file is never touched.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from vidurai.gists.audiences import AudienceRegistry, UnknownAudienceError
from vidurai.memory.redact import redact
from vidurai.storage import (
    DatabaseOpenError,
    MemoryDatabase,
    SalienceLevel,
    normalize_project_path,
)
from vidurai.storage.models import from_db_time, to_db_time, utc_now


def iso_time(stored: str | None) -> str | None:
    """A stored UTC time (``YYYY-MM-DD HH:MM:SS``) as ISO-8601 ``YYYY-MM-DDTHH:MM:SSZ``."""
    if stored is None:
        return None
    return from_db_time(stored).strftime("%Y-%m-%dT%H:%M:%SZ")


def stored_time(iso: str | None) -> str | None:
    """The inverse of ``iso_time``; accepts any ISO-8601 time (naive means UTC)."""
    if iso is None:
        return None
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return to_db_time(moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc))


# The memory columns an export carries and an import restores, in the store's own names.
# Times are ISO-8601 UTC in the file; `tags` is a list; `pinned` and `detached` are booleans.
ARCHIVE_COLUMNS = (
    "verbatim", "gist", "event_type", "file_path", "line_number", "end_line", "anchor_text",
    "detached", "salience", "tags", "created_at", "last_accessed", "access_count", "expires_at",
    "retention_days", "pinned", "pinned_at", "pin_reason", "fingerprint", "occurrence_count",
)
ARCHIVE_TIMES = ("created_at", "last_accessed", "expires_at", "pinned_at")


def export_records(db: MemoryDatabase, project: Path | None) -> list[dict[str, Any]]:
    """Every memory of a project (or of all) with its gists and gist history, oldest id first.

    Read in one transaction, so a server writing meanwhile cannot tear the snapshot.
    """
    conn = db.conn
    conn.execute("BEGIN")
    try:
        memories = (
            db.list_memories(project, order="recent", limit=db.count_memories(project))
            if project else db.all_memories()
        )
        gists: dict[int, dict[str, dict[str, Any]]] = {}
        for row in conn.execute(
            "SELECT memory_id, audience, gist, created_at, written_by_user FROM audience_gists "
            "ORDER BY memory_id, id"
        ):
            gists.setdefault(row["memory_id"], {})[row["audience"]] = {
                "gist": row["gist"], "created_at": iso_time(row["created_at"]),
                "written_by_user": bool(row["written_by_user"]),
            }
        history: dict[int, list[dict[str, Any]]] = {}
        for row in conn.execute(
            "SELECT memory_id, audience, gist, created_at, replaced_at FROM gist_history ORDER BY id"
        ):
            history.setdefault(row["memory_id"], []).append({
                "audience": row["audience"], "gist": row["gist"],
                "created_at": iso_time(row["created_at"]), "replaced_at": iso_time(row["replaced_at"]),
            })
    finally:
        conn.execute("COMMIT")
    records = []
    for memory in sorted(memories, key=lambda memory: memory["id"]):
        record = {"id": memory["id"], "project_path": memory["project_path"]}
        record.update({column: memory[column] for column in ARCHIVE_COLUMNS})
        record.update({column: iso_time(memory[column]) for column in ARCHIVE_TIMES})
        record["audience_gists"] = gists.get(memory["id"], {})
        record["gist_history"] = history.get(memory["id"], [])
        records.append(record)
    return records


@dataclass
class ImportResult:
    imported: int
    skipped: int


def import_records(
    db: MemoryDatabase, lines: Iterable[str], audiences: Sequence[str] = ()
) -> ImportResult:
    """Restore exported memories (times, pin, counts, gists, gist history), every text
    redacted on the way in like any other path into the store.

    A gist's audience must be a built-in one, one already in the store, or one of
    ``audiences`` (configured in the editor); any other is an error, not a new row.
    One transaction: a bad line rolls the whole import back. A memory already in the store
    (same project, creation time, gist and verbatim) is skipped, so importing the same file
    twice does not double it. New ids are assigned; the export's ids are not kept.
    """
    conn = db.conn
    result = ImportResult(0, 0)
    project_ids: dict[str, int] = {}
    conn.execute("BEGIN IMMEDIATE")
    try:
        stored = [row[0] for row in conn.execute("SELECT DISTINCT audience FROM audience_gists")]
        try:
            registry = AudienceRegistry(extra=[*db.audiences, *stored, *audiences])
        except ValueError as error:
            raise ValueError(f"{error}; nothing was imported") from None
        last_existing_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM memories").fetchone()[0]
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                record = _parse_record(line, registry)
            except UnknownAudienceError as error:
                raise ValueError(
                    f"line {number}: {error} (a configured one is accepted with --audience "
                    f"{error.name}); nothing was imported"
                ) from None
            except (ValueError, KeyError, TypeError) as error:
                raise ValueError(f"line {number}: {error}; nothing was imported") from None
            path = record["project_path"]
            if path not in project_ids:
                project_ids[path] = _import_project(conn, path)
            project_id = project_ids[path]
            duplicate = conn.execute(
                "SELECT 1 FROM memories WHERE project_id = ? AND created_at = ? AND gist = ? "
                "AND verbatim = ? AND id <= ?",
                (project_id, record["created_at"], record["gist"], record["verbatim"],
                 last_existing_id),
            ).fetchone()
            if duplicate:
                result.skipped += 1
                continue
            memory_id = conn.execute(
                f"INSERT INTO memories (project_id, {', '.join(ARCHIVE_COLUMNS)}) "
                f"VALUES (?, {', '.join('?' * len(ARCHIVE_COLUMNS))})",
                (project_id, *(record[column] for column in ARCHIVE_COLUMNS)),
            ).lastrowid
            conn.executemany(
                "INSERT INTO audience_gists (memory_id, audience, gist, created_at, written_by_user) "
                "VALUES (?, ?, ?, ?, ?)",
                [(memory_id, audience, gist["gist"], gist["created_at"], int(gist["written_by_user"]))
                 for audience, gist in record["audience_gists"].items()],
            )
            conn.executemany(
                "INSERT INTO gist_history (memory_id, audience, gist, created_at, replaced_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(memory_id, h["audience"], h["gist"], h["created_at"], h["replaced_at"])
                 for h in record["gist_history"]],
            )
            result.imported += 1
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return result


def _import_project(conn: sqlite3.Connection, path: str) -> int:
    path = normalize_project_path(path)
    row = conn.execute("SELECT id FROM projects WHERE path = ?", (path,)).fetchone()
    if row is not None:
        return row[0]
    now = to_db_time(utc_now())
    project_id = conn.execute(
        "INSERT INTO projects (path, name, created_at, last_active) VALUES (?, ?, ?, ?)",
        (path, Path(path).name or path, now, now),
    ).lastrowid
    assert project_id is not None  # an INSERT sets lastrowid
    return project_id


def _parse_record(line: str, audiences: AudienceRegistry) -> dict[str, Any]:
    """One export line as values ready for the store (texts redacted, audiences checked);
    ValueError says what is wrong."""
    raw = json.loads(line)
    if not isinstance(raw, dict):
        raise ValueError("expected a JSON object")
    for required in ("project_path", "verbatim", "gist", "event_type", "salience", "created_at"):
        if not isinstance(raw.get(required), str) or not raw[required]:
            raise ValueError(f"{required!r} must be a non-empty string")
    if not Path(raw["project_path"]).is_absolute():
        raise ValueError("'project_path' must be an absolute path")
    record = {column: raw.get(column) for column in ARCHIVE_COLUMNS}
    record["project_path"] = raw["project_path"]
    for column in ("verbatim", "gist", "anchor_text"):
        text = record[column]
        if isinstance(text, str):
            record[column] = redact(text)
    record["salience"] = SalienceLevel.parse(raw["salience"]).name
    for column in ARCHIVE_TIMES:
        record[column] = stored_time(record[column])
    for flag in ("detached", "pinned"):
        record[flag] = int(bool(record[flag]))
    record["tags"] = json.dumps([redact(str(tag)) for tag in (record["tags"] or [])])
    record["access_count"] = int(record["access_count"] or 0)
    record["occurrence_count"] = int(record["occurrence_count"] or 1)
    gists = raw.get("audience_gists") or {}
    record["audience_gists"] = {
        audiences.validate(audience): {"gist": redact(_text(value["gist"], f"the {audience} gist")),
                                       "created_at": stored_time(value.get("created_at")),
                                       "written_by_user": value.get("written_by_user") is True}
        for audience, value in gists.items()
    }
    record["gist_history"] = [
        {"audience": audiences.validate(item["audience"]),
         "gist": redact(_text(item["gist"], "a history gist")),
         "created_at": stored_time(item.get("created_at")),
         "replaced_at": stored_time(_text(item["replaced_at"], "'replaced_at'"))}
        for item in raw.get("gist_history") or []
    ]
    return record


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{name} must be non-empty text")
    return value




# ---------------------------------------------------------------------- the predecessor's file

# metadata key: how the user answered the offer to import the predecessor's file
LEGACY_ANSWER_KEY = "legacy_import"


def legacy_path() -> Path:
    """Where the predecessor (PyPI `vidurai` 2.x and its Phase 1) kept every memory."""
    return Path.home() / ".vidurai" / "memory.db"


def legacy_candidate(db: MemoryDatabase, path: Path | None = None,
                     once: bool = False) -> Path | None:
    """The predecessor's file when it is worth offering: this store has no memories yet and
    the file exists and is another file. With ``once``, not after the user has answered."""
    path = path or legacy_path()
    if not path.is_file() or db.has_memories():
        return None
    if once and db.get_metadata(LEGACY_ANSWER_KEY) is not None:
        return None
    try:
        if path.samefile(db.db_path):
            return None
    except OSError:
        pass
    return path


def import_legacy(db: MemoryDatabase, path: Path | None = None) -> ImportResult:
    """Import every memory of the predecessor's file (any layout) into ``db``.

    The file (and its WAL) is copied to a private folder and the copy is migrated, so the
    original is not changed in any way; importing again skips what is already there.
    """
    path = path or legacy_path()
    if not path.is_file():
        raise ValueError(f"{path} does not exist or is not a file; nothing was imported")
    with tempfile.TemporaryDirectory(prefix="vidurai-import-") as folder:
        copy = Path(folder) / "memory.db"
        for suffix in ("", "-wal"):  # committed pages may still be in the WAL
            source = path.with_name(path.name + suffix)
            if source.is_file():
                shutil.copyfile(source, copy.with_name(copy.name + suffix))
        try:
            with MemoryDatabase(copy) as old:
                records = export_records(old, None)
        except DatabaseOpenError as error:  # it names the copy: name the user's file
            raise DatabaseOpenError(str(error).replace(str(copy), str(path))) from None
    audiences = {name for record in records for name in record["audience_gists"]}
    audiences |= {item["audience"] for record in records for item in record["gist_history"]}
    result = import_records(db, (json.dumps(record) for record in records), sorted(audiences))
    db.set_metadata(LEGACY_ANSWER_KEY, f"imported {to_db_time(utc_now())} from {path}")
    return result


def decline_legacy(db: MemoryDatabase) -> None:
    """The user said Not now: the editor does not ask again (`vidurai import-legacy` still works)."""
    db.set_metadata(LEGACY_ANSWER_KEY, f"declined {to_db_time(utc_now())}")
