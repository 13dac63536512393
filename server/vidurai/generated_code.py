"""Reusing the bytecode of code that attrs and cattrs generate, from one start to the next.

attrs writes each class's methods (``__init__``, ``__eq__``, ``__repr__``…) and cattrs each
structure hook as source text, and both ``compile()`` it while the modules load. For
lsprotocol's ~600 classes that is a fifth to a third of the language server's start, paid at
every start: Python keeps bytecode only for files (attrs issue #575). Packaging records the
code compiled while the server's modules load (``python -m vidurai.generated_code``) into
``__pycache__`` beside the .pyc files; a start that finds the recording reuses an entry only
when the source text, the file name, the mode and the inherited ``__future__`` flags are all
identical, and compiles anything else as usual. Figures: docs/SERVER.md, "Start-up".
"""

from __future__ import annotations

import __future__
import builtins
import marshal
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any, Callable

RECORDING = Path(__file__).parent / "__pycache__" / "generated-code.bin"
# The file names attrs and cattrs give the code they generate; nothing else is reused.
GENERATED_NAMES = ("<attrs generated", "<cattrs generated")
# What ``compile()`` inherits from its caller when ``dont_inherit`` is false.
_FUTURE_FLAGS = 0
for _feature in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _feature).compiler_flag

Key = tuple[int, str, str, str]  # inherited flags, mode, file name, source
_original_compile = builtins.compile
_reused = 0


def reused_count() -> int:
    """How many compilations this process took from the recording."""
    return _reused


def reuse(path: Path = RECORDING) -> bool:
    """Make ``compile`` take generated code from the recording at ``path``. False (and
    nothing changed) when there is none, or it was made by another Python version."""
    # Each entry stays marshalled until it is used: loading the file then costs 5 ms, not
    # 75, and a command that makes few classes (most of the CLI) pays only for those.
    try:
        with path.open("rb") as file:
            recording = marshal.load(file)
        magic, recorded = recording
    except (OSError, EOFError, ValueError, TypeError):
        return False
    if magic != MAGIC_NUMBER or not isinstance(recorded, dict):
        return False

    def compile_or_reuse(key: Key, compile_it: Callable[[], Any]) -> Any:
        global _reused
        try:
            code = marshal.loads(recorded[key])
        except (KeyError, EOFError, ValueError, TypeError):  # not recorded, or damaged
            return compile_it()
        _reused += 1
        return code

    builtins.compile = _intercepting(compile_or_reuse)
    return True


def record(warm_up: Callable[[], object], path: Path = RECORDING) -> int:
    """Run ``warm_up`` with every generated compilation kept, then write them to ``path``.
    Returns how many were recorded."""
    recorded: dict[Key, bytes] = {}

    def compile_and_keep(key: Key, compile_it: Callable[[], Any]) -> Any:
        code = compile_it()
        recorded[key] = marshal.dumps(code)
        return code

    builtins.compile = _intercepting(compile_and_keep)
    try:
        warm_up()
    finally:
        builtins.compile = _original_compile
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        marshal.dump((MAGIC_NUMBER, recorded), file)
    partial.replace(path)
    return len(recorded)


def _intercepting(handle: Callable[[Key, Callable[[], Any]], Any]) -> Callable[..., Any]:
    """A ``compile`` that hands generated code to ``handle`` and passes everything else on.

    Called through this wrapper, the original ``compile`` would inherit *this* module's
    ``__future__`` flags; the caller's are passed explicitly instead, so every compilation
    means exactly what it meant without the wrapper."""

    def compile(source, filename, mode, flags=0, dont_inherit=False, optimize=-1, **kwargs):
        if not dont_inherit:
            flags |= sys._getframe(1).f_code.co_flags & _FUTURE_FLAGS
        compile_it = lambda: _original_compile(  # noqa: E731
            source, filename, mode, flags, True, optimize, **kwargs
        )
        generated = (
            type(source) is str
            and isinstance(filename, str)
            and filename.startswith(GENERATED_NAMES)
            and flags & ~_FUTURE_FLAGS == 0
            and optimize == -1
            and not kwargs
        )
        if not generated:
            return compile_it()
        return handle((flags, mode, filename, source), compile_it)

    return compile


def load_the_server() -> None:
    """What a start of ``python -m vidurai serve`` compiles: its modules, and its features."""
    from vidurai.lsp.server import create_server

    create_server()


def main() -> int:
    count = record(load_the_server)
    print(f"recorded {count} generated compilations in {RECORDING}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
