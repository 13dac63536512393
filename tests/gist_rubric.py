"""The mechanical rules of docs/GISTS.md, checkable on any set of gists.

``rubric_problems(gists)`` returns what breaks the rules (empty when none), so a test can run
it over the voice table and over the gists of a whole scripted session. It is written apart
from the generator on purpose: it checks the output, not the rules that made it.
"""

from __future__ import annotations

import re
from typing import Mapping

MAX_CHARACTERS = 150
MANAGER_MAX_WORDS = 15

_DANGLING_WORDS = frozenset(
    "a an the and or but nor of to in on at by for from with without into onto over under about "
    "as than that which who when while where if because since so then via per after before "
    "until during between".split()
)
_FULL_MARKER = re.compile(r"\[REDACTED:[\w.-]+\]")
# A line baked into the text: "(line 42)", "line 42", "middleware.py:42".
_LOCATION = re.compile(r"(?i)\(line \d+\)|\bline \d+\b|\b[\w\-]+\.[a-z]{1,5}:\d+\b")
_MANAGER_JARGON = re.compile(
    r"`|<|>|\]\(|\*\*|\b(?:TS\d{4}|[A-Z]{1,3}\d{3,4}|report[A-Z]\w+)\b|\bexit (?:code )?\d|://"
    r"|\b[\w\-]+\.(?:py|ts|tsx|js|json|ya?ml|toml|go|rs)\b"
)


def _balanced(text: str) -> str | None:
    """What is left open, if anything: a bracket, a backtick or a double quote."""
    depth = {"(": 0, "[": 0, "{": 0}
    closing = {")": "(", "]": "[", "}": "{"}
    for char in text:
        if char in depth:
            depth[char] += 1
        elif char in closing:
            depth[closing[char]] -= 1
            if depth[closing[char]] < 0:
                return f"an unopened {char!r}"
    for opener, count in depth.items():
        if count:
            return f"an unclosed {opener!r}"
    if text.count("`") % 2:
        return "an unclosed backtick"
    if text.count('"') % 2:
        return "an unclosed double quote"
    return None


def _dangles(text: str) -> bool:
    stripped = text.rstrip("…").rstrip()
    if not stripped or stripped[-1] in ",;:-—–(&+":
        return True
    last = re.sub(r"\W+$", "", stripped.rsplit(" ", 1)[-1]).lower()
    return last in _DANGLING_WORDS


def rubric_problems(gists: Mapping[str, str], source_text: str = "") -> list[str]:
    """Every broken rule, as "<audience>: <what>". ``source_text`` is what the memory said
    (its canonical gist): a line number the developer wrote there is theirs to keep."""
    problems = []
    for audience, gist in gists.items():

        def problem(what: str) -> None:
            problems.append(f"{audience}: {what} in {gist!r}")

        if not gist.strip():
            problem("empty")
            continue
        if len(gist) > MAX_CHARACTERS:
            problem(f"{len(gist)} characters (at most {MAX_CHARACTERS})")
        if _dangles(gist):
            problem("a dangling end")
        unbalanced = _balanced(gist)
        if unbalanced:
            problem(unbalanced)
        if "REDACTED" in _FULL_MARKER.sub("", gist) or re.search(r"\b\w+=(?:\s|$)", gist):
            problem("a redaction marker remnant")
        located = _LOCATION.search(gist)
        if located and located.group() not in source_text:
            problem(f"a baked-in location {located.group()!r}")
        if audience == "personal" and not gist.startswith("I "):
            problem("not first person")
        if audience == "personal" and re.match(r"I \w+: \w+:", gist):
            problem("two voices")
        if audience == "manager":
            if len(gist.split()) > MANAGER_MAX_WORDS:
                problem(f"{len(gist.split())} words (at most {MANAGER_MAX_WORDS})")
            if "REDACTED" in gist:
                problem("a redaction marker")
            jargon = _MANAGER_JARGON.search(gist)
            if jargon:
                problem(f"jargon {jargon.group()!r}")
    return problems
