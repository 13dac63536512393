"""What a terminal command is, for remembering its failures and fixes. Pure, no I/O.

A command is known by its *key*: the chain without the setup in front of it (``cd src &&``,
``source .venv/bin/activate &&``, ``VAR=1``) and, for test runners, without the options and
node ids that only narrow or colour a run (``-x``, ``-k name``, ``-v``, ``file.py::test``), so
``pytest tests/test_auth.py::test_refresh -x`` failing and ``cd . && pytest tests/test_auth.py``
passing are one command failing and then fixed.
"""

from __future__ import annotations

import re
import shlex
from pathlib import PurePosixPath

# Commands that say nothing worth remembering, whatever their exit code.
TRIVIAL_COMMANDS = frozenset(
    "cd ls ll la dir clear cls pwd exit logout history echo printf cat less more man which "
    "whereis whoami true false code open z j tree top htop fg bg jobs alias source . export "
    "unset env set type help".split()
)
TRIVIAL_GIT_SUBCOMMANDS = frozenset("status log diff show branch remote fetch stash".split())

# A chain's first segments that only prepare the shell for the command that follows.
_SETUP_COMMANDS = frozenset("cd pushd source . export set unset nvm conda workon pyenv".split())
_CHAIN_OPERATORS = frozenset({"&&", ";", "||"})
# Runners a command is run through (``uv run pytest``): the words before the real program.
_RUNNER_PREFIXES = (("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("hatch", "run"), ("npx",))
_TEST_RUNNERS = frozenset("pytest py.test jest vitest mocha tox nox".split())
_TEST_SUBCOMMANDS = frozenset(
    {
        ("go", "test"),
        ("cargo", "test"),
        ("npm", "test"),
        ("yarn", "test"),
        ("pnpm", "test"),
        ("npm", "run test"),
    }
)
# Test-runner options that take the next word as their value.
_VALUE_OPTIONS = frozenset(
    "-k -m -p -n -c -o -W -t -run --tb --maxfail --deselect --ignore --rootdir --durations "
    "--testNamePattern --reporter".split()
)

# Exit codes of a command stopped by the user (Ctrl+C: SIGINT, or SIGTERM): not a failure.
INTERRUPTED_EXIT_CODES = frozenset({130, 143})
# Failures that are part of an ordinary routine, not a problem solved later.
_ROUTINE_FAILURES = (
    (
        ("git", "push"),
        re.compile(r"\[rejected\]|Updates were rejected|non-fast-forward|fetch first"),
    ),
)


def _words(command: str) -> list[str]:
    lexer = shlex.shlex(command, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # an unclosed quote: take it as typed
        return command.split()


def _segments(command: str) -> list[list[str]]:
    segments: list[list[str]] = [[]]
    for word in _words(command):
        if word in _CHAIN_OPERATORS:
            segments.append([])
        else:
            segments[-1].append(word)
    return [segment for segment in segments if segment]


def _without_assignments(words: list[str]) -> list[str]:
    while words and "=" in words[0] and not words[0].startswith(("=", "-")):
        words = words[1:]  # leading VAR=value assignments
    return words


def _is_setup(words: list[str]) -> bool:
    words = _without_assignments(words)
    return not words or words[0] in _SETUP_COMMANDS or words[0].endswith("/activate")


def _program_words(command: str) -> list[list[str]]:
    """The segments that do the work: setup in front of them is dropped."""
    segments = [_without_assignments(segment) for segment in _segments(command)]
    while segments and _is_setup(segments[0]):
        segments = segments[1:]
    return [segment for segment in segments if segment]


def is_trivial_command(command: str) -> bool:
    segments = _program_words(command)
    if not segments:
        return True
    words = segments[0]
    program = PurePosixPath(words[0]).name
    if program in TRIVIAL_COMMANDS:
        return True
    return program == "git" and len(words) > 1 and words[1] in TRIVIAL_GIT_SUBCOMMANDS


def command_key(command: str) -> str:
    """The command as it is matched against earlier runs (see the module docstring)."""
    return " && ".join(" ".join(_normalized(words)) for words in _program_words(command))


def _normalized(words: list[str]) -> list[str]:
    for prefix in _RUNNER_PREFIXES:
        if tuple(words[: len(prefix)]) == prefix and len(words) > len(prefix):
            words = words[len(prefix) :]
    program = PurePosixPath(words[0]).name
    if program.startswith("python") and words[1:3] == ["-m", "pytest"]:
        words, program = ["pytest", *words[3:]], "pytest"
    head = (program, " ".join(words[1:2]))
    head_two = (program, " ".join(words[1:3]))
    if program in _TEST_RUNNERS:
        return [program, *_test_targets(words[1:])]
    for subcommand in (head, head_two):
        if subcommand in _TEST_SUBCOMMANDS:
            width = len(subcommand[1].split())
            return [program, *subcommand[1].split(), *_test_targets(words[1 + width :])]
    return [program, *words[1:]]


def _test_targets(arguments: list[str]) -> list[str]:
    """The files or packages a test run is about, without options or node ids, sorted."""
    targets: set[str] = set()
    skip_value = False
    for argument in arguments:
        if skip_value:
            skip_value = False
        elif argument == "--":
            continue
        elif argument.startswith("-"):
            skip_value = argument in _VALUE_OPTIONS
        else:
            path = argument.split("::", 1)[0]
            targets.add(path[2:] if path.startswith("./") and len(path) > 2 else path)
    return sorted(targets)


def is_interrupted(exit_code: int) -> bool:
    return exit_code in INTERRUPTED_EXIT_CODES


def is_routine_failure(command: str, output: str) -> bool:
    """A failure that is part of a routine (a push rejected until the branch is pulled)."""
    for segment in _program_words(command):
        for (program, subcommand), pattern in _ROUTINE_FAILURES:
            if PurePosixPath(segment[0]).name == program and segment[1:2] == [subcommand]:
                if pattern.search(output):
                    return True
    return False
