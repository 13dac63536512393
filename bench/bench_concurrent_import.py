"""Hovers while another process imports: prints hover figures at 100,000 memories while a
``vidurai import`` of 50,000 memories runs beside the language server.

    python bench/bench_concurrent_import.py [--memories 100000] [--imported 50000] [--db PATH]

Builds the store (as bench_lsp does, its gists marked as made by this version, so neither
process rewrites them meanwhile) and a JSONL export of ``--imported`` memories of another
project, once; with ``--db`` both are kept beside that file and reused (the import is run on
a copy, so the store stays at ``--memories``). Then starts ``python -m vidurai serve``,
hovers for a few seconds with nothing else running, and keeps hovering (open and closed
document alternately) from the moment ``vidurai import`` starts until it ends. The import
holds SQLite's write lock for its whole transaction. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

from bench_lsp import HOT_FILE_LINES, build, hot_file_text, plain_json_converter
from bench_store import HOT_FILE, fill
from vidurai.gists import GENERATOR_VERSION
from vidurai.memory.regenerate import GENERATOR_KEY
from vidurai.storage import MemoryDatabase

WARM_UP_SECONDS = 2.0
IDLE_SECONDS = 5.0


def make_export(export: Path, scratch: Path, count: int) -> None:
    """An export of ``count`` memories of another project (none is a duplicate)."""
    started = time.perf_counter()
    source = scratch / "to-import.db"
    with MemoryDatabase(source) as db:
        fill(db, scratch / "imported-project", count, random.Random(11))
        db.set_metadata(GENERATOR_KEY, GENERATOR_VERSION)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "vidurai",
            "--db",
            str(source),
            "export",
            "--all-projects",
            "--output",
            str(export),
        ],
        check=True,
    )
    source.unlink()
    print(f"  exported {count:,} memories in {time.perf_counter() - started:.0f} s", flush=True)


def figures(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"median {statistics.median(samples) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, "
        f"max {ordered[-1] * 1000:.0f} ms (n={len(samples)})"
    )


async def measure(db_path: Path, project: Path, export: Path) -> None:
    hot_uri = from_fs_path(str(project / HOT_FILE))
    other_uri = from_fs_path(str(project / "src" / "module_7.py"))
    client = LanguageClient("bench", "1", converter_factory=plain_json_converter)
    await client.start_io(sys.executable, "-m", "vidurai", "serve")
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[
                types.WorkspaceFolder(uri=from_fs_path(str(project)), name="project")
            ],
            initialization_options={"databasePath": str(db_path)},
        )
    )
    client.initialized(types.InitializedParams())
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(
                uri=hot_uri, language_id="python", version=1, text=hot_file_text()
            )
        )
    )
    rng = random.Random(3)

    async def hover_once(samples: list[float]) -> None:
        # the open hot file (live anchors), or a closed file (the store's lines)
        uri, line = (
            (hot_uri, rng.randrange(HOT_FILE_LINES))
            if len(samples) % 2
            else (other_uri, rng.randrange(500))
        )
        start = time.perf_counter()
        await client.text_document_hover_async(
            types.HoverParams(types.TextDocumentIdentifier(uri=uri), types.Position(line, 4))
        )
        samples.append(time.perf_counter() - start)
        await asyncio.sleep(0.01)  # a person moving the mouse, not a flood

    warm_up: list[float] = []  # the first hovers load pages and caches
    until = time.perf_counter() + WARM_UP_SECONDS
    while time.perf_counter() < until:
        await hover_once(warm_up)
    idle: list[float] = []
    until = time.perf_counter() + IDLE_SECONDS
    while time.perf_counter() < until:
        await hover_once(idle)
    print(f"hover, nothing else running:        {figures(idle)}")

    started = time.perf_counter()
    importer = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vidurai",
        "--db",
        str(db_path),
        "import",
        str(export),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    during: list[float] = []
    while importer.returncode is None:  # set by asyncio when the process ends
        await hover_once(during)
    output = (await importer.stdout.read()).decode().strip()
    print(
        f"vidurai import ({importer.returncode}): {time.perf_counter() - started:.1f} s: {output[:200]}"
    )
    print(f"hover, during the import:           {figures(during)}")

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=100_000)
    parser.add_argument("--imported", type=int, default=50_000)
    parser.add_argument("--db", type=Path, help="build once beside this file, then reuse")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch_name:
        scratch = Path(scratch_name)
        base = args.db or scratch / "memory.db"
        project = base.with_suffix(".project")
        export = base.with_suffix(f".import-{args.imported}.jsonl")
        (project / "src" / "hot").mkdir(parents=True, exist_ok=True)
        if not base.exists():
            print(f"building a store of {args.memories:,} memories…", flush=True)
            build(base, project, args.memories)
        if not export.exists():
            print(f"exporting {args.imported:,} memories to import…", flush=True)
            make_export(export, scratch, args.imported)
        with MemoryDatabase(base) as db:  # made by this version: nobody rewrites its gists
            db.set_metadata(GENERATOR_KEY, GENERATOR_VERSION)
        working = scratch / "working.db"  # the import must not grow the reused store
        shutil.copyfile(base, working)
        asyncio.run(measure(working, project.resolve(), export))


if __name__ == "__main__":
    main()
