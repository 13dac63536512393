"""ai: precise and compact for a model: the kind, what happened, the error type or rule code,
the command and its exit code. Nothing the evidence does not support (no guessed error type
on a command that passed), no place (the reader adds the live one).
"""

from __future__ import annotations

import re

from vidurai.gists.event import Event
from vidurai.storage.models import EventType

# Openings the kind's label already says: "Fix: Fixed …" would say it twice.
_SAID_BY_LABEL = {
    EventType.ERROR_FIXED.value: re.compile(
        r"(?i)^(?:fixed|fix|fixes|resolved|solved|patched)\s+(?=\S)"
    ),
    EventType.DECISION.value: re.compile(
        r"(?i)^(?:(?:we |i )?decided(?: to| that| on)?|decision|(?:we |i )?chose|going with"
        r"|(?:we |i )?went with|opted(?: for| to)?)\s*:?\s+(?=\S)"
    ),
}
_LABELS = {
    "gotcha": "Gotcha",
    "warning": "Gotcha",
    "careful": "Gotcha",
    "caveat": "Gotcha",
    "heads up": "Gotcha",
    "heads-up": "Gotcha",
    "til": "Learned",
    "learned": "Learned",
    "learnt": "Learned",
    "lesson": "Learned",
    "lesson learned": "Learned",
    "todo": "To do",
    "reminder": "To do",
}


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text) is not None


def tell(event: Event) -> str:
    context = event.context
    kind = event.event_type
    if event.diagnostic is not None:
        source, code = context.source, context.error_type
        if source and code and code.lower().startswith(source.lower()):
            source = None  # "TS2304" says it is TypeScript
        rule = " ".join(part for part in (source, code) if part)
        return f"Fix ({rule}): {context.message}" if rule else f"Fix: {context.message}"
    if event.command and kind == EventType.COMMAND_FAILED.value:
        exit_code = f" (exit {context.exit_code})" if context.exit_code not in (None, 0) else ""
        cause = f" — {context.message}" if context.message else ""
        return f"Command failed: {event.command}{exit_code}{cause}"
    if event.command and kind == EventType.COMMAND_FIXED.value:
        return f"Command fixed: {event.command} exits 0 again"
    label = _LABELS.get(event.label or "", event.kind.ai_label)
    what = event.body if event.label else event.text
    said = _SAID_BY_LABEL.get(kind)
    if said is not None:
        what = said.sub("", what, count=1)
    error_type = context.error_type
    if error_type and not _mentions(what, error_type):
        return f"{label} ({error_type}): {what}"
    return f"{label}: {what}"
