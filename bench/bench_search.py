"""Hybrid search at 100,000 memories: embedding, backfill, search times, memory and disk.

    python bench/bench_search.py [--memories 100000]

Fills the store without vectors (as a file from before search by meaning), times the
backfill that gives every memory its vector, then times top-20 searches hybrid and by words
alone, side by side, and measures a server process's RSS with every vector loaded.
Not a test: it measures and prints, and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_store import fill, timed

from vidurai.storage import MemoryDatabase, embedding

QUESTION = "why does the login redirect time out after an upload"


def percentiles_ms(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1e3, ordered[int(len(ordered) * 0.95) - 1] * 1e3


def database_bytes(db: MemoryDatabase) -> int:
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return (
        db.conn.execute("PRAGMA page_count").fetchone()[0]
        * db.conn.execute("PRAGMA page_size").fetchone()[0]
    )


# A server process: the language server's modules, the store, the model and every vector.
RSS_SCRIPT = """
import sys
from vidurai.lsp.server import create_server
from vidurai.storage import MemoryDatabase
create_server()
db = MemoryDatabase(sys.argv[1])
db.recall_memories(sys.argv[2], sys.argv[3], min_salience="NOISE", limit=20, hybrid={hybrid})
status = open("/proc/self/status").read()
print(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
"""


def server_rss_mb(db_path: Path, project: Path, hybrid: bool) -> float:
    output = subprocess.run(
        [
            sys.executable,
            "-c",
            RSS_SCRIPT.format(hybrid=hybrid),
            str(db_path),
            str(project),
            QUESTION,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return int(output.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=100_000)
    args = parser.parse_args()
    embedder = embedding.load_embedder()
    if embedder is None:
        sys.exit(f"the embedding packages are missing: {embedding.unavailable_reason()}")
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="vidurai-bench-search-"))
    project = work / "project"
    project.mkdir()
    db_path = work / "memory.db"

    load = embedding.load_embedder
    embedding.load_embedder = lambda: None  # a file from before vectors existed
    with MemoryDatabase(db_path) as db:
        start = time.perf_counter()
        fill(db, project, args.memories, rng)
        print(
            f"filled {args.memories:,} memories (no vectors) in {time.perf_counter() - start:.1f} s"
        )
    embedding.load_embedder = load

    db = MemoryDatabase(db_path)
    texts = [
        f"{row[0]}\n{row[1]}"
        for row in db.conn.execute(
            "SELECT gist, verbatim FROM memories ORDER BY random() LIMIT 2000"
        )
    ]
    embed = timed(lambda: embedder.embed([rng.choice(texts)]), 2000)
    size_before = database_bytes(db)
    start = time.perf_counter()
    while db.backfill_embeddings():
        pass
    backfill_seconds = time.perf_counter() - start
    size_after = database_bytes(db)

    word = "cache"
    share = db.conn.execute(
        "SELECT COUNT(*) FROM memories_fts WHERE memories_fts MATCH ?", (word,)
    ).fetchone()[0]
    rare = [f"handle_{rng.randrange(5000)}" for _ in range(200)]
    queries = {
        f"one word in {share / args.memories:.0%} of memories": lambda: word,
        "a rare identifier (~20 matches)": lambda: rng.choice(rare),
        "a natural-language question": lambda: QUESTION,
        # Search-as-you-type: the last word is unfinished, so it is also tried as a prefix.
        f'a word being typed ("{word[:-1]}")': lambda: word[:-1],
    }
    db.recall_memories(project, QUESTION, limit=20)  # load the vector index once
    results = {}
    for name, query in queries.items():
        for hybrid in (True, False):
            cpu_start = time.process_time()
            samples = timed(
                lambda: db.recall_memories(
                    project, query(), min_salience="NOISE", limit=20, hybrid=hybrid
                ),
                200,
            )
            cpu_ms = (time.process_time() - cpu_start) / len(samples) * 1e3
            results[name, hybrid] = (*percentiles_ms(samples), cpu_ms)
    start = time.perf_counter()
    db._vectors = None
    db.vector_index()
    index_load = time.perf_counter() - start
    db.close()

    print(f"embed one memory (gist + verbatim)  median {statistics.median(embed) * 1e3:6.3f} ms")
    print(
        f"backfill {args.memories:,} memories        {backfill_seconds:6.1f} s "
        f"({args.memories / backfill_seconds:,.0f} memories/s)"
    )
    print(f"load every vector into the index    {index_load * 1e3:6.0f} ms (first hybrid search)")
    print(
        f"database size                       {size_before / 1e6:6.1f} MB without vectors, "
        f"{size_after / 1e6:.1f} MB with ({(size_after - size_before) / args.memories:.0f} "
        f"bytes a memory for its vector, {size_after / args.memories / 1e3:.2f} KB a memory "
        "in all)"
    )
    # CPU time per search too: on a shared machine the wall clock also counts waiting for a core.
    print(
        f"load average after the searches     {' '.join(f'{load:.2f}' for load in os.getloadavg())} "
        f"({os.cpu_count()} cores)"
    )
    print(f"{'top 20, wall median / p95 (cpu mean)':40} {'hybrid':>26} {'words only':>26}")
    for name in queries:
        hybrid, words = results[name, True], results[name, False]
        print(
            f"{name:40} {hybrid[0]:6.2f} / {hybrid[1]:6.2f} ({hybrid[2]:5.2f}) ms "
            f"{words[0]:6.2f} / {words[1]:6.2f} ({words[2]:5.2f}) ms"
        )
    print(
        f"server RSS, {args.memories:,} memories: {server_rss_mb(db_path, project, True):.0f} MB "
        f"hybrid (model + vectors loaded), {server_rss_mb(db_path, project, False):.0f} MB words only"
    )
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
