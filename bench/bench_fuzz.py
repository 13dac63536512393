"""The language server under a seeded storm of hostile LSP messages: prints figures.

    python bench/bench_fuzz.py [--messages 10000] [--seed 20261202]

The storm (tests/lsp/fuzz.py) mixes ordinary requests with bad Content-Length headers,
invalid UTF-8, deep JSON, batch arrays, huge ids, a second initialize, custom requests
without params, lists sent as long strings, changes to unopened files and 20,000-character
diagnostics. Prints how many requests were answered, the time, the server's resident memory
idle / peak / after, the log lines written, and whether a hover still answers correctly.
Not a test: it asserts nothing (tests/lsp/test_hostile_input.py does).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository, for tests.lsp

from tests.lsp.fuzz import GIST, run_storm  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261202)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result, before, after = run_storm(Path(folder), args.messages, args.seed)
    print(f"messages sent            {result.messages:,} (seed {args.seed})")
    print(
        f"requests answered        {result.answered:,} of {result.requests:,}"
        + (f"  UNANSWERED e.g. {result.unanswered}" if result.unanswered else "")
    )
    print(f"server crashed           {'YES' if result.crashed else 'no'}")
    print(
        f"time for the storm       {result.seconds:.1f} s "
        f"({result.messages / result.seconds:,.0f} messages/s)"
    )
    print(
        f"RSS idle / peak / after  {result.rss_idle_kib / 1024:.1f} / "
        f"{result.rss_peak_kib / 1024:.1f} / {result.rss_after_kib / 1024:.1f} MiB "
        f"(after = {result.rss_after_kib / result.rss_idle_kib:.2f}x idle)"
    )
    print(
        f"log lines                {result.log_lines:,} "
        f"({result.log_lines / result.messages:.2f} per message)"
    )
    print(
        f"hover before / after     {'correct' if GIST in before else 'WRONG'} / "
        f"{'correct' if GIST in after else 'WRONG'}"
    )


if __name__ == "__main__":
    main()
