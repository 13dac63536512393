"""The gists each audience gets, on real cases: the voice table of DESIGN.md and more."""

from __future__ import annotations

import re

import pytest

from vidurai.memory.redact import redact
from vidurai.gists import (
    MAX_GIST_LENGTH,
    AudienceRegistry,
    GistContext,
    MultiAudienceGistGenerator,
    UnknownAudienceError,
)

# Fake secrets, assembled so that no scanner mistakes this file for a leak.
FAKE_OPENAI_KEY = "sk-proj-" + "abc123DEF456ghi789JKL012mno"
FAKE_DB_PASSWORD = "Sup3r" + "S3cret"

# canonical gist, context, then the developer, ai, manager and personal gists.
CASES = [
    (
        'Fixed JWT token validation',
        GistContext(event_type='error_fixed', file_path='src/auth/middleware.py', line=42, error_type='TypeError'),
        'Fixed JWT token validation in middleware.py (line 42)',
        'Bug resolution: Fixed JWT token validation (TypeError, src/auth/middleware.py:42)',
        'Fixed JWT token validation',
        'I fixed JWT token validation and learned about TypeError',
    ),
    (
        'Fixed off-by-one in pagination',
        GistContext(event_type='error_fixed', file_path='src/api/pagination.py', line=88),
        'Fixed off-by-one in pagination in pagination.py (line 88)',
        'Bug resolution: Fixed off-by-one in pagination (src/api/pagination.py:88)',
        'Fixed off-by-one in pagination',
        'I fixed off-by-one in pagination',
    ),
    (
        "Fixed Cannot find name 'userId'",
        GistContext(event_type='error_fixed', file_path='src/app.ts', line=12, error_type='TS2304'),
        "Fixed Cannot find name 'userId' in app.ts (line 12)",
        "Bug resolution: Fixed Cannot find name 'userId' (TS2304, src/app.ts:12)",
        'Fixed a reference to a missing name',
        "I fixed an error: Cannot find name 'userId'",
    ),
    (
        'Fixed TypeError in parse_config',
        GistContext(event_type='error_fixed', file_path='src/config.py', line=10, error_type='TypeError'),
        'Fixed TypeError in parse_config in config.py (line 10)',
        'Bug resolution: Fixed TypeError in parse_config (src/config.py:10)',
        'Fixed a type error in parse config',
        'I fixed TypeError in parse_config',
    ),
    (
        "Fixed 'NoneType' object has no attribute 'id'",
        GistContext(event_type='error_fixed', file_path='app/views.py', line=77, error_type='AttributeError'),
        "Fixed 'NoneType' object has no attribute 'id' in views.py (line 77)",
        "Bug resolution: Fixed 'NoneType' object has no attribute 'id' (AttributeError, app/views.py:77)",
        'Fixed a crash on a missing value',
        "I fixed an error: 'NoneType' object has no attribute 'id' and learned about AttributeError",
    ),
    (
        "Fixed No module named 'jose'",
        GistContext(event_type='error_fixed', file_path='api/auth.py', line=3, error_type='ModuleNotFoundError'),
        "Fixed No module named 'jose' in auth.py (line 3)",
        "Bug resolution: Fixed No module named 'jose' (ModuleNotFoundError, api/auth.py:3)",
        'Fixed a missing import',
        "I fixed an error: No module named 'jose' and learned about ModuleNotFoundError",
    ),
    (
        "Fixed Type 'string' is not assignable to type 'number'",
        GistContext(event_type='error_fixed', file_path='web/src/cart.tsx', line=57, error_type='TS2322'),
        "Fixed Type 'string' is not assignable to type 'number' in cart.tsx (line 57)",
        "Bug resolution: Fixed Type 'string' is not assignable to type 'number' (TS2322, web/src/cart.tsx:57)",
        'Fixed a type error',
        "I fixed an error: Type 'string' is not assignable to type 'number'",
    ),
    (
        'Fixed line too long (104 > 88 characters)',
        GistContext(event_type='error_fixed', file_path='scripts/sync.py', line=19, error_type='E501'),
        'Fixed line too long (104 > 88 characters) in sync.py (line 19)',
        'Bug resolution: Fixed line too long (104 > 88 characters) (E501, scripts/sync.py:19)',
        'Fixed line too long',
        'I fixed line too long (104 > 88 characters)',
    ),
    (
        'Fixed race between token refresh and logout',
        GistContext(),
        'Fixed race between token refresh and logout',
        'Bug resolution: Fixed race between token refresh and logout',
        'Fixed race between token refresh and logout',
        'I fixed race between token refresh and logout',
    ),
    (
        'Resolved KeyError when the cache is cold',
        GistContext(file_path='worker/cache.py'),
        'Resolved KeyError when the cache is cold in cache.py',
        'Bug resolution: Resolved KeyError when the cache is cold (worker/cache.py)',
        'Resolved a key error when the cache is cold',
        'I resolved KeyError when the cache is cold',
    ),
    (
        'npm test failed',
        GistContext(event_type='command_failed', command='npm test', exit_code=1),
        'npm test failed (exit 1)',
        'Command failure: npm test failed (exit 1)',
        'Tests are failing',
        'I ran npm test and it failed with exit code 1',
    ),
    (
        'Integration tests failed on CI',
        GistContext(event_type='command_failed', command='pytest tests/integration', exit_code=1),
        'Integration tests failed on CI (pytest tests/integration, exit 1)',
        'Command failure: Integration tests failed on CI (pytest tests/integration, exit 1)',
        'Integration tests failed on CI',
        'I ran pytest tests/integration and it failed with exit code 1',
    ),
    (
        'cargo build failed',
        GistContext(event_type='command_failed', command='cargo build --release', exit_code=101),
        'cargo build failed (cargo build --release, exit 101)',
        'Command failure: cargo build failed (cargo build --release, exit 101)',
        'The build is failing',
        'I ran cargo build --release and it failed with exit code 101',
    ),
    (
        'alembic upgrade head failed',
        GistContext(event_type='command_failed', error_type='OperationalError', command='alembic upgrade head', exit_code=1),
        'alembic upgrade head failed (exit 1)',
        'Command failure: alembic upgrade head failed (OperationalError, exit 1)',
        'A database migration failed',
        'I ran alembic upgrade head and it failed with exit code 1',
    ),
    (
        'Command failed: docker compose up -d',
        GistContext(event_type='command_failed', command='docker compose up -d', exit_code=125),
        'Command failed: docker compose up -d (exit 125)',
        'Command failure: Command failed: docker compose up -d (exit 125)',
        'The local environment failed to start',
        'I ran docker compose up -d and it failed with exit code 125',
    ),
    (
        './deploy.sh staging failed',
        GistContext(event_type='command_failed', command='./deploy.sh staging', exit_code=2),
        './deploy.sh staging failed (exit 2)',
        'Command failure: ./deploy.sh staging failed (exit 2)',
        'A deployment failed',
        'I ran ./deploy.sh staging and it failed with exit code 2',
    ),
    (
        'npm test passes again',
        GistContext(event_type='command_fixed', error_type='ModuleNotFoundError', command='npm test', exit_code=0),
        'npm test passes again',
        'Command fix: npm test passes again (ModuleNotFoundError)',
        'Tests pass again',
        'I got npm test passing again and learned about ModuleNotFoundError',
    ),
    (
        'make build passes again',
        GistContext(event_type='command_fixed', command='make build', exit_code=0),
        'make build passes again',
        'Command fix: make build passes again',
        'The build works again',
        'I got make build working again',
    ),
    (
        'ruff check passes again',
        GistContext(event_type='command_fixed', error_type='F401', command='ruff check .', exit_code=0),
        'ruff check passes again',
        'Command fix: ruff check passes again (F401)',
        'Code checks pass again',
        'I got ruff check passing again',
    ),
    # Parentheses glued to a word belong to it: spelled out or cut whole, never to a bare "O".
    (
        'Evicting on write keeps reads O(1)',
        GistContext(event_type='decision'),
        'Evicting on write keeps reads O(1)',
        'Decision: Evicting on write keeps reads O(1)',
        'Evicting on write keeps reads constant-time',
        'I decided: Evicting on write keeps reads O(1)',
    ),
    (
        'Switched password hashing to bcrypt(12) for new accounts',
        GistContext(event_type='config'),
        'Switched password hashing to bcrypt(12) for new accounts',
        'Configuration: Switched password hashing to bcrypt(12) for new accounts',
        'Switched password hashing to bcrypt for new accounts',
        'I switched password hashing to bcrypt(12) for new accounts',
    ),
    (
        'Decided to use SQLite instead of Postgres for the local cache',
        GistContext(),
        'Decided to use SQLite instead of Postgres for the local cache',
        'Decision: Decided to use SQLite instead of Postgres for the local cache',
        'Decided to use SQLite instead of Postgres for the local cache',
        'I decided to use SQLite instead of Postgres for the local cache',
    ),
    (
        'Use SQLite for the local cache because it ships with Python and needs no server process at all',
        GistContext(event_type='decision'),
        'Use SQLite for the local cache because it ships with Python and needs no server process at all',
        'Decision: Use SQLite for the local cache because it ships with Python and needs no server process at all',
        'Use SQLite for the local cache',
        'I decided to use SQLite for the local cache because it ships with Python and needs no server process at all',
    ),
    (
        'We chose REST over GraphQL for the public API',
        GistContext(file_path='docs/adr/0003-api-style.md'),
        'We chose REST over GraphQL for the public API in 0003-api-style.md',
        'Decision: We chose REST over GraphQL for the public API (docs/adr/0003-api-style.md)',
        'We chose REST over GraphQL for the public API',
        'We chose REST over GraphQL for the public API',
    ),
    (
        'Refactored this module',
        GistContext(event_type='refactor', file_path='src/core/engine.py'),
        'Refactored this module in engine.py',
        'Refactor: Refactored this module (src/core/engine.py)',
        'Refactored this module',
        'I refactored this module',
    ),
    (
        'Extracted retry logic from `fetch_user()` into `with_retries`',
        GistContext(file_path='src/net/client.py', line=30),
        'Extracted retry logic from `fetch_user()` into `with_retries` in client.py (line 30)',
        'Refactor: Extracted retry logic from `fetch_user()` into `with_retries` (src/net/client.py:30)',
        'Extracted retry logic from fetch user into with retries',
        'I extracted retry logic from `fetch_user()` into `with_retries`',
    ),
    (
        'Split OrderService into pricing and fulfilment',
        GistContext(event_type='refactor', file_path='app/services/order_service.py', line=1),
        'Split OrderService into pricing and fulfilment in order_service.py (line 1)',
        'Refactor: Split OrderService into pricing and fulfilment (app/services/order_service.py:1)',
        'Split OrderService into pricing and fulfilment',
        'I split OrderService into pricing and fulfilment',
    ),
    (
        'Set max_connections to 50 in the pool config',
        GistContext(event_type='config', file_path='config/db.yaml', line=7),
        'Set max_connections to 50 in the pool config in db.yaml (line 7)',
        'Configuration: Set max_connections to 50 in the pool config (config/db.yaml:7)',
        'Set max connections to 50 in the pool config',
        'I set max_connections to 50 in the pool config',
    ),
    (
        'Enabled strict mode in tsconfig.json',
        GistContext(event_type='config', file_path='tsconfig.json'),
        'Enabled strict mode in tsconfig.json',
        'Configuration: Enabled strict mode in tsconfig.json (tsconfig.json)',
        'Enabled strict mode',
        'I enabled strict mode in tsconfig.json',
    ),
    (
        'Configured ESLint to ignore generated files',
        GistContext(),
        'Configured ESLint to ignore generated files',
        'Configuration: Configured ESLint to ignore generated files',
        'Configured ESLint to ignore generated files',
        'I configured ESLint to ignore generated files',
    ),
    (
        'Remember to rotate the staging API keys every 90 days',
        GistContext(),
        'Remember to rotate the staging API keys every 90 days',
        'Note: Remember to rotate the staging API keys every 90 days',
        'Remember to rotate the staging API keys every 90 days',
        'I noted: Remember to rotate the staging API keys every 90 days',
    ),
    (
        'The staging database resets every night at 02:00 UTC',
        GistContext(),
        'The staging database resets every night at 02:00 UTC',
        'Note: The staging database resets every night at 02:00 UTC',
        'The staging database resets every night at 02:00 UTC',
        'I noted: The staging database resets every night at 02:00 UTC',
    ),
    (
        'TIL pytest runs conftest.py files before collecting tests',
        GistContext(),
        'TIL pytest runs conftest.py files before collecting tests',
        'Note: TIL pytest runs conftest.py files before collecting tests',
        'TIL pytest runs conftest files before collecting tests',
        'I learned pytest runs conftest.py files before collecting tests',
    ),
    (
        redact('Rotated the leaked key ' + FAKE_OPENAI_KEY),  # capture redacts before gists
        GistContext(),
        'Rotated the leaked key [REDACTED:openai_key]',
        'Note: Rotated the leaked key [REDACTED:openai_key]',
        'Rotated the leaked key',
        'I rotated the leaked key [REDACTED:openai_key]',
    ),
    (
        redact('Moved DATABASE_URL=postgres://app:' + FAKE_DB_PASSWORD + '@db.internal/app out of the repo'),
        GistContext(event_type='config', file_path='.env.example', line=4),
        'Moved DATABASE_URL=postgres://app:[REDACTED:url_password]@db.internal/app out of the repo in .env.example (line 4)',
        'Configuration: Moved DATABASE_URL=postgres://app:[REDACTED:url_password]@db.internal/app out of the repo (.env.example:4)',
        'Moved database url out of the repo',
        'I moved DATABASE_URL=postgres://app:[REDACTED:url_password]@db.internal/app out of the repo',
    ),
    (
        'Fixed flaky checkout test that depended on the wall clock: froze time with freezegun, pinned the timezone to UTC and added a regression test for daylight saving changes in March',
        GistContext(event_type='error_fixed', file_path='tests/test_checkout.py', line=140),
        'Fixed flaky checkout test that depended on the wall clock: froze time with freezegun, pinned the timezone to UTC and added a regression test for…',
        'Bug resolution: Fixed flaky checkout test that depended on the wall clock: froze time with freezegun, pinned the timezone to UTC and added a…',
        'Fixed flaky checkout test that depended on the wall clock',
        'I fixed flaky checkout test that depended on the wall clock: froze time with freezegun, pinned the timezone to UTC and added a regression test for…',
    ),
    (
        '',
        GistContext(event_type='command_failed', command='cargo build', exit_code=101),
        'cargo build failed (exit 101)',
        'Command failure: cargo build failed (exit 101)',
        'The build is failing',
        'I ran cargo build and it failed with exit code 101',
    ),
    # The shapes capture writes: a tool's summary quoting the command or the diagnostic.
    (
        "npm test failed with exit code 1: Error: Cannot find module 'jose'",
        GistContext(event_type='command_failed', error_type='Error', command='npm test', exit_code=1),
        "npm test failed with exit code 1: Error: Cannot find module 'jose'",
        "Command failure: npm test failed with exit code 1: Error: Cannot find module 'jose'",
        'Tests are failing',
        'I ran npm test and it failed with exit code 1',
    ),
    (
        'Fixed failing command npm test',
        GistContext(event_type='command_fixed', error_type='ModuleNotFoundError', command='npm test', exit_code=0),
        'Fixed failing command npm test',
        'Command fix: Fixed failing command npm test (ModuleNotFoundError)',
        'Tests pass again',
        'I got npm test passing again and learned about ModuleNotFoundError',
    ),
    (
        'Fixed "foo" is not defined',
        GistContext(event_type='error_fixed', file_path='src/a.py', line=3, error_type='reportUndefinedVariable'),
        'Fixed "foo" is not defined in a.py (line 3)',
        'Bug resolution: Fixed "foo" is not defined (reportUndefinedVariable, src/a.py:3)',
        'Fixed a reference to a missing name',
        'I fixed an error: "foo" is not defined',
    ),
]


@pytest.mark.parametrize(
    ("canonical", "context", "developer", "ai", "manager", "personal"),
    CASES,
    ids=[case[0][:40] or case[1].command for case in CASES],
)
def test_each_audience_hears_the_memory_in_its_own_voice(
    canonical, context, developer, ai, manager, personal
):
    gists = MultiAudienceGistGenerator().generate("", canonical, context)

    assert gists == {"developer": developer, "ai": ai, "manager": manager, "personal": personal}


def test_the_table_has_at_least_thirty_real_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize(("canonical", "context", "developer", "ai", "manager", "personal"), CASES)
def test_gists_are_short_and_never_empty(canonical, context, developer, ai, manager, personal):
    for gist in MultiAudienceGistGenerator().generate("", canonical, context).values():
        assert gist.strip()
        assert len(gist) <= MAX_GIST_LENGTH


@pytest.mark.parametrize(("canonical", "context", "developer", "ai", "manager", "personal"), CASES)
def test_manager_gist_has_no_file_line_or_code_and_at_most_twelve_words(
    canonical, context, developer, ai, manager, personal
):
    assert len(manager.split()) <= 12
    if context.file_path:
        assert context.file_path not in manager
    assert not re.search(r"(?i)\bline \d", manager)
    assert "`" not in manager and "_" not in manager and "[REDACTED" not in manager


def test_long_gist_is_cut_on_a_word_boundary_with_an_ellipsis():
    words = "the retry loop now backs off exponentially and gives up after five attempts"
    canonical = "Fixed " + " ".join([words] * 4)

    gists = MultiAudienceGistGenerator().generate("", canonical, GistContext(event_type="error_fixed"))

    developer = gists["developer"]
    assert len(developer) <= MAX_GIST_LENGTH
    assert developer.endswith("…")
    assert canonical.startswith(developer[:-1])
    assert canonical[len(developer) - 1] == " "  # the cut fell between two words


def test_empty_canonical_gist_falls_back_to_the_first_line_of_the_verbatim():
    gists = MultiAudienceGistGenerator().generate(
        "\n  Retry budget is shared by all workers\nsecond line", "", GistContext()
    )

    assert gists["developer"] == "Retry budget is shared by all workers"
    assert gists["personal"] == "I noted: Retry budget is shared by all workers"


def test_memory_without_any_text_still_gets_a_gist_for_everyone():
    gists = MultiAudienceGistGenerator().generate("", "   ", GistContext(event_type="decision"))

    assert all(gist.strip() for gist in gists.values())
    assert gists["ai"] == "Decision: A decision"


@pytest.mark.parametrize(
    ("canonical", "prefix"),
    [
        ("Fixed stale cache after logout", "Bug resolution:"),
        ("Decided to keep the monorepo", "Decision:"),
        ("Refactored the payment adapter", "Refactor:"),
        ("Configured Renovate to group minor updates", "Configuration:"),
        ("Staging uses the EU bucket", "Note:"),
    ],
)
def test_ai_prefix_follows_the_kind_inferred_from_a_note(canonical, prefix):
    gists = MultiAudienceGistGenerator().generate("", canonical, GistContext(event_type="note"))

    assert gists["ai"] == f"{prefix} {canonical}"


def test_generation_is_deterministic():
    context = GistContext(event_type="error_fixed", file_path="src/a.py", line=3, error_type="KeyError")
    generator = MultiAudienceGistGenerator()

    first = generator.generate("x = d['k']", "Fixed KeyError on empty cart", context)

    assert all(generator.generate("x = d['k']", "Fixed KeyError on empty cart", context) == first for _ in range(5))


def test_configured_audience_without_rules_gets_the_canonical_gist():
    generator = MultiAudienceGistGenerator(AudienceRegistry(extra=["team-lead"]))

    gists = generator.generate(
        "", "Fixed JWT token validation", GistContext(event_type="error_fixed", file_path="src/a.py", line=4)
    )

    assert list(gists) == ["developer", "ai", "manager", "personal", "team-lead"]
    assert gists["team-lead"] == "Fixed JWT token validation"


def test_registry_lists_builtins_first_then_configured_ones_once():
    registry = AudienceRegistry(extra=["qa", "Developer", "qa", " ops_team "])

    assert registry.names == ("developer", "ai", "manager", "personal", "qa", "ops_team")
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
