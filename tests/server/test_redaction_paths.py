"""Paths that used to skip or defeat redaction: cuts before redaction, a diagnostic's code and
source, the fixed-error fingerprint, and `vidurai import`."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from tests.server.conftest import fix_error
from vidurai.limits import KEPT_SELECTION_CHARS, OUTPUT_TAIL_CHARS, OUTPUT_TAIL_LINES
from vidurai.memory.capture import CaptureService
from vidurai.memory.fixes import DiagnosticEvent

TOKEN = "ghp_" + "Qz8xW2vR5tY7uI9oP1aS3dF6gH4jK0lZ2xC5"
AWS_KEY = "AKIA" + "J4WQ7ZC2MX9BT5RE"
PEM_LINES = (
    ["-----BEGIN RSA " + "PRIVATE KEY-----"]
    + [
        f"MIIEpAIBAAKCAQEA{n:02d}"
        + "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVHnW0BbNcGQ8dx2"
        for n in range(40)
    ]
    + ["-----END RSA " + "PRIVATE KEY-----"]
)


class Clock:
    def __init__(self):
        self.now = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def capture(db, clock):
    return CaptureService(db, clock=clock)


def stored_text(db) -> str:
    """Every text the store holds for its memories: columns, tags and gists."""
    rows = db.conn.execute(
        "SELECT verbatim, gist, anchor_text, tags, fingerprint FROM memories"
    ).fetchall()
    gists = db.conn.execute("SELECT gist FROM audience_gists").fetchall()
    return "\n".join(str(value) for row in [*rows, *gists] for value in row)


# --------------------------------------------------------------- redact first, then cut


def test_a_private_key_whose_begin_line_is_outside_the_output_tail_is_not_kept(
    capture, db, project
):
    output = "\n".join(["$ cat deploy.pem", *PEM_LINES, "Error: key rejected"])
    assert len(PEM_LINES) > OUTPUT_TAIL_LINES

    assert capture.command_finished(project, "./deploy.sh", 1, None, output)

    text = stored_text(db)
    assert "[REDACTED:private_key]" in text
    assert "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t" not in text


def test_a_private_key_whose_begin_line_the_editor_cut_off_is_not_kept(capture, db, project):
    # The editor sends only the last kilobytes of output: the cut may fall inside a key.
    output = PEM_LINES[20][30:] + "\n" + "\n".join(PEM_LINES[21:]) + "\nError: key rejected"

    assert capture.command_finished(project, "./deploy.sh", 1, None, output)

    text = stored_text(db)
    assert "[REDACTED:private_key]" in text
    assert "u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0t" not in text and PEM_LINES[20][-20:] not in text


def test_a_token_straddling_the_output_cut_leaves_no_fragment(capture, db, project):
    # The last OUTPUT_TAIL_CHARS characters start 20 characters before the token ends.
    after_token = (
        "\n" + "y" * (OUTPUT_TAIL_CHARS - 20 - len("\n\nError: denied")) + "\nError: denied"
    )
    output = f"login with {TOKEN}{after_token}"
    assert len(after_token) == OUTPUT_TAIL_CHARS - 20

    assert capture.command_finished(project, "./login.sh", 1, None, output)

    assert TOKEN[-20:] not in stored_text(db)


def test_a_token_straddling_the_command_cut_leaves_no_fragment(capture, db, project):
    command = "./deploy.sh --note " + "a" * 1_963 + " " + TOKEN
    assert len(command) > 2_000 > command.index(TOKEN) + 12

    assert capture.command_finished(project, command, 1, None)

    assert TOKEN[:12] not in stored_text(db)


def test_a_token_straddling_the_selection_cut_leaves_no_fragment(capture, db, project):
    # The cut falls 16 characters into the token.
    before_token = "x" * (KEPT_SELECTION_CHARS - 16 - len("\ntoken = '")) + "\ntoken = '"
    selection = before_token + TOKEN + "'\n"

    assert capture.remember_note(project, "src/app.py", 1, 3000, selection, "Where the token went")

    assert TOKEN[:12] not in stored_text(db)


# --------------------------------------------------------------- diagnostics


def fix(capture, clock, project, diagnostic, file="src/app.py"):
    return fix_error(capture, project, file, diagnostic, advance=clock.advance)


def test_a_diagnostics_code_and_source_are_redacted_in_tags_and_gists(capture, clock, db, project):
    diagnostic = DiagnosticEvent(
        message="Hard-coded credential",
        line=3,
        code=f"credential:{TOKEN}",
        source=f"scanner {AWS_KEY}",
    )

    [memory_id] = fix(capture, clock, project, diagnostic)

    text = stored_text(db)
    assert TOKEN not in text and AWS_KEY not in text
    assert "[REDACTED:github_token]" in db.get_memory_by_id(memory_id).tags[1]


def test_a_fixed_errors_fingerprint_does_not_depend_on_the_secret_in_it(
    capture, clock, db, project
):
    """The fingerprint is exported: taken over the unredacted message, a weak password in it
    could be guessed offline. Two errors differing only in the password are one memory."""
    first = fix(
        capture, clock, project, DiagnosticEvent("connect failed: password=" + "hunter2", 3)
    )
    second = fix(
        capture, clock, project, DiagnosticEvent("connect failed: password=" + "swordfish", 3)
    )

    assert first == second
    assert db.get_memory_by_id(first[0]).occurrence_count == 2


# --------------------------------------------------------------- import


def run_cli(db_path, project, *args):
    return subprocess.run(
        [sys.executable, "-m", "vidurai", "--db", str(db_path), "--project", str(project), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def archive_line(project, **changes) -> str:
    record = {
        "project_path": str(project),
        "verbatim": f"aws_access_key_id = {AWS_KEY}\ngit push https://{TOKEN}@github.com/acme/app",
        "gist": f"Rotated {AWS_KEY}",
        "event_type": "note",
        "salience": "HIGH",
        "created_at": "2026-01-01T00:00:00Z",
        "tags": [TOKEN],
        "audience_gists": {"developer": {"gist": f"Token {TOKEN} rotated"}},
        "gist_history": [
            {"audience": "ai", "gist": f"key {AWS_KEY}", "replaced_at": "2026-01-02T00:00:00Z"}
        ],
    }
    return json.dumps(record | changes) + "\n"


def test_import_redacts_every_text_like_any_other_path(tmp_path, project):
    archive = tmp_path / "export.jsonl"
    archive.write_text(archive_line(project))

    result = run_cli(tmp_path / "memory.db", project, "import", str(archive))

    assert result.returncode == 0, result.stderr
    stored = (tmp_path / "memory.db").read_bytes()  # the CLI has closed it: no log left
    assert AWS_KEY.encode() not in stored and TOKEN.encode() not in stored
    connection = sqlite3.connect(tmp_path / "memory.db")
    [(verbatim, tags)] = connection.execute("SELECT verbatim, tags FROM memories").fetchall()
    connection.close()
    assert "aws_access_key_id = [REDACTED:aws_access_key]" in verbatim
    assert json.loads(tags) == ["[REDACTED:github_token]"]


def test_import_refuses_an_unknown_audience_and_imports_nothing(tmp_path, project):
    archive = tmp_path / "export.jsonl"
    archive.write_text(
        archive_line(project, gist="First")
        + archive_line(project, gist="Second", audience_gists={"reviewer": {"gist": "Looks fine"}})
    )
    db_path = tmp_path / "memory.db"

    refused = run_cli(db_path, project, "import", str(archive))

    assert refused.returncode == 1
    assert "line 2: unknown audience 'reviewer'" in refused.stderr
    assert "--audience reviewer" in refused.stderr and "nothing was imported" in refused.stderr
    connection = sqlite3.connect(db_path)
    assert connection.execute("SELECT COUNT(*) FROM memories").fetchone()[0] == 0

    accepted = run_cli(db_path, project, "import", "--audience", "reviewer", str(archive))

    assert accepted.returncode == 0, accepted.stderr
    assert connection.execute(
        "SELECT audience, gist FROM audience_gists WHERE audience = 'reviewer'"
    ).fetchall() == [("reviewer", "Looks fine")]
    connection.close()
