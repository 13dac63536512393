"""Stored text inside Markdown: always data, never markup."""

from __future__ import annotations

import re

# What can start markup inside a line: emphasis, code, links and images (their brackets),
# strikethrough and table cells. HTML is turned into entities.
_MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]|~])")


def escape_markdown(text: str) -> str:
    """Plain text that renders as itself in Markdown (HTML entities and specials escaped), so
    a memory can neither format a document nor smuggle in a link, an image or HTML."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIALS.sub(r"\\\1", text)
