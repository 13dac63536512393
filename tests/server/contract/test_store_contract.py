"""What every ``MemoryStore`` must do, as a user of the editor, CLI or MCP would notice it.

Runs once per backend in ``backends.BACKENDS``; nothing here may reach past the protocol
(no SQL, no file layout) except through the backend's own entry.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from vidurai.memory.archive import import_records
from vidurai.storage import (
    FileAnchor,
    FileMark,
    MemoryNotFoundError,
    MemoryStore,
    NewerSchemaError,
    SalienceLevel,
)

GISTS = {
    "developer": "Fixed JWT token validation",
    "ai": "Bug resolution: JWT validation compared naive and aware datetimes",
    "manager": "Login no longer fails for users in other time zones",
    "personal": "I fixed JWT validation by comparing expiry in UTC",
}


def remember(
    store: MemoryStore,
    project: str,
    gist: str = "Fixed JWT token validation",
    salience: str = "HIGH",
    file: str | None = "src/auth/middleware.py",
    line: int | None = 42,
    **more,
) -> int:
    return store.store_memory(
        project,
        f"TypeError while {gist.lower()}",
        gist,
        salience,
        "error_fixed",
        file,
        line,
        audience_gists=GISTS,
        **more,
    )


def test_a_stored_memory_comes_back_as_it_was_given(store, project):
    memory_id = remember(
        store, project, tags=["auth", "jwt"], end_line=44, anchor_text="def check():"
    )
    memory = store.get_memory_by_id(memory_id)
    assert memory is not None
    assert (memory.id, memory.project_path, memory.gist) == (
        memory_id,
        project,
        "Fixed JWT token validation",
    )
    assert (memory.file_path, memory.line_number, memory.end_line) == (
        "src/auth/middleware.py",
        42,
        44,
    )
    assert (memory.salience, memory.event_type, memory.tags) == (
        "HIGH",
        "error_fixed",
        ("auth", "jwt"),
    )
    assert memory.anchor_text == "def check():" and not memory.pinned and not memory.detached
    assert memory.created_at.tzinfo is not None  # an aware time, not a string to parse
    assert abs(memory.created_at - datetime.now(timezone.utc)) < timedelta(minutes=1)
    assert memory.expires_at is not None and memory.expires_at > memory.created_at  # HIGH: 90 days
    assert store.has_memories()


def test_a_missing_memory_is_none_false_or_not_found(store):
    assert store.get_memory_by_id(999) is None
    assert store.delete_memory(999) is False
    with pytest.raises(MemoryNotFoundError):
        store.set_memory_pinned(999, True)
    with pytest.raises(MemoryNotFoundError):
        store.store_audience_gists(999, {"developer": "x"})


def test_an_empty_gist_or_unknown_audience_is_refused_and_nothing_is_stored(store, project):
    with pytest.raises(ValueError):
        remember(store, project, gist="   ")
    with pytest.raises(ValueError, match="developer"):  # it names the valid audiences
        store.store_memory(project, "v", "gist", "HIGH", "note", audience_gists={"boss": "x"})
    assert store.count_memories(project) == 0


def test_each_audience_has_its_own_gist_and_a_replaced_gist_goes_to_history(store, project):
    memory_id = remember(store, project)
    assert store.get_audience_gists(memory_id) == GISTS
    assert store.get_audience_gists(memory_id, ["manager"]) == {"manager": GISTS["manager"]}
    personal = store.get_memory_by_id(memory_id, audience="personal")
    assert personal is not None and personal.shown_gist == GISTS["personal"]
    store.store_audience_gists(
        memory_id, {"manager": "Logins work again across time zones"}, written_by_user=True
    )
    assert store.get_audience_gists(memory_id)["manager"] == "Logins work again across time zones"
    [old] = store.get_gist_history(memory_id, "manager")
    assert old.gist == GISTS["manager"] and old.replaced_at.tzinfo is not None
    # a regenerated gist never replaces the one the user wrote
    store.replace_generated_gists({memory_id: {"manager": "Generated again"}})
    assert store.get_audience_gists(memory_id)["manager"] == "Logins work again across time zones"


def test_search_finds_by_words_with_a_score_and_the_matched_words_as_spans(store, project):
    wanted = remember(store, project, gist="Fixed JWT token validation")
    remember(store, project, gist="Cache warmed before the release", file="src/cache.py")
    [hit] = store.search_memories(project, "token", min_salience="NOISE", hybrid=False)
    assert hit.memory.id == wanted and hit.score is not None and hit.score > 0
    assert hit.snippet is not None and "**" not in hit.snippet.text  # no markup from the store
    assert [hit.snippet.text[a:b].lower() for a, b in hit.snippet.spans] == ["token"]
    assert [m.id for m in store.recall_memories(project, "token", hybrid=False)] == [wanted]
    assert store.search_memories(project, ":::") == []


def test_without_a_query_the_most_salient_come_first(store, project):
    low = remember(store, project, gist="Renamed a variable", salience="LOW")
    critical = remember(store, project, gist="Never retry a payment", salience="CRITICAL")
    medium = remember(store, project, gist="Cache warmed", salience="MEDIUM")
    recalled = store.recall_memories(project, min_salience=SalienceLevel.NOISE)
    assert [m.id for m in recalled] == [critical, medium, low]
    assert [m.id for m in store.recall_memories(project)] == [critical, medium]  # MEDIUM and up
    assert [m.id for m in store.list_memories(project, order="recent")] == [medium, critical, low]


def test_pinned_memories_survive_forgetting_and_what_is_forgotten_leaves_a_ledger_line(
    store, project
):
    pinned = remember(store, project, gist="Keep this one", salience="NOISE")
    loose = remember(store, project, gist="Let this one go", salience="NOISE")
    store.set_memory_pinned(pinned, True, "matters")
    later = datetime.now(timezone.utc) + timedelta(days=2)
    assert [entry.memory_id for entry in store.forget_expired(later, dry_run=True)] == [loose]
    assert store.get_memory_by_id(loose) is not None  # a dry run changes nothing
    [entry] = store.forget_expired(later)
    assert (entry.memory_id, entry.gist, entry.salience) == (loose, "Let this one go", "NOISE")
    assert store.get_memory_by_id(loose) is None
    kept = store.get_memory_by_id(pinned)
    assert kept is not None and kept.pinned and kept.pin_reason == "matters"
    assert [line.memory_id for line in store.get_forgetting_ledger(project)] == [loose]


def test_forgetting_one_memory_takes_its_gists_and_leaves_a_ledger_line(store, project):
    memory_id = remember(store, project)
    assert store.delete_memory(memory_id, "forgotten by the user") is True
    assert store.get_memory_by_id(memory_id) is None
    assert store.get_audience_gists(memory_id) == {}
    [line] = store.get_forgetting_ledger(project)
    assert line.memory_id == memory_id and line.reason == "forgotten by the user"
    assert line.forgotten_at.tzinfo is not None


def test_a_use_counts_and_a_repeat_is_one_memory_with_a_count(store, project):
    memory_id = remember(store, project, fingerprint="abc")
    store.touch_memories([memory_id])
    assert store.record_occurrence(memory_id) == 2
    memory = store.get_memory_by_id(memory_id)
    assert memory is not None and memory.access_count == 2 and memory.last_accessed is not None
    since = datetime.now(timezone.utc) - timedelta(hours=1)
    found = store.find_by_fingerprint(project, "abc", since)
    assert found is not None and found.id == memory_id


def test_anchors_cover_their_lines_move_and_detach(store, project):
    span = remember(store, project, line=10, end_line=12)
    single = remember(store, project, line=10)
    assert [m.id for m in store.memories_at(project, "src/auth/middleware.py", 11)] == [span]
    store.update_anchors([(span, 20, 22, False, "moved"), (single, 10, 10, True, None)])
    assert [m.id for m in store.memories_at(project, "src/auth/middleware.py", 21)] == [span]
    assert store.memories_at(project, "src/auth/middleware.py", 10) == []  # detached
    marks = sorted(store.file_marks(project, "src/auth/middleware.py"), key=lambda mark: mark.id)
    assert marks == [FileMark(span, 20, 22, False), FileMark(single, 10, 10, True)]
    anchors = sorted(
        store.file_anchors(project, "src/auth/middleware.py"), key=lambda anchor: anchor.id
    )
    assert anchors == [
        FileAnchor(span, 20, 22, False, "moved"),
        FileAnchor(single, 10, 10, True, None),
    ]
    assert store.count_by_file(project) == [("src/auth/middleware.py", 2)]


def test_statistics_count_what_a_project_holds(store, project, tmp_path):
    remember(store, project, salience="HIGH")
    remember(store, project, salience="LOW", file=None, line=None)
    remember(store, str(tmp_path), salience="LOW")  # another project
    stats = store.get_statistics(project)
    assert (stats.total, stats.pinned, stats.files) == (2, 0, 1)
    assert stats.by_salience["HIGH"] == 1 and stats.by_salience["LOW"] == 1
    assert stats.oldest is not None and stats.newest is not None and stats.oldest <= stats.newest


def test_an_export_imports_into_an_empty_store_exactly_and_only_once(
    backend, store, project, tmp_path
):
    first = remember(store, project, tags=["auth"], end_line=44)
    store.set_memory_pinned(first, True, "security")
    store.store_audience_gists(first, {"manager": "Rewritten by me"}, written_by_user=True)
    remember(store, project, gist="Cache warmed", salience="LOW", file=None, line=None)
    exported = store.export_records(project)
    lines = [json.dumps(record) for record in exported]

    (tmp_path / "other").mkdir()
    other = backend.open(backend.new_location(tmp_path / "other"))
    try:
        result = import_records(other, lines)
        assert (result.imported, result.skipped) == (2, 0)
        again = import_records(other, lines)
        assert (again.imported, again.skipped) == (0, 2)

        def without_ids(records):
            return [
                {key: value for key, value in record.items() if key != "id"} for record in records
            ]

        assert without_ids(other.export_records(project)) == without_ids(exported)
    finally:
        other.close()


def test_a_bad_import_line_imports_nothing(store, project):
    good = json.dumps(
        {
            "project_path": project,
            "verbatim": "v",
            "gist": "g",
            "event_type": "note",
            "salience": "HIGH",
            "created_at": "2026-11-27T10:00:00Z",
        }
    )
    with pytest.raises(ValueError, match="line 2"):
        import_records(store, [good, "{not json"])
    assert store.count_memories(project) == 0


def test_a_store_from_a_newer_vidurai_is_refused_and_left_as_it_was(backend, tmp_path):
    location = backend.new_location(tmp_path)
    backend.stamp_newer_schema(location)
    before = backend.snapshot(location)
    with pytest.raises(NewerSchemaError, match="newer"):
        backend.open(location)
    assert backend.snapshot(location) == before


def test_a_healthy_store_says_so(store, project):
    remember(store, project)
    health = store.check_health()
    assert health.healthy and health.counts["memories"] == 1
