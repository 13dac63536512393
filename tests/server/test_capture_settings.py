"""The capture settings: parsed like every other setting, and documented with the defaults the
server really uses."""

import json
from pathlib import Path

from vidurai.lsp.session import parse_settings
from vidurai.memory.fixes import DEFAULT_KEPT_CODES

MANIFEST = Path(__file__).resolve().parents[2] / "package.json"


def test_the_kept_codes_and_settle_time_are_read_from_the_settings():
    settings, problems = parse_settings(
        {"vidurai": {"capture": {"diagnosticCodes": ["F821", "ts:2304"], "settleSeconds": 45}}})
    assert problems == []
    assert settings.diagnostic_codes == ("F821", "ts:2304")
    assert settings.settle_seconds == 45


def test_bad_capture_settings_are_reported_and_the_defaults_used():
    settings, problems = parse_settings(
        {"capture.diagnosticCodes": ["F821", 7], "capture.settleSeconds": 0})
    assert settings.diagnostic_codes is None and settings.settle_seconds == 30
    assert any("vidurai.capture.diagnosticCodes" in problem for problem in problems)
    assert any("vidurai.capture.settleSeconds must be at least 1" in problem for problem in problems)


def test_the_manifest_offers_the_servers_own_defaults():
    properties = json.loads(MANIFEST.read_text())["contributes"]["configuration"]["properties"]
    assert properties["vidurai.capture.diagnosticCodes"]["default"] == list(DEFAULT_KEPT_CODES)
    assert properties["vidurai.capture.settleSeconds"]["default"] == 30
