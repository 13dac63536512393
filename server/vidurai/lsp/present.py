"""How memories look on the wire and in Markdown: items, ages, hovers, escaping.

Every stored text that ends up in Markdown goes through ``escape_markdown``: a gist is data,
never markup, so it can neither format the hover nor smuggle in a link or HTML.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence, TypeVar
from urllib.parse import quote

import attrs
from pygls.uris import from_fs_path

from vidurai.lsp import protocol
from vidurai.lsp.documents import LivePlace
from vidurai.lsp.lines import stored_span
from vidurai.memory.display import age, fenced, iso_time, one_line
from vidurai.memory.markdown import escape_markdown
from vidurai.memory.redact import redact
from vidurai.storage import GistVersion, LedgerEntry, Memory, SearchHit, Snippet

MAX_HOVER_MEMORIES = 3


def file_uri(project_path: str, file: str) -> str:
    return from_fs_path(str(Path(project_path) / file)) or ""


def project_uri(project_path: str) -> str:
    return from_fs_path(project_path) or ""


def memory_item(
    memory: Memory,
    audience: str,
    gists: Mapping[str, str],
    live: LivePlace | None = None,
    now: datetime | None = None,
) -> protocol.MemoryItem:
    """A stored memory as a ``MemoryItem``; ``live`` is its place when its file is open."""
    return protocol.MemoryItem(**_item_fields(memory, audience, gists, live, now))


def search_result(hit: SearchHit, audience: str, gists: Mapping[str, str]) -> protocol.SearchResult:
    fields = _item_fields(hit.memory, audience, gists, None, None)
    return protocol.SearchResult(**fields, snippet=_snippet(hit.snippet, fields["label"]))


Item = TypeVar("Item", protocol.MemoryItem, protocol.SearchResult)


def redacted_item(item: Item) -> Item:
    """An item's texts redacted again on the way out, for answers an assistant may read: a
    store written before redaction existed (a predecessor's file, upgraded with nothing lost)
    can still hold a secret."""
    changes: dict[str, Any] = dict(
        label=redact(item.label),
        gist=redact(item.gist),
        gists={name: redact(text) for name, text in item.gists.items()},
    )
    if isinstance(item, protocol.SearchResult):
        changes["snippet"] = redact(item.snippet)
    return attrs.evolve(item, **changes)


def _snippet(snippet: Snippet | None, label: str) -> str:
    """The matched text on one line, its matched words in ``**`` (the quick pick shows
    them), or "" when it would only repeat the row's label."""
    if snippet is None:
        return ""
    plain = one_line(snippet.text)
    if not plain or plain.strip(" .…") == label.strip(" .…") or plain.strip(" .…") in label:
        return ""
    return one_line(snippet.render("**", "**"))


def _item_fields(
    memory: Memory,
    audience: str,
    gists: Mapping[str, str],
    live: LivePlace | None,
    now: datetime | None,
) -> dict[str, Any]:
    file = memory.file_path
    line: int | None
    end_line: int | None
    if live is not None and live.lines is not None:
        line, end_line = live.lines
    elif memory.line_number is not None:
        line, end_line = stored_span(memory.line_number, memory.end_line)
    else:
        line = end_line = None
    if file is None:
        line = end_line = None
    return dict(
        id=memory.id,
        project=project_uri(memory.project_path),
        label=gists.get(audience) or memory.gist,
        gist=memory.gist,
        audience=audience,
        salience=memory.salience,
        event_type=memory.event_type,
        uri=file_uri(memory.project_path, file) if file else None,
        file=file,
        line=line,
        end_line=end_line,
        pinned=memory.pinned,
        detached=live.detached if live is not None else memory.detached,
        occurrences=memory.occurrence_count,
        created_at=iso_time(memory.created_at),
        last_used_at=iso_time(memory.last_used),
        age=age(memory.created_at, now),
        gists=dict(gists),
    )


def command_link(title: str, command: str, memory_id: int, tooltip: str) -> str:
    arguments = quote(json.dumps([memory_id]))
    return f'[{title}](command:{command}?{arguments} "{tooltip}")'


def hover_markdown(memories: Sequence[Memory], audience: str) -> str:
    """The hover for a line: the first few memories (already ordered), then "+N more"."""
    blocks = [_hover_block(memory, audience) for memory in memories[:MAX_HOVER_MEMORIES]]
    markdown = "\n\n---\n\n".join(blocks)
    hidden = len(memories) - MAX_HOVER_MEMORIES
    if hidden > 0:
        markdown += f"\n\n---\n\n*\\+{hidden} more*"
    return markdown


def _hover_block(memory: Memory, audience: str) -> str:
    gist = escape_markdown(one_line(memory.shown_gist))
    facts = [memory.salience.capitalize(), age(memory.created_at)]
    if memory.occurrence_count > 1:
        facts.append(f"seen {memory.occurrence_count} times")
    if memory.pinned:
        facts.append("pinned")
    memory_id = memory.id
    pin = (
        command_link("Unpin", protocol.CLIENT_UNPIN, memory_id, "Let this memory be forgotten")
        if memory.pinned
        else command_link("Pin", protocol.CLIENT_PIN, memory_id, "Never forget this memory")
    )
    links = " · ".join(
        [
            pin,
            command_link("Forget", protocol.CLIENT_FORGET, memory_id, "Forget this memory now"),
            command_link(
                "Show Memory", protocol.CLIENT_SHOW_MEMORY, memory_id, "All gists and details"
            ),
        ]
    )
    return f"**Vidurai** · {gist}\n\n{' · '.join(facts)}\n\n{links}"


def memory_markdown(
    memory: Memory,
    gists: Mapping[str, str],
    history: Iterable[GistVersion],
    place: str | None,
) -> str:
    """Everything about one memory, ready to show in a Markdown preview; ``place`` is where
    it is now (``memory.display.place_text``)."""
    lines = [
        f"# {escape_markdown(one_line(memory.gist))}",
        "",
        f"- **Salience:** {memory.salience.capitalize()}" + (" (pinned)" if memory.pinned else ""),
        f"- **Kind:** {escape_markdown(memory.event_type.replace('_', ' '))}",
        f"- **Where:** {escape_markdown(place) if place else 'no place in a file'}",
        f"- **Remembered:** {age(memory.created_at)} ({iso_time(memory.created_at)})",
    ]
    if memory.occurrence_count > 1:
        lines.append(f"- **Seen:** {memory.occurrence_count} times")
    if memory.tags:
        lines.append(f"- **Tags:** {', '.join(escape_markdown(tag) for tag in memory.tags)}")
    lines += ["", "## Gists", ""]
    lines += [
        f"- **{escape_markdown(name)}:** {escape_markdown(one_line(text))}"
        for name, text in gists.items()
    ]
    past = list(history)
    if past:
        lines += ["", "## Earlier gists", ""]
        lines += [
            f"- **{escape_markdown(entry.audience)}** (until {iso_time(entry.replaced_at)}): "
            f"{escape_markdown(one_line(entry.gist))}"
            for entry in past
        ]
    lines += ["", "## Verbatim", "", fenced(memory.verbatim)]
    return "\n".join(lines) + "\n"


def ledger_entry(entry: LedgerEntry) -> protocol.LedgerEntry:
    return protocol.LedgerEntry(
        memory_id=entry.memory_id,
        gist=entry.gist,
        salience=entry.salience,
        reason=entry.reason,
        forgotten_at=iso_time(entry.forgotten_at) or "",
    )


def ledger_markdown(entries: Sequence[LedgerEntry]) -> str:
    if not entries:
        return "# Forgetting log\n\nNothing has been forgotten yet.\n"
    lines = ["# Forgetting log", "", "| When | Memory | Salience | Why |", "|---|---|---|---|"]
    for entry in entries:
        lines.append(
            f"| {iso_time(entry.forgotten_at)} | {escape_markdown(one_line(entry.gist))} "
            f"| {entry.salience.capitalize()} | {escape_markdown(entry.reason)} |"
        )
    return "\n".join(lines) + "\n"
