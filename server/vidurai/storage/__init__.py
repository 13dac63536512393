"""The memory and audience-gist store. Knows nothing of LSP or VS Code.

Upper layers use the ``MemoryStore`` protocol, its records and its exceptions; ``open_store``
opens the SQLite backend (``MemoryDatabase``).
"""

from vidurai.storage.database import (
    MemoryDatabase,
    default_db_path,
    normalize_project_path,
)
from vidurai.storage.errors import (
    DatabaseOpenError,
    MemoryNotFoundError,
    NewerSchemaError,
    StoreError,
    StoreLocked,
)
from vidurai.storage.migrations import LATEST_VERSION, MigrationError, SchemaTooNewError
from vidurai.storage.models import BUILTIN_AUDIENCES, EventType, SalienceLevel
from vidurai.storage.records import (
    ArchiveRecord,
    ArchivedGist,
    FileAnchor,
    FileMark,
    GistVersion,
    HealthReport,
    ImportResult,
    LedgerEntry,
    Memory,
    SearchHit,
    Snippet,
    Statistics,
)
from vidurai.storage.store import MemoryStore


def semantic_search_unavailable() -> str | None:
    """None when search by meaning works, else why not (the optional packages are missing)."""
    return MemoryDatabase.semantic_search_unavailable()


def open_store(
    location: str | None = None, audiences: tuple[str, ...] | None = None
) -> MemoryStore:
    """The store at ``location`` (a database file; by default ``default_db_path()``)."""
    return MemoryDatabase(location, audiences)


__all__ = [
    "BUILTIN_AUDIENCES",
    "ArchiveRecord",
    "ArchivedGist",
    "DatabaseOpenError",
    "EventType",
    "FileAnchor",
    "FileMark",
    "GistVersion",
    "HealthReport",
    "ImportResult",
    "LATEST_VERSION",
    "LedgerEntry",
    "Memory",
    "MemoryDatabase",
    "MemoryNotFoundError",
    "MemoryStore",
    "MigrationError",
    "NewerSchemaError",
    "SalienceLevel",
    "SchemaTooNewError",
    "SearchHit",
    "Snippet",
    "Statistics",
    "StoreError",
    "StoreLocked",
    "default_db_path",
    "normalize_project_path",
    "open_store",
    "semantic_search_unavailable",
]
