"""The CLI's arguments: one parser, a subcommand per command, the shared options."""

from __future__ import annotations

import argparse
from typing import Callable, Sequence

from vidurai import __version__
from vidurai.cli.commands import (
    PROG,
    Context,
    cmd_context,
    cmd_doctor,
    cmd_export,
    cmd_forget,
    cmd_forget_expired,
    cmd_gists,
    cmd_import,
    cmd_import_legacy,
    cmd_ledger,
    cmd_mcp,
    cmd_pin,
    cmd_recall,
    cmd_remember,
    cmd_report,
    cmd_serve,
    cmd_show,
    cmd_stats,
)
from vidurai.limits import DEFAULT_CONTEXT_TOKENS
from vidurai.storage import SalienceLevel


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


# ---------------------------------------------------------------------- parser


def _location_options(sub: bool) -> argparse.ArgumentParser:
    # On subcommands the default is SUPPRESS, so `vidurai --db X recall` is not reset by
    # the subcommand's own (absent) --db: the options work before or after the command.
    default = argparse.SUPPRESS if sub else None
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--db",
        metavar="PATH",
        default=default,
        help="the database file (default: $VIDURAI_HOME/memory.db, else the "
        "platform's user data folder)",
    )
    parser.add_argument(
        "--project",
        metavar="DIR",
        default=default,
        help="the project folder (default: the git root, else the current folder)",
    )
    return parser


def _json_option(sub: bool) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if sub else False,
        help="print JSON with stable keys instead of a table",
    )
    return parser


# Each command's name → the function that runs it (filled by ``build_parser``).
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

    def command(
        name: str,
        handler: Callable[[Context], int],
        help: str,
        parents: Sequence[argparse.ArgumentParser] = common,
    ) -> argparse.ArgumentParser:
        COMMANDS[name] = handler
        return commands.add_parser(name, help=help, description=help, parents=list(parents))

    def memory_id(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("id", type=_positive_int, metavar="ID", help="the memory's id")

    sub = command("recall", cmd_recall, "Find memories: by words, file and salience.")
    sub.add_argument(
        "words", nargs="*", metavar="WORDS", help="what to search for (ranked by relevance)"
    )
    sub.add_argument("--query", "-q", help="the same, as one option (for scripts)")
    sub.add_argument("--audience", "-a", type=_audience, help="show gists for this audience")
    sub.add_argument("--limit", "-n", type=_positive_int, default=10, help="at most N (default 10)")
    sub.add_argument(
        "--min-salience",
        type=_salience,
        default="MEDIUM",
        help="the least salience shown: critical, high, medium (default), low, noise",
    )
    sub.add_argument("--file", "-f", help="only memories about this file")

    sub = command(
        "context", cmd_context, "Print AI context: the Markdown the editor's Copy AI Context gives."
    )
    sub.add_argument("--query", "-q", help="what the context is for")
    sub.add_argument("--file", "-f", help="the current file (its memories come first)")
    sub.add_argument("--audience", "-a", type=_audience, default="ai", help="default: ai")
    sub.add_argument(
        "--max-tokens",
        type=_token_budget,
        default=DEFAULT_CONTEXT_TOKENS,
        help=f"default: {DEFAULT_CONTEXT_TOKENS}",
    )

    sub = command("report", cmd_report, "Print a report of the last days' memories.")
    sub.add_argument("--days", type=_positive_int, default=7, help="default: 7")
    sub.add_argument("--audience", "-a", type=_audience, default="manager", help="default: manager")
    sub.add_argument("--max-tokens", type=_token_budget, help="cut the report to this budget")

    command("stats", cmd_stats, "Count the project's memories.")

    sub = command("show", cmd_show, "Show one memory: gists, place, times, verbatim.")
    memory_id(sub)

    sub = command("remember", cmd_remember, "Remember a note, optionally about a file and line.")
    sub.add_argument("note", help="what to remember (it is redacted before it is stored)")
    sub.add_argument("--file", "-f", help="the file it is about, relative to the project")
    sub.add_argument("--line", "-l", type=_positive_int, help="the line it is about (1-based)")
    sub.add_argument("--end-line", type=_positive_int, help="the last line, for a range")
    sub.add_argument(
        "--salience",
        "-s",
        type=_salience,
        help="critical, high, medium, low or noise (default: judged from the note)",
    )

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

    sub = command(
        "forget-expired",
        cmd_forget_expired,
        "Forget every expired, unpinned memory now (all projects).",
    )
    sub.add_argument("--dry-run", action="store_true", help="only show what would be forgotten")

    sub = command("export", cmd_export, "Export memories with their gists and history.")
    sub.add_argument(
        "--format",
        choices=("jsonl", "markdown"),
        default="jsonl",
        help="jsonl (default; `vidurai import` reads it back) or markdown",
    )
    sub.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of stdout")
    sub.add_argument("--all-projects", action="store_true", help="not only this project")

    sub = command("import", cmd_import, "Import a JSONL export, exactly as it was exported.")
    sub.add_argument("file", metavar="FILE.jsonl", help="a file written by `vidurai export`")
    sub.add_argument(
        "--audience",
        action="append",
        metavar="NAME",
        help="also accept gists for this configured audience (repeatable)",
    )

    sub = command(
        "import-legacy",
        cmd_import_legacy,
        "Import the predecessor's memories (any old layout); the old file is not changed.",
    )
    sub.add_argument(
        "path", nargs="?", metavar="PATH", help="the old database (default: ~/.vidurai/memory.db)"
    )

    sub = command(
        "doctor",
        cmd_doctor,
        "Check the database: path, schema version, integrity, full-text index, counts.",
    )
    sub.add_argument(
        "--repair",
        action="store_true",
        help="rebuild the full-text index if it is out of step with the memories",
    )

    command(
        "serve", cmd_serve, "Run the language server on stdio (editors start this).", parents=[]
    )

    sub = command(
        "mcp",
        cmd_mcp,
        "Run the MCP server on stdio (AI assistants start this).",
        parents=[_location_options(True)],
    )
    sub.add_argument(
        "--allow-write",
        action="store_true",
        help="offer the `remember` tool (read-only without it)",
    )
    return parser
