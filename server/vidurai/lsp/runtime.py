"""The server object under the handlers: pygls plumbing, change notifications, background work.

``ViduraiProtocol`` moves memory anchors through each edit before pygls applies it (it needs
the text as it was) and answers malformed standard requests instead of dropping them;
``ViduraiServer`` coalesces ``vidurai/memoriesChanged`` and runs forgetting and the periodic
writes (hover uses, anchor writes the store refused when the file was saved).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import threading
import time
from functools import partial
from typing import Any, BinaryIO, Callable, TypeVar
from urllib.parse import unquote

from cattrs.cols import is_sequence, list_structure_factory
from lsprotocol import types
from pygls.exceptions import FeatureRequestError, JsonRpcException, JsonRpcInvalidParams
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol, default_converter, lsp_method
from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage

from vidurai.lsp import protocol
from vidurai.lsp.documents import OpenDocument, text_lines
from vidurai.lsp.framing import INTERNAL_ERROR, INVALID_REQUEST, FrameReader, Rejected
from vidurai.lsp.lines import to_lsp
from vidurai.lsp.session import Session
from vidurai.memory.anchors import LineEdit
from vidurai.storage import LedgerEntry, MemoryStore

log = logging.getLogger(__name__)
T = TypeVar("T")

CHANGES_WINDOW_SECONDS = 0.2  # vidurai/memoriesChanged is coalesced over this window
CONFIRM_INTERVAL_SECONDS = 1.0  # candidate fixes are checked this often while there are any
BACKGROUND_INTERVAL_SECONDS = (
    15.0  # hover "uses" (and refused anchor writes) are written this often
)
EMBED_PROGRESS_SECONDS = 10.0  # a progress line in the log at most this often
# What an open does beyond following the lines in memory waits this long: the gutter's marks
# and a first hover, sent with the open, are answered first.
AFTER_OPEN_SECONDS = 0.3
# Background work (gists made by older rules, forgetting, loading the meaning model and
# vectors, embedding older memories) holds the interpreter, and a request waits for the
# interpreter: each piece of it waits until the editor has been quiet this long, and until
# this long after start, when the tree and the open files' marks and hovers are asked for.
EDITOR_QUIET_SECONDS = 0.5
STARTUP_QUIET_SECONDS = 2.0
# The store is checked this often for what another process (the CLI, MCP, another window)
# changed: the tree, the gutter and hovers then show it without a Refresh.
OTHER_WRITERS_SECONDS = 2.0
# Memories per page when gists are made again in the background (about 30 ms of work).
REGENERATE_PAGE = 100


def freeze_start_up_objects() -> None:
    """Everything loaded by now (modules, the protocol's types, the meaning model) lives as
    long as the server. Moved out of the garbage collector's sight, it is no longer walked by
    every full collection: one took 30-50 ms, a pause any hover or gutter request could hit.
    What `vidurai serve` froze early, before its first collection, is looked at here too, so
    the garbage its imports left is freed."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


# ---------------------------------------------------------------------- pygls plumbing


def _converter():
    """pygls' converter, except that ``vidurai/*`` params stay plain JSON: handlers check
    them strictly and answer a precise error (pygls would turn them into namedtuples)."""
    converter = default_converter()
    plain = converter.get_structure_hook(JsonRPCRequestMessage)

    def keep_custom_params(obj: dict, cls: type) -> Any:
        if str(obj.get("method", "")).startswith(protocol.CUSTOM_PREFIX):
            return cls(**obj)
        return plain(obj, cls)

    converter.register_structure_hook(JsonRPCRequestMessage, keep_custom_params)
    converter.register_structure_hook(JsonRPCNotification, keep_custom_params)

    # cattrs turns a string sent for a list into a list of its characters (a 300,000-char
    # string cost 1.2 GB): a list-typed field takes only a JSON array.
    def only_a_list(cls: type) -> Callable[[Any, type], Any]:
        structure_items = list_structure_factory(cls, converter)

        def structure(obj: Any, _: type) -> Any:
            if not isinstance(obj, list):
                raise TypeError(f"expected a list, got {type(obj).__name__}")
            return structure_items(obj, cls)

        return structure

    converter.register_structure_hook_factory(is_sequence, only_a_list)
    return converter


class ViduraiProtocol(LanguageServerProtocol):
    _server: "ViduraiServer"

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        """Move memory anchors through each change, seeing the text before it is applied."""
        uri, version = params.text_document.uri, params.text_document.version
        if unquote(uri) not in self.workspace.text_documents:
            log.warning("ignored didChange for %s, which is not open", uri[:200])
            return  # pygls would make a new document of it, kept forever
        session = self._server.session
        document = session.documents.get(uri)
        moved = False
        for change in params.content_changes:
            edit = None
            if document is not None and isinstance(change, types.TextDocumentContentChangePartial):
                edit = _line_edit(self.workspace.get_text_document(uri), change)
                moved = document.apply_edit(edit) or moved
            self.workspace.update_text_document(params.text_document, change)
            if document is not None and session.capture is not None:
                text = self.workspace.get_text_document(uri).source
                session.capture.document_edited(
                    document.project, document.file, version, edit, text
                )
            if document is not None and edit is None:
                _retrack(self._server, document)  # the whole text was replaced
                moved = True
        if moved and document is not None:  # the tree's rows and the gutter's marks follow
            self._server.changed(document.project, document.file)  # the lines at once
        yield from ()

    def structure_message(self, data: dict[str, Any]):
        """A malformed standard request still gets an answer (pygls would drop it)."""
        try:
            return super().structure_message(data)
        except JsonRpcException as error:
            reason = f"invalid params for {data.get('method')}: {error.__cause__ or error}"
            if "jsonrpc" in data and "id" in data and "method" in data:
                self._send_response(
                    data["id"], error=JsonRpcInvalidParams(reason[:2000]).to_response_error()
                )
            raise JsonRpcInvalidParams(reason[:300]) from None


def _line_edit(text_document, change: types.TextDocumentContentChangePartial) -> LineEdit:
    start, end = change.range.start, change.range.end
    lines = text_document.lines
    end_line_length = None
    if 0 <= end.line < len(lines):
        end_line_length = text_document.position_codec.client_num_units(
            lines[end.line].rstrip("\r\n")
        )
    return LineEdit(
        start.line, start.character, end.line, end.character, change.text, end_line_length
    )


def _retrack(server: "ViduraiServer", document: OpenDocument) -> None:
    """Follow the memories afresh: from the stored lines and their anchor text."""
    document.unfollow()
    server.session.track(document, document_lines(server, document.uri))


def document_lines(server: "ViduraiServer", uri: str) -> list[str]:
    return text_lines(server.workspace.get_text_document(uri).source)


class ViduraiServer(LanguageServer):
    def __init__(self) -> None:
        from vidurai import __version__

        super().__init__(
            "vidurai",
            __version__,
            protocol_cls=ViduraiProtocol,
            converter_factory=_converter,
            text_document_sync_kind=types.TextDocumentSyncKind.Incremental,
        )
        self.session = Session(lambda: list(self.workspace.folders.keys()))
        self._changes_scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._initialize_seen = False
        self._started_at = self._last_message_at = time.monotonic()
        self._after_open: list[Callable[[], None]] = []  # see after_open_requests

    # ------------------------------------------------------------------ reading messages

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve stdin/stdout through ``FrameReader`` (bounded, every request answered)
        instead of pygls' reader."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(self._serve((stdin or sys.stdin.buffer).fileno()))
        except BrokenPipeError:
            log.error("the editor closed the connection; stopping")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    async def _serve(self, stdin: int) -> None:
        loop = asyncio.get_running_loop()
        chunks: asyncio.Queue[bytes] = asyncio.Queue(maxsize=4)  # at most 256 KiB read ahead

        def read_stdin() -> None:  # a daemon thread: a blocked read never delays the exit
            while True:
                chunk = os.read(stdin, 1 << 16)
                asyncio.run_coroutine_threadsafe(chunks.put(chunk), loop).result()
                if not chunk:
                    return

        threading.Thread(target=read_stdin, name="stdin", daemon=True).start()
        reader = FrameReader(chunks.get)
        while not (self._stop_event is not None and self._stop_event.is_set()):
            message = await reader.next()
            if message is None:
                break
            if isinstance(message, Rejected):
                self._reject(message)
            else:
                self._dispatch(message)

    def _reject(self, rejected: Rejected) -> None:
        """One log line; an error answer to every id the message carried."""
        log.warning("rejected a message: %s", rejected.reason[:300])
        for message_id in rejected.ids:
            self._answer_error(message_id, rejected.code, rejected.reason)

    def _answer_error(self, message_id: Any, code: int, reason: str) -> None:
        self.protocol._send_response(
            message_id, error=JsonRpcException(reason[:2000], code).to_response_error()
        )

    def _dispatch(self, message: dict[str, Any]) -> None:
        method = message.get("method")
        is_request = method is not None and "id" in message
        if is_request and method == types.INITIALIZE and self._initialize_seen:
            return self._reject(
                Rejected(
                    INVALID_REQUEST,
                    "the server is already initialized; start another server for another workspace",
                    [message["id"]],
                )
            )
        if is_request and self.protocol._shutdown and method != types.EXIT:
            return self._reject(
                Rejected(INVALID_REQUEST, "the server is shutting down", [message["id"]])
            )
        if method is not None and message.get("params") is None:
            # JSON-RPC lets params be left out; PROTOCOL.md makes every custom message's optional
            custom = isinstance(method, str) and method.startswith(protocol.CUSTOM_PREFIX)
            message["params"] = {} if custom else None
        self._initialize_seen |= is_request and method == types.INITIALIZE
        self._last_message_at = time.monotonic()
        try:
            self.protocol.handle_message(self.protocol.structure_message(message))
        except JsonRpcException as error:  # already answered by ViduraiProtocol
            log.warning("rejected %s: %s", str(method)[:100], error.message[:300])
        except Exception as error:
            log.warning("failed to handle %s: %s", str(method)[:100], str(error)[:300])
            if is_request:
                self._answer_error(message["id"], INTERNAL_ERROR, f"the server failed: {error}")

    def report_server_error(self, error: Exception, source: Any) -> None:
        """Errors no request is waiting for go to the log, not to a pop-up. InvalidParams is
        an ordinary answer to a client's mistake (the client gets the message): not logged."""
        if isinstance(error, (JsonRpcInvalidParams, FeatureRequestError)):
            return  # FeatureRequestError (an unknown method): pygls logged its one line
        log.error("%s: %s", getattr(source, "__name__", source), error)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the server serves on (known once ``start_background`` ran)."""
        assert self._loop is not None, "the server is not serving yet"
        return self._loop

    # ------------------------------------------------------------------ change notifications

    def memories_changed(self) -> None:
        """Send ``vidurai/memoriesChanged`` once per window, whatever changed in it."""
        if self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._schedule_changes)

    def _schedule_changes(self) -> None:
        if not self._changes_scheduled:
            self._changes_scheduled = True
            self.loop.call_later(CHANGES_WINDOW_SECONDS, self._send_changes)

    def _send_changes(self) -> None:
        self._changes_scheduled = False
        pending = self.session.take_changes()
        if pending is not None:
            self.protocol.notify(
                protocol.MEMORIES_CHANGED,
                protocol.MemoriesChangedParams(sorted(pending.projects), sorted(pending.files)),
            )

    def after_open_requests(self, job: Callable[[], None]) -> None:
        """Run ``job`` (on the server's loop) once the requests that come with an open are
        answered, or at the latest when the server stops (``write_pending``)."""
        if self._loop is None:
            job()
            return
        self._after_open.append(job)
        self._loop.call_later(AFTER_OPEN_SECONDS, self._run_after_open, job)

    def _run_after_open(self, job: Callable[[], None]) -> None:
        if job in self._after_open:
            self._after_open.remove(job)
            job()

    def changed(self, project: str, file: str | None = None) -> None:
        self.session.changed(project, file)
        self.memories_changed()

    def changed_everywhere(self) -> None:
        for folder in self.session.folder_paths():
            self.session.changed(folder)
        self.memories_changed()

    # ------------------------------------------------------------------ file watching

    def watch_files(self) -> None:
        """Ask the client to report files changed on disk (a `git pull`, another editor), so
        anchors of files not open in it follow too; clients that cannot are left alone."""
        capabilities = self.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities else None
        if not (watched and watched.dynamic_registration):
            return
        self.client_register_capability(
            types.RegistrationParams(
                registrations=[
                    types.Registration(
                        id="vidurai-watch-files",
                        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=types.DidChangeWatchedFilesRegistrationOptions(
                            watchers=[
                                types.FileSystemWatcher(
                                    glob_pattern="**/*",
                                    kind=types.WatchKind.Create | types.WatchKind.Change,
                                ),
                            ]
                        ),
                    ),
                ]
            )
        )

    # ------------------------------------------------------------------ background work

    def start_background(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._loop.create_task(self._forget_periodically())
        self._loop.create_task(self._write_periodically())
        self._loop.create_task(self._embed_in_background())
        self._loop.create_task(self._confirm_periodically())
        self._loop.create_task(self._follow_other_writers())

    async def _background(self, work: Callable[[], T]) -> T:
        """Run ``work`` on a worker thread once the editor is quiet (see EDITOR_QUIET_SECONDS)."""
        while True:
            now = time.monotonic()
            wait = max(
                self._started_at + STARTUP_QUIET_SECONDS - now,
                self._last_message_at + EDITOR_QUIET_SECONDS - now,
            )
            if wait <= 0:
                return await self.loop.run_in_executor(self.thread_pool, work)
            await asyncio.sleep(wait)

    async def _embed_in_background(self) -> None:
        """Give memories stored without a meaning vector (before this version, or by a
        process without the embedding packages) their vectors, newest first, one batch at a
        time. The state is in the file, so a backfill cut short resumes at the next start."""
        from vidurai.storage import semantic_search_unavailable

        reason = await self._background(semantic_search_unavailable)
        db = self.session.db
        if reason is None and db is not None:  # the first search by meaning finds it loaded
            try:
                await self._background(db.vector_index)
            except Exception:
                log.exception("loading the meaning vectors failed")
        await self._background(freeze_start_up_objects)
        if reason is not None:
            self.log(
                f"Search by meaning is off, searching by words only: the embedding packages "
                f"cannot be loaded ({reason}). Install them with "
                f"`{sys.executable} -m pip install wordllama`.",
                types.MessageType.Warning,
            )
            return
        last_report = self.loop.time()
        embedded = 0
        while True:
            db = self.session.db
            try:
                count = await self._background(db.backfill_embeddings) if db is not None else 0
            except Exception:  # a locked or closed file: try again later
                log.exception("embedding memories failed")
                count = 0
            if count == 0:
                if embedded:
                    self.log(f"Search by meaning: embedded {embedded:,} older memories.")
                    embedded = 0
                await asyncio.sleep(BACKGROUND_INTERVAL_SECONDS)
                continue
            embedded += count
            if db is not None and self.loop.time() - last_report >= EMBED_PROGRESS_SECONDS:
                done, total = await self.loop.run_in_executor(
                    self.thread_pool, db.embedding_progress
                )
                self.log(f"Search by meaning: {done:,} of {total:,} memories embedded…")
                last_report = self.loop.time()

    async def _forget_periodically(self) -> None:
        from vidurai.memory.forgetting import FORGETTING_INTERVAL_SECONDS

        while True:
            await self._refresh_gists()
            await self._background(self.run_forgetting)
            await asyncio.sleep(FORGETTING_INTERVAL_SECONDS)

    async def _refresh_gists(self) -> None:
        """Gists made by older rules are made again (nothing to do once they are current), a
        page at a time, each page once the editor is quiet: after an upgrade this walks every
        memory (seconds for a large store), and typing must not wait for it."""
        from vidurai.memory.regenerate import gists_are_current, regenerate_page

        db, capture = self.session.db, self.session.capture
        if db is None or capture is None:
            return
        changed, started = 0, time.monotonic()
        after: int | None = 0
        try:
            if await self._background(lambda: gists_are_current(db)):
                return
            self.log("Writing the gists again with this version's rules (once, in the background)…")
            while after is not None and self.session.db is db:  # a new database starts over
                page_changed, after = await self._background(
                    partial(regenerate_page, db, capture.generator, after, REGENERATE_PAGE)
                )
                changed += page_changed
        except Exception as error:  # a locked or broken file must not stop the server
            log.exception("regenerating gists failed")
            self.log(f"Regenerating gists failed: {error}", types.MessageType.Warning)
        if after is None:
            self.log(
                f"Gists written again: {changed:,} changed in {time.monotonic() - started:.1f} s."
            )
        if changed:
            self.changed_everywhere()

    def run_forgetting(self) -> list[LedgerEntry]:
        from vidurai.memory.forgetting import forget_now

        db = self.session.db
        if db is None:
            return []
        try:
            entries = forget_now(db)
        except Exception as error:  # a locked or broken file must not stop the server
            log.exception("forgetting failed")
            self.log(f"Forgetting failed: {error}", types.MessageType.Warning)
            return []
        if entries:
            self.loop.call_soon_threadsafe(self._after_forgetting, entries)
        return entries

    def _after_forgetting(self, entries: list[LedgerEntry]) -> None:
        self.session.untrack_memories(entry.memory_id for entry in entries)
        self.changed_everywhere()

    async def _confirm_periodically(self) -> None:
        while True:
            await asyncio.sleep(CONFIRM_INTERVAL_SECONDS)
            try:
                self.confirm_fixes()
            except Exception:  # a locked store must not stop the checks
                log.exception("confirming fixes failed")

    def confirm_fixes(self) -> None:
        """Store the fixes that are confirmed by now, and show them."""
        session = self.session
        if session.capture is None or not session.capture.has_pending_fixes():
            return
        memory_ids = session.capture.confirm_fixes(self._current_line)
        if not memory_ids:
            return
        session.track_new_memories(memory_ids)
        for memory in session.require_db().get_memories_by_ids(memory_ids):
            self.changed(memory.project_path, memory.file_path)

    def _current_line(self, project: str, file: str, line: int) -> str | None:
        """A line (1-based) of an open document's current text."""
        for document in self.session.documents.values():
            if document.project == os.path.normpath(project) and document.file == file:
                lines = document_lines(self, document.uri)
                index = to_lsp(line)
                return lines[index] if 0 <= index < len(lines) else None
        return None

    async def _follow_other_writers(self) -> None:
        """What another process changed (added, removed or edited memories): open documents
        follow the new ones (their hovers), and every folder is announced (trees and gutters
        ask again)."""
        while True:
            await asyncio.sleep(OTHER_WRITERS_SECONDS)
            db = self.session.db
            try:
                changed = db is not None and await self._background(db.changed_elsewhere)
            except Exception:  # a locked or closed file: look again later
                log.exception("checking the store for other writers failed")
                continue
            if changed and db is self.session.db:
                for document in list(self.session.documents.values()):
                    self.session.follow(document, document_lines(self, document.uri))
                self.changed_everywhere()

    async def _write_periodically(self) -> None:
        """Hover uses are written by a worker thread: the write may wait for another
        process's write lock (a long `vidurai import`), and hovers must not wait with it."""
        while True:
            await asyncio.sleep(BACKGROUND_INTERVAL_SECONDS)
            db, touched = self._take_pending()
            if db is not None and touched:
                await self.loop.run_in_executor(self.thread_pool, _write_uses, db, touched)

    def write_pending(self) -> None:
        """Now (before the store is closed): everything ``_take_pending`` hands over, and the
        hovered memories counted as used."""
        db, touched = self._take_pending()
        if db is not None and touched:
            _write_uses(db, touched)

    def _take_pending(self) -> tuple[MemoryStore | None, set[int]]:
        """Save what opens found (``after_open_requests``) and retry anchor writes the store
        refused at save, on the loop (they keep their order with the edits); return the
        store and the hovered memories not counted yet."""
        for job in self._after_open[:]:
            self._run_after_open(job)
        db = self.session.db
        if db is None:
            return None, set()
        try:
            self.session.flush_anchor_writes()
        except Exception:
            log.exception("writing anchors failed")
        touched, self.session.touched = self.session.touched, set()
        return db, touched


def _write_uses(db: MemoryStore, memory_ids: set[int]) -> None:
    try:
        db.touch_memories(memory_ids)
    except Exception:  # a locked or closed file: these uses are not counted
        log.exception("writing hover uses failed")
