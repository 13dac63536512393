"""The gists each audience gets, on real cases: diagnostics of pyright/Pylance, ruff, mypy and
TypeScript; failing and fixed commands of pytest, npm, make, cargo, go and git; decisions,
gotchas, refactors, configuration notes, notes with markup and with redacted secrets.

Every case asserts every voice's exact text, and every case passes the rubric of
docs/GISTS.md (``tests/gist_rubric.py``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.gist_rubric import rubric_problems
from vidurai.gists import (
    MAX_GIST_LENGTH,
    AudienceRegistry,
    GistContext,
    MultiAudienceGistGenerator,
    UnknownAudienceError,
)
from vidurai.gists.text import area_of
from vidurai.memory.redact import redact

# Fake secrets, assembled so that no scanner mistakes this file for a leak.
AWS = "AKIA" + "IOSFODNN7EXAMPLE"
OPENAI = "sk-proj-" + "abc123DEF456ghi789JKL012mno"
PW = "Sup3r" + "S3cret"
GHP = "ghp_" + "abcdefghijklmnopqrstuvwxyz0123456789"
BEARER = "eyJhbGciOi" + "JIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlc2lnbmF0dXJl"


def diag(message: str, file: str, code: str | None = None, source: str | None = None):
    """A fixed diagnostic as capture passes it: "Fixed <message>" and the tool's facts."""
    return "Fixed " + message, GistContext(
        event_type="error_fixed", file_path=file, message=message, error_type=code, source=source
    )


def failed(command: str, exit_code: int, cause: str):
    """A failing command as capture passes it: its summary and its error line."""
    return f"{command} failed with exit code {exit_code}: {cause}", GistContext(
        event_type="command_failed", command=command, exit_code=exit_code, message=cause
    )


def fixed(command: str):
    return f"Fixed failing command {command}", GistContext(
        event_type="command_fixed", command=command, exit_code=0
    )


def note(text: str, **context: Any):
    return text, GistContext(**context)


def case(memory: tuple[str, GistContext], **voices: str):
    canonical, context = memory
    return pytest.param(canonical, context, voices, id=canonical[:60] or context.command)


CASES = [
    case(
        diag(
            '"foo" is not defined', "src/handlers/orders.py", "reportUndefinedVariable", "Pylance"
        ),
        developer='Fixed reportUndefinedVariable: "foo" is not defined',
        ai='Fix (Pylance reportUndefinedVariable): "foo" is not defined',
        manager="Handlers: fixed a crash from the undefined name foo",
        personal='I fixed an undefined name ("foo" is not defined)',
    ),
    case(
        diag(
            'Import "requests" could not be resolved',
            "src/sync/client.py",
            "reportMissingImports",
            "Pylance",
        ),
        developer='Fixed reportMissingImports: Import "requests" could not be resolved',
        ai='Fix (Pylance reportMissingImports): Import "requests" could not be resolved',
        manager="Sync: fixed the missing requests dependency that stopped the code from loading",
        personal='I fixed a missing import (Import "requests" could not be resolved)',
    ),
    case(
        diag(
            'Cannot access attribute "emial" for class "User"',
            "src/accounts/models.py",
            "reportAttributeAccessIssue",
            "Pylance",
        ),
        developer='Fixed reportAttributeAccessIssue: Cannot access attribute "emial" for class "User"',
        ai='Fix (Pylance reportAttributeAccessIssue): Cannot access attribute "emial" for class "User"',
        manager="Accounts: fixed a crash from using a field that does not exist",
        personal='I fixed an unknown attribute (Cannot access attribute "emial" for class "User")',
    ),
    case(
        diag(
            '"id" is not a known attribute of "None"',
            "src/orders/service.py",
            "reportOptionalMemberAccess",
            "Pylance",
        ),
        developer='Fixed reportOptionalMemberAccess: "id" is not a known attribute of "None"',
        ai='Fix (Pylance reportOptionalMemberAccess): "id" is not a known attribute of "None"',
        manager="Orders: fixed a crash when a value is missing",
        personal='I added a missing-value check ("id" is not a known attribute of "None")',
    ),
    case(
        diag(
            'Argument missing for parameter "timeout"',
            "src/payments/gateway.py",
            "reportCallIssue",
            "Pylance",
        ),
        developer='Fixed reportCallIssue: Argument missing for parameter "timeout"',
        ai='Fix (Pylance reportCallIssue): Argument missing for parameter "timeout"',
        manager="Payments: fixed a function call with the wrong arguments",
        personal='I fixed a call with the wrong arguments (Argument missing for parameter "timeout")',
    ),
    case(
        diag("Expected indented block", "src/billing/invoice.py", None, "Pylance"),
        developer="Fixed: Expected indented block",
        ai="Fix (Pylance): Expected indented block",
        manager="Billing: fixed a syntax error that stopped the code from running",
        personal="I fixed a syntax error (Expected indented block)",
    ),
    case(
        diag('Expected ":"', "src/auth/tokens.py", None, "Pylance"),
        developer='Fixed: Expected ":"',
        ai='Fix (Pylance): Expected ":"',
        manager="Auth: fixed a syntax error that stopped the code from running",
        personal='I fixed a syntax error (Expected ":")',
    ),
    case(
        diag(
            'Argument of type "str" is not assignable to parameter "amount" of type "int"',
            "src/billing/refunds.py",
            "reportArgumentType",
            "Pylance",
        ),
        developer='Fixed reportArgumentType: Argument of type "str" is not assignable to parameter "amount" of type "int"',
        ai='Fix (Pylance reportArgumentType): Argument of type "str" is not assignable to parameter "amount" of type "int"',
        manager="Billing: fixed a value of the wrong type that could break at run time",
        personal='I fixed a type mismatch (Argument of type "str" is not assignable to parameter "amount" of type "int")',
    ),
    case(
        diag(
            'Function with declared return type "int" must return value on all code paths',
            "src/reports/totals.py",
            "reportReturnType",
            "Pylance",
        ),
        developer='Fixed reportReturnType: Function with declared return type "int" must return value on all code paths',
        ai='Fix (Pylance reportReturnType): Function with declared return type "int" must return value on all code paths',
        manager="Reports: fixed a function that could return nothing",
        personal='I added a missing return (Function with declared return type "int" must return value on all code paths)',
    ),
    case(
        diag(
            '"session" is possibly unbound', "src/db/session.py", "reportPossiblyUnbound", "Pylance"
        ),
        developer='Fixed reportPossiblyUnbound: "session" is possibly unbound',
        ai='Fix (Pylance reportPossiblyUnbound): "session" is possibly unbound',
        manager="DB: fixed a crash when a value is missing",
        personal='I added a missing-value check ("session" is possibly unbound)',
    ),
    case(
        diag(
            'Import "jose" could not be resolved from source',
            "src/auth/jwt.py",
            "reportMissingModuleSource",
            "Pylance",
        ),
        developer='Fixed reportMissingModuleSource: Import "jose" could not be resolved from source',
        ai='Fix (Pylance reportMissingModuleSource): Import "jose" could not be resolved from source',
        manager="Auth: fixed the missing jose dependency that stopped the code from loading",
        personal='I fixed a missing import (Import "jose" could not be resolved from source)',
    ),
    case(
        diag("Undefined name `show_me`", "app/show.py", "F821", "Ruff"),
        developer="Fixed F821: Undefined name `show_me`",
        ai="Fix (Ruff F821): Undefined name `show_me`",
        manager="Show: fixed a crash from the undefined name show_me",
        personal="I fixed an undefined name (Undefined name `show_me`)",
    ),
    case(
        diag("`os` imported but unused", "scripts/cleanup.py", "F401", "Ruff"),
        developer="Fixed F401: `os` imported but unused",
        ai="Fix (Ruff F401): `os` imported but unused",
        manager="Cleanup: removed unused code",
        personal="I removed unused code (`os` imported but unused)",
    ),
    case(
        diag("Line too long (104 > 88)", "src/api/routes.py", "E501", "Ruff"),
        developer="Fixed E501: Line too long (104 > 88)",
        ai="Fix (Ruff E501): Line too long (104 > 88)",
        manager="API: tidied code formatting",
        personal="I fixed a style issue (Line too long (104 > 88))",
    ),
    case(
        diag(
            "Local variable `result` is assigned to but never used",
            "src/jobs/nightly.py",
            "F841",
            "Ruff",
        ),
        developer="Fixed F841: Local variable `result` is assigned to but never used",
        ai="Fix (Ruff F841): Local variable `result` is assigned to but never used",
        manager="Jobs: removed unused code",
        personal="I removed unused code (Local variable `result` is assigned to but never used)",
    ),
    case(
        diag("SyntaxError: Unexpected indentation", "src/jobs/import_rates.py", None, "Ruff"),
        developer="Fixed: SyntaxError: Unexpected indentation",
        ai="Fix (Ruff): SyntaxError: Unexpected indentation",
        manager="Jobs: fixed a syntax error that stopped the code from running",
        personal="I fixed a syntax error (SyntaxError: Unexpected indentation)",
    ),
    case(
        diag(
            'Name "compute_delta_value" is not defined',
            "src/metrics/delta.py",
            "name-defined",
            "mypy",
        ),
        developer='Fixed name-defined: Name "compute_delta_value" is not defined',
        ai='Fix (mypy name-defined): Name "compute_delta_value" is not defined',
        manager="Metrics: fixed a crash from the undefined name compute_delta_value",
        personal='I fixed an undefined name (Name "compute_delta_value" is not defined)',
    ),
    case(
        diag(
            'Item "None" of "Optional[User]" has no attribute "email"',
            "src/notify/email.py",
            "union-attr",
            "mypy",
        ),
        developer='Fixed union-attr: Item "None" of "Optional[User]" has no attribute "email"',
        ai='Fix (mypy union-attr): Item "None" of "Optional[User]" has no attribute "email"',
        manager="Notify: fixed a crash when a value is missing",
        personal='I added a missing-value check (Item "None" of "Optional[User]" has no attribute "email")',
    ),
    case(
        diag(
            'Incompatible return value type (got "str", expected "int")',
            "src/cart/pricing.py",
            "return-value",
            "mypy",
        ),
        developer='Fixed return-value: Incompatible return value type (got "str", expected "int")',
        ai='Fix (mypy return-value): Incompatible return value type (got "str", expected "int")',
        manager="Cart: fixed a value of the wrong type that could break at run time",
        personal='I fixed a type mismatch (Incompatible return value type (got "str", expected "int"))',
    ),
    case(
        diag(
            'Module "app.config" has no attribute "SETTINGS"',
            "src/app/config.py",
            "attr-defined",
            "mypy",
        ),
        developer='Fixed attr-defined: Module "app.config" has no attribute "SETTINGS"',
        ai='Fix (mypy attr-defined): Module "app.config" has no attribute "SETTINGS"',
        manager="Fixed a crash from using a field that does not exist",
        personal='I fixed an unknown attribute (Module "app.config" has no attribute "SETTINGS")',
    ),
    case(
        diag(
            'Missing positional argument "user" in call to "send"',
            "src/notify/sender.py",
            "call-arg",
            "mypy",
        ),
        developer='Fixed call-arg: Missing positional argument "user" in call to "send"',
        ai='Fix (mypy call-arg): Missing positional argument "user" in call to "send"',
        manager="Notify: fixed a function call with the wrong arguments",
        personal='I fixed a call with the wrong arguments (Missing positional argument "user" in call to "send")',
    ),
    case(
        diag(
            'Cannot find implementation or library stub for module named "yaml"',
            "tools/gen.py",
            "import-not-found",
            "mypy",
        ),
        developer='Fixed import-not-found: Cannot find implementation or library stub for module named "yaml"',
        ai='Fix (mypy import-not-found): Cannot find implementation or library stub for module named "yaml"',
        manager="Tools: fixed the missing yaml dependency that stopped the code from loading",
        personal='I fixed a missing import (Cannot find implementation or library stub for module named "yaml")',
    ),
    case(
        diag("Cannot find name 'userId'.", "web/src/cart/Cart.tsx", "2304", "ts"),
        developer="Fixed TS2304: Cannot find name 'userId'",
        ai="Fix (TS2304): Cannot find name 'userId'",
        manager="Cart: fixed a crash from the undefined name userId",
        personal="I fixed an undefined name (Cannot find name 'userId')",
    ),
    case(
        diag(
            "Type 'string' is not assignable to type 'number'.",
            "web/src/checkout/total.ts",
            "2322",
            "ts",
        ),
        developer="Fixed TS2322: Type 'string' is not assignable to type 'number'",
        ai="Fix (TS2322): Type 'string' is not assignable to type 'number'",
        manager="Checkout: fixed a value of the wrong type that could break at run time",
        personal="I fixed a type mismatch (Type 'string' is not assignable to type 'number')",
    ),
    case(
        diag(
            "Property 'emial' does not exist on type 'User'.",
            "web/src/profile/form.ts",
            "2339",
            "ts",
        ),
        developer="Fixed TS2339: Property 'emial' does not exist on type 'User'",
        ai="Fix (TS2339): Property 'emial' does not exist on type 'User'",
        manager="Profile: fixed a crash from using a field that does not exist",
        personal="I fixed an unknown attribute (Property 'emial' does not exist on type 'User')",
    ),
    case(
        diag("Object is possibly 'undefined'.", "web/src/search/results.ts", "2532", "ts"),
        developer="Fixed TS2532: Object is possibly 'undefined'",
        ai="Fix (TS2532): Object is possibly 'undefined'",
        manager="Search: fixed a crash when a value is missing",
        personal="I added a missing-value check (Object is possibly 'undefined')",
    ),
    case(
        diag(
            "Cannot find module './api' or its corresponding type declarations.",
            "web/src/orders/index.ts",
            "2307",
            "ts",
        ),
        developer="Fixed TS2307: Cannot find module './api' or its corresponding type declarations",
        ai="Fix (TS2307): Cannot find module './api' or its corresponding type declarations",
        manager="Orders: fixed a missing dependency that stopped the code from loading",
        personal="I fixed a missing import (Cannot find module './api' or its corresponding type declarations)",
    ),
    case(
        diag("Expected 2 arguments, but got 1.", "web/src/payments/charge.ts", "2554", "ts"),
        developer="Fixed TS2554: Expected 2 arguments, but got 1",
        ai="Fix (TS2554): Expected 2 arguments, but got 1",
        manager="Payments: fixed a function call with the wrong arguments",
        personal="I fixed a call with the wrong arguments (Expected 2 arguments, but got 1)",
    ),
    case(
        diag("';' expected.", "web/src/app.ts", "1005", "ts"),
        developer="Fixed TS1005: ';' expected",
        ai="Fix (TS1005): ';' expected",
        manager="Fixed a syntax error that stopped the code from running",
        personal="I fixed a syntax error (';' expected)",
    ),
    case(
        diag(
            "'React' is declared but its value is never read.",
            "web/src/components/Button.tsx",
            "6133",
            "ts",
        ),
        developer="Fixed TS6133: 'React' is declared but its value is never read",
        ai="Fix (TS6133): 'React' is declared but its value is never read",
        manager="Button: removed unused code",
        personal="I removed unused code ('React' is declared but its value is never read)",
    ),
    case(
        failed(
            "pytest tests/test_billing.py -x",
            1,
            "FAILED tests/test_billing.py::test_refund_twice - AssertionError: assert 2 == 1",
        ),
        developer="pytest tests/test_billing.py -x failed with exit code 1: FAILED tests/test_billing.py::test_refund_twice - AssertionError: assert 2 == 1",
        ai="Command failed: pytest tests/test_billing.py -x (exit 1) — FAILED tests/test_billing.py::test_refund_twice - AssertionError: assert 2 == 1",
        manager="Billing: tests are failing",
        personal="I ran pytest tests/test_billing.py -x and it failed with exit code 1 (FAILED tests/test_billing.py::test_refund_twice - AssertionError: assert 2 == 1)",
    ),
    case(
        failed("pytest", 2, "ModuleNotFoundError: No module named 'jose'"),
        developer="pytest failed with exit code 2: ModuleNotFoundError: No module named 'jose'",
        ai="Command failed: pytest (exit 2) — ModuleNotFoundError: No module named 'jose'",
        manager="Tests are failing",
        personal="I ran pytest and it failed with exit code 2 (ModuleNotFoundError: No module named 'jose')",
    ),
    case(
        failed("npm test", 1, "Error: Cannot find module 'jose'"),
        developer="npm test failed with exit code 1: Error: Cannot find module 'jose'",
        ai="Command failed: npm test (exit 1) — Error: Cannot find module 'jose'",
        manager="Tests are failing",
        personal="I ran npm test and it failed with exit code 1 (Error: Cannot find module 'jose')",
    ),
    case(
        failed("npm run build", 2, "src/app.ts(12,5): error TS2304: Cannot find name 'userId'."),
        developer="npm run build failed with exit code 2: src/app.ts(12,5): error TS2304: Cannot find name 'userId'",
        ai="Command failed: npm run build (exit 2) — src/app.ts(12,5): error TS2304: Cannot find name 'userId'",
        manager="The build is failing",
        personal="I ran npm run build and it failed with exit code 2 (src/app.ts(12,5): error TS2304: Cannot find name 'userId')",
    ),
    case(
        failed("npm ci", 1, "npm ERR! code ERESOLVE"),
        developer="npm ci failed with exit code 1: npm ERR! code ERESOLVE",
        ai="Command failed: npm ci (exit 1) — npm ERR! code ERESOLVE",
        manager="Installing dependencies failed",
        personal="I ran npm ci and it failed with exit code 1 (npm ERR! code ERESOLVE)",
    ),
    case(
        failed("make", 2, "Makefile:5: *** missing separator. Stop."),
        developer="make failed with exit code 2: Makefile:5: *** missing separator. Stop",
        ai="Command failed: make (exit 2) — Makefile:5: *** missing separator. Stop",
        manager="The build is failing",
        personal="I ran make and it failed with exit code 2 (Makefile:5: *** missing separator. Stop)",
    ),
    case(
        failed("make test", 2, "make: *** [Makefile:12: test] Error 1"),
        developer="make test failed with exit code 2: make: *** [Makefile:12: test] Error 1",
        ai="Command failed: make test (exit 2) — make: *** [Makefile:12: test] Error 1",
        manager="Tests are failing",
        personal="I ran make test and it failed with exit code 2 (make: *** [Makefile:12: test] Error 1)",
    ),
    case(
        failed("cargo build", 101, "error[E0425]: cannot find value `x` in this scope"),
        developer="cargo build failed with exit code 101: error[E0425]: cannot find value `x` in this scope",
        ai="Command failed: cargo build (exit 101) — error[E0425]: cannot find value `x` in this scope",
        manager="The build is failing",
        personal="I ran cargo build and it failed with exit code 101 (error[E0425]: cannot find value `x` in this scope)",
    ),
    case(
        failed("cargo test", 101, "test result: FAILED. 3 passed; 1 failed; 0 ignored"),
        developer="cargo test failed with exit code 101: test result: FAILED. 3 passed; 1 failed; 0 ignored",
        ai="Command failed: cargo test (exit 101) — test result: FAILED. 3 passed; 1 failed; 0 ignored",
        manager="Tests are failing",
        personal="I ran cargo test and it failed with exit code 101 (test result: FAILED. 3 passed; 1 failed; 0 ignored)",
    ),
    case(
        failed("go test ./...", 1, "--- FAIL: TestParse (0.00s)"),
        developer="go test ./... failed with exit code 1: --- FAIL: TestParse (0.00s)",
        ai="Command failed: go test ./... (exit 1) — --- FAIL: TestParse (0.00s)",
        manager="Tests are failing",
        personal="I ran go test ./... and it failed with exit code 1 (--- FAIL: TestParse (0.00s))",
    ),
    case(
        failed("go build ./cmd/server", 1, "cmd/server/main.go:14:2: undefined: NewRouter"),
        developer="go build ./cmd/server failed with exit code 1: cmd/server/main.go:14:2: undefined: NewRouter",
        ai="Command failed: go build ./cmd/server (exit 1) — cmd/server/main.go:14:2: undefined: NewRouter",
        manager="The build is failing",
        personal="I ran go build ./cmd/server and it failed with exit code 1 (cmd/server/main.go:14:2: undefined: NewRouter)",
    ),
    case(
        failed("git push", 1, "! [rejected] main -> main (fetch first)"),
        developer="git push failed with exit code 1: ! [rejected] main -> main (fetch first)",
        ai="Command failed: git push (exit 1) — ! [rejected] main -> main (fetch first)",
        manager="Pushing code to the shared repository failed",
        personal="I ran git push and it failed with exit code 1 (! [rejected] main -> main (fetch first))",
    ),
    case(
        failed(
            "git rebase main", 1, "CONFLICT (content): Merge conflict in src/billing/invoice.py"
        ),
        developer="git rebase main failed with exit code 1: CONFLICT (content): Merge conflict in src/billing/invoice.py",
        ai="Command failed: git rebase main (exit 1) — CONFLICT (content): Merge conflict in src/billing/invoice.py",
        manager="A version-control step failed",
        personal="I ran git rebase main and it failed with exit code 1 (CONFLICT (content): Merge conflict in src/billing/invoice.py)",
    ),
    case(
        failed(
            "docker compose up -d",
            1,
            "Error response from daemon: driver failed programming external connectivity",
        ),
        developer="docker compose up -d failed with exit code 1: Error response from daemon: driver failed programming external connectivity",
        ai="Command failed: docker compose up -d (exit 1) — Error response from daemon: driver failed programming external connectivity",
        manager="The local environment failed to start",
        personal="I ran docker compose up -d and it failed with exit code 1 (Error response from daemon: driver failed programming external connectivity)",
    ),
    case(
        failed(
            "alembic upgrade head",
            1,
            "sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: users",
        ),
        developer="alembic upgrade head failed with exit code 1: sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: users",
        ai="Command failed: alembic upgrade head (exit 1) — sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: users",
        manager="A database migration failed",
        personal="I ran alembic upgrade head and it failed with exit code 1 (sqlalchemy.exc.OperationalError: (sqlite3.OperationalError) no such table: users)",
    ),
    case(
        failed("mypy src", 1, "Found 3 errors in 2 files (checked 40 source files)"),
        developer="mypy src failed with exit code 1: Found 3 errors in 2 files (checked 40 source files)",
        ai="Command failed: mypy src (exit 1) — Found 3 errors in 2 files (checked 40 source files)",
        manager="Code checks are failing",
        personal="I ran mypy src and it failed with exit code 1 (Found 3 errors in 2 files (checked 40 source files))",
    ),
    case(
        failed("ruff check .", 1, "Found 2 errors."),
        developer="ruff check . failed with exit code 1: Found 2 errors",
        ai="Command failed: ruff check . (exit 1) — Found 2 errors",
        manager="Code checks are failing",
        personal="I ran ruff check . and it failed with exit code 1 (Found 2 errors)",
    ),
    case(
        failed("npx tsc --noEmit", 2, "Found 4 errors in 2 files."),
        developer="npx tsc --noEmit failed with exit code 2: Found 4 errors in 2 files",
        ai="Command failed: npx tsc --noEmit (exit 2) — Found 4 errors in 2 files",
        manager="Code checks are failing",
        personal="I ran npx tsc --noEmit and it failed with exit code 2 (Found 4 errors in 2 files)",
    ),
    case(
        failed(
            "source .venv/bin/activate && pytest -k refund",
            1,
            "FAILED tests/test_refunds.py::test_partial - KeyError: 'currency'",
        ),
        developer="source .venv/bin/activate && pytest -k refund failed with exit code 1: FAILED tests/test_refunds.py::test_partial - KeyError: 'currency'",
        ai="Command failed: source .venv/bin/activate && pytest -k refund (exit 1) — FAILED tests/test_refunds.py::test_partial - KeyError: 'currency'",
        manager="Tests are failing",
        personal="I ran source .venv/bin/activate && pytest -k refund and it failed with exit code 1 (FAILED tests/test_refunds.py::test_partial - KeyError: 'currency')",
    ),
    case(
        note("", event_type="command_failed", command="cargo build --release", exit_code=101),
        developer="cargo build --release failed with exit code 101",
        ai="Command failed: cargo build --release (exit 101)",
        manager="The build is failing",
        personal="I ran cargo build --release and it failed with exit code 101",
    ),
    case(
        fixed("npm test"),
        developer="npm test passes again",
        ai="Command fixed: npm test exits 0 again",
        manager="Tests pass again",
        personal="I got npm test passing again",
    ),
    case(
        fixed("pytest tests/billing -x"),
        developer="pytest tests/billing -x passes again",
        ai="Command fixed: pytest tests/billing -x exits 0 again",
        manager="Billing: tests pass again",
        personal="I got pytest tests/billing -x passing again",
    ),
    case(
        fixed("make"),
        developer="make passes again",
        ai="Command fixed: make exits 0 again",
        manager="The build works again",
        personal="I got make working again",
    ),
    case(
        fixed("cargo build --release"),
        developer="cargo build --release passes again",
        ai="Command fixed: cargo build --release exits 0 again",
        manager="The build works again",
        personal="I got cargo build --release working again",
    ),
    case(
        fixed("go test ./..."),
        developer="go test ./... passes again",
        ai="Command fixed: go test ./... exits 0 again",
        manager="Tests pass again",
        personal="I got go test ./... passing again",
    ),
    case(
        fixed("ruff check ."),
        developer="ruff check . passes again",
        ai="Command fixed: ruff check . exits 0 again",
        manager="Code checks pass again",
        personal="I got ruff check . passing again",
    ),
    case(
        fixed("docker compose up -d"),
        developer="docker compose up -d passes again",
        ai="Command fixed: docker compose up -d exits 0 again",
        manager="The local environment starts again",
        personal="I got docker compose up -d working again",
    ),
    case(
        note("Decided to use SQLite instead of Postgres for the local cache"),
        developer="Decided to use SQLite instead of Postgres for the local cache",
        ai="Decision: use SQLite instead of Postgres for the local cache",
        manager="Decided to use SQLite instead of Postgres for the local cache",
        personal="I decided to use SQLite instead of Postgres for the local cache",
    ),
    case(
        note("Decided: access tokens live 15 minutes and refresh tokens 30 days"),
        developer="Decided: access tokens live 15 minutes and refresh tokens 30 days",
        ai="Decision: access tokens live 15 minutes and refresh tokens 30 days",
        manager="Decided: access tokens live 15 minutes and refresh tokens 30 days",
        personal="I decided that access tokens live 15 minutes and refresh tokens 30 days",
    ),
    case(
        note("Decision: keep the v1 API until every client has moved"),
        developer="Decision: keep the v1 API until every client has moved",
        ai="Decision: keep the v1 API until every client has moved",
        manager="Decision: keep the v1 API until every client has moved",
        personal="I decided to keep the v1 API until every client has moved",
    ),
    case(
        note("We chose REST over GraphQL for the public API because our clients already speak it"),
        developer="We chose REST over GraphQL for the public API because our clients already speak it",
        ai="Decision: REST over GraphQL for the public API because our clients already speak it",
        manager="We chose REST over GraphQL for the public API because our clients already speak it",
        personal="I chose REST over GraphQL for the public API because our clients already speak it",
    ),
    case(
        note(
            "Use SQLite for the local cache because it ships with Python and needs no server process at all",
            event_type="decision",
        ),
        developer="Use SQLite for the local cache because it ships with Python and needs no server process at all",
        ai="Decision: Use SQLite for the local cache because it ships with Python and needs no server process at all",
        manager="Use SQLite because it ships with Python and needs no server process at all",
        personal="I decided to use SQLite for the local cache because it ships with Python and needs no server process at all",
    ),
    case(
        note(
            "Going with Stripe for card payments; Adyen needs a sales call",
            file_path="src/payments/provider.py",
        ),
        developer="Going with Stripe for card payments; Adyen needs a sales call",
        ai="Decision: Stripe for card payments; Adyen needs a sales call",
        manager="Going with Stripe for card payments; Adyen needs a sales call",
        personal="I went with Stripe for card payments; Adyen needs a sales call",
    ),
    case(
        note(
            "Gotcha: never retry a payments job on a 4xx from the provider because it charges the card twice",
            file_path="src/payments/jobs.py",
        ),
        developer="Gotcha: never retry a payments job on a 4xx from the provider because it charges the card twice",
        ai="Gotcha: never retry a payments job on a 4xx from the provider because it charges the card twice",
        manager="Never retry a payments job on a client error because it charges the card twice",
        personal="I noted a gotcha: never retry a payments job on a 4xx from the provider because it charges the card twice",
    ),
    case(
        note(
            "The nightly job must run after 02:00 UTC; the bank's API rejects earlier calls",
            file_path="src/jobs/nightly.py",
        ),
        developer="The nightly job must run after 02:00 UTC; the bank's API rejects earlier calls",
        ai="Note: The nightly job must run after 02:00 UTC; the bank's API rejects earlier calls",
        manager="The nightly job must run after 02:00 UTC; the bank's API rejects earlier calls",
        personal="I noted that the nightly job must run after 02:00 UTC; the bank's API rejects earlier calls",
    ),
    case(
        note("TIL pytest runs conftest.py files before collecting tests"),
        developer="TIL pytest runs conftest.py files before collecting tests",
        ai="Learned: pytest runs conftest.py files before collecting tests",
        manager="Pytest runs conftest files before collecting tests",
        personal="I learned pytest runs conftest.py files before collecting tests",
    ),
    case(
        note("Remember to rotate the staging API keys every 90 days"),
        developer="Remember to rotate the staging API keys every 90 days",
        ai="Note: Remember to rotate the staging API keys every 90 days",
        manager="Remember to rotate the staging API keys every 90 days",
        personal="I made a note to rotate the staging API keys every 90 days",
    ),
    case(
        note(
            "Never call `refresh_token()` while holding the session lock — it deadlocks the worker",
            file_path="src/auth/session.py",
        ),
        developer="Never call `refresh_token()` while holding the session lock — it deadlocks the worker",
        ai="Note: Never call `refresh_token()` while holding the session lock — it deadlocks the worker",
        manager="Never call the refresh_token helper while holding the session lock — it deadlocks the worker",
        personal="I noted a rule: never call `refresh_token()` while holding the session lock — it deadlocks the worker",
    ),
    case(
        note(
            "Heads up: the CSV export times out above 50k rows, so exports are batched",
            file_path="src/reports/export.py",
        ),
        developer="Heads up: the CSV export times out above 50k rows, so exports are batched",
        ai="Gotcha: the CSV export times out above 50k rows, so exports are batched",
        manager="The CSV export times out above 50k rows, so exports are batched",
        personal="I noted a heads-up: the CSV export times out above 50k rows, so exports are batched",
    ),
    case(
        note("Learned that SQLite's WAL mode needs the -shm file on the same disk"),
        developer="Learned that SQLite's WAL mode needs the -shm file on the same disk",
        ai="Note: Learned that SQLite's WAL mode needs the -shm file on the same disk",
        manager="Learned that SQLite's WAL mode needs the -shm file on the same disk",
        personal="I learned that SQLite's WAL mode needs the -shm file on the same disk",
    ),
    case(
        note(
            "Extracted retry logic from `fetch_user()` into `with_retries`",
            file_path="src/net/client.py",
        ),
        developer="Extracted retry logic from `fetch_user()` into `with_retries`",
        ai="Refactor: Extracted retry logic from `fetch_user()` into `with_retries`",
        manager="Extracted retry logic from the fetch_user helper into with_retries",
        personal="I extracted retry logic from `fetch_user()` into `with_retries`",
    ),
    case(
        note(
            "Renamed compute_delta_value to delta_between so callers read better",
            file_path="src/metrics/delta.py",
        ),
        developer="Renamed compute_delta_value to delta_between so callers read better",
        ai="Refactor: Renamed compute_delta_value to delta_between so callers read better",
        manager="Renamed compute_delta_value to delta_between so callers read better",
        personal="I renamed compute_delta_value to delta_between so callers read better",
    ),
    case(
        note(
            "Split OrderService into pricing and fulfilment",
            event_type="refactor",
            file_path="app/services/order_service.py",
        ),
        developer="Split OrderService into pricing and fulfilment",
        ai="Refactor: Split OrderService into pricing and fulfilment",
        manager="Split OrderService into pricing and fulfilment",
        personal="I split OrderService into pricing and fulfilment",
    ),
    case(
        note(
            "Refactored the invoice PDF renderer to stream pages instead of building them in memory",
            file_path="src/billing/pdf.py",
        ),
        developer="Refactored the invoice PDF renderer to stream pages instead of building them in memory",
        ai="Refactor: Refactored the invoice PDF renderer to stream pages instead of building them in memory",
        manager="Refactored the invoice PDF renderer to stream pages instead of building them in memory",
        personal="I refactored the invoice PDF renderer to stream pages instead of building them in memory",
    ),
    case(
        note(
            "Set max_connections to 50 in the pool config",
            event_type="config",
            file_path="config/db.yaml",
        ),
        developer="Set max_connections to 50 in the pool config",
        ai="Config: Set max_connections to 50 in the pool config",
        manager="Set max_connections to 50 in the pool config",
        personal="I set max_connections to 50 in the pool config",
    ),
    case(
        note(
            "Enabled strict mode in tsconfig.json", event_type="config", file_path="tsconfig.json"
        ),
        developer="Enabled strict mode in tsconfig.json",
        ai="Config: Enabled strict mode in tsconfig.json",
        manager="Enabled strict mode",
        personal="I enabled strict mode in tsconfig.json",
    ),
    case(
        note("Configured ESLint to ignore generated files under src/gen/"),
        developer="Configured ESLint to ignore generated files under src/gen/",
        ai="Config: Configured ESLint to ignore generated files under src/gen/",
        manager="Configured ESLint to ignore generated files under gen",
        personal="I configured ESLint to ignore generated files under src/gen/",
    ),
    case(
        note(
            "CI caches ~/.cache/pip keyed on requirements.txt",
            event_type="config",
            file_path=".github/workflows/ci.yml",
        ),
        developer="CI caches ~/.cache/pip keyed on requirements.txt",
        ai="Config: CI caches ~/.cache/pip keyed on requirements.txt",
        manager="CI caches pip keyed on requirements",
        personal="I noted that CI caches ~/.cache/pip keyed on requirements.txt",
    ),
    case(
        note("Careful: <img src=x onerror=alert(1)> in a comment breaks the docs preview"),
        developer="Careful: <img src=x onerror=alert(1)> in a comment breaks the docs preview",
        ai="Gotcha: <img src=x onerror=alert(1)> in a comment breaks the docs preview",
        manager="An img tag in a comment breaks the docs preview",
        personal="I noted a warning: <img src=x onerror=alert(1)> in a comment breaks the docs preview",
    ),
    case(
        note(
            "See [the runbook](https://wiki.example.com/runbook) before restarting the queue",
            file_path="src/queue/worker.py",
        ),
        developer="See [the runbook](https://wiki.example.com/runbook) before restarting the queue",
        ai="Note: See [the runbook](https://wiki.example.com/runbook) before restarting the queue",
        manager="See the runbook before restarting the queue",
        personal="I noted a reminder: see [the runbook](https://wiki.example.com/runbook) before restarting the queue",
    ),
    case(
        note(
            "Don't paste **bold** or `code` into release notes; the changelog bot escapes nothing"
        ),
        developer="Don't paste **bold** or `code` into release notes; the changelog bot escapes nothing",
        ai="Note: Don't paste **bold** or `code` into release notes; the changelog bot escapes nothing",
        manager="Don't paste bold or code into release notes; the changelog bot escapes nothing",
        personal="I noted a rule: don't paste **bold** or `code` into release notes; the changelog bot escapes nothing",
    ),
    case(
        note(
            "<script>alert('x')</script> in a user name crashed the admin page",
            event_type="error_fixed",
            file_path="src/admin/users.py",
        ),
        developer="<script>alert('x')</script> in a user name crashed the admin page",
        ai="Fix: <script>alert('x')</script> in a user name crashed the admin page",
        manager="A script tag in a user name crashed the admin page",
        personal="I fixed a bug where <script>alert('x')</script> in a user name crashed the admin page",
    ),
    case(
        note("[run](command:vidurai.server.forget?%5B1%5D) opens the forget dialog"),
        developer="[run](command:vidurai.server.forget?%5B1%5D) opens the forget dialog",
        ai="Note: [run](command:vidurai.server.forget?%5B1%5D) opens the forget dialog",
        manager="Run opens the forget dialog",
        personal="I noted that [run](command:vidurai.server.forget?%5B1%5D) opens the forget dialog",
    ),
    case(
        note(redact(f"Deploy uses {AWS} and password={PW}")),
        developer="Deploy uses [REDACTED:aws_access_key] and password=[REDACTED:password]",
        ai="Note: Deploy uses [REDACTED:aws_access_key] and password=[REDACTED:password]",
        manager="Deploy uses a secret and the password",
        personal="I noted that deploy uses [REDACTED:aws_access_key] and password=[REDACTED:password]",
    ),
    case(
        note(redact(f"Rotated the leaked key {OPENAI}")),
        developer="Rotated the leaked key [REDACTED:openai_key]",
        ai="Note: Rotated the leaked key [REDACTED:openai_key]",
        manager="Rotated the leaked key",
        personal="I rotated the leaked key [REDACTED:openai_key]",
    ),
    case(
        note(
            redact(f"Moved DATABASE_URL=postgres://app:{PW}@db.internal/app out of the repo"),
            event_type="config",
            file_path=".env.example",
        ),
        developer="Moved DATABASE_URL=postgres://app:[REDACTED:url_password]@db.internal/app out of the repo",
        ai="Config: Moved DATABASE_URL=postgres://app:[REDACTED:url_password]@db.internal/app out of the repo",
        manager="Moved the database URL out of the repo",
        personal="I moved DATABASE_URL=postgres://app:[REDACTED:url_password]@db.internal/app out of the repo",
    ),
    case(
        note(
            redact(
                f'curl -H "Authorization: Bearer {BEARER}" https://api.example.com/v1/charges returned 401'
            )
        ),
        developer='curl -H "Authorization: Bearer [REDACTED:jwt]" https://api.example.com/v1/charges returned 401',
        ai='Note: curl -H "Authorization: Bearer [REDACTED:jwt]" https://api.example.com/v1/charges returned 401',
        manager="An HTTP request returned 401",
        personal='I noted that curl -H "Authorization: Bearer [REDACTED:jwt]" https://api.example.com/v1/charges returned 401',
    ),
    case(
        note(redact(f"export GITHUB_TOKEN={GHP} before running the release script")),
        developer="export GITHUB_TOKEN=[REDACTED:github_token] before running the release script",
        ai="Note: export GITHUB_TOKEN=[REDACTED:github_token] before running the release script",
        manager="Export the github token before running the release script",
        personal="I noted a reminder: export GITHUB_TOKEN=[REDACTED:github_token] before running the release script",
    ),
    case(
        note(
            "Fixed JWT token validation: expiry compared in UTC",
            event_type="error_fixed",
            file_path="src/auth/middleware.py",
            error_type="TypeError",
        ),
        developer="Fixed JWT token validation: expiry compared in UTC",
        ai="Fix (TypeError): JWT token validation: expiry compared in UTC",
        manager="Fixed JWT token validation: expiry compared in UTC",
        personal="I fixed JWT token validation: expiry compared in UTC",
    ),
    case(
        note("Fixed race between token refresh and logout"),
        developer="Fixed race between token refresh and logout",
        ai="Fix: race between token refresh and logout",
        manager="Fixed race between token refresh and logout",
        personal="I fixed race between token refresh and logout",
    ),
    case(
        note("Resolved KeyError when the cache is cold", file_path="worker/cache.py"),
        developer="Resolved KeyError when the cache is cold",
        ai="Fix: KeyError when the cache is cold",
        manager="Resolved a key error when the cache is cold",
        personal="I resolved KeyError when the cache is cold",
    ),
    case(
        note(
            "Fixed flaky checkout test that depended on the wall clock: froze time with freezegun, pinned the timezone to UTC and added a regression test for daylight saving changes in March",
            event_type="error_fixed",
            file_path="tests/test_checkout.py",
        ),
        developer="Fixed flaky checkout test that depended on the wall clock: froze time with freezegun…",
        ai="Fix: flaky checkout test that depended on the wall clock: froze time with freezegun…",
        manager="Fixed flaky checkout test that depended on the wall clock: froze time with freezegun",
        personal="I fixed flaky checkout test that depended on the wall clock: froze time with freezegun…",
    ),
    case(
        note(
            "Fixed payment retries on provider errors charging cards twice",
            event_type="error_fixed",
            file_path="src/payments/retry.py",
        ),
        developer="Fixed payment retries on provider errors charging cards twice",
        ai="Fix: payment retries on provider errors charging cards twice",
        manager="Fixed payment retries on provider errors charging cards twice",
        personal="I fixed payment retries on provider errors charging cards twice",
    ),
]


@pytest.mark.parametrize(("canonical", "context", "voices"), CASES)
def test_each_audience_hears_the_memory_in_its_own_voice(canonical, context, voices):
    assert MultiAudienceGistGenerator().generate("", canonical, context) == voices


@pytest.mark.parametrize(("canonical", "context", "voices"), CASES)
def test_every_case_keeps_the_rubric(canonical, context, voices):
    assert rubric_problems(voices, canonical) == []


def test_the_table_has_at_least_eighty_real_cases():
    assert len(CASES) >= 80


@pytest.mark.parametrize(
    ("gists", "broken"),
    [
        ({"developer": "Fixed JWT validation in middleware.py (line 42)"}, "baked-in location"),
        ({"ai": "Fix: JWT validation (src/auth/middleware.py:42)"}, "baked-in location"),
        ({"manager": "Deploy uses and password="}, "redaction marker remnant"),
        ({"manager": "Rotated the key [REDACTED:openai_key]"}, "redaction marker"),
        ({"manager": "The nightly job must run after"}, "dangling end"),
        ({"manager": "Fixed E501 in the billing code"}, "jargon"),
        (
            {
                "manager": "One two three four five six seven eight nine ten eleven twelve thirteen "
                "fourteen fifteen sixteen"
            },
            "16 words",
        ),
        ({"personal": "Fixed the retry loop"}, "not first person"),
        ({"personal": "I decided: Decided: tokens live 15 minutes"}, "two voices"),
        ({"developer": "Careful: <img src=x onerror=alert(1) [run](…"}, "unclosed"),
    ],
)
def test_the_rubric_catches_what_the_issue_reported(gists, broken):
    problems = rubric_problems(gists)
    assert any(broken in problem for problem in problems), problems


def test_no_gist_names_a_line_even_when_the_context_had_one():
    canonical, context = diag(
        '"foo" is not defined', "src/a.py", "reportUndefinedVariable", "Pylance"
    )

    gists = MultiAudienceGistGenerator().generate("", canonical, context)

    assert not any("src/a.py" in gist or "line" in gist for gist in gists.values())


def test_long_gist_is_cut_at_a_clause_boundary_with_an_ellipsis():
    words = "the retry loop now backs off exponentially and gives up after five attempts"
    canonical = "Fixed " + ", ".join([words] * 4)

    gists = MultiAudienceGistGenerator().generate(
        "", canonical, GistContext(event_type="error_fixed")
    )

    developer = gists["developer"]
    assert len(developer) <= MAX_GIST_LENGTH
    # A whole clause, then the next up to where "after five attempts" would begin.
    assert developer == f"Fixed {words}, {words.split(' after')[0]}…"


def test_eight_fixes_in_eight_places_read_as_eight_different_things():
    places = [
        "src/billing/invoice.py",
        "src/auth/tokens.py",
        "src/orders/service.py",
        "src/payments/gateway.py",
        "src/reports/totals.py",
        "src/search/index.py",
        "src/notify/email.py",
        "src/cart/pricing.py",
    ]
    generator = MultiAudienceGistGenerator()

    managers = {
        generator.generate("", *diag("Expected indented block", place, None, "Pylance"))["manager"]
        for place in places
    }

    assert len(managers) == 8


def test_empty_canonical_gist_falls_back_to_the_first_line_of_the_verbatim():
    gists = MultiAudienceGistGenerator().generate(
        "\n  Retry budget is shared by all workers\nsecond line", "", GistContext()
    )

    assert gists["developer"] == "Retry budget is shared by all workers"
    assert gists["personal"] == "I noted that retry budget is shared by all workers"


def test_memory_without_any_text_still_gets_a_gist_for_everyone():
    gists = MultiAudienceGistGenerator().generate("", "   ", GistContext(event_type="decision"))

    assert gists == {
        "developer": "A decision",
        "ai": "Decision: A decision",
        "manager": "A decision",
        "personal": "I decided on a decision",
    }


@pytest.mark.parametrize(
    ("canonical", "prefix"),
    [
        ("Fixed stale cache after logout", "Fix: stale cache after logout"),
        ("Decided to keep the monorepo", "Decision: keep the monorepo"),
        ("Refactored the payment adapter", "Refactor: Refactored the payment adapter"),
        (
            "Configured Renovate to group minor updates",
            "Config: Configured Renovate to group minor updates",
        ),
        ("Staging uses the EU bucket", "Note: Staging uses the EU bucket"),
    ],
)
def test_ai_label_follows_the_kind_inferred_from_a_note(canonical, prefix):
    gists = MultiAudienceGistGenerator().generate("", canonical, GistContext(event_type="note"))

    assert gists["ai"] == prefix


def test_generation_is_deterministic():
    canonical, context = diag("KeyError: 'k'", "src/a.py", "KeyError")
    generator = MultiAudienceGistGenerator()

    first = generator.generate("x = d['k']", canonical, context)

    assert all(generator.generate("x = d['k']", canonical, context) == first for _ in range(5))


def test_configured_audience_without_rules_gets_the_canonical_gist():
    generator = MultiAudienceGistGenerator(AudienceRegistry(extra=["team-lead"]))

    gists = generator.generate(
        "",
        "Fixed JWT token validation",
        GistContext(event_type="error_fixed", file_path="src/a.py"),
    )

    assert list(gists) == ["developer", "personal", "ai", "manager", "team-lead"]
    assert gists["team-lead"] == "Fixed JWT token validation"


def test_registry_lists_builtins_first_then_configured_ones_once():
    registry = AudienceRegistry(extra=["qa", "Developer", "qa", " ops_team "])

    assert registry.names == ("developer", "personal", "ai", "manager", "qa", "ops_team")
    assert "qa" in registry
    assert "AI" in registry
    assert "nobody" not in registry


def test_registry_normalises_a_known_name():
    assert AudienceRegistry().validate("  Manager ") == "manager"


def test_unknown_audience_error_names_the_valid_audiences():
    with pytest.raises(UnknownAudienceError) as raised:
        AudienceRegistry(extra=["qa"]).validate("ceo")

    message = str(raised.value)
    assert "ceo" in message
    for name in ("developer", "ai", "manager", "personal", "qa"):
        assert name in message
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("bad_name", ["", "9lives", "has space", "x" * 33, "émigré", "a/b"])
def test_invalid_configured_audience_name_is_refused_clearly(bad_name):
    with pytest.raises(ValueError, match="invalid audience name"):
        AudienceRegistry(extra=[bad_name])


@pytest.mark.parametrize(
    ("file_path", "area"),
    [
        ("src/billing/invoice.py", "billing"),
        ("src\\billing\\invoice.py", "billing"),
        ("web/src/components/Button.tsx", "button"),
        ("tests/test_checkout.py", "checkout"),
        ("api/v2/routes.py", "API"),
        ("src/app.py", None),
        ("Makefile", None),
        ("/", None),
        (None, None),
    ],
)
def test_the_area_of_a_file_is_what_its_place_says_it_is_about(file_path, area):
    assert area_of(file_path) == area
