"""Every layout a user may have on disk opens with everything in it, and nothing is forgotten.

The predecessor's 2.2.0 file is `tests/fixtures/vidurai-2.2.0.sqlite`, written by PyPI
`vidurai` 2.2.0 itself (`tests/fixtures/make_vidurai_2_2_0.py`). The faulty-upgrade file is
what an earlier release of ours did to it: its v5 step only, then the stamp 5.
"""

import json
import shutil
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.server.test_migrations import make_v1_database
from vidurai.storage import LATEST_VERSION, MemoryDatabase
from vidurai.storage.models import to_db_time
from vidurai.storage import migrations

FIXTURE = Path(__file__).parents[1] / "fixtures" / "vidurai-2.2.0.sqlite"
SHOP = "/home/dev/projects/shop"
YEAR_OLD_LOCAL = datetime(2025, 3, 1, 9, 30, 0)  # what 2.2.0 wrote, in local time


def utc(local: datetime) -> str:
    return local.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def predecessor_2_2_0(folder: Path) -> Path:
    path = folder / "memory.db"
    shutil.copyfile(FIXTURE, path)
    return path


def faulty_upgrade(folder: Path) -> Path:
    """The 2.2.0 file after our earlier release trusted its 4: backup, v5 step, stamp 5."""
    path = predecessor_2_2_0(folder)
    shutil.copyfile(path, folder / "memory.db.bak-v4")
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    migrations._migrate_to_v5(conn)
    conn.execute("UPDATE metadata SET value = '5' WHERE key = 'schema_version'")
    conn.execute("COMMIT")
    conn.close()
    return path


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.parametrize("make", [predecessor_2_2_0, faulty_upgrade])
def test_the_predecessor_file_keeps_every_memory_gist_pin_count_and_time(tmp_path, make):
    path = make(tmp_path)
    with MemoryDatabase(path) as db:
        assert db.schema_version() == LATEST_VERSION
        shop = {m.id: m for m in db.recall_memories(SHOP, min_salience="NOISE", limit=50)}
        assert sorted(shop) == [1, 2, 3, 4]
        assert [
            m.gist for m in db.recall_memories("/home/dev/projects/blog", min_salience="NOISE")
        ] == ["Blog draft idea"]
        auth = shop[1]
        assert (auth.verbatim, auth.file_path, auth.line_number, auth.salience) == (
            "TypeError: token is None at src/auth.py:42",
            "src/auth.py",
            42,
            "HIGH",
        )
        assert auth.pinned is True and auth.pin_reason == "Security fix: never lose this"
        assert auth.pinned_at is not None
        assert auth.tags == ("auth", "jwt")  # the pin_metadata tag became columns
        assert to_db_time(auth.created_at) == utc(YEAR_OLD_LOCAL)
        assert db.get_audience_gists(1) == {
            "developer": "Fixed JWT token validation in auth.py (line 42)",
            "manager": "Login bug fixed",
        }
        flaky = shop[3]
        assert (flaky.gist, flaky.access_count, flaky.tags) == (
            "pytest fails on import (x3)",
            3,
            ("pytest",),
        )
        assert shop[2].salience == "CRITICAL" and shop[2].expires_at is None
        # Searchable through the rebuilt index, and the old pin tag is not a search hit.
        assert [m.id for m in db.recall_memories(SHOP, "JWT")] == [1]
        assert [m.id for m in db.recall_memories(SHOP, "ImportError")] == [3]
        assert db.recall_memories(SHOP, "pin_metadata", min_salience="NOISE") == []
        # The upgrade forgot nothing, though three of these are a year old.
        assert db.forget_expired() == []
        # Their lives start at the upgrade: in 6 days only the NOISE one (1 day) is due.
        later = datetime.now(timezone.utc) + timedelta(days=6)
        assert [e.memory_id for e in db.forget_expired(later, dry_run=True)] == [5]
        db.set_memory_pinned(3, True, "flaky on CI")  # and the file is fully usable
        db.store_audience_gists(1, {"manager": "Login fixed for good"})
        assert [h.gist for h in db.get_gist_history(1)] == ["Login bug fixed"]
    once = dump(path)
    MemoryDatabase(path).close()
    assert dump(path) == once  # a second open changes nothing


def test_a_faulty_upgrade_is_described_and_repaired_from_what_it_holds(tmp_path):
    path = faulty_upgrade(tmp_path)
    with MemoryDatabase(path) as db:
        assert db.upgrade.from_version == 5
        assert "2.x" in db.upgrade.found and "stamped v5" in db.upgrade.found
        assert db.upgrade.backup is None  # no table is rebuilt: adding columns needs no copy
    assert (tmp_path / "memory.db.bak-v4").read_bytes() == FIXTURE.read_bytes()


def test_seed_v1_and_v2_files_forget_nothing_on_the_first_start(tmp_path):
    for version in (1, 2):
        folder = tmp_path / f"v{version}"
        folder.mkdir()
        path = folder / "memory.db"
        make_v1_database(path, folder)  # two of its memories are long past 2025 expiry rules
        if version == 2:
            conn = sqlite3.connect(path)
            migrations._migrate_to_v2(conn)
            conn.execute("INSERT INTO metadata VALUES ('schema_version', '2')")
            conn.commit()
            conn.close()
        with MemoryDatabase(path) as db:
            assert db.forget_expired() == []
            assert len(db.recall_memories(folder, min_salience="NOISE")) == 3


def run_cli(*args: str, home: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "VIDURAI_HOME": str(home / "store")}
    result = subprocess.run(
        [sys.executable, "-m", "vidurai", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_the_cli_reads_the_predecessor_file_directly(tmp_path):
    path = predecessor_2_2_0(tmp_path)
    project = tmp_path / "shop"
    project.mkdir()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE projects SET path = ? WHERE path = ?", (str(project), SHOP))
    conn.commit()
    conn.close()
    shown = json.loads(
        run_cli(
            "--db", str(path), "--project", str(project), "show", "1", "--json", home=tmp_path
        ).stdout
    )
    assert shown["pinned"] and shown["pin_reason"] == "Security fix: never lose this"
    found = json.loads(
        run_cli(
            "--db",
            str(path),
            "--project",
            str(project),
            "recall",
            "-q",
            "validation",
            "--json",
            home=tmp_path,
        ).stdout
    )
    assert [m["id"] for m in found["memories"]] == [1]


def test_doctor_finds_the_old_file_and_import_legacy_brings_it_in_untouched(tmp_path):
    legacy = tmp_path / ".vidurai" / "memory.db"
    legacy.parent.mkdir()
    shutil.copyfile(FIXTURE, legacy)
    before = legacy.read_bytes()
    doctor = run_cli("doctor", home=tmp_path)
    assert f"Found the predecessor's memories in {legacy}" in doctor.stdout
    assert "vidurai import-legacy" in doctor.stdout
    assert json.loads(run_cli("doctor", "--json", home=tmp_path).stdout)["legacy_file"] == str(
        legacy
    )

    imported = run_cli("import-legacy", "--json", home=tmp_path)
    assert json.loads(imported.stdout) == {"imported": 5, "skipped": 0, "from": str(legacy)}
    assert legacy.read_bytes() == before
    assert sorted(p.name for p in legacy.parent.iterdir()) == ["memory.db"]  # no -wal, no .bak

    shown = json.loads(run_cli("show", "1", "--json", home=tmp_path).stdout)
    assert shown["pin_reason"] == "Security fix: never lose this"
    assert shown["created_at"] == utc(YEAR_OLD_LOCAL).replace(" ", "T") + "Z"
    again = json.loads(run_cli("import-legacy", "--json", str(legacy), home=tmp_path).stdout)
    assert (again["imported"], again["skipped"]) == (0, 5)
    assert "predecessor" not in run_cli("doctor", home=tmp_path).stdout


def test_import_legacy_of_a_missing_file_says_so(tmp_path):
    result = run_cli("import-legacy", str(tmp_path / "nope.db"), home=tmp_path, check=False)
    assert result.returncode == 1
    assert f"{tmp_path / 'nope.db'} does not exist" in result.stderr


def seed_v1(folder: Path) -> Path:
    make_v1_database(folder / "memory.db", Path("/home/dev/projects/shop"))
    return folder / "memory.db"


def seed_v2(folder: Path) -> Path:
    path = seed_v1(folder)
    conn = sqlite3.connect(path)
    migrations._migrate_to_v2(conn)
    conn.execute("INSERT INTO metadata VALUES ('schema_version', '2')")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    "make, memories, pinned",
    [
        (seed_v1, 3, 0),
        (seed_v2, 3, 0),
        (predecessor_2_2_0, 4, 1),
        (faulty_upgrade, 4, 1),
    ],
)
def test_the_language_server_opens_every_layout_with_everything_searchable(
    tmp_path, make, memories, pinned
):
    from tests.lsp.wire import WireServer

    path = make(tmp_path)
    project = tmp_path / "shop"
    (project / "src").mkdir(parents=True)
    (project / "src" / "auth.py").write_text("pass\n" * 60)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE projects SET path = ? WHERE path = ?", (str(project), SHOP))
    conn.commit()
    conn.close()
    server = WireServer(env={"HOME": str(tmp_path)})
    try:
        server.initialize(project, path)
        stats = server.request("vidurai/stats", {})["result"]
        assert (stats["total"], stats["pinned"], stats["schemaVersion"]) == (
            memories,
            pinned,
            LATEST_VERSION,
        )
        found = server.request("vidurai/search", {"query": "JWT validation"})["result"]["results"]
        assert [item["gist"] for item in found] == ["Fixed JWT token validation"]
        uri = (project / "src" / "auth.py").as_uri()
        server.notify(
            "textDocument/didOpen",
            {
                "textDocument": {
                    "uri": uri,
                    "languageId": "python",
                    "version": 1,
                    "text": "pass\n" * 60,
                }
            },
        )
        hover = server.request(
            "textDocument/hover",
            {"textDocument": {"uri": uri}, "position": {"line": 41, "character": 1}},
        )["result"]
        assert "Fixed JWT token validation" in hover["contents"]["value"]
    finally:
        assert server.close() == 0
