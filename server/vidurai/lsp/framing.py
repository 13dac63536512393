"""Reading LSP messages from stdin with every input bounded before any work is done.

pygls' own reader trusts its input: a bad ``Content-Length`` leaves it waiting forever,
invalid UTF-8, deep JSON and batch arrays are dropped without a reply, and each bad message
costs a traceback or two in the log. Here every frame is checked first (header size, body
size, UTF-8, JSON nesting depth and size, id and method), each rejected message is logged
in one line, and every rejected message that carries an id is answered with a JSON-RPC
error, so an editor never waits for an answer that will not come.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import Any, Awaitable, Callable

log = logging.getLogger(__name__)

MAX_HEADER_BYTES = 8 * 1024
MAX_BODY_BYTES = 32 * 1024 * 1024  # a didOpen carries a whole file
MAX_UNFRAMED_BYTES = 1024 * 1024  # looked through for a body without a usable length
MAX_DEPTH = 48  # LSP's deepest incoming params (client capabilities) are about 8 deep
MAX_NODES = 2_000_000  # JSON values in one message
MAX_METHOD_CHARS = 256
MAX_ID_CHARS = 256
MAX_SAFE_ID = 2**53  # ids beyond this lose precision in the editor's JavaScript

PARSE_ERROR, INVALID_REQUEST, INTERNAL_ERROR = -32700, -32600, -32603

_CONTENT_LENGTH = re.compile(rb"(?im)^content-length[ \t]*:[ \t]*(\S*)[ \t]*\r?$")
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_ID_IN_TEXT = re.compile(rb'"id"\s*:\s*(-?\d{1,30}|"[^"\\]{0,256}")')


@dataclass
class Rejected:
    """A message that is not passed on: why, and the ids to answer (None: none known)."""

    code: int
    reason: str
    ids: list[Any]


def answer_id(value: Any) -> Any:
    """The id to echo in an error: the client's own (any integer, text up to
    ``MAX_ID_CHARS``), else null."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) <= MAX_ID_CHARS:
        return value
    return None


def valid_id(value: Any) -> bool:
    """An id the server serves: an integer the editor's JavaScript holds exactly, or short text."""
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) < MAX_SAFE_ID
    return isinstance(value, str) and len(value) <= MAX_ID_CHARS


def _ids_in_raw(body: bytes) -> list[Any]:
    """A best guess at the id of a message that cannot be parsed, from its first bytes."""
    match = _ID_IN_TEXT.search(body[:4096])
    if not match:
        return []
    try:
        found = answer_id(json.loads(match.group(1)))
    except ValueError:
        return []
    return [] if found is None else [found]


def _too_deep_or_big(value: Any) -> str | None:
    """Nesting and size, checked without recursion (deep input must not crash the check)."""
    stack = [(value, 1)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if depth > MAX_DEPTH:
            return f"JSON nested deeper than {MAX_DEPTH} levels"
        if nodes > MAX_NODES:
            return f"more than {MAX_NODES:,} JSON values"
        if isinstance(item, dict):
            stack.extend((child, depth + 1) for child in item.values())
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
    return None


def check_message(body: bytes) -> dict[str, Any] | Rejected:
    """One frame's body as a JSON-RPC message object, or why it is refused."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return Rejected(
            PARSE_ERROR,
            f"the message is not valid UTF-8 ({error.reason} at byte {error.start})",
            _ids_in_raw(body),
        )
    try:
        message = json.loads(text)
    except RecursionError:  # json.loads stops at Python's recursion limit, safely
        return Rejected(
            PARSE_ERROR, f"JSON nested deeper than {MAX_DEPTH} levels", _ids_in_raw(body)
        )
    except ValueError as error:
        return Rejected(
            PARSE_ERROR, f"the message is not JSON ({str(error)[:80]})", _ids_in_raw(body)
        )
    if isinstance(message, list):
        ids = [
            answer_id(item.get("id"))
            for item in message
            if isinstance(item, dict) and "id" in item and "method" in item
        ]
        return Rejected(
            INVALID_REQUEST,
            "batch messages are not part of LSP; send each message alone",
            ids[:1000],
        )
    if not isinstance(message, dict):
        return Rejected(INVALID_REQUEST, "a message must be a JSON object", [])
    is_request = "id" in message and "method" in message
    ids = [answer_id(message.get("id"))] if is_request else []
    problem = _too_deep_or_big(message)
    if problem:
        return Rejected(INVALID_REQUEST, problem, ids)
    if message.get("jsonrpc") != "2.0":
        return Rejected(INVALID_REQUEST, 'a message must have "jsonrpc": "2.0"', ids)
    method = message.get("method")
    if "method" in message and (not isinstance(method, str) or len(method) > MAX_METHOD_CHARS):
        return Rejected(
            INVALID_REQUEST,
            f"the method must be text of at most {MAX_METHOD_CHARS} characters",
            ids,
        )
    if "id" in message and message["id"] is not None and not valid_id(message["id"]):
        return Rejected(
            INVALID_REQUEST,
            f"an id must be an integer below 2^53 or text of at most {MAX_ID_CHARS} characters",
            ids,
        )
    return message


class FrameReader:
    """Frames from a byte stream. Never holds more than one bounded frame in memory: an
    oversized body is skipped as it arrives."""

    def __init__(self, read: Callable[[], Awaitable[bytes]]):
        self._read = read
        self._buffer = bytearray()
        self._eof = False

    async def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = await self._read()
        if not chunk:
            self._eof = True
            return False
        self._buffer += chunk
        return True

    async def next(self) -> dict[str, Any] | Rejected | None:
        """The next message, a Rejected one, or None at the end of input."""
        while True:
            end = _HEADER_END.search(self._buffer, 0, MAX_HEADER_BYTES + 4)
            if end is not None:
                break
            if len(self._buffer) > MAX_HEADER_BYTES:
                self._buffer.clear()
                return Rejected(
                    PARSE_ERROR, f"a header longer than {MAX_HEADER_BYTES} bytes; input skipped", []
                )
            if not await self._fill():
                return None
        header = bytes(self._buffer[: end.start()])
        del self._buffer[: end.end()]
        match = _CONTENT_LENGTH.search(header)
        length_text = match.group(1) if match else b""
        if not length_text.isdigit():
            return await self._without_length(
                "no Content-Length header"
                if match is None
                else f"Content-Length {length_text[:20].decode('ascii', 'replace')!r} is not "
                "a byte count"
            )
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            ids = await self._skip(length)
            return Rejected(
                INVALID_REQUEST,
                f"a message of {length:,} bytes (at most {MAX_BODY_BYTES:,} are read)",
                ids,
            )
        while len(self._buffer) < length:
            if not await self._fill():
                return None
        body = bytes(self._buffer[:length])
        del self._buffer[:length]
        return check_message(body)

    async def _skip(self, length: int) -> list[Any]:
        """Drop ``length`` bytes as they arrive; the id, if it comes early, is kept."""
        while not self._buffer and await self._fill():
            pass
        ids = _ids_in_raw(bytes(self._buffer[:4096]))
        while length:
            if not self._buffer and not await self._fill():
                break
            taken = min(length, len(self._buffer))
            del self._buffer[:taken]
            length -= taken
        return ids

    async def _without_length(self, problem: str) -> Rejected:
        """A frame without a usable length: its body is taken to be the JSON value that
        follows (so a request can still be answered), else everything up to the next
        header, looking at most ``MAX_UNFRAMED_BYTES`` ahead."""
        decoder = json.JSONDecoder()
        while True:
            text = bytes(self._buffer[:MAX_UNFRAMED_BYTES]).decode("utf-8", "replace")
            start = len(text) - len(text.lstrip())
            try:
                value, end = decoder.raw_decode(text, start)
            except (ValueError, RecursionError):
                value = None
            if isinstance(value, dict):
                del self._buffer[: len(text[:end].encode("utf-8", "replace"))]
                is_request = "id" in value and "method" in value
                return Rejected(
                    INVALID_REQUEST, problem, [answer_id(value["id"])] if is_request else []
                )
            next_header = self._buffer.find(b"Content-Length", 1)
            full = len(self._buffer) >= MAX_UNFRAMED_BYTES
            if next_header > 0 or full or not await self._fill():
                cut = next_header if next_header > 0 else len(self._buffer)
                ids = _ids_in_raw(bytes(self._buffer[:cut]))
                del self._buffer[:cut]
                return Rejected(INVALID_REQUEST, problem, ids)
