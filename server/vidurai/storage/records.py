"""What a store hands upward: typed, immutable records instead of database rows.

Times are aware UTC datetimes (the store parses its own time format); flags are booleans;
tags are a tuple. The layers above read attributes, never column names, so a second backend
only has to build these records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class Memory:
    """One memory as stored, with the project it belongs to. Lines are 1-based."""

    id: int
    project_path: str
    verbatim: str
    gist: str
    event_type: str
    file_path: str | None
    line_number: int | None
    end_line: int | None
    anchor_text: str | None
    detached: bool
    salience: str
    tags: tuple[str, ...]
    created_at: datetime
    last_accessed: datetime | None
    access_count: int
    expires_at: datetime | None
    retention_days: int | None
    pinned: bool
    pinned_at: datetime | None
    pin_reason: str | None
    fingerprint: str | None
    occurrence_count: int
    # The gist in the audience the caller asked for (the canonical gist when that audience
    # has none); None when no audience was asked for.
    audience_gist: str | None = None

    @property
    def shown_gist(self) -> str:
        """The gist to show: the asked-for audience's, else the canonical one."""
        return self.audience_gist or self.gist

    @property
    def last_used(self) -> datetime:
        return self.last_accessed or self.created_at


@dataclass(frozen=True, slots=True)
class Snippet:
    """The matched part of a memory's text, with the matched words as (start, end)
    character spans into ``text``; how to highlight them is the reader's business."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def render(self, before: str, after: str) -> str:
        """The text with every span wrapped in ``before`` … ``after``."""
        parts, last = [], 0
        for start, end in self.spans:
            parts += [self.text[last:start], before, self.text[start:end], after]
            last = end
        parts.append(self.text[last:])
        return "".join(parts)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A memory found by a search: its fused ``score`` (higher is better, comparable within
    one search) and, when its words matched, the matched ``snippet``. Without a query
    (a plain listing) both are None."""

    memory: Memory
    score: float | None = None
    snippet: Snippet | None = None


@dataclass(frozen=True, slots=True)
class GistVersion:
    """A gist that was replaced: when it was written (unknown for some imported ones) and
    when it was replaced."""

    audience: str
    gist: str
    created_at: datetime | None
    replaced_at: datetime


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """The one-line trace a forgotten memory leaves (not its content)."""

    memory_id: int
    project_id: int
    gist: str
    salience: str
    reason: str
    forgotten_at: datetime


class FileMark(NamedTuple):
    """Where one memory of a file is: all the gutter needs. Named tuples, not dataclasses,
    here and in ``FileAnchor``: a file's marks are read by the thousand on every open, and a
    tuple is made in a third of the time."""

    id: int
    line_number: int
    end_line: int | None
    detached: bool


class FileAnchor(NamedTuple):
    """A ``FileMark`` with its anchor text: what following an opened file needs."""

    id: int
    line_number: int
    end_line: int | None
    detached: bool
    anchor_text: str | None  # the first line as last saved, to find the lines again


@dataclass(frozen=True, slots=True)
class Statistics:
    """Counts for one project (or the whole store)."""

    total: int
    pinned: int
    files: int
    oldest: datetime | None
    newest: datetime | None
    by_salience: dict[str, int] = field(default_factory=dict)
    by_event_type: dict[str, int] = field(default_factory=dict)


# The memory fields an export carries and an import restores, by their store names. In the
# JSONL file times are ISO-8601 UTC, `tags` is a list, `pinned` and `detached` booleans.
ARCHIVE_COLUMNS = (
    "verbatim",
    "gist",
    "event_type",
    "file_path",
    "line_number",
    "end_line",
    "anchor_text",
    "detached",
    "salience",
    "tags",
    "created_at",
    "last_accessed",
    "access_count",
    "expires_at",
    "retention_days",
    "pinned",
    "pinned_at",
    "pin_reason",
    "fingerprint",
    "occurrence_count",
)
ARCHIVE_TIMES = ("created_at", "last_accessed", "expires_at", "pinned_at")


@dataclass(frozen=True, slots=True)
class ArchivedGist:
    gist: str
    created_at: datetime | None
    written_by_user: bool


@dataclass(frozen=True, slots=True)
class ArchiveRecord:
    """One memory to import, exactly as exported (its ``id`` is not kept)."""

    memory: Memory
    audience_gists: dict[str, ArchivedGist]
    gist_history: tuple[GistVersion, ...]

    @property
    def project_path(self) -> str:
        return self.memory.project_path


@dataclass
class ImportResult:
    imported: int
    skipped: int


@dataclass(frozen=True, slots=True)
class HealthReport:
    """What `doctor` found: schema, integrity, full-text index, counts."""

    schema_version: int
    latest_schema_version: int
    integrity: tuple[str, ...]
    fts_problem: str | None
    fts_rebuilt: bool
    counts: dict[str, int]
    size_bytes: int

    @property
    def healthy(self) -> bool:
        return (
            self.integrity == ("ok",)
            and self.fts_problem is None
            and self.schema_version == self.latest_schema_version
        )
