"""The `vidurai` command line, run as a user runs it: a subprocess on a temporary database."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.lsp.conftest import APP, Editor
from tests.server.conftest import FOUR_GISTS
from vidurai.memory.briefing import build_context, build_report
from vidurai.storage import MemoryDatabase
from vidurai.storage.models import utc_now
from vidurai.gists import GENERATOR_VERSION
from vidurai.memory.regenerate import GENERATOR_KEY

MEMORY_KEYS = {
    "id",
    "project_path",
    "file_path",
    "line_number",
    "end_line",
    "salience",
    "event_type",
    "gist",
    "audience",
    "audience_gist",
    "snippet",
    "tags",
    "pinned",
    "pinned_at",
    "pin_reason",
    "detached",
    "occurrence_count",
    "access_count",
    "created_at",
    "last_accessed",
    "expires_at",
}


@dataclass
class Result:
    code: int
    out: str
    err: str


class Cli:
    """Runs `python -m vidurai …` against one database and one project folder."""

    def __init__(self, db_path: Path, project: Path, home: Path):
        self.db_path = db_path
        self.project = project
        self.env = {**os.environ, "VIDURAI_HOME": str(home)}

    def run(self, *args: str, cwd: Path | None = None, located: bool = True) -> Result:
        where = ["--db", str(self.db_path), "--project", str(self.project)] if located else []
        done = subprocess.run(
            [sys.executable, "-m", "vidurai", *args, *where],
            capture_output=True,
            text=True,
            env=self.env,
            cwd=cwd or self.project,
            timeout=120,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str, **kwargs: Any) -> str:
        result = self.run(*args, **kwargs)
        assert result.code == 0, result.err
        assert result.err == ""
        return result.out

    def json(self, *args: str, **kwargs: Any) -> Any:
        return json.loads(self.ok(*args, "--json", **kwargs))

    def fails(self, *args: str, code: int = 1, **kwargs: Any) -> str:
        result = self.run(*args, **kwargs)
        assert result.code == code, (result.out, result.err)
        assert result.out == ""
        return result.err


@pytest.fixture
def workspace(tmp_path):
    folder = tmp_path / "ws"
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "app.py").write_text("".join(f"value_{n} = {n}\n" for n in range(1, 31)))
    return folder.resolve()


@pytest.fixture
def cli(tmp_path, workspace):
    home = tmp_path / "home"
    home.mkdir()
    return Cli(tmp_path / "memory.db", workspace, home)


@pytest.fixture
def store(cli):
    """The same database, opened in the test, to seed and to check what the CLI did."""
    database = MemoryDatabase(cli.db_path)
    # Made by this version: the gists seeded below are current and not made again.
    database.set_metadata(GENERATOR_KEY, GENERATOR_VERSION)
    yield database
    database.close()


def seed(
    store: MemoryDatabase,
    project: Path,
    gist: str,
    salience: str = "HIGH",
    file: str | None = "src/app.py",
    line: int | None = 7,
    days_ago: float = 3,
    **extra,
) -> int:
    return store.store_memory(
        project,
        f"verbatim of {gist}",
        gist,
        salience,
        "error_fixed",
        file,
        line,
        created_at=utc_now() - timedelta(days=days_ago),
        audience_gists={**FOUR_GISTS, "ai": f"AI: {gist}", "manager": f"Manager: {gist}"},
        **extra,
    )


# ---------------------------------------------------------------------- remember


def test_remember_as_the_extension_e2e_seeds_it_anchors_the_note_at_file_and_line(cli, store):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "vidurai",
            "remember",
            "Retry the flaky upload twice",
            "--file",
            "src/app.py",
            "--line",
            "12",
            "--db",
            str(cli.db_path),
            "--project",
            str(cli.project),
        ],
        capture_output=True,
        text=True,
        env=cli.env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "src/app.py:12" in result.stdout

    memories = store.memories_at(cli.project, "src/app.py", 12)
    assert [m.gist for m in memories] == ["Retry the flaky upload twice"]
    assert "value_12 = 12" in memories[0].verbatim  # the line it is about
    assert set(store.get_audience_gists(memories[0].id)) == set(FOUR_GISTS)


def test_remember_redacts_secrets_before_they_are_stored(cli, store):
    memory = cli.json("remember", "deploy key is ghp_abcdefghijklmnopqrstuvwxyz0123456789 now")
    stored = store.get_memory_by_id(memory["id"])
    gists = store.get_audience_gists(memory["id"])
    for text in (stored.gist, stored.verbatim, *gists.values()):
        assert "ghp_abcdefghijklmnopqrstuvwxyz0123456789" not in text


def test_remember_takes_salience_and_an_absolute_path_inside_the_project(cli, store):
    memory = cli.json(
        "remember",
        "Never call the payment API twice",
        "--file",
        str(cli.project / "src" / "app.py"),
        "--line",
        "3",
        "--end-line",
        "5",
        "--salience",
        "critical",
    )
    assert (memory["file_path"], memory["line_number"], memory["end_line"]) == ("src/app.py", 3, 5)
    assert memory["salience"] == "CRITICAL"
    assert memory["expires_at"] is None  # critical memories are never forgotten


def test_remember_refuses_a_file_outside_the_project_and_stores_nothing(cli, store, tmp_path):
    error = cli.fails("remember", "note", "--file", str(tmp_path / "elsewhere.py"), "--line", "1")
    assert error.startswith("vidurai: error: ") and "not inside the project" in error
    assert store.count_memories(cli.project) == 0


def test_remember_usage_errors_exit_2(cli, store):
    assert "--line needs --file" in cli.fails("remember", "note", "--line", "3", code=2)
    assert "salience" in cli.fails("remember", "note", "--salience", "urgent", code=2)
    assert "must be 1 or more" in cli.fails(
        "remember", "note", "--file", "a.py", "--line", "0", code=2
    )
    assert "non-empty" in cli.fails("remember", "   ")
    assert store.count_memories(cli.project) == 0


# ---------------------------------------------------------------------- options


def test_global_options_work_before_or_after_the_command(cli, store):
    seed(store, cli.project, "Fixed JWT token validation")
    where = ["--db", str(cli.db_path), "--project", str(cli.project)]
    before = cli.ok(*where, "--json", "recall", located=False)
    after = cli.ok("recall", *where, "--json", located=False)
    for out in (before, after):
        assert [m["gist"] for m in json.loads(out)["memories"]] == ["Fixed JWT token validation"]


def test_project_defaults_to_the_git_root_and_db_to_vidurai_home(cli, workspace):
    (workspace / ".git").mkdir()
    cli.ok("remember", "Noted from a subfolder", cwd=workspace / "src", located=False)
    found = cli.json("recall", cwd=workspace, located=False)["memories"]
    assert [m["project_path"] for m in found] == [str(workspace)]
    assert (Path(cli.env["VIDURAI_HOME"]) / "memory.db").exists()
    assert not cli.db_path.exists()


def test_a_missing_project_folder_is_an_error(cli, tmp_path):
    error = cli.fails("recall", "--project", str(tmp_path / "nope"), located=False)
    assert "does not exist" in error


def test_a_file_that_is_not_a_vidurai_database_is_an_error_and_left_alone(cli, tmp_path):
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("just text\n" * 100)
    error = cli.fails("stats", "--db", str(not_a_db), "--project", str(cli.project), located=False)
    assert error.startswith("vidurai: error: ") and "notes.txt" in error
    assert not_a_db.read_text() == "just text\n" * 100


@pytest.mark.parametrize(
    "command",
    [
        "recall",
        "context",
        "report",
        "stats",
        "show",
        "remember",
        "forget",
        "pin",
        "unpin",
        "gists",
        "ledger",
        "forget-expired",
        "export",
        "import",
        "doctor",
        "serve",
        "mcp",
    ],
)
def test_every_command_has_help(cli, command):
    out = cli.ok(command, "--help", located=False)
    assert out.startswith(f"usage: vidurai {command}")


def test_no_command_or_an_unknown_one_is_a_usage_error(cli):
    assert "required" in cli.fails(located=False, code=2)
    assert "invalid choice" in cli.fails("recolect", located=False, code=2)
    assert "LSP client's settings" in cli.fails(
        "--db", str(cli.db_path), "serve", located=False, code=2
    )
    assert "unrecognized arguments: --db" in cli.fails("serve", code=2)


# ---------------------------------------------------------------------- reading


def test_recall_json_has_stable_keys_and_searches_by_words(cli, store):
    wanted = seed(store, cli.project, "Fixed JWT token validation")
    seed(store, cli.project, "Cache warmed before the release", file="src/cache.py")
    memories = cli.json("recall", "--query", "token valid", "--audience", "manager")["memories"]
    assert [m["id"] for m in memories] == [wanted]
    assert set(memories[0]) == MEMORY_KEYS
    assert memories[0]["audience_gist"] == "Manager: Fixed JWT token validation"
    assert "**" in memories[0]["snippet"]
    assert memories[0]["created_at"].endswith("Z")


def test_recall_takes_its_words_as_a_person_types_them(cli, store):
    wanted = seed(store, cli.project, "Fixed JWT token validation")
    seed(store, cli.project, "Cache warmed before the release")
    assert [m["id"] for m in cli.json("recall", "token", "valid")["memories"]] == [wanted]
    assert "Fixed JWT token validation" in cli.ok("recall", "jwt", "--limit", "1")
    error = cli.fails("recall", "jwt", "--query", "cache", code=2)
    assert "after recall or with --query, not both" in error


def test_recall_filters_by_file_salience_and_limit(cli, store):
    seed(store, cli.project, "High in app", "HIGH")
    seed(store, cli.project, "Low in app", "LOW")
    seed(store, cli.project, "High elsewhere", "HIGH", file="src/other.py")

    def gists(*args: str) -> list[str]:
        return sorted(m["gist"] for m in cli.json("recall", *args)["memories"])

    assert gists() == ["High elsewhere", "High in app"]  # MEDIUM and above by default
    assert gists("--min-salience", "low") == ["High elsewhere", "High in app", "Low in app"]
    assert gists("--file", "src/app.py", "--min-salience", "low") == ["High in app", "Low in app"]
    assert len(gists("--limit", "1")) == 1


def test_recall_prints_a_table_and_counts_as_a_use(cli, store):
    memory_id = seed(store, cli.project, "Fixed JWT token validation")
    out = cli.ok("recall")
    header, row = out.splitlines()
    assert header.split() == ["ID", "SALIENCE", "AGE", "PLACE", "GIST"]
    assert row.split()[:5] == [str(memory_id), "HIGH", "3", "days", "ago"]
    assert "src/app.py:7" in row and row.endswith("Fixed JWT token validation")
    assert store.get_memory_by_id(memory_id).access_count == 1


def test_recall_in_an_empty_project_says_so(cli):
    assert cli.ok("recall") == "No memories found.\n"
    assert cli.json("recall") == {"memories": []}


def test_context_prints_the_same_markdown_as_the_language_server(cli, store):
    seed(store, cli.project, "Fixed JWT token validation")
    seed(store, cli.project, "Decided on WAL mode", file="src/db.py", line=3)
    out = cli.ok("context", "--file", "src/app.py", "--max-tokens", "500")
    expected = build_context(store, cli.project, current_file="src/app.py", max_tokens=500)
    assert out == expected.markdown.rstrip("\n") + "\n"
    assert "Fixed JWT token validation" in out
    data = cli.json("context", "--query", "WAL")
    assert set(data) == {"markdown", "tokens", "memory_count"} and data["memory_count"] >= 1


def test_a_token_budget_outside_what_the_editor_accepts_is_a_usage_error(cli, store):
    for command in ("context", "report"):
        for budget in ("99", "100001"):
            assert "--max-tokens must be between 100 and 100000" in cli.fails(
                command, "--max-tokens", budget, code=2
            )


def test_report_prints_the_managers_report_of_the_last_days(cli, store):
    seed(store, cli.project, "Shipped the login page", days_ago=2)
    seed(store, cli.project, "Old work", days_ago=20)
    out = cli.ok("report", "--days", "7")
    assert out == build_report(store, cli.project, days=7).markdown.rstrip("\n") + "\n"
    assert "Manager: Shipped the login page" in out and "Old work" not in out
    assert "unknown audience" in cli.fails("report", "--audience", "ceo", code=2)


def test_stats_counts_the_projects_memories(cli, store):
    seed(store, cli.project, "one", "HIGH")
    seed(store, cli.project, "two", "LOW", pinned=True)
    seed(store, cli.project.parent, "another project's")
    stats = cli.json("stats")
    assert (stats["total"], stats["pinned"]) == (2, 1)
    assert stats["by_salience"]["HIGH"] == 1 and stats["by_salience"]["LOW"] == 1
    assert stats["database"] == str(cli.db_path) and stats["schema_version"] >= 5
    assert "2 (1 pinned, 1 file)" in cli.ok("stats")


def test_show_prints_every_gist_and_the_verbatim(cli, store):
    memory_id = seed(store, cli.project, "Fixed JWT token validation")
    out = cli.ok("show", str(memory_id))
    assert "src/app.py:7" in out and "verbatim of Fixed JWT token validation" in out
    for gist in (FOUR_GISTS["developer"], FOUR_GISTS["personal"], "AI: Fixed JWT token validation"):
        assert gist in out
    data = cli.json("show", str(memory_id))
    assert data["verbatim"] == "verbatim of Fixed JWT token validation"
    assert set(data["gists"]) == set(FOUR_GISTS)


def test_unknown_ids_fail_with_exit_1_on_every_id_command(cli, store):
    for command in ("show", "forget", "pin", "unpin", "gists"):
        error = cli.fails(command, "999")
        assert (
            error == "vidurai: error: no memory with id 999 (`vidurai recall` lists the ids)\n"
        ), command
    assert "not a whole number" in cli.fails("show", "abc", code=2)


# ---------------------------------------------------------------------- changing


def test_forget_removes_the_memory_and_leaves_a_ledger_line(cli, store):
    memory_id = seed(store, cli.project, "Fixed JWT token validation")
    assert cli.ok("forget", str(memory_id)) == f"Forgot #{memory_id}: Fixed JWT token validation\n"
    assert store.get_memory_by_id(memory_id) is None
    entries = cli.json("ledger")["entries"]
    assert [(e["memory_id"], e["gist"]) for e in entries] == [
        (memory_id, "Fixed JWT token validation")
    ]
    assert set(entries[0]) == {"memory_id", "gist", "salience", "reason", "forgotten_at"}
    assert "Fixed JWT token validation" in cli.ok("ledger")
    cli.fails("forget", str(memory_id))


def test_pin_and_unpin(cli, store):
    memory_id = seed(store, cli.project, "Fixed JWT token validation")
    assert cli.json("pin", str(memory_id))["pinned"] is True
    assert store.get_memory_by_id(memory_id).pinned is True
    assert "pinned" in cli.ok("recall")
    assert cli.ok("unpin", str(memory_id)).startswith(f"Unpinned #{memory_id}")
    assert store.get_memory_by_id(memory_id).pinned is False


def test_forget_expired_dry_run_changes_nothing_and_pinned_memories_survive(cli, store):
    expired = seed(store, cli.project, "Typo fixed", "LOW", days_ago=30)
    pinned = seed(store, cli.project, "Pinned old note", "LOW", days_ago=30, pinned=True)
    fresh = seed(store, cli.project, "Fresh fix", "LOW", days_ago=1)

    preview = cli.json("forget-expired", "--dry-run")
    assert preview["dry_run"] is True
    assert [e["memory_id"] for e in preview["entries"]] == [expired]
    assert store.get_memory_by_id(expired) is not None
    assert "Would forget 1 memory" in cli.ok("forget-expired", "--dry-run")

    assert "Forgot 1 memory" in cli.ok("forget-expired")
    assert store.get_memory_by_id(expired) is None
    assert store.get_memory_by_id(pinned) is not None and store.get_memory_by_id(fresh) is not None
    assert [e["memory_id"] for e in cli.json("ledger")["entries"]] == [expired]
    assert cli.json("forget-expired")["entries"] == []


def test_gists_with_history_shows_the_gists_they_replaced(cli, store):
    memory_id = seed(store, cli.project, "Fixed JWT token validation")
    store.store_audience_gists(memory_id, {"developer": "Rewritten developer gist"})
    data = cli.json("gists", str(memory_id), "--history")
    assert data["gists"]["developer"] == "Rewritten developer gist"
    assert [(h["audience"], h["gist"]) for h in data["history"]] == [
        ("developer", FOUR_GISTS["developer"])
    ]
    only = cli.json("gists", str(memory_id), "--audience", "ai")
    assert only["gists"] == {"ai": "AI: Fixed JWT token validation"} and "history" not in only
    out = cli.ok("gists", str(memory_id), "--history")
    assert "Rewritten developer gist" in out and FOUR_GISTS["developer"] in out


# ---------------------------------------------------------------------- export and import


def test_export_then_import_restores_1000_memories_exactly(cli, store, tmp_path):
    files = ["src/app.py", "src/db.py", None]
    saliences = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "NOISE"]
    for n in range(1000):
        memory_id = store.store_memory(
            cli.project,
            f"verbatim {n}\nwith `code` and ünïcode",
            f"Memory number {n}",
            saliences[n % 5],
            "note" if n % 2 else "error_fixed",
            files[n % 3],
            None if files[n % 3] is None else n % 50 + 1,
            tags=[f"tag{n % 4}"],
            created_at=utc_now() - timedelta(hours=n),
            audience_gists={audience: f"{audience} gist {n}" for audience in FOUR_GISTS},
            end_line=None,
            anchor_text=f"anchor {n}",
            fingerprint=f"fp{n}" if n % 3 else None,
            pinned=n % 7 == 0,
        )
        if n % 10 == 0:
            store.store_audience_gists(memory_id, {"developer": f"second developer gist {n}"})
        if n % 5 == 0:
            store.touch_memory(memory_id)
    seed(store, cli.project.parent, "Another project's memory")

    export = tmp_path / "export.jsonl"
    export.write_text(cli.ok("export"))
    records = [json.loads(line) for line in export.read_text().splitlines()]
    assert len(records) == 1000  # this project only
    assert sum(len(r["gist_history"]) for r in records) == 100
    assert all(len(r["audience_gists"]) == 4 for r in records)

    copy = Cli(tmp_path / "copy.db", cli.project, Path(cli.env["VIDURAI_HOME"]))
    assert copy.json("import", str(export)) == {"imported": 1000, "skipped": 0}
    again = [json.loads(line) for line in copy.ok("export").splitlines()]
    assert _without_ids(again) == _without_ids(records)

    assert copy.json("doctor")["ok"] is True  # full-text index built for the imported rows
    found = copy.json("recall", "--query", "number 123", "--min-salience", "noise")["memories"]
    assert found and found[0]["gist"] == "Memory number 123"

    assert copy.json("import", str(export)) == {"imported": 0, "skipped": 1000}
    assert len(copy.ok("export").splitlines()) == 1000


def _without_ids(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{key: value for key, value in record.items() if key != "id"} for record in records]


def test_export_all_projects_and_to_a_file(cli, store, tmp_path):
    seed(store, cli.project, "Here")
    seed(store, cli.project.parent, "There")
    target = tmp_path / "all.jsonl"
    result = cli.run("export", "--all-projects", "--output", str(target))
    assert result.code == 0 and result.out == ""
    assert "Exported 2 memories" in result.err
    assert sorted(json.loads(line)["gist"] for line in target.read_text().splitlines()) == [
        "Here",
        "There",
    ]


def test_export_markdown_shows_gists_and_verbatim(cli, store):
    seed(store, cli.project, "Fixed JWT token validation")
    out = cli.ok("export", "--format", "markdown")
    assert out.startswith("# Vidurai memories")
    assert "Fixed JWT token validation" in out and "src/app.py:7" in out
    assert "**ai**: AI: Fixed JWT token validation" in out
    assert "```text\nverbatim of Fixed JWT token validation\n```" in out


def test_import_of_a_bad_line_imports_nothing(cli, store, tmp_path):
    seed(store, cli.project, "Fixed JWT token validation")
    good = cli.ok("export").splitlines()[0]
    bad = json.loads(good)
    bad["salience"] = "URGENT"
    archive = tmp_path / "bad.jsonl"
    other = json.loads(good) | {"gist": "A different memory"}
    archive.write_text(json.dumps(other) + "\n" + json.dumps(bad) + "\n")
    error = cli.fails("import", str(archive))
    assert "line 2" in error and "URGENT" in error and "nothing was imported" in error
    assert store.count_memories(cli.project) == 1
    assert "cannot read" in cli.fails("import", str(tmp_path / "missing.jsonl"))


# ---------------------------------------------------------------------- doctor


def test_doctor_reports_a_healthy_database(cli, store):
    seed(store, cli.project, "Fixed JWT token validation")
    report = cli.json("doctor")
    assert report["ok"] is True and report["integrity"] == ["ok"] and report["fts_in_step"]
    assert report["database"] == str(cli.db_path)
    assert report["schema_version"] == report["latest_schema_version"]
    assert report["counts"]["memories"] == 1 and report["counts"]["audience_gists"] == 4
    out = cli.ok("doctor")
    assert "in step" in out and str(cli.db_path) in out


def test_doctor_fails_when_the_full_text_index_is_out_of_step_and_repair_fixes_it(cli, store):
    seed(store, cli.project, "Fixed JWT token validation")
    raw = sqlite3.connect(cli.db_path)
    raw.execute(
        "INSERT INTO memories_fts(rowid, gist, verbatim, tags) VALUES (999, 'ghost', '', '')"
    )
    raw.commit()
    raw.close()
    result = cli.run("doctor")
    assert result.code == 1
    assert "OUT OF STEP" in result.out and result.err.startswith("vidurai: error: ")
    assert cli.json("doctor", "--repair")["fts_rebuilt"] is True
    assert cli.json("doctor")["fts_in_step"] is True


# ---------------------------------------------------------------------- two writers at once


async def test_cli_writes_while_the_language_server_writes_lose_nothing(tmp_path):
    """The editor's server and the CLI remember into one database at the same time."""
    editor = Editor(tmp_path / "ws", tmp_path / "memory.db")
    (editor.root / "src").mkdir(parents=True)
    (editor.root / "src" / "app.py").write_text(APP)
    cli = Cli(editor.db_path, editor.root.resolve(), tmp_path)
    await editor.start()
    server_ids: list[int] = []
    server_writing, cli_done = asyncio.Event(), asyncio.Event()

    async def server_writes() -> None:
        while len(server_ids) < 5 or not cli_done.is_set():
            item = await editor.remember(
                editor.uri("src/app.py"), 2, f"server note {len(server_ids)}"
            )
            server_ids.append(item["id"])
            server_writing.set()

    async def cli_writes() -> list[int]:
        await server_writing.wait()
        ids = []
        for n in range(12):
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "vidurai",
                "remember",
                f"cli note {n}",
                "--json",
                "--db",
                str(cli.db_path),
                "--project",
                str(cli.project),
                stdout=asyncio.subprocess.PIPE,
                env=cli.env,
            )
            out, _ = await process.communicate()
            assert process.returncode == 0
            ids.append(json.loads(out)["id"])
        cli_done.set()
        return ids

    try:
        cli_ids, _ = await asyncio.gather(cli_writes(), server_writes())
    finally:
        cli_done.set()
        await editor.stop()
    assert len(set(cli_ids) | set(server_ids)) == len(cli_ids) + len(server_ids)
    with MemoryDatabase(cli.db_path) as store:
        gists = {m.gist for m in store.list_memories(cli.project, limit=len(server_ids) + 100)}
    assert gists == {f"cli note {n}" for n in range(12)} | {
        f"server note {n}" for n in range(len(server_ids))
    }
    assert cli.json("doctor")["ok"] is True


def test_the_first_command_after_an_upgrade_writes_old_gists_again_and_says_so(cli, store):
    memory_id = seed(store, cli.project, "Fixed JWT token validation")
    store.conn.execute(
        "DELETE FROM metadata WHERE key = 'gist_generator'"
    )  # an older version's store

    first = cli.run("show", str(memory_id))
    second = cli.run("show", str(memory_id))

    assert first.code == 0 and "writing the gists again" in first.err
    assert second.err == ""
    assert store.get_audience_gists(memory_id)["personal"] == "I fixed JWT token validation"
