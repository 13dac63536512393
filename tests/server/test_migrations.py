"""Migrations from the predecessor's v1 file: complete, idempotent, atomic, and careful."""

import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from vidurai.storage import LATEST_VERSION, DatabaseOpenError, MemoryDatabase
from vidurai.storage import migrations
from vidurai.storage.migrations import V1_SCHEMA, Step


def make_v1_database(path, project_dir):
    """A Phase 1 file as real users have it, written by SQL alone."""
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.execute("INSERT INTO projects (path, name) VALUES (?, 'project')", (str(project_dir),))
    local_iso = (datetime.now() - timedelta(days=2)).isoformat()  # Python's local time, no offset
    rows = [
        (
            "TypeError: token is None",
            "error_fixed",
            "src/auth.py",
            42,
            "high",
            "Fixed JWT token validation",
            '["auth", "jwt"]',
            None,
        ),
        (
            "Chose SQLite for local state",
            "decision",
            None,
            None,
            "CRITICAL",
            "Decided on SQLite",
            '["architecture"]',
            local_iso,
        ),
        (
            "pytest failed: ImportError",
            "command_failed",
            "tests/test_x.py",
            3,
            "MEDIUM",
            "pytest fails on import",
            None,
            "2025-11-01 10:00:00",
        ),
    ]
    for verbatim, kind, file_path, line, salience, gist, tags, created in rows:
        if created is None:
            cursor = conn.execute(
                "INSERT INTO memories (project_id, verbatim, event_type, file_path, line_number, "
                "salience, gist, tags) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                (verbatim, kind, file_path, line, salience, gist, tags),
            )
        else:
            cursor = conn.execute(
                "INSERT INTO memories (project_id, verbatim, event_type, file_path, line_number, "
                "salience, gist, tags, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                (verbatim, kind, file_path, line, salience, gist, tags, created),
            )
        conn.execute(
            "INSERT INTO memories_fts (memory_id, gist, verbatim, tags) VALUES (?, ?, ?, ?)",
            (cursor.lastrowid, gist, verbatim, tags),
        )
    conn.commit()
    conn.close()
    return local_iso


def file_state(path):
    """The bytes of the database file and whether a WAL or journal sits beside it."""
    sidecars = [p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-")]
    return path.read_bytes(), sorted(sidecars)


def test_v1_file_is_recognised_as_v1(tmp_path):
    path = tmp_path / "memory.db"
    make_v1_database(path, tmp_path)
    conn = sqlite3.connect(path)
    assert migrations.read_schema_version(conn) == 1
    conn.close()


def test_v1_database_migrates_to_latest_keeping_every_row_and_search(tmp_path):
    path = tmp_path / "memory.db"
    local_iso = make_v1_database(path, tmp_path)
    with MemoryDatabase(path) as db:
        assert db.schema_version() == LATEST_VERSION
        memories = {m.id: m for m in db.recall_memories(tmp_path, min_salience="NOISE")}
        assert len(memories) == 3
        fix = memories[1]
        assert (fix.verbatim, fix.file_path, fix.line_number) == (
            "TypeError: token is None",
            "src/auth.py",
            42,
        )
        assert fix.salience == "HIGH"  # lower-case names are normalised
        assert fix.tags == ("auth", "jwt")
        assert fix.occurrence_count == 1 and fix.pinned is False
        # The local ISO time is now the same moment in UTC, in SQLite's form.
        expected = datetime.fromisoformat(local_iso).astimezone(timezone.utc)
        assert memories[2].created_at == expected.replace(microsecond=0)
        assert memories[2].expires_at is None  # CRITICAL
        # MEDIUM lives 30 days, counted from the upgrade (not from 2025, which forgot it)
        in_30_days = datetime.now(timezone.utc) + timedelta(days=30)
        assert abs(memories[3].expires_at - in_30_days) < timedelta(minutes=5)
        # Full text works through the new external-content index.
        assert [m.id for m in db.recall_memories(tmp_path, "JWT")] == [1]
        assert [m.id for m in db.recall_memories(tmp_path, "ImportError")] == [3]
        # New gists attach to migrated memories.
        db.store_audience_gists(1, {"developer": "Fixed JWT token validation in auth.py (line 42)"})
        tables = {
            r[0] for r in db.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        assert {"metadata", "audience_gists", "gist_history", "forgetting_ledger"} <= tables
    assert (tmp_path / "memory.db.bak-v1").exists()


def test_opening_a_migrated_database_again_changes_nothing(tmp_path):
    path = tmp_path / "memory.db"
    make_v1_database(path, tmp_path)
    MemoryDatabase(path).close()
    before = list(sqlite3.connect(path).iterdump())
    statements = []
    conn = sqlite3.connect(path, isolation_level=None)
    conn.set_trace_callback(statements.append)
    assert migrations.migrate(conn, path) is None
    conn.close()
    assert not any(
        s.startswith(("BEGIN", "ALTER", "CREATE", "INSERT", "UPDATE")) for s in statements
    )
    MemoryDatabase(path).close()
    assert list(sqlite3.connect(path).iterdump()) == before


def test_a_failure_mid_migration_rolls_back_and_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "memory.db"
    make_v1_database(path, tmp_path)
    before = file_state(path)

    def explode(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(
        migrations, "STEPS", migrations.STEPS + [Step(99, explode, lambda _: False)]
    )
    with pytest.raises(DatabaseOpenError, match="rolled back.*disk on fire"):
        MemoryDatabase(path)
    after = file_state(path)
    assert after == before
    assert not list(tmp_path.glob("memory.db.bak*"))  # no pointless backup beside it
    conn = sqlite3.connect(path)
    assert migrations.read_schema_version(conn) == 1
    conn.close()


def test_a_newer_database_is_refused_untouched(tmp_path):
    path = tmp_path / "memory.db"
    make_v1_database(path, tmp_path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT)")
    conn.execute("INSERT INTO metadata VALUES ('schema_version', ?)", (str(LATEST_VERSION + 1),))
    conn.commit()
    conn.close()
    before = file_state(path)
    with pytest.raises(DatabaseOpenError, match="newer than this Vidurai"):
        MemoryDatabase(path)
    assert file_state(path) == before


def test_a_file_that_is_not_a_database_is_reported_and_untouched(tmp_path):
    path = tmp_path / "memory.db"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(DatabaseOpenError, match="not a usable Vidurai database"):
        MemoryDatabase(path)
    assert path.read_bytes() == b"this is not sqlite at all" * 100


def test_a_v2_database_from_the_seed_keeps_its_gists(tmp_path):
    path = tmp_path / "memory.db"
    make_v1_database(path, tmp_path)
    conn = sqlite3.connect(path)
    migrations._migrate_to_v2(conn)
    conn.execute("INSERT INTO metadata VALUES ('schema_version', '2')")
    conn.execute(
        "INSERT INTO audience_gists (memory_id, audience, gist) VALUES (1, 'manager', 'Auth fixed')"
    )
    conn.commit()
    conn.close()
    with MemoryDatabase(path) as db:
        assert db.get_audience_gists(1) == {"manager": "Auth fixed"}
        db.store_audience_gists(1, {"manager": "Auth system stabilized"})
        assert [h.gist for h in db.get_gist_history(1)] == ["Auth fixed"]
    assert (tmp_path / "memory.db.bak-v2").exists()
