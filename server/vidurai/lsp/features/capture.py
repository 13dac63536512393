"""What only the editor sees, sent as notifications: ``vidurai/diagnostics`` (fixed errors
are remembered) and ``vidurai/terminalCommand`` (failing commands and their fixes)."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from vidurai.lsp import protocol
from vidurai.lsp.features import Feature
from vidurai.lsp.features.params import limit_text, notification
from vidurai.lsp.lines import to_stored
from vidurai.lsp.protocol import ParamsError
from vidurai.lsp.runtime import document_lines
from vidurai.lsp.session import OutsideWorkspace


class Capture(Feature):
    def register(self) -> None:
        self.on(protocol.DIAGNOSTICS, notification(self.server, self.diagnostics))
        self.on(protocol.TERMINAL_COMMAND, notification(self.server, self.terminal_command))

    def diagnostics(self, params: Any) -> None:
        from vidurai.memory.fixes import DiagnosticEvent

        session = self.session
        args = protocol.structure(params, protocol.DiagnosticsParams)
        if not session.settings.capture_diagnostics:
            return
        if len(args.diagnostics) > protocol.MAX_DIAGNOSTICS:
            raise ParamsError(f"more than {protocol.MAX_DIAGNOSTICS} diagnostics")
        capture = session.require_capture()
        project, file = session.locate(args.uri)
        lines = document_lines(self.server, args.uri) if args.uri in session.documents else []
        events = [
            DiagnosticEvent(
                message=diagnostic.message,
                line=to_stored(diagnostic.range.start.line),
                severity=int(diagnostic.severity or types.DiagnosticSeverity.Error),
                code=None if diagnostic.code is None else str(diagnostic.code),
                source=diagnostic.source,
                line_text=lines[diagnostic.range.start.line]
                if diagnostic.range.start.line < len(lines)
                else None,
            )
            for diagnostic in args.diagnostics
        ]
        capture.diagnostics_changed(project, file, events, args.version)
        self.server.confirm_fixes()

    def terminal_command(self, params: Any) -> None:
        session = self.session
        args = protocol.structure(params, protocol.TerminalCommandParams)
        if not session.settings.capture_terminal:
            return
        limit_text(args.command, "command", protocol.MAX_COMMAND_CHARS)
        output = args.output[-protocol.MAX_OUTPUT_CHARS :] if args.output else args.output
        try:
            project, _ = session.locate(args.cwd) if args.cwd else (session.project(None), None)
        except OutsideWorkspace:
            project = session.project(None)
        memory_id = session.require_capture().command_finished(
            project, args.command, args.exit_code, args.cwd, output
        )
        if memory_id is not None:
            self.server.changed(project)
