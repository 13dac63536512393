"""Keeping a memory on its lines while the file is edited: pure functions, no I/O.

A memory covers lines ``start..end`` (0-based, inclusive, as on the LSP wire). An edit is an
LSP incremental change: the text between two positions is replaced by new text. A line of
the memory *survives* the edit when some of its original characters are still in the file;
the memory then covers its surviving lines at their new places (so an edit inside a
multi-line memory stretches or shrinks it). When none survives, the memory is detached:
better no hover than a hover on the wrong line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple, Sequence


class LineRange(NamedTuple):
    """Lines ``start..end`` (0-based, inclusive). A tuple: an opened file makes one per
    memory, thousands at once."""

    start: int
    end: int


@dataclass(frozen=True)
class LineEdit:
    """An LSP content change: ``(start_line, start_character)..(end_line, end_character)``
    replaced by ``text``. ``end_line_length`` is the length of the old line ``end_line`` in
    the same units as the characters; None when unknown (its tail is then taken to survive)."""

    start_line: int
    start_character: int
    end_line: int
    end_character: int
    text: str
    end_line_length: int | None = None

    @property
    def inserted_line_breaks(self) -> int:
        return self.text.count("\n")

    @property
    def line_delta(self) -> int:
        return self.inserted_line_breaks - (self.end_line - self.start_line)


def _new_line(line: int, edit: LineEdit) -> int | None:
    """Where an old line's surviving characters are after the edit, or None if none survive."""
    if line < edit.start_line:
        return line
    if line > edit.end_line:
        return line + edit.line_delta
    is_insertion = edit.start_line == edit.end_line and edit.start_character == edit.end_character
    head_survives = edit.start_character > 0
    tail_survives = (
        is_insertion
        or edit.end_character == 0
        or edit.end_line_length is None
        or edit.end_character < edit.end_line_length
    )
    tail_line = edit.start_line + edit.inserted_line_breaks
    if edit.start_line == edit.end_line:
        if head_survives:
            return line
        return tail_line if tail_survives else None
    if line == edit.start_line:
        return line if head_survives else None
    if line == edit.end_line:
        return tail_line if tail_survives else None
    return None  # strictly inside the replaced range


def apply_edit(anchor: LineRange, edit: LineEdit) -> LineRange | None:
    """The memory's lines after ``edit``, or None when all its lines were deleted."""
    if anchor.end < edit.start_line:
        return anchor  # the edit is below the memory
    if edit.end_line < anchor.start:
        delta = edit.line_delta  # the edit is above the memory: shift it
        return anchor if delta == 0 else LineRange(anchor.start + delta, anchor.end + delta)
    survivors = [
        new
        for new in (_new_line(line, edit) for line in range(anchor.start, anchor.end + 1))
        if new is not None
    ]
    if not survivors:
        return None
    return LineRange(min(survivors), max(survivors))


def find_anchor_line(
    lines: Sequence[str],
    anchor_text: str,
    expected_line: int,
    max_distance: int = 200,
    as_stored: Callable[[str], str] = str.strip,
) -> int | None:
    """The line nearest ``expected_line`` whose text, as it would be stored (``as_stored``:
    trimmed, and redacted by the caller when the stored text was), is ``anchor_text``.

    Used when a file is opened: the stored line may be stale if the file changed while no
    editor with Vidurai watched it. Returns None when the text is nowhere near.
    """
    wanted = anchor_text.strip()
    if not wanted:
        return None
    for distance in range(max_distance + 1):
        for line in (expected_line - distance, expected_line + distance):
            if 0 <= line < len(lines) and as_stored(lines[line]) == wanted:
                return line
    return None
