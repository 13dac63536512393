"""How well and how fast redaction works, and how long gist generation takes.

Run: ``python bench/bench_redact.py``. Prints, asserting nothing (speed and scores are
measured here, not in the tests):

* recall and false-positive rate on the corpus of tests/server/secret_corpus.py, for our
  redaction and for Yelp's detect-secrets 1.5 on the same texts. detect-secrets is a
  benchmark-only dependency: ``pip install -e '.[bench]'`` (without it its row says so);
* the time to redact 100 KB (and for detect-secrets, to scan 100 KB) of the corpus, of
  typical terminal output, and of worst-case input.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package: the corpus

from tests.server.secret_corpus import HARMLESS, SECRETS, Case  # noqa: E402
from vidurai.gists import GistContext, MultiAudienceGistGenerator  # noqa: E402
from vidurai.memory.redact import redact, redact_with_kinds  # noqa: E402

RUNS = 50
TARGET_BYTES = 100 * 1024

# Lines of the kind a terminal shows during a build and a test run.
_LOG_LINES = (
    "npm WARN deprecated inflight@1.0.6: This module is not supported, and leaks memory.",
    "added 1342 packages, and audited 1343 packages in 14s",
    "  src/auth/middleware.ts:42:17 - error TS2322: Type 'string' is not assignable to type 'number'.",
    "[webpack-cli] Compiled successfully in 4211 ms",
    "asset main.js 1.2 MiB [emitted] (name: main) 1 related asset",
    "tests/test_api.py::test_login_rejects_expired_token PASSED                     [ 41%]",
    "tests/test_api.py::test_refresh_token_rotation FAILED                          [ 42%]",
    "E       AssertionError: assert 401 == 200",
    "E        +  where 401 = <Response [401]>.status_code",
    "Collecting requests==2.31.0 (from -r requirements.txt (line 4))",
    "  Downloading requests-2.31.0-py3-none-any.whl (62 kB)",
    "Resolving deltas: 100% (5123/5123), done.",
    "remote: Enumerating objects: 8123, done.",
    "From github.com:acme/payments",
    " * branch            main       -> FETCH_HEAD",
    "Step 7/12 : RUN pip install --no-cache-dir -r requirements.txt",
    " ---> Using cache",
    " ---> 3f2a9c1d8e7b",
    "INFO:uvicorn.error:Application startup complete. token_ttl=3600 max_tokens=4096",
    "DEBUG sqlalchemy.engine: SELECT users.id, users.email FROM users WHERE users.id = ?",
    "integrity sha512-9QKMrVb1MOtY0ivHLfBE7HHgWu5lNyFWvjJsmrG8D9oCl0h6sVaQXdNL7Ov7Oc1/Ng==",
    "    at Object.<anonymous> (/home/dev/app/node_modules/jest-circus/build/index.js:212:11)",
    "warning: unused variable: `session_key` --> src/lib.rs:88:9",
    "Traceback (most recent call last):",
    '  File "/home/dev/app/auth.py", line 42, in validate',
    "    payload = jwt.decode(token, key, algorithms=['HS256'])",
    "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "uuid 3b241101-e2bb-4255-8caf-4136c566a962 version 2.14.3-beta.1",
)
_SECRETS = (
    "export AWS_ACCESS_KEY_ID=AKIA" + "QYLPMN5HHHFPZAM2",
    "curl -H 'Authorization: Bearer "
    + "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.Sfl5Kxw-rJ9s2P4v'",
    "DATABASE_URL=postgres://app:" + "Sup3rS3cret!@db.internal:5432/app",
    "git push https://x-access-token:ghp_"
    + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8@github.com/acme/app",
)


def _terminal_output(seed: int = 7) -> str:
    chooser = random.Random(seed)
    lines: list[str] = []
    size = 0
    while size < TARGET_BYTES:
        line = chooser.choice(_LOG_LINES) if chooser.random() > 0.002 else chooser.choice(_SECRETS)
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines)[:TARGET_BYTES]


def _median_ms(action, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


# --- recall and false positives ----------------------------------------------------------


def _leaks(case: Case, stored: str) -> bool:
    """The secret, or for a long one its random tail, is still there."""
    return case.secret in stored or (len(case.secret) >= 24 and case.secret[-16:] in stored)


def _without(text: str, found: list[str]) -> str:
    """The text as a tool that removed every finding would store it."""
    for value in sorted(found, key=len, reverse=True):
        if value:
            text = text.replace(value, "[REDACTED]")
    return text


def _detect_secrets_findings(texts: list[str]) -> list[list[str]] | None:
    """detect-secrets' findings (secret values) for each text, scanned as a file with its
    default plugins and filters, as `detect-secrets scan` would; None when not installed."""
    try:
        from detect_secrets import SecretsCollection
        from detect_secrets.settings import default_settings
    except ImportError:
        return None
    findings = []
    with tempfile.TemporaryDirectory() as folder, default_settings():
        for number, text in enumerate(texts):
            path = Path(folder) / f"snippet_{number}.txt"
            path.write_text(text, encoding="utf-8")
            collection = SecretsCollection()
            collection.scan_file(str(path))
            findings.append([secret.secret_value or "" for _, secret in collection])
    return findings


def _print_score(name: str, leaked: int, flagged: int) -> None:
    caught = len(SECRETS) - leaked
    print(
        f"{name:>15}: recall {caught}/{len(SECRETS)} = {caught / len(SECRETS):.1%}; "
        f"false positives {flagged}/{len(HARMLESS)} = {flagged / len(HARMLESS):.1%}"
    )


def _scores() -> None:
    kinds = len({case.kind for case in SECRETS})
    print(
        f"corpus: {len(SECRETS)} fake secrets of {kinds} kinds, {len(HARMLESS)} harmless look-alikes"
    )
    _print_score(
        "vidurai",
        sum(_leaks(case, redact(case.text)) for case in SECRETS),
        sum(redact(text) != text for text in HARMLESS),
    )
    findings = _detect_secrets_findings([case.text for case in SECRETS] + HARMLESS)
    if findings is None:
        print("detect-secrets: not installed (pip install -e '.[bench]')")
        return
    on_secrets, on_harmless = findings[: len(SECRETS)], findings[len(SECRETS) :]
    _print_score(
        "detect-secrets",
        sum(
            _leaks(case, _without(case.text, found))
            for case, found in zip(SECRETS, on_secrets, strict=True)
        ),
        sum(bool(found) for found in on_harmless),
    )


def _corpus_text() -> str:
    texts = [case.text for case in SECRETS] + HARMLESS
    chooser = random.Random(3)
    chooser.shuffle(texts)
    text = "\n".join(texts)
    return (text * (TARGET_BYTES // len(text) + 1))[:TARGET_BYTES]


def _corpus_timings() -> None:
    corpus = _corpus_text()
    print(
        f"corpus, 100 KB: vidurai redacts it in {_median_ms(lambda: redact(corpus), runs=20):.2f} ms (median of 20)"
    )
    try:
        from detect_secrets import SecretsCollection
        from detect_secrets.settings import default_settings
    except ImportError:
        return
    with tempfile.TemporaryDirectory() as folder, default_settings():
        path = Path(folder) / "corpus.txt"
        path.write_text(corpus, encoding="utf-8")
        scan_ms = _median_ms(lambda: SecretsCollection().scan_file(str(path)), runs=3)
    print(f"corpus, 100 KB: detect-secrets scans it in {scan_ms:.0f} ms (median of 3)")


def main() -> None:
    _scores()
    _corpus_timings()
    output = _terminal_output()
    _, kinds = redact_with_kinds(output)
    print(
        f"terminal output: {len(output.encode()) / 1024:.0f} KB, secret kinds found: {', '.join(kinds)}"
    )
    print(
        f"typical: redact 100 KB terminal output: median {_median_ms(lambda: redact(output)):.2f} ms over {RUNS} runs"
    )
    plain = "\n".join(line for line in _LOG_LINES)  # no secrets at all
    plain = (plain * (TARGET_BYTES // len(plain) + 1))[:TARGET_BYTES]
    print(
        f"typical: redact 100 KB without secrets: median {_median_ms(lambda: redact(plain)):.2f} ms over {RUNS} runs"
    )

    # Inputs that would make a careless pattern backtrack or do Python work per hit: one
    # long unbroken token, dumps dense with secret-sounding names that hold nothing secret,
    # and lines full of secrets (each one costs a replacement).
    worst_cases = (
        ("one 100 KB base64 blob", "QUJDRGVmZ2hpams0NTY3ODkw"),
        ("100 KB of 'api_key: <name>' lines", "api_key: settings.API_KEY, token=get_token()\n"),
        ("100 KB of 'eyJ' (a JWT opening, unbroken)", "eyJ"),
        (
            "100 KB of 'tokens: 4096' lines",
            "max_tokens: 4096 token_ttl=3600 PASSWORD_MIN_LENGTH=8\n",
        ),
        ("100 KB of 'password=hunter2' lines", "password=" + "hunter2\n"),
        (
            "100 KB of command lines with flags",
            "mysql -h db -u app shop; curl -s https://x; docker login reg\n",
        ),
    )
    for label, unit in worst_cases:
        text = (unit * (TARGET_BYTES // len(unit) + 1))[:TARGET_BYTES]
        print(
            f"worst case: redact {label}: median {_median_ms(lambda: redact(text)):.2f} ms over {RUNS} runs"
        )

    generator = MultiAudienceGistGenerator()
    context = GistContext(
        event_type="error_fixed",
        file_path="src/auth/middleware.py",
        error_type="TypeError",
        source="pyright",
        message='Argument of type "bytes" cannot be assigned to parameter "token" of type "str"',
    )
    verbatim = "payload = jwt.decode(token, key, algorithms=['HS256'])"
    gist_ms = _median_ms(
        lambda: generator.generate(verbatim, "Fixed JWT token validation", context), runs=RUNS * 20
    )
    print(
        f"generate gists for one memory (4 audiences): median {gist_ms * 1000:.0f} µs over {RUNS * 20} runs"
    )


if __name__ == "__main__":
    main()
