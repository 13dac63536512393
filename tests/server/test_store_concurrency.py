"""Reads never wait behind a write that waits for another process's write lock."""

from __future__ import annotations

import sqlite3
import threading

from vidurai.storage import MemoryDatabase


def test_a_read_is_answered_while_a_write_waits_for_another_process(db_path, project):
    with MemoryDatabase(db_path) as db:
        memory_id = db.store_memory(
            project,
            "verbatim",
            "Config is read as text",
            "HIGH",
            "note",
            file_path="src/app.py",
            line_number=5,
        )
        writing = threading.Event()
        db.trace(lambda statement: writing.set() if statement == "BEGIN IMMEDIATE" else None)
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process's long import holds the write lock
        try:
            writer = threading.Thread(target=db.touch_memories, args=([memory_id],))
            writer.start()
            assert writing.wait(5)  # the write now waits for the lock (busy timeout: 10 s)

            found = db.memories_at(project, "src/app.py", 5)

            assert [m.gist for m in found] == ["Config is read as text"]
            assert writer.is_alive(), "the read waited until the write gave up"
        finally:
            other.execute("ROLLBACK")
            other.close()
        writer.join()
        assert db.get_memory_by_id(memory_id).access_count == 1  # the write went through after


def test_what_another_process_changes_is_noticed_once_and_its_bookkeeping_is_not(db_path, project):
    def note(db: MemoryDatabase, text: str) -> int:
        return db.store_memory(project, text, text, "MEDIUM", "note", "src/app.py", 3)

    with MemoryDatabase(db_path) as editor, MemoryDatabase(db_path) as cli:
        assert editor.changed_elsewhere() is False  # the first look only takes note
        assert editor.changed_elsewhere() is False

        added = note(cli, "Added from the command line")
        assert editor.changed_elsewhere() is True
        assert editor.changed_elsewhere() is False  # told once

        note(editor, "Remembered in the editor")  # its own writes are its own to announce
        assert editor.changed_elsewhere() is False

        # What a tree row or a hover shows, changed by another process.
        cli.set_memory_pinned(added, True, "keep for the release")
        assert editor.changed_elsewhere() is True
        cli.store_audience_gists(added, {"manager": "Retries are capped"}, written_by_user=True)
        assert editor.changed_elsewhere() is True
        cli.update_anchors([(added, 7, 7, False, "retry()")])
        assert editor.changed_elsewhere() is True

        # Another window's bookkeeping changes nothing shown: no refresh of every view.
        cli.touch_memories([added])  # a hover counted
        assert editor.changed_elsewhere() is False
        with sqlite3.connect(db_path) as raw:
            raw.execute("DELETE FROM memory_embeddings WHERE memory_id = ?", (added,))
        assert editor.changed_elsewhere() is False  # (a raw write counts nothing either)
        assert cli.backfill_embeddings() == 1  # its meaning vector computed again
        assert editor.changed_elsewhere() is False
        # Its bookkeeping beside an edit of our own: still nothing of another's to show.
        cli.touch_memories([added])
        editor.set_memory_pinned(added, False)
        assert editor.changed_elsewhere() is False
        # An edit of its own beside one of ours is noticed.
        editor.set_memory_pinned(added, True)
        cli.store_audience_gists(added, {"manager": "Retries are capped at 3"})
        assert editor.changed_elsewhere() is True

        cli.delete_memory(added)
        assert editor.changed_elsewhere() is True
