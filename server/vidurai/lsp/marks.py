"""The marks of a file's remembered lines (the editor's gutter and current-line hint).

One mark per place: memories on the same lines share it, and the most salient one labels it.
An open buffer's live anchors win over the stored lines (they may be ahead of the last save);
detached memories (their lines were deleted) have no place and get no mark.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable, Mapping

from vidurai.lsp import protocol
from vidurai.lsp.documents import OpenDocument
from vidurai.lsp.present import age, one_line


def file_marks(
    rows: Iterable[Mapping[str, Any]],
    document: OpenDocument | None,
    now: datetime | None = None,
) -> list[protocol.FileMark]:
    """``rows`` (``MemoryDatabase.file_marks``) arrive most salient first."""
    places: dict[tuple[int, int], protocol.FileMark] = {}
    for row in rows:
        live = document.live_place(row["id"]) if document is not None else None
        if live is not None:
            if live.lines is None:
                continue
            lines = live.lines
        elif row["detached"]:
            continue
        else:
            start = row["line_number"] - 1
            lines = (start, max(start, (row["end_line"] or row["line_number"]) - 1))
        mark = places.get(lines)
        if mark is None:
            places[lines] = protocol.FileMark(
                line=lines[0], end_line=lines[1], count=1, label=one_line(row["label"]),
                salience=row["salience"].capitalize(), age=age(row["created_at"], now),
            )
        else:
            mark.count += 1
    return sorted(places.values(), key=lambda mark: (mark.line, mark.end_line))
