"""AI context and manager reports: the right gists, the right order, within budget."""

from datetime import datetime, timedelta, timezone

import pytest

from vidurai.memory.briefing import build_context, build_report, estimate_tokens

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=timezone.utc)


def remember(db, project, gist, salience="HIGH", kind="note", file=None, line=None, days_ago=1):
    return db.store_memory(
        project, f"verbatim of {gist}", gist, salience, kind, file, line,
        created_at=NOW - timedelta(days=days_ago),
        audience_gists={"developer": f"dev: {gist}", "ai": f"ai: {gist}",
                        "manager": f"mgr: {gist}", "personal": f"I: {gist}"},
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


def test_context_stays_within_its_token_budget(db, project):
    for i in range(200):
        remember(db, project, f"Memory number {i} about the payment retry logic and its backoff")
    for budget in (40, 150, 1000):
        briefing = build_context(db, project, max_tokens=budget)
        assert briefing.tokens <= budget
        assert estimate_tokens(briefing.markdown) == briefing.tokens
        assert 0 < briefing.memory_count < 200
    assert build_context(db, project, max_tokens=150).memory_count < build_context(
        db, project, max_tokens=1000).memory_count


def test_context_with_a_query_is_about_the_query(db, project):
    remember(db, project, "Fixed websocket reconnect storm")
    remember(db, project, "Renamed the billing module")
    text = build_context(db, project, query="websocket").markdown
    assert "websocket" in text and "billing" not in text


def test_context_of_an_empty_project_says_so(db, project):
    briefing = build_context(db, project)
    assert "No memories yet" in briefing.markdown and briefing.memory_count == 0


def test_report_covers_the_last_days_in_manager_gists_grouped_by_outcome(db, project):
    remember(db, project, "Fixed login redirect loop", kind="error_fixed", days_ago=2)
    remember(db, project, "Chose Stripe for billing", kind="decision", days_ago=3)
    remember(db, project, "Old fix from last month", kind="error_fixed", days_ago=30)
    report = build_report(db, project, days=7, now=NOW).markdown
    assert "mgr: Fixed login redirect loop" in report and "mgr: Chose Stripe for billing" in report
    assert "Old fix" not in report
    assert report.index("## Fixed") < report.index("## Decisions")
    assert "src/" not in report and "dev:" not in report


def test_report_respects_its_budget_and_says_what_it_left_out(db, project):
    for i in range(50):
        remember(db, project, f"Shipped improvement number {i} to the onboarding flow")
    briefing = build_report(db, project, days=7, max_tokens=120, now=NOW)
    assert briefing.tokens <= 120
    assert f"…and {50 - briefing.memory_count} more not shown" in briefing.markdown


def test_unknown_audience_and_bad_budgets_are_refused(db, project):
    with pytest.raises(ValueError, match="valid audiences"):
        build_context(db, project, audience="boss")
    with pytest.raises(ValueError):
        build_context(db, project, max_tokens=0)
    with pytest.raises(ValueError):
        build_report(db, project, days=0)
