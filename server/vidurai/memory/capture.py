"""Turning developer events into memories: notes, fixed errors, failing and fixed commands.

What counts as a fixed error is decided in ``memory.fixes`` and what a command is in
``memory.commands`` (docs/CAPTURE.md tells both); this module stores what they decide. Every text that reaches the store passes through ``redact`` here first, whichever path it
came by; every memory is stored with a gist for each configured audience in one
transaction. Repeats (the same error or failing command within ``REPEAT_WINDOW``) add to an
occurrence count on one memory instead of adding rows.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence

from vidurai.gists.audiences import AudienceRegistry
from vidurai.gists import GistContext, MultiAudienceGistGenerator
from vidurai.gists.kinds import kind_of
from vidurai.memory.anchors import LineEdit
from vidurai.memory.commands import (
    command_key,
    is_interrupted,
    is_routine_failure,
    is_trivial_command,
)
from vidurai.limits import (
    CANONICAL_GIST_CHARS,
    KEPT_COMMAND_CHARS,
    KEPT_SELECTION_CHARS,
    MAX_GIST_CHARS,
    MAX_NOTE_CHARS,
    OUTPUT_TAIL_CHARS,
    OUTPUT_TAIL_LINES,
)
from vidurai.memory.fixes import (
    DEFAULT_KEPT_CODES,
    DEFAULT_SETTLE,
    ConfirmedFix,
    DiagnosticEvent,
    DiagnosticPolicy,
    FixWatcher,
)
from vidurai.memory.redact import is_sensitive_path, redact
from vidurai.memory.salience import classify_salience
from vidurai.storage import Memory, MemoryStore
from vidurai.storage.models import EventType, SalienceLevel

REPEAT_WINDOW = timedelta(days=7)

_SEVERITY_NAMES = {1: "error", 2: "warning", 3: "information", 4: "hint"}
_EXCEPTION_NAME = re.compile(r"\b([A-Z][A-Za-z0-9]*(?:Error|Exception|Warning))\b")
# Lines that say what went wrong, most telling first: a named exception beats "error:",
# which beats a bare "failed" summary.
_ERROR_LINE_PATTERNS = (
    _EXCEPTION_NAME,
    re.compile(r"\b(?:error|fatal|panic)\b|\bERR!", re.IGNORECASE),
    re.compile(r"\bfail(?:ed|ure|s)?\b", re.IGNORECASE),
    re.compile(
        r"^\S+:\d+: \*\*\* "
    ),  # make's own errors: "Makefile:5: *** missing separator.  Stop."
)
_PYTEST_ERROR_PREFIX = re.compile(r"^E\s{2,}")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)")


def event_time() -> datetime:
    """Now, to the microsecond: the fix rules weigh edits and reports hundreds of milliseconds
    apart (``fixes.REPORT_LATENCY``), which whole-second stored times would round away."""
    return datetime.now(timezone.utc)


class CaptureService:
    """Events in, memories out. Thread-safe: the server may call it from worker threads."""

    def __init__(
        self,
        db: MemoryStore,
        generator: MultiAudienceGistGenerator | None = None,
        *,
        kept_codes: Iterable[str] = DEFAULT_KEPT_CODES,
        settle: timedelta = DEFAULT_SETTLE,
        clock: Callable[[], datetime] = event_time,
    ):
        self.db = db
        self.policy = DiagnosticPolicy(kept_codes)
        self.fixes = FixWatcher(settle)
        self._clock = clock
        self._lock = threading.Lock()
        if generator is None:
            self.set_audiences(())
        else:
            self.generator = generator

    def configure_diagnostics(self, kept_codes: Iterable[str], settle: timedelta) -> None:
        """New settings for which diagnostics count and how long a state takes to settle."""
        with self._lock:
            self.policy = DiagnosticPolicy(kept_codes)
            self.fixes.settle = settle

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
        selection = redact(selection)[:KEPT_SELECTION_CHARS]
        level = (
            SalienceLevel.parse(salience)
            if salience is not None
            else classify_salience(note, EventType.NOTE.value)
        )
        canonical = _one_line(note, CANONICAL_GIST_CHARS)
        verbatim = note if not selection.strip() else f"{note}\n\n{selection}"
        anchor_text = _first_code_line(selection) if file is not None and start_line else None
        context = GistContext(event_type=EventType.NOTE.value, file_path=file)
        return self.db.store_memory(
            project,
            verbatim,
            canonical,
            level,
            EventType.NOTE.value,
            file_path=file,
            line_number=start_line,
            end_line=end_line,
            anchor_text=anchor_text,
            created_at=self._clock(),
            audience_gists=self.generator.generate(verbatim, canonical, context),
        )

    def rewrite_gist(self, memory_id: int, audience: str, gist: str) -> None:
        """The user's own words for one audience; the gist it replaces goes to history."""
        text = _one_line(redact(_require_text(gist, "gist", MAX_GIST_CHARS)), CANONICAL_GIST_CHARS)
        self.db.store_audience_gists(memory_id, {audience: text}, written_by_user=True)

    # ------------------------------------------------------------------ diagnostics
    # The rule is ``memory.fixes``; these methods feed it what the editor saw and store what
    # it confirms. Nothing is stored by a report itself: ``confirm_fixes`` does that.

    def diagnostics_changed(
        self,
        project: str | Path,
        file: str,
        diagnostics: Sequence[DiagnosticEvent],
        document_version: int | None,
    ) -> None:
        """A file's full current diagnostics (``document_version``: None for a file not open)."""
        kept = [d for d in diagnostics if self.policy.keeps(d)]
        with self._lock:
            self.fixes.reported(str(project), file, kept, document_version, self._clock())

    def document_opened(
        self, project: str | Path, file: str, version: int | None, text: str
    ) -> None:
        with self._lock:
            self.fixes.opened(str(project), file, version, text)

    def document_edited(
        self,
        project: str | Path,
        file: str,
        version: int | None,
        edit: LineEdit | None,
        text: str,
    ) -> None:
        """One change to an open buffer (``edit`` None: the whole text was replaced); ``text``
        is the buffer's text after it."""
        whole = LineEdit(0, 0, 1 << 30, 0, text)
        with self._lock:
            self.fixes.edited(str(project), file, version, edit or whole, text, self._clock())

    def document_saved(
        self, project: str | Path, file: str, text: str, deliberate: bool = True
    ) -> None:
        """A save; ``deliberate`` is False for an auto-save (after a delay, or on losing focus)."""
        with self._lock:
            self.fixes.saved(str(project), file, text, deliberate)

    def document_closed(self, project: str | Path, file: str) -> None:
        with self._lock:
            self.fixes.closed(str(project), file)

    def has_pending_fixes(self) -> bool:
        with self._lock:
            return self.fixes.has_candidates()

    def confirm_fixes(
        self,
        current_line: Callable[[str, str, int], str | None] = lambda project, file, line: None,
    ) -> list[int]:
        """Store the fixes confirmed by now; returns the ids of the memories made or counted
        again. ``current_line(project, file, line)`` is the line's text in an open buffer."""
        with self._lock:
            confirmed = self.fixes.confirm(self._clock())
        return [
            self._remember_fix(project, fix, current_line(project, fix.file, fix.line))
            for project, fix in confirmed
        ]

    def _remember_fix(self, project: str, fix: ConfirmedFix, current_text: str | None) -> int:
        # Everything below, the fingerprint too (it is exported), sees only redacted text.
        diagnostic = _redacted(fix.diagnostic)
        fingerprint = _fingerprint(
            "error_fixed", fix.file, diagnostic.message, diagnostic.code, diagnostic.source
        )
        repeat = self.db.find_by_fingerprint(project, fingerprint, self._clock() - REPEAT_WINDOW)
        if repeat is not None:
            self.db.record_occurrence(repeat.id, self._clock())
            return repeat.id
        sensitive = is_sensitive_path(fix.file)
        broken_text = (
            None
            if sensitive or diagnostic.line_text is None
            else redact(diagnostic.line_text.strip())
        )
        anchor_text = (
            None
            if sensitive or not current_text or not current_text.strip()
            else redact(current_text.strip())
        )
        severity = _SEVERITY_NAMES.get(diagnostic.severity, "error")
        details = [f"Fixed {severity} at {fix.file}:{fix.line}", f"Message: {diagnostic.message}"]
        if diagnostic.code or diagnostic.source:
            details.append(
                f"Code: {diagnostic.code or '-'} (source: {diagnostic.source or 'unknown'})"
            )
        if fix.files != (fix.file,):
            details.append(
                f"The edit here cleared {_count(fix.errors, 'error')} in "
                f"{_count(len(fix.files), 'file')}: {', '.join(fix.files)}"
            )
        elif fix.errors > 1:
            details.append(f"The edit cleared {_count(fix.errors, 'error')}")
        if broken_text and fix.files == (fix.file,):
            details.append(f"Line {diagnostic.line} was: {broken_text}")
        verbatim = redact("\n".join(details))
        message = _one_line(diagnostic.message, 300)
        if fix.errors > 1:  # every voice says how much the one edit cleared
            message += f" ({_count(fix.errors, 'error')} in {_count(len(fix.files), 'file')})"
        canonical = _one_line(f"Fixed {message}", CANONICAL_GIST_CHARS)
        context = GistContext(
            event_type=EventType.ERROR_FIXED.value,
            file_path=fix.file,
            message=message,
            error_type=error_type_of(diagnostic),
            source=diagnostic.source,
        )
        return self.db.store_memory(
            project,
            verbatim,
            canonical,
            kind_of(EventType.ERROR_FIXED.value).salience,
            EventType.ERROR_FIXED.value,
            file_path=fix.file,
            line_number=fix.line,
            tags=[t for t in (diagnostic.source, diagnostic.code) if t],
            anchor_text=anchor_text or None,
            fingerprint=fingerprint,
            created_at=self._clock(),
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
        (a trivial command, an interrupt, a routine failure, a pass with no failure since the
        last pass, an unknown exit code). Runs are matched by ``commands.command_key``.
        """
        shown = _one_line(redact(_ANSI.sub("", command or "")), KEPT_COMMAND_CHARS)
        if not shown or exit_code is None or is_trivial_command(shown) or is_interrupted(exit_code):
            return None
        if exit_code != 0 and is_routine_failure(shown, _ANSI.sub("", output or "")):
            return None
        fingerprint = _fingerprint("command", command_key(shown))
        since = self._clock() - REPEAT_WINDOW
        failure = self.db.find_by_fingerprint(project, fingerprint, since)
        if exit_code != 0:
            if failure is not None:
                self.db.record_occurrence(failure.id, self._clock())
                return failure.id
            return self._remember_failure(project, shown, exit_code, cwd, output, fingerprint)
        if failure is None:
            return None
        fix_fingerprint = _fingerprint("command-fixed", fingerprint)
        fix = self.db.find_by_fingerprint(project, fix_fingerprint, since)
        if fix is None or f"fixes:{failure.id}" not in fix.tags:
            return self._remember_command_fix(project, shown, failure, fix_fingerprint)
        # Decided on the failures counted, not on when a memory was last opened or hovered.
        if _failed_runs_fixed(fix) >= failure.occurrence_count:
            return None  # no failure since the last pass: passing again says nothing new
        self.db.record_occurrence(fix.id, self._clock())
        self.db.update_memory(fix.id, tags=_command_fix_tags(failure))
        return fix.id

    def _remember_failure(
        self,
        project: str | Path,
        command: str,
        exit_code: int,
        cwd: str | None,
        output: str | None,
        fingerprint: str,
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
            event_type=EventType.COMMAND_FAILED.value,
            command=command,
            exit_code=exit_code,
            message=error_line,
        )
        return self.db.store_memory(
            project,
            verbatim,
            canonical,
            kind_of(EventType.COMMAND_FAILED.value).salience,
            EventType.COMMAND_FAILED.value,
            tags=["command"],
            fingerprint=fingerprint,
            created_at=self._clock(),
            audience_gists=self.generator.generate(verbatim, canonical, context),
        )

    def _remember_command_fix(
        self, project: str | Path, command: str, failure: Memory, fix_fingerprint: str
    ) -> int:
        canonical = _one_line(
            f"Fixed failing command {_short_command(command)}", CANONICAL_GIST_CHARS
        )
        verbatim = (
            f"$ {command}\nnow passes (exit code 0).\n\n"
            f"It failed before (memory #{failure.id}, seen {failure.occurrence_count} "
            f"time{'s' if failure.occurrence_count != 1 else ''}):\n{failure.gist}"
        )
        context = GistContext(
            event_type=EventType.COMMAND_FIXED.value,
            command=command,
            exit_code=0,
        )
        return self.db.store_memory(
            project,
            verbatim,
            canonical,
            kind_of(EventType.COMMAND_FIXED.value).salience,
            EventType.COMMAND_FIXED.value,
            tags=_command_fix_tags(failure),
            fingerprint=fix_fingerprint,
            created_at=self._clock(),
            audience_gists=self.generator.generate(verbatim, canonical, context),
        )


def output_tail(output: str) -> str:
    """The last lines of a command's output, without terminal escape codes, redacted.

    The whole output is redacted before the cut, so a private key whose BEGIN line falls
    outside the tail, or a token cut in half, never reaches the store as a bare fragment."""
    lines = redact(_ANSI.sub("", output)).replace("\r\n", "\n").split("\n")
    tail = "\n".join(line.rstrip() for line in lines[-OUTPUT_TAIL_LINES:]).strip("\n")
    return tail[-OUTPUT_TAIL_CHARS:]


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
    return hashlib.sha1(
        "\x1f".join("" if p is None else str(p) for p in parts).encode()
    ).hexdigest()


def _command_fix_tags(failure: Memory) -> list[str]:
    """A command fix names its failure and how many failed runs it has answered so far."""
    return ["command", f"fixes:{failure.id}", f"failed-runs:{failure.occurrence_count}"]


def _failed_runs_fixed(fix: Memory) -> int:
    for tag in fix.tags:
        if tag.startswith("failed-runs:") and tag[12:].isdigit():
            return int(tag[12:])
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


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
    last = next((line for line in reversed(lines) if line.strip(" =-\t")), None)
    return None if last is None else _one_line(last.strip(" =-\t"), 120)


def _exception_name(text: str) -> str | None:
    match = _EXCEPTION_NAME.search(text)
    return match.group(1) if match else None


def error_type_of(diagnostic: DiagnosticEvent) -> str | None:
    """The error's type for the developer and ai gists: an exception name, else its code."""
    return _exception_name(diagnostic.message) or (
        str(diagnostic.code) if diagnostic.code else None
    )
