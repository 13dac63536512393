"""The SQLite memory and audience-gist store. Knows nothing of LSP or VS Code."""

from vidurai.storage.database import (
    DatabaseOpenError,
    MemoryDatabase,
    MemoryNotFoundError,
    default_db_path,
    normalize_project_path,
)
from vidurai.storage.migrations import LATEST_VERSION, MigrationError, SchemaTooNewError
from vidurai.storage.models import BUILTIN_AUDIENCES, EventType, SalienceLevel

__all__ = [
    "BUILTIN_AUDIENCES",
    "DatabaseOpenError",
    "EventType",
    "LATEST_VERSION",
    "MemoryDatabase",
    "MemoryNotFoundError",
    "MigrationError",
    "SalienceLevel",
    "SchemaTooNewError",
    "default_db_path",
    "normalize_project_path",
]
