"""Stored gists made again when the generator's rules change.

The store keeps the version of the rules that made its gists (``metadata`` key
``gist_generator``). When it differs from ``GENERATOR_VERSION``, every memory's gists are
generated again from what the memory holds, a page at a time (short transactions, so the
editor never waits on a long one), except the gists the user wrote. Replaced text goes to
gist history like any other replaced gist. The version is written last: an interrupted run
starts again and changes nothing twice.
"""

from __future__ import annotations

import re
from typing import Callable

from vidurai.gists.kinds import COMMAND_KINDS
from vidurai.gists import GENERATOR_VERSION, GistContext, MultiAudienceGistGenerator
from vidurai.memory.capture import error_type_of
from vidurai.memory.fixes import DiagnosticEvent
from vidurai.storage import Memory, MemoryStore, StoreError, open_store
from vidurai.storage.models import EventType

GENERATOR_KEY = "gist_generator"
PAGE = 500

# The verbatim text capture writes (see capture.py): what each kind of memory holds.
_DIAGNOSTIC_MESSAGE = re.compile(r"^Message: (.*)$", re.MULTILINE)
_DIAGNOSTIC_CODE = re.compile(r"^Code: (.*) \(source: (.*)\)$", re.MULTILINE)
_COMMAND_LINE = re.compile(r"\A\$ (.*)$", re.MULTILINE)
_EXIT_CODE = re.compile(r"^exit code (-?\d+)$", re.MULTILINE)
_FAILURE_CAUSE = re.compile(r" failed with exit code -?\d+: (.*)$")


def context_of(memory: Memory) -> GistContext:
    """The generator's context for a stored memory, read back from what capture stored."""
    kind, verbatim = memory.event_type, memory.verbatim or ""
    context = GistContext(event_type=kind, file_path=memory.file_path)
    if kind == EventType.ERROR_FIXED.value:
        message = _DIAGNOSTIC_MESSAGE.search(verbatim)
        if message is None:
            return context  # a note the user called a fix
        code_line = _DIAGNOSTIC_CODE.search(verbatim)
        code, source = code_line.groups() if code_line else (None, None)
        code = None if code in (None, "-") else code
        source = None if source in (None, "unknown") else source
        diagnostic = DiagnosticEvent(message.group(1), 1, code=code, source=source)
        return GistContext(
            event_type=kind,
            file_path=memory.file_path,
            message=message.group(1),
            error_type=error_type_of(diagnostic),
            source=source,
        )
    command = _COMMAND_LINE.search(verbatim)
    if kind in COMMAND_KINDS and command:
        exit_code = _EXIT_CODE.search(verbatim)
        cause = (
            _FAILURE_CAUSE.search(memory.gist) if kind == EventType.COMMAND_FAILED.value else None
        )
        return GistContext(
            event_type=kind,
            command=command.group(1),
            exit_code=int(exit_code.group(1))
            if exit_code
            else (0 if kind == EventType.COMMAND_FIXED.value else None),
            message=cause.group(1) if cause else None,
        )
    return context


def gists_are_current(db: MemoryStore) -> bool:
    return db.get_metadata(GENERATOR_KEY) == GENERATOR_VERSION


def regenerate_gists(db: MemoryStore, generator: MultiAudienceGistGenerator) -> int:
    """Make the gists again if they were made by other rules; returns how many changed."""
    if gists_are_current(db):
        return 0
    changed, after = 0, 0
    while True:
        page_changed, next_after = regenerate_page(db, generator, after)
        changed += page_changed
        if next_after is None:
            return changed
        after = next_after


def regenerate_page(
    db: MemoryStore, generator: MultiAudienceGistGenerator, after: int, size: int = PAGE
) -> tuple[int, int | None]:
    """One page of ``regenerate_gists``: the memories with an id above ``after``. Returns how
    many gists changed and the id to go on after, or None when no memory was left (and the
    version is written)."""
    page = db.memories_after(after, size)
    if not page:
        db.set_metadata(GENERATOR_KEY, GENERATOR_VERSION)
        return 0, None
    changed = db.replace_generated_gists(
        {
            memory.id: generator.generate(memory.verbatim, memory.gist, context_of(memory))
            for memory in page
        }
    )
    return changed, page[-1].id


def open_current_store(location: str | None, say: Callable[[str], None]) -> MemoryStore:
    """The store, with gists made by older rules made again (once, after an upgrade);
    ``say`` tells the person waiting why it takes a moment."""
    store = open_store(location)
    try:
        if not gists_are_current(store) and store.memories_after(0, 1):
            say("writing the gists again with this version's rules (once)…")
        regenerate_gists(store, MultiAudienceGistGenerator())
    except StoreError:
        pass  # a store this process may not write keeps the gists it has
    return store
