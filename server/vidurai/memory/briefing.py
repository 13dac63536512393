"""Markdown built from memories for someone else to read: AI context and manager reports.

The language server (`vidurai/context`, `vidurai/report`), the CLI (`context`, `report`) and
the MCP server all call these functions, so every client gets the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Iterable

from vidurai.gists.kinds import (
    COMMAND_KINDS,
    REPORT_SECTIONS,
    SECTION_NOUNS,
    STILL_FAILING,
    infer_event_type,
    kind_of,
)
from vidurai.limits import DEFAULT_CONTEXT_TOKENS, MAX_TOKEN_BUDGET, MIN_TOKEN_BUDGET
from vidurai.gists.text import area_of, area_of_command, capitalise
from vidurai.memory.markdown import escape_markdown
from vidurai.memory.display import LiveLines, one_line, place_text
from vidurai.storage import Memory, MemoryStore
from vidurai.storage.models import EventType, SalienceLevel, utc_now

# Candidates looked at for a context; far more than any sensible budget can hold.
CONTEXT_CANDIDATES = 300
# Memories of other files nearest in meaning to the current file's text.
RELATED_CANDIDATES = 10
# Only the start of a file is read for its meaning (embedding looks at 2,000 characters).
RELATED_TEXT_BYTES = 16_384
REPORT_CANDIDATES = 2_000


@dataclass(frozen=True)
class Briefing:
    markdown: str
    tokens: int
    memory_count: int


def check_token_budget(max_tokens: int) -> int:
    """The budget, or ValueError when it is outside what every surface accepts."""
    if not MIN_TOKEN_BUDGET <= max_tokens <= MAX_TOKEN_BUDGET:
        raise ValueError(
            f"max_tokens must be between {MIN_TOKEN_BUDGET} and {MAX_TOKEN_BUDGET}, not {max_tokens}"
        )
    return max_tokens


def estimate_tokens(text: str) -> int:
    """About four characters a token for English and code: cheap, offline, never under."""
    return (len(text) + 3) // 4


class _Budget:
    """Lines are added while they fit; the text never goes over ``max_tokens``."""

    def __init__(self, max_tokens: int | None):
        self.max_tokens = max_tokens
        self.lines: list[str] = []

    def tokens(self, extra: Iterable[str] = ()) -> int:
        return estimate_tokens("\n".join([*self.lines, *extra]))

    def fits(self, *lines: str) -> bool:
        return self.max_tokens is None or self.tokens(lines) <= self.max_tokens

    def add(self, *lines: str) -> bool:
        if not self.fits(*lines):
            return False
        self.lines.extend(lines)
        return True

    def text(self) -> str:
        return "\n".join(self.lines)


def _gist(memory: Memory) -> str:
    return escape_markdown(one_line(memory.shown_gist))


def _read_text(path: Path) -> str | None:
    """The start of a file as text, or None when it cannot be read (gone, a folder, binary)."""
    try:
        with path.open("rb") as file:
            return file.read(RELATED_TEXT_BYTES).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def build_context(
    db: MemoryStore,
    project: str | Path,
    *,
    current_file: str | None = None,
    query: str | None = None,
    max_tokens: int = DEFAULT_CONTEXT_TOKENS,
    audience: str = "ai",
    live_lines: LiveLines | None = None,
    current_text: str | None = None,
) -> Briefing:
    """Context for an AI assistant from one audience's gists (``ai`` by default).

    The memories about the current file come first, then those nearest in meaning to the
    file's text (``current_text``, read from disk when not given), then the rest of the
    project by salience and recency (or, with a query, by relevance); within ``max_tokens``.
    Each memory's place is said once, from its live anchor (``live_lines`` for open documents).
    """
    check_token_budget(max_tokens)
    db.validate_audience(audience)
    candidates: list[Memory] = []
    related: set[int] = set()
    if current_file:
        candidates += db.list_memories(
            project,
            file_path=current_file,
            order="salience",
            audience=audience,
            limit=CONTEXT_CANDIDATES,
        )
        if current_text is None:
            current_text = _read_text(Path(str(project)) / current_file)
        if current_text:
            nearest = db.related_memories(
                project,
                current_text,
                min_salience=SalienceLevel.LOW,
                limit=RELATED_CANDIDATES,
                audience=audience,
            )
            related = {m.id for m in nearest}
            candidates += nearest
    candidates += db.recall_memories(
        project,
        query=query,
        min_salience=SalienceLevel.LOW,
        limit=CONTEXT_CANDIDATES,
        audience=audience,
    )
    first_of_each: dict[int, Memory] = {}
    for memory in candidates:
        first_of_each.setdefault(memory.id, memory)
    ordered = list(first_of_each.values())

    budget = _Budget(max_tokens)
    budget.add(f"# Project memory: {escape_markdown(Path(str(project)).name)}")
    if not ordered:
        budget.add("", "_No memories yet._")
        return Briefing(budget.text(), budget.tokens(), 0)
    included = 0
    section = None
    for memory in ordered:
        if current_file and memory.file_path == current_file:
            heading = f"## Current file: {escape_markdown(current_file)}"
        elif memory.id in related:
            heading = "## Related to this file"
        else:
            heading = "## Project"
        place = place_text(memory, live_lines)
        line = f"- [{memory.salience}] {_gist(memory)}" + (
            f" ({escape_markdown(place)})" if place else ""
        )
        new_lines = ["", heading, line] if heading != section else [line]
        if not budget.add(*new_lines):
            break
        section = heading
        included += 1
    return Briefing(budget.text(), budget.tokens(), included)


_ACROSS_THE_PROJECT = "Across the project"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _section(memory: Memory) -> str:
    """The report section of a memory; a note is read for what it says ("Decided: …")."""
    kind = memory.event_type
    if kind == EventType.NOTE.value:
        kind = infer_event_type(memory.gist)
    return kind_of(kind).report_section


def _counts(members: Iterable[Memory]) -> str:
    """ "3 fixes, 1 decision and 2 notes": how many of each section, in the report's order."""
    by_section: dict[str, int] = {}
    for memory in members:
        section = _section(memory)
        by_section[section] = by_section.get(section, 0) + 1
    said = [_count(by_section[s], *SECTION_NOUNS[s]) for s in REPORT_SECTIONS if s in by_section]
    return " and ".join([", ".join(said[:-1]), said[-1]]) if len(said) > 1 else said[0]


def area_of_memory(memory: Memory) -> str | None:
    """The area a memory is about: its file's, else the path its command names."""
    area = area_of(memory.file_path)
    if area is None and memory.event_type in COMMAND_KINDS:
        first_line = memory.verbatim.split("\n", 1)[0]
        area = area_of_command(first_line[2:] if first_line.startswith("$ ") else None)
    return area


def _item(memory: Memory, area: str | None) -> str:
    """A report line; under its area's heading a gist does not name the area again."""
    gist = one_line(memory.shown_gist)
    if area and gist.startswith(f"{capitalise(area)}: "):
        gist = capitalise(gist[len(area) + 2 :])
    times = memory.occurrence_count
    return f"- {escape_markdown(gist)}" + (f" (×{times})" if times > 1 else "")


def build_report(
    db: MemoryStore,
    project: str | Path,
    *,
    days: int = 7,
    audience: str = "manager",
    max_tokens: int | None = None,
    now: datetime | None = None,
) -> Briefing:
    """A status update for the last ``days`` from one audience's gists (``manager`` by
    default): what is still failing, then what was done, grouped by the area of the code
    with counts; within ``max_tokens`` when given.

    A failing command with a later fix linked to it (tag ``fixes:<id>``) is not still
    failing, and is not reported twice: its fix says it.
    """
    if days < 1:
        raise ValueError("days must be at least 1")
    if max_tokens is not None:
        check_token_budget(max_tokens)
    db.validate_audience(audience)
    end = now or utc_now()
    start = end - timedelta(days=days)
    memories = db.list_memories(
        project, since=start, order="salience", audience=audience, limit=REPORT_CANDIDATES
    )
    fixed_since = {
        int(tag[len("fixes:") :])
        for memory in memories
        for tag in memory.tags
        if tag.startswith("fixes:") and tag[len("fixes:") :].isdigit()
    }
    memories = [m for m in memories if m.id not in fixed_since]
    failing = [m for m in memories if _section(m) == STILL_FAILING]
    done = [m for m in memories if _section(m) != STILL_FAILING]

    budget = _Budget(max_tokens)
    budget.add(
        f"# {escape_markdown(Path(str(project)).name)}: status for the last "
        f"{_count(days, 'day', 'days')}",
        "",
        f"_{start:%b %d} – {end:%b %d, %Y}_",
    )
    if not memories:
        budget.add("", "Nothing was remembered in this period.")
        return Briefing(budget.text(), budget.tokens(), 0)

    by_area: dict[str | None, list[Memory]] = {}
    for memory in done:
        by_area.setdefault(area_of_memory(memory), []).append(memory)
    # Busiest areas first; the memories about no area in particular last.
    areas = sorted(by_area, key=lambda a: (a is None, -len(by_area[a]), a or ""))
    summary = []
    if done:
        summary.append(
            f"{_counts(done)} in {_count(len([a for a in areas if a]), 'area', 'areas')}"
            if any(areas)
            else _counts(done)
        )
    if failing:
        summary.append(f"{_count(len(failing), 'thing', 'things')} still failing")
    budget.add("", capitalise("; ".join(summary)) + ".")

    groups: list[tuple[str, list[Memory], str | None]] = []
    if failing:
        groups.append((f"Still failing ({len(failing)})", failing, None))
    for area in areas:
        members = sorted(by_area[area], key=lambda m: REPORT_SECTIONS.index(_section(m)))
        title = capitalise(area) if area else _ACROSS_THE_PROJECT
        groups.append((f"{escape_markdown(title)} — {_counts(members)}", members, area))
    for title, members, area in groups:
        if not budget.fits("", f"## {title}", "- x"):
            break
        budget.add("", f"## {title}")
        if not all(budget.add(_item(memory, area)) for memory in members):
            break
    included = sum(line.startswith("- ") for line in budget.lines)
    if included < len(memories):
        # Make room for saying how much is left out, dropping items from the end if needed.
        while budget.lines:
            included = sum(line.startswith("- ") for line in budget.lines)
            if budget.add("", f"_…and {len(memories) - included} more not shown._"):
                break
            budget.lines.pop()
    return Briefing(budget.text(), budget.tokens(), included)
