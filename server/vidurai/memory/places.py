"""Where a memory is, said at read time from its live anchor.

Gists never name a file or line; every reader (hover, tree, AI context, report, CLI, MCP)
renders the place from the anchor as it is now, so text never names a line the memory has
moved away from.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

# (project path, file, memory id) → the live 0-based (first, last) lines of an open
# document, or None when the file is not open (the stored anchor is then current).
LiveLines = Callable[[str, str | None, int], "tuple[int, int] | None"]

DETACHED = "its lines were deleted"


def anchor_lines(memory: Mapping[str, Any], live_lines: LiveLines | None = None) -> tuple[int, int] | None:
    """The memory's 1-based (first, last) lines now, or None without a line."""
    if not memory.get("file_path"):
        return None
    live = live_lines(memory["project_path"], memory["file_path"], memory["id"]) if live_lines else None
    if live is not None:
        return live[0] + 1, live[1] + 1
    line = memory.get("line_number")
    if line is None:
        return None
    return line, memory.get("end_line") or line


def place_text(memory: Mapping[str, Any], live_lines: LiveLines | None = None) -> str | None:
    """``src/a.py:12``, ``src/a.py:12-14``, ``src/a.py`` (no line), ``src/a.py, its lines
    were deleted``, or None for a memory without a file."""
    file_path = memory.get("file_path")
    if not file_path:
        return None
    if memory.get("detached"):
        return f"{file_path}, {DETACHED}"
    lines = anchor_lines(memory, live_lines)
    if lines is None:
        return file_path
    first, last = lines
    return f"{file_path}:{first}" if first == last else f"{file_path}:{first}-{last}"
