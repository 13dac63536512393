"""What the editor shows on a remembered line: textDocument/hover, and the gutter's
``vidurai/fileMarks`` and ``vidurai/lineHint``."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from vidurai.lsp import present, protocol
from vidurai.lsp.features import Feature
from vidurai.lsp.features.params import check_range, limit_text, request
from vidurai.lsp.lines import stored_span
from vidurai.lsp.marks import file_marks as marks_of
from vidurai.lsp.session import OutsideWorkspace


class Hover(Feature):
    def register(self) -> None:
        self.on(types.TEXT_DOCUMENT_HOVER, self.hover)
        self.on(protocol.FILE_MARKS, request(self.server, self.file_marks))
        self.on(protocol.LINE_HINT, request(self.server, self.line_hint))

    def hover(self, params: types.HoverParams) -> types.Hover | None:
        session = self.session
        if session.db is None or not session.settings.hover_enabled:
            return None
        uri = params.text_document.uri
        memories, audience = self.memories_on_line(uri, params.position.line, None)
        if not memories:
            return None
        document = session.documents.get(uri)
        session.touched.update(memory.id for memory in memories[: present.MAX_HOVER_MEMORIES])
        first = memories[0]
        lines = document.live_lines(first.id) if document is not None else None
        assert first.line_number is not None  # memories on a line have one
        start, end = lines or stored_span(first.line_number, first.end_line)
        return types.Hover(
            contents=types.MarkupContent(
                kind=types.MarkupKind.Markdown,
                value=present.hover_markdown(memories, audience),
            ),
            range=types.Range(types.Position(start, 0), types.Position(end + 1, 0)),
        )

    def file_marks(self, params: Any) -> protocol.FileMarksResult:
        args = protocol.structure(params, protocol.FileMarksParams)
        limit_text(args.uri, "uri", protocol.MAX_URI_CHARS)
        db = self.session.require_db()
        try:
            project, file = self.session.locate(args.uri)
        except OutsideWorkspace:
            return protocol.FileMarksResult(marks=[])  # a file of no project has no memories
        rows = db.file_marks(project, file)
        return protocol.FileMarksResult(marks=marks_of(rows, self.session.documents.get(args.uri)))

    def line_hint(self, params: Any) -> protocol.LineHintResult:
        args = protocol.structure(params, protocol.LineHintParams)
        limit_text(args.uri, "uri", protocol.MAX_URI_CHARS)
        check_range(args.line, "line", 0, 10**8)
        memories, _ = self.memories_on_line(args.uri, args.line, args.audience)
        if not memories:
            return protocol.LineHintResult(hint=None)
        first = memories[0]
        return protocol.LineHintResult(
            hint=protocol.LineHint(
                label=present.one_line(first.shown_gist),
                salience=first.salience.capitalize(),
                age=present.age(first.created_at),
                count=len(memories),
            )
        )
