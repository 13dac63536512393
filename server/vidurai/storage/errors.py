"""What a store raises. No backend's own exceptions (``sqlite3.Error``…) leave ``storage/``."""

from __future__ import annotations

from vidurai.storage.migrations import SchemaError


class StoreError(Exception):
    """A read or write of the store failed; nothing was changed by the failed write."""


class StoreLocked(StoreError):
    """Another process held the store's write lock longer than the store waits."""


class DatabaseOpenError(StoreError, SchemaError):
    """The store cannot be opened (unreadable, corrupt, too new); it was not changed."""


class NewerSchemaError(DatabaseOpenError):
    """The store was written by a newer Vidurai; it is refused and left untouched."""


class MemoryNotFoundError(LookupError):
    def __init__(self, memory_id: int):
        super().__init__(f"no memory with id {memory_id}")
        self.memory_id = memory_id
