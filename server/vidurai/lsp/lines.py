"""Line numbers at the LSP edge: LSP positions count lines from 0, the store from 1.

Every conversion between the two goes through these three functions, so a reader never has
to guess which count a ``line`` holds: LSP-facing code works in 0-based lines, the store and
the memory layer in 1-based ones.
"""

from __future__ import annotations


def to_stored(lsp_line: int) -> int:
    """A 0-based LSP line as the store counts it (from 1)."""
    return lsp_line + 1


def to_lsp(stored_line: int) -> int:
    """A stored (1-based) line as LSP counts it (from 0)."""
    return stored_line - 1


def stored_span(line_number: int, end_line: int | None) -> tuple[int, int]:
    """A memory's stored lines (1-based; no end line: one line) as 0-based (start, end)."""
    start = to_lsp(line_number)
    return start, max(start, to_lsp(end_line or line_number))
