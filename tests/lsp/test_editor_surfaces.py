"""What the editor shows of memories, kept true: tree rows and gutter marks follow moved and
deleted lines (in the buffer and on disk), a broken store says so, each folder keeps its own
audience, and search rows do not repeat themselves."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from tests.lsp.conftest import APP, Editor
from vidurai.lsp import protocol

LOAD_LINE = 3  # "def load_config(path):" (0-based)
MAIN_LINE = 8  # "def main():"


async def file_rows(editor, file: str = "src/app.py") -> list[dict]:
    page = await editor.request(
        protocol.MEMORIES, {"groupBy": "file", "group": f"path:{file}", "limit": 50}
    )
    return page["items"]


async def marks(editor, uri: str) -> list[dict]:
    """The file's marks, read from their flat form (line, end line, count per place)."""
    flat = (await editor.request(protocol.FILE_MARKS, {"uri": uri}))["marks"]
    assert len(flat) % 3 == 0
    return [
        {"line": line, "endLine": end_line, "count": count}
        for line, end_line, count in zip(flat[0::3], flat[1::3], flat[2::3], strict=True)
    ]


async def test_typing_lines_above_a_memory_moves_its_tree_row_and_mark_without_a_refresh(editor):
    uri = editor.open("src/app.py")
    item = await editor.remember(uri, LOAD_LINE, "Config is read as text")
    await editor.wait_for_change()

    editor.edit(uri, (0, 0), (0, 0), "# one\n# two\n# three\n")  # unsaved, as while typing
    change = await editor.wait_for_change()
    assert uri in change["files"]
    [row] = await file_rows(editor)
    assert (row["id"], row["line"], row["detached"]) == (item["id"], LOAD_LINE + 3, False)
    assert [(m["line"], m["endLine"]) for m in await marks(editor, uri)] == [
        (LOAD_LINE + 3, LOAD_LINE + 3)
    ]
    hint = (await editor.request(protocol.LINE_HINT, {"uri": uri, "line": LOAD_LINE + 3}))["hint"]
    assert hint["label"] == item["label"]


async def test_typing_within_a_line_sends_no_change(editor):
    uri = editor.open("src/app.py")
    await editor.remember(uri, LOAD_LINE, "Config is read as text")
    await editor.wait_for_change()
    seen = len(editor.changes)
    editor.edit(uri, (MAIN_LINE, 4), (MAIN_LINE, 4), "x")
    await asyncio.sleep(0.6)
    assert len(editor.changes) == seen


async def test_deleting_a_memorys_lines_shows_it_detached_and_unmarked(editor):
    uri = editor.open("src/app.py")
    kept = await editor.remember(uri, MAIN_LINE, "main reads CONFIG")
    gone = await editor.remember(uri, LOAD_LINE, "Config is read as text", end_line=LOAD_LINE + 2)
    await editor.wait_for_change()

    editor.edit(uri, (LOAD_LINE, 0), (LOAD_LINE + 3, 0), "")
    await editor.wait_for_change()
    rows = {row["id"]: row for row in await file_rows(editor)}
    assert rows[gone["id"]]["detached"] is True
    assert rows[kept["id"]]["detached"] is False and rows[kept["id"]]["line"] == MAIN_LINE - 3
    assert [m["line"] for m in await marks(editor, uri)] == [MAIN_LINE - 3]
    assert await editor.hover(uri, LOAD_LINE) is None


async def test_marks_share_a_line_and_the_hint_names_its_most_salient_memory(editor):
    uri = editor.open("src/app.py")
    await editor.remember(uri, LOAD_LINE, "Loader note", salience="LOW")
    critical = await editor.remember(uri, LOAD_LINE, "Never cache the config", salience="CRITICAL")
    await editor.remember(uri, MAIN_LINE, "Entry point")
    found = await marks(editor, uri)
    assert [(m["line"], m["count"]) for m in found] == [(LOAD_LINE, 2), (MAIN_LINE, 1)]
    hint = (await editor.request(protocol.LINE_HINT, {"uri": uri, "line": LOAD_LINE}))["hint"]
    assert hint == {
        "label": critical["label"],
        "salience": "Critical",
        "age": "just now",
        "count": 2,
    }
    personal = await editor.request(
        protocol.LINE_HINT, {"uri": uri, "line": LOAD_LINE, "audience": "personal"}
    )
    assert personal["hint"]["label"] == critical["gists"]["personal"]
    assert (await editor.request(protocol.LINE_HINT, {"uri": uri, "line": 0}))["hint"] is None
    assert (await editor.request(protocol.FILE_MARKS, {"uri": editor.uri("README.md")}))[
        "marks"
    ] == []


async def test_file_marks_answer_bad_params_with_an_error_and_keep_serving(editor):
    with pytest.raises(JsonRpcInvalidParams, match="uri"):
        await editor.raw_request(protocol.FILE_MARKS, {"uri": 42})
    with pytest.raises(JsonRpcInvalidParams, match="line"):
        await editor.raw_request(protocol.LINE_HINT, {"uri": editor.uri("src/app.py"), "line": -1})
    assert (await editor.request(protocol.FILE_MARKS, {"uri": editor.uri("src/app.py")}))[
        "marks"
    ] == []


async def test_a_memory_another_process_adds_shows_in_the_tree_gutter_and_hover_unasked(editor):
    from vidurai.storage import MemoryDatabase

    uri = editor.open("src/app.py")
    assert await editor.hover(uri, LOAD_LINE) is None
    seen = len(editor.changes)
    editor.expect_change()
    with MemoryDatabase(editor.db_path) as cli:  # `vidurai remember --file src/app.py --line 4`
        cli.store_memory(
            str(editor.root), "Config is read as text", "Config is read as text", "MEDIUM",
            "note", "src/app.py", LOAD_LINE + 1,
        )  # fmt: skip

    # The open buffer (never saved) follows the new memory, then trees and gutters are told.
    deadline = asyncio.get_running_loop().time() + 10
    while (hover := await editor.hover(uri, LOAD_LINE)) is None:
        await editor.wait_for_change(timeout=max(0.1, deadline - asyncio.get_running_loop().time()))
    assert "Config is read as text" in hover.contents.value
    await asyncio.sleep(0.6)  # past the server's coalescing window
    assert any(editor.project in change["projects"] for change in editor.changes[seen:])
    assert [m["line"] for m in await marks(editor, uri)] == [LOAD_LINE]


async def test_a_pin_and_a_gist_another_process_writes_reach_the_tree_unasked(editor):
    from vidurai.storage import MemoryDatabase

    editor.expect_change()
    with MemoryDatabase(editor.db_path) as cli:  # `vidurai remember`, then pin and gist
        memory_id = cli.store_memory(
            str(editor.root), "Config is read as text", "Config is read as text", "MEDIUM",
            "note", "src/app.py", LOAD_LINE + 1,
        )  # fmt: skip
        await editor.wait_for_change(timeout=10)  # told of the new memory: the server has looked
        await asyncio.sleep(0.6)  # past the server's coalescing window
        seen = len(editor.changes)
        editor.expect_change()
        cli.set_memory_pinned(memory_id, True, "keep for the release")
        cli.store_audience_gists(
            memory_id, {"developer": "Config arrives as text"}, written_by_user=True
        )

    await editor.wait_for_change(timeout=10)
    assert any(editor.project in change["projects"] for change in editor.changes[seen:])
    [row] = await file_rows(editor)
    assert row["pinned"] is True
    assert row["label"] == "Config arrives as text"


async def test_a_file_changed_on_disk_moves_and_detaches_its_memories_unopened(editor):
    uri = editor.open("src/app.py")
    load = await editor.remember(uri, LOAD_LINE, "Config is read as text")
    main = await editor.remember(uri, MAIN_LINE, "main reads CONFIG")
    editor.close(uri)
    await editor.wait_for_change()
    assert any(r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES for r in editor.registrations)

    # A `git pull` inserts two lines above load_config and deletes main().
    lines = APP.splitlines()
    pulled = lines[:LOAD_LINE] + ["# pulled", "# in"] + lines[LOAD_LINE:MAIN_LINE]
    (editor.root / "src" / "app.py").write_text("\n".join(pulled) + "\n")
    editor.files_changed_on_disk("src/app.py", "src/untracked.py")
    change = await editor.wait_for_change()
    assert uri in change["files"]
    rows = {row["id"]: row for row in await file_rows(editor)}
    assert (rows[load["id"]]["line"], rows[load["id"]]["detached"]) == (LOAD_LINE + 2, False)
    assert rows[main["id"]]["detached"] is True
    hover = await editor.hover(uri, LOAD_LINE + 2)
    assert hover is not None and "Config is read as text" in hover.contents.value


async def test_opening_a_file_refreshes_the_tree_only_when_a_memory_moved(editor):
    # Memories from another program (the CLI) name a line but carry no anchor text yet.
    from vidurai.storage import MemoryDatabase

    with MemoryDatabase(editor.db_path) as db:
        db.store_memory(
            str(editor.root),
            "Config is read as text",
            "Config is read as text",
            "MEDIUM",
            "note",
            "src/app.py",
            LOAD_LINE + 1,
        )
    uri = editor.open("src/app.py")
    assert [m["line"] for m in await marks(editor, uri)] == [LOAD_LINE]
    await asyncio.sleep(0.6)  # past the server's coalescing window
    # Nothing anyone sees changed: no reload of this file's rows or gutter. (The server's own
    # start-up work, which a loaded machine delays, may still announce the project as a whole.)
    assert not [change for change in editor.changes if uri in change["files"]]
    editor.close(uri)

    # The anchor text was kept on that open all the same: the memory follows a `git pull`.
    lines = APP.splitlines()
    pulled = lines[:LOAD_LINE] + ["# pulled"] + lines[LOAD_LINE:]
    (editor.root / "src" / "app.py").write_text("\n".join(pulled) + "\n")
    uri = editor.open("src/app.py")
    change = await editor.wait_for_change()
    assert uri in change["files"]
    assert [m["line"] for m in await marks(editor, uri)] == [LOAD_LINE + 1]
    editor.close(uri)
    assert [row["line"] for row in await file_rows(editor)] == [LOAD_LINE + 1]  # as stored


async def test_status_says_when_the_database_is_broken_and_what_to_do(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    broken = tmp_path / "memory.db"
    broken.write_bytes(b"this is not a database" * 100)
    editor = Editor(root, broken)
    await editor.start()
    try:
        status = (await editor.request(protocol.STATUS))["database"]
        assert status["ok"] is False and status["path"] == str(broken)
        assert "not a usable Vidurai database" in status["problem"]
        assert "databasePath" in status["advice"]
    finally:
        await editor.stop()
    assert broken.read_bytes() == b"this is not a database" * 100


async def test_status_of_a_working_database(editor):
    status = (await editor.request(protocol.STATUS))["database"]
    assert status == {"ok": True, "path": str(editor.db_path), "problem": None, "advice": None}


async def test_each_folder_speaks_in_its_own_audience_until_one_is_chosen(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(APP)
    editor = Editor(root, tmp_path / "memory.db")
    await editor.start(folderAudiences={editor.project: "manager"})
    try:
        uri = editor.open("src/app.py")
        item = await editor.remember(uri, LOAD_LINE, "Fixed config loading for JWT settings")
        assert item["audience"] == "manager"
        hover = await editor.hover(uri, LOAD_LINE)
        assert item["gists"]["manager"].split()[0] in hover.contents.value
        [row] = await file_rows(editor)
        assert row["label"] == item["gists"]["manager"]

        await editor.command(protocol.CMD_SET_AUDIENCE, "developer")
        [row] = await file_rows(editor)
        assert row["label"] == item["gists"]["developer"]
    finally:
        await editor.stop()


async def test_search_rows_do_not_repeat_the_label_and_stay_on_one_line(editor):
    await editor.command(
        protocol.CMD_REMEMBER,
        {"note": "Loader keeps config as text", "selection": "first\n\nsecond zebra line"},
    )
    [by_gist] = (await editor.request(protocol.SEARCH, {"query": "loader"}))["results"]
    assert by_gist["snippet"] == ""
    [by_verbatim] = (await editor.request(protocol.SEARCH, {"query": "zebra"}))["results"]
    assert "**zebra**" in by_verbatim["snippet"] and "\n" not in by_verbatim["snippet"]
