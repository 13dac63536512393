"""The marks of a file's remembered lines (the editor's gutter).

One mark per place: memories on the same lines share it. An open buffer's live anchors win
over the stored lines (they may be ahead of the last save); detached memories (their lines
were deleted) have no place and get no mark. Only lines and counts: a file of thousands of
memories answers in a few milliseconds, and the text of one line is ``vidurai/lineHint``'s.
"""

from __future__ import annotations

from typing import Iterable

from vidurai.lsp import protocol
from vidurai.lsp.documents import OpenDocument
from vidurai.storage import FileMark
from vidurai.lsp.lines import stored_span


def file_marks(rows: Iterable[FileMark], document: OpenDocument | None) -> list[protocol.FileMark]:
    """``rows`` as ``MemoryStore.file_marks`` gives them."""
    places: dict[tuple[int, int], protocol.FileMark] = {}
    for row in rows:
        live = document.live_place(row.id) if document is not None else None
        if live is not None:
            if live.lines is None:
                continue
            lines = live.lines
        elif row.detached:
            continue
        else:
            lines = stored_span(row.line_number, row.end_line)
        mark = places.get(lines)
        if mark is None:
            places[lines] = protocol.FileMark(line=lines[0], end_line=lines[1], count=1)
        else:
            mark.count += 1
    return sorted(places.values(), key=lambda mark: (mark.line, mark.end_line))
