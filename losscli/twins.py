"""A canonical loss beside its PyTorch, Keras and scikit-learn twins, on the same worked example.

``losscli info NAME`` shows where the libraries' numbers part: each twin evaluated on the
canonical entry's example, unweighted and with sample weights 1, 2, …, N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from losscli.errors import LossCliError
from losscli.registry import LossEntry, entries


@dataclass(frozen=True)
class TwinRow:
    """One entry's convention and its values on the shared example (None where it cannot run)."""

    name: str
    follows: str
    inputs: str
    reducer: str
    weights: bool
    value: float | None
    weighted_value: float | None
    note: str = ""


def twins_of(entry: LossEntry) -> list[LossEntry]:
    """The canonical entry first, then the library entries declaring it as their canonical twin."""
    from losscli.registry import lookup

    name = entry.name if entry.follows == "losscli" else entry.canonical
    library = [e for e in entries() if name is not None and e.canonical == name]
    return [lookup(name), *library] if name is not None and library else []


def twin_rows(entry: LossEntry) -> list[TwinRow]:
    """Every twin of ``entry`` evaluated on the canonical entry's example."""
    group = twins_of(entry)
    if not group:
        return []
    example = group[0].example
    arrays = list(example.inputs.values())
    n = len(arrays[0])
    rows = []
    for twin in group:
        inputs = " · ".join(r.kind_for(twin.defaults).value for r in twin.roles)
        value, weighted, note = _values(twin, arrays, [float(i + 1) for i in range(n)])
        rows.append(TwinRow(twin.name, twin.follows, inputs, twin.reducer.value, twin.sample_weights, value, weighted, note))
    return rows


def _values(twin: LossEntry, arrays: list[list], weights: list[float]) -> tuple[float | None, float | None, str]:
    import numpy as np

    from losscli.engine import ResolvedLoss, evaluate
    from losscli.inputs import InputArray, StaticInputs
    from losscli.registry.params import resolve_params
    from losscli.spec import LossSpec

    spec = LossSpec(twin.name, twin.name, {})
    loss = [ResolvedLoss(spec, twin, resolve_params(twin, spec))]
    bound = {role.name: InputArray(role.name, np.asarray(data), "example") for role, data in zip(twin.roles, arrays)}
    try:
        plain = evaluate(loss, StaticInputs(bound)).results[0].value
    except LossCliError as exc:
        return None, None, f"needs other inputs ({exc.message.split(': ', 1)[-1][:60]})"
    weighted = None
    if twin.sample_weights:
        bound["weight"] = InputArray("weight", np.asarray(weights), "example")
        weighted = evaluate(loss, StaticInputs(bound)).results[0].value
    return _finite(plain), _finite(weighted), ""


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None
