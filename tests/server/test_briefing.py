"""AI context and manager reports: the right gists, the right order, within budget."""

import re
from datetime import datetime, timedelta, timezone

import pytest

from vidurai.limits import MAX_TOKEN_BUDGET, MIN_TOKEN_BUDGET
from vidurai.memory.briefing import build_context, build_report, estimate_tokens

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=timezone.utc)


def remember(
    db, project, gist, salience="HIGH", kind="note", file=None, line=None, days_ago=1, tags=None
):
    return db.store_memory(
        project,
        f"verbatim of {gist}",
        gist,
        salience,
        kind,
        file,
        line,
        tags=tags,
        created_at=NOW - timedelta(days=days_ago),
        audience_gists={
            "developer": f"dev: {gist}",
            "ai": f"ai: {gist}",
            "manager": f"mgr: {gist}",
            "personal": f"I: {gist}",
        },
    )


def test_context_puts_the_current_file_first_in_ai_gists(db, project):
    remember(db, project, "Chose SQLite for local state", "CRITICAL", "decision")
    remember(db, project, "Fixed cache eviction", "MEDIUM", "error_fixed", "src/cache.py", 10)
    briefing = build_context(db, project, current_file="src/cache.py")
    text = briefing.markdown
    assert text.index("## Current file: src/cache.py") < text.index("ai: Fixed cache eviction")
    assert text.index("ai: Fixed cache eviction") < text.index("## Project")
    assert text.index("## Project") < text.index("ai: Chose SQLite")
    assert "(src/cache.py:10)" in text and "dev:" not in text
    assert briefing.memory_count == 2


def test_context_says_each_place_once_from_the_live_anchor(db, project):
    memory_id = remember(
        db, project, "Fixed cache eviction", "HIGH", "error_fixed", "src/cache.py", 10
    )
    remember(db, project, "Renamed the cache module", "HIGH", "refactor", "src/cache.py", 20)

    # The file is open and three lines were inserted above the first memory.
    def live_lines(project_path, file, wanted):
        return (12, 12) if wanted == memory_id else None

    text = build_context(db, project, live_lines=live_lines).markdown

    assert "- [HIGH] ai: Fixed cache eviction (src/cache.py:13)" in text
    assert "- [HIGH] ai: Renamed the cache module (src/cache.py:20)" in text
    assert text.count("src/cache.py:13") == 1 and ":10" not in text


def test_context_says_when_a_memory_s_lines_were_deleted(db, project):
    memory_id = remember(
        db, project, "Fixed cache eviction", "HIGH", "error_fixed", "src/cache.py", 10
    )
    db.update_anchors([(memory_id, 10, 10, True, None)])

    text = build_context(db, project).markdown

    assert "- [HIGH] ai: Fixed cache eviction (src/cache.py, its lines were deleted)" in text


def test_context_and_report_show_memory_text_as_text_never_as_markup(db, project):
    hostile = "[run](command:vidurai.server.forget?%5B1%5D) <img src=x onerror=alert(1)> <script>x</script>"
    remember(db, project, hostile, "HIGH", "note", days_ago=1)

    for markdown in (
        build_context(db, project).markdown,
        build_report(db, project, now=NOW).markdown,
    ):
        assert not re.search(r"(?<!\\)\]\(command:", markdown)  # never a link
        assert "<img" not in markdown and "<script" not in markdown
        assert "\\[run\\](command:" in markdown and "&lt;img" in markdown


def test_context_follows_the_current_file_with_what_is_related_to_its_text(db, project):
    remember(db, project, "Chose the release branch naming scheme", "CRITICAL", "decision")
    remember(
        db,
        project,
        "Fixed JWT token validation: expiry compared in UTC",
        "MEDIUM",
        "error_fixed",
        "src/auth/middleware.py",
        3,
    )
    (project / "src").mkdir()
    (project / "src" / "login.py").write_text(
        "import jwt\n\ndef verify_token(token):\n    claims = jwt.decode(token, KEY)\n"
        "    if claims['exp'] < now():\n        raise Expired()\n"
    )
    text = build_context(db, project, current_file="src/login.py").markdown
    assert text.index("## Related to this file") < text.index("ai: Fixed JWT token validation")
    assert text.index("ai: Fixed JWT token validation") < text.index("## Project")
    assert text.index("## Project") < text.index("ai: Chose the release branch")
    # An unsaved buffer's text counts, not what is on disk.
    unsaved = build_context(
        db,
        project,
        current_file="src/login.py",
        current_text="release branch names and version tags",
    ).markdown
    assert unsaved.index("## Related to this file") < unsaved.index("ai: Chose the release branch")


def test_context_stays_within_its_token_budget(db, project):
    for i in range(200):
        remember(db, project, f"Memory number {i} about the payment retry logic and its backoff")
    for budget in (MIN_TOKEN_BUDGET, 150, 1000):
        briefing = build_context(db, project, max_tokens=budget)
        assert briefing.tokens <= budget
        assert estimate_tokens(briefing.markdown) == briefing.tokens
        assert 0 < briefing.memory_count < 200
    assert (
        build_context(db, project, max_tokens=150).memory_count
        < build_context(db, project, max_tokens=1000).memory_count
    )


def test_context_with_a_query_is_about_the_query(db, project):
    remember(db, project, "Fixed websocket reconnect storm")
    remember(db, project, "Renamed the billing module")
    text = build_context(db, project, query="websocket").markdown
    assert "websocket" in text and "billing" not in text


def test_context_of_an_empty_project_says_so(db, project):
    briefing = build_context(db, project)
    assert "No memories yet" in briefing.markdown and briefing.memory_count == 0


def test_report_covers_the_last_days_in_manager_gists_grouped_by_area(db, project):
    remember(
        db,
        project,
        "Fixed login redirect loop",
        kind="error_fixed",
        file="src/auth/login.py",
        line=3,
        days_ago=2,
    )
    remember(
        db,
        project,
        "Fixed token expiry",
        kind="error_fixed",
        file="src/auth/tokens.py",
        line=9,
        days_ago=3,
    )
    remember(
        db,
        project,
        "Chose Stripe for card payments",
        kind="decision",
        file="src/billing/provider.py",
        line=1,
        days_ago=3,
    )
    remember(db, project, "Staging resets nightly", days_ago=1)
    remember(db, project, "Old fix from last month", kind="error_fixed", days_ago=30)

    report = build_report(db, project, days=7, now=NOW).markdown

    assert report.splitlines()[:5] == [
        "# project: status for the last 7 days",
        "",
        "_Nov 20 – Nov 27, 2026_",
        "",
        "2 fixes, 1 decision and 1 note in 2 areas.",
    ]
    assert (
        "## Auth — 2 fixes\n- mgr: Fixed login redirect loop\n- mgr: Fixed token expiry" in report
    )
    assert "## Billing — 1 decision\n- mgr: Chose Stripe for card payments" in report
    assert "## Across the project — 1 note\n- mgr: Staging resets nightly" in report
    assert report.index("## Auth") < report.index("## Billing") < report.index("## Across")
    assert "Old fix" not in report and "src/" not in report and "dev:" not in report


def test_report_says_what_is_still_failing_without_what_was_fixed_since(db, project):
    fixed_failure = remember(db, project, "Tests are failing", kind="command_failed", days_ago=2)
    remember(
        db,
        project,
        "Tests pass again",
        kind="command_fixed",
        days_ago=1,
        tags=["command", f"fixes:{fixed_failure}"],
    )
    remember(db, project, "The build is failing", kind="command_failed", days_ago=1)

    report = build_report(db, project, days=7, now=NOW).markdown

    assert "1 fix in 0 areas" not in report
    assert "1 fix; 1 thing still failing." in report
    assert "## Still failing (1)\n- mgr: The build is failing\n" in report
    assert "mgr: Tests are failing" not in report
    assert "- mgr: Tests pass again" in report


def test_report_names_a_gist_area_once_under_its_heading(db, project):
    db.store_memory(
        project,
        "Fixed Expected indented block",
        "Fixed Expected indented block",
        "HIGH",
        "error_fixed",
        "src/billing/invoice.py",
        4,
        created_at=NOW - timedelta(days=1),
        audience_gists={
            "manager": "Billing: fixed a syntax error that stopped the code from running"
        },
    )

    report = build_report(db, project, days=7, now=NOW).markdown

    assert "## Billing — 1 fix\n- Fixed a syntax error that stopped the code from running" in report


def test_report_respects_its_budget_and_says_what_it_left_out(db, project):
    for i in range(50):
        remember(db, project, f"Shipped improvement number {i} to the onboarding flow")
    briefing = build_report(db, project, days=7, max_tokens=120, now=NOW)
    assert briefing.tokens <= 120
    assert f"…and {50 - briefing.memory_count} more not shown" in briefing.markdown


def test_unknown_audience_and_bad_budgets_are_refused(db, project):
    with pytest.raises(ValueError, match="valid audiences"):
        build_context(db, project, audience="boss")
    for budget in (0, MIN_TOKEN_BUDGET - 1, MAX_TOKEN_BUDGET + 1):
        with pytest.raises(ValueError, match=f"between {MIN_TOKEN_BUDGET} and {MAX_TOKEN_BUDGET}"):
            build_context(db, project, max_tokens=budget)
        with pytest.raises(ValueError, match=f"between {MIN_TOKEN_BUDGET} and {MAX_TOKEN_BUDGET}"):
            build_report(db, project, max_tokens=budget)
    with pytest.raises(ValueError):
        build_report(db, project, days=0)
