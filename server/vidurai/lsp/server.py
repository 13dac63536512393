"""Vidurai's language server (pygls 2.x on stdio): LSP messages in, calls to the layers below.

Handlers only translate: params are checked (``protocol.structure``) and turned into calls
on the session, the memory layer or the store; results go back as ``protocol`` types. Any
bad input is answered with InvalidParams naming what was wrong, and the server keeps serving.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Callable, Sequence
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams

from vidurai.lsp import present, protocol, tree
from vidurai.lsp.documents import OpenDocument
from vidurai.lsp.runtime import ViduraiServer, document_lines
from vidurai.lsp.session import DatabaseUnavailable, OutsideWorkspace, parse_settings
from vidurai.memory.archive import decline_legacy, import_legacy, legacy_candidate
from vidurai.memory.display import place_text
from vidurai.storage import Memory, StoreError
from vidurai.storage.models import SalienceLevel

# The answers offered when the predecessor's memories are found (window/showMessageRequest).
LEGACY_IMPORT, LEGACY_LATER = "Import", "Not now"

# ---------------------------------------------------------------------- error translation


def answers_errors(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Bad input → InvalidParams with its message; an unopenable store → an error saying so."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except JsonRpcException:
            raise
        except DatabaseUnavailable as error:
            raise JsonRpcInternalError(str(error)) from None
        except (ValueError, LookupError) as error:  # ParamsError, unknown ids and audiences…
            message = error.args[0] if isinstance(error, KeyError) and error.args else str(error)
            raise JsonRpcInvalidParams(str(message)) from None

    return wrapper


def _limit_text(value: str | None, name: str, limit: int) -> None:
    if value is not None and len(value) > limit:
        raise protocol.ParamsError(f"{name} is {len(value)} characters; at most {limit} are allowed")


def _check_range(value: int, name: str, low: int, high: int) -> int:
    if not low <= value <= high:
        raise protocol.ParamsError(f"{name} must be between {low} and {high}, not {value}")
    return value


def _memory_id(arguments: Sequence[Any]) -> int:
    if len(arguments) != 1:
        raise protocol.ParamsError(f"expected one argument (a memory id), got {len(arguments)}")
    return protocol.structure(arguments[0], int)


# ---------------------------------------------------------------------- the server


def create_server() -> ViduraiServer:
    server = ViduraiServer()
    session = server.session

    def audience_of(requested: str | None, project: str | None = None) -> str:
        if requested is None:
            return session.audience if project is None else session.audience_for(project)
        return session.require_db().validate_audience(requested.strip().lower())

    def item(memory_id: int, audience: str | None = None) -> protocol.MemoryItem:
        db = session.require_db()
        memory = db.get_memory_by_id(memory_id)
        if memory is None:
            raise LookupError(f"no memory with id {memory_id}")
        return present.memory_item(
            memory, audience or session.audience_for(memory.project_path),
            db.get_audience_gists(memory_id),
            session.live_place(memory.project_path, memory.file_path, memory_id),
        )

    def apply_settings(raw: Any) -> None:
        old = session.settings
        session.settings, problems = parse_settings(raw)
        if session.db is None or session.settings.database_path != old.database_path:
            server.write_pending()
            session.open_database()
            if session.db is None:
                server.window_show_message(types.ShowMessageParams(
                    type=types.MessageType.Error,
                    message=f"Vidurai: {session.db_error}. Hovers and the tree stay empty "
                            "until this is fixed (see the vidurai.databasePath setting).",
                ))
            for uri, document in list(session.documents.items()):
                document.anchors.clear()
                session.track(document, document_lines(server, uri))
        problems += session.apply_audiences()
        session.apply_capture_settings()
        for problem in problems:
            server.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Warning, message=f"Vidurai: {problem}"))

    def on_line(uri: str, line: int, audience: str | None) -> tuple[list[Memory], str]:
        """The attached memories on a 0-based line, most salient first, in the audience of the
        line's folder (unless one is asked for); live anchors when the document is open."""
        db = session.require_db()
        document = session.documents.get(uri)
        if document is not None:  # live anchors: the lines may have moved since the last save
            audience = audience_of(audience, document.project)
            return db.get_memories_by_ids(document.memory_ids_at(line), audience), audience
        try:
            project, file = session.locate(uri)
        except OutsideWorkspace:
            return [], session.audience
        audience = audience_of(audience, project)
        return db.memories_at(project, file, line + 1, audience), audience

    # ------------------------------------------------------------------ lifecycle

    @server.feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        apply_settings(params.initialization_options)

    @server.feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        server.start_background()
        server.watch_files()
        await offer_legacy_import()

    async def offer_legacy_import() -> None:
        """Once per store: the predecessor's memories exist and this store is empty. The
        editor only shows the question (window/showMessageRequest) and sends the answer."""
        db = session.db
        legacy = legacy_candidate(db, once=True) if db is not None else None
        if db is None or legacy is None:
            return
        try:
            answer = await server.window_show_message_request_async(types.ShowMessageRequestParams(
                type=types.MessageType.Info,
                message=f"Vidurai found memories from its predecessor in {legacy}. Import them? "
                        "The old file is not changed.",
                actions=[types.MessageActionItem(LEGACY_IMPORT),
                         types.MessageActionItem(LEGACY_LATER)],
            ))
        except JsonRpcException:  # a client that cannot ask: ask again next time
            return
        if session.db is not db:
            return  # the database setting changed while the question was open
        if answer is None or answer.title != LEGACY_IMPORT:
            decline_legacy(db)
            return
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                server.thread_pool, import_legacy, db, legacy)
        except (ValueError, OSError, StoreError) as error:
            server.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error, message=f"Vidurai: importing failed: {error}"))
            return
        server.window_show_message(types.ShowMessageParams(
            type=types.MessageType.Info,
            message=f"Vidurai imported {result.imported} memories from {legacy}.",
        ))
        server.changed_everywhere()

    @server.feature(types.SHUTDOWN)
    def shutdown(params: None) -> None:
        server.write_pending()

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        apply_settings(params.settings)
        server.changed_everywhere()

    # ------------------------------------------------------------------ documents

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        try:
            project, file = session.locate(uri)
        except OutsideWorkspace:
            return
        document, lines = OpenDocument(uri, project, file), document_lines(server, uri)
        session.follow(document, lines)
        # Found corrections are written once the requests sent with an open are answered.
        server.after_open_requests(lambda: save_found_on_open(document, lines, params.text_document.version))
        if session.capture is not None:
            session.capture.document_opened(project, file, params.text_document.version,
                                            params.text_document.text)

    def save_found_on_open(document: OpenDocument, lines: list[str], version: int) -> None:
        """Lines found moved on open (the file changed while no editor watched it) are saved,
        unless the buffer was closed or edited since (its next save writes them then)."""
        if session.documents.get(document.uri) is not document:
            return
        if server.workspace.get_text_document(document.uri).version != version:
            return
        if session.save_anchors(document, lines):
            server.changed(document.project, document.file)

    @server.feature(types.TEXT_DOCUMENT_WILL_SAVE)
    def will_save(params: types.WillSaveTextDocumentParams) -> None:
        session.save_reasons[params.text_document.uri] = params.reason

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        changed = [c.uri for c in params.changes if c.type != types.FileChangeType.Deleted]
        for project, file in session.reanchor_changed_files(changed):
            server.changed(project, file)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        reason = session.save_reasons.pop(params.text_document.uri, types.TextDocumentSaveReason.Manual)
        document = session.documents.get(params.text_document.uri)
        if document is not None:
            session.save_anchors(document, document_lines(server, document.uri))
            # Memories another program (the CLI, MCP) added meanwhile get hovers too.
            session.track(document, document_lines(server, document.uri))
            if session.capture is not None:
                session.capture.document_saved(
                    document.project, document.file, server.workspace.get_text_document(document.uri).source,
                    deliberate=reason == types.TextDocumentSaveReason.Manual,
                )
                server.confirm_fixes()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        # Unsaved edits are discarded with the buffer: the stored anchors (as of the last
        # save) still match the file, and what the edits seemed to fix was not fixed.
        session.save_reasons.pop(params.text_document.uri, None)
        document = session.documents.pop(params.text_document.uri, None)
        if document is not None and session.capture is not None:
            session.capture.document_closed(document.project, document.file)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams) -> types.Hover | None:
        if session.db is None or not session.settings.hover_enabled:
            return None
        uri = params.text_document.uri
        memories, audience = on_line(uri, params.position.line, None)
        if not memories:
            return None
        document = session.documents.get(uri)
        session.touched.update(memory.id for memory in memories[: present.MAX_HOVER_MEMORIES])
        first = memories[0]
        lines = document.live_lines(first.id) if document is not None else None
        assert first.line_number is not None  # memories on a line have one
        start, end = lines or (first.line_number - 1, (first.end_line or first.line_number) - 1)
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value=present.hover_markdown(memories, audience),
            ),
            range=types.Range(types.Position(start, 0), types.Position(end + 1, 0)),
        )

    # ------------------------------------------------------------------ commands

    @server.command(protocol.CMD_REMEMBER)
    @answers_errors
    def remember(*arguments: Any) -> protocol.MemoryItem:
        if len(arguments) != 1:
            raise protocol.ParamsError(f"expected one argument (an object), got {len(arguments)}")
        args = protocol.structure(arguments[0], protocol.RememberArgs)
        _limit_text(args.note, "note", protocol.MAX_NOTE_CHARS)
        _limit_text(args.selection, "selection", protocol.MAX_SELECTION_CHARS)
        _limit_text(args.uri, "uri", protocol.MAX_URI_CHARS)
        _limit_text(args.project, "project", protocol.MAX_URI_CHARS)
        capture = session.require_capture()
        if args.uri is None:
            if args.start_line is not None or args.end_line is not None:
                raise protocol.ParamsError("startLine and endLine need the uri of their document")
            project = session.project(args.project)
            memory_id = capture.remember_note(
                project, None, None, None, args.selection, args.note, args.salience)
            server.changed(project, None)
            return item(memory_id)
        if args.start_line is None or args.end_line is None:
            raise protocol.ParamsError("a note on a document needs startLine and endLine")
        if args.start_line < 0 or args.end_line < args.start_line:
            raise protocol.ParamsError(
                f"lines must satisfy 0 <= startLine <= endLine, got {args.start_line}..{args.end_line}"
            )
        project, file = session.locate(args.uri)
        selection = args.selection
        document = session.documents.get(args.uri)
        if document is not None:
            lines = document_lines(server, args.uri)
            if args.end_line >= len(lines):
                raise protocol.ParamsError(
                    f"endLine {args.end_line} is past the end of the document ({len(lines)} lines)"
                )
            # The whole lines, so the memory's anchor text is its first line as written.
            selection = "\n".join(lines[args.start_line: args.end_line + 1])
        memory_id = capture.remember_note(
            project, file, args.start_line + 1, args.end_line + 1, selection, args.note, args.salience,
        )
        session.track_new_memories([memory_id])
        server.changed(project, file)
        return item(memory_id)

    @server.command(protocol.CMD_FORGET)
    @answers_errors
    def forget(*arguments: Any) -> protocol.ForgetResult:
        memory_id = _memory_id(arguments)
        db = session.require_db()
        memory = db.get_memory_by_id(memory_id)
        forgotten = db.delete_memory(memory_id)
        if forgotten and memory is not None:
            session.untrack_memories([memory_id])
            server.changed(memory.project_path, memory.file_path)
        return protocol.ForgetResult(forgotten=forgotten)

    def set_pinned(arguments: Sequence[Any], pinned: bool) -> protocol.MemoryItem:
        memory_id = _memory_id(arguments)
        session.require_db().set_memory_pinned(memory_id, pinned)
        result = item(memory_id)
        server.changed(session.project(result.project), result.file)
        return result

    @server.command(protocol.CMD_PIN)
    @answers_errors
    def pin(*arguments: Any) -> protocol.MemoryItem:
        return set_pinned(arguments, True)

    @server.command(protocol.CMD_UNPIN)
    @answers_errors
    def unpin(*arguments: Any) -> protocol.MemoryItem:
        return set_pinned(arguments, False)

    @server.command(protocol.CMD_SET_AUDIENCE)
    @answers_errors
    def set_audience(*arguments: Any) -> protocol.AudienceResult:
        if len(arguments) != 1:
            raise protocol.ParamsError(f"expected one argument (an audience), got {len(arguments)}")
        session.audience = audience_of(protocol.structure(arguments[0], str))
        session.folder_audiences = {}  # one choice for the whole window
        server.changed_everywhere()
        return protocol.AudienceResult(audience=session.audience)

    @server.command(protocol.CMD_SET_GIST)
    @answers_errors
    def set_gist(*arguments: Any) -> protocol.MemoryItem:
        if len(arguments) != 3:
            raise protocol.ParamsError(
                f"expected three arguments (memoryId, audience, gist), got {len(arguments)}"
            )
        memory_id = protocol.structure(arguments[0], int)
        audience = audience_of(protocol.structure(arguments[1], str))
        gist = protocol.structure(arguments[2], str)
        _limit_text(gist, "gist", protocol.MAX_GIST_CHARS)
        session.require_capture().rewrite_gist(memory_id, audience, gist)
        result = item(memory_id)
        server.changed(session.project(result.project), result.file)
        return result

    @server.command(protocol.CMD_RUN_FORGETTING)
    @answers_errors
    def run_forgetting(*arguments: Any) -> protocol.ForgettingResult:
        session.require_db()
        entries = server.run_forgetting()
        return protocol.ForgettingResult(forgotten=[present.ledger_entry(e) for e in entries])

    # ------------------------------------------------------------------ custom requests

    @server.feature(protocol.MEMORIES)
    @answers_errors
    def memories(params: Any) -> protocol.GroupsResult | protocol.ItemsResult:
        args = protocol.structure(params, protocol.MemoriesParams)
        if args.group_by not in protocol.GROUP_BY:
            raise protocol.ParamsError(
                f"unknown groupBy {args.group_by!r}; valid: {', '.join(protocol.GROUP_BY)}"
            )
        _check_range(args.limit, "limit", 1, protocol.MAX_PAGE)
        _check_range(args.offset, "offset", 0, 10**9)
        db = session.require_db()
        project = session.project(args.project)
        audience = audience_of(args.audience, project)
        if args.group is None:
            return tree.groups(db, project, args.group_by)
        return tree.page(
            db, project, args.group_by, args.group, audience, args.offset, args.limit,
            session.live_place,
        )

    @server.feature(protocol.MEMORY)
    @answers_errors
    def memory(params: Any) -> protocol.MemoryDetails:
        args = protocol.structure(params, protocol.MemoryParams)
        db = session.require_db()
        stored = db.get_memory_by_id(args.id)
        if stored is None:
            raise LookupError(f"no memory with id {args.id}")
        gists = db.get_audience_gists(args.id)
        history = db.get_gist_history(args.id)
        session.touched.add(args.id)
        return protocol.MemoryDetails(
            memory=item(args.id),
            verbatim=stored.verbatim,
            tags=list(stored.tags),
            history=[
                protocol.GistHistoryEntry(
                    audience=entry.audience, gist=entry.gist,
                    created_at=present.iso_time(entry.created_at),
                    replaced_at=present.iso_time(entry.replaced_at),
                )
                for entry in history
            ],
            markdown=present.memory_markdown(
                stored, gists, history, place_text(stored, session.live_lines)),
        )

    @server.feature(protocol.SEARCH)
    @answers_errors
    def search(params: Any) -> protocol.SearchResults:
        args = protocol.structure(params, protocol.SearchParams)
        _limit_text(args.query, "query", protocol.MAX_QUERY_CHARS)
        _check_range(args.limit, "limit", 1, protocol.MAX_PAGE)
        db = session.require_db()
        project = session.project(args.project)
        audience = audience_of(args.audience, project)
        hits = db.search_memories(
            project, args.query, min_salience=SalienceLevel.NOISE, limit=args.limit,
        )
        gists = db.get_audience_gists_bulk([hit.memory.id for hit in hits])
        return protocol.SearchResults(results=[
            present.search_result(hit, audience, gists.get(hit.memory.id, {})) for hit in hits
        ])

    @server.feature(protocol.CONTEXT)
    @answers_errors
    def context(params: Any) -> protocol.ContextResult:
        from vidurai.memory.briefing import build_context

        args = protocol.structure(params, protocol.ContextParams)
        _limit_text(args.query, "query", protocol.MAX_QUERY_CHARS)
        max_tokens = _check_range(
            args.max_tokens or session.settings.context_max_tokens, "maxTokens",
            protocol.MIN_TOKEN_BUDGET, protocol.MAX_TOKEN_BUDGET,
        )
        project = session.project(args.project)
        current_file = None
        if args.uri is not None:
            file_project, current_file = session.locate(args.uri)
            if args.project is None:
                project = file_project
        # An open file's text as it is in the editor, saved or not; else read from disk.
        open_document = (
            server.workspace.text_documents.get(unquote(args.uri)) if args.uri else None
        )
        briefing = build_context(
            session.require_db(), project, current_file=current_file, query=args.query,
            max_tokens=max_tokens, live_lines=session.live_lines,
            current_text=open_document.source if open_document is not None else None,
        )
        return protocol.ContextResult(
            markdown=briefing.markdown, tokens=briefing.tokens, memory_count=briefing.memory_count
        )

    @server.feature(protocol.REPORT)
    @answers_errors
    def report(params: Any) -> protocol.ReportResult:
        from vidurai.memory.briefing import build_report

        args = protocol.structure(params, protocol.ReportParams)
        _check_range(args.days, "days", 1, 3650)
        if args.max_tokens is not None:
            _check_range(
                args.max_tokens, "maxTokens", protocol.MIN_TOKEN_BUDGET, protocol.MAX_TOKEN_BUDGET
            )
        briefing = build_report(
            session.require_db(), session.project(args.project), days=args.days,
            audience=audience_of(args.audience), max_tokens=args.max_tokens,
        )
        return protocol.ReportResult(markdown=briefing.markdown, memory_count=briefing.memory_count)

    @server.feature(protocol.STATS)
    @answers_errors
    def stats(params: Any) -> protocol.StatsResult:
        args = protocol.structure(params, protocol.StatsParams)
        db = session.require_db()
        counts = db.get_statistics(session.project(args.project))
        return protocol.StatsResult(
            total=counts.total, pinned=counts.pinned, by_salience=counts.by_salience,
            by_event_type=counts.by_event_type, files=counts.files,
            audience=session.audience, database_path=db.location,
            schema_version=db.schema_version(),
        )

    @server.feature(protocol.FILE_MARKS)
    @answers_errors
    def file_marks(params: Any) -> protocol.FileMarksResult:
        from vidurai.lsp.marks import file_marks as marks_of

        args = protocol.structure(params, protocol.FileMarksParams)
        _limit_text(args.uri, "uri", protocol.MAX_URI_CHARS)
        db = session.require_db()
        try:
            project, file = session.locate(args.uri)
        except OutsideWorkspace:
            return protocol.FileMarksResult(marks=[])  # a file of no project has no memories
        rows = db.file_marks(project, file)
        return protocol.FileMarksResult(marks=marks_of(rows, session.documents.get(args.uri)))

    @server.feature(protocol.LINE_HINT)
    @answers_errors
    def line_hint(params: Any) -> protocol.LineHintResult:
        args = protocol.structure(params, protocol.LineHintParams)
        _limit_text(args.uri, "uri", protocol.MAX_URI_CHARS)
        _check_range(args.line, "line", 0, 10**8)
        memories, _ = on_line(args.uri, args.line, args.audience)
        if not memories:
            return protocol.LineHintResult(hint=None)
        first = memories[0]
        return protocol.LineHintResult(hint=protocol.LineHint(
            label=present.one_line(first.shown_gist),
            salience=first.salience.capitalize(), age=present.age(first.created_at),
            count=len(memories),
        ))

    @server.feature(protocol.STATUS)
    @answers_errors
    def status(params: Any) -> protocol.StatusResult:
        protocol.structure(params, protocol.StatusParams)
        ok, path, problem, advice = session.database_status()
        return protocol.StatusResult(database=protocol.DatabaseStatus(ok, path, problem, advice))

    @server.feature(protocol.LEDGER)
    @answers_errors
    def ledger(params: Any) -> protocol.LedgerResult:
        args = protocol.structure(params, protocol.LedgerParams)
        _check_range(args.limit, "limit", 1, 10_000)
        entries = session.require_db().get_forgetting_ledger(limit=args.limit)
        return protocol.LedgerResult(
            entries=[present.ledger_entry(entry) for entry in entries],
            markdown=present.ledger_markdown(entries),
        )

    # ------------------------------------------------------------------ notifications

    def notification(handler: Callable[[Any], None]) -> Callable[[Any], None]:
        """Nobody waits for a notification's answer: bad input is logged and dropped."""

        @functools.wraps(handler)
        def wrapper(params: Any) -> None:
            try:
                handler(params)
            except (ValueError, LookupError, DatabaseUnavailable) as error:
                server.log(f"Ignored {handler.__name__}: {error}", types.MessageType.Warning)

        return wrapper

    @server.feature(protocol.DIAGNOSTICS)
    @notification
    def diagnostics(params: Any) -> None:
        from vidurai.memory.fixes import DiagnosticEvent

        args = protocol.structure(params, protocol.DiagnosticsParams)
        if not session.settings.capture_diagnostics:
            return
        if len(args.diagnostics) > protocol.MAX_DIAGNOSTICS:
            raise protocol.ParamsError(f"more than {protocol.MAX_DIAGNOSTICS} diagnostics")
        capture = session.require_capture()
        project, file = session.locate(args.uri)
        lines = document_lines(server, args.uri) if args.uri in session.documents else []
        events = [
            DiagnosticEvent(
                message=diagnostic.message,
                line=diagnostic.range.start.line + 1,
                severity=int(diagnostic.severity or types.DiagnosticSeverity.Error),
                code=None if diagnostic.code is None else str(diagnostic.code),
                source=diagnostic.source,
                line_text=lines[diagnostic.range.start.line]
                if diagnostic.range.start.line < len(lines) else None,
            )
            for diagnostic in args.diagnostics
        ]
        capture.diagnostics_changed(project, file, events, args.version)
        server.confirm_fixes()

    @server.feature(protocol.TERMINAL_COMMAND)
    @notification
    def terminal_command(params: Any) -> None:
        args = protocol.structure(params, protocol.TerminalCommandParams)
        if not session.settings.capture_terminal:
            return
        _limit_text(args.command, "command", protocol.MAX_COMMAND_CHARS)
        output = args.output[-protocol.MAX_OUTPUT_CHARS:] if args.output else args.output
        try:
            project, _ = session.locate(args.cwd) if args.cwd else (session.project(None), None)
        except OutsideWorkspace:
            project = session.project(None)
        memory_id = session.require_capture().command_finished(
            project, args.command, args.exit_code, args.cwd, output
        )
        if memory_id is not None:
            server.changed(project)

    return server


def _not_a_bad_params_answer(record: logging.LogRecord) -> bool:
    """pygls logs every error answer with a traceback; InvalidParams is an ordinary answer
    to a client's mistake (the client gets the message), not a server fault to log. Its
    "Unable to deserialize message" traceback is replaced by the runtime's one line."""
    error = record.exc_info[1] if record.exc_info else None
    if str(record.msg).startswith("Unable to deserialize message"):
        return False
    return not isinstance(error, JsonRpcInvalidParams)


def main() -> None:
    """``vidurai serve``: the language server on stdin/stdout."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_not_a_bad_params_answer)
    create_server().start_io()
