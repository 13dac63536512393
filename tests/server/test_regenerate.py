"""Gists made by older rules are made again on upgrade; the ones the user wrote are kept."""

from __future__ import annotations

import sqlite3

from tests.server.conftest import fix_error
from tests.server.test_migrations import make_v1_database
from vidurai.gists import GENERATOR_VERSION, MultiAudienceGistGenerator
from vidurai.memory.capture import CaptureService
from vidurai.memory.fixes import DiagnosticEvent
from vidurai.memory.regenerate import GENERATOR_KEY, regenerate_gists
from vidurai.storage import MemoryDatabase
from vidurai.storage.migrations import migrate

# What the previous generator stored: the place baked in, the note repeated with a prefix.
OLD_GISTS = {
    "developer": "Fixed Expected indented block in invoice.py (line 42)",
    "ai": "Bug resolution: Fixed Expected indented block (src/billing/invoice.py:42)",
    "manager": "Fixed a code style issue",
    "personal": "I fixed an error: Expected indented block",
}


def captured_fix(capture: CaptureService, clock, project) -> int:
    (memory_id,) = fix_error(
        capture,
        project,
        "src/billing/invoice.py",
        DiagnosticEvent("Expected indented block", 42, source="Pylance"),
        advance=clock.advance,
    )
    return memory_id


def test_old_gists_are_made_again_and_the_user_s_own_gist_is_kept(db, project, clock):
    capture = CaptureService(db, clock=clock)
    memory_id = captured_fix(capture, clock, project)
    new_gists = db.get_audience_gists(memory_id)
    db.replace_generated_gists({memory_id: OLD_GISTS})  # as an older version left them
    capture.rewrite_gist(memory_id, "manager", "Invoices render again")

    changed = regenerate_gists(db, capture.generator)

    assert changed == 3
    assert db.get_audience_gists(memory_id) == {**new_gists, "manager": "Invoices render again"}
    history = [(h.audience, h.gist) for h in db.get_gist_history(memory_id)]
    for audience in ("developer", "ai", "personal"):
        assert (audience, OLD_GISTS[audience]) in history  # the old text is kept
    assert db.get_metadata(GENERATOR_KEY) == GENERATOR_VERSION


def test_regenerated_gists_match_what_capture_makes_for_each_kind(db, project, clock):
    capture = CaptureService(db, clock=clock)
    ids = [
        captured_fix(capture, clock, project),
        capture.command_finished(
            project,
            "npm test",
            1,
            str(project),
            "Error: Cannot find module 'jose'\n    at Module._resolveFilename",
        ),
    ]
    ids.append(capture.command_finished(project, "npm test", 0, str(project), "3 passing"))
    ids.append(
        capture.remember_note(
            project,
            "src/jobs/nightly.py",
            5,
            5,
            "SCHEDULE = 3",
            "The nightly job must run after 02:00 UTC",
        )
    )
    made_by_capture = {memory_id: db.get_audience_gists(memory_id) for memory_id in ids}
    db.replace_generated_gists({memory_id: OLD_GISTS for memory_id in ids})

    regenerate_gists(db, capture.generator)

    assert {memory_id: db.get_audience_gists(memory_id) for memory_id in ids} == made_by_capture


def test_regeneration_runs_once_per_generator_version(db, project, clock):
    capture = CaptureService(db, clock=clock)
    memory_id = captured_fix(capture, clock, project)
    regenerate_gists(db, capture.generator)
    db.replace_generated_gists({memory_id: OLD_GISTS})

    assert regenerate_gists(db, capture.generator) == 0  # already current: nothing is read
    assert db.get_audience_gists(memory_id) == OLD_GISTS


def test_a_gist_rewritten_before_the_upgrade_counts_as_the_user_s(tmp_path):
    path = tmp_path / "memory.db"
    make_v1_database(path, tmp_path)
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, path)
    conn.execute("UPDATE metadata SET value = '5' WHERE key = 'schema_version'")
    conn.execute("ALTER TABLE audience_gists DROP COLUMN written_by_user")  # a v5 file
    conn.execute(
        "INSERT INTO audience_gists (memory_id, audience, gist) VALUES (1, 'manager', 'gen')"
    )
    conn.execute("INSERT INTO audience_gists (memory_id, audience, gist) VALUES (1, 'ai', 'gen')")
    conn.execute("UPDATE audience_gists SET gist = 'Login works again' WHERE audience = 'manager'")
    conn.close()

    with MemoryDatabase(path) as db:
        regenerate_gists(db, MultiAudienceGistGenerator())
        gists = db.get_audience_gists(1)

    assert gists["manager"] == "Login works again"
    assert gists["ai"] != "gen"
