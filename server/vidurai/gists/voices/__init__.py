"""One module per built-in audience, named after it; each has ``tell(event) -> str``. A
configured audience without a voice gets the memory's own words."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from vidurai.gists.event import Event
from vidurai.storage.models import BUILTIN_AUDIENCES

Voice = Callable[[Event], str]

# A built-in audience without its module here fails at import, not when a memory is told.
VOICES: dict[str, Voice] = {
    name: import_module(f"{__name__}.{name}").tell for name in BUILTIN_AUDIENCES
}
