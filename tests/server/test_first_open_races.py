"""Eight processes (CLI and language servers mixed) open one file at the same moment.

Every process is started once and kept ready (Python is imported), then all are released at
once for each round: the CLI processes run `vidurai stats` through the real entry point, the
servers switch to the round's database the way a settings change does and answer
`vidurai/stats`. On a new file and on a v1 file, 20 rounds each: every open succeeds.
"""

import json
import os
import sqlite3
import subprocess
import sys
import threading

import pytest

from tests.lsp.wire import WireServer
from tests.server.test_migrations import make_v1_database
from vidurai.storage import LATEST_VERSION

ROUNDS = 20
CLI_PROCESSES = SERVERS = 4

# A CLI process that waits for each round's go-file, then runs `vidurai --db <file> stats`.
CLI_LOOP = """
import json, os, sys, time, contextlib, io
from vidurai import cli
folder, rounds = sys.argv[1], int(sys.argv[2])
for number in range(rounds):
    go = os.path.join(folder, f"go-{number}")
    while not os.path.exists(go):
        time.sleep(0.001)
    db = open(go).read()
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["--db", db, "--project", folder, "stats", "--json"])
    print(json.dumps({"code": code, "out": out.getvalue(), "err": err.getvalue()}), flush=True)
"""


@pytest.mark.parametrize("start", ["new", "v1"])
def test_eight_processes_open_one_file_at_once(tmp_path, start):
    clis = [
        subprocess.Popen(
            [sys.executable, "-c", CLI_LOOP, str(tmp_path), str(ROUNDS)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(CLI_PROCESSES)
    ]
    servers = [WireServer() for _ in range(SERVERS)]
    try:
        for server in servers:
            response = server.initialize(tmp_path, tmp_path / "warm-up.db")
            assert "result" in response
        for number in range(ROUNDS):
            folder = tmp_path / f"round-{number}"
            folder.mkdir()
            db_path = folder / "memory.db"
            if start == "v1":
                make_v1_database(db_path, tmp_path)
            answers: list[dict] = [None] * SERVERS

            def ask(index: int) -> None:
                servers[index].use_database(db_path)
                answers[index] = servers[index].request("vidurai/stats", {})

            threads = [threading.Thread(target=ask, args=(i,)) for i in range(SERVERS)]
            (tmp_path / f"go-{number}.tmp").write_text(str(db_path))
            os.rename(tmp_path / f"go-{number}.tmp", tmp_path / f"go-{number}")
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            for index, answer in enumerate(answers):
                assert answer is not None and "result" in answer, (number, index, answer)
                assert answer["result"]["schemaVersion"] == LATEST_VERSION
            for cli in clis:
                line = json.loads(cli.stdout.readline())
                assert line["code"] == 0, (number, line["err"])
                assert json.loads(line["out"])["schema_version"] == LATEST_VERSION
            conn = sqlite3.connect(db_path)
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            count = conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0]
            conn.close()
            assert count == (3 if start == "v1" else 0)
            leftovers = [
                p.name for p in folder.iterdir() if ".new-" in p.name or p.name.endswith(".tmp")
            ]
            assert leftovers == []
            assert len(list(folder.glob("memory.db.bak-v*"))) == (1 if start == "v1" else 0)
    finally:
        for server in servers:
            server.close()
        for cli in clis:
            cli.kill()
            cli.wait()
