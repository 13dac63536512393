"""The storage seam: what the layers above (memory, lsp, the CLI, MCP) may ask of a store.

Upper layers type against ``MemoryStore``, never a backend; they get records
(``storage.records``) and the store's exceptions (``storage.errors``), never rows or a
driver's errors. ``MemoryDatabase`` (SQLite, one local file) is the one backend today; a new
one implements this protocol and passes tests/server/contract (see docs/STORAGE.md).

Conventions every backend keeps: lines are 1-based; a project is its absolute, resolved
folder path and a file is relative to it with `/`; salience is a ``SalienceLevel`` name;
an unknown audience raises ValueError naming the valid ones; a missing memory raises
``MemoryNotFoundError`` (or returns None/False where the signature says so); texts are
stored as given (redaction happens before the store); every write is all or nothing.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, Iterable, Mapping, Protocol, Sequence

from vidurai.storage.migrations import Upgrade
from vidurai.storage.models import SalienceLevel
from vidurai.storage.records import (
    ArchiveRecord,
    FileAnchor,
    FileMark,
    GistVersion,
    HealthReport,
    ImportResult,
    LedgerEntry,
    Memory,
    SearchHit,
    Statistics,
)

ProjectPath = str | os.PathLike[str]


class MemoryStore(Protocol):
    # ------------------------------------------------------------ the store itself
    audiences: tuple[str, ...]
    upgrade: Upgrade | None  # what opening did to an older store, if anything

    @property
    def location(self) -> str:
        """Where the store is, for people (a file path, a server address)."""

    def close(self) -> None: ...
    def schema_version(self) -> int: ...
    def has_memories(self) -> bool: ...
    def get_metadata(self, key: str) -> str | None: ...
    def set_metadata(self, key: str, value: str) -> None: ...
    def check_health(self, repair: bool = False) -> HealthReport: ...
    def changed_elsewhere(self) -> bool:
        """Whether another process changed what a user sees (added, removed or edited memories,
        moved their lines) since the last call (the first call only takes note); cheap while
        nobody else writes."""

    # ------------------------------------------------------------ audiences
    def validate_audience(self, audience: str) -> str: ...
    def set_audiences(self, audiences: Iterable[str]) -> None: ...

    # ------------------------------------------------------------ memories
    def store_memory(
        self,
        project_path: ProjectPath,
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
    ) -> int: ...
    def get_memory_by_id(self, memory_id: int, audience: str | None = None) -> Memory | None: ...
    def get_memories_by_ids(
        self, memory_ids: Iterable[int], audience: str | None = None
    ) -> list[Memory]: ...
    def all_memories(self) -> list[Memory]: ...
    def memories_after(self, memory_id: int, limit: int) -> list[Memory]: ...
    def delete_memory(self, memory_id: int, reason: str = ...) -> bool: ...
    def set_memory_pinned(
        self, memory_id: int, pinned: bool, reason: str | None = None
    ) -> None: ...
    def touch_memory(self, memory_id: int, now: datetime | None = None) -> None: ...
    def touch_memories(self, memory_ids: Iterable[int], now: datetime | None = None) -> None: ...
    def find_by_fingerprint(
        self, project_path: ProjectPath, fingerprint: str, since: datetime
    ) -> Memory | None: ...
    def record_occurrence(self, memory_id: int, now: datetime | None = None) -> int: ...
    def update_memory(
        self,
        memory_id: int,
        *,
        gist: str | None = None,
        verbatim: str | None = None,
        salience: SalienceLevel | str | None = None,
        tags: Sequence[str] | None = None,
        audience_gists: Mapping[str, str] | None = None,
    ) -> None: ...

    # ------------------------------------------------------------ audience gists
    def store_audience_gists(
        self, memory_id: int, gists: Mapping[str, str], *, written_by_user: bool = False
    ) -> None: ...
    def replace_generated_gists(self, gists: Mapping[int, Mapping[str, str]]) -> int: ...
    def get_audience_gists(
        self, memory_id: int, audiences: Sequence[str] | None = None
    ) -> dict[str, str]: ...
    def get_audience_gists_bulk(
        self, memory_ids: Iterable[int], audiences: Sequence[str] | None = None
    ) -> dict[int, dict[str, str]]: ...
    def get_gist_history(
        self, memory_id: int, audience: str | None = None
    ) -> list[GistVersion]: ...
    def stored_audiences(self) -> list[str]: ...

    # ------------------------------------------------------------ finding memories
    def recall_memories(
        self,
        project_path: ProjectPath,
        query: str | None = None,
        min_salience: SalienceLevel | str = ...,
        limit: int = 10,
        file_path: str | None = None,
        audience: str | None = None,
        *,
        hybrid: bool = True,
    ) -> list[Memory]: ...
    def search_memories(
        self,
        project_path: ProjectPath,
        query: str | None = None,
        min_salience: SalienceLevel | str = ...,
        limit: int = 10,
        file_path: str | None = None,
        audience: str | None = None,
        *,
        hybrid: bool = True,
    ) -> list[SearchHit]: ...
    def related_memories(
        self,
        project_path: ProjectPath,
        text: str,
        min_salience: SalienceLevel | str = ...,
        limit: int = 10,
        audience: str | None = None,
    ) -> list[Memory]: ...
    def list_memories(
        self,
        project_path: ProjectPath,
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
    ) -> list[Memory]: ...
    def count_memories(
        self,
        project_path: ProjectPath,
        *,
        file_path: str | None = None,
        without_file: bool = False,
        salience: SalienceLevel | str | None = None,
        pinned: bool | None = None,
        since: datetime | None = None,
    ) -> int: ...
    def count_by_file(self, project_path: ProjectPath) -> list[tuple[str | None, int]]: ...
    def get_statistics(self, project_path: ProjectPath | None = None) -> Statistics: ...
    def semantic_search_unavailable(self) -> str | None: ...
    def embedding_progress(self) -> tuple[int, int]: ...
    def backfill_embeddings(self, batch_size: int = ...) -> int: ...
    def vector_index(self) -> Any: ...

    # ------------------------------------------------------------ anchors
    def memories_at(
        self, project_path: ProjectPath, file_path: str, line: int, audience: str | None = None
    ) -> list[Memory]: ...
    def file_marks(self, project_path: ProjectPath, file_path: str) -> list[FileMark]: ...
    def file_anchors(self, project_path: ProjectPath, file_path: str) -> list[FileAnchor]: ...
    def update_anchors(
        self, anchors: Iterable[tuple[int, int | None, int | None, bool, str | None]]
    ) -> None: ...

    # ------------------------------------------------------------ forgetting
    def forget_expired(
        self, now: datetime | None = None, dry_run: bool = False
    ) -> list[LedgerEntry]: ...
    def get_forgetting_ledger(
        self, project_path: ProjectPath | None = None, limit: int = 100
    ) -> list[LedgerEntry]: ...

    # ------------------------------------------------------------ export and import
    def export_records(self, project_path: ProjectPath | None) -> list[dict[str, Any]]: ...
    def import_records(self, records: Iterable[ArchiveRecord]) -> ImportResult: ...
