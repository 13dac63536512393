"""VS Code's part of a session, played against the real servers: buffers, a real type checker
(pyright's language server from node_modules), the diagnostics forwarder with the extension's
debounce, and a terminal that runs real commands.

Edits go to both servers as VS Code's language clients send them (incremental didChange with
ranges); pyright's publishDiagnostics are forwarded to Vidurai as ``extension/capture/
diagnostics.ts`` does (per file, 500 ms after the last change, the file's full set, with the
buffer's version).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import converters, types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from tests.lsp.conftest import Editor
from vidurai.lsp import protocol

REPO = Path(__file__).resolve().parents[2]
PYRIGHT = REPO / "node_modules" / ".bin" / "pyright-langserver"
FORWARD_DEBOUNCE_SECONDS = 0.5  # extension/capture/diagnostics.ts
TYPING_DELAY_SECONDS = 0.05  # between keystroke bursts
_wire = converters.get_converter()


@dataclass
class Buffer:
    uri: str
    text: str
    saved: str
    version: int = 1


class Pyright:
    """pyright-langserver --stdio, collecting what it publishes."""

    def __init__(self, root: Path, on_publish):
        self.root = root
        self.on_publish = on_publish
        self.client: LanguageClient | None = None

    async def start(self) -> None:
        if not PYRIGHT.exists():
            raise RuntimeError(f"{PYRIGHT} is missing: run `npm ci` (scripts/node-env.sh does)")
        client = LanguageClient("vscode-like", "1")

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.on_publish(params.uri, list(params.diagnostics))

        @client.feature(types.WORKSPACE_CONFIGURATION)
        def configuration(params: types.ConfigurationParams) -> list:
            return [{} for _ in params.items]

        @client.feature(types.WINDOW_LOG_MESSAGE)
        def log_message(params) -> None:
            pass

        await client.start_io(str(PYRIGHT), "--stdio")
        root_uri = from_fs_path(str(self.root))
        await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=root_uri,
                workspace_folders=[types.WorkspaceFolder(uri=root_uri, name=self.root.name)],
            )
        )
        client.initialized(types.InitializedParams())
        self.client = client

    async def stop(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            await client.shutdown_async(None)
            client.exit(None)
            await client.stop()


class Workbench:
    """One workspace folder open in a VS Code-like editor with pyright and Vidurai."""

    def __init__(self, root: Path, db_path: Path):
        self.root = root
        self.vidurai = Editor(root, db_path)
        self.pyright = Pyright(root, self._published)
        self.buffers: dict[str, Buffer] = {}
        self.diagnostics: dict[str, list[types.Diagnostic]] = {}
        self._forwards: dict[str, asyncio.TimerHandle] = {}
        self._last_publish = time.monotonic()

    # ------------------------------------------------------------------ lifecycle

    async def start(self, **settings) -> None:
        await self.vidurai.start(**settings)
        await self.pyright.start()

    async def stop(self) -> None:
        for handle in self._forwards.values():
            handle.cancel()
        await self.pyright.stop()
        await self.vidurai.stop()

    async def restart_pyright(self) -> None:
        """Restart the type checker as VS Code does: its diagnostics are cleared meanwhile."""
        await self.pyright.stop()
        for uri in list(self.diagnostics):
            self._published(uri, [])
        await asyncio.sleep(2 * FORWARD_DEBOUNCE_SECONDS)  # the empty sets are forwarded
        await self.pyright.start()
        for buffer in self.buffers.values():
            self._open_in_pyright(buffer)

    # ------------------------------------------------------------------ buffers

    def uri(self, name: str) -> str:
        return from_fs_path(str(self.root / name))

    def open(self, name: str) -> str:
        text = (self.root / name).read_text()
        buffer = Buffer(self.uri(name), text, text)
        self.buffers[name] = buffer
        self.vidurai.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(uri=buffer.uri, language_id="python", version=1, text=text)
            )
        )
        self._open_in_pyright(buffer)
        return buffer.uri

    def _open_in_pyright(self, buffer: Buffer) -> None:
        self.pyright.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(
                    uri=buffer.uri, language_id="python", version=buffer.version, text=buffer.text
                )
            )
        )

    def replace(self, name: str, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
        """One content change, sent to both servers."""
        buffer = self.buffers[name]
        lines = buffer.text.split("\n")
        begin = sum(len(line) + 1 for line in lines[: start[0]]) + start[1]
        finish = sum(len(line) + 1 for line in lines[: end[0]]) + end[1]
        buffer.text = buffer.text[:begin] + text + buffer.text[finish:]
        buffer.version += 1
        change = types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(
                uri=buffer.uri, version=buffer.version
            ),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(*start), types.Position(*end)), text=text
                )
            ],
        )
        self.vidurai.client.text_document_did_change(change)
        self.pyright.client.text_document_did_change(change)

    async def type(self, name: str, line: int, character: int, text: str, burst: int = 3) -> None:
        """Type ``text`` at a position a few characters at a time, as a person does."""
        for index in range(0, len(text), burst):
            chunk = text[index : index + burst]
            self.replace(name, (line, character), (line, character), chunk)
            if "\n" in chunk:
                line += chunk.count("\n")
                character = len(chunk.rsplit("\n", 1)[1])
            else:
                character += len(chunk)
            await asyncio.sleep(TYPING_DELAY_SECONDS)

    async def retype(self, name: str, old: str, new: str) -> None:
        """Select ``old`` (first occurrence) and type ``new`` over it."""
        buffer = self.buffers[name]
        offset = buffer.text.index(old)
        line = buffer.text.count("\n", 0, offset)
        character = offset - (buffer.text.rfind("\n", 0, offset) + 1)
        self.replace(name, (line, character), (line, character + len(old)), "")
        await self.type(name, line, character, new)

    def line_of(self, name: str, needle: str) -> int:
        """The 0-based line of the first line containing ``needle``."""
        return next(
            i for i, line in enumerate(self.buffers[name].text.split("\n")) if needle in line
        )

    def save(
        self, name: str, reason: types.TextDocumentSaveReason = types.TextDocumentSaveReason.Manual
    ) -> None:
        """Ctrl+S (or, with ``reason`` AfterDelay, files.autoSave): willSave, then didSave."""
        buffer = self.buffers[name]
        identifier = types.TextDocumentIdentifier(uri=buffer.uri)
        self.vidurai.client.text_document_will_save(
            types.WillSaveTextDocumentParams(identifier, reason)
        )
        (self.root / name).write_text(buffer.text)
        buffer.saved = buffer.text
        params = types.DidSaveTextDocumentParams(identifier)
        self.vidurai.client.text_document_did_save(params)
        self.pyright.client.text_document_did_save(params)

    def revert(self, name: str) -> None:
        """File > Revert File: the whole buffer replaced by the saved text (one ranged change)."""
        buffer = self.buffers[name]
        lines = buffer.text.split("\n")
        self.replace(name, (0, 0), (len(lines) - 1, len(lines[-1])), buffer.saved)

    def close(self, name: str) -> None:
        """Close without saving: the edits are thrown away."""
        buffer = self.buffers.pop(name)
        params = types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=buffer.uri))
        self.vidurai.client.text_document_did_close(params)
        self.pyright.client.text_document_did_close(params)

    # ------------------------------------------------------------------ the diagnostics forwarder

    def _published(self, uri: str, diagnostics: list[types.Diagnostic]) -> None:
        self._last_publish = time.monotonic()
        self.diagnostics[uri] = diagnostics
        loop = asyncio.get_running_loop()
        if uri in self._forwards:
            self._forwards[uri].cancel()
        self._forwards[uri] = loop.call_later(FORWARD_DEBOUNCE_SECONDS, self._forward, uri)

    def _forward(self, uri: str) -> None:
        self._forwards.pop(uri, None)
        self._last_publish = time.monotonic()
        buffer = next((b for b in self.buffers.values() if b.uri == uri), None)
        self.vidurai.notify(
            protocol.DIAGNOSTICS,
            {
                "uri": uri,
                "version": buffer.version if buffer else None,
                "diagnostics": [_wire.unstructure(d) for d in self.diagnostics.get(uri, [])],
            },
        )

    async def idle(self, quiet: float = 1.5, timeout: float = 60.0) -> None:
        """Wait until the type checker has published nothing for ``quiet`` seconds and every
        forward has been sent."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._forwards and time.monotonic() - self._last_publish >= quiet:
                return
            await asyncio.sleep(0.1)
        raise TimeoutError("the type checker kept publishing")

    async def wait_for(self, name: str, predicate, timeout: float = 60.0) -> list[types.Diagnostic]:
        """Wait until pyright's diagnostics for ``name`` satisfy ``predicate``, then until idle."""
        uri = self.uri(name)
        deadline = time.monotonic() + timeout
        while not predicate(self.diagnostics.get(uri)):
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"pyright never reported the expected state for {name}: "
                    f"{[d.message for d in self.diagnostics.get(uri) or []]}"
                )
            await asyncio.sleep(0.1)
        await self.idle()
        return self.diagnostics[uri]

    # ------------------------------------------------------------------ the terminal

    def run(self, command: str) -> tuple[int, str]:
        """Run a command in the project as an integrated terminal would, and forward it."""
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "Dev",
            "GIT_AUTHOR_EMAIL": "dev@example.com",
            "GIT_COMMITTER_NAME": "Dev",
            "GIT_COMMITTER_EMAIL": "dev@example.com",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        }
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=self.root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
        )
        self._forward_command(command, done.returncode, done.stdout)
        return done.returncode, done.stdout

    def interrupt(self, command: str, signal_number: int = signal.SIGINT) -> int:
        """Start a long-running command and stop it as Ctrl+C (or a kill) would."""
        process = subprocess.Popen(
            ["bash", "-c", command],
            cwd=self.root,
            start_new_session=True,
            # A shell started in the background ignores Ctrl+C and hands that on (POSIX), so
            # run from one, `tail -f` would never stop: give the command Ctrl+C back.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        time.sleep(0.5)
        os.killpg(process.pid, signal_number)
        output, _ = process.communicate(timeout=30)
        exit_code = 128 - process.returncode if process.returncode < 0 else process.returncode
        self._forward_command(command, exit_code, output)
        return exit_code

    def _forward_command(self, command: str, exit_code: int, output: str) -> None:
        self.vidurai.notify(
            protocol.TERMINAL_COMMAND,
            {
                "command": command,
                "exitCode": exit_code,
                "cwd": from_fs_path(str(self.root)),
                "output": output[-8192:],
            },
        )
