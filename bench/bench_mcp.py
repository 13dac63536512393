"""The MCP tools at 100,000 memories: time per call and what an answer costs in tokens.

    python bench/bench_mcp.py [--memories 100000]

Calls go through the server's message handler (JSON-RPC in, JSON-RPC out), as over stdio but
without the pipe. Not a test: it measures and prints, and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

from bench_store import WORDS, fill, identifier, median_us, timed

from vidurai.mcp_server import build_server
from vidurai.memory.briefing import estimate_tokens
from vidurai.storage import MemoryDatabase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(11)
    work = Path(tempfile.mkdtemp(prefix="vidurai-bench-mcp-"))
    project = (work / "project").resolve()
    project.mkdir()
    db = MemoryDatabase(work / "memory.db")
    start = time.perf_counter()
    fill(db, project, args.memories, rng)
    print(
        f"filled {args.memories:,} memories with 4 gists each in {time.perf_counter() - start:.1f} s"
    )
    server = build_server(db, project)
    ids = [row[0] for row in db.conn.execute("SELECT id FROM memories ORDER BY random() LIMIT 500")]
    answer_tokens: dict[str, list[int]] = {"search": [], "broad": [], "get": []}

    def call(kind: str, tool: str, arguments: dict) -> None:
        answer = server.handle(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": tool, "arguments": arguments},
            }
        )
        answer_tokens[kind].append(estimate_tokens(answer["result"]["content"][0]["text"]))

    search = timed(lambda: call("search", "search_memories", {"query": identifier(rng)}), 300)
    broad = timed(
        lambda: call(
            "broad",
            "search_memories",
            {"query": f"{rng.choice(WORDS)} {rng.choice(WORDS)}", "limit": 50},
        ),
        50,
    )
    get = timed(lambda: call("get", "get_memory", {"id": rng.choice(ids)}), 500)
    db.close()

    def tokens(kind: str) -> str:
        return f"answer median {statistics.median(answer_tokens[kind]):5.0f} tokens"

    print(
        f"search_memories, selective (top 10)      median {median_us(search):8.1f} µs  {tokens('search')}"
    )
    print(
        f"search_memories, broad (limit 50, 800 tokens) median {median_us(broad):8.1f} µs  {tokens('broad')}"
    )
    print(
        f"get_memory                               median {median_us(get):8.1f} µs  {tokens('get')}"
    )


if __name__ == "__main__":
    main()
