"""The MCP server (`vidurai mcp`): the project's memories for AI assistants, over stdio.

Compact, then detail: ``search_memories`` and ``list_recent`` answer with ids, one-line gists
and places (a search also with scores) within a token budget; ``get_memory`` gives one memory
in full, by id, within its own budget. ``get_context`` is the editor's AI context. Only when
started with ``--allow-write`` is there ``remember``. Read-only by default means read-only:
without ``--allow-write`` no tool writes to the store (searching does not even count as a
use). Every text leaving the server passes through redaction (a store from before redaction
existed may hold a secret), and audiences are checked against the registry. A new memory goes
through capture like one made in the editor, so it is redacted and gets every audience gist.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from vidurai import __version__
from vidurai.limits import DEFAULT_CONTEXT_TOKENS, MIN_TOKEN_BUDGET
from vidurai.mcp_stdio import Param, StdioServer, Tool, ToolError
from vidurai.memory.briefing import estimate_tokens
from vidurai.memory.display import age, iso_time, place_text
from vidurai.memory.projects import OutsideProject, project_relative_file, read_lines
from vidurai.memory.redact import redact
from vidurai.memory.regenerate import open_current_store
from vidurai.storage import DatabaseOpenError, Memory, MemoryStore, SalienceLevel
from vidurai.storage.models import BUILTIN_AUDIENCE_TABLE, utc_now

MAX_LIMIT = 50
MAX_DAYS = 365
MAX_TOKENS = 20_000  # one answer shares the assistant's context with the rest of its work

INSTRUCTIONS = (
    "Vidurai remembers what the developer learned while coding in this project: bugs fixed, "
    "decisions, commands that failed and then passed, each tied to a file and line. Before "
    "changing code, search_memories for the file or the topic; when an error looks familiar, "
    "search for its message. Results are compact (id, gist, place); call get_memory with an "
    "id only when you need the whole memory. get_context gives a ready briefing for a task."
)

AUDIENCE = Param(
    "audience",
    str,
    "whose words the gists are in: "
    + ", ".join(f"{a.name} ({a.description})" for a in BUILTIN_AUDIENCE_TABLE)
    + ", or a configured audience; default ai",
    "ai",
)


def _budget(name: str, default: int) -> Param:
    return Param(
        name,
        int,
        "the most tokens the answer may take (about 4 characters each)",
        default,
        MIN_TOKEN_BUDGET,
        MAX_TOKENS,
    )


def _compact(memory: Memory, score: float | None = None) -> dict[str, Any]:
    """One memory in a few tokens: what a model needs to decide whether to read it in full."""
    hit: dict[str, Any] = {"id": memory.id}
    if score is not None:
        hit["score"] = float(f"{score:.3g}")  # bm25 is tiny in a small store
    hit["gist"] = redact(memory.shown_gist)
    hit["salience"] = memory.salience
    hit["place"] = place_text(memory)
    return hit


def _tokens(value: Any) -> int:
    return estimate_tokens(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def _within_budget(project: Path, hits: list[dict[str, Any]], max_tokens: int) -> dict[str, Any]:
    """The answer with as many hits, best first, as fit in ``max_tokens``; ``omitted`` says how
    many did not."""
    answer: dict[str, Any] = {"project": str(project), "memories": [], "omitted": 0}
    used = _tokens(answer)
    for index, hit in enumerate(hits):
        cost = _tokens(hit) + 1
        if used + cost > max_tokens:
            answer["omitted"] = len(hits) - index
            break
        answer["memories"].append(hit)
        used += cost
    return answer


def _shortened_to_fit(answer: dict[str, Any], key: str, max_tokens: int) -> str:
    """The longest start of ``answer[key]`` (marked with …) that keeps the answer within
    ``max_tokens``; found by bisection, since escaping makes lengths uneven."""
    text = answer[key]

    def fits(length: int) -> bool:
        return _tokens({**answer, key: text[:length] + "…"}) <= max_tokens

    shortest, longest = 0, len(text)
    while shortest < longest:
        middle = (shortest + longest + 1) // 2
        shortest, longest = (middle, longest) if fits(middle) else (shortest, middle - 1)
    return text[:shortest].rstrip() + "…"


def _audience_name(db: MemoryStore, audience: str) -> str:
    """The registered audience's name, or a ToolError that lists the valid ones."""
    from vidurai.gists.audiences import AudienceRegistry

    try:
        return AudienceRegistry(extra=db.audiences).validate(audience)
    except ValueError as error:
        raise ToolError(str(error)) from None


def _project_file(project: Path, file: str) -> str:
    try:
        return project_relative_file(project, file)
    except OutsideProject as error:
        raise ToolError(str(error)) from None


def build_server(db: MemoryStore, project: Path, allow_write: bool = False) -> StdioServer:
    """The MCP server over one store and one project folder."""
    project = project.resolve()

    def audience_name(audience: str) -> str:
        return _audience_name(db, audience)

    def project_file(file: str) -> str:
        return _project_file(project, file)

    def search_memories(query: str, audience: str, limit: int, max_tokens: int) -> dict[str, Any]:
        if not query.strip():
            raise ToolError("query must contain at least one word")
        hits = db.search_memories(
            project,
            query=query,
            min_salience=SalienceLevel.NOISE,
            limit=limit,
            audience=audience_name(audience),
        )
        return _within_budget(
            project, [_compact(hit.memory, hit.score) for hit in hits], max_tokens
        )

    def get_memory(id: int, audience: str, max_tokens: int) -> dict[str, Any]:  # noqa: A002
        audience = audience_name(audience)
        memory = db.get_memory_by_id(id, audience=audience)
        if memory is None or Path(memory.project_path) != project:
            raise ToolError(f"no memory {id} in this project (ids come from search_memories)")
        full: dict[str, Any] = {
            "id": memory.id,
            "gist": redact(memory.shown_gist),
            "salience": memory.salience,
            "place": place_text(memory),
            "event_type": memory.event_type,
            "created_at": iso_time(memory.created_at),
            "age": age(memory.created_at),
            "pinned": memory.pinned,
            "occurrences": memory.occurrence_count,
            "tags": [redact(tag) for tag in memory.tags],
            "gists": {name: redact(text) for name, text in db.get_audience_gists(id).items()},
            "verbatim": "",
            "truncated": False,
        }
        full["verbatim"] = redact(memory.verbatim or "")
        if _tokens(full) > max_tokens:
            full["truncated"] = True
            full["verbatim"] = _shortened_to_fit(full, "verbatim", max_tokens)
        return full

    def get_context(query: str | None, file: str | None, max_tokens: int) -> str:
        from vidurai.memory.briefing import build_context

        briefing = build_context(
            db,
            project,
            current_file=project_file(file) if file else None,
            query=query,
            max_tokens=max_tokens,
            audience="ai",
        )
        return redact(briefing.markdown)

    def list_recent(days: int, audience: str, limit: int, max_tokens: int) -> dict[str, Any]:
        memories = db.list_memories(
            project,
            since=utc_now() - timedelta(days=days),
            order="recent",
            audience=audience_name(audience),
            limit=limit,
        )
        return _within_budget(project, [_compact(m) for m in memories], max_tokens)

    limit = Param("limit", int, "the most memories to consider", 10, 1, MAX_LIMIT)
    tools = [
        Tool(
            "search_memories",
            "Search memories",
            "Search the project's memories by words, best match first. Use it before changing "
            "code (search the file name or the function), and when an error looks familiar "
            "(search its message). Answers compactly: id, score (higher is better), one-line "
            "gist, salience and file:line; `omitted` counts matches left out to stay within "
            "max_tokens. Call get_memory with an id for the whole memory.",
            (
                Param("query", str, "words to look for: a file name, a symbol, an error message"),
                AUDIENCE,
                limit,
                _budget("max_tokens", 800),
            ),
            search_memories,
        ),
        Tool(
            "get_memory",
            "Get one memory in full",
            "One memory in full, by the id search_memories or list_recent gave: every "
            "audience's gist, the original text (the code, error or command output it came "
            "from; shortened to fit max_tokens, then truncated is true), tags, place and age.",
            (Param("id", int, "the memory's id", minimum=1), AUDIENCE, _budget("max_tokens", 2000)),
            get_memory,
        ),
        Tool(
            "get_context",
            "Context for a task",
            "Markdown context for the task at hand: the most useful memories within a token "
            "budget, the current file's first.",
            (
                Param("query", str, "what the task is about", None),
                Param("file", str, "the file being worked on, relative to the project", None),
                _budget("max_tokens", DEFAULT_CONTEXT_TOKENS),
            ),
            get_context,
        ),
        Tool(
            "list_recent",
            "Recent memories",
            "The memories of the last days, newest first, compact like search_memories.",
            (
                Param("days", int, "how many days back", 7, 1, MAX_DAYS),
                AUDIENCE,
                Param("limit", int, "the most memories to consider", 20, 1, MAX_LIMIT),
                _budget("max_tokens", 800),
            ),
            list_recent,
        ),
    ]

    if allow_write:
        from vidurai.memory.capture import CaptureService

        capture = CaptureService(db)

        def remember(
            note: str, file: str | None, line: int | None, salience: str | None
        ) -> dict[str, Any]:
            if line is not None and file is None:
                raise ToolError("line needs file")
            try:
                level = SalienceLevel.parse(salience).name if salience is not None else None
                file_path = project_file(file) if file else None
                selection = (
                    read_lines(project / file_path, line, line) if file_path and line else ""
                )
                memory_id = capture.remember_note(
                    project, file_path, line, line, selection, note, level
                )
            except ValueError as error:
                raise ToolError(str(error)) from None
            memory = db.get_memory_by_id(memory_id)
            if memory is None:
                raise ToolError(f"memory {memory_id} was forgotten as soon as it was stored")
            return _compact(memory)

        tools.append(
            Tool(
                "remember",
                "Remember a note",
                "Remember a note for later: a decision the user stated, the cause of a bug, a "
                "convention. Secrets in it are redacted before it is stored.",
                (
                    Param("note", str, "what to remember, in one or two sentences"),
                    Param("file", str, "the file it is about, relative to the project", None),
                    Param("line", int, "the line it is about (1-based)", None, 1),
                    Param("salience", str, "critical, high, medium, low or noise", None),
                ),
                remember,
                read_only=False,
            )
        )

    return StdioServer("vidurai", __version__, INSTRUCTIONS, tools)


def run(db_path: str | None, project: Path, allow_write: bool) -> int:
    """Serve on stdio until the client closes the connection."""
    try:
        db = open_current_store(db_path, lambda text: print(f"vidurai: {text}", file=sys.stderr))
    except DatabaseOpenError as error:
        print(f"vidurai mcp: error: {error}", file=sys.stderr)
        return 1
    try:
        build_server(db, project, allow_write).serve(sys.stdin.buffer, sys.stdout.buffer)
    finally:
        db.close()
    return 0
