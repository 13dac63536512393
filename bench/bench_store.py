"""Store, hover lookup, search, migration, capture and regenerating gists at 100,000
memories: prints medians.

    python bench/bench_store.py [--memories 100000]

Not a test: it measures and prints, and asserts nothing about time.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from vidurai.memory.anchors import LineEdit
from vidurai.memory.capture import CaptureService
from vidurai.memory.fixes import DiagnosticEvent
from vidurai.memory.regenerate import PAGE, regenerate_gists
from vidurai.storage import MemoryDatabase
from vidurai.storage.migrations import V1_SCHEMA
from vidurai.storage.models import to_db_time, utc_now

WORDS = (
    "cache token parser config migration retry socket schema index query timeout worker queue "
    "router session billing invoice login redirect upload thumbnail webhook payload"
).split()
SALIENCE = ["CRITICAL", "HIGH", "HIGH", "MEDIUM", "MEDIUM", "MEDIUM", "LOW", "NOISE"]
HOT_FILE = "src/hot/handlers.py"


def sentence(rng: random.Random, n: int = 6) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def identifier(rng: random.Random) -> str:
    """One of 5,000 function names: a search for one matches about 20 of 100,000 memories."""
    return f"handle_{rng.randrange(5000)}"


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def timed(fn, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def fill(db: MemoryDatabase, project: Path, count: int, rng: random.Random) -> None:
    """count memories with four gists each; 1% of them in one hot file."""
    for i in range(count):
        gist = f"Fixed {sentence(rng, 3)} in {identifier(rng)}"
        in_hot = i % 100 == 0
        db.store_memory(
            project,
            sentence(rng, 20),
            gist,
            rng.choice(SALIENCE),
            "error_fixed",
            HOT_FILE if in_hot else f"src/module_{i % 2000}.py",
            (i // 100) % 1000 + 1 if in_hot else i % 500 + 1,
            audience_gists={
                "developer": f"{gist} (dev)",
                "ai": f"Bug resolution: {gist}",
                "manager": gist,
                "personal": f"I {gist.lower()}",
            },
        )


def make_v1(path: Path, project: Path, count: int, rng: random.Random) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(V1_SCHEMA)
    conn.execute("INSERT INTO projects (path, name) VALUES (?, 'p')", (str(project),))
    now = utc_now()
    rows = [
        (
            sentence(rng, 20),
            "note",
            f"src/m{i % 500}.py",
            i % 300 + 1,
            rng.choice(SALIENCE),
            sentence(rng, 5),
            '["tag"]',
            to_db_time(now - timedelta(minutes=i)),
        )
        for i in range(count)
    ]
    conn.executemany(
        "INSERT INTO memories (project_id, verbatim, event_type, file_path, line_number, salience, "
        "gist, tags, created_at) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute(
        "INSERT INTO memories_fts (memory_id, gist, verbatim, tags) "
        "SELECT id, gist, verbatim, tags FROM memories"
    )
    conn.commit()
    conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memories", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(7)
    work = Path(tempfile.mkdtemp(prefix="vidurai-bench-"))
    project = work / "project"
    project.mkdir()
    db = MemoryDatabase(work / "memory.db")

    start = time.perf_counter()
    fill(db, project, args.memories, rng)
    print(
        f"filled {args.memories:,} memories with 4 gists each in {time.perf_counter() - start:.1f} s"
    )

    gists = {"developer": "d", "ai": "a", "manager": "m", "personal": "p"}
    store = timed(
        lambda: db.store_memory(
            project, "v", "Fixed a thing", "HIGH", "note", "x.py", 1, audience_gists=gists
        ),
        500,
    )
    ids = [
        row[0] for row in db.conn.execute("SELECT id FROM memories ORDER BY random() LIMIT 2000")
    ]
    one = timed(lambda: db.get_audience_gists(rng.choice(ids)), 2000)
    hundred = timed(lambda: db.get_audience_gists_bulk(rng.sample(ids, 100)), 300)
    hover = timed(
        lambda: db.memories_at(project, HOT_FILE, rng.randint(1, 1000), audience="developer"), 2000
    )
    search = timed(
        lambda: db.recall_memories(project, identifier(rng), min_salience="NOISE", limit=20), 300
    )
    broad = timed(
        lambda: db.recall_memories(
            project, f"{rng.choice(WORDS)} {rng.choice(WORDS)}", min_salience="NOISE", limit=20
        ),
        50,
    )

    now = [utc_now()]
    capture = CaptureService(db, clock=lambda: now[0])
    versions = iter(range(1, 10**9))

    def fix_from_diagnostics() -> None:
        """An error in the saved file, fixed by an edit and saved: the time to store its fix."""
        line = rng.randint(1, 1000)
        message = f"Name '{sentence(rng, 2).replace(' ', '_')}_{line}' is not defined"
        capture.diagnostics_changed(
            project, HOT_FILE, [DiagnosticEvent(message, line, line_text="x = y")], next(versions)
        )
        now[0] += timedelta(seconds=5)
        version = next(versions)
        text = f"fixed {version}"
        capture.document_edited(
            project, HOT_FILE, version, LineEdit(line - 1, 0, line - 1, 1, "z"), text
        )
        capture.document_saved(project, HOT_FILE, text)
        capture.diagnostics_changed(project, HOT_FILE, [], version)
        now[0] += timedelta(seconds=5)
        start = time.perf_counter()
        capture.confirm_fixes()
        capture_samples.append(time.perf_counter() - start)

    capture_samples: list[float] = []
    for _ in range(500):
        fix_from_diagnostics()

    # An upgrade whose gist rules changed: every memory's gists are made again, a page at a
    # time (the store is locked only while a page is written).
    total = db.count_memories(project)
    start = time.perf_counter()
    changed = regenerate_gists(db, capture.generator)
    regenerate_seconds = time.perf_counter() - start
    db.close()

    print(f"store a memory with four gists      median {median_us(store):8.1f} µs")
    print(f"one memory's gists                  median {median_us(one):8.1f} µs")
    print(f"gists for 100 memories              median {median_us(hundred):8.1f} µs")
    print(f"hover lookup (1,000 in the file)    median {median_us(hover):8.1f} µs")
    print(f"full-text search, top 20 (selective) median {median_us(search):8.1f} µs")
    print(
        f"full-text search, top 20 (two words in ~40% of memories) median {median_us(broad):8.1f} µs"
    )
    print(f"fix memory from a diagnostics change median {median_us(capture_samples):8.1f} µs")
    pages = -(-total // PAGE)
    print(
        f"regenerate the gists of {total:,} memories: {regenerate_seconds:.1f} s "
        f"({changed:,} gists changed; {regenerate_seconds / pages * 1000:.0f} ms per page of {PAGE})"
    )

    v1 = work / "v1.db"
    make_v1(v1, project, args.memories, rng)
    start = time.perf_counter()
    MemoryDatabase(v1).close()
    print(
        f"migrate a {args.memories:,}-memory v1 file to the latest: {time.perf_counter() - start:.2f} s"
    )


if __name__ == "__main__":
    main()
