"""Pure pieces of search: FTS5 query text, reciprocal rank fusion, the exact-identifier rule.

The database glue (which rows, which filters) is in ``database.py``; what is here needs no
connection and is tested directly.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Mapping, Sequence

from vidurai.storage.records import Snippet

_WORD = re.compile(r"\w+", re.UNICODE)

# A search result's snippet: this many words, starting this many before the first match.
SNIPPET_WORDS = 16
SNIPPET_LEAD = 3

# RRF's constant: 60 is the value from Cormack et al. (2009) that most hybrid search uses.
RRF_K = 60

# Words that say nothing about which memory is meant. Dropped only when any word may match
# ("how do I fix the login"), never from an every-word query.
STOP_WORDS = frozenset(
    """a an and are as at be but by can did do does for from had has have how i if in into is
    it its me my of on or our so that the their then there this to was we were what when where
    which who why will with you your after before again about still not no""".split()
)

# A name written as code: snake_case, camelCase/PascalCase with an inner capital, dotted
# (os.path), or letters with digits (utf8, v2_api). "parse_config" is one; "parse" is not.
_IDENTIFIER = re.compile(
    r"[A-Za-z_][\w]*_[\w]*|[a-z]+[A-Z]\w*|[A-Z][a-z0-9]+[A-Z]\w*|\w+(?:\.\w+)+"
)


@dataclass(frozen=True)
class WordQuery:
    """A query's words, and the FTS5 queries that ask for them.

    Every word is quoted, so FTS5 syntax (`-`, `*`, `"`, `NEAR`, `AND`, `:`) is plain words and
    any user text is safe. ``partial`` says the last word may be unfinished
    (search-as-you-type: "valid" for "validation"), so it is worth retrying as a prefix.
    ``common`` holds the (folded) meaningful words in more than half of the store: bm25 gives
    them no weight (their idf is not above zero) and scoring them costs the most, so they
    are left out of the any-word query, and an every-word query of nothing else is not
    ranked by bm25.
    """

    words: tuple[str, ...]
    partial: bool
    common: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, text: str) -> "WordQuery | None":
        """None when the text has no words (punctuation alone)."""
        words = tuple(_WORD.findall(text))
        if not words:
            return None
        # A trailing space or closing quote says the last word is finished.
        return cls(words, not text.endswith(" ") and not text.rstrip().endswith(('"', "'")))

    @property
    def meaningful(self) -> tuple[str, ...]:
        """The words without stop words ("how do I fix the login" → fix, login), or every
        word when nothing else is left."""
        kept = tuple(word for word in self.words if fold(word) not in STOP_WORDS)
        return tuple(dict.fromkeys(kept or self.words))

    @property
    def all_common(self) -> bool:
        return all(fold(word) in self.common for word in self.meaningful)

    def every_word(self, prefix: bool = False) -> str:
        """Memories with every word; with ``prefix`` the last as a prefix."""
        return _quoted(self.words, " ", prefix and self.partial)

    def every_word_but_last(self) -> str | None:
        """Memories with every word before the last (None for a one-word query): when none
        has them, no completion of the last word can be found either."""
        return _quoted(self.words[:-1], " ", False) if len(self.words) > 1 else None

    def any_word(self, prefix: bool = False) -> str | None:
        """Memories with any meaningful word that is not common; None when no such word is
        left, or when that is the every-word query again (one word)."""
        kept = [word for word in self.meaningful if fold(word) not in self.common]
        if not kept or len(self.words) == 1:
            return None
        return _quoted(kept, " OR ", prefix and self.partial and kept[-1] == self.words[-1])

    def snippet(self, texts: Iterable[str | None]) -> Snippet | None:
        """The stretch of a memory's texts (gist, verbatim, tags: the first wins a tie) of
        up to SNIPPET_WORDS words with the most different query words in it, those given as
        spans and a cut marked with "…"; None when no query word occurs (found by
        meaning alone). Made here from the row already read: asking FTS5 for a snippet
        costs a query per result, and for a prefix the gathering of all its matches."""
        wanted = {fold(word) for word in self.meaningful}
        last = fold(self.words[-1])
        completes = self.partial and last in wanted

        def matches(word: str) -> str | None:
            key = fold(word)
            return key if key in wanted else last if completes and key.startswith(last) else None

        best: tuple[int, str, list[re.Match[str]], list[str | None], int] | None = None
        for text in texts:
            tokens = list(_WORD.finditer(text or ""))
            keys = [matches(token.group()) for token in tokens]
            starts = sorted(
                {
                    max(0, min(index - SNIPPET_LEAD, len(tokens) - SNIPPET_WORDS))
                    for index, key in enumerate(keys)
                    if key
                }
            )
            for start in starts:
                found = len(set(keys[start : start + SNIPPET_WORDS]) - {None})
                if best is None or found > best[0]:
                    best = (found, text or "", tokens, keys, start)
        if best is None:
            return None
        _, text, tokens, keys, start = best
        end = min(start + SNIPPET_WORDS, len(tokens))
        pieces = ["…" if start > 0 else ""]
        length = len(pieces[0])
        spans: list[tuple[int, int]] = []
        position = tokens[start].start()
        for token, key in zip(tokens[start:end], keys[start:end], strict=True):
            between = text[position : token.start()]
            pieces.append(between)
            length += len(between)
            if key:
                spans.append((length, length + len(token.group())))
            pieces.append(token.group())
            length += len(token.group())
            position = token.end()
        pieces.append("…" if end < len(tokens) else text[position:])
        return Snippet("".join(pieces), tuple(spans))


def fold(word: str) -> str:
    """A word as FTS5's default tokenizer compares it: case and accents ignored."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _quoted(words: Sequence[str], joiner: str, prefix_last: bool) -> str:
    quoted = [f'"{word}"' for word in words]
    if prefix_last:
        quoted[-1] += "*"
    return joiner.join(quoted)


def identifiers_in(text: str) -> list[str]:
    """The code names a query spells out, which a memory must contain to be an exact match."""
    return list(dict.fromkeys(_IDENTIFIER.findall(text)))


def names_identifier(identifiers: Sequence[str], texts: Iterable[str | None]) -> bool:
    """Whether any text contains any of the identifiers as a whole word, case as written."""
    if not identifiers:
        return False
    pattern = _identifier_pattern(tuple(identifiers))
    return any(
        pattern.search(text)
        for text in texts
        if text and any(name in text for name in identifiers)  # the cheap test first
    )


@lru_cache(maxsize=64)
def _identifier_pattern(identifiers: tuple[str, ...]) -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in identifiers)
    return re.compile(rf"(?<![\w.])(?:{names})(?!\w)")


def reciprocal_rank_fusion(rankings: Iterable[tuple[float, Sequence[int]]]) -> dict[int, float]:
    """{memory id: Σ weight / (RRF_K + rank)} over every (weight, ranking) it appears in,
    rank counted from 1."""
    scores: dict[int, float] = {}
    for weight, ranking in rankings:
        for rank, memory_id in enumerate(ranking, start=1):
            scores[memory_id] = scores.get(memory_id, 0.0) + weight / (RRF_K + rank)
    return scores


def fused_order(
    scores: Mapping[int, float],
    rows: Iterable[sqlite3.Row],
    identifiers: Sequence[str] = (),
) -> list[sqlite3.Row]:
    """Rows best first: a row naming a queried identifier, then the fused score, then
    salience, then recency (the tie-breaks)."""
    newest_first = sorted(rows, key=lambda row: (row["created_at"], row["id"]), reverse=True)
    return sorted(
        newest_first,
        key=lambda row: (
            not (identifiers and names_identifier(identifiers, (row["gist"], row["verbatim"]))),
            -round(scores[row["id"]], 9),
            -row["salience_rank"],
        ),
    )
