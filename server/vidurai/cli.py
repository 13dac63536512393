"""The `vidurai` command line: the editor's memories, for the terminal and for scripts.

Every command reads or writes the same SQLite store as the language server, through the
same layers (storage, capture, forgetting, briefing), so a memory remembered here is
redacted and gets its audience gists exactly as one remembered in the editor.

Output: a readable table for people, ``--json`` (stable keys) for scripts. Errors go to
stderr as ``vidurai: error: …`` with exit code 1 (not found, operation failed); argparse
usage errors exit 2.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import sys
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Sequence

from vidurai import __version__
from vidurai.limits import DEFAULT_CONTEXT_TOKENS
from vidurai.memory.archive import (
    export_records,
    import_legacy,
    import_records,
    iso_time,
    legacy_candidate,
    legacy_path,
)
from vidurai.memory.places import place_text
from vidurai.storage import (
    LATEST_VERSION,
    DatabaseOpenError,
    MemoryDatabase,
    MemoryNotFoundError,
    SalienceLevel,
    normalize_project_path,
)
from vidurai.storage.models import describe_age, to_db_time, utc_now

PROG = "vidurai"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure reported on stderr with exit code 1 (not found, operation failed)."""


# ---------------------------------------------------------------------- project and files


def find_project_root(start: Path) -> Path:
    """The enclosing git work tree's root, else ``start`` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def resolve_project(value: str | None) -> Path:
    """``--project`` as an absolute folder; by default the git root or the current folder."""
    if value is None:
        return find_project_root(Path.cwd())
    path = Path(normalize_project_path(value))
    if not path.is_dir():
        raise CliError(f"project folder {value} does not exist")
    return path


def project_relative_file(project: Path, file: str) -> str:
    """A file as the store keeps it: relative to the project, with `/`.

    A relative path is taken relative to the project (not the current folder); an absolute
    path must lie inside the project.
    """
    candidate = Path(file.replace("\\", "/")).expanduser()
    absolute = (candidate if candidate.is_absolute() else project / candidate).resolve()
    try:
        relative = absolute.relative_to(project)
    except ValueError:
        raise CliError(f"{file} is not inside the project {project}") from None
    if relative == Path("."):
        raise CliError(f"{file} is the project folder, not a file in it")
    return relative.as_posix()


def read_lines(path: Path, start: int, end: int) -> str:
    """Lines ``start``..``end`` (1-based, inclusive) of a text file; empty if unreadable."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return "".join(islice(handle, start - 1, end)).rstrip("\n")
    except OSError:
        return ""


# ---------------------------------------------------------------------- values and JSON


def memory_json(memory: dict[str, Any], audience: str | None = None) -> dict[str, Any]:
    """The stable ``--json`` shape of a memory (store column names, ISO times)."""
    return {
        "id": memory["id"],
        "project_path": memory["project_path"],
        "file_path": memory["file_path"],
        "line_number": memory["line_number"],
        "end_line": memory["end_line"],
        "salience": memory["salience"],
        "event_type": memory["event_type"],
        "gist": memory["gist"],
        "audience": audience,
        "audience_gist": memory.get("audience_gist") if audience else None,
        "snippet": memory.get("snippet"),
        "tags": memory["tags"],
        "pinned": memory["pinned"],
        "pinned_at": iso_time(memory["pinned_at"]),
        "pin_reason": memory["pin_reason"],
        "detached": memory["detached"],
        "occurrence_count": memory["occurrence_count"],
        "access_count": memory["access_count"] or 0,
        "created_at": iso_time(memory["created_at"]),
        "last_accessed": iso_time(memory["last_accessed"]),
        "expires_at": iso_time(memory["expires_at"]),
    }


def ledger_json(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "memory_id": entry["memory_id"],
        "gist": entry["gist"],
        "salience": entry["salience"],
        "reason": entry["reason"],
        "forgotten_at": iso_time(entry["forgotten_at"]),
    }


def place(memory: dict[str, Any]) -> str:
    """``file:line`` (or ``file:line-end``), or ``-`` for a memory without a place."""
    return place_text(memory) or "-"


def open_store(db_path: str | None) -> MemoryDatabase:
    """The store, with gists made by older rules made again (once, after an upgrade)."""
    from vidurai.gists import MultiAudienceGistGenerator
    from vidurai.memory.regenerate import gists_are_current, regenerate_gists

    db = MemoryDatabase(db_path)
    try:
        if not gists_are_current(db) and db.memories_after(0, 1):
            print("vidurai: writing the gists again with this version's rules (once)…",
                  file=sys.stderr)
        regenerate_gists(db, MultiAudienceGistGenerator())
    except sqlite3.Error:
        pass  # a store this process may not write keeps the gists it has
    return db


def shown_gist(memory: dict[str, Any]) -> str:
    return memory.get("audience_gist") or memory["gist"]


# ---------------------------------------------------------------------- human output


@dataclass
class Output:
    """Where a command writes: stdout, in JSON or as text for people."""

    as_json: bool
    stream: IO[str]

    def json(self, value: Any) -> None:
        json.dump(value, self.stream, ensure_ascii=False, indent=2)
        self.stream.write("\n")

    def line(self, text: str = "") -> None:
        self.stream.write(text + "\n")

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """Fixed-width columns; the last column is cut to fit the terminal."""
        cells = [[_one_line(str(value)) for value in row] for row in rows]
        widths = [len(header) for header in headers]
        for row in cells:
            widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
        fixed = sum(widths[:-1]) + 2 * (len(widths) - 1)
        room = max(shutil.get_terminal_size((120, 24)).columns - fixed, 20)
        widths[-1] = min(widths[-1], room)
        for row in [list(headers), *cells]:
            row[-1] = _cut(row[-1], widths[-1])
            self.line("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())

    def fields(self, pairs: Iterable[tuple[str, Any]]) -> None:
        """``Label   value`` lines, labels padded to one width."""
        pairs = list(pairs)
        width = max(len(label) for label, _ in pairs)
        for label, value in pairs:
            self.line(f"{label.ljust(width)}  {value}")


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def memory_rows(memories: Iterable[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for memory in memories:
        salience = memory["salience"] + (" pinned" if memory["pinned"] else "")
        rows.append([memory["id"], salience, describe_age(memory["created_at"]), place(memory),
                     shown_gist(memory)])
    return rows


MEMORY_HEADERS = ("ID", "SALIENCE", "AGE", "PLACE", "GIST")


def print_memories(out: Output, memories: list[dict[str, Any]], empty: str) -> None:
    if memories:
        out.table(MEMORY_HEADERS, memory_rows(memories))
    else:
        out.line(empty)


# ---------------------------------------------------------------------- argument types


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be 1 or more")
    return value


def _token_budget(text: str) -> int:
    from vidurai.memory.briefing import check_token_budget

    try:
        return check_token_budget(_positive_int(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error).replace("max_tokens", "--max-tokens")) from None


def _salience(text: str) -> str:
    try:
        return SalienceLevel.parse(text).name
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _audience(text: str) -> str:
    from vidurai.gists.audiences import AudienceRegistry

    try:
        return AudienceRegistry().validate(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


# ---------------------------------------------------------------------- commands


@dataclass
class Context:
    """What every command gets: the parsed arguments, the project and the output."""

    args: argparse.Namespace
    out: Output
    _db: MemoryDatabase | None = None

    @property
    def project(self) -> Path:
        return resolve_project(self.args.project)

    @property
    def db(self) -> MemoryDatabase:
        if self._db is None:
            self._db = open_store(self.args.db)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def memory(self, memory_id: int, audience: str | None = None) -> dict[str, Any]:
        memory = self.db.get_memory_by_id(memory_id, audience=audience)
        if memory is None:
            raise CliError(f"no memory with id {memory_id}")
        return memory


def cmd_recall(ctx: Context) -> int:
    args = ctx.args
    project = ctx.project
    file_path = project_relative_file(project, args.file) if args.file else None
    memories = ctx.db.recall_memories(
        project, query=args.query, min_salience=args.min_salience, limit=args.limit,
        file_path=file_path, audience=args.audience,
    )
    ctx.db.touch_memories(memory["id"] for memory in memories)  # recalling is a use
    if ctx.out.as_json:
        ctx.out.json({"memories": [memory_json(m, args.audience) for m in memories]})
    else:
        print_memories(ctx.out, memories, "No memories found.")
    return EXIT_OK


def cmd_context(ctx: Context) -> int:
    from vidurai.memory.briefing import build_context

    args = ctx.args
    project = ctx.project
    briefing = build_context(
        ctx.db, project,
        current_file=project_relative_file(project, args.file) if args.file else None,
        query=args.query, max_tokens=args.max_tokens, audience=args.audience,
    )
    return _print_briefing(ctx.out, briefing)


def cmd_report(ctx: Context) -> int:
    from vidurai.memory.briefing import build_report

    args = ctx.args
    briefing = build_report(
        ctx.db, ctx.project, days=args.days, audience=args.audience, max_tokens=args.max_tokens
    )
    return _print_briefing(ctx.out, briefing)


def _print_briefing(out: Output, briefing: Any) -> int:
    if out.as_json:
        out.json({"markdown": briefing.markdown, "tokens": briefing.tokens,
                  "memory_count": briefing.memory_count})
    else:
        out.line(briefing.markdown.rstrip("\n"))
    return EXIT_OK


def cmd_stats(ctx: Context) -> int:
    project = ctx.project
    stats = ctx.db.get_statistics(project)
    if ctx.out.as_json:
        ctx.out.json({
            "project": str(project), "database": str(ctx.db.db_path),
            "schema_version": ctx.db.schema_version(),
            **stats, "oldest": iso_time(stats["oldest"]), "newest": iso_time(stats["newest"]),
        })
        return EXIT_OK
    by_salience = "  ".join(f"{name} {count}" for name, count in stats["by_salience"].items())
    by_kind = "  ".join(f"{kind} {count}" for kind, count in stats["by_event_type"].items())
    ctx.out.fields([
        ("Project", project),
        ("Database", ctx.db.db_path),
        ("Memories", f"{stats['total']} ({stats['pinned']} pinned, "
                     f"{_count(stats['files'], 'file', 'files')})"),
        ("By salience", by_salience),
        ("By kind", by_kind or "-"),
        ("Oldest", _when(stats["oldest"])),
        ("Newest", _when(stats["newest"])),
    ])
    return EXIT_OK


def _when(stored: str | None) -> str:
    return f"{stored} UTC ({describe_age(stored)})" if stored else "-"


def cmd_show(ctx: Context) -> int:
    memory = ctx.memory(ctx.args.id)
    gists = ctx.db.get_audience_gists(memory["id"])
    ctx.db.touch_memory(memory["id"])  # opening a memory is a use
    if ctx.out.as_json:
        ctx.out.json({**memory_json(memory), "verbatim": memory["verbatim"], "gists": gists})
        return EXIT_OK
    flags = [memory["salience"], memory["event_type"]]
    if memory["pinned"]:
        flags.append("pinned")
    if memory["detached"]:
        flags.append("detached from its line")
    ctx.out.line(f"#{memory['id']}  {memory['gist']}")
    ctx.out.line("  ".join(flags))
    ctx.out.line()
    ctx.out.fields([
        ("Project", memory["project_path"]),
        ("Place", place(memory)),
        ("Created", _when(memory["created_at"])),
        ("Last used", _when(memory["last_accessed"])),
        ("Expires", f"{memory['expires_at']} UTC" if memory["expires_at"] else "never"),
        *([("Pinned", _when(memory["pinned_at"]) + (f": {memory['pin_reason']}"
                                                    if memory["pin_reason"] else ""))]
          if memory["pinned"] else []),
        ("Seen", _count(memory["occurrence_count"], "time", "times")),
        ("Tags", ", ".join(memory["tags"]) or "-"),
    ])
    if gists:
        ctx.out.line()
        ctx.out.table(("AUDIENCE", "GIST"), sorted(gists.items()))
    ctx.out.line()
    ctx.out.line("Verbatim:")
    for text in memory["verbatim"].splitlines() or [""]:
        ctx.out.line(f"  {text}")
    return EXIT_OK


def cmd_remember(ctx: Context) -> int:
    from vidurai.memory.capture import CaptureService

    args = ctx.args
    project = ctx.project
    if args.line is not None and args.file is None:
        raise UsageError("--line needs --file")
    if args.end_line is not None and args.line is None:
        raise UsageError("--end-line needs --line")
    end_line = args.end_line if args.end_line is not None else args.line
    if args.line is not None and end_line < args.line:
        raise UsageError("--end-line must not be before --line")
    file_path = project_relative_file(project, args.file) if args.file else None
    selection = (
        read_lines(project / file_path, args.line, end_line)
        if file_path is not None and args.line is not None else ""
    )
    memory_id = CaptureService(ctx.db).remember_note(
        project, file_path, args.line, end_line, selection, args.note, args.salience
    )
    memory = ctx.memory(memory_id)
    if ctx.out.as_json:
        ctx.out.json(memory_json(memory))
    else:
        where = "" if place(memory) == "-" else f" at {place(memory)}"
        ctx.out.line(f"Remembered #{memory_id} ({memory['salience']}){where}: {memory['gist']}")
    return EXIT_OK


def cmd_forget(ctx: Context) -> int:
    memory = ctx.memory(ctx.args.id)
    if not ctx.db.delete_memory(memory["id"]):
        raise CliError(f"no memory with id {memory['id']}")
    if ctx.out.as_json:
        ctx.out.json({"id": memory["id"], "forgotten": True})
    else:
        ctx.out.line(f"Forgot #{memory['id']}: {memory['gist']}")
    return EXIT_OK


def cmd_pin(ctx: Context) -> int:
    pinned = ctx.args.command == "pin"
    try:
        ctx.db.set_memory_pinned(ctx.args.id, pinned, getattr(ctx.args, "reason", None))
    except MemoryNotFoundError as error:
        raise CliError(str(error)) from None
    memory = ctx.memory(ctx.args.id)
    if ctx.out.as_json:
        ctx.out.json(memory_json(memory))
    else:
        ctx.out.line(f"{'Pinned' if pinned else 'Unpinned'} #{memory['id']}: {memory['gist']}")
    return EXIT_OK


def cmd_gists(ctx: Context) -> int:
    args = ctx.args
    memory = ctx.memory(args.id)
    gists = ctx.db.get_audience_gists(memory["id"], [args.audience] if args.audience else None)
    history = ctx.db.get_gist_history(memory["id"], args.audience) if args.history else None
    if ctx.out.as_json:
        result: dict[str, Any] = {"id": memory["id"], "gist": memory["gist"], "gists": gists}
        if history is not None:
            result["history"] = [
                {"audience": row["audience"], "gist": row["gist"],
                 "created_at": iso_time(row["created_at"]), "replaced_at": iso_time(row["replaced_at"])}
                for row in history
            ]
        ctx.out.json(result)
        return EXIT_OK
    ctx.out.line(f"#{memory['id']}  {memory['gist']}")
    ctx.out.line()
    if gists:
        ctx.out.table(("AUDIENCE", "GIST"), sorted(gists.items()))
    else:
        ctx.out.line("No audience gists.")
    if history is not None:
        ctx.out.line()
        if history:
            ctx.out.table(
                ("AUDIENCE", "WRITTEN", "REPLACED", "GIST"),
                [(row["audience"], row["created_at"] or "-", row["replaced_at"], row["gist"])
                 for row in history],
            )
        else:
            ctx.out.line("No earlier gists.")
    return EXIT_OK


def cmd_ledger(ctx: Context) -> int:
    args = ctx.args
    entries = ctx.db.get_forgetting_ledger(None if args.all_projects else ctx.project, args.limit)
    if ctx.out.as_json:
        ctx.out.json({"entries": [ledger_json(entry) for entry in entries]})
    else:
        _print_ledger(ctx.out, entries, "Nothing has been forgotten yet.")
    return EXIT_OK


def _print_ledger(out: Output, entries: list[dict[str, Any]], empty: str) -> None:
    if not entries:
        out.line(empty)
        return
    out.table(
        ("FORGOTTEN", "ID", "SALIENCE", "REASON", "GIST"),
        [(e["forgotten_at"], e["memory_id"], e["salience"], e["reason"], e["gist"]) for e in entries],
    )


def cmd_forget_expired(ctx: Context) -> int:
    from vidurai.memory.forgetting import describe_forgotten, forget_now, preview_expired

    dry_run = ctx.args.dry_run
    entries = preview_expired(ctx.db) if dry_run else forget_now(ctx.db)
    if ctx.out.as_json:
        ctx.out.json({"dry_run": dry_run, "entries": [ledger_json(entry) for entry in entries]})
        return EXIT_OK
    if dry_run:
        _print_ledger(ctx.out, entries, "Nothing is due to be forgotten.")
        if entries:
            ctx.out.line()
            ctx.out.line(f"Would forget {_count(len(entries), 'memory', 'memories')} "
                         "(dry run: nothing was changed).")
    else:
        _print_ledger(ctx.out, entries, "")
        if entries:
            ctx.out.line()
        ctx.out.line(describe_forgotten(entries))
    return EXIT_OK


# ---------------------------------------------------------------------- export and import

def export_markdown(records: list[dict[str, Any]]) -> str:
    lines = ["# Vidurai memories", "",
             f"_Exported {to_db_time(utc_now())} UTC: "
             f"{_count(len(records), 'memory', 'memories')}._"]
    project = None
    for record in records:
        if record["project_path"] != project:
            project = record["project_path"]
            lines += ["", f"## {project}"]
        details = [record["salience"], record["event_type"], f"created {record['created_at']}"]
        if record["pinned"]:
            details.append("pinned")
        if place(record) != "-":
            details.insert(0, place(record))
        lines += ["", f"### #{record['id']} {_one_line(record['gist'])}", "",
                  f"- {' · '.join(details)}"]
        for audience, gist in record["audience_gists"].items():
            lines.append(f"- **{audience}**: {_one_line(gist['gist'])}")
        fence = "`" * max(3, _longest_backtick_run(record["verbatim"]) + 1)
        lines += ["", f"{fence}text", record["verbatim"], fence]
    return "\n".join(lines) + "\n"


def _longest_backtick_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if char == "`" else 0
        longest = max(longest, run)
    return longest


def cmd_export(ctx: Context) -> int:
    args = ctx.args
    records = export_records(ctx.db, None if args.all_projects else ctx.project)
    if args.format == "markdown":
        text = export_markdown(records)
    else:
        text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    if args.output:
        # Memories are private: a new export file is readable by its owner only.
        with open(os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w",
                  encoding="utf-8") as handle:
            handle.write(text)
        print(f"Exported {_count(len(records), 'memory', 'memories')} to {args.output}",
              file=sys.stderr)
    else:
        ctx.out.stream.write(text)
    return EXIT_OK


def cmd_import(ctx: Context) -> int:
    path = Path(ctx.args.file)
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise CliError(f"cannot read {path}: {error.strerror}") from None
    with handle:
        result = import_records(ctx.db, handle, ctx.args.audience or ())
    if ctx.out.as_json:
        ctx.out.json({"imported": result.imported, "skipped": result.skipped})
    else:
        skipped = f" ({result.skipped} already present, skipped)" if result.skipped else ""
        ctx.out.line(f"Imported {_count(result.imported, 'memory', 'memories')} from {path}{skipped}.")
    return EXIT_OK


def cmd_import_legacy(ctx: Context) -> int:
    path = Path(ctx.args.path).expanduser() if ctx.args.path else legacy_path()
    result = import_legacy(ctx.db, path)
    if ctx.out.as_json:
        ctx.out.json({"imported": result.imported, "skipped": result.skipped, "from": str(path)})
    else:
        skipped = f" ({result.skipped} already present, skipped)" if result.skipped else ""
        ctx.out.line(f"Imported {_count(result.imported, 'memory', 'memories')} from {path}"
                     f"{skipped} into {ctx.db.db_path}. {path} was not changed.")
    return EXIT_OK


# ---------------------------------------------------------------------- doctor


def cmd_doctor(ctx: Context) -> int:
    db = ctx.db
    conn = db.conn
    integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    fts_problem = _fts_problem(conn)
    repaired = False
    if fts_problem is not None and ctx.args.repair:
        conn.execute("INSERT INTO memories_fts(memories_fts) VALUES('rebuild')")
        fts_problem, repaired = _fts_problem(conn), True
    counts = {
        name: conn.execute(sql).fetchone()[0]
        for name, sql in (
            ("projects", "SELECT COUNT(*) FROM projects"),
            ("memories", "SELECT COUNT(*) FROM memories"),
            ("pinned", "SELECT COUNT(*) FROM memories WHERE pinned = 1"),
            ("audience_gists", "SELECT COUNT(*) FROM audience_gists"),
            ("memories_missing_gists",
             f"SELECT COUNT(*) FROM memories WHERE (SELECT COUNT(*) FROM audience_gists g "
             f"WHERE g.memory_id = memories.id) < {len(db.audiences)}"),
            ("gist_history", "SELECT COUNT(*) FROM gist_history"),
            ("ledger", "SELECT COUNT(*) FROM forgetting_ledger"),
        )
    }
    version = db.schema_version()
    healthy = integrity == ["ok"] and fts_problem is None and version == LATEST_VERSION
    legacy = legacy_candidate(db)
    if ctx.out.as_json:
        ctx.out.json({
            "ok": healthy, "database": str(db.db_path), "schema_version": version,
            "latest_schema_version": LATEST_VERSION, "integrity": integrity,
            "fts_in_step": fts_problem is None, "fts_problem": fts_problem,
            "fts_rebuilt": repaired, "counts": counts,
            "upgraded_from": db.upgrade.found if db.upgrade else None,
            "legacy_file": str(legacy) if legacy else None,
        })
    else:
        size = db.db_path.stat().st_size if db.db_path.exists() else 0
        ctx.out.fields([
            ("Database", f"{db.db_path} ({size / 1024:,.0f} KiB)"),
            ("Schema version", f"{version}" + (" (current)" if version == LATEST_VERSION
                                               else f" (expected {LATEST_VERSION})")),
            ("Integrity", "ok" if integrity == ["ok"] else "FAILED: " + "; ".join(integrity)),
            ("Full-text index", ("rebuilt, now in step" if repaired else "in step")
             if fts_problem is None else f"OUT OF STEP ({fts_problem}); `doctor --repair` rebuilds it"),
            ("Projects", counts["projects"]),
            ("Memories", f"{counts['memories']} ({counts['pinned']} pinned, "
                         f"{counts['memories_missing_gists']} without every audience gist)"),
            ("Audience gists", counts["audience_gists"]),
            ("Gist history", counts["gist_history"]),
            ("Ledger lines", counts["ledger"]),
            *([("Upgraded", f"just now, from {db.upgrade.found}"
                + (f"; the old file is kept as {db.upgrade.backup}" if db.upgrade.backup else ""))]
              if db.upgrade else []),
        ])
        if legacy is not None:
            ctx.out.line()
            ctx.out.line(f"Found the predecessor's memories in {legacy}, and this store has "
                         f"none yet: `{PROG} import-legacy` brings them in (the old file is "
                         "not changed).")
    if not healthy:
        print(f"{PROG}: error: the database has problems (see above)", file=sys.stderr)
    return EXIT_OK if healthy else EXIT_FAILED


def _fts_problem(conn: sqlite3.Connection) -> str | None:
    """None when the full-text index matches `memories` row for row, else SQLite's complaint.

    rank = 1 makes FTS5 compare the index with the external content table itself.
    """
    try:
        conn.execute("INSERT INTO memories_fts(memories_fts, rank) VALUES('integrity-check', 1)")
    except sqlite3.DatabaseError as error:
        return str(error)
    return None


# ---------------------------------------------------------------------- servers


def cmd_serve(ctx: Context) -> int:
    if ctx.args.db or ctx.args.project:
        raise UsageError("serve takes its database and folders from the LSP client's settings")
    from vidurai.lsp.server import main as serve

    serve()
    return EXIT_OK


def cmd_mcp(ctx: Context) -> int:
    from vidurai.mcp_server import run

    return run(db_path=ctx.args.db, project=ctx.project, allow_write=ctx.args.allow_write)


# ---------------------------------------------------------------------- parser


class UsageError(Exception):
    """Arguments that argparse cannot check alone; reported like argparse's own (exit 2)."""


def _location_options(sub: bool) -> argparse.ArgumentParser:
    # On subcommands the default is SUPPRESS, so `vidurai --db X recall` is not reset by
    # the subcommand's own (absent) --db: the options work before or after the command.
    default = argparse.SUPPRESS if sub else None
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", metavar="PATH", default=default,
                        help="the database file (default: $VIDURAI_HOME/memory.db, else the "
                             "platform's user data folder)")
    parser.add_argument("--project", metavar="DIR", default=default,
                        help="the project folder (default: the git root, else the current folder)")
    return parser


def _json_option(sub: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--json", action="store_true",
                        default=argparse.SUPPRESS if sub else False,
                        help="print JSON with stable keys instead of a table")
    return parser


COMMANDS: dict[str, Callable[[Context], int]] = {}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Vidurai: the memories your editor keeps, from the terminal.",
        parents=[_location_options(False), _json_option(False)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = [_location_options(True), _json_option(True)]

    def command(name: str, handler: Callable[[Context], int], help: str,
                parents: Sequence[argparse.ArgumentParser] = common) -> argparse.ArgumentParser:
        COMMANDS[name] = handler
        return commands.add_parser(name, help=help, description=help, parents=list(parents))

    def memory_id(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("id", type=_positive_int, metavar="ID", help="the memory's id")

    sub = command("recall", cmd_recall, "Find memories: by words, file and salience.")
    sub.add_argument("--query", "-q", help="words to search for (ranked by relevance)")
    sub.add_argument("--audience", "-a", type=_audience, help="show gists for this audience")
    sub.add_argument("--limit", "-n", type=_positive_int, default=10, help="at most N (default 10)")
    sub.add_argument("--min-salience", type=_salience, default="MEDIUM",
                     help="the least salience shown: critical, high, medium (default), low, noise")
    sub.add_argument("--file", "-f", help="only memories about this file")

    sub = command("context", cmd_context,
                  "Print AI context: the Markdown the editor's Copy AI Context gives.")
    sub.add_argument("--query", "-q", help="what the context is for")
    sub.add_argument("--file", "-f", help="the current file (its memories come first)")
    sub.add_argument("--audience", "-a", type=_audience, default="ai", help="default: ai")
    sub.add_argument("--max-tokens", type=_token_budget, default=DEFAULT_CONTEXT_TOKENS,
                     help=f"default: {DEFAULT_CONTEXT_TOKENS}")

    sub = command("report", cmd_report, "Print a report of the last days' memories.")
    sub.add_argument("--days", type=_positive_int, default=7, help="default: 7")
    sub.add_argument("--audience", "-a", type=_audience, default="manager",
                     help="default: manager")
    sub.add_argument("--max-tokens", type=_token_budget, help="cut the report to this budget")

    command("stats", cmd_stats, "Count the project's memories.")

    sub = command("show", cmd_show, "Show one memory: gists, place, times, verbatim.")
    memory_id(sub)

    sub = command("remember", cmd_remember, "Remember a note, optionally about a file and line.")
    sub.add_argument("note", help="what to remember (it is redacted before it is stored)")
    sub.add_argument("--file", "-f", help="the file it is about, relative to the project")
    sub.add_argument("--line", "-l", type=_positive_int, help="the line it is about (1-based)")
    sub.add_argument("--end-line", type=_positive_int, help="the last line, for a range")
    sub.add_argument("--salience", "-s", type=_salience,
                     help="critical, high, medium, low or noise (default: judged from the note)")

    sub = command("forget", cmd_forget, "Forget one memory now (the ledger keeps a line).")
    memory_id(sub)
    sub = command("pin", cmd_pin, "Pin a memory: it is never forgotten.")
    memory_id(sub)
    sub.add_argument("--reason", "-r", help="why it matters (shown by `vidurai show`)")
    sub = command("unpin", cmd_pin, "Unpin a memory: it is forgotten like the others again.")
    memory_id(sub)

    sub = command("gists", cmd_gists, "Show a memory's gist for each audience.")
    memory_id(sub)
    sub.add_argument("--audience", "-a", type=_audience, help="only this audience")
    sub.add_argument("--history", action="store_true", help="also the gists they replaced")

    sub = command("ledger", cmd_ledger, "Show what was forgotten, newest first.")
    sub.add_argument("--limit", "-n", type=_positive_int, default=50, help="default: 50")
    sub.add_argument("--all-projects", action="store_true", help="not only this project")

    sub = command("forget-expired", cmd_forget_expired,
                  "Forget every expired, unpinned memory now (all projects).")
    sub.add_argument("--dry-run", action="store_true", help="only show what would be forgotten")

    sub = command("export", cmd_export, "Export memories with their gists and history.")
    sub.add_argument("--format", choices=("jsonl", "markdown"), default="jsonl",
                     help="jsonl (default; `vidurai import` reads it back) or markdown")
    sub.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    sub.add_argument("--all-projects", action="store_true", help="not only this project")

    sub = command("import", cmd_import, "Import a JSONL export, exactly as it was exported.")
    sub.add_argument("file", metavar="FILE.jsonl", help="a file written by `vidurai export`")
    sub.add_argument("--audience", action="append", metavar="NAME",
                     help="also accept gists for this configured audience (repeatable)")

    sub = command("import-legacy", cmd_import_legacy,
                  "Import the predecessor's memories (any old layout); the old file is not changed.")
    sub.add_argument("path", nargs="?", metavar="PATH",
                     help="the old database (default: ~/.vidurai/memory.db)")

    sub = command("doctor", cmd_doctor,
                  "Check the database: path, schema version, integrity, full-text index, counts.")
    sub.add_argument("--repair", action="store_true",
                     help="rebuild the full-text index if it is out of step with the memories")

    command("serve", cmd_serve, "Run the language server on stdio (editors start this).",
            parents=[])

    sub = command("mcp", cmd_mcp, "Run the MCP server on stdio (AI assistants start this).",
                  parents=[_location_options(True)])
    sub.add_argument("--allow-write", action="store_true",
                     help="offer the `remember` tool (read-only without it)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:  # --help, --version and usage errors
        return int(exit.code or 0)
    ctx = Context(args, Output(getattr(args, "json", False), sys.stdout))
    try:
        return COMMANDS[args.command](ctx)
    except UsageError as error:
        print(f"{PROG} {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (CliError, DatabaseOpenError, MemoryNotFoundError, ValueError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except sqlite3.Error as error:
        print(f"{PROG}: error: the database failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader went away (`vidurai export | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    finally:
        ctx.close()
