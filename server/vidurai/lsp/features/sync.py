"""Document synchronisation: didOpen, willSave, didSave, didClose and watched files.

(didChange is ``runtime.ViduraiProtocol``'s: anchors move through each edit before pygls
applies it.)
"""

from __future__ import annotations

from lsprotocol import types

from vidurai.lsp.documents import OpenDocument
from vidurai.lsp.features import Feature
from vidurai.lsp.runtime import document_lines
from vidurai.lsp.session import OutsideWorkspace


class DocumentSync(Feature):
    def register(self) -> None:
        self.on(types.TEXT_DOCUMENT_DID_OPEN, self.did_open)
        self.on(types.TEXT_DOCUMENT_WILL_SAVE, self.will_save)
        self.on(types.WORKSPACE_DID_CHANGE_WATCHED_FILES, self.did_change_watched_files)
        self.on(types.TEXT_DOCUMENT_DID_SAVE, self.did_save)
        self.on(types.TEXT_DOCUMENT_DID_CLOSE, self.did_close)

    def did_open(self, params: types.DidOpenTextDocumentParams) -> None:
        server, session = self.server, self.session
        uri = params.text_document.uri
        try:
            project, file = session.locate(uri)
        except OutsideWorkspace:
            return
        document = OpenDocument(uri, project, file)
        session.open(document, params.text_document.text)
        # Following and its found corrections wait until the requests sent with an open are
        # answered.
        server.after_open_requests(
            lambda: self.save_found_on_open(document, params.text_document.version)
        )
        if session.capture is not None:
            session.capture.document_opened(
                project, file, params.text_document.version, params.text_document.text
            )

    def save_found_on_open(self, document: OpenDocument, version: int) -> None:
        """Lines found moved on open (the file changed while no editor watched it) are saved,
        unless the buffer was closed or edited since (its next save writes them then)."""
        if self.session.documents.get(document.uri) is not document:
            return
        if self.server.workspace.get_text_document(document.uri).version != version:
            return
        if self.session.save_anchors(document, document_lines(self.server, document.uri)):
            self.server.changed(document.project, document.file)

    def will_save(self, params: types.WillSaveTextDocumentParams) -> None:
        self.session.save_reasons[params.text_document.uri] = params.reason

    def did_change_watched_files(self, params: types.DidChangeWatchedFilesParams) -> None:
        changed = [c.uri for c in params.changes if c.type != types.FileChangeType.Deleted]
        for project, file in self.session.reanchor_changed_files(changed):
            self.server.changed(project, file)

    def did_save(self, params: types.DidSaveTextDocumentParams) -> None:
        server, session = self.server, self.session
        reason = session.save_reasons.pop(
            params.text_document.uri, types.TextDocumentSaveReason.Manual
        )
        document = session.documents.get(params.text_document.uri)
        if document is not None:
            session.save_anchors(document, document_lines(server, document.uri))
            # Memories another program (the CLI, MCP) added meanwhile get hovers too.
            session.track(document, document_lines(server, document.uri))
            if session.capture is not None:
                session.capture.document_saved(
                    document.project,
                    document.file,
                    server.workspace.get_text_document(document.uri).source,
                    deliberate=reason == types.TextDocumentSaveReason.Manual,
                )
                server.confirm_fixes()

    def did_close(self, params: types.DidCloseTextDocumentParams) -> None:
        # Unsaved edits are discarded with the buffer: the stored anchors (as of the last
        # save) still match the file, and what the edits seemed to fix was not fixed.
        session = self.session
        session.save_reasons.pop(params.text_document.uri, None)
        document = session.documents.pop(params.text_document.uri, None)
        if document is not None and session.capture is not None:
            session.capture.document_closed(document.project, document.file)
