"""The CLI's commands: each reads its arguments from a ``Context`` and writes to its output.

Every command reads or writes the same store as the language server, through the same layers
(storage, capture, forgetting, briefing), so a memory remembered here is redacted and gets its
audience gists exactly as one remembered in the editor.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vidurai.cli.output import (
    Output,
    count,
    export_markdown,
    ledger_json,
    memory_json,
    place,
    print_ledger,
    print_memories,
    statistics_json,
    utc_text,
    when,
)
from vidurai.memory.archive import import_legacy, import_records, legacy_candidate, legacy_path
from vidurai.memory.display import iso_time
from vidurai.memory.projects import project_relative_file, read_lines, resolve_project
from vidurai.memory.regenerate import open_current_store
from vidurai.storage import LATEST_VERSION, Memory, MemoryNotFoundError, MemoryStore

PROG = "vidurai"
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class CliError(Exception):
    """A failure reported on stderr with exit code 1 (not found, operation failed)."""


class UsageError(Exception):
    """Arguments that argparse cannot check alone; reported like argparse's own (exit 2)."""


def _say(text: str) -> None:
    print(f"{PROG}: {text}", file=sys.stderr)


# ---------------------------------------------------------------------- commands


@dataclass
class Context:
    """What every command gets: the parsed arguments, the project and the output."""

    args: argparse.Namespace
    out: Output
    _db: MemoryStore | None = None

    @property
    def project(self) -> Path:
        return resolve_project(self.args.project)

    @property
    def db(self) -> MemoryStore:
        if self._db is None:
            self._db = open_current_store(self.args.db, _say)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def memory(self, memory_id: int, audience: str | None = None) -> Memory:
        memory = self.db.get_memory_by_id(memory_id, audience=audience)
        if memory is None:
            raise MemoryNotFoundError(memory_id)
        return memory


def cmd_recall(ctx: Context) -> int:
    args = ctx.args
    if args.words and args.query is not None:
        raise UsageError("give the words to search for after recall or with --query, not both")
    project = ctx.project
    file_path = project_relative_file(project, args.file) if args.file else None
    hits = ctx.db.search_memories(
        project,
        query=" ".join(args.words) if args.words else args.query,
        min_salience=args.min_salience,
        limit=args.limit,
        file_path=file_path,
        audience=args.audience,
    )
    ctx.db.touch_memories(hit.memory.id for hit in hits)  # recalling is a use
    if ctx.out.as_json:
        ctx.out.json({"memories": [memory_json(hit.memory, args.audience, hit) for hit in hits]})
    else:
        print_memories(ctx.out, [hit.memory for hit in hits], "No memories found.")
    return EXIT_OK


def cmd_context(ctx: Context) -> int:
    from vidurai.memory.briefing import build_context

    args = ctx.args
    project = ctx.project
    briefing = build_context(
        ctx.db,
        project,
        current_file=project_relative_file(project, args.file) if args.file else None,
        query=args.query,
        max_tokens=args.max_tokens,
        audience=args.audience,
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
        out.json(
            {
                "markdown": briefing.markdown,
                "tokens": briefing.tokens,
                "memory_count": briefing.memory_count,
            }
        )
    else:
        out.line(briefing.markdown.rstrip("\n"))
    return EXIT_OK


def cmd_stats(ctx: Context) -> int:
    project = ctx.project
    stats = ctx.db.get_statistics(project)
    if ctx.out.as_json:
        ctx.out.json(
            {
                "project": str(project),
                "database": ctx.db.location,
                "schema_version": ctx.db.schema_version(),
                **statistics_json(stats),
            }
        )
        return EXIT_OK
    by_salience = "  ".join(f"{name} {number}" for name, number in stats.by_salience.items())
    by_kind = "  ".join(f"{kind} {number}" for kind, number in stats.by_event_type.items())
    ctx.out.fields(
        [
            ("Project", project),
            ("Database", ctx.db.location),
            (
                "Memories",
                f"{stats.total} ({stats.pinned} pinned, {count(stats.files, 'file', 'files')})",
            ),
            ("By salience", by_salience),
            ("By kind", by_kind or "-"),
            ("Oldest", when(stats.oldest)),
            ("Newest", when(stats.newest)),
        ]
    )
    return EXIT_OK


def cmd_show(ctx: Context) -> int:
    memory = ctx.memory(ctx.args.id)
    gists = ctx.db.get_audience_gists(memory.id)
    ctx.db.touch_memory(memory.id)  # opening a memory is a use
    if ctx.out.as_json:
        ctx.out.json({**memory_json(memory), "verbatim": memory.verbatim, "gists": gists})
        return EXIT_OK
    flags = [memory.salience, memory.event_type]
    if memory.pinned:
        flags.append("pinned")
    if memory.detached:
        flags.append("detached from its line")
    ctx.out.line(f"#{memory.id}  {memory.gist}")
    ctx.out.line("  ".join(flags))
    ctx.out.line()
    ctx.out.fields(
        [
            ("Project", memory.project_path),
            ("Place", place(memory)),
            ("Created", when(memory.created_at)),
            ("Last used", when(memory.last_accessed)),
            ("Expires", f"{utc_text(memory.expires_at)} UTC" if memory.expires_at else "never"),
            *(
                [
                    (
                        "Pinned",
                        when(memory.pinned_at)
                        + (f": {memory.pin_reason}" if memory.pin_reason else ""),
                    )
                ]
                if memory.pinned
                else []
            ),
            ("Seen", count(memory.occurrence_count, "time", "times")),
            ("Tags", ", ".join(memory.tags) or "-"),
        ]
    )
    if gists:
        ctx.out.line()
        ctx.out.table(("AUDIENCE", "GIST"), sorted(gists.items()))
    ctx.out.line()
    ctx.out.line("Verbatim:")
    for text in memory.verbatim.splitlines() or [""]:
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
        if file_path is not None and args.line is not None
        else ""
    )
    memory_id = CaptureService(ctx.db).remember_note(
        project, file_path, args.line, end_line, selection, args.note, args.salience
    )
    memory = ctx.memory(memory_id)
    if ctx.out.as_json:
        ctx.out.json(memory_json(memory))
    else:
        where = "" if place(memory) == "-" else f" at {place(memory)}"
        ctx.out.line(f"Remembered #{memory_id} ({memory.salience}){where}: {memory.gist}")
    return EXIT_OK


def cmd_forget(ctx: Context) -> int:
    memory = ctx.memory(ctx.args.id)
    if not ctx.db.delete_memory(memory.id):
        raise MemoryNotFoundError(memory.id)
    if ctx.out.as_json:
        ctx.out.json({"id": memory.id, "forgotten": True})
    else:
        ctx.out.line(f"Forgot #{memory.id}: {memory.gist}")
    return EXIT_OK


def cmd_pin(ctx: Context) -> int:
    pinned = ctx.args.command == "pin"
    ctx.db.set_memory_pinned(ctx.args.id, pinned, getattr(ctx.args, "reason", None))
    memory = ctx.memory(ctx.args.id)
    if ctx.out.as_json:
        ctx.out.json(memory_json(memory))
    else:
        ctx.out.line(f"{'Pinned' if pinned else 'Unpinned'} #{memory.id}: {memory.gist}")
    return EXIT_OK


def cmd_gists(ctx: Context) -> int:
    args = ctx.args
    memory = ctx.memory(args.id)
    gists = ctx.db.get_audience_gists(memory.id, [args.audience] if args.audience else None)
    history = ctx.db.get_gist_history(memory.id, args.audience) if args.history else None
    if ctx.out.as_json:
        result: dict[str, Any] = {"id": memory.id, "gist": memory.gist, "gists": gists}
        if history is not None:
            result["history"] = [
                {
                    "audience": row.audience,
                    "gist": row.gist,
                    "created_at": iso_time(row.created_at),
                    "replaced_at": iso_time(row.replaced_at),
                }
                for row in history
            ]
        ctx.out.json(result)
        return EXIT_OK
    ctx.out.line(f"#{memory.id}  {memory.gist}")
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
                [
                    (
                        row.audience,
                        utc_text(row.created_at) if row.created_at else "-",
                        utc_text(row.replaced_at),
                        row.gist,
                    )
                    for row in history
                ],
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
        print_ledger(ctx.out, entries, "Nothing has been forgotten yet.")
    return EXIT_OK


def cmd_forget_expired(ctx: Context) -> int:
    from vidurai.memory.forgetting import describe_forgotten, forget_now, preview_expired

    dry_run = ctx.args.dry_run
    entries = preview_expired(ctx.db) if dry_run else forget_now(ctx.db)
    if ctx.out.as_json:
        ctx.out.json({"dry_run": dry_run, "entries": [ledger_json(entry) for entry in entries]})
        return EXIT_OK
    if dry_run:
        print_ledger(ctx.out, entries, "Nothing is due to be forgotten.")
        if entries:
            ctx.out.line()
            ctx.out.line(
                f"Would forget {count(len(entries), 'memory', 'memories')} "
                "(dry run: nothing was changed)."
            )
    else:
        print_ledger(ctx.out, entries, "")
        if entries:
            ctx.out.line()
        ctx.out.line(describe_forgotten(entries))
    return EXIT_OK


# ---------------------------------------------------------------------- export and import


def cmd_export(ctx: Context) -> int:
    args = ctx.args
    records = ctx.db.export_records(None if args.all_projects else ctx.project)
    if args.format == "markdown":
        text = export_markdown(records)
    else:
        text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)
    if args.output:
        # Memories are private: a new export file is readable by its owner only.
        with open(
            os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600),
            "w",
            encoding="utf-8",
        ) as handle:
            handle.write(text)
        print(
            f"Exported {count(len(records), 'memory', 'memories')} to {args.output}",
            file=sys.stderr,
        )
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
        ctx.out.line(
            f"Imported {count(result.imported, 'memory', 'memories')} from {path}{skipped}."
        )
    return EXIT_OK


def cmd_import_legacy(ctx: Context) -> int:
    path = Path(ctx.args.path).expanduser() if ctx.args.path else legacy_path()
    result = import_legacy(ctx.db, path)
    if ctx.out.as_json:
        ctx.out.json({"imported": result.imported, "skipped": result.skipped, "from": str(path)})
    else:
        skipped = f" ({result.skipped} already present, skipped)" if result.skipped else ""
        ctx.out.line(
            f"Imported {count(result.imported, 'memory', 'memories')} from {path}"
            f"{skipped} into {ctx.db.location}. {path} was not changed."
        )
    return EXIT_OK


# ---------------------------------------------------------------------- doctor


def cmd_doctor(ctx: Context) -> int:
    db = ctx.db
    health = db.check_health(repair=ctx.args.repair)
    counts, version, problem = health.counts, health.schema_version, health.fts_problem
    legacy = legacy_candidate(db)
    if ctx.out.as_json:
        ctx.out.json(
            {
                "ok": health.healthy,
                "database": db.location,
                "schema_version": version,
                "latest_schema_version": LATEST_VERSION,
                "integrity": list(health.integrity),
                "fts_in_step": problem is None,
                "fts_problem": problem,
                "fts_rebuilt": health.fts_rebuilt,
                "counts": counts,
                "upgraded_from": db.upgrade.found if db.upgrade else None,
                "legacy_file": str(legacy) if legacy else None,
            }
        )
    else:
        ctx.out.fields(
            [
                ("Database", f"{db.location} ({health.size_bytes / 1024:,.0f} KiB)"),
                (
                    "Schema version",
                    f"{version}"
                    + (
                        " (current)"
                        if version == LATEST_VERSION
                        else f" (expected {LATEST_VERSION})"
                    ),
                ),
                (
                    "Integrity",
                    "ok"
                    if health.integrity == ("ok",)
                    else "FAILED: " + "; ".join(health.integrity),
                ),
                (
                    "Full-text index",
                    ("rebuilt, now in step" if health.fts_rebuilt else "in step")
                    if problem is None
                    else f"OUT OF STEP ({problem}); `doctor --repair` rebuilds it",
                ),
                ("Projects", counts["projects"]),
                (
                    "Memories",
                    f"{counts['memories']} ({counts['pinned']} pinned, "
                    f"{counts['memories_missing_gists']} without every audience gist)",
                ),
                ("Audience gists", counts["audience_gists"]),
                ("Gist history", counts["gist_history"]),
                ("Ledger lines", counts["ledger"]),
                *(
                    [
                        (
                            "Upgraded",
                            f"just now, from {db.upgrade.found}"
                            + (
                                f"; the old file is kept as {db.upgrade.backup}"
                                if db.upgrade.backup
                                else ""
                            ),
                        )
                    ]
                    if db.upgrade
                    else []
                ),
            ]
        )
        if legacy is not None:
            ctx.out.line()
            ctx.out.line(
                f"Found the predecessor's memories in {legacy}, and this store has "
                f"none yet: `{PROG} import-legacy` brings them in (the old file is "
                "not changed)."
            )
    if not health.healthy:
        print(f"{PROG}: error: the database has problems (see above)", file=sys.stderr)
    return EXIT_OK if health.healthy else EXIT_FAILED


# ---------------------------------------------------------------------- servers


def cmd_serve(ctx: Context) -> int:
    if ctx.args.db or ctx.args.project:
        raise UsageError("serve takes its database and folders from the LSP client's settings")
    # The server's imports make some 50,000 objects that live as long as it does: the
    # collections they would set off free nothing, and cost 0.1-0.2 s of every start.
    # Frozen before collection resumes, as the first one would otherwise walk them all
    # (30-40 ms); they are looked at once, when the server is quiet (freeze_start_up_objects).
    gc.disable()
    from vidurai.lsp.server import main as serve

    gc.freeze()
    gc.enable()
    serve()
    return EXIT_OK


def cmd_mcp(ctx: Context) -> int:
    from vidurai.mcp_server import run

    return run(db_path=ctx.args.db, project=ctx.project, allow_write=ctx.args.allow_write)
