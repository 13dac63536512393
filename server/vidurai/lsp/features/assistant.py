"""Briefings for an AI assistant or a report: ``vidurai/context`` and ``vidurai/report``."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from vidurai.lsp import protocol
from vidurai.lsp.features import Feature
from vidurai.lsp.features.params import check_range, limit_text, request


class Briefings(Feature):
    def register(self) -> None:
        self.on(protocol.CONTEXT, request(self.server, self.context))
        self.on(protocol.REPORT, request(self.server, self.report))

    def context(self, params: Any) -> protocol.ContextResult:
        from vidurai.memory.briefing import build_context

        session = self.session
        args = protocol.structure(params, protocol.ContextParams)
        limit_text(args.query, "query", protocol.MAX_QUERY_CHARS)
        max_tokens = check_range(
            args.max_tokens or session.settings.context_max_tokens,
            "maxTokens",
            protocol.MIN_TOKEN_BUDGET,
            protocol.MAX_TOKEN_BUDGET,
        )
        project = session.project(args.project)
        current_file = None
        if args.uri is not None:
            file_project, current_file = session.locate(args.uri)
            if args.project is None:
                project = file_project
        # An open file's text as it is in the editor, saved or not; else read from disk.
        open_document = (
            self.server.workspace.text_documents.get(unquote(args.uri)) if args.uri else None
        )
        briefing = build_context(
            session.require_db(),
            project,
            current_file=current_file,
            query=args.query,
            max_tokens=max_tokens,
            live_lines=session.live_lines,
            current_text=open_document.source if open_document is not None else None,
        )
        return protocol.ContextResult(
            markdown=briefing.markdown, tokens=briefing.tokens, memory_count=briefing.memory_count
        )

    def report(self, params: Any) -> protocol.ReportResult:
        from vidurai.memory.briefing import build_report

        args = protocol.structure(params, protocol.ReportParams)
        check_range(args.days, "days", 1, 3650)
        if args.max_tokens is not None:
            check_range(
                args.max_tokens, "maxTokens", protocol.MIN_TOKEN_BUDGET, protocol.MAX_TOKEN_BUDGET
            )
        briefing = build_report(
            self.session.require_db(),
            self.session.project(args.project),
            days=args.days,
            audience=self.audience_of(args.audience),
            max_tokens=args.max_tokens,
        )
        return protocol.ReportResult(markdown=briefing.markdown, memory_count=briefing.memory_count)
