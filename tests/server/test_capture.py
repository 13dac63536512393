"""Capture: notes, fixed errors and commands become memories, redacted, with every gist."""

from datetime import datetime, timedelta, timezone

import pytest

from vidurai.memory.capture import CaptureService, DiagnosticEvent, is_trivial_command
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
    return DiagnosticEvent(message=message, line=line, severity=severity, code=code,
                           source=source, line_text=text)


# --------------------------------------------------------------- notes


def test_a_note_is_the_gist_the_selection_the_verbatim_anchored_at_the_line(capture, db, project):
    memory_id = capture.remember_note(
        project, "src/cache.py", 12, 14, "def evict(self):\n    ...", "Evicting on write keeps reads O(1)"
    )
    memory = db.get_memory_by_id(memory_id)
    assert memory["gist"] == "Evicting on write keeps reads O(1)"
    assert "def evict(self):" in memory["verbatim"]
    assert (memory["file_path"], memory["line_number"], memory["end_line"]) == ("src/cache.py", 12, 14)
    assert memory["anchor_text"] == "def evict(self):"
    assert memory["event_type"] == "note"
    gists = db.get_audience_gists(memory_id)
    assert set(gists) == set(BUILTIN_AUDIENCES)
    assert all(text.strip() for text in gists.values())


def test_a_note_marked_critical_is_critical(capture, db, project):
    memory_id = capture.remember_note(project, None, None, None, None, "Never run migrations on Friday",
                                      salience="critical")
    assert db.get_memory_by_id(memory_id)["salience"] == "CRITICAL"


def test_an_empty_note_is_refused_and_stores_nothing(capture, db, project):
    with pytest.raises(ValueError, match="note"):
        capture.remember_note(project, "a.py", 1, 1, "x = 1", "   ")
    assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 0


def test_a_selection_from_a_sensitive_file_is_not_kept(capture, db, project):
    memory_id = capture.remember_note(project, ".env", 3, 3, "DATABASE_URL=postgres://app:hunter2@db/app",
                                      "The app reads its database from here")
    memory = db.get_memory_by_id(memory_id)
    assert "hunter2" not in memory["verbatim"] and "postgres" not in memory["verbatim"]
    assert "not kept" in memory["verbatim"]


def test_configured_audiences_get_a_gist_too(capture, db, project):
    capture.set_audiences(["security"])
    memory_id = capture.remember_note(project, None, None, None, None, "Rotated the signing keys")
    assert db.get_audience_gists(memory_id)["security"] == "Rotated the signing keys"


# --------------------------------------------------------------- diagnostics


def test_an_error_gone_after_an_edit_becomes_a_fix_memory_at_its_line(capture, db, project):
    broken = error('"parse_config" is not defined', 42, code="reportUndefinedVariable",
                   text="    settings = parse_config(path)")
    assert capture.diagnostics_changed(project, "src/app.py", [broken], 3) == []
    [fix_id] = capture.diagnostics_changed(project, "src/app.py", [], 4)
    memory = db.get_memory_by_id(fix_id)
    assert memory["gist"] == 'Fixed "parse_config" is not defined'
    assert memory["salience"] == "HIGH" and memory["event_type"] == "error_fixed"
    assert (memory["file_path"], memory["line_number"]) == ("src/app.py", 42)
    assert "reportUndefinedVariable" in memory["verbatim"]
    assert "Pylance" in memory["verbatim"]
    assert "settings = parse_config(path)" in memory["verbatim"]
    assert memory["anchor_text"] == "settings = parse_config(path)"
    assert set(db.get_audience_gists(fix_id)) == set(BUILTIN_AUDIENCES)


def test_an_error_that_only_moved_to_another_line_is_not_a_fix(capture, db, project):
    capture.diagnostics_changed(project, "a.py", [error("Expected expression", 10)], 1)
    assert capture.diagnostics_changed(project, "a.py", [error("Expected expression", 13)], 2) == []
    assert capture.diagnostics_changed(project, "a.py", [], 3) != []
    assert only_memory(db)["line_number"] == 13


def test_an_error_that_vanishes_without_an_edit_is_not_a_fix(capture, db, project):
    capture.diagnostics_changed(project, "a.py", [error("Import could not be resolved", 1)], 5)
    assert capture.diagnostics_changed(project, "a.py", [], 5) == []
    assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 0


def test_one_of_two_identical_errors_fixed_is_remembered_at_the_fixed_line(capture, db, project):
    same = "Argument of type None cannot be assigned"
    capture.diagnostics_changed(project, "a.py", [error(same, 5), error(same, 9)], 1)
    capture.diagnostics_changed(project, "a.py", [error(same, 5)], 2)
    assert only_memory(db)["line_number"] == 9


def test_warnings_are_not_captured_by_default_but_can_be(db, project, clock):
    quiet = CaptureService(db, clock=clock)
    quiet.diagnostics_changed(project, "a.py", [error("unused import os", 1, severity=2)], 1)
    assert quiet.diagnostics_changed(project, "a.py", [], 2) == []
    loud = CaptureService(db, clock=clock, capture_warnings=True)
    loud.diagnostics_changed(project, "a.py", [error("unused import os", 1, severity=2)], 1)
    assert len(loud.diagnostics_changed(project, "a.py", [], 2)) == 1


def test_the_same_error_fixed_again_within_a_week_is_counted_not_duplicated(capture, db, project, clock):
    for version in range(1, 7, 2):
        capture.diagnostics_changed(project, "a.py", [error("TypeError: NoneType", 3)], version)
        capture.diagnostics_changed(project, "a.py", [], version + 1)
        clock.advance(days=1)
    memory = only_memory(db)
    assert memory["occurrence_count"] == 3
    clock.advance(days=8)
    capture.diagnostics_changed(project, "a.py", [error("TypeError: NoneType", 3)], 10)
    capture.diagnostics_changed(project, "a.py", [], 11)
    assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 2


# --------------------------------------------------------------- terminal


def test_a_failing_command_is_remembered_with_exit_code_and_output_tail(capture, db, project):
    output = "\n".join(f"collecting line {i}" for i in range(100)) + (
        "\nE   ModuleNotFoundError: No module named 'yaml'\n1 failed in 0.21s")
    memory_id = capture.command_finished(project, "pytest tests/test_config.py", 1, str(project), output)
    memory = db.get_memory_by_id(memory_id)
    assert memory["salience"] == "MEDIUM" and memory["event_type"] == "command_failed"
    assert "exit code 1" in memory["verbatim"]
    assert "No module named 'yaml'" in memory["verbatim"]
    assert "collecting line 0" not in memory["verbatim"]  # only the tail is kept
    assert "pytest tests/test_config.py" in memory["gist"] and "ModuleNotFoundError" in memory["gist"]


def test_a_failing_command_again_is_counted_then_its_success_is_a_fix_linked_to_it(capture, db, project):
    failure = capture.command_finished(project, "npm run build", 2, None, "error TS2304")
    assert capture.command_finished(project, "npm  run build", 2, None, "error TS2304") == failure
    assert db.get_memory_by_id(failure)["occurrence_count"] == 2
    fix = capture.command_finished(project, "npm run build", 0, None, "done")
    memory = db.get_memory_by_id(fix)
    assert memory["salience"] == "HIGH" and memory["event_type"] == "command_fixed"
    assert f"fixes:{failure}" in memory["tags"]
    assert f"#{failure}" in memory["verbatim"]
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


# --------------------------------------------------------------- no secret reaches the file

AWS_KEY = "AKIA" + "Z7QK3M5N2P4R6T8V"
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
DB_PASSWORD = "s3cr3t-Pa55w0rd"
STRIPE_KEY = "sk_live_" + "51HxQ2eKz9vYpLmN3bRtUwXa"


def test_no_secret_from_any_capture_path_reaches_the_database_file(db_path, project, clock):
    db = MemoryDatabase(db_path)
    capture = CaptureService(db, clock=clock)
    capture.remember_note(project, "deploy.py", 3, 3, f"key = '{AWS_KEY}'",
                          f"Rotated the token {GITHUB_TOKEN} after the leak")
    capture.diagnostics_changed(
        project, "settings.py",
        [error(f"cannot connect to postgres://admin:{DB_PASSWORD}@db.internal/app", 8,
               text=f"STRIPE = '{STRIPE_KEY}'")], 1)
    capture.diagnostics_changed(project, "settings.py", [], 2)
    capture.command_finished(project, f"curl -H 'Authorization: Bearer {GITHUB_TOKEN}' api", 22,
                             None, f"aws_access_key_id={AWS_KEY}\nerror: 403")
    capture.command_finished(project, f"curl -H 'Authorization: Bearer {GITHUB_TOKEN}' api", 0, None, "")
    assert db.conn.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 4
    db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    stored = db_path.read_bytes()
    for secret in (AWS_KEY, GITHUB_TOKEN, DB_PASSWORD, STRIPE_KEY):
        assert secret.encode() not in stored, secret
    assert b"[REDACTED:" in stored


def test_a_secret_in_any_capture_input_never_reaches_a_gist(capture, db, project):
    push = f"git push https://x:{GITHUB_TOKEN}@github.com/acme/app"
    failure = capture.command_finished(project, push, 128, None, f"remote: invalid token {GITHUB_TOKEN}")
    note = capture.remember_note(project, "a.py", 1, 1, f"k = '{AWS_KEY}'", f"Push with token {GITHUB_TOKEN} was rejected")
    for memory_id in (failure, note):
        gists = db.get_audience_gists(memory_id)
        assert gists and all(GITHUB_TOKEN not in gist and AWS_KEY not in gist for gist in gists.values())
    assert "[REDACTED:github_token]" in db.get_audience_gists(note)["developer"]


def test_a_rewritten_gist_is_redacted_and_the_old_one_kept_in_history(capture, db, project):
    memory_id = capture.remember_note(project, None, None, None, None, "Cache TTL is 5 minutes")
    before = db.get_audience_gists(memory_id)["manager"]
    capture.rewrite_gist(memory_id, "manager", f"Caching tuned (key {AWS_KEY})")
    assert db.get_audience_gists(memory_id)["manager"] == "Caching tuned (key [REDACTED:aws_access_key])"
    assert [entry["gist"] for entry in db.get_gist_history(memory_id, "manager")] == [before]
    with pytest.raises(ValueError, match="valid audiences"):
        capture.rewrite_gist(memory_id, "boss", "text")
