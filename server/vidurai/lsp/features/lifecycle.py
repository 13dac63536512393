"""Start, settings and shutdown: initialize, initialized (with the predecessor's import
offer), workspace/didChangeConfiguration, shutdown."""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException

from vidurai.lsp.features import Feature
from vidurai.lsp.runtime import document_lines
from vidurai.lsp.session import parse_settings
from vidurai.memory.archive import decline_legacy, import_legacy, legacy_candidate
from vidurai.storage import StoreError

# The answers offered when the predecessor's memories are found (window/showMessageRequest).
LEGACY_IMPORT, LEGACY_LATER = "Import", "Not now"


class Lifecycle(Feature):
    def register(self) -> None:
        self.on(types.INITIALIZE, self.initialize)
        self.on(types.INITIALIZED, self.initialized)
        self.on(types.SHUTDOWN, self.shutdown)
        self.on(types.WORKSPACE_DID_CHANGE_CONFIGURATION, self.did_change_configuration)

    def initialize(self, params: types.InitializeParams) -> None:
        self.apply_settings(params.initialization_options)

    async def initialized(self, params: types.InitializedParams) -> None:
        self.server.start_background()
        self.server.watch_files()
        await self.offer_legacy_import()

    def shutdown(self, params: None) -> None:
        self.server.write_pending()

    def did_change_configuration(self, params: types.DidChangeConfigurationParams) -> None:
        self.apply_settings(params.settings)
        self.server.changed_everywhere()

    def apply_settings(self, raw: Any) -> None:
        server, session = self.server, self.session
        old = session.settings
        session.settings, problems = parse_settings(raw)
        if session.db is None or session.settings.database_path != old.database_path:
            server.write_pending()
            session.open_database()
            if session.db is None:
                server.window_show_message(
                    types.ShowMessageParams(
                        type=types.MessageType.Error,
                        message=f"Vidurai: {session.db_error}. Hovers and the tree stay empty "
                        "until this is fixed (see the vidurai.databasePath setting).",
                    )
                )
            for uri, document in list(session.documents.items()):
                document.unfollow()
                session.track(document, document_lines(server, uri))
        problems += session.apply_audiences()
        session.apply_capture_settings()
        for problem in problems:
            server.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Warning, message=f"Vidurai: {problem}"
                )
            )

    async def offer_legacy_import(self) -> None:
        """Once per store: the predecessor's memories exist and this store is empty. The
        editor only shows the question (window/showMessageRequest) and sends the answer."""
        server, session = self.server, self.session
        db = session.db
        legacy = legacy_candidate(db, once=True) if db is not None else None
        if db is None or legacy is None:
            return
        try:
            answer = await server.window_show_message_request_async(
                types.ShowMessageRequestParams(
                    type=types.MessageType.Info,
                    message=f"Vidurai found memories from its predecessor in {legacy}. Import them? "
                    "The old file is not changed.",
                    actions=[
                        types.MessageActionItem(LEGACY_IMPORT),
                        types.MessageActionItem(LEGACY_LATER),
                    ],
                )
            )
        except JsonRpcException:  # a client that cannot ask: ask again next time
            return
        if session.db is not db:
            return  # the database setting changed while the question was open
        if answer is None or answer.title != LEGACY_IMPORT:
            decline_legacy(db)
            return
        try:
            result = await asyncio.get_running_loop().run_in_executor(
                server.thread_pool, import_legacy, db, legacy
            )
        except (ValueError, OSError, StoreError) as error:
            server.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"Vidurai: importing failed: {error}"
                )
            )
            return
        server.window_show_message(
            types.ShowMessageParams(
                type=types.MessageType.Info,
                message=f"Vidurai imported {result.imported} memories from {legacy}.",
            )
        )
        server.changed_everywhere()
