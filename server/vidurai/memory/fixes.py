"""Which errors were fixed: the rule that turns diagnostics reports into confirmed fixes. Pure.

A fix is an error that was **real** and is gone in a later **settled** state after the
developer changed code (docs/CAPTURE.md says it in full):

* *Real*: reported about saved code — while its file held the text it was opened with or last
  saved with on purpose (an auto-save during a pause in typing is no checkpoint) and no other
  buffer had unsaved changes, at least ``REPORT_LATENCY`` after the last edit (an earlier
  report may describe the text before it) — or present for ``settle`` without an edit to its
  file (not just its line: the "must return a value" error sits on a function's first line
  while its body is typed). An error seen for a moment while a line is being typed is
  neither, and is dropped silently when it goes.
* *Gone after a change*: missing from a report made after an edit — in its own file (a newer
  version), else anywhere in the project within ``CAUSE_WINDOW`` (the edit that cleared it is
  the cause). An error missing with no such edit (a language-server restart, a re-analysis,
  an interpreter switch) is still open.
* *Confirmed*: a gone error is a candidate, held at least ``hold``; it becomes a fix once the
  file that caused it is saved, or when it has stayed gone for ``settle``. It is cancelled
  when it comes back, when its cause's edits are undone (its text is the saved text again:
  File > Revert, or undo) or when its cause is closed unsaved.
* Identical errors cleared by the same edit are one fix, with how many there were and in
  which files; it is placed on the edited file.

Every method takes the time; nothing here reads a clock or the store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable, Sequence

from vidurai.memory.anchors import LineEdit, LineRange, apply_edit

DEFAULT_SETTLE = timedelta(seconds=30)
MAX_HOLD = timedelta(seconds=2)  # what a language server needs to restart or re-analyse
# The extension forwards diagnostics 500 ms after they last changed: a report that comes
# sooner after an edit may still describe the text before it.
REPORT_LATENCY = timedelta(milliseconds=500)
# How soon after an edit in another file errors must vanish to be that edit's doing.
CAUSE_WINDOW = timedelta(seconds=10)

LSP_ERROR = 1

# Diagnostics worth a memory whatever their severity, as "code" or "source:code" (source
# case-insensitive). Pylance reports an undefined name as a warning by default.
DEFAULT_KEPT_CODES: tuple[str, ...] = (
    # pyright / Pylance / basedpyright
    "reportUndefinedVariable",
    "reportAttributeAccessIssue",
    "reportOptionalMemberAccess",
    "reportCallIssue",
    "reportArgumentType",
    "reportPossiblyUnbound",
    "reportMissingImports",
    "reportIndexIssue",
    "reportReturnType",
    "reportAssignmentType",
    "reportOptionalSubscript",
    # ruff / flake8 / pyflakes
    "F821",
    "F822",
    "F823",
    "F632",
    # mypy
    "name-defined",
    "attr-defined",
    "union-attr",
    "call-arg",
    "arg-type",
    "return-value",
    "import-not-found",
    "index",
    # TypeScript (source "ts"): cannot find name, no property, argument and assignment types
    "ts:2304",
    "ts:2339",
    "ts:2345",
    "ts:2322",
    "ts:2551",
    "ts:2552",
    "ts:2554",
    "ts:2307",
    # ESLint
    "no-undef",
)

# Warnings about code that is merely unused, or style: never memories, even at error level.
IGNORED_CODES = frozenset(
    "reportUnusedImport reportUnusedVariable reportUnusedClass reportUnusedFunction "
    "reportUnusedExpression reportUnusedCoroutine F401 F811 F841 unused-import "
    "unused-variable W0611 W0612 6133 6192 6196 6198 no-unused-vars "
    "@typescript-eslint/no-unused-vars".split()
)


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


class DiagnosticPolicy:
    """Which diagnostics can become memories: errors, and any diagnostic whose code is in the
    kept table; never one whose code says "unused"."""

    def __init__(self, kept_codes: Iterable[str] = DEFAULT_KEPT_CODES):
        self.any_source: set[str] = set()
        self.by_source: set[tuple[str, str]] = set()
        for entry in kept_codes:
            source, _, code = entry.rpartition(":")
            if source:
                self.by_source.add((source.strip().lower(), code.strip()))
            else:
                self.any_source.add(code.strip())

    def keeps(self, diagnostic: DiagnosticEvent) -> bool:
        code = diagnostic.code
        if code in IGNORED_CODES:
            return False
        if code is not None and (
            code in self.any_source or ((diagnostic.source or "").lower(), code) in self.by_source
        ):
            return True
        return diagnostic.severity <= LSP_ERROR


@dataclass(frozen=True)
class ConfirmedFix:
    """One memory's worth: the error, where to put it, and how much it cleared."""

    diagnostic: DiagnosticEvent  # as last reported, broken line included
    file: str  # the edited file: where the memory goes
    line: int  # 1-based, in the edited file's current text
    errors: int
    files: tuple[str, ...]  # the files the errors were in, sorted


@dataclass
class _OpenError:
    diagnostic: DiagnosticEvent
    lines: LineRange | None  # followed through edits; None once its line was deleted
    quiet_since: datetime  # first seen, or the last edit to its file
    seen_at: datetime
    seen_version: int | None
    real: bool


@dataclass
class _Candidate:
    error: _OpenError
    file: str
    cause: str
    gone_at: datetime


@dataclass
class _FileState:
    errors: list[_OpenError] = field(default_factory=list)
    version: int | None = None
    dirty: bool = False  # unsaved changes since the last save of any kind
    saved_text: int | None = None  # hash of the text as last opened or saved
    at_checkpoint: bool = True  # the text is as opened or as last saved on purpose
    checkpoint_text: int | None = None  # hash of that text
    last_edit_at: datetime | None = None
    last_edit_line: int = 0  # 0-based


@dataclass
class _Project:
    files: dict[str, _FileState] = field(default_factory=dict)
    candidates: list[_Candidate] = field(default_factory=list)
    last_edited: str | None = None
    last_edit_at: datetime | None = None

    def file(self, name: str) -> _FileState:
        return self.files.setdefault(name, _FileState())

    def saved_code(self, file: str) -> bool:
        """Whether ``file`` is at a checkpoint and no other buffer has unsaved changes."""
        return self.file(file).at_checkpoint and not any(
            state.dirty for name, state in self.files.items() if name != file
        )


class FixWatcher:
    """Open errors, candidate fixes and buffer states per project; see the module docstring."""

    def __init__(self, settle: timedelta = DEFAULT_SETTLE):
        self.settle = settle
        self._projects: dict[str, _Project] = defaultdict(_Project)

    @property
    def hold(self) -> timedelta:
        return min(MAX_HOLD, self.settle / 2)

    def has_candidates(self) -> bool:
        return any(project.candidates for project in self._projects.values())

    # ------------------------------------------------------------------ buffer events

    def edited(
        self, project: str, file: str, version: int | None, edit: LineEdit, text: str, now: datetime
    ) -> None:
        """The developer changed ``file`` (``text`` is its text now): its errors follow their
        lines and start their quiet time again (having first become real if they were quiet long
        enough). A text that is the saved one again (File > Revert, undo) is no change at all:
        what its edits seemed to fix was not fixed."""
        state_project = self._projects[project]
        state = state_project.file(file)
        state.version = version
        text_hash = hash(text)
        state.dirty = state.saved_text is None or text_hash != state.saved_text
        state.at_checkpoint = text_hash == state.checkpoint_text
        if not state.dirty:
            self._cancel_caused_by(state_project, file)
        state.last_edit_at, state.last_edit_line = now, edit.start_line
        state_project.last_edited, state_project.last_edit_at = file, now
        for error in state.errors:
            self._settle_check(error, now)
            error.quiet_since = now
            if error.lines is not None:
                error.lines = apply_edit(error.lines, edit)
        for candidate in state_project.candidates:
            if candidate.file == file and candidate.error.lines is not None:
                candidate.error.lines = apply_edit(candidate.error.lines, edit)

    def opened(self, project: str, file: str, version: int | None, text: str) -> None:
        state = self._projects[project].file(file)
        state.version, state.dirty, state.at_checkpoint = version, False, True
        state.saved_text = state.checkpoint_text = hash(text)

    def saved(self, project: str, file: str, text: str, deliberate: bool = True) -> None:
        """A save: the file is clean, and a checkpoint if saved on purpose (not an auto-save).
        Errors last reported about the text as it is now, in files at a checkpoint with no
        unsaved buffer beside them, were in a saved version: they are real."""
        state_project = self._projects[project]
        state = state_project.file(file)
        state.dirty, state.saved_text = False, hash(text)
        if deliberate:
            state.at_checkpoint, state.checkpoint_text = True, state.saved_text
        for name, other in state_project.files.items():
            if state_project.saved_code(name):
                for error in other.errors:
                    error.real = error.real or self._about_current_text(
                        state_project, error.seen_at
                    )

    def closed(self, project: str, file: str) -> None:
        """A closed buffer's errors are no longer known (a language server clears them); its
        unsaved edits are thrown away, so what they seemed to fix was not fixed."""
        state_project = self._projects[project]
        state = state_project.files.get(file)
        if state is not None and state.dirty:
            self._cancel_caused_by(state_project, file)
        state_project.files.pop(file, None)

    # ------------------------------------------------------------------ reports

    def reported(
        self,
        project: str,
        file: str,
        diagnostics: Sequence[DiagnosticEvent],
        version: int | None,
        now: datetime,
    ) -> None:
        """A file's full current set of (kept) diagnostics; ``version`` is its open buffer's."""
        state_project = self._projects[project]
        state = state_project.file(file)
        if version is not None:
            state.version = version
        saved_state = state_project.saved_code(file) and self._about_current_text(
            state_project, now
        )

        remaining = list(diagnostics)
        still_open: list[_OpenError] = []
        for error in state.errors:
            match = _take_match(remaining, error.diagnostic)
            if match is not None:
                self._seen(error, match, version, saved_state, now)
                still_open.append(error)
                continue
            self._settle_check(error, now)  # it was there, untouched, until now
            if not error.real:
                continue  # a passing state while typing: nothing was learned
            if self._edited_since(state_project, state, error, now):
                cause = (
                    file if _newer(state.version, error.seen_version) else state_project.last_edited
                )
                state_project.candidates.append(_Candidate(error, file, cause or file, now))
            else:
                still_open.append(error)  # missing with no edit since: a restart, a re-analysis
        for candidate in [c for c in state_project.candidates if c.file == file]:
            match = _take_match(remaining, candidate.error.diagnostic)
            if match is not None:  # back again: it was not fixed
                state_project.candidates.remove(candidate)
                self._seen(candidate.error, match, version, saved_state, now)
                still_open.append(candidate.error)
        for diagnostic in remaining:
            line = diagnostic.line - 1
            still_open.append(
                _OpenError(
                    diagnostic,
                    LineRange(line, line),
                    quiet_since=now,
                    seen_at=now,
                    seen_version=version,
                    real=saved_state,
                )
            )
        state.errors = still_open

    # ------------------------------------------------------------------ confirmation

    def confirm(self, now: datetime) -> list[tuple[str, ConfirmedFix]]:
        """(project, fix) for each group of candidates that is now a fix; they are forgotten here."""
        confirmed = []
        for project, state_project in self._projects.items():
            groups: dict[tuple, list[_Candidate]] = defaultdict(list)
            for candidate in state_project.candidates:
                groups[(candidate.cause, candidate.error.diagnostic.identity)].append(candidate)
            for (cause, _), group in groups.items():
                newest = max(candidate.gone_at for candidate in group)
                if now - newest < self.hold:
                    continue
                cause_state = state_project.files.get(cause)
                saved = cause_state is None or not cause_state.dirty
                if not saved and now - newest < self.settle:
                    continue
                for candidate in group:
                    state_project.candidates.remove(candidate)
                confirmed.append((project, _fix_of(group, cause, cause_state)))
        return confirmed

    # ------------------------------------------------------------------ helpers

    def _seen(
        self,
        error: _OpenError,
        report: DiagnosticEvent,
        version: int | None,
        saved_state: bool,
        now: datetime,
    ) -> None:
        self._settle_check(error, now)
        line = report.line - 1
        error.diagnostic, error.lines = report, LineRange(line, line)
        error.seen_at, error.seen_version = now, version
        error.real = error.real or saved_state

    def _settle_check(self, error: _OpenError, now: datetime) -> None:
        if now - error.quiet_since >= self.settle:
            error.real = True

    @staticmethod
    def _about_current_text(state_project: _Project, reported_at: datetime) -> bool:
        last_edit = state_project.last_edit_at
        return last_edit is None or reported_at - last_edit >= REPORT_LATENCY

    @staticmethod
    def _edited_since(
        state_project: _Project, state: _FileState, error: _OpenError, now: datetime
    ) -> bool:
        if _newer(state.version, error.seen_version):
            return True
        last_edit = state_project.last_edit_at
        return (
            last_edit is not None and last_edit > error.seen_at and now - last_edit <= CAUSE_WINDOW
        )

    @staticmethod
    def _cancel_caused_by(state_project: _Project, file: str) -> None:
        """Candidates whose cause was thrown away go back to being open errors."""
        for candidate in [c for c in state_project.candidates if c.cause == file]:
            state_project.candidates.remove(candidate)
            state_project.file(candidate.file).errors.append(candidate.error)


def _take_match(
    reports: list[DiagnosticEvent], diagnostic: DiagnosticEvent
) -> DiagnosticEvent | None:
    """Remove and return the report of the same error, preferring one on the same line."""
    same = [report for report in reports if report.identity == diagnostic.identity]
    if not same:
        return None
    match = next((report for report in same if report.line == diagnostic.line), same[0])
    reports.remove(match)
    return match


def _newer(version: int | None, seen: int | None) -> bool:
    return version is not None and seen is not None and version > seen


def _fix_of(group: list[_Candidate], cause: str, cause_state: _FileState | None) -> ConfirmedFix:
    first = min(group, key=lambda c: (c.file != cause, c.file, c.error.diagnostic.line))
    if first.file == cause and first.error.lines is not None:
        line = first.error.lines.start + 1
    elif first.file == cause:
        line = first.error.diagnostic.line
    else:
        line = (cause_state.last_edit_line if cause_state is not None else 0) + 1
    return ConfirmedFix(
        diagnostic=first.error.diagnostic,
        file=cause,
        line=line,
        errors=len(group),
        files=tuple(sorted({candidate.file for candidate in group})),
    )
