"""How the CLI writes: tables and fields for people, JSON with stable keys for scripts."""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from typing import IO, Any, Iterable, Sequence

from vidurai.memory.display import age, fenced, iso_time, one_line, place_of, place_text, utc_text
from vidurai.storage import LedgerEntry, Memory, SearchHit, Statistics
from vidurai.storage.models import utc_now


@dataclass
class Output:
    """Where a command writes: stdout, in JSON or as text for people."""

    as_json: bool
    stream: IO[str]

    def json(self, value: Any) -> None:
        json.dump(value, self.stream, ensure_ascii=False, indent=2)
        self.stream.write("\n")

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Fixed-width columns; the last column is cut to fit the terminal."""
        cells = [[one_line(str(value)) for value in row] for row in rows]
        widths = [len(header) for header in headers]
        for row in cells:
            widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
        fixed = sum(widths[:-1]) + 2 * (len(widths) - 1)
        room = max(shutil.get_terminal_size((120, 24)).columns - fixed, 20)
        widths[-1] = min(widths[-1], room)
        for row in [list(headers), *cells]:
            row[-1] = _cut(row[-1], widths[-1])
            self.line(
                "  ".join(
                    cell.ljust(width) for cell, width in zip(row, widths, strict=True)
                ).rstrip()
            )

    def fields(self, pairs: Iterable[tuple[str, Any]]) -> None:
        """``Label   value`` lines, labels padded to one width."""
        pairs = list(pairs)
        width = max(len(label) for label, _ in pairs)
        for label, value in pairs:
            self.line(f"{label.ljust(width)}  {value}")


def count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def place(memory: Memory) -> str:
    """``file:line`` (or ``file:line-end``), or ``-`` for a memory without a place."""
    return place_text(memory) or "-"


def when(moment: Any) -> str:
    """``2026-11-27 10:00:00 UTC (3 days ago)``, or ``-``."""
    return f"{utc_text(moment)} UTC ({age(moment)})" if moment else "-"


# ---------------------------------------------------------------------- JSON shapes


def memory_json(
    memory: Memory, audience: str | None = None, hit: SearchHit | None = None
) -> dict[str, Any]:
    """The stable ``--json`` shape of a memory (store column names, ISO times); a search
    hit's snippet marks the matched words with ``**``."""
    snippet = hit.snippet.render("**", "**") if hit is not None and hit.snippet else None
    return {
        "id": memory.id,
        "project_path": memory.project_path,
        "file_path": memory.file_path,
        "line_number": memory.line_number,
        "end_line": memory.end_line,
        "salience": memory.salience,
        "event_type": memory.event_type,
        "gist": memory.gist,
        "audience": audience,
        "audience_gist": memory.audience_gist if audience else None,
        "snippet": snippet,
        "tags": list(memory.tags),
        "pinned": memory.pinned,
        "pinned_at": iso_time(memory.pinned_at),
        "pin_reason": memory.pin_reason,
        "detached": memory.detached,
        "occurrence_count": memory.occurrence_count,
        "access_count": memory.access_count,
        "created_at": iso_time(memory.created_at),
        "last_accessed": iso_time(memory.last_accessed),
        "expires_at": iso_time(memory.expires_at),
    }


def ledger_json(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "memory_id": entry.memory_id,
        "gist": entry.gist,
        "salience": entry.salience,
        "reason": entry.reason,
        "forgotten_at": iso_time(entry.forgotten_at),
    }


def statistics_json(stats: Statistics) -> dict[str, Any]:
    return {**asdict(stats), "oldest": iso_time(stats.oldest), "newest": iso_time(stats.newest)}


# ---------------------------------------------------------------------- tables

MEMORY_HEADERS = ("ID", "SALIENCE", "AGE", "PLACE", "GIST")


def print_memories(out: Output, memories: Sequence[Memory], empty: str) -> None:
    if not memories:
        out.line(empty)
        return
    out.table(
        MEMORY_HEADERS,
        [
            [
                memory.id,
                memory.salience + (" pinned" if memory.pinned else ""),
                age(memory.created_at),
                place(memory),
                memory.shown_gist,
            ]
            for memory in memories
        ],
    )


def print_ledger(out: Output, entries: Sequence[LedgerEntry], empty: str) -> None:
    if not entries:
        out.line(empty)
        return
    out.table(
        ("FORGOTTEN", "ID", "SALIENCE", "REASON", "GIST"),
        [(utc_text(e.forgotten_at), e.memory_id, e.salience, e.reason, e.gist) for e in entries],
    )


def export_markdown(records: list[dict[str, Any]]) -> str:
    """Archive records (``MemoryStore.export_records``) as a Markdown document."""
    lines = [
        "# Vidurai memories",
        "",
        f"_Exported {utc_text(utc_now())} UTC: {count(len(records), 'memory', 'memories')}._",
    ]
    project = None
    for record in records:
        if record["project_path"] != project:
            project = record["project_path"]
            lines += ["", f"## {project}"]
        details = [record["salience"], record["event_type"], f"created {record['created_at']}"]
        if record["pinned"]:
            details.append("pinned")
        line = record["line_number"]
        where = place_of(
            record["file_path"],
            (line, record["end_line"] or line) if line else None,
            record["detached"],
        )
        if where:
            details.insert(0, where)
        lines += [
            "",
            f"### #{record['id']} {one_line(record['gist'])}",
            "",
            f"- {' · '.join(details)}",
        ]
        for audience, gist in record["audience_gists"].items():
            lines.append(f"- **{audience}**: {one_line(gist['gist'])}")
        lines += ["", fenced(record["verbatim"])]
    return "\n".join(lines) + "\n"
