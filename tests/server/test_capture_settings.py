"""The capture and context settings, parsed like every other setting (their defaults in the
manifest are checked by test_manifest.py)."""

from vidurai.limits import DEFAULT_CONTEXT_TOKENS
from vidurai.lsp.session import parse_settings


def test_the_kept_codes_and_settle_time_are_read_from_the_settings():
    settings, problems = parse_settings(
        {"vidurai": {"capture": {"diagnosticCodes": ["F821", "ts:2304"], "settleSeconds": 45}}}
    )
    assert problems == []
    assert settings.diagnostic_codes == ("F821", "ts:2304")
    assert settings.settle_seconds == 45


def test_bad_capture_settings_are_reported_and_the_defaults_used():
    settings, problems = parse_settings(
        {"capture.diagnosticCodes": ["F821", 7], "capture.settleSeconds": 0}
    )
    assert settings.diagnostic_codes is None and settings.settle_seconds == 30
    assert any("vidurai.capture.diagnosticCodes" in problem for problem in problems)
    assert any(
        "vidurai.capture.settleSeconds must be at least 1" in problem for problem in problems
    )


def test_a_context_budget_outside_the_shared_range_is_reported_and_the_default_used():
    for budget, problem in ((50, "at least 100"), (200_000, "at most 100000")):
        settings, problems = parse_settings({"context.maxTokens": budget})
        assert settings.context_max_tokens == DEFAULT_CONTEXT_TOKENS
        assert problems == [f"vidurai.context.maxTokens must be {problem}"]
