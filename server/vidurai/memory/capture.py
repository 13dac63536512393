"""Turning developer events into memories: notes, fixed errors, failing and fixed commands.

Every text that reaches the store passes through ``redact`` here first, whichever path it
came by; every memory is stored with a gist for each configured audience in one
transaction. Repeats (the same error or failing command within ``REPEAT_WINDOW``) add to an
occurrence count on one memory instead of adding rows.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Callable, Sequence

from vidurai.gists.audiences import AudienceRegistry
from vidurai.gists import GistContext, MultiAudienceGistGenerator
from vidurai.memory.redact import is_sensitive_path, redact
from vidurai.memory.salience import classify_salience
from vidurai.storage.database import MemoryDatabase
from vidurai.storage.models import EventType, SalienceLevel, utc_now

REPEAT_WINDOW = timedelta(days=7)
MAX_NOTE_CHARS = 10_000
MAX_SELECTION_CHARS = 20_000
OUTPUT_TAIL_LINES = 30
OUTPUT_TAIL_CHARS = 4_000
CANONICAL_GIST_CHARS = 200

# Commands that say nothing worth remembering, whatever their exit code.
TRIVIAL_COMMANDS = frozenset(
    "cd ls ll la dir clear cls pwd exit logout history echo printf cat less more man which "
    "whereis whoami true false code open z j tree top htop fg bg jobs alias source . export "
    "unset env set type help".split()
)
TRIVIAL_GIT_SUBCOMMANDS = frozenset("status log diff show branch remote fetch stash".split())

LSP_ERROR, LSP_WARNING = 1, 2
_SEVERITY_NAMES = {1: "error", 2: "warning", 3: "information", 4: "hint"}
_EXCEPTION_NAME = re.compile(r"\b([A-Z][A-Za-z0-9]*(?:Error|Exception|Warning))\b")
# Lines that say what went wrong, most telling first: a named exception beats "error:",
# which beats a bare "failed" summary.
_ERROR_LINE_PATTERNS = (
    _EXCEPTION_NAME,
    re.compile(r"\b(?:error|fatal|panic)\b|\bERR!", re.IGNORECASE),
    re.compile(r"\bfail(?:ed|ure|s)?\b", re.IGNORECASE),
)
_PYTEST_ERROR_PREFIX = re.compile(r"^E\s{2,}")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)")


@dataclass(frozen=True)
class DiagnosticEvent:
    """One diagnostic as the editor reports it. ``line`` is 1-based; severity uses LSP numbers."""

    message: str
    line: int
    severity: int = LSP_ERROR
    code: str | None = None
    source: str | None = None
    line_text: str | None = None

    @property
    def identity(self) -> tuple[str, str | None, str | None]:
        """What makes two reports the same error, wherever it sits in the file."""
        return (self.message, self.code, self.source)


@dataclass
class _OpenError:
    diagnostic: DiagnosticEvent
    seen_at_version: int | None


class CaptureService:
    """Events in, memories out. Thread-safe: the server may call it from worker threads."""

    def __init__(
        self,
        db: MemoryDatabase,
        generator: MultiAudienceGistGenerator | None = None,
        *,
        capture_warnings: bool = False,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.db = db
        self.capture_warnings = capture_warnings
        self._clock = clock
        self._lock = threading.Lock()
        self._open_errors: dict[tuple[str, str], list[_OpenError]] = {}
        if generator is None:
            self.set_audiences(())
        else:
            self.generator = generator

    def set_audiences(self, extra: Sequence[str]) -> None:
        """Use the built-in audiences plus ``extra`` for new memories (and accept them in the store)."""
        registry = AudienceRegistry(extra=tuple(extra))
        self.generator = MultiAudienceGistGenerator(registry)
        self.db.set_audiences(registry.names)

    # ------------------------------------------------------------------ notes

    def remember_note(
        self,
        project: str | Path,
        file: str | None,
        start_line: int | None,
        end_line: int | None,
        selection: str | None,
        note: str,
        salience: SalienceLevel | str | None = None,
    ) -> int:
        """The user's note is the gist, the selection the verbatim, anchored at file and line."""
        note = redact(_require_text(note, "note", MAX_NOTE_CHARS))
        selection = selection or ""
        if file is not None and is_sensitive_path(file):
            selection = "[selection from a sensitive file is not kept]" if selection else ""
        # Redact the whole selection, then cut: a cut first could leave half a token that no
        # rule recognises any more.
        selection = redact(selection)[:MAX_SELECTION_CHARS]
        level = (
            SalienceLevel.parse(salience) if salience is not None
            else classify_salience(note, EventType.NOTE.value)
        )
        canonical = _one_line(note, CANONICAL_GIST_CHARS)
        verbatim = note if not selection.strip() else f"{note}\n\n{selection}"
        anchor_text = _first_code_line(selection) if file is not None and start_line else None
        context = GistContext(event_type=EventType.NOTE.value, file_path=file)
        return self.db.store_memory(
            project, verbatim, canonical, level, EventType.NOTE.value,
            file_path=file, line_number=start_line, end_line=end_line,
            anchor_text=anchor_text, created_at=self._clock(),
            audience_gists=self.generator.generate(verbatim, canonical, context),
        )

    def rewrite_gist(self, memory_id: int, audience: str, gist: str) -> None:
        """The user's own words for one audience; the gist it replaces goes to history."""
        text = _one_line(redact(_require_text(gist, "gist", MAX_NOTE_CHARS)), CANONICAL_GIST_CHARS)
        self.db.store_audience_gists(memory_id, {audience: text}, written_by_user=True)

    # ------------------------------------------------------------------ diagnostics

    def diagnostics_changed(
        self,
        project: str | Path,
        file: str,
        diagnostics: Sequence[DiagnosticEvent],
        document_version: int | None,
    ) -> list[int]:
        """Given a file's full current error set, remember the errors that were fixed.

        An error is fixed when it was open and is gone after the file was edited (a newer
        document version). The same error on another line is the same error, moved. Returns
        the ids of the fix memories made or counted again.
        """
        worst_kept = LSP_WARNING if self.capture_warnings else LSP_ERROR
        current = [d for d in diagnostics if d.severity <= worst_kept]
        key = (str(project), file)
        with self._lock:
            previous = self._open_errors.get(key, [])
            fixed = _disappeared(previous, current, document_version)
            self._open_errors[key] = [_OpenError(d, document_version) for d in current]
        return [self._remember_fix(project, file, error.diagnostic) for error in fixed]

    def forget_file(self, project: str | Path, file: str) -> None:
        """Drop the open-error state of a file (closed, deleted or renamed)."""
        with self._lock:
            self._open_errors.pop((str(project), file), None)

    def _remember_fix(self, project: str | Path, file: str, diagnostic: DiagnosticEvent) -> int:
        # Everything below, the fingerprint too (it is exported), sees only redacted text.
        diagnostic = _redacted(diagnostic)
        message = _one_line(diagnostic.message, 300)
        fingerprint = _fingerprint("error_fixed", file, diagnostic.message, diagnostic.code, diagnostic.source)
        repeat = self.db.find_by_fingerprint(project, fingerprint, self._clock() - REPEAT_WINDOW)
        if repeat is not None:
            self.db.record_occurrence(repeat["id"], self._clock())
            return repeat["id"]
        sensitive = is_sensitive_path(file)
        line_text = None if sensitive or diagnostic.line_text is None else redact(diagnostic.line_text.strip())
        details = [f"Fixed {_SEVERITY_NAMES.get(diagnostic.severity, 'error')} at {file}:{diagnostic.line}"]
        details.append(f"Message: {diagnostic.message}")
        if diagnostic.code or diagnostic.source:
            details.append(f"Code: {diagnostic.code or '-'} (source: {diagnostic.source or 'unknown'})")
        if line_text:
            details.append(f"Line {diagnostic.line}: {line_text}")
        verbatim = redact("\n".join(details))
        canonical = _one_line(f"Fixed {message}", CANONICAL_GIST_CHARS)
        context = GistContext(
            event_type=EventType.ERROR_FIXED.value, file_path=file, message=message,
            error_type=error_type_of(diagnostic),
            source=diagnostic.source,
        )
        return self.db.store_memory(
            project, verbatim, canonical, SalienceLevel.HIGH, EventType.ERROR_FIXED.value,
            file_path=file, line_number=diagnostic.line,
            tags=[t for t in (diagnostic.source, diagnostic.code) if t],
            anchor_text=line_text or None,
            fingerprint=fingerprint, created_at=self._clock(),
            audience_gists=self.generator.generate(verbatim, canonical, context),
        )

    # ------------------------------------------------------------------ terminal

    def command_finished(
        self,
        project: str | Path,
        command: str,
        exit_code: int | None,
        cwd: str | None,
        output: str | None = None,
    ) -> int | None:
        """Remember a failing command (MEDIUM); the same command passing later is a fix (HIGH).

        Returns the id of the memory made or counted again, or None when nothing was kept
        (a trivial command, a pass with no failure before it, an unknown exit code).
        """
        shown = _one_line(redact(_ANSI.sub("", command or "")), 2_000)
        if not shown or exit_code is None or is_trivial_command(shown):
            return None
        fingerprint = _fingerprint("command", " ".join(shown.split()))
        since = self._clock() - REPEAT_WINDOW
        failure = self.db.find_by_fingerprint(project, fingerprint, since)
        if exit_code != 0:
            if failure is not None:
                self.db.record_occurrence(failure["id"], self._clock())
                return failure["id"]
            return self._remember_failure(project, shown, exit_code, cwd, output, fingerprint)
        if failure is None:
            return None
        fix_fingerprint = _fingerprint("command-fixed", fingerprint)
        fix = self.db.find_by_fingerprint(project, fix_fingerprint, since)
        if fix is not None:
            if _last_seen(fix) >= _last_seen(failure):
                return None  # this pass was already remembered; passing again says nothing new
            self.db.record_occurrence(fix["id"], self._clock())
            return fix["id"]
        return self._remember_command_fix(project, shown, failure, fix_fingerprint)

    def _remember_failure(
        self, project: str | Path, command: str, exit_code: int, cwd: str | None,
        output: str | None, fingerprint: str,
    ) -> int:
        tail = output_tail(output or "")
        error_line = _last_error_line(tail)
        canonical = f"{_short_command(command)} failed with exit code {exit_code}"
        if error_line:
            canonical += f": {error_line}"
        canonical = _one_line(canonical, CANONICAL_GIST_CHARS)
        lines = [f"$ {command}", f"exit code {exit_code}"]
        if cwd:
            lines.append(f"in {redact(cwd)}")
        if tail:
            lines += ["", tail]
        verbatim = "\n".join(lines)
        context = GistContext(
            event_type=EventType.COMMAND_FAILED.value, command=command, exit_code=exit_code,
            message=error_line,
        )
        return self.db.store_memory(
            project, verbatim, canonical, SalienceLevel.MEDIUM, EventType.COMMAND_FAILED.value,
            tags=["command"], fingerprint=fingerprint, created_at=self._clock(),
            audience_gists=self.generator.generate(verbatim, canonical, context),
        )

    def _remember_command_fix(
        self, project: str | Path, command: str, failure: dict, fix_fingerprint: str
    ) -> int:
        canonical = _one_line(f"Fixed failing command {_short_command(command)}", CANONICAL_GIST_CHARS)
        verbatim = (
            f"$ {command}\nnow passes (exit code 0).\n\n"
            f"It failed before (memory #{failure['id']}, seen {failure['occurrence_count']} "
            f"time{'s' if failure['occurrence_count'] != 1 else ''}):\n{failure['gist']}"
        )
        context = GistContext(
            event_type=EventType.COMMAND_FIXED.value, command=command, exit_code=0,
        )
        return self.db.store_memory(
            project, verbatim, canonical, SalienceLevel.HIGH, EventType.COMMAND_FIXED.value,
            tags=["command", f"fixes:{failure['id']}"], fingerprint=fix_fingerprint,
            created_at=self._clock(),
            audience_gists=self.generator.generate(verbatim, canonical, context),
        )


def is_trivial_command(command: str) -> bool:
    try:
        words = shlex.split(command, posix=True)
    except ValueError:
        words = command.split()
    while words and "=" in words[0] and not words[0].startswith("="):
        words = words[1:]  # leading VAR=value assignments
    if not words:
        return True
    program = Path(words[0]).name
    if program in TRIVIAL_COMMANDS:
        return True
    return program == "git" and len(words) > 1 and words[1] in TRIVIAL_GIT_SUBCOMMANDS


def output_tail(output: str) -> str:
    """The last lines of a command's output, without terminal escape codes, redacted.

    The whole output is redacted before the cut, so a private key whose BEGIN line falls
    outside the tail, or a token cut in half, never reaches the store as a bare fragment."""
    lines = redact(_ANSI.sub("", output)).replace("\r\n", "\n").split("\n")
    tail = "\n".join(line.rstrip() for line in lines[-OUTPUT_TAIL_LINES:]).strip("\n")
    return tail[-OUTPUT_TAIL_CHARS:]


def _disappeared(
    previous: list[_OpenError], current: Sequence[DiagnosticEvent], version: int | None
) -> list[_OpenError]:
    """Open errors missing from the current set after an edit.

    Errors are matched by identity, not line, so one that only moved is not a fix. When the
    same error is reported several times, the copies whose lines are no longer reported go.
    """
    remaining: dict[tuple, list[DiagnosticEvent]] = {}
    for diagnostic in current:
        remaining.setdefault(diagnostic.identity, []).append(diagnostic)
    gone = []
    for error in previous:
        matches = remaining.get(error.diagnostic.identity)
        if matches:
            same_line = next((d for d in matches if d.line == error.diagnostic.line), matches[0])
            matches.remove(same_line)
            continue
        edited = (
            version is not None and error.seen_at_version is not None
            and version > error.seen_at_version
        )
        if edited:
            gone.append(error)
    return gone


def _redacted(diagnostic: DiagnosticEvent) -> DiagnosticEvent:
    """The diagnostic with its message, code and source redacted (the code and source reach
    tags and gists too)."""
    return replace(
        diagnostic,
        message=redact(diagnostic.message),
        code=redact(diagnostic.code) if diagnostic.code else diagnostic.code,
        source=redact(diagnostic.source) if diagnostic.source else diagnostic.source,
    )


def _fingerprint(*parts: object) -> str:
    return hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode()).hexdigest()


def _last_seen(memory: dict) -> str:
    return memory["last_accessed"] or memory["created_at"]


def _require_text(text: object, name: str, limit: int) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"the {name} must be non-empty text")
    if len(text) > limit:
        raise ValueError(f"the {name} is {len(text)} characters; at most {limit} are kept")
    return text.strip()


def _one_line(text: str, limit: int) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _first_code_line(selection: str) -> str | None:
    for line in selection.splitlines():
        if line.strip():
            return line.strip()
    return None


def _short_command(command: str) -> str:
    return _one_line(command, 80)


def _last_error_line(tail: str) -> str | None:
    lines = tail.splitlines()
    for pattern in _ERROR_LINE_PATTERNS:
        for line in reversed(lines):
            if pattern.search(line):
                return _one_line(_PYTEST_ERROR_PREFIX.sub("", line.strip(" =-\t")), 120)
    return None


def _exception_name(text: str) -> str | None:
    match = _EXCEPTION_NAME.search(text)
    return match.group(1) if match else None


def error_type_of(diagnostic: DiagnosticEvent) -> str | None:
    """The error's type for the developer and ai gists: an exception name, else its code."""
    return _exception_name(diagnostic.message) or (str(diagnostic.code) if diagnostic.code else None)
