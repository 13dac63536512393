"""Drive the real server process over stdio, as an editor would."""

from __future__ import annotations

import asyncio
import sys
import uuid
from concurrent.futures import Future
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.protocol import default_converter
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCResponseMessage
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import register_lsp_features

from vidurai.lsp import protocol

SERVER_COMMAND = [sys.executable, "-m", "vidurai", "serve"]

APP = """import os


def load_config(path):
    with open(path) as handle:
        return handle.read()


def main():
    print(load_config(os.environ["CONFIG"]))
"""


def _plain_json_converter():
    """Custom results and notifications as plain dicts (pygls would make namedtuples)."""
    converter = default_converter()
    converter.register_structure_hook(JsonRPCResponseMessage, lambda obj, cls: cls(**obj))
    converter.register_structure_hook(JsonRPCNotification, lambda obj, cls: cls(**obj))
    return converter


class Editor:
    """One workspace folder with a file, a database, and a running server (restartable)."""

    def __init__(self, root: Path, db_path: Path):
        self.root = root
        self.db_path = db_path
        self.client: LanguageClient | None = None
        self.changes: list[dict] = []
        # Where the notifications that answer this editor's last action (a start, an open, an
        # edit, a save, a command…) begin: one may arrive before the test asks for it.
        self.awaited_change = 0
        self.versions: dict[str, int] = {}
        self.registrations: list = []  # what the server asked the client to watch

    def uri(self, name: str) -> str:
        return from_fs_path(str(self.root / name))

    @property
    def project(self) -> str:
        return from_fs_path(str(self.root))

    async def start(self, env: dict[str, str] | None = None, **settings) -> types.InitializeResult:
        """Start the server (with ``env`` as its environment when given) and initialize it."""
        self.expect_change()
        client = LanguageClient(converter_factory=_plain_json_converter)
        register_lsp_features(client)

        @client.feature(protocol.MEMORIES_CHANGED)
        def memories_changed(params):
            self.changes.append(params)

        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register_capability(params):
            self.registrations.extend(params.registrations)

        await client.start_io(*SERVER_COMMAND, **({"env": env} if env is not None else {}))
        self.client = client
        options = {"databasePath": str(self.db_path), **settings}
        return await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=self.project,
                workspace_folders=[types.WorkspaceFolder(uri=self.project, name=self.root.name)],
                initialization_options=options,
            )
        )

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.shutdown_session()
            await self.client.stop()
            self.client = None

    def open(self, name: str, text: str | None = None) -> str:
        uri = self.uri(name)
        text = text if text is not None else (self.root / name).read_text()
        self.versions[uri] = 1
        self.expect_change()
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
            )
        )
        return uri

    def edit(self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str) -> int:
        self.versions[uri] += 1
        self.expect_change()
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(
                    uri=uri, version=self.versions[uri]
                ),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(*start), types.Position(*end)), text=text
                    )
                ],
            )
        )
        return self.versions[uri]

    def files_changed_on_disk(self, *names: str) -> None:
        """What VS Code sends for files another program changed (the server's file watch)."""
        self.expect_change()
        self.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams(
                changes=[
                    types.FileEvent(uri=self.uri(name), type=types.FileChangeType.Changed)
                    for name in names
                ]
            )
        )

    def close(self, uri: str) -> None:
        self.expect_change()
        self.client.text_document_did_close(
            types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri))
        )

    def save(self, uri: str) -> None:
        self.expect_change()
        self.client.text_document_did_save(
            types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=uri))
        )

    async def hover(self, uri: str, line: int) -> types.Hover | None:
        return await self.client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line, 4))
        )

    async def command(self, command: str, *arguments):
        self.expect_change()
        return await self.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=list(arguments))
        )

    async def request(self, method: str, params: dict | None = None):
        return await self.client.protocol.send_request_async(method, params or {})

    async def raw_request(self, method: str, params) -> object:
        """Send params exactly as given, even where the client's own types would refuse them."""
        message_id = f"raw-{uuid.uuid4()}"
        answer: Future = Future()
        self.client.protocol._request_futures[message_id] = answer
        self.client.protocol._send_data(
            {"jsonrpc": "2.0", "id": message_id, "method": method, "params": params}
        )
        async with asyncio.timeout(10):  # a dropped request must fail the test, not hang it
            return await asyncio.wrap_future(answer)

    def notify(self, method: str, params: dict) -> None:
        self.expect_change()
        self.client.protocol.notify(method, params)

    async def remember(self, uri: str, line: int, note: str, end_line: int | None = None, **extra):
        return await self.command(
            protocol.CMD_REMEMBER,
            {
                "uri": uri,
                "startLine": line,
                "endLine": line if end_line is None else end_line,
                "note": note,
                **extra,
            },
        )

    def expect_change(self) -> None:
        """Mark where the notifications of what happens next begin (each action marks it; a
        test marks it before another process writes)."""
        self.awaited_change = len(self.changes)

    async def wait_for_change(self, timeout: float = 5.0) -> dict:
        """The first vidurai/memoriesChanged notification after this editor's last action,
        though it came before this call (then the next one, if called again)."""
        awaited = self.awaited_change
        async with asyncio.timeout(timeout):
            while len(self.changes) <= awaited:
                await asyncio.sleep(0.02)
        self.awaited_change = awaited + 1
        return self.changes[awaited]


@pytest.fixture
async def editor(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(APP)
    editor = Editor(root, tmp_path / "memory.db")
    await editor.start()
    yield editor
    await editor.stop()
