"""Other local users cannot read a developer's memories: files 0600, folders 0700."""

import os
import stat
import subprocess
import sys

from tests.server.test_migrations import make_v1_database
from vidurai.storage import MemoryDatabase


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_store_its_wal_and_its_folder_are_private(tmp_path):
    old = os.umask(0o022)
    try:
        path = tmp_path / "new" / "deeper" / "memory.db"
        with MemoryDatabase(path) as db:
            db.store_memory(tmp_path, "a note", "A note", "HIGH", "note")
            assert mode(path) == 0o600
            assert mode(path.with_name("memory.db-wal")) == 0o600
            assert mode(path.with_name("memory.db-shm")) == 0o600
        assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    finally:
        os.umask(old)


def test_an_upgrade_backup_and_an_old_readable_store_become_private(tmp_path):
    path = tmp_path / "memory.db"
    make_v1_database(path, tmp_path)
    path.chmod(0o644)
    MemoryDatabase(path).close()
    assert mode(path) == 0o600
    assert mode(tmp_path / "memory.db.bak-v1") == 0o600


def test_our_own_data_folder_is_tightened_and_exports_are_private(tmp_path):
    data = tmp_path / "xdg"
    ours = data / "vidurai"  # what an older release made, readable by everyone
    ours.mkdir(parents=True)
    ours.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key != "VIDURAI_HOME"}
    env["XDG_DATA_HOME"] = str(data)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "vidurai", "--project", str(tmp_path), *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    run("remember", "Keep the cache warm")
    assert mode(ours) == 0o700 and mode(ours / "memory.db") == 0o600
    assert mode(data) == 0o755  # a folder that is not ours is left as it is
    out = tmp_path / "export.jsonl"
    run("export", "-o", str(out))
    assert mode(out) == 0o600 and "Keep the cache warm" in out.read_text()
