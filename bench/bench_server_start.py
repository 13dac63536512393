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
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO

from vidurai import generated_code

# `python -m vidurai serve`, with the recording at argv[1] reused or not (as __main__ does).
START = (
    "import sys; from pathlib import Path; from vidurai import generated_code; "
    "sys.argv[1] and generated_code.reuse(Path(sys.argv[1])); "
    "from vidurai.cli import main; raise SystemExit(main(['serve']))"
)


def message(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream: IO[bytes]) -> dict:
    length = 0
    while (line := stream.readline().strip()) != b"":
        name, _, value = line.partition(b":")
        if name.lower() == b"content-length":
            length = int(value)
    return json.loads(stream.read(length))


def time_start(recording: str, folder: Path) -> float:
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-c", START, recording],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert server.stdin and server.stdout
    initialize = {
        "processId": None,
        "rootUri": folder.as_uri(),
        "capabilities": {},
        "initializationOptions": {"databasePath": str(folder / "memory.db")},
    }
    server.stdin.write(
        message({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": initialize})
    )
    server.stdin.flush()
    while read_message(server.stdout).get("id") != 1:
        pass
    elapsed = time.perf_counter() - started
    server.kill()
    server.wait()
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
