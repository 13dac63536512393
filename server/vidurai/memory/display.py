"""How a memory's facts read, wherever they are shown: the CLI, MCP and the editor.

One home for each: where a memory is (rendered at read time from its live anchor, so text
never names a line the memory has moved away from), times as ISO-8601, ages as a person says
them, text on one line, and code fences no stored text can close.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Callable

from vidurai.memory.redact import redact
from vidurai.storage.models import iso_time, to_db_time, utc_now
from vidurai.storage.records import Memory

# (project path, file, memory id) → the live 0-based (first, last) lines of an open
# document, or None when the file is not open (the stored anchor is then current).
LiveLines = Callable[[str, str | None, int], "tuple[int, int] | None"]

DETACHED = "its lines were deleted"

__all__ = [
    "LiveLines",
    "DETACHED",
    "age",
    "anchor_lines",
    "fenced",
    "iso_time",
    "one_line",
    "place_of",
    "place_text",
    "utc_text",
]

_AGE_UNITS = (
    ("year", 365 * 86400),
    ("month", 30 * 86400),
    ("week", 7 * 86400),
    ("day", 86400),
    ("hour", 3600),
    ("minute", 60),
)


def anchor_lines(memory: Memory, live_lines: LiveLines | None = None) -> tuple[int, int] | None:
    """The memory's 1-based (first, last) lines now, or None without a line."""
    if not memory.file_path:
        return None
    live = live_lines(memory.project_path, memory.file_path, memory.id) if live_lines else None
    if live is not None:
        return live[0] + 1, live[1] + 1
    if memory.line_number is None:
        return None
    return memory.line_number, memory.end_line or memory.line_number


def place_text(memory: Memory, live_lines: LiveLines | None = None) -> str | None:
    """Where the memory is now (see ``place_of``)."""
    return place_of(memory.file_path, anchor_lines(memory, live_lines), memory.detached)


def place_of(file_path: str | None, lines: tuple[int, int] | None, detached: bool) -> str | None:
    """``src/a.py:12``, ``src/a.py:12-14``, ``src/a.py`` (no line), ``src/a.py, its lines
    were deleted``, or None without a file. ``lines`` are 1-based (first, last)."""
    if not file_path:
        return None
    if detached:
        return f"{file_path}, {DETACHED}"
    if lines is None:
        return file_path
    first, last = lines
    return f"{file_path}:{first}" if first == last else f"{file_path}:{first}-{last}"


def utc_text(moment: datetime) -> str:
    """``2026-11-27 10:00:00``: a time for a table, in UTC."""
    return to_db_time(moment)


def age(moment: datetime, now: datetime | None = None) -> str:
    """How long ago, as a person says it: "just now", "5 minutes ago", "yesterday",
    "3 days ago"."""
    seconds = max(0, int(((now or utc_now()) - moment).total_seconds()))
    if seconds < 60:
        return "just now"
    unit, size = next((unit, size) for unit, size in _AGE_UNITS if seconds >= size)
    count = seconds // size
    if unit == "day" and count == 1:
        return "yesterday"
    return f"{count} {unit}{'s' if count != 1 else ''} ago"


def one_line(text: str) -> str:
    """Every run of whitespace (newlines included) as one space."""
    return " ".join(text.split())


def fenced(text: str, language: str = "text") -> str:
    """A Markdown code block no stored text can close early, its text redacted again (as
    ``escape_markdown`` does)."""
    text = redact(text)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{language}\n{text}\n{fence}"
