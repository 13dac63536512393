"""The server offers, once, to bring in the predecessor's memories; the editor only asks."""

import shutil
import time

from tests.lsp.wire import WireServer
from tests.server.test_legacy_files import FIXTURE
from vidurai.storage import MemoryDatabase

ASK = "window/showMessageRequest"


def start(tmp_path, answer):
    server = WireServer(env={"HOME": str(tmp_path)})
    server.answers[ASK] = answer
    server.initialize(tmp_path, tmp_path / "store" / "memory.db")
    return server


def wait_for(server, predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [n for n in list(server.notifications) if predicate(n)]
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"not seen; got {[n['method'] for n in server.notifications]}")


def legacy_file(tmp_path):
    legacy = tmp_path / ".vidurai" / "memory.db"
    legacy.parent.mkdir()
    shutil.copyfile(FIXTURE, legacy)
    return legacy


def test_import_brings_every_memory_in_and_the_question_is_not_asked_again(tmp_path):
    legacy = legacy_file(tmp_path)
    server = start(tmp_path, {"title": "Import"})
    try:
        asked = wait_for(server, lambda n: n["method"] == ASK)
        assert str(legacy) in asked["params"]["message"]
        assert [a["title"] for a in asked["params"]["actions"]] == ["Import", "Not now"]
        wait_for(
            server,
            lambda n: (
                n["method"] == "window/showMessage"
                and "imported 5 memories" in n["params"]["message"]
            ),
        )
    finally:
        server.close()
    assert legacy.read_bytes() == FIXTURE.read_bytes()
    with MemoryDatabase(tmp_path / "store" / "memory.db") as db:
        assert len(db.all_memories()) == 5
        assert db.get_memory_by_id(1).pin_reason == "Security fix: never lose this"
    again = start(tmp_path, {"title": "Import"})
    try:
        assert "result" in again.request("vidurai/stats", {})
        assert not [n for n in again.notifications if n["method"] == ASK]
    finally:
        again.close()


def test_not_now_is_remembered_and_imports_nothing(tmp_path):
    legacy_file(tmp_path)
    server = start(tmp_path, {"title": "Not now"})
    try:
        wait_for(server, lambda n: n["method"] == ASK)
        assert server.request("vidurai/stats", {})["result"]["total"] == 0
        with MemoryDatabase(tmp_path / "store" / "memory.db") as db:
            deadline = time.monotonic() + 30
            while db.get_metadata("legacy_import") is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert db.get_metadata("legacy_import").startswith("declined")
    finally:
        server.close()
    again = start(tmp_path, {"title": "Import"})
    try:
        assert "result" in again.request("vidurai/stats", {})
        time.sleep(0.5)
        assert not [n for n in again.notifications if n["method"] == ASK]
    finally:
        again.close()
    with MemoryDatabase(tmp_path / "store" / "memory.db") as db:
        assert db.all_memories() == []
