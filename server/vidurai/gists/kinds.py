"""The kinds of event a memory can come from, in one table.

Everything that depends on the kind lives in its row: the salience it starts with, the label
the ai voice opens with, the section of the manager report it goes to, the opening words of
a note that say it is of this kind, the text to fall back on when a memory has none, whether
it is about a command, and its icon in the Memories tree. Add a kind here and every voice, the
report, salience and capture know it; the extension's icon table (extension/views/treeModel.ts)
is checked against this one by tests/server/test_manifest.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vidurai.storage.models import EventType, SalienceLevel


@dataclass(frozen=True)
class Kind:
    event_type: EventType
    salience: SalienceLevel  # before the words of the memory raise or lower it
    ai_label: str  # "Fix: …", "Decision: …"
    report_section: str  # the manager report's section for it
    opening: re.Pattern[str] | None  # a note that opens like this is of this kind
    fallback: str  # the text of a memory that came without any
    icon: str  # its row's codicon in the Memories tree (a pinned memory shows a pin instead)
    about_command: bool = False  # made from a command run in the terminal
    value: str = ""  # the stored name of the event type

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", self.event_type.value)


FIXED, STILL_FAILING, DECISIONS, NOTES = "Fixed", "Still failing", "Decisions", "Notes"

KINDS: dict[str, Kind] = {
    kind.value: kind
    for kind in (
        Kind(
            EventType.ERROR_FIXED,
            SalienceLevel.HIGH,
            "Fix",
            FIXED,
            re.compile(r"(?i)^(?:fixed|fix|fixes|resolved|solved|patched)\b"),
            "Fixed an error",
            icon="bug",
        ),
        Kind(
            EventType.COMMAND_FAILED,
            SalienceLevel.MEDIUM,
            "Command failed",
            STILL_FAILING,
            None,
            "A command failed",
            icon="terminal",
            about_command=True,
        ),
        Kind(
            EventType.COMMAND_FIXED,
            SalienceLevel.HIGH,
            "Command fixed",
            FIXED,
            None,
            "A failing command works again",
            icon="bug",
            about_command=True,
        ),
        Kind(
            EventType.DECISION,
            SalienceLevel.HIGH,
            "Decision",
            DECISIONS,
            re.compile(
                r"(?i)^(?:decided|decision|we decided|i decided|chose|we chose|i chose"
                r"|going with|we went with|opted)\b"
            ),
            "A decision",
            icon="lightbulb",
        ),
        Kind(
            EventType.REFACTOR,
            SalienceLevel.MEDIUM,
            "Refactor",
            NOTES,
            re.compile(
                r"(?i)^(?:refactor(?:ed|ing)?|extracted|restructured|simplified|renamed"
                r"|cleaned up|split|inlined)\b"
            ),
            "A refactor",
            icon="lightbulb",
        ),
        Kind(
            EventType.CONFIG,
            SalienceLevel.MEDIUM,
            "Config",
            NOTES,
            re.compile(r"(?i)^(?:configured|config)\b"),
            "A configuration change",
            icon="lightbulb",
        ),
        Kind(EventType.NOTE, SalienceLevel.MEDIUM, "Note", NOTES, None, "A note", icon="note"),
    )
}

# Report sections in the order a status update reads, each with how its count is said.
REPORT_SECTIONS = (STILL_FAILING, FIXED, DECISIONS, NOTES)
SECTION_NOUNS = {
    STILL_FAILING: ("failure", "failures"),
    FIXED: ("fix", "fixes"),
    DECISIONS: ("decision", "decisions"),
    NOTES: ("note", "notes"),
}

COMMAND_KINDS = frozenset(kind.value for kind in KINDS.values() if kind.about_command)

_DECISION_ANYWHERE = re.compile(r"(?i)\b(?:decided|decision)\b")
_CONFIG_ANYWHERE = re.compile(
    r"(?i)\b(?:config|configs|configuration|settings?|environment variables?|env vars?)\b"
)


def kind_of(event_type: str | None) -> Kind:
    """The row of a stored event type; an unknown one is told as a note."""
    return KINDS.get(event_type or "", KINDS[EventType.NOTE.value])


def infer_event_type(text: str) -> str:
    """The kind of event a free-text note describes: "Fixed …" is a fix, "Decided to …" a
    decision, and so on; a plain note when nothing says otherwise."""
    text = text.strip()
    for kind in KINDS.values():
        if kind.opening is not None and kind.opening.search(text):
            return kind.value
    if _DECISION_ANYWHERE.search(text):
        return EventType.DECISION.value
    if _CONFIG_ANYWHERE.search(text):
        return EventType.CONFIG.value
    return EventType.NOTE.value
