"""A seeded storm of hostile and broken LSP messages against the real server process.

Used by tests/lsp/test_hostile_input.py (which asserts) and bench/bench_fuzz.py (which
prints the figures). Every request carries a fresh integer id placed first in its body, so
even a message whose body cannot be parsed can be answered; the storm records which ids it
expects answers for.
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from pygls.uris import from_fs_path

from tests.lsp.wire import WireServer, frame
from vidurai.storage import MemoryDatabase

APP = "def load_config(path):\n    return open(path).read()\n"
GIST = "Config is read on every call"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@dataclass
class Storm:
    rng: random.Random
    uri: str
    next_id: int = 1_000_000
    expected: set = field(default_factory=set)
    sent: int = 0
    requests: int = 0

    def _id(self) -> int:
        self.next_id += 1
        self.expected.add(self.next_id)
        self.requests += 1
        return self.next_id

    def _request_body(self, method: str, params_json: str | None, message_id=None) -> bytes:
        message_id = self._id() if message_id is None else message_id
        params = f', "params": {params_json}' if params_json is not None else ""
        return f'{{"id": {json.dumps(message_id)}, "jsonrpc": "2.0", "method": "{method}"{params}}}'.encode()

    def _notification(self, method: str, params: object) -> bytes:
        return json.dumps({"jsonrpc": "2.0", "method": method, "params": params}).encode()

    def message(self) -> bytes:
        """One hostile (or, one time in eighteen, ordinary) message, framed."""
        kinds = (
            self._ordinary_request,
            self._hover_at_odd_line,
            self._request_without_params,
            self._bad_content_length,
            self._invalid_utf8,
            self._deep_json,
            self._batch_array,
            self._unholdable_id,
            self._second_initialize,
            self._string_for_list,
            self._change_to_unopened_document,
            self._huge_diagnostic,
            self._wrong_field_types,
            self._bad_custom_params,
            self._random_bytes,
            self._json_not_an_object,
            self._unknown_method_or_bad_command,
            self._malformed_envelope,
        )
        kind = kinds[self.rng.randrange(len(kinds))]
        self.sent += 1
        return kind()

    def _ordinary_request(self) -> bytes:
        # ordinary requests between the attacks
        return frame(self._request_body("vidurai/stats", "{}"))

    def _hover_at_odd_line(self) -> bytes:
        rng = self.rng
        line = rng.choice([0, 1, -1, 2**31, 10**12])
        params = {"textDocument": {"uri": self.uri}, "position": {"line": line, "character": 4}}
        return frame(self._request_body("textDocument/hover", json.dumps(params)))

    def _request_without_params(self) -> bytes:
        # custom requests without params (PROTOCOL.md makes them optional)
        rng = self.rng
        method = rng.choice(
            [
                "vidurai/stats",
                "vidurai/ledger",
                "vidurai/memories",
                "vidurai/report",
                "vidurai/search",
            ]
        )
        return frame(self._request_body(method, None))

    def _bad_content_length(self) -> bytes:
        # a bad Content-Length: negative, not a number, missing
        rng = self.rng
        body = self._request_body("vidurai/stats", "{}")
        header = rng.choice(
            [
                b"Content-Length: -%d\r\n" % len(body),
                b"Content-Length: twelve\r\n",
                b"X-Nothing: 1\r\n",
                b"Content-Length: \r\n",
            ]
        )
        return header + b"\r\n" + body

    def _invalid_utf8(self) -> bytes:
        # invalid UTF-8 after the id
        rng = self.rng
        body = self._request_body("vidurai/search", '{"query": "QQQQ"}')
        return frame(body.replace(b"QQQQ", rng.choice([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80"])))

    def _deep_json(self) -> bytes:
        # deep JSON
        rng = self.rng
        depth = rng.choice([60, 500, 5000, 50000])
        return frame(self._request_body("vidurai/memories", "[" * depth + "]" * depth))

    def _batch_array(self) -> bytes:
        # a batch array
        rng = self.rng
        items = [self._request_body("vidurai/stats", "{}") for _ in range(rng.randint(1, 3))]
        return frame(b"[" + b", ".join(items) + b"]")

    def _unholdable_id(self) -> bytes:
        # ids JavaScript cannot hold, text ids too long
        rng = self.rng
        message_id = rng.choice([2**63, -(2**64), 10**30, "x" * 300])
        body = self._request_body("vidurai/stats", "{}", message_id=message_id)
        if isinstance(message_id, int):
            self.expected.add(message_id)
            self.requests += 1
        return frame(body)

    def _second_initialize(self) -> bytes:
        # a second initialize
        params = {"processId": None, "rootUri": None, "capabilities": {}}
        return frame(self._request_body("initialize", json.dumps(params)))

    def _string_for_list(self) -> bytes:
        # a list-valued field sent as a long string
        rng = self.rng
        text = "x" * rng.choice([1000, 100_000, 300_000])
        return frame(
            self._notification(
                "textDocument/didChange",
                {"textDocument": {"uri": self.uri, "version": 2}, "contentChanges": text},
            )
        )

    def _change_to_unopened_document(self) -> bytes:
        # didChange for a document never opened, 1 MB of text
        rng = self.rng
        return frame(
            self._notification(
                "textDocument/didChange",
                {
                    "textDocument": {
                        "uri": self.uri + f".ghost{rng.randrange(10**6)}",
                        "version": 2,
                    },
                    "contentChanges": [{"text": "y" * 1_000_000}],
                },
            )
        )

    def _huge_diagnostic(self) -> bytes:
        # diagnostics with a 20,000-character message
        return frame(
            self._notification(
                "vidurai/diagnostics",
                {
                    "uri": self.uri,
                    "diagnostics": [
                        {
                            "message": "E" * 20_000,
                            "severity": 1,
                            "range": {
                                "start": {"line": 0, "character": 0},
                                "end": {"line": 0, "character": 1},
                            },
                        }
                    ],
                },
            )
        )

    def _wrong_field_types(self) -> bytes:
        # wrong types in every field
        params = {"textDocument": {"uri": 5}, "position": "top"}
        return frame(self._request_body("textDocument/hover", json.dumps(params)))

    def _bad_custom_params(self) -> bytes:
        # a custom request with wrong params
        rng = self.rng
        params = rng.choice(
            [
                '"text"',
                "[1, 2]",
                '{"groupBy": 7}',
                '{"limit": -1}',
                '{"offset": "x", "groupBy": "file"}',
                "null",
            ]
        )
        return frame(self._request_body("vidurai/memories", params))

    def _random_bytes(self) -> bytes:
        # random bytes with a correct length
        rng = self.rng
        return frame(rng.randbytes(rng.randint(1, 2000)))

    def _json_not_an_object(self) -> bytes:
        # JSON that is not an object
        rng = self.rng
        return frame(rng.choice([b"42", b'"text"', b"null", b"true", b"[]"]))

    def _unknown_method_or_bad_command(self) -> bytes:
        # an unknown method, and a command with bad arguments
        rng = self.rng
        if rng.random() < 0.5:
            return frame(self._request_body("vidurai/nothing", "{}"))
        params = {"command": "vidurai.server.pin", "arguments": rng.choice([[], ["x"], [1, 2]])}
        return frame(self._request_body("workspace/executeCommand", json.dumps(params)))

    def _malformed_envelope(self) -> bytes:
        # a missing "jsonrpc", a method that is not text
        rng = self.rng
        shape = rng.choice(
            [
                '{{"id": {}, "method": "vidurai/stats"}}',
                '{{"id": {}, "jsonrpc": "2.0", "method": 42}}',
            ]
        )
        return frame(shape.format(self._id()).encode())


@dataclass
class StormResult:
    messages: int
    requests: int
    answered: int
    unanswered: list
    crashed: bool
    seconds: float
    rss_idle_kib: int
    rss_after_kib: int
    rss_peak_kib: int
    log_lines: int


def hover_text(server: WireServer, uri: str) -> str:
    answer = server.request(
        "textDocument/hover",
        {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4}},
    )
    result = answer.get("result") or {}
    return (result.get("contents") or {}).get("value", "")


def prepare(folder: Path) -> tuple[Path, Path, str]:
    """A project with one file and a store holding one memory on its first line."""
    root = folder / "project"
    root.mkdir()
    (root / "app.py").write_text(APP)
    db_path = folder / "memory.db"
    with MemoryDatabase(db_path) as db:
        db.store_memory(
            root,
            "reads config each time",
            GIST,
            "HIGH",
            "note",
            "app.py",
            1,
            end_line=1,
            anchor_text="def load_config(path):",
        )
    return root, db_path, from_fs_path(str(root / "app.py"))


def run_storm(
    folder: Path, messages: int = 10_000, seed: int = 20261202
) -> tuple[StormResult, str, str]:
    """Send the storm; return the figures and the hover text before and after."""
    root, db_path, uri = prepare(folder)
    server = WireServer(env={"HOME": str(folder)})
    try:
        server.initialize(root, db_path)
        server.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": APP}},
        )
        before_hover = hover_text(server, uri)
        time.sleep(0.5)
        rss_idle = rss_kib(server.process.pid)
        peak = rss_idle
        storm = Storm(random.Random(seed), uri)
        answered: set = set()
        started = time.monotonic()
        for number in range(messages):
            server.write(storm.message())
            if number % 200 == 199:  # let answers drain; sample the memory
                while True:
                    try:
                        answered.add(_key(server.messages.get_nowait().get("id")))
                    except Exception:
                        break
                peak = max(peak, rss_kib(server.process.pid))
        server.send({"jsonrpc": "2.0", "id": "final", "method": "vidurai/stats", "params": {}})
        expected = {_key(i) for i in storm.expected} | {_key("final")}
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not expected <= answered:
            try:
                answered.add(_key(server.messages.get(timeout=1).get("id")))
            except Exception:
                pass
        seconds = time.monotonic() - started
        after_hover = hover_text(server, uri)
        time.sleep(0.5)
        rss_after = rss_kib(server.process.pid)
        crashed = server.process.poll() is not None
        unanswered = sorted(str(i) for i in storm.expected if _key(i) not in answered)
        log_lines = len(server.stderr_lines)
    finally:
        server.close()
    return (
        StormResult(
            storm.sent,
            storm.requests,
            storm.requests - len(unanswered),
            unanswered[:10],
            crashed,
            seconds,
            rss_idle,
            rss_after,
            max(peak, rss_after),
            log_lines,
        ),
        before_hover,
        after_hover,
    )


def _key(message_id: object) -> str:
    return json.dumps(message_id)
