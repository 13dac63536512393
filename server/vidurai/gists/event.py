"""What every voice is told about a memory: its kind, its words and the facts around them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from vidurai.gists.kinds import COMMAND_KINDS, Kind, infer_event_type, kind_of
from vidurai.gists.outcomes import DiagnosticCategory, diagnostic_category
from vidurai.gists.text import area_of, tidy
from vidurai.storage.models import EventType


@dataclass(frozen=True)
class GistContext:
    """What is known about the memory beyond its text; every field may be missing.

    There is no line: gists never name one, the place is shown from the live anchor.
    """

    event_type: str | None = None  # an EventType value
    file_path: str | None = None  # relative to the workspace folder, with "/"; gives the area
    error_type: str | None = None  # an exception name ("TypeError") or a rule code ("TS2304")
    source: str | None = None  # the tool that reported a diagnostic ("Pylance", "ruff")
    message: str | None = None  # the tool's own words: a diagnostic or a command's error line
    command: str | None = None
    exit_code: int | None = None


# A label the developer opened the note with: "Gotcha: …", "Decision: …", "TIL …".
_LABEL = re.compile(
    r"(?i)^(?P<label>gotcha|careful|note|nb|fyi|important|warning|heads[- ]up|caveat|lesson learned|lesson"
    r"|decision|decided|til|learned|learnt|todo|reminder)"
    r"(?:\s*:\s*|\s+[—–-]\s+|(?<=til)\s+)(?P<rest>\S.*)$"
)


@dataclass(frozen=True)
class Event:
    """One memory as the voices see it."""

    kind: Kind
    text: str  # the memory's words, tidied (the developer's, or a tool's summary)
    label: str | None  # the opening label, lower case, without its colon
    body: str  # the text without the label
    context: GistContext
    area: str | None  # the part of the code it is about, in plain words
    diagnostic: DiagnosticCategory | None  # a fix told in a tool's words: what it was
    command: str | None  # the command of a failing or fixed command

    @property
    def event_type(self) -> str:
        return self.kind.value


def _clean(value: str | None) -> str | None:
    return tidy(value) or None if value else None


def _rule_code(code: str | None, source: str | None) -> str | None:
    """A diagnostic code as people write it: TypeScript's 2304 is "TS2304"."""
    code = _clean(code)
    if code and code.isdigit() and (source or "").lower() in ("ts", "typescript", "tsserver"):
        return f"TS{code}"
    return code


def make_event(verbatim: str, canonical_gist: str, context: GistContext | None) -> Event:
    context = context or GistContext()
    context = GistContext(
        event_type=context.event_type,
        file_path=_clean(context.file_path),
        error_type=_rule_code(context.error_type, context.source),
        source=_clean(context.source),
        message=_clean(context.message),
        command=" ".join(context.command.split()) or None if context.command else None,
        exit_code=context.exit_code,
    )
    text = tidy(canonical_gist)
    if not text:
        text = tidy(next((line for line in (verbatim or "").splitlines() if line.strip()), ""))
    if context.event_type and context.event_type != EventType.NOTE.value:
        kind = kind_of(context.event_type)
    else:
        kind = kind_of(infer_event_type(text))
    if not text:
        text = (
            f"{context.command} failed"
            if kind.value == EventType.COMMAND_FAILED.value and context.command
            else kind.fallback
        )
    match = _LABEL.match(text)
    label, body = (match["label"].lower(), match["rest"]) if match else (None, text)
    diagnostic = (
        diagnostic_category(context.message, context.error_type, context.source)
        if kind.value == EventType.ERROR_FIXED.value and context.message
        else None
    )
    command = context.command if kind.value in COMMAND_KINDS else None
    return Event(kind, text, label, body, context, area_of(context.file_path), diagnostic, command)
