"""Memories out of and into a store: the JSONL archive, and the predecessor's file.

An export carries every column a user would miss (times, pin and its reason, counts, anchors)
with the audience gists and gist history; an import restores it exactly. The predecessor's
``~/.vidurai/memory.db`` is imported the same way, from a migrated private copy, so the old
file is never touched.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from vidurai.gists.audiences import AudienceRegistry, UnknownAudienceError
from vidurai.memory.redact import redact
from vidurai.storage import (
    ArchivedGist,
    ArchiveRecord,
    DatabaseOpenError,
    GistVersion,
    ImportResult,
    Memory,
    MemoryStore,
    SalienceLevel,
    open_store,
)
from vidurai.storage.models import to_db_time, utc_now
from vidurai.storage.records import ARCHIVE_COLUMNS, ARCHIVE_TIMES


def _parse_time(iso: str) -> datetime:
    """Any ISO-8601 time (naive means UTC) as an aware datetime."""
    moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _optional_time(iso: str | None) -> datetime | None:
    return None if iso is None else _parse_time(iso)


def import_records(
    db: MemoryStore, lines: Iterable[str], audiences: Sequence[str] = ()
) -> ImportResult:
    """Restore exported memories (times, pin, counts, gists, gist history), every text
    redacted on the way in like any other path into the store.

    A gist's audience must be a built-in one, one already in the store, or one of
    ``audiences`` (configured in the editor); any other is an error, not a new row.
    One transaction: a bad line rolls the whole import back. A memory already in the store
    (same project, creation time, gist and verbatim) is skipped, so importing the same file
    twice does not double it. New ids are assigned; the export's ids are not kept.
    """
    try:
        registry = AudienceRegistry(extra=[*db.audiences, *db.stored_audiences(), *audiences])
    except ValueError as error:
        raise ValueError(f"{error}; nothing was imported") from None
    return db.import_records(_parse_lines(lines, registry))


def _parse_lines(lines: Iterable[str], registry: AudienceRegistry) -> Iterator[ArchiveRecord]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield _parse_record(line, registry)
        except UnknownAudienceError as error:
            raise ValueError(
                f"line {number}: {error} (a configured one is accepted with --audience "
                f"{error.name}); nothing was imported"
            ) from None
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"line {number}: {error}; nothing was imported") from None


def _parse_record(line: str, audiences: AudienceRegistry) -> ArchiveRecord:
    """One export line as a record ready for the store (texts redacted, audiences checked);
    ValueError says what is wrong."""
    raw = json.loads(line)
    if not isinstance(raw, dict):
        raise ValueError("expected a JSON object")
    for required in ("project_path", "verbatim", "gist", "event_type", "salience", "created_at"):
        if not isinstance(raw.get(required), str) or not raw[required]:
            raise ValueError(f"{required!r} must be a non-empty string")
    if not Path(raw["project_path"]).is_absolute():
        raise ValueError("'project_path' must be an absolute path")
    fields: dict[str, Any] = {column: raw.get(column) for column in ARCHIVE_COLUMNS}
    for column in ("verbatim", "gist", "anchor_text"):
        text = fields[column]
        if isinstance(text, str):
            fields[column] = redact(text)
    fields["salience"] = SalienceLevel.parse(raw["salience"]).name
    for column in ARCHIVE_TIMES:
        fields[column] = _optional_time(fields[column])
    for flag in ("detached", "pinned"):
        fields[flag] = bool(fields[flag])
    fields["tags"] = tuple(redact(str(tag)) for tag in (fields["tags"] or []))
    fields["access_count"] = int(fields["access_count"] or 0)
    fields["occurrence_count"] = int(fields["occurrence_count"] or 1)
    gists = raw.get("audience_gists") or {}
    return ArchiveRecord(
        memory=Memory(id=0, project_path=raw["project_path"], **fields),
        audience_gists={
            audiences.validate(audience): ArchivedGist(
                redact(_text(value["gist"], f"the {audience} gist")),
                _optional_time(value.get("created_at")),
                value.get("written_by_user") is True,
            )
            for audience, value in gists.items()
        },
        gist_history=tuple(
            GistVersion(
                audiences.validate(item["audience"]),
                redact(_text(item["gist"], "a history gist")),
                _optional_time(item.get("created_at")),
                _parse_time(_text(item["replaced_at"], "'replaced_at'")),
            )
            for item in raw.get("gist_history") or []
        ),
    )


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


def legacy_candidate(db: MemoryStore, path: Path | None = None, once: bool = False) -> Path | None:
    """The predecessor's file when it is worth offering: this store has no memories yet and
    the file exists and is another file. With ``once``, not after the user has answered."""
    path = path or legacy_path()
    if not path.is_file() or db.has_memories():
        return None
    if once and db.get_metadata(LEGACY_ANSWER_KEY) is not None:
        return None
    try:
        if path.samefile(db.location):
            return None
    except OSError:
        pass
    return path


def import_legacy(db: MemoryStore, path: Path | None = None) -> ImportResult:
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
            old = open_store(str(copy))
            try:
                records = old.export_records(None)
            finally:
                old.close()
        except DatabaseOpenError as error:  # it names the copy: name the user's file
            raise DatabaseOpenError(str(error).replace(str(copy), str(path))) from None
    audiences = {name for record in records for name in record["audience_gists"]}
    audiences |= {item["audience"] for record in records for item in record["gist_history"]}
    result = import_records(db, (json.dumps(record) for record in records), sorted(audiences))
    db.set_metadata(LEGACY_ANSWER_KEY, f"imported {to_db_time(utc_now())} from {path}")
    return result


def decline_legacy(db: MemoryStore) -> None:
    """The user said Not now: the editor does not ask again (`vidurai import-legacy` still works)."""
    db.set_metadata(LEGACY_ANSWER_KEY, f"declined {to_db_time(utc_now())}")
