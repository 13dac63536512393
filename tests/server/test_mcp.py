"""The MCP server (`vidurai mcp`), driven through the official SDK's stdio client."""

from __future__ import annotations

import subprocess
import sys
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from tests.server.conftest import FOUR_GISTS
from tests.server.test_cli import seed, workspace  # noqa: F401  (workspace is a fixture)
from vidurai.memory.briefing import build_context
from vidurai.storage import MemoryDatabase
from vidurai.gists import GENERATOR_VERSION
from vidurai.memory.regenerate import GENERATOR_KEY

READ_TOOLS = {"search_memories", "get_context", "list_recent"}


@pytest.fixture
def store(tmp_path):
    database = MemoryDatabase(tmp_path / "memory.db")
    # Made by this version: the gists seeded below are current and not made again.
    database.set_metadata(GENERATOR_KEY, GENERATOR_VERSION)
    yield database
    database.close()


@asynccontextmanager
async def mcp_server(store: MemoryDatabase, workspace: Path, *extra: str) -> AsyncIterator[Client]:
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "vidurai", "mcp", "--db", str(store.db_path), "--project", str(workspace),
              *extra],
        env={"VIDURAI_HOME": str(store.db_path.parent / "home")},
    )
    async with Client(params) as client:
        yield client


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return result.structured_content


async def tool_error(client: Client, tool: str, **arguments: Any) -> str:
    result = await client.call_tool(tool, arguments)
    assert result.is_error
    return result.content[0].text


async def test_read_only_by_default_offers_only_reading_tools(store, workspace):
    async with mcp_server(store, workspace) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == READ_TOOLS
        assert all(tool.annotations.read_only_hint for tool in tools.values())
        assert "remember" in await tool_error(client, "remember", note="sneaky write")
    assert store.count_memories(workspace) == 0


async def test_search_memories_finds_by_words_in_the_ai_voice(store, workspace):
    wanted = seed(store, workspace, "Fixed JWT token validation")
    seed(store, workspace, "Warmed the cache before release")
    async with mcp_server(store, workspace) as client:
        found = await call(client, "search_memories", query="token validation")
        assert [m["id"] for m in found["memories"]] == [wanted]
        assert found["memories"][0]["gist"] == "AI: Fixed JWT token validation"
        assert found["memories"][0]["place"] == "src/app.py:7"
        assert "**" in found["memories"][0]["snippet"]
        for_manager = await call(client, "search_memories", query="cache", audience="manager",
                                 limit=1)
        assert [m["gist"] for m in for_manager["memories"]] == [
            "Manager: Warmed the cache before release"
        ]
    assert store.get_memory_by_id(wanted)["access_count"] == 0  # read-only: not even a touch


async def test_get_context_is_the_same_markdown_as_the_editors_ai_context(store, workspace):
    seed(store, workspace, "Fixed JWT token validation")
    seed(store, workspace, "Decided on WAL mode", file="src/db.py", line=3)
    async with mcp_server(store, workspace) as client:
        result = await client.call_tool("get_context", {"file": "src/app.py", "max_tokens": 500})
    expected = build_context(store, workspace, current_file="src/app.py", max_tokens=500)
    assert result.content[0].text == expected.markdown
    assert "AI: Fixed JWT token validation" in expected.markdown


async def test_list_recent_gives_the_last_days_newest_first(store, workspace):
    older = seed(store, workspace, "Two days ago", days_ago=2)
    newer = seed(store, workspace, "An hour ago", days_ago=1 / 24)
    seed(store, workspace, "Last month", days_ago=30)
    async with mcp_server(store, workspace) as client:
        recent = await call(client, "list_recent", days=7)
    assert [m["id"] for m in recent["memories"]] == [newer, older]


async def test_remember_with_allow_write_goes_through_capture(store, workspace):
    async with mcp_server(store, workspace, "--allow-write") as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == READ_TOOLS | {"remember"}
        assert tools["remember"].annotations.read_only_hint is False
        made = await call(client, "remember",
                          note="Rotate key AKIAIOSFODNN7EXAMPLE after the audit",
                          file="src/app.py", line=12, salience="critical")
    memory = store.get_memory_by_id(made["id"])
    assert (memory["file_path"], memory["line_number"], memory["salience"]) == (
        "src/app.py", 12, "CRITICAL")
    assert "value_12 = 12" in memory["verbatim"]
    gists = store.get_audience_gists(made["id"])
    assert set(gists) == set(FOUR_GISTS)
    for text in (memory["gist"], memory["verbatim"], *gists.values()):
        assert "AKIAIOSFODNN7EXAMPLE" not in text


async def test_bad_arguments_are_tool_errors_and_the_server_keeps_serving(store, workspace, tmp_path):
    seed(store, workspace, "Fixed JWT token validation")
    async with mcp_server(store, workspace, "--allow-write") as client:
        assert "valid audiences: developer, ai, manager, personal" in await tool_error(
            client, "search_memories", query="token", audience="boss")
        assert "limit" in await tool_error(client, "search_memories", query="token", limit=0)
        assert "at least one word" in await tool_error(client, "search_memories", query="  ")
        assert "query" in await tool_error(client, "search_memories")
        assert "days" in await tool_error(client, "list_recent", days="a week")
        assert "not inside the project" in await tool_error(
            client, "get_context", file=str(tmp_path / "outside.py"))
        assert "line needs file" in await tool_error(client, "remember", note="x", line=3)
        assert "valid: CRITICAL" in await tool_error(client, "remember", note="x", salience="big")
        assert "non-empty" in await tool_error(client, "remember", note="   ")
        assert "nope" in await tool_error(client, "nope")

        found = await call(client, "search_memories", query="token")
        assert len(found["memories"]) == 1
    assert store.count_memories(workspace) == 1  # no bad call stored anything


def test_an_unusable_database_stops_the_server_with_a_message(tmp_path, workspace):
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("just text\n" * 100)
    result = subprocess.run(
        [sys.executable, "-m", "vidurai", "mcp", "--db", str(not_a_db), "--project",
         str(workspace)],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60,
    )
    assert result.returncode == 1
    assert "notes.txt" in result.stderr and result.stdout == ""
