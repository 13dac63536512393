"""What a tool's words mean in plain ones: tables of diagnostics and of commands.

A diagnostic is matched by its message, code and source together (pyright/Pylance rule
names, ruff/flake8 codes, mypy error codes, TypeScript numbers); a command by its program and
arguments. The first row that matches wins, so the more specific rows come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class DiagnosticCategory:
    pattern: re.Pattern[str]
    personal: str  # what I did: "fixed a syntax error"
    manager: str  # the outcome, with the consequence: "Fixed a syntax error that …"
    manager_named: str | None = None  # the same naming what the tool quoted: "{name}"


def _rule(
    pattern: str, personal: str, manager: str, named: str | None = None
) -> DiagnosticCategory:
    return DiagnosticCategory(re.compile(pattern, re.IGNORECASE), personal, manager, named)


DIAGNOSTICS = (
    _rule(
        r"no module named|cannot find module|could not be resolved|unresolved import"
        r"|reportMissingImports|reportMissingModuleSource|import-not-found|import-untyped"
        r"|\bTS2307\b|\bF401\b.*never|\bE0401\b",
        "fixed a missing import",
        "Fixed a missing dependency that stopped the code from loading",
        "Fixed the missing {name} dependency that stopped the code from loading",
    ),
    _rule(
        r"unused|never used|is not accessed|never read|\bF401\b|\bF841\b|\bTS6133\b|\bTS6196\b",
        "removed unused code",
        "Removed unused code",
    ),
    _rule(
        r"is not defined|cannot find name|undefined name|undefined variable|unresolved reference"
        r"|reportUndefinedVariable|name-defined|\bF821\b|\bTS2304\b|\bTS2552\b",
        "fixed an undefined name",
        "Fixed a crash caused by a name that was never defined",
        "Fixed a crash from the undefined name {name}",
    ),
    _rule(
        r"possibly (?:unbound|none|'?null'?|'?undefined'?)|nonetype|optional member"
        r"|reportOptional\w+|union-attr|\bTS2531\b|\bTS2532\b|\bTS18047\b|\bTS18048\b",
        "added a missing-value check",
        "Fixed a crash when a value is missing",
    ),
    _rule(
        r"has no attribute|is not a known attribute|cannot access attribute|does not exist on type"
        r"|reportAttributeAccessIssue|attr-defined|\bTS2339\b|\bTS2551\b",
        "fixed an unknown attribute",
        "Fixed a crash from using a field that does not exist",
    ),
    _rule(
        r"argument missing|missing \d* ?(?:required )?(?:positional )?arguments?|expected \d+ arguments?"
        r"|too many (?:positional )?arguments|no parameter named|reportCallIssue|call-arg"
        r"|\bTS2554\b|\bTS2555\b",
        "fixed a call with the wrong arguments",
        "Fixed a function call with the wrong arguments",
    ),
    _rule(
        r"must return (?:a )?value|missing return|not all code paths return|empty-body"
        r"|\bTS2355\b|\bTS7030\b",
        "added a missing return",
        "Fixed a function that could return nothing",
    ),
    _rule(
        r"not assignable|incompatible (?:type|return)|argument of type|is incompatible"
        r"|reportArgumentType|reportAssignmentType|reportReturnType|arg-type|return-value"
        r"|\bassignment\b"
        r"|typeerror|\bTS2322\b|\bTS2345\b",
        "fixed a type mismatch",
        "Fixed a value of the wrong type that could break at run time",
    ),
    _rule(
        r"^expected (?:an? |\W)|expected (?:an )?indented block|^['\"].{1,4}['\"] expected"
        r"|unindent|expected expression|invalid syntax|unexpected token|unexpected indent"
        r"|unterminated|syntax ?error|parse error|\bE999\b|\bTS1\d{3}\b",
        "fixed a syntax error",
        "Fixed a syntax error that stopped the code from running",
    ),
    _rule(
        r"line too long|whitespace|indentation contains|trailing|\bE501\b|\bW29\d\b|\bE1\d\d\b"
        r"|\bE2\d\d\b|\bE3\d\d\b|\bW391\b|formatting",
        "fixed a style issue",
        "Tidied code formatting",
    ),
)
FALLBACK_DIAGNOSTIC = DiagnosticCategory(
    re.compile(""), "fixed an error", "Fixed an error the code checker reported"
)


def diagnostic_category(message: str, code: str | None, source: str | None) -> DiagnosticCategory:
    haystack = " ".join(part for part in (message, code, source) if part)
    return next((row for row in DIAGNOSTICS if row.pattern.search(haystack)), FALLBACK_DIAGNOSTIC)


@dataclass(frozen=True)
class CommandCategory:
    pattern: re.Pattern[str]
    failing: str  # manager, failing: "Tests are failing"
    fixed: str  # manager, fixed: "Tests pass again"
    state: str  # personal, fixed: "I got <command> passing again"


def _command(pattern: str, failing: str, fixed: str, state: str = "working") -> CommandCategory:
    return CommandCategory(re.compile(pattern, re.IGNORECASE), failing, fixed, state)


COMMANDS = (
    _command(
        r"\b(?:git)\s+push\b",
        "Pushing code to the shared repository failed",
        "Code reaches the shared repository again",
    ),
    _command(
        r"\b(?:git)\b", "A version-control step failed", "The version-control step works again"
    ),
    _command(
        r"\b(?:test|tests|pytest|jest|vitest|mocha|rspec|phpunit|unittest|tox|nox)\b",
        "Tests are failing",
        "Tests pass again",
        "passing",
    ),
    _command(
        r"\b(?:lint|eslint|ruff|flake8|pylint|mypy|pyright|prettier|black|clippy|typecheck|vet|tsc)\b",
        "Code checks are failing",
        "Code checks pass again",
        "passing",
    ),
    _command(
        r"\b(?:migrate|migration|migrations|alembic|flyway)\b",
        "A database migration failed",
        "Database migrations run again",
    ),
    _command(
        r"\b(?:deploy|kubectl|helm|terraform|ansible|vercel|heroku|serverless)\b",
        "A deployment failed",
        "Deployment works again",
    ),
    _command(
        r"\b(?:install|ci|sync|add)\b",
        "Installing dependencies failed",
        "Dependencies install again",
    ),
    _command(
        r"\b(?:build|make|webpack|vite|compile|gradle|mvn|cmake|bazel|cargo|go)\b",
        "The build is failing",
        "The build works again",
    ),
    _command(
        r"\b(?:docker|podman|compose)\b",
        "The local environment failed to start",
        "The local environment starts again",
    ),
)
FALLBACK_COMMAND = CommandCategory(
    re.compile(""), "A command failed", "A failing command works again", "working"
)


def command_category(command: str) -> CommandCategory:
    return next((row for row in COMMANDS if row.pattern.search(command)), FALLBACK_COMMAND)


_QUOTED_NAME = re.compile(r"[\"'“‘`]([A-Za-z_][\w.\-]*)[\"'”’`]")


def quoted_name(message: str) -> str | None:
    """The first name a tool quoted in its message: ``"show_me" is not defined`` → show_me."""
    match = _QUOTED_NAME.search(message)
    return match.group(1) if match else None
