"""Salience on real text: whole words decide, and the user's mark wins."""

from __future__ import annotations

import pytest

from vidurai.memory.salience import classify_salience
from vidurai.storage.models import SalienceLevel

CRITICAL, HIGH, MEDIUM, LOW, NOISE = (
    SalienceLevel.CRITICAL,
    SalienceLevel.HIGH,
    SalienceLevel.MEDIUM,
    SalienceLevel.LOW,
    SalienceLevel.NOISE,
)

CASES = [
    # text, event type, expected
    ("Fixed JWT token validation", "error_fixed", HIGH),
    ("Fixed JWT token validation", None, HIGH),  # "token" is not a grave word
    ("Fixed JWT token validation", "note", HIGH),
    ("Refactored this module", "refactor", MEDIUM),  # "this" holds "hi" but is no keyword
    ("Refactored this module", None, MEDIUM),
    ("Fixed Cannot find name 'userId'", "error_fixed", HIGH),
    ("npm test failed", "command_failed", MEDIUM),
    ("npm test passes again", "command_fixed", HIGH),
    ("Decided to use SQLite instead of Postgres for the local cache", None, HIGH),
    ("Use SQLite for the local cache", "decision", HIGH),
    ("Set max_connections to 50 in the pool config", "config", MEDIUM),
    ("The staging database resets every night at 02:00 UTC", "note", MEDIUM),
    ("Remember to rotate the staging API keys every 90 days", None, MEDIUM),
    ("Never run the seed script against production", "note", HIGH),
    ("Root cause of the flaky test was a shared tmp dir", None, HIGH),
    ("Security incident: an admin endpoint skipped the auth check", "note", CRITICAL),
    ("Fixed SQL injection in the search endpoint", "error_fixed", CRITICAL),
    ("Patched CVE-2024-3094 in the build image", None, CRITICAL),
    ("Production outage: the payment worker ran out of connections", None, CRITICAL),
    ("Data loss when two tabs saved the same draft", "note", CRITICAL),
    ("Leaked AWS credentials in CI logs, rotated them", None, CRITICAL),
    ("Fixed critical bug in checkout totals", "error_fixed", CRITICAL),
    ("Added a lock around the critical section in the scheduler", "note", MEDIUM),
    ("Fixed typo in README", None, LOW),
    ("Fixed trailing whitespace", "error_fixed", LOW),
    ("Formatting only: ran black on the tests", "note", LOW),
    ("Sorted imports in the api package", "refactor", LOW),
    ("Critics say the tokenizer is slow", "note", MEDIUM),  # neither "critical" nor "token"
    ("Thinking about moving the cache to Redis", "note", MEDIUM),  # "hi" inside words
    ("wip", "note", NOISE),
    ("WIP: auth rewrite", None, NOISE),
    ("temp", None, NOISE),
    ("asdf", "note", NOISE),
    ("Fixed temp file cleanup on Windows", "error_fixed", HIGH),  # "temp" inside a real fix
    ("Templates now render on the server", "note", MEDIUM),
    ("", "note", NOISE),
]


@pytest.mark.parametrize(("text", "event_type", "expected"), CASES)
def test_salience_follows_the_words_and_the_kind(text, event_type, expected):
    assert classify_salience(text, event_type) is expected


@pytest.mark.parametrize(
    ("text", "event_type"),
    [
        ("Staging uses the EU bucket", "note"),
        ("wip", "note"),
        ("Fixed typo", None),
        ("npm test failed", "command_failed"),
    ],
)
def test_note_the_user_marks_important_is_critical(text, event_type):
    assert classify_salience(text, event_type, important=True) is SalienceLevel.CRITICAL


def test_the_same_words_rank_by_kind_when_nothing_else_decides():
    failing = classify_salience("pytest tests/api", "command_failed")
    fixed = classify_salience("pytest tests/api", "command_fixed")

    assert fixed.rank > failing.rank
