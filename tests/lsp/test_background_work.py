"""The server's own background work waits for the editor to be quiet, so it never slows a
request: giving older memories their meaning vectors (the backfill), and making gists again
after an upgrade of the rules, which pauses between pages while the editor is at work."""

from __future__ import annotations

import asyncio
import sqlite3

from tests.lsp.conftest import APP, Editor
from vidurai.lsp.runtime import REGENERATE_PAGE
from vidurai.memory.regenerate import GENERATOR_KEY
from vidurai.storage import MemoryDatabase

MEMORIES = 300


def count(db_path, sql: str) -> int:
    connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return connection.execute(sql).fetchone()[0]
    finally:
        connection.close()


def embedded(db_path) -> int:
    return count(db_path, "SELECT COUNT(*) FROM memory_embeddings")


def gists_made_again(db_path) -> int:
    """Gists no longer as the older rules made them."""
    return count(
        db_path, "SELECT COUNT(*) FROM audience_gists WHERE gist NOT LIKE 'Older rules: %'"
    )


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


async def test_gists_made_again_after_an_upgrade_pause_while_the_editor_is_at_work(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(APP)
    db_path = tmp_path / "memory.db"
    memories = 30 * REGENERATE_PAGE
    with MemoryDatabase(db_path) as db:  # gists made by an older version's rules
        for number in range(memories):
            older = f"Older rules: note {number}"
            db.store_memory(
                str(root), f"Note {number}", f"Note {number}", "MEDIUM", "note",
                audience_gists=dict.fromkeys(("developer", "ai", "manager", "personal"), older),
            )  # fmt: skip
        db.conn.execute("DELETE FROM metadata WHERE key = ?", (GENERATOR_KEY,))
        stale = db.conn.execute("SELECT COUNT(*) FROM audience_gists").fetchone()[0]

    editor = Editor(root, db_path)
    await editor.start()
    try:
        uri = editor.open("src/app.py")
        async with asyncio.timeout(30):  # the editor is quiet: the first page is made
            while gists_made_again(db_path) == 0:
                await asyncio.sleep(0.02)
        await editor.hover(uri, 3)
        at_work = gists_made_again(db_path)
        for _ in range(20):  # two seconds of an editor at work
            await editor.hover(uri, 3)
            await asyncio.sleep(0.1)
        per_memory = stale // memories
        assert (
            gists_made_again(db_path) - at_work <= REGENERATE_PAGE * per_memory
        )  # one page at most
        assert gists_made_again(db_path) < stale

        async with asyncio.timeout(60):  # quiet again: it goes on to the end
            while gists_made_again(db_path) < stale:
                await asyncio.sleep(0.2)
        async with asyncio.timeout(10):
            while (
                count(db_path, f"SELECT COUNT(*) FROM metadata WHERE key = '{GENERATOR_KEY}'") == 0
            ):
                await asyncio.sleep(0.1)
    finally:
        await editor.stop()
