"""The language server at 100,000 memories, through a real LSP client over stdio: prints figures.

    python bench/bench_lsp.py [--memories 100000] [--db PATH]

Builds the store once (1% of the memories in one hot file, 1,000 of them at 100,000), reuses
it when ``--db`` names an existing file, then starts ``python -m vidurai serve`` and measures
start to initialized, hover round trips (open and closed document), opening the hot file as
an editor does (its gutter marks and a first hover asked for at once; the first open fills in
the anchor texts, the second finds them), the gutter's file marks, the tree's file-grouped first
page, and the server's resident memory. Not a test: it asserts
nothing about time.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import default_converter
from pygls.protocol.json_rpc import JsonRPCResponseMessage
from pygls.uris import from_fs_path

from bench_store import HOT_FILE, WORDS, fill  # bench/ is on sys.path when run as a script
from vidurai.lsp import protocol
from vidurai.storage import MemoryDatabase

HOT_FILE_LINES = 1000  # bench_store puts every 100th memory in HOT_FILE, one per line


def build(db_path: Path, project: Path, count: int) -> None:
    started = time.perf_counter()
    with MemoryDatabase(db_path) as db:
        fill(db, project, count, random.Random(7))
    print(f"  stored {count:,} memories in {time.perf_counter() - started:.0f} s", flush=True)


def hot_file_text() -> str:
    return "".join(
        f"def handler_{line}(request):  # line {line + 1}\n" for line in range(HOT_FILE_LINES + 50)
    )


def plain_json_converter():
    """Results as plain dicts: pygls' client would build a namedtuple class per object,
    which costs more than the server's work and is no part of what is measured."""
    converter = default_converter()
    converter.register_structure_hook(JsonRPCResponseMessage, lambda obj, cls: cls(**obj))
    return converter


def vm_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def median_ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (
        f"median {statistics.median(samples) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms (n={len(samples)})"
    )


async def timed(samples: list[float], coroutine) -> object:
    start = time.perf_counter()
    result = await coroutine
    samples.append(time.perf_counter() - start)
    return result


async def measure(db_path: Path, project: Path) -> None:
    project_uri = from_fs_path(str(project))
    hot_uri = from_fs_path(str(project / HOT_FILE))
    client = LanguageClient("bench", "1", converter_factory=plain_json_converter)
    started = time.perf_counter()
    await client.start_io(sys.executable, "-m", "vidurai", "serve")
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=project_uri, name="project")],
            initialization_options={"databasePath": str(db_path)},
        )
    )
    client.initialized(types.InitializedParams())
    print(f"start to initialized:             {(time.perf_counter() - started) * 1000:.0f} ms")
    pid = client._server.pid

    def hover(uri: str, line: int):
        return client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line, 4))
        )

    closed: list[float] = []
    shown = 0
    for line in range(0, HOT_FILE_LINES, 2):
        shown += (await timed(closed, hover(hot_uri, line))) is not None
    print(f"hover, hot file not open:          {median_ms(closed)}; {shown} with a hover")

    async def open_with_marks_and_hover(what: str) -> None:
        """As the editor does on opening a file: didOpen, then at once the gutter's marks and,
        as the pointer rests, a hover; each figure is from the didOpen."""
        opened_at = time.perf_counter()
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                types.TextDocumentItem(
                    uri=hot_uri, language_id="python", version=1, text=hot_file_text()
                )
            )
        )

        async def since_open(coroutine) -> float:
            await coroutine
            return (time.perf_counter() - opened_at) * 1000

        marks_ms, hover_ms = await asyncio.gather(
            since_open(client.protocol.send_request_async(protocol.FILE_MARKS, {"uri": hot_uri})),
            since_open(hover(hot_uri, 0)),
        )
        print(f"{what:<35}marks {marks_ms:.0f} ms, first hover {hover_ms:.0f} ms after the didOpen")

    await open_with_marks_and_hover("open the hot file (first time):")
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=hot_uri))
    )
    await open_with_marks_and_hover("open it again:")
    opened: list[float] = []
    for _ in range(2):
        for line in range(0, HOT_FILE_LINES, 2):
            await timed(opened, hover(hot_uri, line))
    print(f"hover, hot file open:              {median_ms(opened)}")
    marks: list[float] = []
    for _ in range(30):
        found = await timed(
            marks, client.protocol.send_request_async(protocol.FILE_MARKS, {"uri": hot_uri})
        )
    print(
        f"vidurai/fileMarks, hot file open:   {median_ms(marks)}; {len(found['marks']) // 3} marked places"
    )
    empty: list[float] = []
    for line in range(HOT_FILE_LINES, HOT_FILE_LINES + 50):
        await timed(empty, hover(hot_uri, line))
    print(f"hover, line without memories:       {median_ms(empty)}")

    groups: list[float] = []
    pages: list[float] = []
    for _ in range(30):
        await timed(
            groups, client.protocol.send_request_async(protocol.MEMORIES, {"groupBy": "file"})
        )
        await timed(
            pages,
            client.protocol.send_request_async(
                protocol.MEMORIES, {"groupBy": "file", "group": "path:" + HOT_FILE, "limit": 50}
            ),
        )
    print(f"vidurai/memories, file groups:      {median_ms(groups)}")
    print(f"vidurai/memories, first page (50):  {median_ms(pages)}")

    searches: list[float] = []
    for word in WORDS:
        await timed(
            searches,
            client.protocol.send_request_async(protocol.SEARCH, {"query": f"{word} handle_42"}),
        )
    print(f"vidurai/search:                     {median_ms(searches)}")

    print(f"server resident memory (VmRSS):     {vm_rss_mb(pid):.0f} MB")
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="reuse (or build once) this database file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        project = Path(scratch) / "project"
        db_path = args.db or Path(scratch) / "memory.db"
        if args.db is not None:
            project = args.db.with_suffix(".project")
        (project / "src" / "hot").mkdir(parents=True, exist_ok=True)
        if not db_path.exists():
            print(f"building a store of {args.memories:,} memories…", flush=True)
            build(db_path, project, args.memories)
        asyncio.run(measure(db_path, project.resolve()))


if __name__ == "__main__":
    main()
