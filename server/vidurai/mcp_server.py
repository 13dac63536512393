"""The MCP server (`vidurai mcp`): the project's memories for AI assistants, over stdio.

Tools: ``search_memories``, ``get_context``, ``list_recent`` and, only when started with
``--allow-write``, ``remember``. Read-only by default means read-only: without
``--allow-write`` no tool writes to the store (searching does not even count as a use).
A new memory goes through capture like one made in the editor, so it is redacted and gets
every audience gist. Bad arguments come back as tool errors that say what was wrong; the
server keeps serving.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from vidurai import __version__
from vidurai.cli import CliError, iso_time, open_store, place, project_relative_file, read_lines
from vidurai.storage import DatabaseOpenError, MemoryDatabase, SalienceLevel
from vidurai.storage.models import describe_age, utc_now

MAX_LIMIT = 50
MAX_DAYS = 365
MAX_CONTEXT_TOKENS = 20_000

INSTRUCTIONS = (
    "Vidurai remembers what the developer learned while coding in this project: bugs fixed, "
    "decisions, commands that failed and then passed. Call get_context before working on a "
    "task (pass the file you are about to change), search_memories to look something up, and "
    "list_recent for what happened lately."
)

READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
WRITES = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)


class MemoryHit(BaseModel):
    id: int
    gist: str = Field(description="the memory in the requested audience's words")
    salience: str
    place: str | None = Field(description="file:line it is about, or null")
    created_at: str
    age: str
    pinned: bool
    snippet: str | None = Field(default=None, description="the matching words, marked with **")


class MemoryList(BaseModel):
    project: str
    memories: list[MemoryHit]


class Remembered(BaseModel):
    id: int
    salience: str
    gist: str
    place: str | None


def _hit(memory: dict[str, Any]) -> MemoryHit:
    where = place(memory)
    return MemoryHit(
        id=memory["id"],
        gist=memory.get("audience_gist") or memory["gist"],
        salience=memory["salience"],
        place=None if where == "-" else where,
        created_at=iso_time(memory["created_at"]) or "",
        age=describe_age(memory["created_at"]),
        pinned=memory["pinned"],
        snippet=memory.get("snippet"),
    )


def build_server(db: MemoryDatabase, project: Path, allow_write: bool = False) -> MCPServer:
    """The MCP server over one store and one project folder."""
    server = MCPServer(
        "vidurai", version=__version__, instructions=INSTRUCTIONS, log_level="WARNING"
    )

    def audience_name(audience: str) -> str:
        from vidurai.gists.audiences import AudienceRegistry

        try:
            return AudienceRegistry(extra=db.audiences).validate(audience)
        except ValueError as error:
            raise ToolError(str(error)) from None

    def project_file(file: str) -> str:
        try:
            return project_relative_file(project, file)
        except CliError as error:
            raise ToolError(str(error)) from None

    @server.tool(annotations=READ_ONLY)
    def search_memories(
        query: Annotated[str, Field(description="words to look for")],
        audience: Annotated[str, Field(description="whose words: ai, developer, manager, personal")] = "ai",
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 10,
    ) -> MemoryList:
        """Search the project's memories by words, best match first."""
        if not query.strip():
            raise ToolError("query must contain at least one word")
        memories = db.recall_memories(
            project, query=query, min_salience=SalienceLevel.NOISE, limit=limit,
            audience=audience_name(audience),
        )
        return MemoryList(project=str(project), memories=[_hit(m) for m in memories])

    @server.tool(annotations=READ_ONLY)
    def get_context(
        query: Annotated[str | None, Field(description="what the task is about")] = None,
        file: Annotated[str | None, Field(description="the file being worked on, relative to the project")] = None,
        max_tokens: Annotated[int, Field(ge=100, le=MAX_CONTEXT_TOKENS)] = 2000,
    ) -> str:
        """Markdown context for the task at hand: the most useful memories within a token budget,
        the current file's first."""
        from vidurai.memory.briefing import build_context

        briefing = build_context(
            db, project, current_file=project_file(file) if file else None,
            query=query, max_tokens=max_tokens, audience="ai",
        )
        return briefing.markdown

    @server.tool(annotations=READ_ONLY)
    def list_recent(
        days: Annotated[int, Field(ge=1, le=MAX_DAYS, description="how many days back")] = 7,
        audience: Annotated[str, Field(description="whose words: ai, developer, manager, personal")] = "ai",
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = 20,
    ) -> MemoryList:
        """The memories of the last days, newest first."""
        memories = db.list_memories(
            project, since=utc_now() - timedelta(days=days), order="recent",
            audience=audience_name(audience), limit=limit,
        )
        return MemoryList(project=str(project), memories=[_hit(m) for m in memories])

    if allow_write:
        from vidurai.memory.capture import CaptureService

        capture = CaptureService(db)

        @server.tool(annotations=WRITES)
        def remember(
            note: Annotated[str, Field(description="what to remember, in one or two sentences")],
            file: Annotated[str | None, Field(description="the file it is about, relative to the project")] = None,
            line: Annotated[int | None, Field(ge=1, description="the line it is about (1-based)")] = None,
            salience: Annotated[str | None, Field(description="critical, high, medium, low or noise")] = None,
        ) -> Remembered:
            """Remember a note for later (secrets in it are redacted)."""
            if line is not None and file is None:
                raise ToolError("line needs file")
            try:
                level = SalienceLevel.parse(salience).name if salience is not None else None
                file_path = project_file(file) if file else None
                selection = read_lines(project / file_path, line, line) if file_path and line else ""
                memory_id = capture.remember_note(
                    project, file_path, line, line, selection, note, level
                )
            except ValueError as error:
                raise ToolError(str(error)) from None
            memory = db.get_memory_by_id(memory_id)
            if memory is None:
                raise ToolError(f"memory {memory_id} was forgotten as soon as it was stored")
            where = place(memory)
            return Remembered(id=memory_id, salience=memory["salience"], gist=memory["gist"],
                              place=None if where == "-" else where)

    return server


def run(db_path: str | None, project: Path, allow_write: bool) -> int:
    """Serve on stdio until the client closes the connection."""
    try:
        db = open_store(db_path)
    except DatabaseOpenError as error:
        print(f"vidurai mcp: error: {error}", file=sys.stderr)
        return 1
    try:
        build_server(db, project, allow_write).run("stdio")
    finally:
        db.close()
    return 0
