"""Open documents and the live positions of their memories.

While a file is open its memories' lines move with every edit (``memory.anchors``); hovers
and the tree read the live positions, and the moved anchors are written to the store when
the file is saved, so they survive a restart and always match the file on disk.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from vidurai.lsp.lines import stored_span, to_stored
from vidurai.memory.anchors import LineEdit, LineRange, apply_edit, find_anchor_line
from vidurai.memory.redact import REDACTED_PREFIX, redact
from vidurai.storage import FileAnchor, Memory


def _as_stored(anchor_text: str) -> Callable[[str], str]:
    """How a line's text compares with a stored anchor text: trimmed, and redacted when the
    stored one was (a line holding a secret is stored redacted, never as written)."""
    if REDACTED_PREFIX not in anchor_text:
        return str.strip
    return lambda line: redact(line.strip())


def text_lines(text: str) -> list[str]:
    """A document's lines as pygls splits them, without their line ends."""
    return [line.rstrip("\r\n") for line in text.splitlines(True)]


def _holds(lines: Sequence[str], start: int, end: int, anchor_text: str) -> bool:
    """Whether lines ``start..end`` still hold the anchor text (the usual case on opening a
    file: tested plainly first, as thousands of memories are checked at once)."""
    wanted = anchor_text.strip()
    if start < len(lines) and lines[start].strip() == wanted:
        return True
    as_stored = _as_stored(anchor_text)
    return any(as_stored(line) == wanted for line in lines[start : end + 1])


# (line, end line, detached, anchor text) as the store has them; lines 1-based.
Stored = tuple[int | None, int | None, bool, str | None]


@dataclass(frozen=True)
class LivePlace:
    """A memory's place in an open buffer, which may be ahead of the store (unsaved edits)."""

    lines: tuple[int, int] | None  # 0-based; None: detached (all its lines were deleted)

    @property
    def detached(self) -> bool:
        return self.lines is None


@dataclass(slots=True)
class LiveAnchor:
    """A memory's lines (0-based) in an open document, and what the store last saw."""

    lines: LineRange | None  # None: detached
    stored: Stored

    def current(self, text: Sequence[str]) -> Stored:
        """What the store should hold for the document ``text``: the lines, and the first
        line's text as the anchor text (kept when that line still reads the same)."""
        line, end_line, _, anchor_text = self.stored
        if self.lines is None:
            return (line, end_line, True, anchor_text)
        first = text[self.lines.start].strip() if self.lines.start < len(text) else ""
        if first and (anchor_text is None or _as_stored(anchor_text)(first) != anchor_text.strip()):
            anchor_text = redact(first)
        return (to_stored(self.lines.start), to_stored(self.lines.end), False, anchor_text)


class OpenDocument:
    """A file open in the editor, and the live lines of its memories (``anchors``).

    Following can be put off (``follow_later``): reading a file's memories and checking each
    against the text takes milliseconds at thousands of memories, and the gutter's marks, asked
    for as the file opens, do not need it. The first use of ``anchors`` follows.
    """

    def __init__(self, uri: str, project: str, file: str) -> None:
        self.uri = uri
        self.project = project  # the workspace folder's path
        self.file = file  # relative to the project, with "/"
        self._anchors: dict[int, LiveAnchor] = {}
        self._follow: Callable[[], None] | None = None

    def follow_later(self, follow: Callable[[], None]) -> None:
        """Run ``follow`` (which adds the memories) on the first use of ``anchors``."""
        self._follow = follow

    @property
    def followed(self) -> bool:
        return self._follow is None

    @property
    def anchors(self) -> dict[int, LiveAnchor]:
        if self._follow is not None:
            follow, self._follow = self._follow, None
            follow()
        return self._anchors

    def unfollow(self) -> None:
        """Drop every anchor (and a following put off): the memories are followed afresh."""
        self._follow = None
        self._anchors.clear()

    def add_memories(self, memories: Iterable[FileAnchor], lines: Sequence[str]) -> None:
        """Track memories not tracked yet (their places, as ``MemoryStore.file_anchors`` gives
        them). A memory whose stored line no longer holds its anchor text is looked for nearby
        and moved there, else detached."""
        anchors = self.anchors
        for memory_id, line_number, end_line, detached, anchor_text in memories:
            if memory_id in anchors or line_number is None:
                continue
            start, end = stored_span(line_number, end_line)
            stored = (line_number, to_stored(end), detached, anchor_text)
            live: LineRange | None = None if detached else LineRange(start, end)
            if live is not None and anchor_text and not _holds(lines, start, end, anchor_text):
                as_stored = _as_stored(anchor_text)
                found = find_anchor_line(lines, anchor_text, start, as_stored=as_stored)
                live = None if found is None else LineRange(found, found + end - start)
            anchors[memory_id] = LiveAnchor(live, stored)

    def add_new_memory(self, memory: Memory) -> None:
        """Track a memory made just now from this buffer, at its lines in the current text."""
        if memory.id in self.anchors or memory.line_number is None:
            return
        start, end = stored_span(memory.line_number, memory.end_line)
        stored = (memory.line_number, to_stored(end), False, memory.anchor_text)
        self.anchors[memory.id] = LiveAnchor(LineRange(start, end), stored)

    def apply_edit(self, edit: LineEdit) -> bool:
        """Move every anchor through one content change; True when a memory moved or lost its
        lines (what shows them must follow)."""
        moved = False
        for anchor in self.anchors.values():
            if anchor.lines is not None:
                before, anchor.lines = anchor.lines, apply_edit(anchor.lines, edit)
                moved = moved or anchor.lines != before
        return moved

    def memory_ids_at(self, line: int) -> list[int]:
        return [
            memory_id
            for memory_id, anchor in self.anchors.items()
            if anchor.lines is not None and anchor.lines.start <= line <= anchor.lines.end
        ]

    def live_lines(self, memory_id: int) -> tuple[int, int] | None:
        anchor = self.anchors.get(memory_id)
        if anchor is None or anchor.lines is None:
            return None
        return (anchor.lines.start, anchor.lines.end)

    def live_place(self, memory_id: int) -> LivePlace | None:
        """Where a tracked memory is in this buffer (None: not tracked here)."""
        anchor = self.anchors.get(memory_id)
        if anchor is None:
            return None
        return LivePlace(None if anchor.lines is None else (anchor.lines.start, anchor.lines.end))

    def unsaved(
        self, text: Sequence[str]
    ) -> list[tuple[int, int | None, int | None, bool, str | None]]:
        """(id, line, end line, detached, anchor text) of each anchor that differs from the
        store, for the document ``text``."""
        changed = []
        for memory_id, anchor in self.anchors.items():
            current = anchor.current(text)
            if current != anchor.stored:
                changed.append((memory_id, *current))
        return changed

    def places_moved(
        self, changes: Iterable[tuple[int, int | None, int | None, bool, str | None]]
    ) -> bool:
        """True when some of ``changes`` (from ``unsaved``, before ``mark_saved``) move a memory
        or detach it; an anchor text only filled in or updated changes nothing anyone sees."""
        return any(
            self.anchors[memory_id].stored[:3] != (line, end_line, detached)
            for memory_id, line, end_line, detached, _ in changes
        )

    def mark_saved(
        self, saved: Iterable[tuple[int, int | None, int | None, bool, str | None]]
    ) -> None:
        for entry in saved:
            memory_id, stored = entry[0], entry[1:]
            if memory_id in self.anchors:
                self.anchors[memory_id].stored = stored

    def forget(self, memory_id: int) -> None:
        self.anchors.pop(memory_id, None)
