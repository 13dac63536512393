"""Pure pieces of search: FTS5 query text, reciprocal rank fusion, the exact-identifier rule.

The database glue (which rows, which filters) is in ``database.py``; what is here needs no
connection and is tested directly.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Iterable, Mapping, Sequence

_WORD = re.compile(r"\w+", re.UNICODE)

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


def fts_query(text: str, match_any: bool = False, prefix: bool = True) -> str | None:
    """User text as a safe FTS5 query: every word quoted, the last one as a prefix.

    Quoting makes FTS5 syntax (`-`, `*`, `"`, `NEAR`, `AND`, `:`) plain words, so any user
    text is safe; the prefix on the last word lets search-as-you-type find "validation"
    from "valid" (``prefix=False`` leaves it off: a prefix query costs far more than a word
    when many memories match). With ``match_any`` the words are OR-ed and stop words
    dropped (unless nothing else is left). Returns None when the text has no words.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    prefix_last = prefix and not text.rstrip().endswith(tuple('"\'')) and not text.endswith(" ")
    if match_any:
        meaningful = [word for word in words if word.lower() not in STOP_WORDS]
        if meaningful:
            prefix_last = prefix_last and meaningful[-1] == words[-1]
            words = list(dict.fromkeys(meaningful))
    quoted = [f'"{word}"' for word in words]
    if prefix_last:
        quoted[-1] += "*"
    return (" OR " if match_any else " ").join(quoted)


def may_match_words(query: str, texts: Iterable[str | None]) -> bool:
    """False when no meaningful word of the query occurs in the texts even as a substring:
    then FTS cannot match them either, and asking it costs a query for nothing."""
    words = [word.casefold() for word in _WORD.findall(query)]
    meaningful = [word for word in words if word not in STOP_WORDS] or words
    haystack = "\n".join(text for text in texts if text).casefold()
    return any(word in haystack for word in meaningful)


def identifiers_in(text: str) -> list[str]:
    """The code names a query spells out, which a memory must contain to be an exact match."""
    return list(dict.fromkeys(_IDENTIFIER.findall(text)))


def names_identifier(identifiers: Sequence[str], texts: Iterable[str | None]) -> bool:
    """Whether any text contains any of the identifiers as a whole word, case as written."""
    if not identifiers:
        return False
    joined = "\n".join(text for text in texts if text)
    return any(
        re.search(rf"(?<![\w.]){re.escape(name)}(?![\w])", joined) is not None
        for name in identifiers
    )


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
    return sorted(newest_first, key=lambda row: (
        not names_identifier(identifiers, (row["gist"], row["verbatim"])),
        -round(scores[row["id"]], 9),
        -row["salience_rank"],
    ))
