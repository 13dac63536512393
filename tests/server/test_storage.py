"""The store's behaviour: the seed's six tests, the predecessor's failures, concurrency."""

import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone

import pytest

from vidurai.storage import LATEST_VERSION, MemoryDatabase, MemoryNotFoundError

from .conftest import FOUR_GISTS


def columns(conn, table):
    return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def index_names(conn, table):
    return {row[1] for row in conn.execute(f"PRAGMA index_list({table})")}


# --------------------------------------------------------------- the seed's six


def test_new_database_has_audience_gists_table_indexes_and_latest_version(db):
    conn = db.conn
    assert {"id", "memory_id", "audience", "gist", "created_at"} <= set(
        columns(conn, "audience_gists")
    )
    indexes = index_names(conn, "audience_gists")
    assert {"idx_audience_gists_memory", "idx_audience_gists_audience"} <= indexes
    assert any(name.startswith("sqlite_autoindex_audience_gists") for name in indexes)
    assert db.schema_version() == LATEST_VERSION
    stored = conn.execute("SELECT value FROM metadata WHERE key='schema_version'").fetchone()[0]
    assert stored == str(LATEST_VERSION)


def test_store_four_audience_gists(db, memory_id):
    db.store_audience_gists(memory_id, FOUR_GISTS)
    assert db.get_audience_gists(memory_id) == FOUR_GISTS
    count = db.conn.execute(
        "SELECT COUNT(*) FROM audience_gists WHERE memory_id = ?", (memory_id,)
    ).fetchone()[0]
    assert count == 4


def test_upsert_updates_in_place_and_adds_new_audiences(db, memory_id):
    db.store_audience_gists(memory_id, {"developer": "Version 1", "ai": "Version 1"})
    db.store_audience_gists(
        memory_id,
        {
            "developer": "Version 2 - Updated",
            "ai": "Version 2 - Updated",
            "manager": "New audience",
        },
    )
    assert db.get_audience_gists(memory_id) == {
        "developer": "Version 2 - Updated",
        "ai": "Version 2 - Updated",
        "manager": "New audience",
    }
    rows = db.conn.execute(
        "SELECT COUNT(*) FROM audience_gists WHERE memory_id = ?", (memory_id,)
    ).fetchone()[0]
    assert rows == 3
    orphans = db.conn.execute(
        "SELECT COUNT(*) FROM audience_gists WHERE memory_id NOT IN (SELECT id FROM memories)"
    ).fetchone()[0]
    assert orphans == 0


def test_get_all_filtered_single_and_missing(db, memory_id):
    db.store_audience_gists(memory_id, FOUR_GISTS)
    assert len(db.get_audience_gists(memory_id)) == 4
    assert db.get_audience_gists(memory_id, ["developer", "ai"]) == {
        "developer": FOUR_GISTS["developer"],
        "ai": FOUR_GISTS["ai"],
    }
    assert db.get_audience_gists(memory_id, ["manager"]) == {"manager": FOUR_GISTS["manager"]}
    assert db.get_audience_gists(999_999) == {}


def test_deleting_a_memory_deletes_its_gists_and_history(db, memory_id):
    db.store_audience_gists(memory_id, FOUR_GISTS)
    db.store_audience_gists(memory_id, {"developer": "rewritten"})
    assert db.delete_memory(memory_id) is True
    for table in ("audience_gists", "gist_history"):
        left = db.conn.execute(f"SELECT COUNT(*) FROM {table} WHERE memory_id = ?", (memory_id,))
        assert left.fetchone()[0] == 0
    assert db.delete_memory(memory_id) is False


def test_unique_constraint_rejects_plain_duplicate_but_api_upsert_succeeds(db, memory_id):
    db.conn.execute(
        "INSERT INTO audience_gists (memory_id, audience, gist) VALUES (?, 'developer', 'v1')",
        (memory_id,),
    )
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute(
            "INSERT INTO audience_gists (memory_id, audience, gist) VALUES (?, 'developer', 'v2')",
            (memory_id,),
        )
    db.store_audience_gists(memory_id, {"developer": "v2"})
    assert db.get_audience_gists(memory_id) == {"developer": "v2"}


# --------------------------------------------------------------- the seed's known limitations


def test_bulk_gists_come_back_for_every_memory_in_one_query(db, project):
    ids = [
        db.store_memory(
            project,
            f"v{i}",
            f"gist {i}",
            "MEDIUM",
            "note",
            audience_gists={"developer": f"dev {i}", "ai": f"ai {i}"},
        )
        for i in range(5)
    ]
    statements = []
    db.trace(statements.append)
    bulk = db.get_audience_gists_bulk(ids + [424242], ["developer"])
    db.trace(None)
    assert bulk == {memory_id: {"developer": f"dev {i}"} for i, memory_id in enumerate(ids)}
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1


def test_unknown_audience_is_refused_naming_the_valid_ones_and_writes_nothing(db, memory_id):
    with pytest.raises(ValueError, match="develper.*developer, personal, ai, manager"):
        db.store_audience_gists(memory_id, {"developer": "fine", "develper": "typo"})
    assert db.get_audience_gists(memory_id) == {}


def test_gists_for_a_missing_memory_raise(db):
    with pytest.raises(MemoryNotFoundError):
        db.store_audience_gists(31337, {"developer": "nobody"})


def test_replaced_gists_are_kept_in_history_with_when_they_were_replaced(db, memory_id):
    db.store_audience_gists(memory_id, {"developer": "first", "ai": "ai first"})
    db.store_audience_gists(memory_id, {"developer": "second"})
    db.store_audience_gists(memory_id, {"developer": "second"})  # no change, no history
    db.store_audience_gists(memory_id, {"developer": "third"})
    history = db.get_gist_history(memory_id, "developer")
    assert [entry.gist for entry in history] == ["first", "second"]
    assert all(entry.replaced_at for entry in history)
    assert db.get_gist_history(memory_id, "ai") == []
    assert db.get_audience_gists(memory_id, ["developer"]) == {"developer": "third"}


def test_store_memory_writes_memory_fts_and_gists_in_one_transaction(db, project):
    statements = []
    db.trace(statements.append)
    memory_id = db.store_memory(
        project,
        "verbatim",
        "Fixed JWT token validation",
        "HIGH",
        "error_fixed",
        audience_gists=FOUR_GISTS,
    )
    db.trace(None)
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert len(begins) == 2  # one for the new project row, one for memory + FTS + gists
    assert db.get_audience_gists(memory_id) == FOUR_GISTS
    assert [m.id for m in db.recall_memories(project, "JWT")] == [memory_id]


def test_a_failing_gist_rolls_back_the_whole_memory(db, project):
    with pytest.raises(ValueError):
        db.store_memory(
            project, "v", "g", "HIGH", "note", audience_gists={"developer": "ok", "nobody": "bad"}
        )
    assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 0


# --------------------------------------------------------------- the predecessor's failures


def test_recall_orders_by_salience_rank_not_by_name(db, project):
    for level in ("LOW", "CRITICAL", "MEDIUM", "HIGH", "NOISE"):
        db.store_memory(project, level, f"{level} memory", level, "note")
    recalled = db.recall_memories(project, min_salience="NOISE")
    assert [m.salience for m in recalled] == ["CRITICAL", "HIGH", "MEDIUM", "LOW", "NOISE"]
    default = db.recall_memories(project)
    assert [m.salience for m in default] == ["CRITICAL", "HIGH", "MEDIUM"]


def test_pinned_memories_survive_expiry(db, project):
    old = datetime.now(timezone.utc) - timedelta(days=40)
    pinned = db.store_memory(project, "p", "pinned one", "MEDIUM", "note", created_at=old)
    loose = db.store_memory(project, "l", "loose one", "MEDIUM", "note", created_at=old)
    db.set_memory_pinned(pinned, True)
    forgotten = db.forget_expired()
    assert [entry.memory_id for entry in forgotten] == [loose]
    assert db.get_memory_by_id(pinned) is not None
    assert db.get_memory_by_id(loose) is None
    ledger = db.get_forgetting_ledger()
    assert ledger[0].memory_id == loose and "MEDIUM" in ledger[0].reason


@pytest.mark.parametrize(
    "query",
    [
        "token-validation",
        '"JWT',
        'JWT"',
        "valid*",
        "*",
        "NEAR",
        "JWT NEAR token",
        "a AND OR NOT",
        "middleware.py:42",
        "(token)",
        "^JWT",
        "col:umn",
        "'",
        '""',
        "-",
        "token +validation",
    ],
)
def test_search_with_fts_syntax_in_user_text_never_raises(db, project, query):
    db.store_memory(
        project,
        "auth middleware near token",
        "Fixed JWT token validation",
        "HIGH",
        "error_fixed",
        "middleware.py",
        42,
    )
    db.recall_memories(project, query)


@pytest.mark.parametrize(
    "query", ["token-validation", '"JWT', "valid*", "JWT NEAR token", "middleware.py:42", "(token)"]
)
def test_search_with_punctuation_still_finds_the_memory(db, project, query):
    memory_id = db.store_memory(
        project,
        "seen in middleware.py:42",
        "Fixed JWT token validation",
        "HIGH",
        "error_fixed",
        "middleware.py",
        42,
    )
    db.store_memory(project, "unrelated", "Bumped the changelog", "HIGH", "note")
    assert [m.id for m in db.recall_memories(project, query)][:1] == [memory_id]


def test_search_ranks_by_bm25_and_carries_a_snippet(db, project):
    weak = db.store_memory(
        project,
        "mentions cache once in a long note about many other things",
        "Reviewed the release plan",
        "HIGH",
        "note",
    )
    strong = db.store_memory(
        project, "cache cache cache", "Fixed cache invalidation", "HIGH", "note"
    )
    hits = db.search_memories(project, "cache")
    assert [hit.memory.id for hit in hits] == [strong, weak]
    snippet = hits[0].snippet
    assert snippet is not None and "cache" in snippet.text
    # the matched words come as spans of the plain text, for the reader to mark
    assert snippet.spans and all(snippet.text[a:b].lower() == "cache" for a, b in snippet.spans)
    assert "**cache**" in snippet.render("**", "**")


def test_deleted_and_updated_memories_are_not_found_by_their_old_text(db, project):
    gone = db.store_memory(project, "v", "Fixed flaky websocket reconnect", "HIGH", "note")
    changed = db.store_memory(project, "v", "Chose Postgres over MySQL", "HIGH", "decision")
    db.delete_memory(gone)
    db.update_memory(changed, gist="Chose SQLite for the local store")
    assert db.recall_memories(project, "websocket") == []
    # By words: the old text is gone from the index. (By meaning, "Postgres" is still near a
    # decision about SQLite, which is right.)
    assert db.recall_memories(project, "Postgres", hybrid=False) == []
    assert [m.id for m in db.recall_memories(project, "SQLite")] == [changed]


def test_expiry_compares_utc_times_a_minute_either_side(db, project):
    now = datetime.now(timezone.utc)
    expired = db.store_memory(
        project,
        "a",
        "expired a minute ago",
        "LOW",
        "note",
        created_at=now - timedelta(days=7, minutes=1),
    )
    alive = db.store_memory(
        project,
        "b",
        "expires in a minute",
        "LOW",
        "note",
        created_at=now - timedelta(days=7) + timedelta(minutes=1),
    )
    forgotten = db.forget_expired(now=now)
    assert [entry.memory_id for entry in forgotten] == [expired]
    assert db.get_memory_by_id(alive) is not None


def test_expiry_of_a_local_time_datetime_is_converted_to_utc(db, project):
    local = datetime.now().astimezone(timezone(timedelta(hours=5, minutes=30)))
    memory_id = db.store_memory(
        project, "a", "ist time", "NOISE", "note", created_at=local - timedelta(days=1, minutes=1)
    )
    assert [e.memory_id for e in db.forget_expired()] == [memory_id]


def test_use_extends_life(db, project):
    now = datetime.now(timezone.utc)
    memory_id = db.store_memory(
        project, "a", "used recently", "LOW", "note", created_at=now - timedelta(days=30)
    )
    db.touch_memory(memory_id, now=now - timedelta(days=1))
    assert db.forget_expired(now=now) == []
    assert db.get_memory_by_id(memory_id).access_count == 1
    assert [e.memory_id for e in db.forget_expired(now=now + timedelta(days=7))] == [memory_id]


def test_critical_memories_are_never_forgotten(db, project):
    memory_id = db.store_memory(
        project,
        "a",
        "prod outage cause",
        "CRITICAL",
        "note",
        created_at=datetime(2000, 1, 1, tzinfo=timezone.utc),
    )
    assert db.forget_expired() == []
    assert db.get_memory_by_id(memory_id).expires_at is None


def test_foreign_keys_are_on_for_every_connection(db_path, tmp_path):
    first = MemoryDatabase(db_path)
    second = MemoryDatabase(db_path)
    for database in (first, second):
        assert database.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert database.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    first.close()
    second.close()


def test_a_batch_of_gists_is_one_transaction(db, memory_id):
    statements = []
    db.trace(statements.append)
    db.store_audience_gists(memory_id, FOUR_GISTS)
    db.trace(None)
    assert [s for s in statements if s in ("BEGIN IMMEDIATE", "COMMIT")] == [
        "BEGIN IMMEDIATE",
        "COMMIT",
    ]


# --------------------------------------------------------------- lookups


def test_hover_lookup_finds_memories_covering_a_line(db, project):
    single = db.store_memory(project, "v", "one line", "MEDIUM", "note", "src/a.py", 10)
    span = db.store_memory(project, "v", "a block", "HIGH", "note", "src/a.py", 8, end_line=12)
    db.store_memory(project, "v", "other file", "HIGH", "note", "src/b.py", 10)
    assert [m.id for m in db.memories_at(project, "src/a.py", 10)] == [span, single]
    assert [m.id for m in db.memories_at(project, "src/a.py", 12)] == [span]
    assert db.memories_at(project, "src/a.py", 13) == []
    db.update_anchors([(span, 8, 12, True, None)])
    assert [m.id for m in db.memories_at(project, "src/a.py", 10)] == [single]


def test_recall_with_audience_carries_that_audiences_gist(db, project):
    memory_id = db.store_memory(
        project, "v", "Fixed JWT token validation", "HIGH", "error_fixed", audience_gists=FOUR_GISTS
    )
    [row] = db.recall_memories(project, audience="personal")
    assert row.id == memory_id and row.audience_gist == FOUR_GISTS["personal"]


def test_statistics_count_by_salience_and_kind(db, project, tmp_path):
    db.store_memory(project, "v", "a", "HIGH", "error_fixed", "a.py", 1)
    db.store_memory(project, "v", "b", "HIGH", "note", "a.py", 2)
    db.store_memory(project, "v", "c", "LOW", "note")
    db.store_memory(tmp_path, "v", "elsewhere", "LOW", "note")
    stats = db.get_statistics(project)
    assert stats.total == 3
    assert stats.by_salience["HIGH"] == 2 and stats.by_salience["LOW"] == 1
    assert stats.by_event_type == {"note": 2, "error_fixed": 1}
    assert stats.files == 1


def test_reads_of_an_unknown_project_create_nothing(db, tmp_path):
    assert db.recall_memories(tmp_path / "never") == []
    assert db.memories_at(tmp_path / "never", "a.py", 1) == []
    assert db.conn.execute("SELECT COUNT(*) FROM projects").fetchone()[0] == 0


# --------------------------------------------------------------- two processes


WRITER = textwrap.dedent(
    """
    import sys
    from vidurai.storage import MemoryDatabase
    db = MemoryDatabase(sys.argv[1])
    for i in range(1000):
        db.store_memory(sys.argv[2], f"verbatim {i}", f"{sys.argv[3]} memory {i}", "MEDIUM",
                        "note", audience_gists={"developer": f"dev {i}", "ai": f"ai {i}"})
    db.close()
    """
)


def test_two_processes_writing_at_once_lose_nothing(db_path, project):
    MemoryDatabase(db_path).close()
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db_path), str(project), name],
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    errors = [writer.communicate(timeout=120)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], errors
    assert not any("locked" in error for error in errors)
    with MemoryDatabase(db_path) as db:
        assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 2000
        assert db.conn.execute("SELECT COUNT(*) FROM audience_gists").fetchone()[0] == 4000
        # Every one in the word index (by meaning, "beta memory 7" is near "alpha memory 7").
        assert len(db.recall_memories(project, "alpha", limit=5000, hybrid=False)) == 1000


def test_memories_by_ids_come_back_in_hover_order_in_one_query(db, project):
    low = db.store_memory(project, "v", "low one", "LOW", "note", "a.py", 1)
    high = db.store_memory(
        project,
        "v",
        "high one",
        "HIGH",
        "note",
        "a.py",
        1,
        audience_gists={"personal": "I kept the high one"},
    )
    statements = []
    db.trace(statements.append)
    found = db.get_memories_by_ids([low, 999_999, high], audience="personal")
    db.trace(None)
    assert [m.id for m in found] == [high, low]
    assert found[0].audience_gist == "I kept the high one"
    assert (
        len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2
    )  # rows + gists
    assert db.get_memories_by_ids([]) == []
