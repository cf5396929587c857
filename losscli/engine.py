"""Evaluate loss specs over bound inputs, a cache-sized chunk of rows at a time.

For each loss: check shapes and kinds, call the loss on chunks of ~32K values, keep the
per-sample losses and fold each chunk into an :class:`Accumulator`. Rows with non-finite
inputs follow the ``--nan`` policy: ``error`` stops, ``omit`` drops them, ``propagate``
gives them a NaN loss (and so a null reduced value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from losscli.errors import LossCliError
from losscli.inputs import InputArray
from losscli.reduction import Accumulator, SampleTerms
from losscli.registry import LossEntry, Pooled, Weighted, lookup
from losscli.registry.params import resolve_params
from losscli.registry.validation import check_weights, prepare_inputs
from losscli.spec import LossSpec, parse_spec

CHUNK_VALUES = 32_768
NAN_POLICIES = ("error", "omit", "propagate")


@dataclass(frozen=True)
class ResolvedLoss:
    """A spec as typed, the entry it names and every effective parameter."""

    spec: LossSpec
    entry: LossEntry
    params: dict[str, Any]


@dataclass
class LossResult:
    """One loss evaluated: per-sample values (NaN for propagated rows) and the reduced value.

    ``terms`` keep each row's loss, weights and pooled terms, to reduce groups and resamples.
    """

    loss: ResolvedLoss
    terms: SampleTerms
    accumulator: Accumulator
    reduction: str

    @property
    def per_sample(self) -> np.ndarray:
        return self.terms.values

    @property
    def value(self) -> float:
        return self.accumulator.value(self.reduction)


@dataclass
class Evaluation:
    """Every loss over the same rows; ``rows`` are the file rows evaluated (0-based)."""

    inputs: dict[str, InputArray]
    rows: np.ndarray
    n_omitted: int
    results: list[LossResult]


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


class Binder(Protocol):
    """Finds the inputs of a loss's roles (files: InputResolver; memory: StaticInputs)."""

    def bind(self, role_names: list[str]) -> list[InputArray]: ...

    def weight(self) -> InputArray | None: ...


def evaluate(
    losses: list[ResolvedLoss], binder: Binder, reduction: str = "mean", nan: str = "error",
    chunk_values: int = CHUNK_VALUES,
) -> Evaluation:
    """Evaluate every loss over the same rows of the inputs ``binder`` finds for it."""
    bound = [binder.bind([r.name for r in loss.entry.roles]) for loss in losses]
    weight_input = binder.weight()
    for loss in losses:
        _check_weight_support(loss, weight_input)
    used = list({id(inp): inp for inputs in bound for inp in inputs}.values())
    if weight_input is not None:
        used.append(weight_input)
    n = _common_length(used)
    finite = _finite_rows(used, n, nan)
    n_bad = n - int(finite.sum())
    rows = np.flatnonzero(finite) if n_bad else None  # file rows of the kept rows, when some were dropped
    kept = {id(inp): inp.with_data(inp.data[finite]) if n_bad else inp for inp in used}
    weight = check_weights(kept[id(weight_input)], rows) if weight_input is not None else None
    results = []
    for loss, inputs in zip(losses, bound):
        arrays = prepare_inputs(loss.entry, loss.params, [kept[id(i)] for i in inputs], loss.spec.text, rows)
        terms, acc = _run_chunks(loss, arrays, weight, chunk_values)
        if nan == "propagate" and n_bad:
            acc.add(np.full(n_bad, np.nan), None, None)
            terms = _widen(terms, finite)
        results.append(LossResult(loss, terms, acc, reduction))
    all_rows = rows if rows is not None and nan == "omit" else np.arange(n)
    labelled = {inp.role: inp for inp in used}
    return Evaluation(labelled, all_rows, n_bad if nan == "omit" else 0, results)


def _check_weight_support(loss: ResolvedLoss, weight: InputArray | None) -> None:
    entry = loss.entry
    if weight is not None and not entry.sample_weights:
        raise LossCliError(
            f"loss {loss.spec.text!r} takes no sample weights (see 'losscli info {entry.name}')",
            f"drop the weights, or use '{entry.canonical}', which takes them" if entry.canonical else "drop the weights",
        )


def _run_chunks(
    loss: ResolvedLoss, arrays: list[np.ndarray], weight: np.ndarray | None, chunk_values: int,
) -> tuple[SampleTerms, Accumulator]:
    n = arrays[0].shape[0]
    width = max(1, sum(a.size for a in arrays) // max(n, 1))
    step = max(1, chunk_values // width)
    per_sample = np.empty(n, dtype=np.float64)
    loss_weight: np.ndarray | None = None
    parts: np.ndarray | None = None
    acc = Accumulator(loss.entry.reducer)
    with np.errstate(all="ignore"):
        for start in range(0, n, step):
            chunk = slice(start, start + step)
            out = loss.entry.fn(*(a[chunk] for a in arrays), **loss.params)
            values, own_weight = out, None
            if isinstance(out, Weighted):
                values, own_weight = out.values, out.weights
                loss_weight = np.empty(n) if loss_weight is None else loss_weight
                loss_weight[chunk] = own_weight
            elif isinstance(out, Pooled):
                values = out.values
                acc.pool(out.parts, out.combine)
                parts = np.empty((n, out.parts.shape[1])) if parts is None else parts
                parts[chunk] = out.parts
            per_sample[chunk] = values
            acc.add(values, None if weight is None else weight[chunk], own_weight)
    return SampleTerms(loss.entry.reducer, per_sample, weight, loss_weight, parts, acc.combine), acc


def _widen(terms: SampleTerms, kept: np.ndarray) -> SampleTerms:
    """Terms over every row: NaN losses for the rows ``--nan propagate`` kept out of the loss."""
    def spread(column: np.ndarray | None, fill: float) -> np.ndarray | None:
        if column is None:
            return None
        full = np.full((len(kept), *column.shape[1:]), fill)
        full[kept] = column
        return full

    return SampleTerms(terms.reducer, spread(terms.values, np.nan), spread(terms.sample_weight, 1.0),  # type: ignore[arg-type]
                       spread(terms.loss_weight, 1.0), spread(terms.parts, np.nan), terms.combine)


def _common_length(inputs: list[InputArray]) -> int:
    first = inputs[0]
    n = first.data.shape[0] if first.data.ndim else 0
    for inp in inputs[1:]:
        if (inp.data.shape[0] if inp.data.ndim else 0) != n:
            raise LossCliError(
                f"length mismatch: {first.describe()} but {inp.describe()}",
                "every input needs one row per sample",
            )
    if n == 0:
        raise LossCliError(f"{first.source}: no samples to evaluate")
    return n


def _finite_rows(inputs: list[InputArray], n: int, nan: str) -> np.ndarray:
    """Rows whose every input value is finite; under ``error`` any other row is reported."""
    finite = np.ones(n, dtype=bool)
    first: tuple[InputArray, int] | None = None
    count = 0
    for inp in inputs:
        if inp.data.dtype.kind != "f":
            continue
        bad = ~np.isfinite(inp.data.reshape(n, -1))
        if bad.any():
            count += int(bad.sum())
            first = first or (inp, int(np.argmax(bad.reshape(-1))))
            finite &= ~bad.any(axis=1)
    if first is not None and nan == "error":
        inp, flat = first
        raise LossCliError(
            f"{count} non-finite input value{'s' if count > 1 else ''} (NaN, inf or empty cell);"
            f" the first: {inp.role} at {inp.locate(flat)} is {inp.data.reshape(-1)[flat]}",
            "fix the data, or pass --nan omit to drop those rows, or --nan propagate to report null",
        )
    if not finite.any():
        raise LossCliError("every row has a non-finite input value, so nothing is left to evaluate")
    return finite
