"""No secret in any byte: the corpus of tests/server/secret_corpus.py through every way in.

Each fake secret goes through each capture path (note, selection, fixed diagnostic, failing
command and its output, import) into a real store; then the database file, its write-ahead
log and both export formats are searched, as bytes, for every secret.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.server.conftest import fix_error
from tests.server.secret_corpus import HARMLESS, SECRETS, Case
from vidurai.cli.output import export_markdown
from vidurai.memory.archive import import_records
from vidurai.memory.capture import CaptureService
from vidurai.memory.fixes import DiagnosticEvent
from vidurai.memory.redact import REDACTED_PREFIX, redact
from vidurai.storage import MemoryDatabase


def test_the_corpus_is_broad():
    assert len(SECRETS) >= 300
    assert len({case.kind for case in SECRETS}) >= 80
    assert len(HARMLESS) >= 300


def _leaked_parts(case: Case) -> list[str]:
    """The secret, and for a long one its random tail alone (a half-redacted token leaks it)."""
    parts = [case.secret]
    if len(case.secret) >= 24:
        parts.append(case.secret[-16:])
    return parts


@pytest.mark.parametrize(
    "case", SECRETS, ids=[f"{n}-{case.kind}" for n, case in enumerate(SECRETS)]
)
def test_every_secret_is_redacted(case):
    redacted = redact(case.text)

    assert [part for part in _leaked_parts(case) if part in redacted] == []
    assert REDACTED_PREFIX in redacted


def test_false_positives_stay_under_one_percent():
    changed = [(text, redact(text)) for text in HARMLESS if redact(text) != text]

    assert len(changed) <= len(HARMLESS) // 100, changed


# --------------------------------------------------------------- end to end, in bytes


class _Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 20, 9, 0, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _through_note(capture: CaptureService, project, case: Case) -> None:
    assert capture.remember_note(project, None, None, None, None, f"Deploy notes: {case.text}")


def _through_selection(capture: CaptureService, project, case: Case) -> None:
    assert capture.remember_note(project, "src/deploy.py", 3, 9, case.text, "Why the deploy broke")


def _through_diagnostic(capture: CaptureService, project, case: Case) -> None:
    file = f"src/config_{id(case)}.py"
    shown = DiagnosticEvent(
        message=f"Invalid value: {case.text}",
        line=4,
        code="reportGeneralTypeIssues",
        source="Pylance",
        line_text=case.text.splitlines()[0],
    )
    assert fix_error(capture, project, file, shown, fixed_line=case.text.splitlines()[0])


def _through_command(capture: CaptureService, project, case: Case) -> None:
    assert capture.command_finished(project, f"./scripts/release.sh {case.text}", 1, str(project))


def _through_command_output(capture: CaptureService, project, case: Case) -> None:
    output = f"Uploading build {id(case)}\n{case.text}\nError: release failed (HTTP 403)\n"
    assert capture.command_finished(
        project, f"./scripts/release.sh --build {id(case)}", 1, None, output
    )


def _through_import(capture: CaptureService, project, case: Case) -> None:
    record = {
        "project_path": str(project),
        "verbatim": case.text,
        "gist": f"Imported: {case.text}",
        "event_type": "note",
        "salience": "HIGH",
        "created_at": f"2026-01-01T00:00:{id(case) % 60:02d}Z",
        "anchor_text": case.text,
        "tags": [case.text],
        "audience_gists": {"developer": {"gist": case.text}, "ai": {"gist": case.text}},
        "gist_history": [
            {"audience": "manager", "gist": case.text, "replaced_at": "2026-01-02T00:00:00Z"}
        ],
    }
    assert import_records(capture.db, [json.dumps(record)]).imported == 1


_PATHS = {
    "note": _through_note,
    "selection": _through_selection,
    "diagnostic": _through_diagnostic,
    "terminal command": _through_command,
    "terminal output": _through_command_output,
    "import": _through_import,
}


@pytest.mark.parametrize("way_in", _PATHS.values(), ids=_PATHS.keys())
def test_no_secret_reaches_the_database_its_log_or_an_export(tmp_path, way_in):
    path = tmp_path / "memory.db"
    project = tmp_path / "project"
    project.mkdir()
    db = MemoryDatabase(path)
    capture = CaptureService(db, clock=_Clock())
    try:
        for case in SECRETS:
            way_in(capture, project, case)
        records = db.export_records(None)
        exported = (
            "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)
            + export_markdown(records)
        ).encode()
        stored = path.read_bytes() + path.with_name("memory.db-wal").read_bytes()
    finally:
        db.close()
    stored += path.read_bytes()  # after the final checkpoint too

    assert len(records) >= len(SECRETS) // 2  # most went in as memories of their own
    for where, data in (("database or its log", stored), ("export", exported)):
        leaked = [
            (case.kind, part)
            for case in SECRETS
            for part in _leaked_parts(case)
            if part.encode() in data
        ]
        assert leaked == [], f"found in the {where}"
