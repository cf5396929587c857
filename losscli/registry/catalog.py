"""The one registry of losses: registration, lookup by name or alias, and listing."""

from __future__ import annotations

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


ALL = "*"


def _load(family: str | None = ALL) -> None:
    """Import the canonical losses, then ``family``'s library losses (every library's for ALL, none for None)."""
    import importlib

    from losscli.losses import CANONICAL, LIBRARIES

    libraries = LIBRARIES.values() if family == ALL else [LIBRARIES[family]] if family in LIBRARIES else []
    names = CANONICAL + tuple(libraries)
    for name in names:
        importlib.import_module(f"losscli.losses.{name}")


def entries() -> list[LossEntry]:
    """Every registered loss, in the order of losscli.losses (canonical, then torch, keras, sklearn)."""
    _load()
    from losscli.losses import LIBRARIES

    order = {family: i for i, family in enumerate(["losscli", *LIBRARIES])}
    return sorted(_ENTRIES.values(), key=lambda e: order.get(e.follows, len(order)))


def lookup(name: str) -> LossEntry:
    """The entry called ``name`` (or aliased so); an error lists the closest names otherwise."""
    family = name.split(".", 1)[0].lower() if "." in name else None
    _load(family)
    if name not in _NAMES and name.lower() not in {n.lower() for n in _NAMES}:
        _load()  # a misspelt family, or a name to suggest from every loss
    if name in _NAMES:
        return _ENTRIES[_NAMES[name]]
    folded = {n.lower(): n for n in _NAMES}
    if name.lower() in folded:
        return _ENTRIES[_NAMES[folded[name.lower()]]]
    import difflib

    close = difflib.get_close_matches(name.lower(), folded, n=3, cutoff=0.6)
    hint = f"did you mean {', '.join(folded[c] for c in close)}?" if close else "run 'losscli list' to see every loss"
    raise LossCliError(f"unknown loss {name!r}", hint)
