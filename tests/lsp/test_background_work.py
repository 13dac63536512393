"""The server's own background work waits for the editor to be quiet, so it never slows a
request: here, giving older memories their meaning vectors (the backfill)."""

from __future__ import annotations

import asyncio
import sqlite3

from tests.lsp.conftest import APP, Editor
from vidurai.storage import MemoryDatabase

MEMORIES = 300


def embedded(db_path) -> int:
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return connection.execute("SELECT COUNT(*) FROM memory_embeddings").fetchone()[0]
    finally:
        connection.close()


async def test_older_memories_are_embedded_only_once_the_editor_is_quiet(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(APP)
    db_path = tmp_path / "memory.db"
    with MemoryDatabase(db_path) as db:  # a store from before search by meaning
        for number in range(MEMORIES):
            db.store_memory(str(root), f"Note {number}", f"Note {number}", "MEDIUM", "note")
        db.conn.execute("DELETE FROM memory_embeddings")

    editor = Editor(root, db_path)
    await editor.start()
    try:
        uri = editor.open("src/app.py")
        for _ in range(40):  # four seconds of an editor at work: past the start-up quiet
            await editor.hover(uri, 3)
            await asyncio.sleep(0.1)
        assert embedded(db_path) == 0

        async with asyncio.timeout(30):  # quiet now: the backfill runs
            while embedded(db_path) < MEMORIES:
                await asyncio.sleep(0.2)
    finally:
        await editor.stop()
