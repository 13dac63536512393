"""Vidurai's language server (pygls 2.x on stdio): the features assembled on one server.

Each module of ``vidurai.lsp.features`` answers one group of LSP methods; this module only
puts them together and starts the server. How errors are answered: ``features.params``.
"""

from __future__ import annotations

import logging

from pygls.exceptions import JsonRpcInvalidParams

from vidurai.lsp.features.assistant import Briefings
from vidurai.lsp.features.capture import Capture
from vidurai.lsp.features.commands import Commands
from vidurai.lsp.features.hover import Hover
from vidurai.lsp.features.lifecycle import Lifecycle
from vidurai.lsp.features.params import ServerFault
from vidurai.lsp.features.status import StoreStatus
from vidurai.lsp.features.sync import DocumentSync
from vidurai.lsp.features.tree import MemoryTree
from vidurai.lsp.runtime import ViduraiServer

FEATURES = (Lifecycle, DocumentSync, Hover, Commands, MemoryTree, Briefings, StoreStatus, Capture)


def create_server() -> ViduraiServer:
    server = ViduraiServer()
    for feature in FEATURES:
        feature(server).register()
    return server


def _not_already_answered(record: logging.LogRecord) -> bool:
    """pygls logs every error answer with a traceback. InvalidParams is an ordinary answer
    to a client's mistake (the client gets the message), and a ``ServerFault`` was logged
    with its own traceback where it happened: neither is logged again. Its "Unable to
    deserialize message" traceback is replaced by the runtime's one line."""
    error = record.exc_info[1] if record.exc_info else None
    if str(record.msg).startswith("Unable to deserialize message"):
        return False
    return not isinstance(error, (JsonRpcInvalidParams, ServerFault))


def main() -> None:
    """``vidurai serve``: the language server on stdin/stdout."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_not_already_answered)
    create_server().start_io()
