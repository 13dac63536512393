"""What the language server holds between messages: settings, the store, open documents.

Handlers in ``server.py`` translate LSP messages into calls on a ``Session``; the session
calls the memory and storage layers. Nothing here knows the JSON shape of a message.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from pygls.uris import to_fs_path

from vidurai.lsp.documents import LivePlace, OpenDocument, text_lines
from vidurai.lsp.present import file_uri, project_uri
from vidurai.lsp.protocol import ParamsError
from vidurai.limits import DEFAULT_CONTEXT_TOKENS, MAX_TOKEN_BUDGET, MIN_TOKEN_BUDGET
from vidurai.memory.fixes import DEFAULT_SETTLE
from vidurai.storage import StoreError
from vidurai.storage.models import BUILTIN_AUDIENCES

if TYPE_CHECKING:
    from vidurai.memory.capture import CaptureService
    from vidurai.storage import MemoryStore

log = logging.getLogger(__name__)


class DatabaseUnavailable(RuntimeError):
    """The store could not be opened; requests say so, hovers stay quiet."""


class OutsideWorkspace(ParamsError):
    """A document or folder that is in no workspace folder: it has no project."""


@dataclass(frozen=True)
class Settings:
    audience: str = "developer"
    database_path: str = ""
    hover_enabled: bool = True
    capture_diagnostics: bool = True
    capture_terminal: bool = True
    audiences: tuple[str, ...] = ()
    context_max_tokens: int = DEFAULT_CONTEXT_TOKENS
    # None: the built-in table (memory.fixes.DEFAULT_KEPT_CODES)
    diagnostic_codes: tuple[str, ...] | None = None
    settle_seconds: int = int(DEFAULT_SETTLE.total_seconds())
    # Folder URI → audience, for folders whose `vidurai.audience` differs (multi-root).
    folder_audiences: Mapping[str, str] = field(default_factory=dict)


_SETTING_KEYS: dict[str, tuple[str, type]] = {
    "audience": ("audience", str),
    "databasePath": ("database_path", str),
    "hover.enabled": ("hover_enabled", bool),
    "capture.diagnostics": ("capture_diagnostics", bool),
    "capture.terminal": ("capture_terminal", bool),
    "audiences": ("audiences", list),
    "context.maxTokens": ("context_max_tokens", int),
    "capture.diagnosticCodes": ("diagnostic_codes", list),
    "capture.settleSeconds": ("settle_seconds", int),
    "folderAudiences": ("folder_audiences", dict),
}


def _flatten(raw: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"hover": {"enabled": false}}`` and ``{"hover.enabled": false}`` alike, as dotted keys."""
    flat: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and name not in _SETTING_KEYS:
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


# The whole-number settings' ranges (a value outside is a problem, and the default is used).
_INT_RANGES: dict[str, tuple[int, int | None]] = {
    "context.maxTokens": (MIN_TOKEN_BUDGET, MAX_TOKEN_BUDGET),
    "capture.settleSeconds": (1, None),
}


def _setting_value(key: str, kind: type, value: Any) -> Any:
    """One setting's value as the server keeps it; ValueError says what is wrong with it."""
    if (kind is int and isinstance(value, bool)) or not isinstance(value, kind):
        raise ValueError(f"must be a {kind.__name__}, not {value!r}")
    if isinstance(value, list):
        if not all(isinstance(item, str) and item.strip() for item in value):
            raise ValueError("must be a list of names")
        return tuple(value)
    if isinstance(value, dict):
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise ValueError("must map folder URIs to audience names")
        return {k: v.strip().lower() for k, v in value.items()}
    if kind is int and isinstance(value, int):
        low, high = _INT_RANGES[key]
        if value < low:
            raise ValueError(f"must be at least {low}")
        if high is not None and value > high:
            raise ValueError(f"must be at most {high}")
    return value.strip() if isinstance(value, str) else value


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Settings from initializationOptions or didChangeConfiguration (whole), with a list of
    problems for values that were ignored (the default is used instead)."""
    if isinstance(raw, Mapping) and isinstance(raw.get("settings"), Mapping):
        raw = raw["settings"]
    if isinstance(raw, Mapping) and isinstance(raw.get("vidurai"), Mapping):
        raw = raw["vidurai"]
    if not isinstance(raw, Mapping):
        return Settings(), [] if raw is None else ["settings must be an object"]
    values: dict[str, Any] = {}
    problems = []
    for key, value in _flatten(raw).items():
        if key not in _SETTING_KEYS or value is None:
            continue
        name, kind = _SETTING_KEYS[key]
        try:
            values[name] = _setting_value(key, kind, value)
        except ValueError as problem:
            problems.append(f"vidurai.{key} {problem}")
    settings = replace(Settings(), **values)
    if not settings.audience:
        settings = replace(settings, audience="developer")
    return settings, problems


@dataclass
class PendingChanges:
    projects: set[str] = field(default_factory=set)
    files: set[str] = field(default_factory=set)


class Session:
    """Settings, the store and capture, open documents, and what changed since the last
    ``vidurai/memoriesChanged``."""

    def __init__(self, folders: Callable[[], Iterable[str]]):
        self._folders = folders  # workspace folder URIs, as the client sent them
        self.settings = Settings()
        self.audience = "developer"
        self.folder_audiences: dict[str, str] = {}  # project path → audience (multi-root)
        self.db: MemoryStore | None = None
        self.capture: CaptureService | None = None
        self.db_error: str | None = None
        self.documents: dict[str, OpenDocument] = {}
        # Why each document is about to be saved (textDocument/willSave): auto-saves are no checkpoint.
        self.save_reasons: dict[str, int] = {}
        self.pending = PendingChanges()
        self.touched: set[int] = set()
        self.anchor_writes: list[tuple[int, int | None, int | None, bool, str | None]] = []

    # ------------------------------------------------------------------ store

    def open_database(self) -> None:
        """Open the store named by the settings; on failure keep the reason, never raise."""
        from vidurai.memory.capture import CaptureService
        from vidurai.storage import DatabaseOpenError, open_store

        self.close_database()
        try:
            self.db = open_store(self.settings.database_path or None)
        except DatabaseOpenError as error:
            self.db, self.capture, self.db_error = None, None, str(error).rstrip(".")
            return
        self.db_error = None
        try:
            self.db.changed_elsewhere()  # from now on, what other processes add is announced
        except StoreError as error:
            log.warning("cannot look for other writers yet (%s); the next look will", error)
        self.capture = CaptureService(self.db)
        self.apply_audiences()
        self.apply_capture_settings()

    def close_database(self) -> None:
        if self.db is not None:
            self.db.close()
        self.db = self.capture = None

    def database_status(self) -> tuple[bool, str, str | None, str | None]:
        """(ok, path, problem, advice): what the editor shows instead of an empty store when
        the file cannot be used."""
        from vidurai.storage import default_db_path

        if self.db is not None:
            return True, self.db.location, None, None
        path = (
            str(Path(self.settings.database_path).expanduser())
            if self.settings.database_path
            else str(default_db_path())
        )
        advice = (
            "Nothing can be remembered or shown until this is fixed. Run `vidurai doctor` to "
            "see what is wrong; move the file aside to start a new store, or point the "
            "vidurai.databasePath setting at another file. The file was not changed."
        )
        return False, path, self.db_error, advice

    def require_db(self) -> MemoryStore:
        if self.db is None:
            raise DatabaseUnavailable(
                f"Vidurai's memory database could not be opened: {self.db_error}"
            )
        return self.db

    def require_capture(self) -> CaptureService:
        self.require_db()
        assert self.capture is not None
        return self.capture

    def apply_capture_settings(self) -> None:
        """Which diagnostics count and how long a state takes to settle, from the settings."""
        from datetime import timedelta

        from vidurai.memory.fixes import DEFAULT_KEPT_CODES

        if self.capture is not None:
            codes = self.settings.diagnostic_codes
            self.capture.configure_diagnostics(
                DEFAULT_KEPT_CODES if codes is None else codes,
                timedelta(seconds=self.settings.settle_seconds),
            )

    def apply_audiences(self) -> list[str]:
        """Use the configured extra audiences; problems (bad names, unknown audience) as text."""
        problems = []
        if self.capture is not None:
            try:
                self.capture.set_audiences(self.settings.audiences)
            except ValueError as error:
                problems.append(str(error))
                self.capture.set_audiences(())
        valid = self.db.audiences if self.db is not None else BUILTIN_AUDIENCES
        wanted = self.settings.audience.strip().lower()
        if wanted in valid:
            self.audience = wanted
        else:
            problems.append(
                f"unknown audience {self.settings.audience!r}; valid audiences: {', '.join(valid)}"
            )
            self.audience = "developer"
        self.folder_audiences = {}
        for folder, audience in self.settings.folder_audiences.items():
            path = to_fs_path(folder) if "://" in folder else folder
            if not path:
                problems.append(f"{folder!r} in vidurai.folderAudiences is not a folder URI")
            elif audience not in valid:
                problems.append(
                    f"unknown audience {audience!r} for {path}; valid audiences: {', '.join(valid)}"
                )
            else:
                self.folder_audiences[os.path.normpath(path)] = audience
        return problems

    def audience_for(self, project: str) -> str:
        """The audience a folder's hovers and tree speak in: its own `vidurai.audience` in a
        multi-root window, else the window's."""
        return self.folder_audiences.get(os.path.normpath(project), self.audience)

    # ------------------------------------------------------------------ projects

    def folder_paths(self) -> list[str]:
        paths = []
        for uri in self._folders():
            path = to_fs_path(uri)
            if path:
                paths.append(os.path.normpath(path))
        return paths

    def locate(self, uri_or_path: str) -> tuple[str, str]:
        """(project path, file relative to it with "/") for a document URI or a path."""
        path = to_fs_path(uri_or_path) if "://" in uri_or_path else uri_or_path
        if not path:
            raise OutsideWorkspace(f"{uri_or_path!r} is not a file URI")
        path = os.path.normpath(path)
        best = None
        for folder in self.folder_paths():
            if path == folder or path.startswith(folder.rstrip(os.sep) + os.sep):
                if best is None or len(folder) > len(best):
                    best = folder
        if best is None:
            raise OutsideWorkspace(f"{uri_or_path} is not inside a workspace folder")
        relative = PurePosixPath(*Path(os.path.relpath(path, best)).parts).as_posix()
        return best, relative

    def project(self, project_uri: str | None) -> str:
        """The project path of a folder URI, or of the first workspace folder when omitted."""
        if project_uri is None:
            folders = self.folder_paths()
            if not folders:
                raise OutsideWorkspace("no workspace folder is open; pass a project")
            return folders[0]
        path = to_fs_path(project_uri) if "://" in project_uri else project_uri
        if not path:
            raise OutsideWorkspace(f"{project_uri!r} is not a folder URI")
        return os.path.normpath(path)

    # ------------------------------------------------------------------ documents

    def follow(self, document: OpenDocument, lines: list[str]) -> None:
        """Start following a document's memories, in memory: hovers and marks read their live
        lines at once. Corrections found (the file changed while no editor watched it) reach
        the store when ``save_anchors`` writes them."""
        self.documents[document.uri] = document
        if self.db is not None:
            self._add_stored(document, lines)

    def open(self, document: OpenDocument, text: str) -> None:
        """``follow`` a just-opened document with its ``text``, on the first need (a hover, an
        edit, the check after the open): the gutter's marks, asked for as it opens, are answered
        from the stored lines at once."""
        self.documents[document.uri] = document
        document.follow_later(
            lambda: self._add_stored(document, text_lines(text)) if self.db is not None else None
        )

    def track(self, document: OpenDocument, lines: list[str]) -> bool:
        """``follow``, and save the corrections found now. True when some lines were corrected."""
        self.follow(document, lines)
        return self.db is not None and self.save_anchors(document, lines)

    def reanchor_changed_files(self, uris: Iterable[str]) -> list[tuple[str, str]]:
        """Files changed on disk by another program (a `git pull`, another editor): the
        anchors of those not open here are checked against their new text and saved, as when
        a file is opened. Returns the (project, file) pairs whose memories moved."""
        if self.db is None:
            return []
        moved: list[tuple[str, str]] = []
        remembered: dict[str, set[str]] = {}  # per project: files that have memories
        for uri in uris:
            try:
                project, file = self.locate(uri)
            except OutsideWorkspace:
                continue
            if self.document_of(project, file) is not None:
                continue  # open: the buffer is the truth, and VS Code reloads it (didChange)
            if project not in remembered:
                remembered[project] = {f for f, _ in self.db.count_by_file(project) if f}
            if file not in remembered[project]:
                continue
            lines = _read_lines(Path(project) / file)
            if lines is None:
                continue
            probe = OpenDocument(uri, project, file)
            self._add_stored(probe, lines)
            if self.save_anchors(probe, lines):
                moved.append((project, file))
        return moved

    def _add_stored(self, document: OpenDocument, lines: list[str]) -> None:
        assert self.db is not None
        document.add_memories(self.db.file_anchors(document.project, document.file), lines)

    def track_new_memories(self, memory_ids: Iterable[int]) -> None:
        """Add just-made memories to the open document they are in."""
        db = self.require_db()
        for memory_id in memory_ids:
            memory = db.get_memory_by_id(memory_id)
            if memory is None or memory.file_path is None:
                continue
            for document in self.documents.values():
                if (
                    document.file == memory.file_path
                    and os.path.normpath(memory.project_path) == document.project
                ):
                    document.add_new_memory(memory)

    def untrack_memories(self, memory_ids: Iterable[int]) -> None:
        for memory_id in memory_ids:
            for document in self.documents.values():
                document.forget(memory_id)

    def live_place(self, project: str, file: str | None, memory_id: int) -> LivePlace | None:
        """A memory's place in its open buffer; None when its file is not open."""
        document = self.document_of(project, file)
        return None if document is None else document.live_place(memory_id)

    def live_lines(self, project: str, file: str | None, memory_id: int) -> tuple[int, int] | None:
        """A memory's live 0-based lines when its file is open and it is attached there
        (``memory.places.LiveLines``); None otherwise."""
        place = self.live_place(project, file, memory_id)
        return None if place is None else place.lines

    def document_of(self, project: str, file: str | None) -> OpenDocument | None:
        if file is None:
            return None
        for document in self.documents.values():
            if document.file == file and document.project == project:
                return document
        return None

    def save_anchors(self, document: OpenDocument, lines: list[str]) -> bool:
        """Write a document's moved anchors: called when the file on disk matches the buffer
        (on save, and on open). Positions in unsaved edits are never written, so the store
        never disagrees with the file when edits are discarded. True when some memory's
        lines changed (not only its anchor text: the tree and gutter need no refresh then)."""
        unsaved = document.unsaved(lines)
        moved = document.places_moved(unsaved)
        if unsaved:
            document.mark_saved(unsaved)
            self.anchor_writes.extend(unsaved)
            self.flush_anchor_writes()
        return moved

    def flush_anchor_writes(self) -> None:
        """Write anchors waiting to be written; kept for the next try if the store is busy."""
        if self.db is None or not self.anchor_writes:
            return
        writes, self.anchor_writes = self.anchor_writes, []
        try:
            self.db.update_anchors(writes)
        except StoreError as error:
            log.warning("anchors not written yet (%s); retrying later", error)
            self.anchor_writes = writes + self.anchor_writes

    # ------------------------------------------------------------------ changes

    def changed(self, project: str, file: str | None = None) -> None:
        self.pending.projects.add(project_uri(project))
        if file is not None:
            self.pending.files.add(file_uri(project, file))

    def take_changes(self) -> PendingChanges | None:
        if not self.pending.projects and not self.pending.files:
            return None
        pending, self.pending = self.pending, PendingChanges()
        return pending


MAX_REANCHOR_BYTES = 5_000_000  # a bigger file is not source code worth reading on each change


def _read_lines(path: Path) -> list[str] | None:
    try:
        if path.stat().st_size > MAX_REANCHOR_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
