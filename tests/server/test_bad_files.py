"""A file Vidurai cannot use gets one clear message naming it and what to do; its bytes stay.

The same table runs through the CLI (non-zero exit, one line on stderr, no traceback) and
the language server (initialize succeeds, requests get a JSON-RPC error naming the file).
"""

import random
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.lsp.wire import WireServer
from tests.server.test_migrations import make_v1_database
from vidurai.storage import MemoryDatabase


def _stamped(path: Path, version: str) -> None:
    make_v1_database(path, path.parent)
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE metadata (key TEXT PRIMARY KEY, value TEXT)")
        conn.execute("INSERT INTO metadata VALUES ('schema_version', ?)", (version,))
    conn.close()


def _current(path: Path) -> None:
    with MemoryDatabase(path) as db:
        for number in range(300):
            db.store_memory(
                path.parent, f"note {number} " + "x" * 200, f"Note {number}", "HIGH", "note"
            )
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def empty(folder):
    (folder / "memory.db").write_bytes(b"")
    return folder / "memory.db", "is empty"


def random_bytes(folder):
    (folder / "memory.db").write_bytes(random.Random(11).randbytes(8192))
    return folder / "memory.db", "not a usable Vidurai database"


def non_numeric_version(folder):
    _stamped(folder / "memory.db", "four")
    return folder / "memory.db", "not a number"


def newer_version(folder):
    _stamped(folder / "memory.db", "999")
    return folder / "memory.db", "newer than this Vidurai"


def not_vidurai(folder):
    with sqlite3.connect(folder / "memory.db") as conn:
        conn.execute("CREATE TABLE orders (id INTEGER PRIMARY KEY, total REAL)")
    conn.close()
    return folder / "memory.db", "not a Vidurai one"


def truncated(folder):
    path = folder / "memory.db"
    _current(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path, "malformed"  # SQLite sees a file shorter than its header says


def read_only_file(folder):
    path = folder / "memory.db"
    make_v1_database(path, folder)  # an upgrade would be needed: it must not be tried
    path.chmod(0o444)
    return path, "is read-only"


def read_only_folder(folder):
    inner = folder / "locked"
    inner.mkdir()
    make_v1_database(inner / "memory.db", folder)
    inner.chmod(0o555)
    return inner / "memory.db", "read-only"


def a_directory(folder):
    (folder / "memory.db").mkdir()
    return folder / "memory.db", "is a folder"


def unopenable(folder):
    return Path("/proc/nope/memory.db"), "cannot create the folder"


CASES = [
    empty,
    random_bytes,
    non_numeric_version,
    newer_version,
    not_vidurai,
    truncated,
    read_only_file,
    read_only_folder,
    a_directory,
    unopenable,
]


def snapshot(path: Path):
    """The file's bytes and everything beside it (no -wal, -shm or .bak may appear)."""
    if not path.parent.exists():
        return None
    beside = sorted(p.name for p in path.parent.iterdir())
    return (path.read_bytes() if path.is_file() else None), beside


@pytest.fixture
def bad(tmp_path, request):
    made = []

    def make(case):
        folder = tmp_path / case.__name__
        folder.mkdir()
        path, says = case(folder)
        made.append(folder)
        return path, says

    yield make
    for folder in made:  # let pytest clean up
        for item in [folder, *folder.rglob("*")]:
            if item.is_dir() or item.is_file():
                item.chmod(item.stat().st_mode | stat.S_IWUSR | stat.S_IXUSR)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.__name__)
def test_the_cli_refuses_a_bad_file_clearly_and_leaves_it_alone(bad, case, tmp_path):
    path, says = bad(case)
    before = snapshot(path)
    for command in (["stats"], ["doctor"], ["recall", "-q", "x"]):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "vidurai",
                "--db",
                str(path),
                "--project",
                str(tmp_path),
                *command,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert result.stderr.startswith("vidurai: error: ") and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert str(path.parent) in result.stderr
        assert re.search(says, result.stderr.replace(str(path), "")), result.stderr
        assert snapshot(path) == before


def test_the_server_answers_every_request_with_the_reason_and_leaves_files_alone(bad, tmp_path):
    cases = [(case.__name__, *bad(case)) for case in CASES]
    befores = [snapshot(path) for _, path, _ in cases]
    server = WireServer()
    try:
        first = cases[0][1]
        assert "result" in server.initialize(tmp_path, first)  # the server starts anyway
        assert any(str(first) in message for message in server.shown_errors())
        for index, (name, path, says) in enumerate(cases):
            if index:
                server.use_database(path)
            answer = server.request("vidurai/stats", {})
            assert "error" in answer, name
            assert re.search(says, answer["error"]["message"].replace(str(path), "")), answer
            assert str(path.parent) in answer["error"]["message"], name
        # A good file afterwards works without a restart.
        server.use_database(tmp_path / "good.db")
        assert server.request("vidurai/stats", {})["result"]["total"] == 0
    finally:
        assert server.close() == 0
    assert [snapshot(path) for _, path, _ in cases] == befores
