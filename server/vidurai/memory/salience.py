"""How much a memory matters, from its kind and its words.

Words are matched as whole words (``\\b``): "token" is not "critical", and "this" does not
contain "hi" as far as these rules are concerned. The order of the rules is the order of
precedence: the user's mark, then grave words, then noise, then trivial changes, then the
kind of event, then words that raise a plain note.
"""

from __future__ import annotations

import re

from vidurai.gists.kinds import infer_event_type, kind_of
from vidurai.storage.models import EventType, SalienceLevel

_CRITICAL = re.compile(
    r"(?i)\b(?:"
    r"security\s+(?:incident|breach|hole|issue|vulnerability|fix)|vulnerabilit(?:y|ies)|breach(?:ed)?"
    r"|CVE-\d{4}-\d+|remote code execution|RCE|sql\s+injection|XSS|privilege escalation"
    r"|data\s+(?:loss|leak|corruption)|lost\s+(?:data|records|rows)|corrupt(?:ed|s)?\s+(?:data|database|db)"
    r"|(?:leaked|exposed|compromised)\s+(?:\w+\s+)?(?:credentials?|secrets?|keys?|tokens?|passwords?)"
    r"|(?:production|prod)\s+(?:outage|down|incident|is\s+down|went\s+down)|outage|downtime"
    r"|critical(?!\s+(?:section|path|css|rendering))"
    r")\b"
)
# Text that says nothing worth keeping.
_NOISE = re.compile(
    r"(?i)^\W*(?:(?:wip|temp|tmp|test(?:ing)?|asdf|foo|bar|xxx|debug(?:ging)?|todo|scratch|misc|stuff|\.+)\W*)+$"
    r"|\bwip\b"
)
_LOW = re.compile(
    r"(?i)\b(?:typos?|whitespace|formatting|formatted|reformat(?:ted)?|indentation|indent"
    r"|trailing\s+(?:spaces?|commas?|newlines?)|spelling|cosmetic|lint(?:ing)?\s+(?:fix(?:es)?|warnings?)"
    r"|import\s+order|sort(?:ed)?\s+imports|comment\s+(?:typo|wording))\b"
)
_RAISES_NOTE = re.compile(
    r"(?i)\b(?:important|must|never|always|gotcha|root\s+cause|breaking\s+change|do\s+not|don't|beware)\b"
)


def classify_salience(
    text: str, event_type: str | None = None, important: bool = False
) -> SalienceLevel:
    """The salience of a memory with this text and kind; a note the user marked important
    is CRITICAL."""
    if important:
        return SalienceLevel.CRITICAL
    text = text or ""
    if _CRITICAL.search(text):
        return SalienceLevel.CRITICAL
    if not text.strip() or _NOISE.search(text):
        return SalienceLevel.NOISE
    if _LOW.search(text):
        return SalienceLevel.LOW
    kind = (
        event_type if event_type and event_type != EventType.NOTE.value else infer_event_type(text)
    )
    if kind != EventType.NOTE.value:
        return kind_of(kind).salience
    if _RAISES_NOTE.search(text):
        return SalienceLevel.HIGH
    return SalienceLevel.MEDIUM
