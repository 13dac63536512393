"""Text helpers every voice shares: tidying, cutting without breaking a thought, words of
identifiers, and the area of the code a file belongs to."""

from __future__ import annotations

import re
from typing import Iterator

ELLIPSIS = "…"

# Words a sentence cannot end on: a cut that leaves one of these dangles.
FUNCTION_WORDS = frozenset(
    "a an the and or but nor of to in on at by for from with without into onto over under "
    "about as than that which who whom whose when while where if because since so then via "
    "per vs is are was were be been its their our your my his her this these those".split()
)
_TRAILING_PUNCTUATION = " ,;:-—–(/&+"

# Spans a cut must never fall inside: code, quotes, brackets, tags, redaction markers.
_PROTECTED = re.compile(
    r"`[^`]*`"
    r"|\"[^\"]*\""
    r"|(?<!\w)'[^']*'(?!\w)"
    r"|\([^()]*\)"
    r"|\[[^\[\]]*\](?:\([^()]*\))?"
    r"|\{[^{}]*\}"
    r"|<[^<>]*>"
)
# Where one clause ends and the next begins (the match is the separator).
_CLAUSE_BREAK = re.compile(
    r"[,;:]\s+|\s+[—–-]\s+|\s+(?=(?:because|since|so that|so|but|which|while|after|before"
    r"|when|unless|otherwise|or else|to avoid|and then)\b)"
)


def tidy(text: str) -> str:
    """One line, single spaces, no closing full stop."""
    text = " ".join((text or "").split())
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1].rstrip()
    return text


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def is_plain_capitalised(word: str) -> bool:
    """ "Cannot" or "The", but not an acronym (JWT), an identifier (TypeError) or "I"."""
    rest = word[1:].replace("'", "").replace("’", "")
    return len(word) > 1 and word[0].isupper() and rest.isalpha() and rest.islower()


def lower_first(text: str) -> str:
    """ "The cache" → "the cache"; "JWT tokens" and "TypeError" stay as written."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if is_plain_capitalised(first) or first == "A" else text


def words(text: str) -> list[str]:
    return text.split()


def _protected_spans(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in _PROTECTED.finditer(text)]


def _outside(position: int, spans: list[tuple[int, int]]) -> bool:
    return all(not start < position < end for start, end in spans)


def undangle(text: str) -> str:
    """Drop trailing joining marks and function words until the text ends on a word."""
    while True:
        trimmed = text.rstrip(_TRAILING_PUNCTUATION)
        head, _, last = trimmed.rpartition(" ")
        if head and last.lower() in FUNCTION_WORDS:
            trimmed = head
        if trimmed == text:
            return text
        text = trimmed


def clauses(text: str) -> list[str]:
    """The text cut at clause boundaries outside code, quotes and brackets; each piece keeps
    the separator that opens it (", because it …"), so joining them gives the text back."""
    spans = _protected_spans(text)
    pieces, start = [], 0
    for match in _CLAUSE_BREAK.finditer(text):
        if (
            match.start() > start
            and _outside(match.start(), spans)
            and _outside(match.end() - 1, spans)
        ):
            pieces.append(text[start : match.start()])
            start = match.start()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece.strip(" ,;:")]


def fit_characters(text: str, limit: int) -> str:
    """At most ``limit`` characters: cut at the last clause boundary that keeps most of the
    text, else at a word boundary outside code, quotes and brackets, never on a dangling
    word; an ellipsis marks the cut."""
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    kept = ""
    for piece in clauses(text):
        if len(kept) + len(piece) > room:
            break
        kept += piece
    if len(kept) < room // 2:
        spans = _protected_spans(text)
        cut = max(
            (
                i
                for i in range(1, room + 1)
                if i < len(text) and text[i] == " " and _outside(i, spans)
            ),
            default=0,
        )
        kept = text[:cut]
    kept = undangle(kept.rstrip())
    return kept + ELLIPSIS if kept else text[:room] + ELLIPSIS


def fit_words(text: str, limit: int) -> str:
    """At most ``limit`` words, keeping whole clauses: the first clause and the one that
    says the consequence when both fit, else as many leading clauses as fit. A first
    clause longer than the limit loses its trailing phrases, one at a time."""
    if len(words(text)) <= limit:
        return text
    pieces = clauses(text)
    first, rest = pieces[0], pieces[1:]
    consequence = next((p for p in rest if _CONSEQUENCE.match(p)), None)
    if consequence is not None:
        tail = _as_consequence(consequence)
        for head in _shortenings(first):
            if len(words(head)) + len(words(tail)) <= limit:
                return undangle(head.rstrip()) + tail
    kept = ""
    for piece in pieces:
        if len(words(kept + piece)) > limit:
            break
        kept += piece
    if not kept:
        kept = next(head for head in _shortenings(first) if len(words(head)) <= limit)
    return undangle(kept.rstrip())


_CONSEQUENCE = re.compile(
    r"(?i)^(?:[,;:]\s+|\s+[—–-]\s+|\s+)(?:because|since|so that|so|otherwise|or else|to avoid)\b"
    r"|^[;:]\s+|^\s+[—–]\s+"
)


def _as_consequence(piece: str) -> str:
    return piece if piece.startswith((" ", ";", ":")) else " " + piece.lstrip(", ")


# Where a prepositional phrase starts: what a clause can lose and still say its point.
_PHRASE_START = re.compile(
    r"\s+(?=(?:in|on|at|by|for|from|with|without|into|over|under|about|of|across|after|before"
    r"|during|via|per|within|through)\s)"
)


def _shortenings(clause: str) -> Iterator[str]:
    """The clause, then the clause without its last prepositional phrase, and so on; last
    of all its first words."""
    yield clause
    spans = _protected_spans(clause)
    current = clause
    while True:
        cut = None
        for match in _PHRASE_START.finditer(current):
            if _outside(match.start(), spans) and len(words(current[: match.start()])) >= 3:
                cut = match.start()
        if cut is None:
            break
        current = current[:cut]
        yield current
    yield " ".join(words(clause)[:3])


# --- identifiers ------------------------------------------------------------------------

_ACRONYMS = frozenset(
    "api url uri id db sql jwt ssh tls ssl http https aws gcp cpu gpu io ui ux csv json xml "
    "html css dns ip tcp udp smtp oauth sso s3 ci cd pr sdk cli os env".split()
)


def words_of_name(name: str) -> str:
    """DATABASE_URL → "database URL", max_retries → "max retries", userId → "user id"."""
    spaced = (
        re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name.strip("_")).replace("_", " ").replace("-", " ")
    )
    return " ".join(
        word.upper() if word.lower() in _ACRONYMS else word.lower() for word in spaced.split()
    )


# --- the area of the code ---------------------------------------------------------------

# Folder names that say how a project is laid out, not what the code is about.
_LAYOUT_FOLDERS = frozenset(
    "src lib libs app apps pkg pkgs packages internal cmd source sources server client core "
    "web frontend backend www "
    "main java kotlin python py js ts scripts script bin test tests spec specs __tests__ "
    "unit integration e2e com org net io common shared public private modules module "
    "components component utils util helpers helper".split()
)
_PLAIN_STEMS = frozenset(
    "__init__ __main__ index main app mod lib utils util helpers helper setup conftest "
    "settings config manage views models types constants".split()
)


def area_of(file_path: str | None) -> str | None:
    """The part of the code a file belongs to, in plain words: ``src/billing/invoice.py`` →
    "billing", ``tests/test_checkout.py`` → "checkout", ``Makefile`` → None."""
    if not file_path:
        return None
    parts = [part for part in file_path.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts:
        return None
    *folders, name = parts
    for folder in reversed(folders):
        lowered = folder.lower()
        if (
            lowered in _LAYOUT_FOLDERS
            or lowered.startswith((".", "__"))
            or re.fullmatch(r"v\d+", lowered)
        ):
            continue
        return words_of_name(folder)
    stem = name.split(".")[0].lower()
    stem = re.sub(r"^test_|_test$|_spec$|\.test$", "", stem)
    if stem and stem not in _PLAIN_STEMS and "." in name:
        return words_of_name(stem)
    return None


_PATH_ARGUMENT = re.compile(r"(?:^|\s)((?:[\w.\-]+/)+[\w.\-]*|[\w\-]+\.[a-z]{1,5})(?=\s|$|::)")


def area_of_command(command: str | None) -> str | None:
    """The area of the first path a command names: ``pytest tests/billing -x`` → "billing".
    Only the command that ran counts, not a ``cd …&&`` or ``source …&&`` before it."""
    last = re.split(r"&&|;|\|\|", command or "")[-1]
    for match in _PATH_ARGUMENT.finditer(last):
        path = match.group(1)
        area = area_of(path if "." in path.rsplit("/", 1)[-1] else path.rstrip("/") + "/x")
        if area:
            return area
    return None
