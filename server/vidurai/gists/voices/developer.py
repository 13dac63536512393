"""developer: what happened in the developer's own words, identifiers as written.

A note is told as it was written. A fix that only has a tool's words says which rule it was
("Fixed TS2304: Cannot find name 'userId'"); a command says itself, its exit code and its
error line. No file or line: the place is shown from the live anchor.
"""

from __future__ import annotations

from vidurai.gists.event import Event
from vidurai.storage.models import EventType


def tell(event: Event) -> str:
    context = event.context
    if event.diagnostic is not None:
        code = context.error_type
        if code and code not in (context.message or ""):
            return f"Fixed {code}: {context.message}"
        return f"Fixed: {context.message}"
    if event.command and event.event_type == EventType.COMMAND_FAILED.value:
        text = f"{event.command} failed"
        if context.exit_code not in (None, 0):
            text += f" with exit code {context.exit_code}"
        return f"{text}: {context.message}" if context.message else text
    if event.command and event.event_type == EventType.COMMAND_FIXED.value:
        return f"{event.command} passes again"
    return event.text
