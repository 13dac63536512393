"""Audience gists: who a memory is told to, and the rule-based voice for each."""

from vidurai.gists.audiences import AudienceRegistry, UnknownAudienceError
from vidurai.gists.generator import (
    MAX_GIST_LENGTH,
    GistContext,
    MultiAudienceGistGenerator,
    infer_event_type,
)

__all__ = [
    "MAX_GIST_LENGTH",
    "AudienceRegistry",
    "GistContext",
    "MultiAudienceGistGenerator",
    "UnknownAudienceError",
    "infer_event_type",
]
