"""The marks of a file's remembered lines (the editor's gutter).

One mark per place: memories on the same lines share it. An open buffer's live anchors win
over the stored lines (they may be ahead of the last save); detached memories (their lines
were deleted) have no place and get no mark. Only lines and counts: a file of thousands of
memories answers in a few milliseconds, and the text of one line is ``vidurai/lineHint``'s.
"""

from __future__ import annotations

from typing import Iterable

from vidurai.lsp.documents import OpenDocument
from vidurai.storage import FileMark
from vidurai.lsp.lines import stored_span


def file_marks(rows: Iterable[FileMark], document: OpenDocument | None) -> list[int]:
    """``rows`` as ``MemoryStore.file_marks`` gives them, as ``FileMarksResult.marks``."""
    # A document not followed yet (just opened) has the stored lines: following it here would
    # hold up the marks; when the check after the open moves a memory, the marks are asked again.
    anchors = document.anchors if document is not None and document.followed else {}
    counts: dict[tuple[int, int], int] = {}
    for memory_id, line_number, end_line, detached in rows:
        anchor = anchors.get(memory_id)
        if anchor is not None:
            if anchor.lines is None:
                continue
            lines = (anchor.lines.start, anchor.lines.end)
        elif detached:
            continue
        else:
            lines = stored_span(line_number, end_line)
        counts[lines] = counts.get(lines, 0) + 1
    flat: list[int] = []
    for (start, end), count in sorted(counts.items()):
        flat += (start, end, count)
    return flat
