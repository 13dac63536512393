"""A broken database or odd input never takes the server down."""

import sqlite3

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from vidurai.lsp import protocol
from vidurai.storage import MemoryDatabase
from tests.lsp.conftest import Editor


@pytest.fixture
async def broken_editor(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("print('hello')\n")
    db_path = tmp_path / "memory.db"
    db_path.write_bytes(b"this is not a database, it is a shopping list\n" * 100)
    editor = Editor(root, db_path)
    await editor.start()
    yield editor
    await editor.stop()


async def test_an_unopenable_database_is_reported_and_the_server_stays_up(broken_editor):
    editor = broken_editor
    errors = [m for m in editor.client.messages if m.type == types.MessageType.Error]
    assert len(errors) == 1 and str(editor.db_path) in errors[0].message

    uri = editor.open("src/app.py")
    assert await editor.hover(uri, 0) is None
    with pytest.raises(JsonRpcException) as error:
        await editor.request(protocol.MEMORIES, {"groupBy": "file"})
    assert "could not be opened" in error.value.message
    with pytest.raises(JsonRpcException):
        await editor.remember(uri, 0, "a note")
    assert editor.db_path.read_bytes().startswith(b"this is not a database")


async def test_pointing_the_setting_at_a_good_database_recovers_without_a_restart(broken_editor):
    editor = broken_editor
    good = editor.db_path.with_name("good.db")
    editor.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"vidurai": {"databasePath": str(good)}})
    )
    uri = editor.open("src/app.py")
    await editor.remember(uri, 0, "Greets the world")
    assert "Greets the world" in (await editor.hover(uri, 0)).contents.value


async def test_a_database_from_a_newer_vidurai_is_refused_and_left_alone(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    db_path = tmp_path / "memory.db"
    with sqlite3.connect(db_path) as conn:
        conn.execute("CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO metadata VALUES ('schema_version', '999')")
    before = db_path.read_bytes()
    editor = Editor(root, db_path)
    await editor.start()
    try:
        errors = [m for m in editor.client.messages if m.type == types.MessageType.Error]
        assert errors and "999" in errors[0].message
        with pytest.raises(JsonRpcException):
            await editor.request(protocol.STATS, {})
    finally:
        await editor.stop()
    assert db_path.read_bytes() == before


async def test_a_failing_command_in_the_terminal_becomes_a_memory_without_a_file(editor):
    editor.notify(
        protocol.TERMINAL_COMMAND,
        {
            "command": "pytest tests/test_config.py",
            "exitCode": 1,
            "cwd": editor.project,
            "output": "E   KeyError: 'CONFIG'\n1 failed in 0.12s",
        },
    )
    change = await editor.wait_for_change()
    assert change["projects"] == [editor.project]
    groups = (await editor.request(protocol.MEMORIES, {"groupBy": "file"}))["groups"]
    assert groups == [{"key": "nofile", "label": "Without a file", "count": 1}]
    page = await editor.request(protocol.MEMORIES, {"groupBy": "file", "group": "nofile"})
    assert "pytest tests/test_config.py" in page["items"][0]["gist"]
    assert page["items"][0]["uri"] is None and page["items"][0]["line"] is None


async def test_capture_toggles_apply_without_a_restart(editor):
    editor.client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={
                "vidurai": {"databasePath": str(editor.db_path), "capture": {"terminal": False}}
            }
        )
    )
    editor.notify(
        protocol.TERMINAL_COMMAND,
        {
            "command": "make build",
            "exitCode": 2,
            "cwd": editor.project,
            "output": "error: nope",
        },
    )
    stats = await editor.request(protocol.STATS, {})
    assert stats["total"] == 0


async def test_a_document_outside_the_workspace_gets_no_hover(editor, tmp_path):
    outside = tmp_path / "elsewhere.py"
    outside.write_text("x = 1\n")
    uri = editor.open("src/app.py")
    await editor.remember(uri, 0, "Imports os for the environment")
    editor.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(
                uri=outside.as_uri(), language_id="python", version=1, text="x = 1\n"
            )
        )
    )
    assert await editor.hover(outside.as_uri(), 0) is None
    assert await editor.hover(uri, 0) is not None


async def test_forgetting_runs_at_start_and_tells_the_client(tmp_path):
    root = tmp_path / "project"
    root.mkdir()
    db_path = tmp_path / "memory.db"
    with MemoryDatabase(db_path) as db:
        stale = db.store_memory(
            root,
            "old",
            "Temporary debugging note",
            "NOISE",
            "note",
            created_at="2000-01-01 00:00:00",
        )
        kept = db.store_memory(
            root,
            "old",
            "Never forget the migration order",
            "CRITICAL",
            "note",
            created_at="2000-01-01 00:00:00",
        )
    editor = Editor(root, db_path)
    await editor.start()
    try:
        change = await editor.wait_for_change()
        assert change["projects"] == [editor.project]
        ledger = await editor.request(protocol.LEDGER, {})
        assert [entry["memoryId"] for entry in ledger["entries"]] == [stale]
        assert "NOISE" in ledger["entries"][0]["reason"]
        page = await editor.request(protocol.MEMORIES, {"groupBy": "file", "group": "nofile"})
        assert [item["id"] for item in page["items"]] == [kept]
    finally:
        await editor.stop()
