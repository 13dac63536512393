"""How long the language server takes to start, with and without the recording of generated
code that packaging ships (vidurai/generated_code.py): prints figures.

    python bench/bench_server_start.py [--starts 8]

Each start runs ``python -m vidurai serve`` as the editor does and times the answer to
``initialize``, the moment from which the editor can ask for the tree. The starts alternate
between the two kinds, so a machine getting busier or quieter affects both alike. Not a test:
it asserts nothing about time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.lsp

from tests.lsp.wire import WireServer  # noqa: E402
from vidurai import generated_code  # noqa: E402

# `python -m vidurai serve`, with the recording at argv[1] reused or not (as __main__ does).
START = (
    "import sys; from pathlib import Path; from vidurai import generated_code; "
    "sys.argv[1] and generated_code.reuse(Path(sys.argv[1])); "
    "from vidurai.cli import main; raise SystemExit(main(['serve']))"
)


def time_start(recording: str, folder: Path) -> float:
    started = time.perf_counter()
    server = WireServer(command=[sys.executable, "-c", START, recording])
    server.initialize(folder, folder / "memory.db")
    elapsed = time.perf_counter() - started
    server.process.kill()
    server.process.wait()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=8, help="starts of each kind")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        recording = folder / "generated-code.bin"
        count = generated_code.record(generated_code.load_the_server, recording)
        print(f"recorded {count} generated compilations ({recording.stat().st_size / 1e6:.1f} MB)")
        figures: dict[str, list[float]] = {"without": [], "with": []}
        for _ in range(args.starts):
            figures["without"].append(time_start("", folder))
            figures["with"].append(time_start(str(recording), folder))
    for kind, seconds in figures.items():
        print(
            f"start to initialize answered, {kind} the recording: "
            f"median {statistics.median(seconds) * 1000:.0f} ms, "
            f"min {min(seconds) * 1000:.0f}, max {max(seconds) * 1000:.0f} ({len(seconds)} starts)"
        )


if __name__ == "__main__":
    main()
