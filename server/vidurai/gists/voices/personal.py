"""personal: one first-person voice in the past tense ("I fixed …", "I decided to …").

The developer's opening verb becomes "I <verb>"; "we" becomes "I"; a label the note opened
with is said once ("I noted a gotcha: …", never "I noted: Gotcha: …"). "Learned" appears
only when the text says something was learned (TIL, "learned", "turns out").
"""

from __future__ import annotations

import re

from vidurai.gists.event import Event
from vidurai.gists.outcomes import command_category
from vidurai.gists.text import is_plain_capitalised, lower_first
from vidurai.storage.models import EventType

_PAST_TENSE = {
    "add": "added",
    "adopt": "adopted",
    "allow": "allowed",
    "batch": "batched",
    "block": "blocked",
    "build": "built",
    "bump": "bumped",
    "cache": "cached",
    "catch": "caught",
    "change": "changed",
    "check": "checked",
    "choose": "chose",
    "clean": "cleaned",
    "configure": "configured",
    "convert": "converted",
    "create": "created",
    "debounce": "debounced",
    "debug": "debugged",
    "decide": "decided",
    "delete": "deleted",
    "deploy": "deployed",
    "disable": "disabled",
    "discover": "discovered",
    "document": "documented",
    "downgrade": "downgraded",
    "drop": "dropped",
    "enable": "enabled",
    "escape": "escaped",
    "export": "exported",
    "expose": "exposed",
    "extract": "extracted",
    "find": "found",
    "fix": "fixed",
    "guard": "guarded",
    "handle": "handled",
    "hide": "hid",
    "implement": "implemented",
    "import": "imported",
    "increase": "increased",
    "index": "indexed",
    "inline": "inlined",
    "install": "installed",
    "introduce": "introduced",
    "investigate": "investigated",
    "learn": "learned",
    "limit": "limited",
    "lower": "lowered",
    "measure": "measured",
    "merge": "merged",
    "migrate": "migrated",
    "move": "moved",
    "notice": "noticed",
    "optimise": "optimised",
    "optimize": "optimized",
    "patch": "patched",
    "pin": "pinned",
    "port": "ported",
    "profile": "profiled",
    "raise": "raised",
    "realise": "realised",
    "realize": "realized",
    "reduce": "reduced",
    "refactor": "refactored",
    "release": "released",
    "remove": "removed",
    "rename": "renamed",
    "reorder": "reordered",
    "replace": "replaced",
    "reset": "reset",
    "resolve": "resolved",
    "restart": "restarted",
    "restructure": "restructured",
    "retry": "retried",
    "revert": "reverted",
    "revoke": "revoked",
    "rewrite": "rewrote",
    "rotate": "rotated",
    "sanitize": "sanitized",
    "set": "set",
    "ship": "shipped",
    "simplify": "simplified",
    "solve": "solved",
    "sort": "sorted",
    "split": "split",
    "switch": "switched",
    "throttle": "throttled",
    "tune": "tuned",
    "update": "updated",
    "upgrade": "upgraded",
    "use": "used",
    "validate": "validated",
    "wrap": "wrapped",
    "write": "wrote",
    "go": "went",
    "pick": "picked",
    "opt": "opted",
    "agree": "agreed",
    "bisect": "bisected",
    "trace": "traced",
    "track": "tracked",
    "keep": "kept",
    "stop": "stopped",
    "start": "started",
    "require": "required",
    "support": "supported",
    "store": "stored",
    "deprecate": "deprecated",
    "freeze": "froze",
    "avoid": "avoided",
    "run": "ran",
    "make": "made",
    "treat": "treated",
    "prefer": "preferred",
    "postpone": "postponed",
    "defer": "deferred",
    "vendor": "vendored",
    "see": "saw",
    "read": "read",
    "ask": "asked",
    "call": "called",
    "wait": "waited",
}
# Past forms that open a note as an adjective as often as a verb ("Cached results expire
# hourly", "Exported names are public") are not read as "I <verb>".
_ADJECTIVE_LIKE = frozenset(
    "batched blocked cached checked documented escaped exported exposed guarded hid imported "
    "indexed inlined limited lowered pinned ported profiled raised released sorted set reset "
    "split".split()
)
_PAST_FORMS = (frozenset(_PAST_TENSE.values()) - _ADJECTIVE_LIKE) | {"learnt"}
# Openings that make a note a reminder to oneself ("See the runbook before …").
_REMINDER_VERBS = frozenset(
    "see read ask check run call wait avoid keep stop make restart export".split()
)
# Words that follow a verb, not a noun: "Retry with backoff" is an instruction, "Retry
# budget is shared" a statement.
_AFTER_A_VERB = frozenset(
    "a an the this that these those it them all every each with on in at to for from after "
    "before until up down out off back over only".split()
)
# Kinds that say something was done: their opening past form is a verb ("Set X to 50").
_DOING_KINDS = frozenset(
    {
        EventType.REFACTOR.value,
        EventType.CONFIG.value,
        EventType.DECISION.value,
        EventType.ERROR_FIXED.value,
    }
)
_LEARNING_LABELS = frozenset({"til", "learned", "learnt", "lesson", "lesson learned"})
_NOTICE_LABELS = {
    "gotcha": "a gotcha",
    "warning": "a warning",
    "careful": "a warning",
    "caveat": "a caveat",
    "heads up": "a heads-up",
    "heads-up": "a heads-up",
    "important": "something important",
    "todo": "something to do",
    "reminder": "a reminder",
}
_RULE_OPENING = re.compile(r"(?i)^(?:never|always|don't|do not|avoid|only|must)\b")
_STATEMENT_VERB = re.compile(
    r"(?i)\b(?:is|are|was|were|must|should|will|can|cannot|can't|live|lives|stay|stays|run|runs"
    r"|go|goes|use|uses|has|have|need|needs|expire|expires|happen|happens)\b"
)


def _first_person(text: str, kind: str) -> str | None:
    """ "Fixed X" → "I fixed X", "We chose X" → "I chose X", a decision's "Use X" → "I
    decided to use X"; None when the text does not open with a verb this knows."""
    first, _, rest = text.partition(" ")
    verb = first.lower()
    tail = f" {rest}" if rest else ""
    if verb in ("we", "i") and rest:
        second, _, after = rest.partition(" ")
        if second.lower() in _PAST_FORMS | _ADJECTIVE_LIKE:
            return f"I {second.lower()}" + (f" {after}" if after else "")
        return None if verb == "we" else text
    if first != first.lower() and not is_plain_capitalised(first):
        return None  # an acronym or an identifier, not a verb
    if verb in _PAST_FORMS or (verb in _ADJECTIVE_LIKE and kind in _DOING_KINDS):
        return f"I {verb}{tail}"
    if verb == "going" and rest.lower().startswith("with "):
        return f"I went{tail}"
    # "Fix the retry loop" is a verb, "Retry budget is shared" a noun: only an opening the
    # kind was told by, or an imperative decision, is read as a verb.
    if verb in ("fix", "refactor"):
        return f"I {_PAST_TENSE[verb]}{tail}"
    if verb == "remember" and rest.lower().startswith("to "):
        return f"I made a note{tail}"
    if verb in _PAST_TENSE and kind == EventType.DECISION.value and verb != "decide":
        return f"I decided to {verb}{tail}"
    commands = verb in _REMINDER_VERBS or (
        verb in _PAST_TENSE and rest.split(" ", 1)[0].lower() in _AFTER_A_VERB
    )
    if commands and kind == EventType.NOTE.value:
        return f"I noted a reminder: {lower_first(text)}"
    return None


def _decided(body: str) -> str:
    """What follows "Decision:": "use X" → "I decided to use X", a statement → "… that …"."""
    first = body.split(" ", 1)[0].lower()
    if first in _PAST_TENSE:
        return f"I decided to {lower_first(body)}"
    if first in ("to", "that", "on"):
        return f"I decided {body}"
    joiner = "that" if _STATEMENT_VERB.search(body) else "on"
    return f"I decided {joiner} {lower_first(body)}"


def tell(event: Event) -> str:
    context, kind = event.context, event.event_type
    if event.diagnostic is not None:
        return f"I {event.diagnostic.personal} ({context.message})"
    if event.command and kind == EventType.COMMAND_FAILED.value:
        text = f"I ran {event.command} and it failed"
        if context.exit_code not in (None, 0):
            text += f" with exit code {context.exit_code}"
        return f"{text} ({context.message})" if context.message else text
    if event.command and kind == EventType.COMMAND_FIXED.value:
        return f"I got {event.command} {command_category(event.command).state} again"
    label, body = event.label, event.body
    if label in _LEARNING_LABELS:
        return f"I learned {lower_first(body)}"
    if label in ("decision", "decided"):
        return _decided(body)
    if label in _NOTICE_LABELS:
        return f"I noted {_NOTICE_LABELS[label]}: {lower_first(body)}"
    said = _first_person(body, kind)
    if said is not None:
        return said
    if _RULE_OPENING.match(body):
        return f"I noted a rule: {lower_first(body)}"
    if kind == EventType.DECISION.value:
        return _decided(body)
    if kind == EventType.ERROR_FIXED.value:
        return f"I fixed a bug where {lower_first(body)}"
    return f"I noted that {lower_first(body)}"
