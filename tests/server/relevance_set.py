"""A relevance set for search: memories written like real ones and questions a developer asks.

``TARGETS`` are the memories the queries are about; ``background()`` adds realistic others
(linter fixes, failing commands, notes over many files) so that each query has to find its
memory among more than 300. ``QUERIES`` pairs a query, phrased as a developer would type it,
with the keys of the memories that should come first. Some share words with their memory,
many do not ("login broken" for a JWT expiry fix): that is what meaning search is for.

Used by tests/server/test_search_relevance.py (asserts the quality relation) and
bench/bench_relevance.py (prints recall@5 and MRR).
"""

from __future__ import annotations

from typing import NamedTuple


class Memory(NamedTuple):
    key: str
    event_type: str
    file: str | None
    gist: str
    verbatim: str


TARGETS = [
    Memory(
        "jwt",
        "error_fixed",
        "src/auth/middleware.py",
        "Fixed JWT token validation: expiry compared in UTC",
        "TypeError: can't compare offset-naive and offset-aware datetimes in verify_token",
    ),
    Memory(
        "modulenotfound",
        "command_fixed",
        "tests/conftest.py",
        "pytest passes again after adding the src folder to pythonpath in pyproject",
        "ModuleNotFoundError: No module named 'app' while collecting tests/test_api.py",
    ),
    Memory(
        "parse_config",
        "error_fixed",
        "src/settings/loader.py",
        "parse_config returned None for an empty TOML file; now returns the defaults",
        "AttributeError: 'NoneType' object has no attribute 'get' in parse_config",
    ),
    Memory(
        "cors",
        "error_fixed",
        "server/app.ts",
        "Allowed the dev origin in the CORS middleware",
        "Access to fetch at 'http://localhost:8000/api' from origin 'http://localhost:5173' "
        "has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header",
    ),
    Memory(
        "n_plus_one",
        "decision",
        "src/orders/views.py",
        "Use select_related on Order.customer: the order list did one query per row",
        "Django debug toolbar showed 301 queries for 300 orders",
    ),
    Memory(
        "docker_oom",
        "command_fixed",
        "Dockerfile",
        "docker build succeeded after raising the builder memory; webpack was killed",
        "The command '/bin/sh -c npm run build' returned a non-zero code: 137",
    ),
    Memory(
        "git_detached",
        "note",
        None,
        "Committed on a detached HEAD by mistake; rescued the commits with git branch from the reflog",
        "git reflog; git branch rescue 4f2a9c1",
    ),
    Memory(
        "tz_cron",
        "note",
        "deploy/crontab",
        "The nightly cleanup cron runs in the server's UTC, not in local time",
        "0 2 * * * /usr/local/bin/cleanup  # 02:00 UTC = 03:00 CET",
    ),
    Memory(
        "utf8_csv",
        "error_fixed",
        "src/importers/csv_import.py",
        "Open uploaded CSV files with encoding='utf-8-sig' so the BOM is not part of the first header",
        "KeyError: '\\ufeffemail' when reading row['email']",
    ),
    Memory(
        "race_cache",
        "error_fixed",
        "src/cache/store.py",
        "Guarded the cache refill with a lock: two workers refilled it at once and one saw half a dict",
        "RuntimeError: dictionary changed size during iteration in CacheStore.refill",
    ),
    Memory(
        "pg_pool",
        "error_fixed",
        "src/db/session.py",
        "Raised the SQLAlchemy pool size and closed sessions in a finally block",
        "sqlalchemy.exc.TimeoutError: QueuePool limit of size 5 overflow 10 reached, "
        "connection timed out",
    ),
    Memory(
        "mypy_optional",
        "error_fixed",
        "src/billing/invoice.py",
        "Handled the Optional customer before reading its email",
        'error: Item "None" of "Optional[Customer]" has no attribute "email"  [union-attr]',
    ),
    Memory(
        "eslint_hooks",
        "error_fixed",
        "web/src/components/Search.tsx",
        "Added query to the useEffect dependency list so the results refresh",
        "React Hook useEffect has a missing dependency: 'query'. Either include it or remove "
        "the dependency array  react-hooks/exhaustive-deps",
    ),
    Memory(
        "ts_undefined",
        "error_fixed",
        "web/src/api/client.ts",
        "Checked the response body before reading data.items",
        "TS2532: Object is possibly 'undefined'.",
    ),
    Memory(
        "ruff_unused",
        "error_fixed",
        "src/reports/export.py",
        "Removed the unused pandas import from the export module",
        "F401 `pandas` imported but unused",
    ),
    Memory(
        "migration_lock",
        "command_fixed",
        "migrations/0042_add_index.py",
        "Created the index CONCURRENTLY so the migration no longer locks the orders table",
        "django.db.utils.OperationalError: canceling statement due to lock timeout",
    ),
    Memory(
        "flaky_sleep",
        "note",
        "tests/test_worker.py",
        "The worker test was flaky because it slept 0.1 s; now it waits on the done event",
        "assert job.status == 'done' failed 1 in 20 runs on CI",
    ),
    Memory(
        "ssl_cert",
        "command_fixed",
        None,
        "pip install works behind the corporate proxy after pointing REQUESTS_CA_BUNDLE at the company CA",
        "SSLError: certificate verify failed: unable to get local issuer certificate",
    ),
    Memory(
        "node_version",
        "command_failed",
        "package.json",
        "npm ci fails on Node 16: the lockfile needs Node 20",
        'npm ERR! engine Unsupported engine for vite@5.2.0: wanted: {"node":"^18 || >=20"}',
    ),
    Memory(
        "port_in_use",
        "command_fixed",
        None,
        "Dev server started after killing the old process still holding port 3000",
        "Error: listen EADDRINUSE: address already in use :::3000",
    ),
    Memory(
        "env_missing",
        "error_fixed",
        "src/config.py",
        "Read STRIPE_SECRET_KEY with a clear error when it is missing instead of a KeyError at import",
        "KeyError: 'STRIPE_SECRET_KEY' raised while importing src.config",
    ),
    Memory(
        "decimal_money",
        "decision",
        "src/billing/money.py",
        "Store money as integer cents, never floats",
        "0.1 + 0.2 gave 0.30000000000000004 in an invoice total",
    ),
    Memory(
        "uuid_pk",
        "decision",
        "src/models/base.py",
        "New tables use UUIDv7 primary keys so ids sort by creation time",
        "Decided in the data-model review",
    ),
    Memory(
        "retry_backoff",
        "decision",
        "src/integrations/http.py",
        "Calls to the payment provider retry three times with exponential backoff and jitter",
        "provider returned 503 during their deploy window",
    ),
    Memory(
        "feature_flag",
        "note",
        "src/flags.py",
        "The new checkout is behind the checkout_v2 flag; default off in production",
        "flags.enabled('checkout_v2', user)",
    ),
    Memory(
        "s3_region",
        "error_fixed",
        "src/storage/uploads.py",
        "Set the S3 client region explicitly; presigned URLs from us-east-1 were rejected",
        "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided",
    ),
    Memory(
        "celery_serializer",
        "error_fixed",
        "src/tasks/email.py",
        "Pass the user id to the Celery task, not the User object",
        "kombu.exceptions.EncodeError: Object of type User is not JSON serializable",
    ),
    Memory(
        "recursion",
        "error_fixed",
        "src/tree/walk.py",
        "Walk the category tree iteratively with a stack; deep trees overflowed",
        "RecursionError: maximum recursion depth exceeded while calling a Python object",
    ),
    Memory(
        "memory_leak",
        "note",
        "src/ingest/reader.py",
        "The ingest job held every parsed page in a list; stream them with a generator instead",
        "RSS grew to 6 GB before the container was OOM-killed",
    ),
    Memory(
        "slow_regex",
        "error_fixed",
        "src/validation/email.py",
        "Replaced the nested-quantifier email regex that hung on long inputs",
        "request timed out after 30 s validating a 5 kB address (catastrophic backtracking)",
    ),
    Memory(
        "sql_injection",
        "error_fixed",
        "src/search/api.py",
        "Used bound parameters in the search endpoint instead of an f-string query",
        "cursor.execute(f\"SELECT * FROM items WHERE name LIKE '%{term}%'\")",
    ),
    Memory(
        "xss",
        "error_fixed",
        "web/src/components/Comment.tsx",
        "Stopped rendering comment bodies with dangerouslySetInnerHTML",
        "a comment containing <img onerror=alert(1)> ran script in other users' browsers",
    ),
    Memory(
        "password_hash",
        "decision",
        "src/auth/passwords.py",
        "Hash passwords with argon2id; bcrypt kept only to verify old hashes",
        "security review finding SR-14",
    ),
    Memory(
        "rate_limit",
        "error_fixed",
        "src/integrations/github.py",
        "Respect the GitHub API's X-RateLimit-Reset header before retrying",
        "403 API rate limit exceeded for installation",
    ),
    Memory(
        "webhook_sig",
        "error_fixed",
        "src/webhooks/stripe.py",
        "Verify Stripe webhooks against the raw request body, not the parsed JSON",
        "stripe.error.SignatureVerificationError: No signatures found matching the expected signature for payload",
    ),
    Memory(
        "pagination_off_by_one",
        "error_fixed",
        "src/api/pagination.py",
        "The last page repeated the previous page's final item: offset used page * size + 1",
        "duplicate item id 981 on pages 4 and 5",
    ),
    Memory(
        "float_compare",
        "error_fixed",
        "tests/test_geometry.py",
        "Compare distances with pytest.approx",
        "assert 0.30000000000000004 == 0.3",
    ),
    Memory(
        "gitignore_env",
        "note",
        ".gitignore",
        "Added .env to .gitignore after it showed up in git status",
        "git rm --cached .env",
    ),
    Memory(
        "lockfile_conflict",
        "note",
        "package-lock.json",
        "Resolve package-lock.json merge conflicts by taking main's and running npm install",
        "CONFLICT (content): Merge conflict in package-lock.json",
    ),
    Memory(
        "python_version",
        "command_failed",
        "pyproject.toml",
        "Tests fail on Python 3.9: match statements need 3.10",
        "SyntaxError: invalid syntax at 'match command:'",
    ),
    Memory(
        "venv_wrong",
        "note",
        None,
        "VS Code was using the system interpreter; selected .venv/bin/python in the status bar",
        'Import "fastapi" could not be resolved  Pylance(reportMissingImports)',
    ),
    Memory(
        "circular_import",
        "error_fixed",
        "src/models/user.py",
        "Broke the circular import between models.user and models.team by importing inside the function",
        "ImportError: cannot import name 'Team' from partially initialized module 'src.models.team'",
    ),
    Memory(
        "async_blocking",
        "error_fixed",
        "src/api/reports.py",
        "Moved the PDF rendering to a thread pool: it blocked the event loop for seconds",
        "asyncio: Executing <Task ...> took 4.212 seconds",
    ),
    Memory(
        "await_missing",
        "error_fixed",
        "src/api/users.py",
        "Awaited the repository call; the handler returned a coroutine object",
        "RuntimeWarning: coroutine 'UserRepo.get' was never awaited",
    ),
    Memory(
        "json_datetime",
        "error_fixed",
        "src/api/serializers.py",
        "Serialize datetimes with isoformat in the API encoder",
        "TypeError: Object of type datetime is not JSON serializable",
    ),
    Memory(
        "index_missing",
        "decision",
        "migrations/0040_orders_created.py",
        "Added an index on orders(created_at): the dashboard query scanned the whole table",
        "EXPLAIN showed Seq Scan on orders, 2.3 s",
    ),
    Memory(
        "deadlock",
        "error_fixed",
        "src/inventory/reserve.py",
        "Lock inventory rows in id order so two reservations cannot deadlock",
        "psycopg2.errors.DeadlockDetected: deadlock detected",
    ),
    Memory(
        "k8s_probe",
        "error_fixed",
        "deploy/k8s/api.yaml",
        "Gave the readiness probe an initial delay; pods restarted before migrations finished",
        "Readiness probe failed: HTTP probe failed with statuscode: 503; CrashLoopBackOff",
    ),
    Memory(
        "nginx_body",
        "error_fixed",
        "deploy/nginx.conf",
        "Raised client_max_body_size to 20m so large avatar uploads work",
        "413 Request Entity Too Large",
    ),
    Memory(
        "ci_cache",
        "decision",
        ".github/workflows/ci.yml",
        "Cache ~/.cache/pip keyed by the lockfile hash; CI went from 9 to 3 minutes",
        "actions/cache@v4 with key pip-${{ hashFiles('requirements.lock') }}",
    ),
    Memory(
        "secret_rotation",
        "note",
        None,
        "Rotated the leaked Sentry DSN and moved it to the secrets manager",
        "the DSN had been committed in settings/prod.py",
    ),
    Memory(
        "locale_sort",
        "error_fixed",
        "src/reports/names.py",
        "Sort customer names with a locale-aware key so Ä sorts next to A",
        "report listed Ärzte after Zoo",
    ),
    Memory(
        "timezone_display",
        "error_fixed",
        "web/src/utils/date.ts",
        "Format dates in the user's time zone with Intl.DateTimeFormat",
        "meeting showed 09:00 instead of 10:00 for users in Berlin",
    ),
    Memory(
        "graphql_n1",
        "decision",
        "src/graphql/loaders.py",
        "Batch author lookups with a DataLoader in the posts resolver",
        "one SQL query per post author in the feed query",
    ),
    Memory(
        "log_noise",
        "decision",
        "src/logging_config.py",
        "Log at INFO in production; the DEBUG logs from urllib3 filled the disk",
        "/var/log filled to 100% overnight",
    ),
    Memory(
        "test_db_isolation",
        "note",
        "tests/conftest.py",
        "Each test runs in a transaction that is rolled back, so tests can run in any order",
        "tests failed only when run together: leftover rows from test_signup",
    ),
    Memory(
        "api_versioning",
        "decision",
        "src/api/routes.py",
        "Breaking API changes go under /v2; /v1 stays for six months",
        "agreed with the mobile team",
    ),
    Memory(
        "cache_headers",
        "error_fixed",
        "web/public/_headers",
        "Stopped caching index.html so users get the new bundle after a deploy",
        "users saw a blank page: old index.html referenced deleted main.3f2a.js",
    ),
    Memory(
        "wheel_build",
        "command_fixed",
        None,
        "Installed build-essential and libpq-dev so psycopg2 builds from source in the image",
        "error: pg_config executable not found",
    ),
    Memory(
        "git_lfs",
        "note",
        None,
        "Design files are in Git LFS: run git lfs pull after cloning",
        "the .fig files were 130-byte pointer files",
    ),
    Memory(
        "typescript_strict",
        "decision",
        "tsconfig.json",
        "Turned on strictNullChecks for the web app; fixed the 212 errors module by module",
        "tsc --noEmit reported 212 errors",
    ),
    Memory(
        "dependency_pin",
        "decision",
        "requirements.txt",
        "Pinned urllib3 below 2 until botocore supports it",
        "ImportError: cannot import name 'DEFAULT_CIPHERS' from 'urllib3.util.ssl_'",
    ),
    Memory(
        "handle_upload",
        "error_fixed",
        "src/storage/uploads.py",
        "handle_upload streams the file to disk instead of reading it into memory",
        "MemoryError in handle_upload for a 2 GB video",
    ),
    Memory(
        "load_user_profile",
        "error_fixed",
        "src/accounts/profile.py",
        "load_user_profile returns a guest profile when the session has no user",
        "AttributeError: 'AnonymousUser' object has no attribute 'profile' in load_user_profile",
    ),
    Memory(
        "calculate_tax",
        "error_fixed",
        "src/billing/tax.py",
        "calculate_tax rounds each line before summing, as the tax office requires",
        "invoice total off by one cent against the accounting export",
    ),
]


# Realistic others: the messages linters, compilers and commands really print, over many files.
_BACKGROUND_FIXES = [
    ("F401 `{mod}` imported but unused", "Removed the unused {mod} import"),
    ("E501 Line too long (112 > 100)", "Wrapped a long line"),
    ("F841 Local variable `result` is assigned to but never used", "Dropped an unused variable"),
    ("E711 Comparison to `None` should be `cond is None`", "Compared with None using is"),
    (
        "B006 Do not use mutable data structures for argument defaults",
        "Replaced a mutable default argument",
    ),
    ("TS2339: Property '{prop}' does not exist on type 'Props'", "Added {prop} to the Props type"),
    ("TS7006: Parameter 'event' implicitly has an 'any' type.", "Typed the event parameter"),
    ("no-unused-vars: '{prop}' is defined but never used", "Removed the unused {prop} variable"),
    ("prefer-const: '{prop}' is never reassigned. Use 'const' instead", "Made {prop} a const"),
    (
        'error: Incompatible return value type (got "int", expected "str")  [return-value]',
        "Returned the id as a string",
    ),
    (
        'error: Argument 1 to "{func}" has incompatible type "str"; expected "int"  [arg-type]',
        "Converted the argument of {func} to int",
    ),
    ("NameError: name '{func}' is not defined", "Imported {func} where it is used"),
]
_BACKGROUND_COMMANDS = [
    ("npm run lint", "✖ 3 problems (3 errors, 0 warnings)"),
    ("pytest tests/{area}", "FAILED tests/{area}/test_{area}.py::test_list - assert 2 == 3"),
    ("make build", "make: *** [Makefile:12: build] Error 2"),
    ("cargo test", "error[E0308]: mismatched types"),
    ("go test ./...", "--- FAIL: TestParse (0.00s)"),
    ("tsc --noEmit", "Found 2 errors in the same file"),
]
_BACKGROUND_NOTES = [
    "Release checklist for {area}: bump version, update changelog, tag",
    "The {area} module owns its own settings section",
    "Talked with design about the {area} page layout",
    "The {area} fixtures live in tests/fixtures/{area}",
    "Renamed the {area} service class for clarity",
]
_AREAS = [
    "accounts",
    "billing",
    "catalog",
    "checkout",
    "notifications",
    "search",
    "shipping",
    "reports",
    "admin",
    "onboarding",
]
_MODULES = ["os", "sys", "json", "typing", "re", "datetime", "itertools", "pathlib"]
_PROPS = ["title", "onClose", "items", "isOpen", "variant", "size"]
_FUNCS = ["format_price", "send_receipt", "build_query", "render_row", "sync_stock", "make_slug"]


def background() -> list[Memory]:
    """About 250 ordinary memories, deterministic: the crowd each query must be found in."""
    memories: list[Memory] = []
    for number in range(150):
        message, gist = _BACKGROUND_FIXES[number % len(_BACKGROUND_FIXES)]
        area = _AREAS[number % len(_AREAS)]
        names = dict(
            mod=_MODULES[number % len(_MODULES)],
            prop=_PROPS[number % len(_PROPS)],
            func=_FUNCS[number % len(_FUNCS)],
            area=area,
        )
        suffix = ".tsx" if message.startswith(("TS", "no-", "prefer")) else ".py"
        memories.append(
            Memory(
                f"fix{number}",
                "error_fixed",
                f"src/{area}/module_{number % 7}{suffix}",
                gist.format(**names) + f" in the {area} code",
                message.format(**names),
            )
        )
    for number in range(60):
        command, output = _BACKGROUND_COMMANDS[number % len(_BACKGROUND_COMMANDS)]
        area = _AREAS[number % len(_AREAS)]
        memories.append(
            Memory(
                f"cmd{number}",
                "command_failed",
                None,
                f"`{command.format(area=area)}` failed: {output.format(area=area)}",
                f"$ {command.format(area=area)}\n{output.format(area=area)}",
            )
        )
    for number in range(50):
        area = _AREAS[number % len(_AREAS)]
        text = _BACKGROUND_NOTES[number % len(_BACKGROUND_NOTES)].format(area=area)
        memories.append(Memory(f"note{number}", "note", f"docs/{area}.md", text, text))
    return memories


QUERIES: list[tuple[str, list[str]]] = [
    # No word in common with the memory: found by meaning or not at all.
    ("login broken", ["jwt"]),
    ("import error when running tests", ["modulenotfound"]),
    ("browser blocks requests from the frontend", ["cors"]),
    ("too many database queries on the orders page", ["n_plus_one"]),
    ("container killed while building the image", ["docker_oom"]),
    ("lost commits after checkout", ["git_detached"]),
    ("scheduled job runs an hour early", ["tz_cron"]),
    ("weird character at start of spreadsheet column", ["utf8_csv"]),
    ("two threads refreshing at the same time", ["race_cache"]),
    ("database connections exhausted", ["pg_pool"]),
    ("react effect does not rerun when the search text changes", ["eslint_hooks"]),
    ("table locked during schema change", ["migration_lock"]),
    ("test fails randomly on the build server", ["flaky_sleep"]),
    ("certificate problem installing packages", ["ssl_cert"]),
    ("something is already running on the dev port", ["port_in_use"]),
    ("rounding problems with prices", ["decimal_money", "calculate_tax"]),
    ("what kind of ids do new tables use", ["uuid_pk"]),
    ("what happens when the payment api is down", ["retry_backoff"]),
    ("how is the new checkout switched on", ["feature_flag"]),
    ("background job cannot send a user object", ["celery_serializer"]),
    ("stack overflow on deep categories", ["recursion"]),
    ("ingest process uses too much ram", ["memory_leak"]),
    ("email check hangs on long input", ["slow_regex"]),
    ("user input concatenated into sql", ["sql_injection"]),
    ("script injection in comments", ["xss"]),
    ("which algorithm do we hash passwords with", ["password_hash"]),
    ("github says too many requests", ["rate_limit"]),
    ("duplicate item between pages", ["pagination_off_by_one"]),
    ("dotenv file almost committed", ["gitignore_env"]),
    ("merge conflict in the npm lock file", ["lockfile_conflict"]),
    ("editor cannot find installed libraries", ["venv_wrong"]),
    ("modules importing each other", ["circular_import"]),
    ("event loop blocked by pdf generation", ["async_blocking"]),
    ("forgot to await", ["await_missing"]),
    ("dashboard slow because of a full table scan", ["index_missing"]),
    ("two reservations waiting on each other", ["deadlock"]),
    ("pods keep restarting after deploy", ["k8s_probe"]),
    ("upload too large error from the proxy", ["nginx_body"]),
    ("how did we speed up the pipeline", ["ci_cache"]),
    ("leaked credentials", ["secret_rotation"]),
    ("umlauts sorted at the end", ["locale_sort"]),
    ("wrong hour shown to users in germany", ["timezone_display"]),
    ("blank page after release", ["cache_headers"]),
    ("postgres driver will not compile in docker", ["wheel_build"]),
    ("big binary files are tiny pointers after clone", ["git_lfs"]),
    ("old python version cannot parse the code", ["python_version"]),
    ("when do breaking endpoint changes get a new prefix", ["api_versioning"]),
    ("tests pass alone but fail together", ["test_db_isolation"]),
    ("disk full of debug logs", ["log_noise"]),
    ("video upload runs out of memory", ["handle_upload"]),
    # Words the memory has: words alone find these; meaning must not lose them.
    ("JWT expiry", ["jwt"]),
    ("QueuePool limit", ["pg_pool"]),
    ("SignatureDoesNotMatch presigned", ["s3_region"]),
    ("stripe webhook signature", ["webhook_sig"]),
    ("pytest.approx", ["float_compare"]),
    ("EADDRINUSE", ["port_in_use"]),
    ("strictNullChecks", ["typescript_strict"]),
    ("urllib3 pin", ["dependency_pin"]),
    ("DataLoader", ["graphql_n1"]),
    ("Optional customer email", ["mypy_optional"]),
    ("possibly undefined", ["ts_undefined"]),
    ("unused pandas import", ["ruff_unused"]),
    ("missing STRIPE_SECRET_KEY", ["env_missing"]),
    ("datetime not JSON serializable", ["json_datetime"]),
    ("npm ci node engine", ["node_version"]),
    # Exact identifiers: the memory naming it must come first.
    ("parse_config", ["parse_config"]),
    ("handle_upload", ["handle_upload"]),
    ("load_user_profile", ["load_user_profile"]),
    ("calculate_tax", ["calculate_tax"]),
    ("verify_token", ["jwt"]),
]

IDENTIFIER_QUERIES = [(query, expected) for query, expected in QUERIES if "_" in query]


class Quality(NamedTuple):
    recall_at_5: float  # share of expected memories found in the top 5, averaged over queries
    mrr: float  # mean of 1 / rank of the first expected memory (0 when not in the top 20)
    misses: list[str]  # queries whose first expected memory is not in the top 5


def fill(db, project) -> dict[int, str]:
    """Store every memory of the set; returns {memory id: key}."""
    keys = {}
    for memory in [*TARGETS, *background()]:
        memory_id = db.store_memory(
            project,
            memory.verbatim,
            memory.gist,
            "HIGH",
            memory.event_type,
            memory.file,
            1 if memory.file else None,
        )
        keys[memory_id] = memory.key
    return keys


def evaluate(db, project, keys: dict[int, str], hybrid: bool) -> Quality:
    recalls, reciprocal_ranks, misses = [], [], []
    for query, expected in QUERIES:
        found = [
            keys[m.id]
            for m in db.recall_memories(
                project, query, min_salience="NOISE", limit=20, hybrid=hybrid
            )
        ]
        recalls.append(len(set(found[:5]) & set(expected)) / len(expected))
        first = next((rank for rank, key in enumerate(found, 1) if key in expected), None)
        reciprocal_ranks.append(1 / first if first else 0.0)
        if first is None or first > 5:
            misses.append(query)
    return Quality(
        sum(recalls) / len(recalls), sum(reciprocal_ranks) / len(reciprocal_ranks), misses
    )
