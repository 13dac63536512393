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
        project, "TypeError: token is None", "Fixed JWT token validation", "HIGH",
        "error_fixed", "src/auth/middleware.py", 42,
    )
