"""The server's features: one module per group of LSP methods, each a ``Feature`` subclass.

A feature's ``register`` binds its methods to the LSP methods they answer, so a request is
found from its method name (``grep TEXT_DOCUMENT_HOVER``) to one method of one class.
Handlers only translate: they check params (``params``), convert lines at the edge
(``vidurai.lsp.lines``) and call the session, the memory layer or the store. A new feature
is a new module here plus one line in ``server.create_server``.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
import inspect
from typing import TYPE_CHECKING, Any, Callable

from vidurai.lsp import present, protocol
from vidurai.lsp.lines import to_stored
from vidurai.lsp.protocol import ParamsError
from vidurai.lsp.session import OutsideWorkspace
from vidurai.storage import Memory, MemoryNotFoundError

if TYPE_CHECKING:
    from vidurai.lsp.runtime import ViduraiServer


class Feature(ABC):
    """What every feature works with: the server (to notify, log, reach the workspace) and
    its session (settings, the store, open documents)."""

    def __init__(self, server: ViduraiServer):
        self.server = server
        self.session = server.session

    @abstractmethod
    def register(self) -> None:
        """Bind this feature's handlers with ``on`` and ``on_command``."""

    def on(self, method: str, handler: Callable[..., Any]) -> None:
        """Answer the LSP ``method`` with ``handler``."""
        self.server.feature(method)(_as_function(handler))

    def on_command(self, name: str, handler: Callable[..., Any]) -> None:
        """Run ``handler`` for workspace/executeCommand ``name``."""
        self.server.command(name)(_as_function(handler))

    # ------------------------------------------------------------------ shared look-ups

    def audience_of(self, requested: str | None, project: str | None = None) -> str:
        """The audience a request asked for, else the one of ``project``'s folder (or the window's)."""
        session = self.session
        if requested is None:
            return session.audience if project is None else session.audience_for(project)
        try:
            return session.require_db().validate_audience(requested.strip().lower())
        except ValueError as error:  # the name is unknown: the client's mistake
            raise ParamsError(str(error)) from None

    def memory_item(self, memory_id: int, audience: str | None = None) -> protocol.MemoryItem:
        db = self.session.require_db()
        memory = db.get_memory_by_id(memory_id)
        if memory is None:
            raise MemoryNotFoundError(memory_id)
        return present.memory_item(
            memory,
            audience or self.session.audience_for(memory.project_path),
            db.get_audience_gists(memory_id),
            self.session.live_place(memory.project_path, memory.file_path, memory_id),
        )

    def memories_on_line(
        self, uri: str, line: int, audience: str | None
    ) -> tuple[list[Memory], str]:
        """The attached memories on a 0-based line, most salient first, in the audience of the
        line's folder (unless one is asked for); live anchors when the document is open."""
        session = self.session
        db = session.require_db()
        document = session.documents.get(uri)
        if document is not None:  # live anchors: the lines may have moved since the last save
            audience = self.audience_of(audience, document.project)
            return db.get_memories_by_ids(document.memory_ids_at(line), audience), audience
        try:
            project, file = session.locate(uri)
        except OutsideWorkspace:
            return [], session.audience
        audience = self.audience_of(audience, project)
        return db.memories_at(project, file, to_stored(line), audience), audience


def _as_function(handler: Callable[..., Any]) -> Callable[..., Any]:
    """pygls marks what it registers with attributes, which a bound method cannot carry."""
    if inspect.iscoroutinefunction(handler):

        async def call_async(*args: Any) -> Any:
            return await handler(*args)

        return functools.update_wrapper(call_async, handler)

    def call(*args: Any) -> Any:
        return handler(*args)

    return functools.update_wrapper(call, handler)
