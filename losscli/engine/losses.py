"""Loss specs resolved against the registry, before any file is read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from losscli.errors import LossCliError
from losscli.registry import LossEntry, lookup
from losscli.registry.params import resolve_params
from losscli.spec import LossSpec, parse_spec


@dataclass(frozen=True)
class ResolvedLoss:
    """A spec as typed, the entry it names and every effective parameter."""

    spec: LossSpec
    entry: LossEntry
    params: dict[str, Any]


def resolve_losses(texts: list[str]) -> list[ResolvedLoss]:
    """Parse and check every ``--loss`` before any file is read."""
    if not texts:
        raise LossCliError("no loss given", "add --loss NAME, e.g. --loss mse (see 'losscli list')")
    resolved = []
    for text in texts:
        spec = parse_spec(text)
        entry = lookup(spec.name)
        resolved.append(ResolvedLoss(spec, entry, resolve_params(entry, spec)))
    seen = [r.spec.text for r in resolved]
    duplicate = next((t for t in seen if seen.count(t) > 1), None)
    if duplicate:
        raise LossCliError(f"loss {duplicate!r} is given twice")
    return resolved


def check_weight_support(loss: ResolvedLoss, weighted: bool) -> None:
    entry = loss.entry
    if weighted and not entry.sample_weights:
        raise LossCliError(
            f"loss {loss.spec.text!r} takes no sample weights (see 'losscli info {entry.name}')",
            f"drop the weights, or use '{entry.canonical}', which takes them" if entry.canonical else "drop the weights",
        )
