"""Forgetting on purpose: what expires goes, with a trace; what is pinned or used stays."""

from datetime import datetime, timedelta, timezone

from vidurai.memory.forgetting import describe_forgotten, forget_now, preview_expired
from vidurai.storage import LedgerEntry
from vidurai.storage.models import utc_now

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=timezone.utc)


def test_forgetting_removes_expired_memories_and_leaves_a_ledger_line(db, project):
    stale = db.store_memory(
        project, "v", "Tried a flaky retry", "LOW", "note", created_at=NOW - timedelta(days=8)
    )
    fresh = db.store_memory(
        project, "v", "Kept retry at 3", "LOW", "note", created_at=NOW - timedelta(days=2)
    )
    forgotten = forget_now(db, now=NOW)
    assert [entry.memory_id for entry in forgotten] == [stale]
    assert db.get_memory_by_id(fresh) is not None
    [line] = db.get_forgetting_ledger(project)
    assert (line.memory_id, line.gist, line.salience) == (stale, "Tried a flaky retry", "LOW")
    assert "7 days" in line.reason and line.forgotten_at == NOW


def test_preview_forgets_nothing(db, project):
    stale = db.store_memory(
        project, "v", "noise", "NOISE", "note", created_at=NOW - timedelta(days=2)
    )
    assert [entry.memory_id for entry in preview_expired(db, now=NOW)] == [stale]
    assert db.get_memory_by_id(stale) is not None
    assert db.get_forgetting_ledger() == []


def test_pinned_and_recently_used_memories_stay(db, project):
    pinned = db.store_memory(
        project, "v", "pinned", "NOISE", "note", created_at=NOW - timedelta(days=9)
    )
    used = db.store_memory(project, "v", "used", "LOW", "note", created_at=NOW - timedelta(days=9))
    db.set_memory_pinned(pinned, True)
    db.touch_memory(used, now=NOW - timedelta(days=1))
    assert forget_now(db, now=NOW) == []


def test_what_was_forgotten_is_told_in_one_sentence():
    assert describe_forgotten([]) == "Nothing was due to be forgotten."
    entries = [LedgerEntry(i, 1, f"g{i}", "LOW", "LOW, not used for 7 days", NOW) for i in range(5)]
    assert describe_forgotten(entries[:1]) == "Forgot 1 memory: “g0”."
    assert describe_forgotten(entries) == "Forgot 5 memories: “g0”; “g1”; “g2” and 2 more."


def test_a_memory_whose_lines_were_deleted_is_forgotten_sooner(db, project):
    def on_line(gist, salience="MEDIUM"):
        return db.store_memory(project, "v", gist, salience, "note", "src/app.py", 4)

    attached, detached, pinned, critical = (
        on_line("attached"),
        on_line("detached"),
        on_line("pinned"),
        on_line("critical", "CRITICAL"),
    )
    db.set_memory_pinned(pinned, True)
    db.update_anchors([(memory_id, 4, 4, True, None) for memory_id in (detached, pinned, critical)])
    eight_days_later = utc_now() + timedelta(days=8)

    forgotten = forget_now(db, now=eight_days_later)

    assert [entry.memory_id for entry in forgotten] == [detached]
    assert "its lines were deleted" in forgotten[0].reason
    assert all(db.get_memory_by_id(m) is not None for m in (attached, pinned, critical))


def test_opening_a_detached_memory_does_not_give_it_a_full_life_again(db, project):
    memory_id = db.store_memory(project, "v", "detached", "HIGH", "note", "src/app.py", 4)
    db.update_anchors([(memory_id, 4, 4, True, None)])

    db.touch_memory(memory_id, now=utc_now())

    assert [e.memory_id for e in forget_now(db, now=utc_now() + timedelta(days=8))] == [memory_id]
