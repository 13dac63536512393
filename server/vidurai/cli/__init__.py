"""The `vidurai` command line: the editor's memories, for the terminal and for scripts.

``parser`` defines the arguments, ``commands`` runs them, ``output`` writes tables and JSON.
Output: a readable table for people, ``--json`` (stable keys) for scripts. Errors go to
stderr as ``vidurai: error: …`` with exit code 1 (not found, operation failed); argparse
usage errors exit 2.
"""

from __future__ import annotations

import os
import sys
from typing import Sequence

from vidurai.cli.commands import EXIT_FAILED, EXIT_USAGE, PROG, CliError, Context, UsageError
from vidurai.cli.output import Output
from vidurai.cli.parser import COMMANDS, build_parser
from vidurai.storage import DatabaseOpenError, MemoryNotFoundError, StoreError


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
    except MemoryNotFoundError as error:
        print(f"{PROG}: error: {error} (`{PROG} recall` lists the ids)", file=sys.stderr)
        return EXIT_FAILED
    except (CliError, DatabaseOpenError, ValueError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except StoreError as error:
        print(f"{PROG}: error: the database failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # The reader went away (`vidurai export | head`): stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    finally:
        ctx.close()
