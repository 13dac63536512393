"""Rule-based gists: one memory told in the voice each audience needs.

* developer: the gist, then the file and line ("… in middleware.py (line 42)");
* ai: the kind of event, the gist, then the error type and exact location;
* manager: the outcome in at most twelve plain words: no file, line, code or error names;
* personal: first person ("I fixed …"), with what was learned when there is something.

Deterministic, offline, pure. Words are kept as written (JWT, TypeError, ``parse_config``)
except the leading verb that the personal voice turns into "I <verb>". Inputs arrive
already redacted: capture redacts every text before it makes gists, which keeps this layer
free of the memory layer above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from vidurai.gists.audiences import AudienceRegistry
from vidurai.storage.models import EventType

MAX_GIST_LENGTH = 150
MANAGER_MAX_WORDS = 12
_ELLIPSIS = "…"


@dataclass(frozen=True)
class GistContext:
    """What is known about the memory beyond its text; every field may be missing."""

    event_type: str | None = None  # an EventType value
    file_path: str | None = None  # relative to the workspace folder, with "/"
    line: int | None = None  # 1-based
    error_type: str | None = None  # "TypeError", a diagnostic code, an exception name
    command: str | None = None
    exit_code: int | None = None


# --- the kind of event ----------------------------------------------------------------------

_KIND_BY_OPENING = (
    (EventType.ERROR_FIXED, re.compile(r"(?i)^(?:fixed|fix|fixes|resolved|solved|patched)\b")),
    (EventType.DECISION, re.compile(r"(?i)^(?:decided|decision|we decided|chose|we chose|going with|opted)\b")),
    (
        EventType.REFACTOR,
        re.compile(r"(?i)^(?:refactor(?:ed|ing)?|extracted|restructured|simplified|renamed|cleaned up)\b"),
    ),
    (EventType.CONFIG, re.compile(r"(?i)^configured\b")),
)
_DECISION_ANYWHERE = re.compile(r"(?i)\b(?:decided|decision)\b")
_CONFIG_ANYWHERE = re.compile(
    r"(?i)\b(?:config|configs|configuration|settings?|environment variables?|env vars?)\b"
)


def infer_event_type(text: str) -> str:
    """The kind of event a free-text note describes: "Fixed …" is a fix, "Decided to …" a
    decision, and so on; a plain note when nothing says otherwise."""
    text = text.strip()
    for kind, opening in _KIND_BY_OPENING:
        if opening.search(text):
            return kind.value
    if _DECISION_ANYWHERE.search(text):
        return EventType.DECISION.value
    if _CONFIG_ANYWHERE.search(text):
        return EventType.CONFIG.value
    return EventType.NOTE.value


def _kind_of(text: str, context: GistContext) -> str:
    if context.event_type and context.event_type != EventType.NOTE.value:
        return context.event_type
    return infer_event_type(text)


_AI_PREFIX = {
    EventType.ERROR_FIXED.value: "Bug resolution",
    EventType.COMMAND_FAILED.value: "Command failure",
    EventType.COMMAND_FIXED.value: "Command fix",
    EventType.DECISION.value: "Decision",
    EventType.REFACTOR.value: "Refactor",
    EventType.CONFIG.value: "Configuration",
    EventType.NOTE.value: "Note",
}

_FIX_KINDS = (EventType.ERROR_FIXED.value, EventType.COMMAND_FIXED.value)
_COMMAND_KINDS = (EventType.COMMAND_FAILED.value, EventType.COMMAND_FIXED.value)


# --- small text helpers --------------------------------------------------------------------


def _tidy(text: str) -> str:
    """One line, single spaces, no closing full stop."""
    text = " ".join(text.split())
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


def _truncate(text: str, limit: int = MAX_GIST_LENGTH) -> str:
    """At most ``limit`` characters, cut on a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(_ELLIPSIS) + 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    else:
        cut = cut[: limit - len(_ELLIPSIS)]
    return cut.rstrip(" ,;:-—(") + _ELLIPSIS


def _mentions(text: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(phrase)}(?![\w])", text, re.IGNORECASE) is not None


def _is_plain_capitalised(word: str) -> bool:
    """"Cannot" or "Token", but not an acronym (JWT), an identifier (TypeError) or "I"."""
    return len(word) > 1 and word[0].isupper() and word[1:].isalpha() and word[1:].islower()


def _is_learnable(error_type: str) -> bool:
    """TypeError, ModuleNotFoundError, sqlalchemy.exc.OperationalError: a named kind of
    failure worth learning about (a bare "Error" or a rule id is not)."""
    return bool(re.fullmatch(r"(?:[\w]+\.)*[A-Z][A-Za-z0-9]*[a-z0-9](?:Error|Exception|Warning)", error_type))


def _is_error_code(error_type: str) -> bool:
    """TS2304, E501, no-unused-vars: names of rules, not something one learns about."""
    return bool(re.fullmatch(r"[A-Z]{1,5}-?\d+|[a-z]+(?:-[a-z]+)+|\d+", error_type))


def _location(context: GistContext, short: bool) -> str:
    if not context.file_path:
        return ""
    path = context.file_path.replace("\\", "/")
    if short:
        return PurePosixPath(path).name
    return f"{path}:{context.line}" if context.line else path


# --- developer ----------------------------------------------------------------------------


def _developer(base: str, kind: str, context: GistContext) -> str:
    text = base
    details = _command_details(base, kind, context)
    if details:
        text += f" ({', '.join(details)})"
    name = _location(context, short=True)
    if name:
        if not _mentions(text, name):
            text += f" in {name}"
        if context.line and not _mentions(text, f"line {context.line}"):
            text += f" (line {context.line})"
    return text


def _command_details(base: str, kind: str, context: GistContext) -> list[str]:
    if kind not in _COMMAND_KINDS:
        return []
    details = []
    if context.command and context.command not in base:
        details.append(context.command)
    if context.exit_code not in (None, 0) and not re.search(r"(?i)\bexit\b", base):
        details.append(f"exit {context.exit_code}")
    return details


# --- ai ---------------------------------------------------------------------------------------


def _ai(base: str, kind: str, context: GistContext) -> str:
    details = []
    if context.error_type and not _mentions(base, context.error_type):
        details.append(context.error_type)
    details.extend(_command_details(base, kind, context))
    location = _location(context, short=False)
    if location:
        details.append(location)
    text = f"{_AI_PREFIX.get(kind, 'Note')}: {base}"
    return f"{text} ({', '.join(details)})" if details else text


# --- manager --------------------------------------------------------------------------------

_FILE_EXTENSIONS = (
    "py|pyi|ts|tsx|js|jsx|mjs|cjs|json|jsonc|yaml|yml|toml|ini|cfg|conf|md|rs|go|java|kt|rb|php"
    "|c|h|cc|cpp|hpp|cs|swift|sh|bash|zsh|ps1|sql|html|css|scss|vue|svelte|lock|txt|xml|gradle"
    "|env|lua|ex|exs|dart|scala|tf"
)
_PATH = (
    rf"(?:[\w.\-~]*/)+[\w.\-]+(?::\d+)*"  # src/auth/x.py, ./a/b, with :line:col
    rf"|[\w\-]+(?:\.[\w\-]+)*\.(?:{_FILE_EXTENSIONS})\b(?::\d+)*"  # middleware.py:42
)
_PREPOSITION = r"(?:in|at|from|inside|within|of|on|to|for|under)"
_COMPLEXITY_WORDS = {
    "O(1)": "constant-time",
    "O(log n)": "logarithmic-time",
    "O(n)": "linear-time",
    "O(n^2)": "quadratic-time",
    "O(n2)": "quadratic-time",
    "O(n²)": "quadratic-time",
}
_JARGON_PHRASES = (
    (re.compile(r"\s*\[REDACTED:[a-z_]+\]"), ""),
    (re.compile(r"\b([A-Za-z_][\w.]*)=\S+"), r"\1"),  # DATABASE_URL=… → the name only
    (re.compile(rf"(?:\s+{_PREPOSITION})?(?:\s+the)?\s+[a-z][a-z0-9+.\-]*://\S+", re.IGNORECASE), ""),
    (re.compile(rf"\s+{_PREPOSITION}(?:\s+the)?\s+(?:{_PATH})(?:\s+files?)?", re.IGNORECASE), ""),
    # A file named as a thing ("conftest.py files") keeps its stem.
    (re.compile(rf"(?:[\w.\-~]*/)*([\w\-]+)\.(?:{_FILE_EXTENSIONS})\b(?::\d+)*"), r"\1"),
    (re.compile(r"(?:\s+(?:on|at|in))?\s*,?\s*\(?\bline\s+\d+(?:\s*,\s*col(?:umn)?\s+\d+)?\)?", re.IGNORECASE), ""),
    (re.compile(r"(?:\s+with)?\s*\(?\bexit(?:\s+(?:code|status))?\s*:?\s*-?\d+\)?", re.IGNORECASE), ""),
    (re.compile(r"\s*\(?\b(?:TS\d{4}|[EWFCRDN]\d{3,4})\b\)?"), ""),
    # An aside after a space goes whole: "(104 > 88 characters)". Parentheses glued to a
    # name are part of its token: a call loses its arguments ("bcrypt(12)" → "bcrypt"), and
    # notation like O(1) is spelled out or kept, never cut down to a bare "O".
    (re.compile(r"(?:^|\s+)\([^()]*\d[^()]*\)"), ""),
    (re.compile(r"\b([A-Za-z][A-Za-z0-9_]+)\([^()]*\d[^()]*\)"), r"\1"),
    (re.compile(r"\bO\((?:1|n|log n|n\^?2|n²)\)"), lambda match: _COMPLEXITY_WORDS[match.group()]),
    (re.compile(rf"(?:\s+{_PREPOSITION})?\s+`[^`]*[^\w`\s()][^`]*`"), ""),  # code, not a name
)
_ERROR_NAME = re.compile(r"\b(?:(an?|the)\s+)?((?:[A-Z][a-z0-9]+)+)(?:Error|Exception)\b")
_CODE_NAME = re.compile(
    r"`?\b(_*[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+)(?:\(\))?`?"
    r"|`?\b([A-Za-z_]\w*)\(\)`?"
    r"|`(\w+)`"
)
_DANGLING_END = re.compile(rf"(?:\s+(?:{_PREPOSITION}|and|with|the|a|an))+$|[\s,;:\-—(]+$", re.IGNORECASE)


def _words_of_identifier(name: str) -> str:
    """parse_config → "parse config", userId → "user id", MAX_RETRIES → "max retries"."""
    name = name.strip("_")
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ")
    return " ".join(word.lower() for word in spaced.split())


def _error_words(match: re.Match[str]) -> str:
    article, name = match.group(1), match.group(2)
    words = _words_of_identifier(name) + " error"
    if article and article.lower() == "the":
        return f"{article} {words}"
    return ("an " if words[0] in "aeiou" else "a ") + words


def _plain(text: str, context: GistContext) -> str:
    """The text without file names, lines, exit codes, error codes or code."""
    if context.error_type and _is_error_code(context.error_type):
        text = re.sub(rf"\s*\(?\b{re.escape(context.error_type)}\b\)?", "", text)
    for pattern, replacement in _JARGON_PHRASES:
        text = pattern.sub(replacement, text)
    text = _ERROR_NAME.sub(_error_words, text)
    text = _CODE_NAME.sub(lambda m: _words_of_identifier(next(g for g in m.groups() if g)), text)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+([,;:.)])", r"\1", " ".join(text.split()))
    while True:
        trimmed = _DANGLING_END.sub("", text)
        if trimmed == text:
            break
        text = trimmed
    return text[:1].upper() + text[1:] if text else text


# Outcome phrases for failing and fixed commands, by what the command does.
_COMMAND_OUTCOMES = (
    (r"\b(?:test|tests|pytest|jest|vitest|mocha|rspec|phpunit|unittest|tox|nox)\b", "Tests are failing", "Tests pass again"),
    (
        r"\b(?:lint|eslint|ruff|flake8|pylint|mypy|pyright|prettier|black|clippy|typecheck)\b",
        "Code checks are failing",
        "Code checks pass again",
    ),
    (r"\b(?:migrate|migration|migrations|alembic|flyway)\b", "A database migration failed", "Database migrations run again"),
    (
        r"\b(?:deploy|kubectl|helm|terraform|ansible|vercel|heroku|serverless)\b",
        "A deployment failed",
        "Deployment works again",
    ),
    (r"\b(?:install|ci|sync)\b", "Installing dependencies failed", "Dependencies install again"),
    (r"\b(?:build|make|tsc|webpack|compile|gradle|mvn|cmake|bazel|cargo)\b", "The build is failing", "The build works again"),
    (r"\b(?:docker|podman|compose)\b", "The local environment failed to start", "The local environment starts again"),
)
_COMMAND_WORDS = re.compile(
    r"(?i)\b(?:command|failed|fails|failing|failure|passes|passed|passing|again|now|works|working|ran|run|exit|code|with|and)\b"
)


def _command_outcome(command: str, *, failed: bool) -> str:
    for pattern, when_failed, when_fixed in _COMMAND_OUTCOMES:
        if re.search(pattern, command, re.IGNORECASE):
            return when_failed if failed else when_fixed
    return "A command failed" if failed else "A failing command works again"


# What a fixed diagnostic was about, in plain words.
_ERROR_OUTCOMES = (
    (r"cannot find module|no module named|modulenotfound|importerror|unresolved import|import", "Fixed a missing import"),
    (r"cannot find name|is not defined|nameerror|referenceerror|unresolved reference|undefined (?:name|variable)", "Fixed a reference to a missing name"),
    (r"possibly '?(?:null|undefined|none)|nonetype|nullpointer|null reference|of undefined|attributeerror", "Fixed a crash on a missing value"),
    (r"syntax|unexpected token|parse error", "Fixed a syntax error"),
    (r"assignable|typeerror|\btype\b|argument of type", "Fixed a type error"),
    (r"unused|never used|never read", "Removed unused code"),
    (r"line too long|whitespace|indent|format", "Fixed a code style issue"),
)


def _error_outcome(text: str, context: GistContext) -> str:
    haystack = f"{text} {context.error_type or ''}".lower()
    for pattern, outcome in _ERROR_OUTCOMES:
        if re.search(pattern, haystack):
            return outcome
    return "Fixed a bug"


def _reads_as_diagnostic(base: str, kind: str, context: GistContext) -> bool:
    """"Fixed Cannot find name 'x'": a tool's message after the verb, not the user's words."""
    if kind != EventType.ERROR_FIXED.value or context.event_type != kind:
        return False
    words = base.split(maxsplit=2)
    return (
        len(words) > 1
        and words[0].lower() == "fixed"
        and (_is_plain_capitalised(words[1]) or words[1].startswith(("'", '"', "`")))
    )


def _limit_words(text: str, limit: int = MANAGER_MAX_WORDS) -> str:
    if len(text.split()) <= limit:
        return text
    clause = re.split(r",\s|;\s|:\s|\s—\s|\s(?:because|since|so that|but|which|after|to avoid)\s", text)[0]
    if 3 <= len(clause.split()) <= limit:
        return clause
    return " ".join(text.split()[:limit]).rstrip(",;:") + _ELLIPSIS


def _manager(base: str, kind: str, context: GistContext) -> str:
    if kind in _COMMAND_KINDS:
        # A gist that quotes the command is a tool's summary, not a person's words.
        program = context.command.split()[0] if context.command else None
        quotes_command = "`" in base or (program is not None and program in base.split())
        plain = _plain(base, context)
        if quotes_command or len(_COMMAND_WORDS.sub("", plain).split()) < 2:
            plain = _command_outcome(
                context.command or base, failed=kind == EventType.COMMAND_FAILED.value
            )
    else:
        plain = _plain(base, context)
        if kind == EventType.ERROR_FIXED.value and (
            _reads_as_diagnostic(base, kind, context) or len(plain.split()) < 3
        ):
            plain = _error_outcome(base, context)
    return _limit_words(plain or base)


# --- personal -------------------------------------------------------------------------------

_PAST_TENSE = {
    "add": "added", "adopt": "adopted", "allow": "allowed", "batch": "batched", "block": "blocked",
    "build": "built", "bump": "bumped", "cache": "cached", "catch": "caught", "change": "changed",
    "check": "checked", "choose": "chose", "clean": "cleaned", "configure": "configured",
    "convert": "converted", "create": "created", "debounce": "debounced", "debug": "debugged",
    "decide": "decided", "delete": "deleted", "deploy": "deployed", "disable": "disabled",
    "document": "documented", "downgrade": "downgraded", "drop": "dropped", "enable": "enabled",
    "escape": "escaped", "export": "exported", "expose": "exposed", "extract": "extracted",
    "find": "found", "fix": "fixed", "guard": "guarded", "handle": "handled", "hide": "hid",
    "implement": "implemented", "import": "imported", "increase": "increased", "index": "indexed",
    "inline": "inlined", "install": "installed", "introduce": "introduced",
    "investigate": "investigated", "learn": "learned", "limit": "limited", "lower": "lowered",
    "measure": "measured", "merge": "merged", "migrate": "migrated", "move": "moved",
    "optimise": "optimised", "optimize": "optimized", "patch": "patched", "pin": "pinned",
    "port": "ported", "profile": "profiled", "raise": "raised", "reduce": "reduced",
    "refactor": "refactored", "release": "released", "remove": "removed", "rename": "renamed",
    "reorder": "reordered", "replace": "replaced", "reset": "reset", "resolve": "resolved",
    "restart": "restarted", "restructure": "restructured", "retry": "retried", "revert": "reverted",
    "revoke": "revoked", "rewrite": "rewrote", "rotate": "rotated", "sanitize": "sanitized",
    "set": "set", "ship": "shipped", "simplify": "simplified", "solve": "solved", "sort": "sorted",
    "split": "split", "switch": "switched", "throttle": "throttled", "tune": "tuned",
    "update": "updated", "upgrade": "upgraded", "use": "used", "validate": "validated",
    "wrap": "wrapped", "write": "wrote",
}
# Past forms that open a note as an adjective as often as a verb ("Cached results expire
# hourly", "Exported names are public") are not read as "I <verb>".
_ADJECTIVE_LIKE = frozenset(
    "batched blocked cached checked documented escaped exported exposed guarded hid imported "
    "indexed inlined limited lowered pinned ported profiled raised released sorted".split()
)
_PAST_FORMS = (frozenset(_PAST_TENSE.values()) - _ADJECTIVE_LIKE) | {
    "learnt", "discovered", "noticed", "realised", "realized",
}


def _as_first_person(base: str, kind: str) -> str | None:
    """"Fixed X" → "I fixed X"; in a decision "Use X" → "I decided to use X"; None when the
    text does not open with a verb this knows in the past tense."""
    first, _, rest = base.partition(" ")
    verb = first.lower()
    tail = f" {rest}" if rest else ""
    if verb in ("i", "we"):
        return base
    if verb == "til":
        return f"I learned{tail}"
    if first != first.lower() and not _is_plain_capitalised(first):
        return None  # an acronym or identifier, not a verb
    if verb in _PAST_FORMS:
        return f"I {verb}{tail}"
    # "Fix the retry loop" is a verb, "Retry budget is shared" a noun: only the opening
    # the kind was inferred from, or an imperative decision, is read as a verb.
    if verb in ("fix", "refactor"):
        return f"I {_PAST_TENSE[verb]}{tail}"
    if verb in _PAST_TENSE and kind == EventType.DECISION.value and verb != "decide":
        return f"I decided to {verb}{tail}"
    return None


def _personal(base: str, kind: str, context: GistContext) -> str:
    command = context.command
    if kind == EventType.COMMAND_FAILED.value and command:
        text = f"I ran {command} and it failed"
        if context.exit_code not in (None, 0):
            text += f" with exit code {context.exit_code}"
        return text
    if kind == EventType.COMMAND_FIXED.value and command:
        state = "passing" if "pass" in _command_outcome(command, failed=False) else "working"
        text = f"I got {command} {state} again"
    elif _reads_as_diagnostic(base, kind, context):
        text = f"I fixed an error: {base.split(maxsplit=1)[1]}"
    else:
        text = _as_first_person(base, kind) or {
            EventType.ERROR_FIXED.value: f"I fixed {base}",
            EventType.COMMAND_FAILED.value: f"I hit a failure: {base}",
            EventType.COMMAND_FIXED.value: f"I fixed a failing command: {base}",
            EventType.DECISION.value: f"I decided: {base}",
            EventType.REFACTOR.value: f"I refactored: {base}",
            EventType.CONFIG.value: f"I changed the configuration: {base}",
        }.get(kind, f"I noted: {base}")
    lesson = context.error_type
    if kind in _FIX_KINDS and lesson and _is_learnable(lesson) and not _mentions(text, lesson):
        text += f" and learned about {lesson}"
    return text


# --- the generator --------------------------------------------------------------------------

_FALLBACK = {
    EventType.ERROR_FIXED.value: "Fixed an error",
    EventType.COMMAND_FAILED.value: "A command failed",
    EventType.COMMAND_FIXED.value: "A failing command works again",
    EventType.DECISION.value: "A decision",
    EventType.REFACTOR.value: "A refactor",
    EventType.CONFIG.value: "A configuration change",
}

_VOICES = {"developer": _developer, "ai": _ai, "manager": _manager, "personal": _personal}


def _tidy_context(context: GistContext) -> GistContext:
    def clean(value: str | None) -> str | None:
        return _tidy(value) or None if value else None

    return GistContext(
        event_type=context.event_type,
        file_path=clean(context.file_path),
        line=context.line if context.line and context.line > 0 else None,
        error_type=clean(context.error_type),
        command=clean(context.command),
        exit_code=context.exit_code,
    )


class MultiAudienceGistGenerator:
    """Turns one memory into a gist per registered audience."""

    def __init__(self, registry: AudienceRegistry | None = None) -> None:
        self.registry = registry or AudienceRegistry()

    def generate(
        self, verbatim: str, canonical_gist: str, context: GistContext | None = None
    ) -> dict[str, str]:
        context = _tidy_context(context or GistContext())
        base = _tidy(canonical_gist or "")
        if not base:
            first_line = next((line for line in (verbatim or "").splitlines() if line.strip()), "")
            base = _tidy(first_line)
        kind = _kind_of(base, context)
        if not base:
            base = (
                f"{context.command} failed"
                if kind == EventType.COMMAND_FAILED.value and context.command
                else _FALLBACK.get(kind, "A note")
            )
        gists = {}
        for audience in self.registry.names:
            voice = _VOICES.get(audience)
            text = voice(base, kind, context) if voice else base
            gists[audience] = _truncate(text.strip() or base)
        return gists
