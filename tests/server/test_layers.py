"""The package's layers, checked from its import statements: each layer imports only the
layers below it (``storage`` ← ``gists`` ← ``memory`` ← ``lsp`` ← the CLI and MCP), no two
modules import each other, and only ``storage`` speaks SQLite."""

from __future__ import annotations

import ast
from pathlib import Path

import vidurai

PACKAGE = Path(vidurai.__file__).parent

# Lower number = lower layer. `limits` (plain numbers) is below everything; the CLI, MCP and
# `python -m vidurai` sit on top.
LAYERS = {"limits": 0, "storage": 0, "gists": 1, "memory": 2, "lsp": 3}
TOP = 4


def layer_of(module: str) -> int:
    parts = module.split(".")
    return LAYERS.get(parts[1], TOP) if len(parts) > 1 else TOP


def imports() -> dict[str, set[str]]:
    """Every module of the package → the modules it imports (at any depth in the file)."""
    found: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[name] = names | {
            parent for imported in names for parent in _packages_entered(name, imported)
        }
    return found


def _packages_entered(importer: str, imported: str) -> list[str]:
    """Importing ``a.b.c`` runs ``a.b``'s ``__init__`` first, unless the importer is inside
    ``a.b`` already."""
    parts = imported.split(".")
    parents = [".".join(parts[:end]) for end in range(2, len(parts))]
    return [parent for parent in parents if not importer.startswith(parent + ".")]


def test_no_layer_imports_a_layer_above_it():
    upward = [
        f"{module} imports {imported}"
        for module, names in imports().items()
        for imported in names
        if imported.startswith("vidurai.") and layer_of(imported) > layer_of(module)
    ]
    assert upward == []


def test_no_two_modules_import_each_other():
    graph = {
        module: {name for name in names if name.startswith("vidurai")}
        for module, names in imports().items()
    }

    def reaches(start: str, target: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            module = todo.pop()
            for name in graph.get(module, ()):
                if name == target or name.startswith(target + "."):
                    return True
                if name not in seen:
                    seen.add(name)
                    todo.append(name)
        return False

    loops = sorted(
        f"{a} <-> {b}"
        for a in graph
        for b in graph[a]
        if b in graph and not b.startswith(a) and not a.startswith(b) and reaches(b, a)
    )
    assert loops == []


def test_only_storage_speaks_sqlite():
    speaking = sorted(
        module
        for module, names in imports().items()
        if "sqlite3" in names and layer_of(module) != LAYERS["storage"]
    )
    assert speaking == []
