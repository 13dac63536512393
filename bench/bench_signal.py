"""Signal over noise: replays a developer's day through capture and prints what it kept.

The day is a script of user-level events (typing bursts with pauses, saves, reverts, closes, a
type-checker restart, terminal commands, notes) with the diagnostics pyright reports at each
step, played on a simulated clock through ``CaptureService`` exactly as the language server
calls it (a confirmation check every second). Every memory a developer would keep is listed in
the script; anything else stored is noise.

Prints memories stored, kept, noise, duplicates, wrong fixes, precision, recall, and the time
capture takes per diagnostics notification (report + confirmation check, median).

    python bench/bench_signal.py
"""

from __future__ import annotations

import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from vidurai.memory.anchors import LineEdit
from vidurai.memory.capture import CaptureService
from vidurai.memory.fixes import DiagnosticEvent
from vidurai.storage import Memory, MemoryDatabase
from vidurai.storage.models import utc_now

PROJECT = "/work/authsvc"


def d(message: str, line: int, code: str | None = None, severity: int = 1) -> DiagnosticEvent:
    return DiagnosticEvent(message, line, severity, code, "Pyright", f"line {line}")


@dataclass
class Day:
    capture: CaptureService
    now: list
    events: int = 0
    report_seconds: list[float] = field(default_factory=list)
    expected: list[tuple[str, str]] = field(default_factory=list)  # (event type, text in the gist)
    versions: dict[str, int] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)  # [saved text, buffer text]

    # ---------------------------------------------------------------- time

    def wait(self, seconds: float) -> None:
        """Time passes; the server checks held fixes every second."""
        while seconds > 0:
            step = min(1.0, seconds)
            self.now[0] += timedelta(seconds=step)
            seconds -= step
            if self.capture.has_pending_fixes():
                self.capture.confirm_fixes()

    # ---------------------------------------------------------------- editor events

    def open(self, file: str, *diagnostics: DiagnosticEvent) -> None:
        self.events += 1
        self.versions[file], self.texts[file] = 1, [file, file]
        self.capture.document_opened(PROJECT, file, 1, file)
        self.report(file, *diagnostics)

    def edit(
        self,
        file: str,
        line: int,
        text: str = "x",
        *diagnostics: DiagnosticEvent,
        pause: float = 1.0,
    ) -> None:
        """A typing burst on a (1-based) line, the report 0.5 s after it, then a pause."""
        self.events += 1
        self.versions[file] += 1
        self.texts[file][1] += text
        self.capture.document_edited(
            PROJECT,
            file,
            self.versions[file],
            LineEdit(line - 1, 0, line - 1, 0, text),
            self.texts[file][1],
        )
        self.wait(0.5)
        self.report(file, *diagnostics)
        self.wait(pause)

    def report(self, file: str, *diagnostics: DiagnosticEvent) -> None:
        start = time.perf_counter()
        self.capture.diagnostics_changed(PROJECT, file, list(diagnostics), self.versions.get(file))
        if self.capture.has_pending_fixes():
            self.capture.confirm_fixes()
        self.report_seconds.append(time.perf_counter() - start)

    def save(self, file: str, deliberate: bool = True) -> None:
        """Ctrl+S, or (``deliberate=False``) files.autoSave after a delay."""
        self.events += 1
        self.texts[file][0] = self.texts[file][1]
        self.capture.document_saved(PROJECT, file, self.texts[file][0], deliberate)
        self.wait(3)

    def revert(self, file: str, *diagnostics: DiagnosticEvent) -> None:
        self.events += 1
        self.versions[file] += 1
        self.texts[file][1] = self.texts[file][0]
        self.capture.document_edited(PROJECT, file, self.versions[file], None, self.texts[file][1])
        self.wait(0.5)
        self.report(file, *diagnostics)
        self.wait(2)

    def close(self, file: str) -> None:
        self.events += 1
        self.capture.document_closed(PROJECT, file)
        self.versions.pop(file)
        self.texts.pop(file)
        self.wait(0.5)
        self.report(file)  # the checker clears a closed file's diagnostics
        self.wait(2)

    def note(self, file: str, line: int, text: str) -> None:
        self.events += 1
        self.capture.remember_note(PROJECT, file, line, line, f"line {line}", text)
        self.expected.append(("note", text))

    def run(self, command: str, exit_code: int, output: str = "") -> None:
        self.events += 1
        self.capture.command_finished(PROJECT, command, exit_code, PROJECT, output)
        self.wait(5)

    def keep(self, event_type: str, text: str) -> None:
        self.expected.append((event_type, text))


# -------------------------------------------------------------------- the day's situations


def real_fix(day: Day, file: str, error: DiagnosticEvent) -> None:
    """An error in the saved file, fixed by an edit and saved."""
    day.open(file, error)
    day.wait(20)
    day.edit(file, error.line, "fix")
    day.save(file)
    day.keep("error_fixed", error.message)


def type_function(day: Day, file: str, at: int, autosave: bool = False) -> None:
    """Writing a function with pauses: each error is a state the line passes through. With
    ``autosave`` the editor saves by itself in the pauses (files.autoSave: afterDelay)."""
    day.edit(
        file,
        at,
        "def refresh_token(",
        d('"(" was not closed', at),
        d('Expected ":"', at),
        pause=1.5,
    )
    if autosave:
        day.save(file, deliberate=False)
    day.edit(file, at, "token: str) -> str:", d("Expected indented block", at + 1), pause=2)
    if autosave:
        day.save(file, deliberate=False)
    day.edit(
        file,
        at + 1,
        "    claims = decode(token)",
        d(
            'Function with declared return type "str" must return value on all code paths',
            at,
            "reportReturnType",
        ),
        pause=1.5,
    )
    day.edit(file, at + 2, "    return issue_token(", d('"(" was not closed', at + 2), pause=1)
    day.edit(
        file,
        at + 2,
        'claims["sub"]',
        d('Argument missing for parameter "ttl"', at + 2, "reportCallIssue"),
        pause=2,
    )
    day.edit(file, at + 2, ", ttl=3600)")
    day.save(file)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = MemoryDatabase(Path(folder) / "memory.db")
        now = [utc_now()]
        day = Day(CaptureService(db, clock=lambda: now[0]), now)
        play(day)
        report(day, db)
        db.close()


def play(day: Day) -> None:
    tokens, views = "authsvc/tokens.py", [f"authsvc/views/v{n}.py" for n in range(5)]
    attribute = "reportAttributeAccessIssue"

    real_fix(
        day, tokens, d('Cannot access attribute "reed" for class "TextIOWrapper"', 9, attribute)
    )
    for at in (30, 45, 60):
        type_function(day, tokens, at, autosave=at == 45)
    real_fix(
        day,
        "authsvc/settings.py",
        d('"parse_confg" is not defined', 12, "reportUndefinedVariable", severity=2),
    )

    # An unused import removed: never a memory.
    day.open("authsvc/app.py", d('Import "sys" is not accessed', 3, "reportUnusedImport", 2))
    day.edit("authsvc/app.py", 3, "")
    day.save("authsvc/app.py")

    # A fix closed without saving; a fix reverted; a restart's empty set.
    day.open(
        "authsvc/cache.py", d('"monotnic" is not a known attribute of module "time"', 7, attribute)
    )
    day.edit("authsvc/cache.py", 7, "monotonic")
    day.close("authsvc/cache.py")
    infoo = d('Cannot access attribute "infoo" for class "Logger"', 9, attribute)
    day.open("authsvc/audit.py", infoo)
    day.edit("authsvc/audit.py", 9, "info")
    day.revert("authsvc/audit.py", infoo)
    day.report("authsvc/audit.py")  # the type checker restarts…
    day.wait(8)
    day.report("authsvc/audit.py", infoo)  # …and reports it again
    day.wait(5)

    # A fix that flickers back while the checker re-analyses, then is really made.
    optional = d('"strip" is not a known attribute of "None"', 14, "reportOptionalMemberAccess")
    day.open("authsvc/forms.py", optional)
    day.edit("authsvc/forms.py", 14, "if value:")
    day.report("authsvc/forms.py", optional)
    day.wait(1)
    day.edit("authsvc/forms.py", 14, "or ''", pause=1)
    day.save("authsvc/forms.py")
    day.keep("error_fixed", optional.message)

    # A rename breaks two calls in each of five files; one edit in users.py repairs them all.
    missing = '"fetch_user" is not a known attribute of module "authsvc.users"'
    for view in views:
        day.open(view)
    day.open("authsvc/users.py")
    day.edit("authsvc/users.py", 4, "load_user")
    for view in views:
        day.report(view, d(missing, 6, attribute), d(missing, 10, attribute))
    day.save("authsvc/users.py")
    day.wait(10)
    day.edit("authsvc/users.py", 8, "fetch_user = load_user")
    for view in views:
        day.report(view)
    day.save("authsvc/users.py")
    day.keep("error_fixed", "(10 errors in 5 files)")

    # More ordinary fixes through the afternoon, and typing in between.
    real_fix(
        day, "authsvc/routes.py", d('"jsonify" is not defined', 21, "reportUndefinedVariable", 2)
    )
    type_function(day, "authsvc/routes.py", 40)
    real_fix(
        day,
        "authsvc/db.py",
        d(
            'Argument of type "str" cannot be assigned to parameter "port" of type "int"',
            17,
            "reportArgumentType",
        ),
    )
    real_fix(
        day,
        "authsvc/mail.py",
        d('Import "smtplib2" could not be resolved', 2, "reportMissingImports", 2),
    )

    # Notes.
    day.note(tokens, 20, "Tokens are refreshed 5 minutes before they expire")
    day.note("authsvc/db.py", 5, "The pool size matches the database's max_connections / 4")
    day.note("authsvc/users.py", 8, "fetch_user stays as an alias until the mobile app is updated")

    # The terminal.
    key_error = "E       KeyError: 'exp'\nFAILED tests/test_tokens.py::test_decode - KeyError: 'exp'\n1 failed"
    day.run("pytest tests/test_tokens.py -x", 1, key_error)
    day.run(
        "source .venv/bin/activate && pytest tests/test_tokens.py::test_decode -v", 1, key_error
    )
    day.run("pytest -k decode tests/test_tokens.py", 1, key_error)
    day.keep("command_failed", "KeyError: 'exp'")
    day.run("npm run dev", 130, "^C")
    day.run("tail -f app.log", 130, "^C")
    day.run("python -m http.server", 143, "Terminated")
    day.run("cd . && python -m pytest tests/test_tokens.py -q", 0, "3 passed")
    day.keep("command_fixed", "pytest tests/test_tokens.py")
    day.capture.db.touch_memories([m.id for m in day.capture.db.list_memories(PROJECT, limit=100)])
    day.run("pytest tests/test_tokens.py", 0, "3 passed")  # passing again after opening it
    day.run("make test", 2, "Makefile:5: *** missing separator.  Stop.")
    day.keep("command_failed", "missing separator")
    day.run("make test", 0, "4 passed")
    day.keep("command_fixed", "make test")
    rejected = " ! [rejected]        main -> main (fetch first)\nerror: failed to push some refs"
    for _ in range(2):
        day.run("git push", 1, rejected)
        day.run("git pull --rebase", 0, "Successfully rebased")
        day.run("git push", 0, "main -> main")
    for command in ("ls", "git status", "cd src", "clear", "git diff", "code ."):
        day.run(command, 0)
    day.run("npm run build", 2, "src/app.ts(3,1): error TS2304: Cannot find name 'fetchUser'.")
    day.run("npm run build", 2, "src/app.ts(3,1): error TS2304: Cannot find name 'fetchUser'.")
    day.keep("command_failed", "TS2304")
    day.run("npm run build", 0, "built in 1.2s")
    day.keep("command_fixed", "npm run build")
    day.run("ruff check .", 0, "All checks passed!")
    day.wait(60)


def report(day: Day, db: MemoryDatabase) -> None:
    stored = db.list_memories(PROJECT, limit=10_000)
    matched: dict[int, list[Memory]] = {index: [] for index in range(len(day.expected))}
    noise = []
    for memory in stored:
        index = next(
            (
                i
                for i, (kind, text) in enumerate(day.expected)
                if memory.event_type == kind and text in memory.gist
            ),
            None,
        )
        if index is None:
            noise.append(memory)
        else:
            matched[index].append(memory)
    kept = sum(1 for memories in matched.values() if memories)
    duplicates = sum(max(0, len(memories) - 1) for memories in matched.values())
    wrong_fixes = [m for m in noise if m.event_type in ("error_fixed", "command_fixed")]
    precision = kept / len(stored) if stored else 1.0
    recall = kept / len(day.expected)
    median_ms = statistics.median(day.report_seconds) * 1000

    print(f"user-level events replayed          {day.events}")
    print(f"diagnostics notifications           {len(day.report_seconds)}")
    print(f"memories stored                     {len(stored)}")
    print(f"kept (a developer would keep)       {kept} of {len(day.expected)} expected")
    print(f"noise                               {len(noise)}")
    print(f"duplicates                          {duplicates}")
    print(f"wrong fixes                         {len(wrong_fixes)}")
    print(f"precision                           {precision:.1%}")
    print(f"recall                              {recall:.1%}")
    print(f"capture per diagnostics notification median {median_ms:.3f} ms")
    for memory in noise:
        print(f"  noise: {memory['event_type']}: {memory['gist']}")
    for index, memories in matched.items():
        if not memories:
            print(f"  missed: {day.expected[index]}")


if __name__ == "__main__":
    main()
