"""Every benchmark under bench/ still runs to its last figure (at a tiny size here).

The benchmarks assert nothing about time and no other test imports them, so without this a
refactor can break one unnoticed until someone needs its figures (bench_redact once did).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

# (script and its smallest sensible arguments, a phrase of the figure it prints last)
RUNS = [
    (["bench_store.py", "--memories", "300"], "migrate a 300-memory v1 file"),
    (["bench_mcp.py", "--memories", "300"], "get_memory"),
    (["bench_lsp.py", "--memories", "300"], "server resident memory"),
    (["bench_search.py", "--memories", "300"], "server RSS, 300 memories"),
    (
        ["bench_concurrent_import.py", "--memories", "300", "--imported", "300"],
        "hover, during the import",
    ),
    (["bench_fuzz.py", "--messages", "300"], "hover before / after     correct / correct"),
    (["bench_signal.py"], "capture per diagnostics notification"),
    (["bench_relevance.py"], "hybrid"),
    (["bench_redact.py"], "generate gists for one memory"),
    (["bench_server_start.py", "--starts", "1"], "with the recording"),
]


@pytest.mark.parametrize("command, last_figure", RUNS, ids=[run[0][0] for run in RUNS])
def test_the_benchmark_runs_and_prints_its_figures(command, last_figure, tmp_path):
    environment = {**os.environ, "VIDURAI_HOME": str(tmp_path)}  # never the user's store
    finished = subprocess.run(
        [sys.executable, str(BENCH / command[0]), *command[1:]],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert last_figure in finished.stdout, finished.stdout[-3000:]
