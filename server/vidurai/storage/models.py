"""The vocabulary of the data model: salience levels, event kinds, built-in audiences, times.

These are values stored in the database, so they live with the storage layer; the layers
above import them from here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import overload


class SalienceLevel(enum.Enum):
    """How much a memory matters. Stored by name, always ordered by ``rank`` (higher first)."""

    CRITICAL = 5
    HIGH = 4
    MEDIUM = 3
    LOW = 2
    NOISE = 1

    @property
    def rank(self) -> int:
        return self.value

    @property
    def retention_days(self) -> int | None:
        """Default life counted from the last use; ``None`` means never forgotten."""
        return _RETENTION_DAYS[self]

    @classmethod
    def parse(cls, value: "SalienceLevel | str") -> "SalienceLevel":
        """Accept a level or its name in any case; raise ValueError naming the valid names."""
        if isinstance(value, SalienceLevel):
            return value
        try:
            return cls[str(value).strip().upper()]
        except KeyError:
            valid = ", ".join(level.name for level in cls)
            raise ValueError(f"unknown salience {value!r}; valid: {valid}") from None


# A memory whose lines were deleted points nowhere: it lives at most this long from its last
# use (pinned and CRITICAL memories excepted).
DETACHED_RETENTION_DAYS = 7

_RETENTION_DAYS = {
    SalienceLevel.CRITICAL: None,
    SalienceLevel.HIGH: 90,
    SalienceLevel.MEDIUM: 30,
    SalienceLevel.LOW: 7,
    SalienceLevel.NOISE: 1,
}


class EventType(str, enum.Enum):
    """Where a memory came from; stored as the value in ``memories.event_type``."""

    NOTE = "note"
    ERROR_FIXED = "error_fixed"
    COMMAND_FAILED = "command_failed"
    COMMAND_FIXED = "command_fixed"
    DECISION = "decision"
    REFACTOR = "refactor"
    CONFIG = "config"


@dataclass(frozen=True)
class BuiltinAudience:
    """An audience every store has. Its voice is the module of its name,
    ``vidurai/gists/voices/<name>.py``; docs/EXTENDING.md says what else follows from a row."""

    name: str  # stored in audience_gists.audience; a lowercase identifier
    description: str  # how its gists read, in a few words (settings, MCP and CLI help)


# The one list of built-in audiences, in the order every surface shows them. The extension's
# copy (extension/protocol.ts, the settings' texts in package.json) is checked against it by
# tests/server/test_manifest.py.
BUILTIN_AUDIENCE_TABLE: tuple[BuiltinAudience, ...] = (
    BuiltinAudience("developer", "file and line"),
    BuiltinAudience("personal", "first person"),
    BuiltinAudience("ai", "for assistants"),
    BuiltinAudience("manager", "outcomes"),
)
BUILTIN_AUDIENCES: tuple[str, ...] = tuple(audience.name for audience in BUILTIN_AUDIENCE_TABLE)

# SQLite's CURRENT_TIMESTAMP form. Every stored time is UTC in this form so that plain
# string comparison in SQL orders times correctly.
DB_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def to_db_time(moment: datetime) -> str:
    """A datetime as a stored UTC string; a naive datetime is taken to be UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc)
    return moment.strftime(DB_TIME_FORMAT)


def from_db_time(text: str) -> datetime:
    """A stored UTC string as an aware datetime."""
    return datetime.fromisoformat(text[:19] + "+00:00")


@overload
def iso_time(moment: datetime) -> str: ...
@overload
def iso_time(moment: None) -> None: ...
def iso_time(moment: datetime | None) -> str | None:
    """A time as ISO-8601 UTC (``2026-11-27T10:00:00Z``); None for None."""
    return (
        None if moment is None else moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
