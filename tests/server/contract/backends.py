"""The store implementations the contract suite runs against: one entry per backend.

A second backend (say a team store on PostgreSQL) adds a ``Backend`` here whose ``open``
returns its ``MemoryStore``; every contract test then runs against it too.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from vidurai.storage import LATEST_VERSION, MemoryDatabase, MemoryStore


@dataclass(frozen=True)
class Backend:
    name: str
    # A location for a new, empty store in a test's scratch folder.
    new_location: Callable[[Path], str]
    open: Callable[[str], MemoryStore]
    # Mark the store at a location as written by a newer Vidurai (its schema ahead of ours).
    stamp_newer_schema: Callable[[str], None]
    # The bytes (or any snapshot) that must not change when the store is refused.
    snapshot: Callable[[str], object]


def _sqlite_stamp_newer(location: str) -> None:
    MemoryDatabase(location).close()  # a complete store first
    with sqlite3.connect(location) as conn:
        conn.execute(
            "UPDATE metadata SET value = ? WHERE key = 'schema_version'", (str(LATEST_VERSION + 1),)
        )
    conn.close()


BACKENDS = [
    Backend(
        name="sqlite",
        new_location=lambda folder: str(folder / "memory.db"),
        open=lambda location: MemoryDatabase(location),
        stamp_newer_schema=_sqlite_stamp_newer,
        snapshot=lambda location: Path(location).read_bytes(),
    ),
]
