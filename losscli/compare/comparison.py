"""A baseline against one or more candidates: values, deltas, intervals, slices and the worst samples.

Runs are *paired* when every run is a predictions file scored on the same rows against the
same targets; only then are paired intervals (``--bootstrap``) and ``--worst`` defined.
``--group-by`` needs per-sample losses, so every run must be a predictions file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from losscli.compare.runs import Run
from losscli.engine import ResolvedLoss
from losscli.errors import LossCliError
from losscli.reduction import paired_delta


@dataclass(frozen=True)
class DeltaRow:
    """One loss for one candidate against the baseline."""

    loss: str
    run: str
    baseline: float | None
    candidate: float | None
    ci: tuple[float, float] | None = None

    @property
    def delta(self) -> float | None:
        if self.baseline is None or self.candidate is None:
            return None
        return self.candidate - self.baseline

    @property
    def rel_delta(self) -> float | None:
        delta = self.delta
        if delta is None or self.baseline == 0:
            return None
        assert self.baseline is not None
        return delta / abs(self.baseline)


@dataclass(frozen=True)
class Bootstrap:
    resamples: int
    ci: float
    seed: int | None


@dataclass(frozen=True)
class GroupTable:
    """Per-group values: ``values[r][l][g]`` for run r, loss l, group g; ``sizes[g]`` rows per group."""

    column: str
    groups: list[str]
    sizes: list[int]
    values: list[list[list[float | None]]]


@dataclass(frozen=True)
class WorstRow:
    """A sample whose loss rose most from the baseline to a candidate."""

    run: str
    index: int
    ids: dict[str, str]
    baseline: float
    candidate: float

    @property
    def delta(self) -> float:
        return self.candidate - self.baseline


@dataclass
class Comparison:
    losses: list[ResolvedLoss]
    runs: list[Run]
    paired: bool
    rows: list[DeltaRow]
    bootstrap: Bootstrap | None = None
    groups: GroupTable | None = None
    worst: list[WorstRow] = field(default_factory=list)
    worst_loss: str | None = None

    @property
    def baseline(self) -> Run:
        return self.runs[0]

    @property
    def candidates(self) -> list[Run]:
        return self.runs[1:]

    def row(self, loss: str, run: str) -> DeltaRow:
        return next(r for r in self.rows if r.loss == loss and r.run == run)


def is_paired(runs: list[Run]) -> bool:
    """Every run scored on the same rows, with identical inputs in every role but the predictions."""
    evaluations = [run.evaluation for run in runs]
    if any(e is None for e in evaluations):
        return False
    first = evaluations[0]
    assert first is not None
    for other in evaluations[1:]:
        assert other is not None
        if not np.array_equal(first.rows, other.rows):
            return False
        for role, inp in first.inputs.items():
            if role in ("pred", "input", "weight") or role not in other.inputs:
                continue
            if not np.array_equal(inp.data, other.inputs[role].data):
                return False
    return True


def compare(
    losses: list[ResolvedLoss], runs: list[Run], bootstrap: Bootstrap | None = None,
) -> Comparison:
    """Values and deltas of every loss for every candidate, with paired intervals when asked."""
    paired = is_paired(runs)
    if bootstrap is not None and not paired:
        raise LossCliError(
            "--bootstrap needs paired runs: prediction files scored against the same targets",
            "pass every run as a predictions file with --target TARGETS (saved JSON results have no per-sample losses)",
        )
    intervals = _intervals(losses, runs, bootstrap) if bootstrap is not None else {}
    base = runs[0]
    rows = [
        DeltaRow(loss.spec.text, run.label, base.value(i, loss.spec.text), run.value(i, loss.spec.text),
                 intervals.get((i, j)))
        for i, loss in enumerate(losses)
        for j, run in enumerate(runs[1:])
    ]
    return Comparison(losses, runs, paired, rows, bootstrap)


def _intervals(losses: list[ResolvedLoss], runs: list[Run], bootstrap: Bootstrap) -> dict[tuple[int, int], tuple[float, float]]:
    from losscli.compare.bootstrap import paired_bootstrap

    evaluations = [run.evaluation for run in runs]
    assert all(e is not None for e in evaluations)
    base = evaluations[0]
    assert base is not None
    reductions = [r.reduction for r in base.results]
    if "none" in reductions:
        raise LossCliError("--bootstrap needs a reduced value: drop --reduction none")

    deltas = [paired_delta(base.results[i].terms, other.results[i].terms, reductions[i])  # type: ignore[union-attr]
              for i in range(len(losses)) for other in evaluations[1:]]

    def statistic(idx: np.ndarray) -> np.ndarray:
        return np.stack([delta(idx) for delta in deltas], axis=1)

    low, high = paired_bootstrap(statistic, len(base.rows), bootstrap.resamples, bootstrap.ci, bootstrap.seed)
    n_candidates = len(runs) - 1
    return {(i, j): (float(low[i * n_candidates + j]), float(high[i * n_candidates + j]))
            for i in range(len(losses)) for j in range(n_candidates)}


def group_table(comparison_runs: list[Run], losses: list[ResolvedLoss], column: str) -> GroupTable:
    """Each run's losses per value of ``column`` (read from the first run's inputs)."""
    first = comparison_runs[0]
    if any(run.evaluation is None or run.resolver is None for run in comparison_runs):
        raise LossCliError(f"--group-by {column} needs prediction files: saved results have no per-sample losses")
    assert first.resolver is not None and first.evaluation is not None
    labels = first.resolver.column(column, "--group-by").data
    rows = first.evaluation.rows
    if len(labels) <= int(rows.max(initial=0)):
        raise LossCliError(f"--group-by {column}: the column has {len(labels)} rows but the inputs have more")
    keys, codes = np.unique(labels[rows], return_inverse=True)
    sizes = np.bincount(codes, minlength=len(keys))
    values = []
    for run in comparison_runs:
        assert run.evaluation is not None
        per_loss = []
        for result in run.evaluation.results:
            if result.reduction == "none":
                raise LossCliError("--group-by needs a reduced value: drop --reduction none")
            reduced = result.terms.by_group(result.reduction, codes, len(keys))
            per_loss.append([float(v) if math.isfinite(v) else None for v in reduced])
        values.append(per_loss)
    return GroupTable(column, [_label(k) for k in keys], sizes.tolist(), values)


def _label(key: object) -> str:
    if isinstance(key, (float, np.floating)) and float(key).is_integer():
        return str(int(key))
    return str(key)


def worst_rows(comparison: Comparison, k: int, id_columns: list[str]) -> list[WorstRow]:
    """For each candidate, the ``k`` samples whose first loss rose most from the baseline."""
    if not comparison.paired:
        raise LossCliError("--worst needs paired runs: prediction files scored against the same targets")
    base = comparison.baseline.evaluation
    assert base is not None and comparison.baseline.resolver is not None
    ids = {name: comparison.baseline.resolver.column(name, "--id-col").data for name in id_columns}
    out = []
    for run in comparison.candidates:
        assert run.evaluation is not None
        b, c = base.results[0].per_sample, run.evaluation.results[0].per_sample
        delta = np.where(np.isfinite(c - b), c - b, -np.inf)
        order = np.argsort(-delta, kind="stable")[:k]
        for position in order:
            row = int(base.rows[position])
            out.append(WorstRow(run.label, row, {name: _label(values[row]) for name, values in ids.items()},
                                float(b[position]), float(c[position])))
    return out
