"""The loss registry: declarations, lookup, parameter checks and input-kind checks."""

from losscli.registry.catalog import entries, lookup, register
from losscli.registry.declarations import (
    Check, Example, Kind, Lenient, LossEntry, Param, Pooled, Reducer, Reported, Role, Shape, Weighted,
)

__all__ = [
    "Check", "Example", "Kind", "Lenient", "LossEntry", "Param", "Pooled", "Reducer", "Reported", "Role", "Shape", "Weighted",
    "entries", "lookup", "register",
]
