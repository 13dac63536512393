"""Which errors the client is blamed for: only its own mistakes are InvalidParams; a fault
of the server is answered as InternalError and logged with its traceback."""

from __future__ import annotations

import asyncio
import logging
import sqlite3

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams

from vidurai.lsp import protocol
from vidurai.lsp.server import create_server

LOAD_LINE = 4


class StoreWithABug:
    """A store (and capture) that lose a key: the kind of bug a refactor leaves behind."""

    db_path = "memory.db"

    def get_statistics(self, project: str) -> dict:
        raise KeyError("total")

    def command_finished(self, *args: object) -> int:
        raise KeyError("exit_code")


def test_a_bug_in_a_handler_is_an_internal_error_logged_with_its_traceback(monkeypatch, caplog):
    server = create_server()
    shown: list[tuple[types.MessageType, str]] = []
    monkeypatch.setattr(
        server, "log", lambda message, kind=types.MessageType.Info: shown.append((kind, message))
    )
    monkeypatch.setattr(server.session, "require_db", StoreWithABug)
    monkeypatch.setattr(server.session, "project", lambda uri: "/work/project")
    stats = server.protocol.fm.features[protocol.STATS]

    with caplog.at_level(logging.ERROR), pytest.raises(JsonRpcInternalError) as answer:
        stats({})

    assert not isinstance(answer.value, JsonRpcInvalidParams)
    assert "KeyError" in answer.value.message
    logged = [r for r in caplog.records if r.exc_info and r.exc_info[0] is KeyError]
    assert logged, "the KeyError's traceback is not in the server log"
    assert [kind for kind, _ in shown] == [types.MessageType.Error]
    assert "KeyError" in shown[0][1]


def test_a_bug_in_a_notification_handler_is_logged_not_swallowed(monkeypatch, caplog):
    server = create_server()
    monkeypatch.setattr(server, "log", lambda message, kind=types.MessageType.Info: None)
    monkeypatch.setattr(server.session, "require_capture", StoreWithABug)
    monkeypatch.setattr(server.session, "project", lambda uri: "/work/project")
    terminal = server.protocol.fm.features[protocol.TERMINAL_COMMAND]

    with caplog.at_level(logging.ERROR):
        terminal({"command": "make", "exitCode": 2})

    assert any(r.exc_info and r.exc_info[0] is KeyError for r in caplog.records)


async def test_a_store_broken_under_the_server_is_an_internal_error_and_the_server_keeps_serving(
    editor,
):
    uri = editor.open("src/app.py")
    memory = await editor.remember(uri, LOAD_LINE, "Config is read as text")
    with sqlite3.connect(editor.db_path) as other:  # another program breaks the file's schema
        other.execute("ALTER TABLE audience_gists RENAME TO audience_gists_gone")

    with pytest.raises(JsonRpcException) as answer:
        await editor.request(protocol.MEMORY, {"id": memory["id"]})

    assert answer.value.code == JsonRpcInternalError.CODE
    assert "audience_gists" in answer.value.message
    await asyncio.sleep(0.2)
    assert any(
        "audience_gists" in m.message
        for m in editor.client.log_messages
        if m.type == types.MessageType.Error
    )
    status = await editor.request(protocol.STATUS, {})
    assert status["database"]["ok"] is True
    with pytest.raises(JsonRpcInvalidParams, match="no memory with id 999999"):
        await editor.command(protocol.CMD_PIN, 999999)
