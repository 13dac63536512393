"""The server's start reuses the code attrs and cattrs generate, recorded at packaging, and
that reuse never changes what a compilation means."""

from __future__ import annotations

import ast
import builtins
import marshal
import subprocess
import sys
import textwrap
from importlib.util import MAGIC_NUMBER

import pytest

from vidurai import generated_code

SERVER_DIR = str(__import__("pathlib").Path(generated_code.__file__).parent.parent)


CALLER_WITHOUT_FUTURE_IMPORTS = compile(
    "code = compile(SOURCE, '<attrs generated method Example>', 'exec')",
    "<caller>",
    "exec",
    dont_inherit=True,
)


@pytest.fixture
def restore_compile(monkeypatch):
    monkeypatch.setattr(builtins, "compile", builtins.compile)


def _python(code: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=SERVER_DIR,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_start_with_the_recording_reuses_the_servers_generated_code_and_works(tmp_path):
    recording = tmp_path / "generated-code.bin"
    recorded = _python(f"""
        from pathlib import Path
        from vidurai import generated_code
        print(generated_code.record(generated_code.load_the_server, Path({str(recording)!r})))
    """)
    assert int(recorded) > 500  # lsprotocol alone has ~600 classes

    reused = _python(f"""
        from pathlib import Path
        from vidurai import generated_code
        assert generated_code.reuse(Path({str(recording)!r}))
        generated_code.load_the_server()
        from lsprotocol import types
        from vidurai.lsp import protocol
        # Classes made from reused code behave as made from fresh code.
        assert types.Position(line=1, character=2) == types.Position(1, 2)
        assert types.Position(1, 2) != types.Position(1, 3)
        assert repr(protocol.MemoryGroup("nofile", "Without a file", 3)) == (
            "MemoryGroup(key='nofile', label='Without a file', count=3)")
        params = protocol.structure({{"project": "file:///p", "groupBy": "salience"}},
                                    protocol.MemoriesParams)
        assert params.group_by == "salience" and params.limit == 50
        print(generated_code.reused_count())
    """)
    assert int(reused) >= 0.9 * int(recorded)


def test_no_recording_a_broken_one_or_another_pythons_leaves_compile_alone(
    tmp_path, restore_compile
):
    original = builtins.compile
    missing = tmp_path / "none.bin"
    broken = tmp_path / "broken.bin"
    broken.write_bytes(b"\x00not marshal")
    other_python = tmp_path / "other.bin"
    other_python.write_bytes(marshal.dumps((b"\x00\x00\r\n", {})))
    for path in (missing, broken, other_python):
        assert generated_code.reuse(path) is False
        assert builtins.compile is original


def test_reused_code_means_what_compiling_it_means(tmp_path, restore_compile):
    """Through the wrapper, a caller without ``from __future__ import annotations`` still
    gets annotations evaluated (a NameError here), though this module and the wrapper's have
    that import; and compilations that are not generated code pass through unchanged."""
    source = "def method(self, value: undefined_name): pass"

    def generate() -> object:
        namespace = {"SOURCE": source}
        exec(CALLER_WITHOUT_FUTURE_IMPORTS, namespace)
        return namespace["code"]

    recording = tmp_path / "generated-code.bin"
    assert generated_code.record(generate, recording) == 1
    assert generated_code.reuse(recording)
    before = generated_code.reused_count()
    code = generate()
    assert generated_code.reused_count() == before + 1
    with pytest.raises(NameError, match="undefined_name"):
        exec(code, {})
    # The same text compiled by a caller with the future import is another entry, and
    # defines the function without evaluating its annotation.
    lazy = compile(source, "<attrs generated method Example>", "exec")
    assert generated_code.reused_count() == before + 1
    exec(lazy, {})
    assert isinstance(ast.parse("x = 1"), ast.Module)  # flags other than __future__ pass on
    assert MAGIC_NUMBER  # the recording is tied to this Python's bytecode


def test_a_damaged_entry_is_compiled_instead(tmp_path, restore_compile):
    source = "def method(self): return 42"
    name = "<attrs generated method Damaged>"
    recording = tmp_path / "generated-code.bin"
    generated_code.record(lambda: compile(source, name, "exec"), recording)
    magic, entries = marshal.loads(recording.read_bytes())
    recording.write_bytes(marshal.dumps((magic, {key: b"\x00" for key in entries})))
    assert generated_code.reuse(recording)
    before = generated_code.reused_count()
    namespace: dict = {}
    exec(compile(source, name, "exec"), namespace)
    assert namespace["method"](None) == 42
    assert generated_code.reused_count() == before
