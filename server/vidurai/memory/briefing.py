"""Markdown built from memories for someone else to read: AI context and manager reports.

The language server (`vidurai/context`, `vidurai/report`), the CLI (`context`, `report`) and
the MCP server all call these functions, so every client gets the same text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable

from vidurai.storage.database import MemoryDatabase
from vidurai.storage.models import EventType, SalienceLevel, describe_age, utc_now

# Candidates looked at for a context; far more than any sensible budget can hold.
CONTEXT_CANDIDATES = 300
REPORT_CANDIDATES = 2_000


@dataclass(frozen=True)
class Briefing:
    markdown: str
    tokens: int
    memory_count: int


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


def _gist(memory: dict[str, Any]) -> str:
    return " ".join((memory.get("audience_gist") or memory["gist"]).split())


def _place(memory: dict[str, Any]) -> str:
    if memory["file_path"] and memory["line_number"]:
        return f"{memory['file_path']}:{memory['line_number']}"
    return memory["file_path"] or ""


def build_context(
    db: MemoryDatabase,
    project: str | Path,
    *,
    current_file: str | None = None,
    query: str | None = None,
    max_tokens: int = 2000,
    audience: str = "ai",
) -> Briefing:
    """Context for an AI assistant from one audience's gists (``ai`` by default).

    The memories about the current file come first, then the rest of the project by
    salience and recency (or, with a query, by relevance); within ``max_tokens``.
    """
    if max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    db.validate_audience(audience)
    candidates: list[dict[str, Any]] = []
    if current_file:
        candidates += db.list_memories(project, file_path=current_file, order="salience",
                                       audience=audience, limit=CONTEXT_CANDIDATES)
    candidates += db.recall_memories(project, query=query, min_salience=SalienceLevel.LOW,
                                     limit=CONTEXT_CANDIDATES, audience=audience)
    seen: set[int] = set()
    ordered = [m for m in candidates if not (m["id"] in seen or seen.add(m["id"]))]

    budget = _Budget(max_tokens)
    budget.add(f"# Project memory: {Path(str(project)).name}")
    if not ordered:
        budget.add("", "_No memories yet._")
        return Briefing(budget.text(), budget.tokens(), 0)
    included = 0
    section = None
    for memory in ordered:
        heading = (
            f"## Current file: {current_file}"
            if current_file and memory["file_path"] == current_file else "## Project"
        )
        place = _place(memory)
        line = f"- [{memory['salience']}] {_gist(memory)}" + (f" ({place})" if place else "")
        new_lines = ["", heading, line] if heading != section else [line]
        if not budget.add(*new_lines):
            break
        section = heading
        included += 1
    return Briefing(budget.text(), budget.tokens(), included)


_REPORT_SECTIONS = (
    ("Fixed", {EventType.ERROR_FIXED.value, EventType.COMMAND_FIXED.value}),
    ("Decisions", {EventType.DECISION.value}),
    ("Still failing", {EventType.COMMAND_FAILED.value}),
    ("Notes", None),  # everything else
)


def _add_report_section(
    budget: _Budget, title: str, members: list[dict[str, Any]], now: datetime
) -> bool:
    """Add a heading and its items; False as soon as the budget is full."""
    if not budget.fits("", f"## {title}", "- x"):
        return False
    budget.add("", f"## {title}")
    for memory in members:
        times = memory["occurrence_count"]
        repeat = f" (×{times})" if times > 1 else ""
        if not budget.add(f"- {_gist(memory)}{repeat} — {describe_age(memory['created_at'], now)}"):
            return False
    return True


def build_report(
    db: MemoryDatabase,
    project: str | Path,
    *,
    days: int = 7,
    audience: str = "manager",
    max_tokens: int | None = None,
    now: datetime | None = None,
) -> Briefing:
    """A report of the last ``days`` from one audience's gists (``manager`` by default),
    grouped by outcome, most salient first; within ``max_tokens`` when given."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if max_tokens is not None and max_tokens < 1:
        raise ValueError("max_tokens must be at least 1")
    db.validate_audience(audience)
    end = now or utc_now()
    start = end - timedelta(days=days)
    memories = db.list_memories(project, since=start, order="salience", audience=audience,
                                limit=REPORT_CANDIDATES)
    budget = _Budget(max_tokens)
    budget.add(
        f"# {Path(str(project)).name}: the last {days} day{'s' if days != 1 else ''}",
        "",
        f"_{start:%b %d} – {end:%b %d, %Y} · {len(memories)} "
        f"memor{'y' if len(memories) == 1 else 'ies'}_",
    )
    if not memories:
        budget.add("", "Nothing was remembered in this period.")
        return Briefing(budget.text(), budget.tokens(), 0)
    claimed: set[int] = set()
    for title, kinds in _REPORT_SECTIONS:
        members = [
            m for m in memories
            if m["id"] not in claimed and (kinds is None or m["event_type"] in kinds)
        ]
        claimed.update(m["id"] for m in members)
        if members and not _add_report_section(budget, title, members, end):
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
