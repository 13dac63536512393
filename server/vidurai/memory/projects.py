"""A project folder and the files in it, as the terminal tools (CLI, MCP) name them."""

from __future__ import annotations

from itertools import islice
from pathlib import Path

from vidurai.storage import normalize_project_path


class OutsideProject(ValueError):
    """A folder or file that is not (in) the project; the message says which."""


def find_project_root(start: Path) -> Path:
    """The enclosing git work tree's root, else ``start`` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def resolve_project(value: str | None) -> Path:
    """``--project`` as an absolute folder; by default the git root or the current folder."""
    if value is None:
        return find_project_root(Path.cwd())
    path = Path(normalize_project_path(value))
    if not path.is_dir():
        raise OutsideProject(f"project folder {value} does not exist")
    return path


def project_relative_file(project: Path, file: str) -> str:
    """A file as the store keeps it: relative to the project, with `/`.

    A relative path is taken relative to the project (not the current folder); an absolute
    path must lie inside the project.
    """
    candidate = Path(file.replace("\\", "/")).expanduser()
    absolute = (candidate if candidate.is_absolute() else project / candidate).resolve()
    try:
        relative = absolute.relative_to(project)
    except ValueError:
        raise OutsideProject(f"{file} is not inside the project {project}") from None
    if relative == Path("."):
        raise OutsideProject(f"{file} is the project folder, not a file in it")
    return relative.as_posix()


def read_lines(path: Path, start: int, end: int) -> str:
    """Lines ``start``..``end`` (1-based, inclusive) of a text file; empty if unreadable."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return "".join(islice(handle, start - 1, end)).rstrip("\n")
    except OSError:
        return ""
