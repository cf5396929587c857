"""The one registry of losses: registration, lookup by name or alias, and listing."""

from __future__ import annotations

import difflib
from typing import Any, Callable

from losscli.errors import LossCliError
from losscli.registry.declarations import LossEntry

_ENTRIES: dict[str, LossEntry] = {}
_NAMES: dict[str, str] = {}  # every name and alias -> entry name


def register(**declarations: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: declare a loss function in the registry; see :class:`LossEntry` for the fields."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        entry = LossEntry(fn=fn, **declarations)
        for name in (entry.name, *entry.aliases):
            if name in _NAMES:
                raise ValueError(f"loss name {name!r} registered twice")
            _NAMES[name] = entry.name
        _ENTRIES[entry.name] = entry
        return fn

    return wrap


def _load() -> None:
    import losscli.losses  # noqa: F401  (importing registers every loss)


def entries() -> list[LossEntry]:
    """Every registered loss, in registration order."""
    _load()
    return list(_ENTRIES.values())


def lookup(name: str) -> LossEntry:
    """The entry called ``name`` (or aliased so); an error lists the closest names otherwise."""
    _load()
    if name in _NAMES:
        return _ENTRIES[_NAMES[name]]
    folded = {n.lower(): n for n in _NAMES}
    if name.lower() in folded:
        return _ENTRIES[_NAMES[folded[name.lower()]]]
    close = difflib.get_close_matches(name.lower(), folded, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(folded[c] for c in close)}?" if close else "run 'losscli list' to see every loss"
    raise LossCliError(f"unknown loss {name!r}", hint)
