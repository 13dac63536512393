"""workspace/executeCommand: remember, forget, pin/unpin, set audience, set gist, run forgetting."""

from __future__ import annotations

from typing import Any, Sequence

from vidurai.lsp import present, protocol
from vidurai.lsp.features import Feature
from vidurai.lsp.features.params import (
    arguments_of,
    limit_text,
    memory_id,
    request,
    require_text,
    salience,
)
from vidurai.lsp.lines import to_stored
from vidurai.lsp.protocol import ParamsError
from vidurai.lsp.runtime import document_lines


class Commands(Feature):
    def register(self) -> None:
        for name, handler in (
            (protocol.CMD_REMEMBER, self.remember),
            (protocol.CMD_FORGET, self.forget),
            (protocol.CMD_PIN, self.pin),
            (protocol.CMD_UNPIN, self.unpin),
            (protocol.CMD_SET_AUDIENCE, self.set_audience),
            (protocol.CMD_SET_GIST, self.set_gist),
            (protocol.CMD_RUN_FORGETTING, self.run_forgetting),
        ):
            self.on_command(name, request(self.server, handler))

    def remember(self, *arguments: Any) -> protocol.MemoryItem:
        server, session = self.server, self.session
        args = protocol.structure(
            arguments_of(arguments, 1, "one argument (an object)")[0], protocol.RememberArgs
        )
        limit_text(args.note, "note", protocol.MAX_NOTE_CHARS)
        limit_text(args.selection, "selection", protocol.MAX_SELECTION_CHARS)
        limit_text(args.uri, "uri", protocol.MAX_URI_CHARS)
        limit_text(args.project, "project", protocol.MAX_URI_CHARS)
        note = require_text(args.note, "note", protocol.MAX_NOTE_CHARS)
        level = salience(args.salience)
        capture = session.require_capture()
        if args.uri is None:
            if args.start_line is not None or args.end_line is not None:
                raise ParamsError("startLine and endLine need the uri of their document")
            project = session.project(args.project)
            new_id = capture.remember_note(project, None, None, None, args.selection, note, level)
            server.changed(project, None)
            return self.memory_item(new_id)
        if args.start_line is None or args.end_line is None:
            raise ParamsError("a note on a document needs startLine and endLine")
        if args.start_line < 0 or args.end_line < args.start_line:
            raise ParamsError(
                f"lines must satisfy 0 <= startLine <= endLine, got {args.start_line}..{args.end_line}"
            )
        project, file = session.locate(args.uri)
        selection = args.selection
        document = session.documents.get(args.uri)
        if document is not None:
            lines = document_lines(server, args.uri)
            if args.end_line >= len(lines):
                raise ParamsError(
                    f"endLine {args.end_line} is past the end of the document ({len(lines)} lines)"
                )
            # The whole lines, so the memory's anchor text is its first line as written.
            selection = "\n".join(lines[args.start_line : args.end_line + 1])
        new_id = capture.remember_note(
            project,
            file,
            to_stored(args.start_line),
            to_stored(args.end_line),
            selection,
            note,
            level,
        )
        session.track_new_memories([new_id])
        server.changed(project, file)
        return self.memory_item(new_id)

    def forget(self, *arguments: Any) -> protocol.ForgetResult:
        forgotten_id = memory_id(arguments)
        db = self.session.require_db()
        memory = db.get_memory_by_id(forgotten_id)
        forgotten = db.delete_memory(forgotten_id)
        if forgotten and memory is not None:
            self.session.untrack_memories([forgotten_id])
            self.server.changed(memory.project_path, memory.file_path)
        return protocol.ForgetResult(forgotten=forgotten)

    def pin(self, *arguments: Any) -> protocol.MemoryItem:
        return self._set_pinned(arguments, True)

    def unpin(self, *arguments: Any) -> protocol.MemoryItem:
        return self._set_pinned(arguments, False)

    def _set_pinned(self, arguments: Sequence[Any], pinned: bool) -> protocol.MemoryItem:
        pinned_id = memory_id(arguments)
        self.session.require_db().set_memory_pinned(pinned_id, pinned)
        return self._changed_item(pinned_id)

    def set_audience(self, *arguments: Any) -> protocol.AudienceResult:
        session = self.session
        requested = arguments_of(arguments, 1, "one argument (an audience)")[0]
        session.audience = self.audience_of(protocol.structure(requested, str))
        session.folder_audiences = {}  # one choice for the whole window
        self.server.changed_everywhere()
        return protocol.AudienceResult(audience=session.audience)

    def set_gist(self, *arguments: Any) -> protocol.MemoryItem:
        raw_id, raw_audience, raw_gist = arguments_of(
            arguments, 3, "three arguments (memoryId, audience, gist)"
        )
        gist_id = protocol.structure(raw_id, int)
        audience = self.audience_of(protocol.structure(raw_audience, str))
        gist = require_text(protocol.structure(raw_gist, str), "gist", protocol.MAX_GIST_CHARS)
        self.session.require_capture().rewrite_gist(gist_id, audience, gist)
        return self._changed_item(gist_id)

    def _changed_item(self, changed_id: int) -> protocol.MemoryItem:
        result = self.memory_item(changed_id)
        self.server.changed(self.session.project(result.project), result.file)
        return result

    def run_forgetting(self, *arguments: Any) -> protocol.ForgettingResult:
        self.session.require_db()
        entries = self.server.run_forgetting()
        return protocol.ForgettingResult(forgotten=[present.ledger_entry(e) for e in entries])
