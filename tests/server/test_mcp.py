"""The MCP server (`vidurai mcp`), driven through the official SDK's stdio client, and the
stdio transport it runs on without the SDK."""

from __future__ import annotations

import json
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
from vidurai.mcp_stdio import PROTOCOL_VERSIONS, Param, StdioServer, Tool
from vidurai.memory.briefing import build_context, estimate_tokens
from vidurai.storage import MemoryDatabase
from vidurai.gists import GENERATOR_VERSION
from vidurai.memory.regenerate import GENERATOR_KEY

READ_TOOLS = {"search_memories", "get_memory", "get_context", "list_recent"}


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
        args=[
            "-m",
            "vidurai",
            "mcp",
            "--db",
            str(store.db_path),
            "--project",
            str(workspace),
            *extra,
        ],
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


async def test_search_memories_answers_compactly_best_match_first(store, workspace):
    wanted = seed(store, workspace, "Fixed JWT token validation")
    weaker = seed(store, workspace, "Token cache warmed before validation of the release")
    seed(store, workspace, "Warmed the cache before release")
    async with mcp_server(store, workspace) as client:
        found = await call(client, "search_memories", query="token validation")
        assert [m["id"] for m in found["memories"]] == [wanted, weaker]
        assert found["memories"][0] == {
            "id": wanted,
            "score": found["memories"][0]["score"],
            "gist": "AI: Fixed JWT token validation",
            "salience": "HIGH",
            "place": "src/app.py:7",
        }
        assert found["memories"][0]["score"] > found["memories"][1]["score"]
        assert found["omitted"] == 0
        for_manager = await call(
            client, "search_memories", query="cache", audience="manager", limit=1
        )
        assert [m["gist"] for m in for_manager["memories"]] == [
            "Manager: Warmed the cache before release"
        ]
    assert store.get_memory_by_id(wanted).access_count == 0  # read-only: not even a touch


async def test_search_memories_stays_within_its_token_budget(store, workspace):
    for n in range(30):
        seed(store, workspace, f"Retry budget number {n} is shared by every worker in the pool")
    async with mcp_server(store, workspace) as client:
        roomy = await client.call_tool("search_memories", {"query": "retry budget", "limit": 30})
        tight = await client.call_tool(
            "search_memories", {"query": "retry budget", "limit": 30, "max_tokens": 200}
        )
    shown = len(roomy.structured_content["memories"])  # within the default 800 tokens
    assert 10 < shown < 30 and roomy.structured_content["omitted"] == 30 - shown
    assert estimate_tokens(roomy.content[0].text) <= 800
    kept = tight.structured_content["memories"]
    assert 0 < len(kept) < 10 and tight.structured_content["omitted"] == 30 - len(kept)
    assert estimate_tokens(tight.content[0].text) <= 200
    assert json.loads(tight.content[0].text) == tight.structured_content


async def test_get_memory_gives_one_memory_in_full_within_its_budget(store, workspace):
    long_output = "\n".join(f"Traceback line {n}: something went wrong here" for n in range(400))
    wanted = seed(store, workspace, "Fixed JWT token validation", tags=["auth"])
    store.update_memory(wanted, verbatim=long_output)
    async with mcp_server(store, workspace) as client:
        full = await call(client, "get_memory", id=wanted, max_tokens=20_000)
        short = await client.call_tool("get_memory", {"id": wanted, "max_tokens": 300})
    assert full["gist"] == "AI: Fixed JWT token validation"
    assert full["gists"]["manager"] == "Manager: Fixed JWT token validation"
    assert set(full["gists"]) == set(FOUR_GISTS)
    assert (full["place"], full["tags"], full["truncated"]) == ("src/app.py:7", ["auth"], False)
    assert full["verbatim"] == long_output
    assert short.structured_content["truncated"] is True
    assert short.structured_content["verbatim"].startswith("Traceback line 0:")
    assert estimate_tokens(short.content[0].text) <= 300


async def test_get_memory_refuses_ids_of_other_projects_and_unknown_ids(store, workspace, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    elsewhere = seed(store, other, "Another project's secret plan", file=None, line=None)
    async with mcp_server(store, workspace) as client:
        assert "no memory" in await tool_error(client, "get_memory", id=elsewhere)
        assert "no memory" in await tool_error(client, "get_memory", id=999)


async def test_text_leaving_the_server_is_redacted_even_when_stored_unredacted(store, workspace):
    # A store written before redaction existed (or by another tool) may hold a secret.
    leaky = store.store_memory(
        workspace,
        "export AWS_KEY=AKIAIOSFODNN7EXAMPLE",
        "Deploy with key AKIAIOSFODNN7EXAMPLE",
        "HIGH",
        "note",
        "src/app.py",
        3,
        audience_gists={"ai": "Deploy key AKIAIOSFODNN7EXAMPLE"},
    )
    async with mcp_server(store, workspace) as client:
        found = await client.call_tool("search_memories", {"query": "deploy"})
        full = await client.call_tool("get_memory", {"id": leaky})
        context = await client.call_tool("get_context", {"query": "deploy"})
    for result in (found, full, context):
        assert "AKIAIOSFODNN7EXAMPLE" not in result.content[0].text
    assert "[REDACTED" in full.structured_content["verbatim"]


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
    assert recent["memories"][0] == {
        "id": newer,
        "gist": "AI: An hour ago",
        "salience": "HIGH",
        "place": "src/app.py:7",
    }


async def test_remember_with_allow_write_goes_through_capture(store, workspace):
    async with mcp_server(store, workspace, "--allow-write") as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == READ_TOOLS | {"remember"}
        assert tools["remember"].annotations.read_only_hint is False
        made = await call(
            client,
            "remember",
            note="Rotate key AKIAIOSFODNN7EXAMPLE after the audit",
            file="src/app.py",
            line=12,
            salience="critical",
        )
    memory = store.get_memory_by_id(made["id"])
    assert (memory.file_path, memory.line_number, memory.salience) == ("src/app.py", 12, "CRITICAL")
    assert "value_12 = 12" in memory.verbatim
    gists = store.get_audience_gists(made["id"])
    assert set(gists) == set(FOUR_GISTS)
    for text in (memory.gist, memory.verbatim, *gists.values()):
        assert "AKIAIOSFODNN7EXAMPLE" not in text


async def test_bad_arguments_are_tool_errors_and_the_server_keeps_serving(
    store, workspace, tmp_path
):
    seed(store, workspace, "Fixed JWT token validation")
    async with mcp_server(store, workspace, "--allow-write") as client:
        assert "valid audiences: developer, personal, ai, manager" in await tool_error(
            client, "search_memories", query="token", audience="boss"
        )
        assert "limit" in await tool_error(client, "search_memories", query="token", limit=0)
        assert "at least one word" in await tool_error(client, "search_memories", query="  ")
        assert "query" in await tool_error(client, "search_memories")
        assert "days" in await tool_error(client, "list_recent", days="a week")
        assert "max_tokens: must be at least 100" in await tool_error(
            client, "get_memory", id=1, max_tokens=5
        )
        assert "unknown argument colour" in await tool_error(
            client, "search_memories", query="token", colour="red"
        )
        assert "not inside the project" in await tool_error(
            client, "get_context", file=str(tmp_path / "outside.py")
        )
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
        [
            sys.executable,
            "-m",
            "vidurai",
            "mcp",
            "--db",
            str(not_a_db),
            "--project",
            str(workspace),
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 1
    assert "notes.txt" in result.stderr and result.stdout == ""


def test_the_server_runs_without_the_mcp_sdk_as_the_extension_starts_it(store, workspace):
    """VS Code starts it with the user's Python and the extension's pure-Python libraries only."""
    no_sdk = (
        "import sys\nfor m in ('mcp', 'mcp_types', 'pydantic', 'pydantic_core', 'anyio'):\n"
        "    sys.modules[m] = None\nfrom vidurai.cli import main\nsys.exit(main())"
    )
    messages = [
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {
                "protocolVersion": "2025-06-18",
                "capabilities": {},
                "clientInfo": {"name": "test", "version": "1"},
            },
        },
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        "this line is not JSON",
        {"jsonrpc": "2.0", "id": 2, "method": "resources/list"},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/list"},
    ]
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            no_sdk,
            "mcp",
            "--db",
            str(store.db_path),
            "--project",
            str(workspace),
        ],
        input="".join((m if isinstance(m, str) else json.dumps(m)) + "\n" for m in messages),
        capture_output=True,
        text=True,
        timeout=60,
    )
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, result.stderr
    assert answers[0]["result"]["protocolVersion"] == "2025-06-18"
    assert answers[0]["result"]["serverInfo"]["name"] == "vidurai"
    assert answers[1]["error"]["code"] == -32700  # the bad line is answered, then serving goes on
    assert answers[2]["error"]["code"] == -32601
    assert {t["name"] for t in answers[3]["result"]["tools"]} == READ_TOOLS


def test_initialize_offers_our_newest_protocol_to_a_client_asking_for_an_unknown_one():
    server = StdioServer("t", "1", "", [])
    answer = server.handle(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"protocolVersion": "1999-01-01"},
        }
    )
    assert answer["result"]["protocolVersion"] == PROTOCOL_VERSIONS[0]
    assert server.handle({"jsonrpc": "2.0", "method": "notifications/cancelled"}) is None
    assert server.handle([1, 2])["error"]["code"] == -32600


def test_a_tool_schema_and_its_argument_checks_come_from_one_declaration():
    tool = Tool(
        "echo",
        "Echo",
        "echo",
        (Param("times", int, "how often", 1, 1, 3),),
        lambda times: {"times": times},
    )
    schema = tool.listing()["inputSchema"]
    assert schema["properties"]["times"] == {
        "type": "integer",
        "description": "how often",
        "default": 1,
        "minimum": 1,
        "maximum": 3,
    }
    assert schema["required"] == [] and schema["additionalProperties"] is False
    assert tool.call({"times": 2.0})["structuredContent"] == {"times": 2}
    server = StdioServer("t", "1", "", [tool])
    for bad in ({"times": 4}, {"times": True}, {"times": "2"}):
        answer = server.handle(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": "echo", "arguments": bad},
            }
        )
        assert answer["result"]["isError"] is True
