"""Audience gists: who a memory is told to, and the rule-based voice for each."""

from vidurai.gists.audiences import AudienceRegistry, UnknownAudienceError
from vidurai.gists.event import GistContext
from vidurai.gists.generator import GENERATOR_VERSION, MAX_GIST_LENGTH, MultiAudienceGistGenerator
from vidurai.gists.kinds import infer_event_type

__all__ = [
    "GENERATOR_VERSION",
    "MAX_GIST_LENGTH",
    "AudienceRegistry",
    "GistContext",
    "MultiAudienceGistGenerator",
    "UnknownAudienceError",
    "infer_event_type",
]
