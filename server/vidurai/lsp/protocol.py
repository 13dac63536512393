"""Vidurai's LSP vocabulary: custom method names, server command ids and message types.

Mirrored by ``extension/protocol.ts``; ``docs/PROTOCOL.md`` is the contract. Types are attrs
classes; field names are snake_case here and camelCase on the wire (lsprotocol's cattrs
hooks rename them). Incoming params are structured strictly: a string where a number is
expected is an error, not a silent conversion.
"""

from __future__ import annotations

import re
from typing import Any, Optional, Sequence

import attrs
import cattrs
from lsprotocol import converters, types

# The limits a request is checked against are the wire's contract too (docs/PROTOCOL.md);
# they are defined once, in vidurai.limits, shared with capture, the CLI and MCP.
from vidurai.limits import (
    MAX_COMMAND_CHARS as MAX_COMMAND_CHARS,
    MAX_DIAGNOSTICS as MAX_DIAGNOSTICS,
    MAX_GIST_CHARS as MAX_GIST_CHARS,
    MAX_NOTE_CHARS as MAX_NOTE_CHARS,
    MAX_OUTPUT_CHARS as MAX_OUTPUT_CHARS,
    MAX_PAGE as MAX_PAGE,
    MAX_QUERY_CHARS as MAX_QUERY_CHARS,
    MAX_SELECTION_CHARS as MAX_SELECTION_CHARS,
    MAX_TOKEN_BUDGET as MAX_TOKEN_BUDGET,
    MAX_URI_CHARS as MAX_URI_CHARS,
    MIN_TOKEN_BUDGET as MIN_TOKEN_BUDGET,
)

# ---------------------------------------------------------------------- method names

MEMORIES = "vidurai/memories"
MEMORY = "vidurai/memory"
SEARCH = "vidurai/search"
CONTEXT = "vidurai/context"
REPORT = "vidurai/report"
STATS = "vidurai/stats"
LEDGER = "vidurai/ledger"
FILE_MARKS = "vidurai/fileMarks"
LINE_HINT = "vidurai/lineHint"
STATUS = "vidurai/status"
DIAGNOSTICS = "vidurai/diagnostics"
TERMINAL_COMMAND = "vidurai/terminalCommand"
MEMORIES_CHANGED = "vidurai/memoriesChanged"

CUSTOM_PREFIX = "vidurai/"

# ---------------------------------------------------------------------- server command ids

CMD_REMEMBER = "vidurai.server.remember"
CMD_FORGET = "vidurai.server.forget"
CMD_PIN = "vidurai.server.pin"
CMD_UNPIN = "vidurai.server.unpin"
CMD_SET_AUDIENCE = "vidurai.server.setAudience"
CMD_SET_GIST = "vidurai.server.setGist"
CMD_RUN_FORGETTING = "vidurai.server.runForgetting"

# The extension's command ids, used by hover links (the client runs them, not the server).
CLIENT_PIN = "vidurai.pin"
CLIENT_UNPIN = "vidurai.unpin"
CLIENT_FORGET = "vidurai.forget"
CLIENT_SHOW_MEMORY = "vidurai.showMemory"

GROUP_BY = ("file", "salience", "recent", "pinned")


# ---------------------------------------------------------------------- params


@attrs.define
class RememberArgs:
    """A note on a document's lines (``uri``, ``startLine``, ``endLine``), or a note about
    the project with no place (``project``, or the first workspace folder)."""

    note: str
    uri: Optional[str] = None
    start_line: Optional[int] = None
    end_line: Optional[int] = None
    project: Optional[str] = None
    selection: Optional[str] = None
    salience: Optional[str] = None


@attrs.define
class MemoriesParams:
    project: Optional[str] = None
    group_by: str = "file"
    group: Optional[str] = None
    audience: Optional[str] = None
    offset: int = 0
    limit: int = 50


@attrs.define
class MemoryParams:
    id: int
    project: Optional[str] = None  # a folder URI: a memory of another project is not found


@attrs.define
class SearchParams:
    query: str
    project: Optional[str] = None
    audience: Optional[str] = None
    limit: int = 20


@attrs.define
class ContextParams:
    project: Optional[str] = None
    uri: Optional[str] = None
    query: Optional[str] = None
    max_tokens: Optional[int] = None


@attrs.define
class ReportParams:
    project: Optional[str] = None
    days: int = 7
    audience: str = "manager"
    max_tokens: Optional[int] = None


@attrs.define
class StatsParams:
    project: Optional[str] = None


@attrs.define
class LedgerParams:
    limit: int = 100


@attrs.define
class FileMarksParams:
    uri: str


@attrs.define
class LineHintParams:
    uri: str
    line: int
    audience: Optional[str] = None


@attrs.define
class StatusParams:
    pass


@attrs.define
class DiagnosticsParams:
    uri: str
    diagnostics: Sequence[types.Diagnostic]
    version: Optional[int] = None


@attrs.define
class TerminalCommandParams:
    command: str
    exit_code: Optional[int] = None
    cwd: Optional[str] = None
    output: Optional[str] = None


# ---------------------------------------------------------------------- results
# No defaults on result fields: every key is always sent, null included.


@attrs.define
class MemoryItem:
    id: int
    project: str
    label: str
    gist: str
    audience: str
    salience: str
    event_type: str
    uri: Optional[str]
    file: Optional[str]
    line: Optional[int]
    end_line: Optional[int]
    pinned: bool
    detached: bool
    occurrences: int
    created_at: str
    last_used_at: Optional[str]
    age: str
    gists: dict[str, str]


@attrs.define
class SearchResult(MemoryItem):
    snippet: str


@attrs.define
class MemoryGroup:
    key: str
    label: str
    count: int


@attrs.define
class GroupsResult:
    groups: list[MemoryGroup]
    total: int


@attrs.define
class ItemsResult:
    items: list[MemoryItem]
    total: int
    next_offset: Optional[int]


@attrs.define
class GistHistoryEntry:
    audience: str
    gist: str
    created_at: Optional[str]
    replaced_at: Optional[str]


@attrs.define
class MemoryDetails:
    memory: MemoryItem
    verbatim: str
    tags: list[str]
    history: list[GistHistoryEntry]
    markdown: str


@attrs.define
class SearchResults:
    results: list[SearchResult]


@attrs.define
class ContextResult:
    markdown: str
    tokens: int
    memory_count: int


@attrs.define
class ReportResult:
    markdown: str
    memory_count: int


@attrs.define
class StatsResult:
    total: int
    pinned: int
    by_salience: dict[str, int]
    by_event_type: dict[str, int]
    files: int
    audience: str
    database_path: str
    schema_version: int


@attrs.define
class FileMarksResult:
    """The places of a file that memories are about, as one flat list of three numbers per
    place: its first and last line (0-based) and how many memories share it, ``[line,
    endLine, count, line, …]``. Flat as LSP's own semantic tokens are: a file with thousands
    of memories costs a list of numbers to make, send and read, not thousands of objects."""

    marks: list[int]


@attrs.define
class LineHint:
    """What the current-line hint says: the line's most salient memory, and how many more."""

    label: str
    salience: str
    age: str
    count: int


@attrs.define
class LineHintResult:
    hint: Optional[LineHint]


@attrs.define
class DatabaseStatus:
    ok: bool
    path: str
    problem: Optional[str]  # what is wrong, when not ok
    advice: Optional[str]  # what the user can do about it


@attrs.define
class StatusResult:
    database: DatabaseStatus


@attrs.define
class LedgerEntry:
    memory_id: int
    gist: str
    salience: str
    reason: str
    forgotten_at: str


@attrs.define
class LedgerResult:
    entries: list[LedgerEntry]
    markdown: str


@attrs.define
class ForgetResult:
    forgotten: bool


@attrs.define
class ForgettingResult:
    forgotten: list[LedgerEntry]


@attrs.define
class AudienceResult:
    audience: str


@attrs.define
class MemoriesChangedParams:
    projects: list[str]
    files: list[str]


# ---------------------------------------------------------------------- converter


class ParamsError(ValueError):
    """Params that do not fit their type; the message says where and why."""


def _strict(kind: type, name: str):
    def structure(value: Any, _: type) -> Any:
        # bool is an int in Python; on the wire true is not a number.
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            raise TypeError(f"expected {name}, got {type(value).__name__}")
        return value

    return structure


def make_converter() -> cattrs.Converter:
    """lsprotocol's converter (camelCase, LSP types) with strict primitive types."""
    converter = cattrs.Converter()
    converter.register_structure_hook(str, _strict(str, "a string"))
    converter.register_structure_hook(int, _strict(int, "an integer"))
    converter.register_structure_hook(bool, _strict(bool, "a boolean"))
    return converters.get_converter(converter)


CONVERTER = make_converter()


def structure(value: Any, kind: type) -> Any:
    """``value`` (JSON) as ``kind``, or ParamsError naming every field that is wrong."""
    if value is None and attrs.has(kind):
        value = {}
    if attrs.has(kind) and not isinstance(value, dict):
        raise ParamsError(f"expected an object, got {type(value).__name__}")
    try:
        return CONVERTER.structure(value, kind)
    except (cattrs.BaseValidationError, TypeError, ValueError, KeyError) as error:
        if isinstance(error, cattrs.BaseValidationError):
            detail = "; ".join(
                _camel_path(message) for message in cattrs.transform_error(error, path="")
            )
        else:
            detail = str(error)
        raise ParamsError(f"invalid params: {detail}") from None


def _camel_path(message: str) -> str:
    """ "… @ .start_line" as the client wrote it: "… @ startLine"."""
    text, _, path = message.rpartition(" @ ")
    path = re.sub(r"_([a-z])", lambda match: match.group(1).upper(), path.lstrip("."))
    return f"{text} @ {path}" if text else message


def unstructure(value: Any) -> Any:
    return CONVERTER.unstructure(value)
