import pytest

from tests.server.contract.backends import BACKENDS, Backend


@pytest.fixture(params=BACKENDS, ids=[backend.name for backend in BACKENDS])
def backend(request) -> Backend:
    return request.param


@pytest.fixture
def store(backend, tmp_path):
    opened = backend.open(backend.new_location(tmp_path))
    yield opened
    opened.close()


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "project"
    path.mkdir()
    return str(path.resolve())
