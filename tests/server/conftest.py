from datetime import datetime, timedelta, timezone

import pytest

from vidurai.storage import MemoryDatabase

FOUR_GISTS = {
    "developer": "Fixed JWT token validation in middleware.py (line 42)",
    "ai": "Bug resolution: Fixed JWT token validation (TypeError, src/auth/middleware.py:42)",
    "manager": "Fixed JWT token validation",
    "personal": "I fixed JWT token validation and learned about TypeError",
}


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "project"
    path.mkdir()
    return path


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "memory.db"


@pytest.fixture
def db(db_path):
    database = MemoryDatabase(db_path)
    yield database
    database.close()


@pytest.fixture
def memory_id(db, project):
    return db.store_memory(
        project,
        "TypeError: token is None",
        "Fixed JWT token validation",
        "HIGH",
        "error_fixed",
        "src/auth/middleware.py",
        42,
    )


class Clock:
    """A capture clock that moves only when told to."""

    def __init__(self):
        self.now = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, seconds=0, **delta):
        self.now += timedelta(seconds=seconds, **delta)


@pytest.fixture
def clock():
    return Clock()


def fix_error(
    capture, project, file, diagnostic, fixed_line=None, advance=lambda seconds: None
) -> list[int]:
    """An error in a file as saved, fixed by an edit and saved again, fed to capture as the
    language server feeds it; the ids of the fix memories confirmed. ``advance(seconds)``
    moves the capture clock on (a clock that moves by itself needs nothing)."""
    from vidurai.memory.anchors import LineEdit

    capture.document_opened(project, file, 1, "as saved")
    capture.diagnostics_changed(project, file, [diagnostic], 1)
    capture.document_edited(
        project, file, 2, LineEdit(diagnostic.line - 1, 0, diagnostic.line - 1, 0, "#"), "fixed"
    )
    advance(1)
    capture.diagnostics_changed(project, file, [], 2)
    capture.document_saved(project, file, "fixed")
    for _ in range(5):  # the server checks held fixes every second
        advance(1)
        confirmed = capture.confirm_fixes(lambda project, file, line: fixed_line)
        if confirmed:
            return confirmed
    return []
