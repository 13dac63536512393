"""manager: the outcome and the area in plain words, at most ``MAX_WORDS``, keeping the
consequence.

A fix or a command a tool described is told by what it means (``outcomes``), named by the
area of the code it was in ("Billing: fixed a crash when a value is missing"), so eight
fixes read as eight different things. The developer's own words are kept, made plain: no
file names, lines, exit or rule codes, URLs, markup or redaction markers; an error name
becomes words ("a key error"); a call is described ("the show_me helper"), never mangled.
Long text is cut at clause boundaries, keeping the clause that says the consequence.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from vidurai.gists.event import Event
from vidurai.gists.outcomes import command_category, quoted_name
from vidurai.gists.text import (
    area_of_command,
    capitalise,
    fit_words,
    lower_first,
    tidy,
    undangle,
    words_of_name,
)
from vidurai.storage.models import EventType

MAX_WORDS = 15

_EXTENSIONS = (
    "py|pyi|ts|tsx|js|jsx|mjs|cjs|json|jsonc|yaml|yml|toml|ini|cfg|conf|md|rs|go|java|kt|rb|php"
    "|c|h|cc|cpp|hpp|cs|swift|sh|bash|zsh|ps1|sql|html|css|scss|vue|svelte|lock|txt|xml|gradle"
    "|env|lua|ex|exs|dart|scala|tf"
)
_PATH = (
    rf"(?:[\w.\-~]*/)+[\w.\-]+(?::\d+)*"  # src/auth/x.py, ./a/b, with :line:col
    rf"|[\w\-]*(?:\.[\w\-]+)*\.(?:{_EXTENSIONS})\b(?::\d+)*"  # middleware.py:42, .env
)
_PREPOSITION = r"(?:in|at|from|inside|within|of|on|to|for|under|via)"
_PLACE_PREPOSITION = r"(?:in|at|inside|within|under)"
_SECRET_NOUN = (
    r"(?:key|keys|token|tokens|password|passwords|secret|secrets|credentials?|passphrase|webhook)"
)
_MARKER = r"\[REDACTED:[\w.-]+\]"
_COMPLEXITY = {
    "O(1)": "constant-time",
    "O(log n)": "logarithmic-time",
    "O(n)": "linear-time",
    "O(n^2)": "quadratic-time",
    "O(n2)": "quadratic-time",
    "O(n²)": "quadratic-time",
}
_KIND_NOUN = (
    r"function|method|helper|hook|call|endpoint|command|class|module|decorator|fixture"
    r"|component|setting|option|flag|field|column|table|variable|constant|script|test"
)


def _tag(match: re.Match[str]) -> str:
    name = match.group(1).lower()
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name} tag"


def _name_of_secret(match: re.Match[str]) -> str:
    return f"the {words_of_name(match['name'])}"


def _call(match: re.Match[str]) -> str:
    article = match["article"] or "the "
    noun = match["noun"] or " helper"
    return f"{article}{match['name']}{noun}"


def _error_words(match: re.Match[str]) -> str:
    article, name = match["article"], match["name"]
    said = words_of_name(name).lower() + " error"
    if article and article.lower() == "the":
        return f"{article} {said}"
    return ("an " if said[0] in "aeiou" else "a ") + said


# (pattern, replacement), in order: what a manager does not need to read, or reads better
# in words.
_PLAIN_WORDS: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    (re.compile(r"!?\[([^\]]*)\]\([^)]*\)"), r"\1"),  # Markdown links and images: their text
    # A request made with curl and its arguments, said as what it was.
    (
        re.compile(
            r"^(?:curl|wget|http)\b(?:\s+(?:-\S+|\"[^\"]*\"|'[^']*'|\S*://\S*|\S*\[REDACTED:[^\]]+\]\S*))*",
            re.IGNORECASE,
        ),
        "An HTTP request",
    ),
    (re.compile(r"<(\w+)[^<>]*>(?:[^<]*</\1>)?"), _tag),  # HTML: "a script tag"
    (re.compile(r"</?[A-Za-z][^<>]*>"), ""),
    (re.compile(r"\*\*([^*]+)\*\*|__([^_]+)__"), lambda m: m.group(1) or m.group(2)),  # emphasis
    (
        re.compile(
            rf"[\"']?\b(?P<name>[A-Za-z_][\w.-]*)\s*[=:]\s*[\"']?(?:Bearer\s+|Basic\s+|Token\s+)?"
            rf"[^\s\"']*{_MARKER}[^\s\"']*[\"']?"
        ),
        _name_of_secret,
    ),
    (re.compile(rf"\b({_SECRET_NOUN})\s+[\"'`]?{_MARKER}[\"'`]?", re.IGNORECASE), r"\1"),
    (re.compile(rf"[\"'`]?{_MARKER}[\"'`]?"), "a secret"),
    (re.compile(r"\b(?P<name>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)=\S+"), _name_of_secret),
    (
        re.compile(rf"(?:\s+{_PREPOSITION})?(?:\s+the)?\s+[a-z][a-z0-9+.\-]*://\S+", re.IGNORECASE),
        "",
    ),
    (
        re.compile(
            rf"\s+{_PLACE_PREPOSITION}(?:\s+the)?\s+(?:{_PATH})(?:\s+files?)?(?=[\s,;:.)]|$)",
            re.IGNORECASE,
        ),
        "",
    ),
    # A folder path (~/.cache/pip, src/gen/) is said by its last name.
    (
        re.compile(r"(?<!\S)(?:~|\.{1,2})?/?(?:[\w.\-]+/)+?(?P<last>[\w\-]+)?/?(?=[\s,;:]|$)"),
        lambda match: match["last"] or "",
    ),
    (re.compile(rf"(?:[\w.\-~]*/)*([\w\-]+)\.(?:{_EXTENSIONS})\b(?::\d+)*"), r"\1"),
    (
        re.compile(
            r"(?:\s+(?:on|at|in))?\s*,?\s*\(?\blines?\s+\d+(?:\s*[-–,:]\s*(?:col(?:umn)?\s+)?\d+)?\)?",
            re.IGNORECASE,
        ),
        "",
    ),
    (
        re.compile(
            r"(?:\s+with)?\s*\(?\bexit(?:\s+(?:code|status))?\s*:?\s*-?\d+\)?", re.IGNORECASE
        ),
        "",
    ),
    (re.compile(r"\s*\(?\b(?:TS\d{4}|[A-Z]{1,3}\d{3,4}|report[A-Z]\w+)\b\)?"), ""),
    (re.compile(r"\b4xx\b", re.IGNORECASE), "client error"),
    (re.compile(r"\b5xx\b", re.IGNORECASE), "server error"),
    (re.compile(r"\bO\((?:1|n|log n|n\^?2|n²)\)"), lambda match: _COMPLEXITY[match.group()]),
    # An aside after a space goes whole ("(104 > 88 characters)"); a call keeps its name.
    (re.compile(r"(?:^|\s+)\([^()]*\d[^()]*\)"), ""),
    (re.compile(r"\b([A-Za-z][A-Za-z0-9_]+)\([^()]*\d[^()]*\)"), r"\1"),
    (
        re.compile(
            r"\b(?:(?P<article>an?|the)\s+)?(?P<name>(?:[A-Z][a-z0-9]+)+)(?:Error|Exception)\b"
        ),
        _error_words,
    ),
    (
        re.compile(
            rf"(?P<article>\b(?:the|a|an|this|that|its|our|their)\s+)?`?"
            rf"(?P<name>[A-Za-z_][\w.]*)\(\)`?(?P<noun>\s+(?:{_KIND_NOUN})\b)?"
        ),
        _call,
    ),
    (re.compile(r"`([^`]+)`"), r"\1"),
)


def plain(text: str) -> str:
    """The text without what only a developer reads (see the module's docstring)."""
    for pattern, replacement in _PLAIN_WORDS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    text = re.sub(r"\b(the|a|an)\s+(?=(?:the|a|an)\s)", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+([,;:.)])", r"\1", " ".join(text.split()))
    return undangle(tidy(text.strip(" ,;:-—")))


def _in_area(outcome: str, area: str | None) -> str:
    return f"{capitalise(area)}: {lower_first(outcome)}" if area else outcome


def tell(event: Event) -> str:
    kind = event.event_type
    diagnostic = event.diagnostic
    if diagnostic is not None:
        name = quoted_name(event.context.message or "")
        if diagnostic.manager_named and name:
            return _in_area(diagnostic.manager_named.format(name=name), event.area)
        return _in_area(diagnostic.manager, event.area)
    if event.command:
        category = command_category(event.command)
        failed = kind == EventType.COMMAND_FAILED.value
        return _in_area(
            category.failing if failed else category.fixed,
            event.area or area_of_command(event.command),
        )
    keeps_label = event.label in ("decision", "decided")
    text = plain(event.text if keeps_label else event.body)
    if len(text.split()) < 2:
        text = event.kind.fallback
    return capitalise(fit_words(text, MAX_WORDS))
