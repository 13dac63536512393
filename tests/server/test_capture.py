"""Capture: notes, fixed errors and commands become memories, redacted, with every gist."""

import time
from datetime import datetime, timedelta, timezone

import pytest

from vidurai.memory.anchors import LineEdit
from vidurai.memory.capture import CaptureService
from vidurai.memory.commands import command_key, is_trivial_command
from vidurai.memory.fixes import DiagnosticEvent
from vidurai.storage import BUILTIN_AUDIENCES, MemoryDatabase


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def capture(db, clock):
    return CaptureService(db, clock=clock)


def only_memory(db):
    rows = db.conn.execute("SELECT id FROM memories").fetchall()
    assert len(rows) == 1, f"expected one memory, found {len(rows)}"
    return db.get_memory_by_id(rows[0][0])


def error(message, line, code=None, source="Pylance", severity=1, text=None):
    return DiagnosticEvent(
        message=message, line=line, severity=severity, code=code, source=source, line_text=text
    )


# --------------------------------------------------------------- notes


def test_a_note_is_the_gist_the_selection_the_verbatim_anchored_at_the_line(capture, db, project):
    memory_id = capture.remember_note(
        project,
        "src/cache.py",
        12,
        14,
        "def evict(self):\n    ...",
        "Evicting on write keeps reads O(1)",
    )
    memory = db.get_memory_by_id(memory_id)
    assert memory.gist == "Evicting on write keeps reads O(1)"
    assert "def evict(self):" in memory.verbatim
    assert (memory.file_path, memory.line_number, memory.end_line) == ("src/cache.py", 12, 14)
    assert memory.anchor_text == "def evict(self):"
    assert memory.event_type == "note"
    gists = db.get_audience_gists(memory_id)
    assert set(gists) == set(BUILTIN_AUDIENCES)
    assert all(text.strip() for text in gists.values())


def test_a_note_marked_critical_is_critical(capture, db, project):
    memory_id = capture.remember_note(
        project, None, None, None, None, "Never run migrations on Friday", salience="critical"
    )
    assert db.get_memory_by_id(memory_id).salience == "CRITICAL"


def test_an_empty_note_is_refused_and_stores_nothing(capture, db, project):
    with pytest.raises(ValueError, match="note"):
        capture.remember_note(project, "a.py", 1, 1, "x = 1", "   ")
    assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 0


def test_a_selection_from_a_sensitive_file_is_not_kept(capture, db, project):
    memory_id = capture.remember_note(
        project,
        ".env",
        3,
        3,
        "DATABASE_URL=postgres://app:hunter2@db/app",
        "The app reads its database from here",
    )
    memory = db.get_memory_by_id(memory_id)
    assert "hunter2" not in memory.verbatim and "postgres" not in memory.verbatim
    assert "not kept" in memory.verbatim


def test_configured_audiences_get_a_gist_too(capture, db, project):
    capture.set_audiences(["security"])
    memory_id = capture.remember_note(project, None, None, None, None, "Rotated the signing keys")
    assert db.get_audience_gists(memory_id)["security"] == "Rotated the signing keys"


# --------------------------------------------------------------- diagnostics
# The rule (docs/CAPTURE.md): a fix is a real error (in a saved state, or left alone for the
# settle time) that is gone after an edit and stays gone until saved or settled.

UNDEFINED = '"parse_config" is not defined'


class Buffer:
    """One file as the editor holds it, feeding the capture service as the server does."""

    def __init__(self, capture, clock, project, file, *, open_=True):
        self.capture, self.clock, self.project, self.file = capture, clock, project, file
        self.version = 1 if open_ else None
        self.text = self.saved = "\n".join(f"line {n}" for n in range(1, 60))
        if open_:
            capture.document_opened(project, file, 1, self.text)

    def type(self, line, text="x"):
        """An edit on a (1-based) line; text with newlines inserts lines."""
        self.version += 1
        self.text += text  # a different text; where it goes does not matter here
        self.capture.document_edited(
            self.project,
            self.file,
            self.version,
            LineEdit(line - 1, 0, line - 1, 0, text),
            self.text,
        )

    def save(self, deliberate=True):
        """Ctrl+S; ``deliberate=False``: files.autoSave after a delay."""
        self.saved = self.text
        self.capture.document_saved(self.project, self.file, self.text, deliberate)

    def revert(self):
        """File > Revert: the whole text replaced by the saved one."""
        self.version += 1
        self.text = self.saved
        self.capture.document_edited(self.project, self.file, self.version, None, self.text)

    def close(self):
        self.capture.document_closed(self.project, self.file)

    def report(self, *diagnostics):
        """The checker's new set, forwarded (as the extension does) a moment after it changed."""
        self.clock.advance(seconds=0.7)
        self.capture.diagnostics_changed(self.project, self.file, list(diagnostics), self.version)


def later(capture, clock, seconds=3):
    """Let time pass and store what is confirmed by then."""
    clock.advance(seconds=seconds)
    return capture.confirm_fixes(lambda project, file, line: "    settings = parse_config(path)")


def count(db):
    return db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0]


def undefined(line=42):
    return error(
        UNDEFINED, line, code="reportUndefinedVariable", text="    settings = parse_confg(path)"
    )


def test_a_saved_error_fixed_and_saved_is_one_fix_memory_at_its_line(capture, db, project, clock):
    app = Buffer(capture, clock, project, "src/app.py")
    app.report(undefined())
    app.type(42)
    app.report()
    assert later(capture, clock) == []  # unsaved, not settled: held
    app.save()
    [fix_id] = later(capture, clock)
    memory = db.get_memory_by_id(fix_id)
    assert memory.gist == f"Fixed {UNDEFINED}"
    assert memory.salience == "HIGH" and memory.event_type == "error_fixed"
    assert (memory.file_path, memory.line_number) == ("src/app.py", 42)
    assert "reportUndefinedVariable" in memory.verbatim and "Pylance" in memory.verbatim
    assert "settings = parse_confg(path)" in memory.verbatim  # the line as it was broken
    assert memory.anchor_text == "settings = parse_config(path)"  # the line as it is now
    assert set(db.get_audience_gists(fix_id)) == set(BUILTIN_AUDIENCES)
    assert later(capture, clock, 60) == []


def test_errors_seen_while_typing_are_not_fixes(capture, db, project, clock):
    app = Buffer(capture, clock, project, "src/auth.py")
    for typed, diagnostics in [
        ("def refresh_token(", [error('Expected ":"', 10)]),
        ("self, token", [error('Expected ":"', 10), error("Expected indented block", 11)]),
        (
            ":\n    return",
            [
                error(
                    'Function with declared return type "str" must return a value',
                    10,
                    code="reportReturnType",
                )
            ],
        ),
        (" token", []),
    ]:
        app.type(10, typed)
        clock.advance(seconds=1.5)  # a pause while thinking, longer than any debounce
        app.report(*diagnostics)
    app.save()
    assert later(capture, clock, 120) == []
    assert count(db) == 0


def test_saving_before_the_last_report_arrives_does_not_make_a_typing_error_real(
    capture, db, project, clock
):
    app = Buffer(capture, clock, project, "src/utils.py")
    app.type(11, "def title_case(")
    app.report(error('Expected ":"', 11))  # a pause to think: it is forwarded
    clock.advance(seconds=1.5)
    app.type(11, "text):")
    app.save()  # saved at once, before the checker's new set is forwarded
    app.report()
    assert later(capture, clock, 60) == []


def test_an_auto_save_during_a_pause_in_typing_does_not_make_its_errors_real(
    capture, db, project, clock
):
    app = Buffer(capture, clock, project, "src/utils.py")
    app.type(11, "def title_case(")
    app.report(error('Expected ":"', 11))
    app.save(deliberate=False)  # files.autoSave: afterDelay, during the pause
    clock.advance(seconds=1)
    app.report(error('Expected ":"', 11), error("Expected indented block", 12))
    app.type(11, "text):\n    return text.title()")
    app.report()
    app.save(deliberate=False)
    assert later(capture, clock, 60) == []


def test_an_error_typed_then_saved_is_real_and_its_fix_is_kept(capture, db, project, clock):
    app = Buffer(capture, clock, project, "auth/middleware.py")
    app.type(4, " +")
    app.save()
    app.report(error("invalid syntax", 4))  # reported about the saved text
    app.type(4, "")
    app.report()
    app.save()
    assert len(later(capture, clock)) == 1


class Sleeper:
    """Time passes for real: the capture service reads its own clock."""

    def advance(self, **delta):
        time.sleep(timedelta(**delta).total_seconds())


def test_a_report_the_latency_after_an_edit_is_about_that_edit_within_one_wall_clock_second(
    db, project
):
    capture = CaptureService(db)  # its own clock, as in the server
    time.sleep(1.02 - time.time() % 1)  # the edit and its report (0.7 s later) share one second
    app = Buffer(capture, Sleeper(), project, "auth/middleware.py")
    app.type(4, " +")
    app.save()
    app.report(error("invalid syntax", 4))  # 0.7 s after the edit: about the saved text
    app.type(4, "")
    app.report()
    app.save()
    time.sleep(capture.fixes.hold.total_seconds() + 0.1)
    assert len(capture.confirm_fixes(lambda project, file, line: None)) == 1


def test_a_file_auto_saved_earlier_does_not_stop_a_saved_error_elsewhere_being_real(
    capture, db, project, clock
):
    utils = Buffer(capture, clock, project, "src/utils.py")
    utils.type(3)
    utils.save(deliberate=False)  # typed a while ago and auto-saved, never saved on purpose
    app = Buffer(capture, clock, project, "auth/middleware.py")
    app.type(4, " +")
    app.save()
    app.report(error("invalid syntax", 4))
    app.type(4, "")
    app.report()
    app.save(deliberate=False)  # the fix is auto-saved
    assert len(later(capture, clock)) == 1


def test_errors_that_vanish_long_after_an_unrelated_edit_are_not_fixes(capture, db, project, clock):
    view = Buffer(capture, clock, project, "src/view.py", open_=False)
    view.report(error('Import "yaml" could not be resolved', 1, code="reportMissingImports"))
    other = Buffer(capture, clock, project, "src/other.py")
    other.type(3)
    other.save()
    clock.advance(seconds=30)
    view.report()  # the interpreter was switched; no code changed
    assert later(capture, clock, 60) == []


def test_an_error_left_alone_for_the_settle_time_is_real_and_its_fix_settles_unsaved(
    capture, db, project, clock
):
    app = Buffer(capture, clock, project, "src/app.py")
    app.type(1)  # unsaved work: the error is not in a saved version
    app.report(undefined())
    clock.advance(seconds=31)
    app.type(42)
    app.report()
    assert later(capture, clock, 3) == []
    assert len(later(capture, clock, 30)) == 1


def test_an_empty_set_with_no_edit_is_a_restart_not_a_fix(capture, db, project, clock):
    app = Buffer(capture, clock, project, "src/app.py")
    app.report(undefined())
    app.report()  # the language server restarted
    assert later(capture, clock, 60) == []
    app.report(undefined())
    app.type(1)
    app.report(undefined())
    app.save()
    assert later(capture, clock, 60) == []
    assert count(db) == 0


def test_an_error_that_comes_back_before_it_settles_was_not_fixed(capture, db, project, clock):
    app = Buffer(capture, clock, project, "src/app.py")
    app.report(undefined())
    app.type(42)
    app.report()  # a momentary empty set while the checker re-analyses
    clock.advance(seconds=1)
    app.report(undefined())
    app.save()
    assert later(capture, clock, 60) == []


def test_a_revert_is_not_a_fix_and_does_not_count_again(capture, db, project, clock):
    app = Buffer(capture, clock, project, "src/app.py")
    app.report(undefined())
    app.type(42)
    app.report()
    app.save()
    [fix_id] = later(capture, clock)
    clock.advance(hours=1)
    app.type(42)  # broken again and saved…
    app.report(undefined())
    app.save()
    app.type(42)  # …"fixed" in the buffer, then File > Revert
    app.report()
    app.revert()
    app.report(undefined())
    assert later(capture, clock, 60) == []
    assert db.get_memory_by_id(fix_id).occurrence_count == 1


def test_closing_a_file_without_saving_is_not_a_fix(capture, db, project, clock):
    app = Buffer(capture, clock, project, "src/app.py")
    app.report(undefined())
    app.type(42)
    app.report()
    app.close()
    app.report()  # the checker clears a closed file's diagnostics
    assert later(capture, clock, 60) == []
    assert count(db) == 0


def test_one_edit_clearing_identical_errors_in_many_files_is_one_memory_on_the_edited_file(
    capture, db, project, clock
):
    broken = '"fetch_user" is unknown import symbol'
    users = [Buffer(capture, clock, project, f"src/views/v{n}.py", open_=False) for n in range(5)]
    for view in users:
        view.report(
            error(broken, 1, code="reportAttributeAccessIssue"),
            error(broken, 7, code="reportAttributeAccessIssue"),
        )
    api = Buffer(capture, clock, project, "src/api.py")
    clock.advance(seconds=20)
    api.type(12, "fetch_user = get_user\n")
    clock.advance(seconds=1)
    for view in users:
        view.report()
    api.save()
    [fix_id] = later(capture, clock)
    memory = db.get_memory_by_id(fix_id)
    assert (memory.file_path, memory.line_number) == ("src/api.py", 12)
    assert memory.gist == f"Fixed {broken} (10 errors in 5 files)"
    assert "src/views/v0.py, src/views/v1.py" in memory.verbatim
    assert count(db) == 1


def test_an_error_that_only_moved_is_not_a_fix_and_a_fix_lands_where_its_line_went(
    capture, db, project, clock
):
    app = Buffer(capture, clock, project, "a.py")
    app.report(error("Expected expression", 10))
    app.type(1, "import os\nimport re\nimport io\n")
    app.report(error("Expected expression", 13))
    assert later(capture, clock, 60) == []
    app.type(13)
    app.report()
    app.type(1, "# header\n")  # lines inserted above after the fix, before it is confirmed
    app.save()
    [fix_id] = later(capture, clock)
    assert db.get_memory_by_id(fix_id).line_number == 14


def test_capture_is_by_code_as_well_as_severity_and_never_unused_imports(
    capture, db, project, clock
):
    app = Buffer(capture, clock, project, "a.py")
    app.report(
        error(UNDEFINED, 3, code="reportUndefinedVariable", severity=2),  # Pylance's default level
        error('Import "os" is not accessed', 1, code="reportUnusedImport", severity=1),
        error("Line too long", 5, code="E501", source="Ruff", severity=2),
    )
    for line in (1, 3, 5):
        app.type(line)
    app.report()
    app.save()
    [fix_id] = later(capture, clock)
    assert db.get_memory_by_id(fix_id).gist == f"Fixed {UNDEFINED}"


def test_the_kept_codes_are_a_setting(capture, db, project, clock):
    capture.configure_diagnostics(["Ruff:E501"], capture.fixes.settle)
    app = Buffer(capture, clock, project, "a.py")
    app.report(
        error(UNDEFINED, 3, code="reportUndefinedVariable", severity=2),
        error("Line too long", 5, code="E501", source="Ruff", severity=2),
    )
    app.type(3)
    app.type(5)
    app.report()
    app.save()
    [fix_id] = later(capture, clock)
    assert db.get_memory_by_id(fix_id).gist == "Fixed Line too long"


def test_the_same_error_fixed_again_within_a_week_is_counted_not_duplicated(
    capture, db, project, clock
):
    app = Buffer(capture, clock, project, "a.py")
    for _ in range(3):
        app.report(error("TypeError: NoneType", 3))
        app.type(3)
        app.report()
        app.save()
        later(capture, clock)
        clock.advance(days=1)
        app.type(3)
        app.save()
    memory = only_memory(db)
    assert memory.occurrence_count == 3
    clock.advance(days=8)
    app.report(error("TypeError: NoneType", 3))
    app.type(3)
    app.report()
    app.save()
    later(capture, clock)
    assert count(db) == 2


# --------------------------------------------------------------- terminal


def test_a_failing_command_is_remembered_with_exit_code_and_output_tail(capture, db, project):
    output = "\n".join(f"collecting line {i}" for i in range(100)) + (
        "\nE   ModuleNotFoundError: No module named 'yaml'\n1 failed in 0.21s"
    )
    memory_id = capture.command_finished(
        project, "pytest tests/test_config.py", 1, str(project), output
    )
    memory = db.get_memory_by_id(memory_id)
    assert memory.salience == "MEDIUM" and memory.event_type == "command_failed"
    assert "exit code 1" in memory.verbatim
    assert "No module named 'yaml'" in memory.verbatim
    assert "collecting line 0" not in memory.verbatim  # only the tail is kept
    assert "pytest tests/test_config.py" in memory.gist and "ModuleNotFoundError" in memory.gist


def test_a_failing_command_again_is_counted_then_its_success_is_a_fix_linked_to_it(
    capture, db, project
):
    failure = capture.command_finished(project, "npm run build", 2, None, "error TS2304")
    assert capture.command_finished(project, "npm  run build", 2, None, "error TS2304") == failure
    assert db.get_memory_by_id(failure).occurrence_count == 2
    fix = capture.command_finished(project, "npm run build", 0, None, "done")
    memory = db.get_memory_by_id(fix)
    assert memory.salience == "HIGH" and memory.event_type == "command_fixed"
    assert f"fixes:{failure}" in memory.tags
    assert f"#{failure}" in memory.verbatim
    assert capture.command_finished(project, "npm run build", 0, None, "done") is None


def test_a_passing_command_with_no_failure_before_it_is_not_remembered(capture, db, project):
    assert capture.command_finished(project, "make test", 0, None, "ok") is None
    assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 0


@pytest.mark.parametrize("command", ["cd src", "ls -la", "clear", "git status", "FOO=1 pwd", "  "])
def test_trivial_commands_are_ignored(capture, db, project, command):
    assert is_trivial_command(command) or not command.strip()
    assert capture.command_finished(project, command, 1, None, "boom") is None
    assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 0


@pytest.mark.parametrize("command", ["pytest", "git push", "cargo build", "npm test"])
def test_real_commands_are_not_trivial(command):
    assert not is_trivial_command(command)


@pytest.mark.parametrize("exit_code", [130, 143])
def test_a_command_stopped_with_ctrl_c_is_not_a_failure(capture, db, project, exit_code):
    assert capture.command_finished(project, "npm run dev", exit_code, None, "^C") is None
    assert capture.command_finished(project, "npm run dev", 0, None, "") is None
    assert count(db) == 0


def test_a_rejected_push_then_pull_and_push_is_routine(capture, db, project):
    rejected = (
        " ! [rejected]        main -> main (fetch first)\n"
        "error: failed to push some refs to 'github.com:acme/app.git'\n"
        "hint: Updates were rejected because the remote contains work that you do not have"
    )
    assert capture.command_finished(project, "git push", 1, None, rejected) is None
    assert (
        capture.command_finished(project, "git pull --rebase", 0, None, "Successfully rebased")
        is None
    )
    assert capture.command_finished(project, "git push", 0, None, "main -> main") is None
    assert count(db) == 0
    hook = "pre-push hook failed: 3 tests failed\nerror: failed to push some refs"
    assert capture.command_finished(project, "git push", 1, None, hook) is not None


@pytest.mark.parametrize(
    "variant",
    [
        "pytest tests/test_auth.py -x",
        "pytest -k refresh tests/test_auth.py",
        "pytest -v tests/test_auth.py::test_refresh_token",
        "source .venv/bin/activate && pytest tests/test_auth.py",
        "cd . && python -m pytest ./tests/test_auth.py -q",
    ],
)
def test_the_same_test_command_with_flags_a_node_id_or_a_setup_prefix_is_one_command(
    capture, db, project, variant
):
    failure = capture.command_finished(project, variant, 1, None, "E   KeyError: 'exp'\n1 failed")
    assert failure is not None
    fix = capture.command_finished(project, "pytest tests/test_auth.py", 0, None, "3 passed")
    assert f"fixes:{failure}" in db.get_memory_by_id(fix).tags
    assert command_key(variant) == "pytest tests/test_auth.py"


def test_different_test_targets_are_different_commands():
    assert command_key("pytest tests/test_auth.py") != command_key("pytest tests/test_api.py")
    assert command_key("make build") != command_key("make test")


def test_make_keeps_its_own_cause_and_other_tools_their_last_line(capture, db, project):
    failure = capture.command_finished(
        project, "make test", 2, None, "Makefile:5: *** missing separator.  Stop.\n"
    )
    assert db.get_memory_by_id(failure).gist.endswith("Makefile:5: *** missing separator. Stop.")
    other = capture.command_finished(
        project, "./deploy.sh", 3, None, "Deploying…\nno route to host db1\n\n"
    )
    assert db.get_memory_by_id(other).gist.endswith(": no route to host db1")


def test_opening_or_hovering_a_failure_does_not_make_a_second_pass_another_fix(
    capture, db, project, clock
):
    failure = capture.command_finished(project, "pytest", 1, None, "1 failed")
    clock.advance(minutes=1)
    fix = capture.command_finished(project, "pytest", 0, None, "4 passed")
    clock.advance(minutes=1)
    db.touch_memories([failure], clock.now)  # the user opens the failure in the tree
    clock.advance(minutes=1)
    assert capture.command_finished(project, "pytest", 0, None, "4 passed") is None
    assert db.get_memory_by_id(fix).occurrence_count == 1
    capture.command_finished(project, "pytest", 1, None, "1 failed")  # a real second round
    assert capture.command_finished(project, "pytest", 0, None, "4 passed") == fix
    assert db.get_memory_by_id(fix).occurrence_count == 2


# --------------------------------------------------------------- no secret reaches the file

AWS_KEY = "AKIA" + "Z7QK3M5N2P4R6T8V"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
DB_PASSWORD = "s3cr3t-Pa55w0rd"
STRIPE_KEY = "sk_live_" + "51HxQ2eKz9vYpLmN3bRtUwXa"


def test_no_secret_from_any_capture_path_reaches_the_database_file(db_path, project, clock):
    db = MemoryDatabase(db_path)
    capture = CaptureService(db, clock=clock)
    capture.remember_note(
        project,
        "deploy.py",
        3,
        3,
        f"key = '{AWS_KEY}'",
        f"Rotated the token {GITHUB_TOKEN} after the leak",
    )
    settings = Buffer(capture, clock, project, "settings.py")
    settings.report(
        error(
            f"cannot connect to postgres://admin:{DB_PASSWORD}@db.internal/app",
            8,
            text=f"STRIPE = '{STRIPE_KEY}'",
        )
    )
    settings.type(8)
    settings.report()
    settings.save()
    clock.advance(seconds=3)
    assert capture.confirm_fixes(lambda project, file, line: f"STRIPE = '{STRIPE_KEY}'  # now")
    capture.command_finished(
        project,
        f"curl -H 'Authorization: Bearer {GITHUB_TOKEN}' api",
        22,
        None,
        f"aws_access_key_id={AWS_KEY}\nerror: 403",
    )
    capture.command_finished(
        project, f"curl -H 'Authorization: Bearer {GITHUB_TOKEN}' api", 0, None, ""
    )
    assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 4
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    stored = db_path.read_bytes()
    for secret in (AWS_KEY, GITHUB_TOKEN, DB_PASSWORD, STRIPE_KEY):
        assert secret.encode() not in stored, secret
    assert b"[REDACTED:" in stored


def test_a_secret_in_any_capture_input_never_reaches_a_gist(capture, db, project):
    push = f"git push https://x:{GITHUB_TOKEN}@github.com/acme/app"
    failure = capture.command_finished(
        project, push, 128, None, f"remote: invalid token {GITHUB_TOKEN}"
    )
    note = capture.remember_note(
        project, "a.py", 1, 1, f"k = '{AWS_KEY}'", f"Push with token {GITHUB_TOKEN} was rejected"
    )
    for memory_id in (failure, note):
        gists = db.get_audience_gists(memory_id)
        assert gists and all(
            GITHUB_TOKEN not in gist and AWS_KEY not in gist for gist in gists.values()
        )
    assert "[REDACTED:github_token]" in db.get_audience_gists(note)["developer"]


def test_a_rewritten_gist_is_redacted_and_the_old_one_kept_in_history(capture, db, project):
    memory_id = capture.remember_note(project, None, None, None, None, "Cache TTL is 5 minutes")
    before = db.get_audience_gists(memory_id)["manager"]
    capture.rewrite_gist(memory_id, "manager", f"Caching tuned (key {AWS_KEY})")
    assert (
        db.get_audience_gists(memory_id)["manager"]
        == "Caching tuned (key [REDACTED:aws_access_key])"
    )
    assert [entry.gist for entry in db.get_gist_history(memory_id, "manager")] == [before]
    with pytest.raises(ValueError, match="valid audiences"):
        capture.rewrite_gist(memory_id, "boss", "text")
