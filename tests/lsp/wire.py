"""The real server process driven byte by byte: for races, bad files and hostile input.

pytest-lsp can only send well-formed messages; this client writes any bytes and reads every
frame the server sends, answering the server's own requests like a quiet editor would.
"""

from __future__ import annotations

import itertools
import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from pygls.uris import from_fs_path

SERVER_COMMAND = [sys.executable, "-m", "vidurai", "serve"]


def frame(body: bytes) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def encode(message: dict[str, Any]) -> bytes:
    return frame(json.dumps(message).encode())


class WireServer:
    def __init__(self, env: dict[str, str] | None = None, command: list[str] = SERVER_COMMAND):
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.notifications: list[dict[str, Any]] = []
        self.stderr_lines: list[str] = []
        self.ids = itertools.count(1)
        self.answers: dict[str, Any] = {}  # method -> result for the server's requests
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # ------------------------------------------------------------------ reading

    def _read(self) -> None:
        out = self.process.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii", "replace").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            message = json.loads(out.read(length))
            if "method" in message and "id" in message:  # the server asks the editor
                self.send(
                    {
                        "jsonrpc": "2.0",
                        "id": message["id"],
                        "result": self.answers.get(message["method"]),
                    }
                )
                self.notifications.append(message)
            elif "method" in message:
                self.notifications.append(message)
            else:
                self.messages.put(message)

    def _read_stderr(self) -> None:
        for line in self.process.stderr:
            self.stderr_lines.append(line.decode("utf-8", "replace").rstrip())

    def response(self, timeout: float = 30) -> dict[str, Any]:
        return self.messages.get(timeout=timeout)

    # ------------------------------------------------------------------ writing

    def write(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.write(encode(message))

    def notify(self, method: str, params: Any = None) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any = None, timeout: float = 30) -> dict[str, Any]:
        """The whole response (``result`` or ``error``) to one request."""
        request_id = next(self.ids)
        message = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        while True:
            response = self.response(timeout)
            if response.get("id") == request_id:
                return response

    def initialize(self, root: Path, db_path: Path | str, **settings: Any) -> dict[str, Any]:
        uri = from_fs_path(str(root))
        response = self.request(
            "initialize",
            {
                "processId": os.getpid(),
                "rootUri": uri,
                "capabilities": {},
                "workspaceFolders": [{"uri": uri, "name": root.name}],
                "initializationOptions": {"databasePath": str(db_path), **settings},
            },
        )
        self.notify("initialized", {})
        return response

    def use_database(self, db_path: Path | str) -> None:
        self.notify(
            "workspace/didChangeConfiguration",
            {"settings": {"vidurai": {"databasePath": str(db_path)}}},
        )

    def shown_errors(self) -> list[str]:
        return [
            n["params"]["message"]
            for n in self.notifications
            if n["method"] == "window/showMessage" and n["params"]["type"] == 1
        ]

    def close(self) -> int:
        try:
            self.request("shutdown", timeout=10)
            self.notify("exit")
            return self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            return self.process.wait()
