"""Stored text inside Markdown: always data, never markup."""

from __future__ import annotations

import re

from vidurai.memory.redact import redact

# What can start markup inside a line: emphasis, code, links and images (their brackets),
# strikethrough and table cells. HTML is turned into entities.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]|~])")


def escape_markdown(text: str) -> str:
    """Plain text that renders as itself in Markdown (HTML entities and specials escaped), so
    a memory can neither format a document nor smuggle in a link, an image or HTML.

    Redacted again first: a store written before redaction existed (a predecessor's file,
    upgraded with nothing lost) can still hold a secret, and once escaped (``ghp\\_…``) no
    rule would find it in the finished document."""
    text = redact(text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)
