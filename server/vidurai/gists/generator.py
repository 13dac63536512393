"""Rule-based gists: one memory told in the voice each audience needs.

Deterministic, offline, pure. The kinds of event are one table (``kinds``), the meaning of
tools' words another (``outcomes``), and each voice one module (``voices``). Inputs arrive
already redacted: capture redacts every text before it makes gists, which keeps this layer
free of the memory layer above it.

``GENERATOR_VERSION`` names what the rules produce: when it changes, stored gists the user
did not write are made again (see ``vidurai.memory.regenerate``).
"""

from __future__ import annotations

from vidurai.gists.audiences import AudienceRegistry
from vidurai.gists.event import GistContext, make_event
from vidurai.gists.text import fit_characters
from vidurai.gists.voices import VOICES

MAX_GIST_LENGTH = 150
GENERATOR_VERSION = "2"


class MultiAudienceGistGenerator:
    """Turns one memory into a gist per registered audience."""

    def __init__(self, registry: AudienceRegistry | None = None) -> None:
        self.registry = registry or AudienceRegistry()

    def generate(
        self, verbatim: str, canonical_gist: str, context: GistContext | None = None
    ) -> dict[str, str]:
        event = make_event(verbatim, canonical_gist, context)
        gists = {}
        for audience in self.registry.names:
            voice = VOICES.get(audience)
            text = (voice(event) if voice else event.text).strip() or event.text
            gists[audience] = fit_characters(text, MAX_GIST_LENGTH)
        return gists
