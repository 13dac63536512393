"""The audiences a memory is told to: the four built-in ones plus any the user configures."""

from __future__ import annotations

import re
from collections.abc import Iterable

from vidurai.storage.models import BUILTIN_AUDIENCES

_AUDIENCE_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")


class UnknownAudienceError(ValueError):
    """An audience name that is not registered (or not a valid name at all)."""

    def __init__(self, name: object, valid: Iterable[str]) -> None:
        self.name = name
        self.valid = tuple(valid)
        super().__init__(f"unknown audience {name!r}; valid audiences: {', '.join(self.valid)}")


class AudienceRegistry:
    """Built-in audiences first, then the configured ones in the order given."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        names = list(BUILTIN_AUDIENCES)
        for raw in extra:
            name = raw.strip().lower() if isinstance(raw, str) else raw
            if not isinstance(name, str) or not _AUDIENCE_NAME.fullmatch(name):
                raise ValueError(
                    f"invalid audience name {raw!r}: use a lowercase identifier "
                    "(a letter, then up to 31 letters, digits, '_' or '-')"
                )
            if name not in names:
                names.append(name)
        self._names = tuple(names)

    @property
    def names(self) -> tuple[str, ...]:
        return self._names

    def validate(self, name: str) -> str:
        """The normalised name (trimmed, lowercase), or UnknownAudienceError."""
        normalised = name.strip().lower() if isinstance(name, str) else name
        if normalised not in self._names:
            raise UnknownAudienceError(name, self._names)
        return normalised

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.strip().lower() in self._names

    def __repr__(self) -> str:
        return f"AudienceRegistry({', '.join(self._names)})"
