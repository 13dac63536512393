"""Search quality on the relevance set: recall@5 and MRR, words alone and hybrid.

    python bench/bench_relevance.py

The set (tests/server/relevance_set.py) is 325 memories written like real ones and 70
questions phrased as a developer would ask them, each with the memories that should come
first. Not a test: tests/server/test_search.py asserts the relation, this prints the figures.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests/

from tests.server import relevance_set  # noqa: E402
from vidurai.storage import MemoryDatabase  # noqa: E402


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="vidurai-relevance-"))
    with MemoryDatabase(folder / "memory.db") as db:
        keys = relevance_set.fill(db, folder)
        print(f"{len(keys)} memories, {len(relevance_set.QUERIES)} queries")
        print(f"{'':12} {'recall@5':>9} {'MRR':>7}  first expected memory not in the top 5")
        for name, hybrid in (("words only", False), ("hybrid", True)):
            quality = relevance_set.evaluate(db, folder, keys, hybrid)
            print(
                f"{name:12} {quality.recall_at_5:9.3f} {quality.mrr:7.3f}  "
                f"{len(quality.misses)}: {'; '.join(quality.misses)}"
            )


if __name__ == "__main__":
    main()
