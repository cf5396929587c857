"""A baseline against one or more candidates: values, deltas, intervals, slices and the worst samples.

Runs are *paired* when every run is a predictions file scored on the same rows against the
same targets; only then are paired intervals (``--bootstrap``) and ``--worst`` defined.
``--group-by`` needs per-sample losses, so every run must be a predictions file.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from losscli.compare.runs import Run
from losscli.engine import Evaluation, ResolvedLoss
from losscli.errors import LossCliError
from losscli.reduction import paired_delta
from losscli.state import GroupIndex


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
    """Every run scored on the same rows, with identical inputs in every role but the predictions.

    Each pass fingerprints its evaluated rows and its non-prediction inputs, so runs are paired
    exactly when their fingerprints agree.
    """
    evaluations = [run.evaluation for run in runs]
    if any(e is None or e.fingerprint is None for e in evaluations):
        return False
    return len({e.fingerprint for e in evaluations if e is not None}) == 1


def compare(
    losses: list[ResolvedLoss], runs: list[Run], bootstrap: Bootstrap | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Values and deltas of every loss for every candidate, with paired intervals when asked.

    ``progress(done, total)`` is told the bootstrap resamples done.
    """
    paired = is_paired(runs)
    if bootstrap is not None and not paired:
        raise LossCliError(
            "--bootstrap needs paired runs: prediction files scored against the same targets",
            "pass every run as a predictions file with --target TARGETS (saved JSON results have no per-sample losses)",
        )
    intervals = _intervals(losses, runs, bootstrap, progress) if bootstrap is not None else {}
    base = runs[0]
    rows = [
        DeltaRow(loss.spec.text, run.label, base.value(i, loss.spec.text), run.value(i, loss.spec.text),
                 intervals.get((i, j)))
        for i, loss in enumerate(losses)
        for j, run in enumerate(runs[1:])
    ]
    return Comparison(losses, runs, paired, rows, bootstrap)


def _intervals(
    losses: list[ResolvedLoss], runs: list[Run], bootstrap: Bootstrap, progress: Callable[[int, int], None] | None,
) -> dict[tuple[int, int], tuple[float, float]]:
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

    low, high = paired_bootstrap(statistic, base.n_samples, bootstrap.resamples, bootstrap.ci, bootstrap.seed,
                                 progress=progress)
    n_candidates = len(runs) - 1
    return {(i, j): (float(low[i * n_candidates + j]), float(high[i * n_candidates + j]))
            for i in range(len(losses)) for j in range(n_candidates)}


def eval_group_table(evaluation: Evaluation) -> GroupTable:
    """One evaluation's losses per group, from the per-group states of its pass."""
    return group_table([evaluation])


def group_table(evaluations: list[Evaluation]) -> GroupTable:
    """Each evaluation's losses per value of the ``--group-by`` column, groups in sorted order.

    Groups are matched by label across runs; the sizes are the first run's.
    """
    first = evaluations[0]
    assert first.group_index is not None
    union = GroupIndex(first.group_index.column, limit=sys.maxsize)  # every run's groups, merged
    mappings = [union.merge(e.group_index) for e in evaluations if e.group_index is not None]  # run code -> union code
    keys, order = union.order()
    values = []
    sizes: list[int] = []
    for r, (evaluation, mapping) in enumerate(zip(evaluations, mappings)):
        n = len(mapping)
        per_loss = []
        for result in evaluation.results:
            assert result.groups is not None
            per_loss.append([_finite(v) for v in _in_union(result.groups.values(result.reduction, n), mapping, len(union))[order]])
        values.append(per_loss)
        if r == 0:
            counts = evaluation.results[0].groups.counts[:n]  # type: ignore[union-attr]
            sizes = _in_union(counts.astype(np.float64), mapping, len(union), fill=0.0)[order].astype(np.int64).tolist()
    return GroupTable(first.group_index.column, [_label(k) for k in keys], sizes, values)


def _in_union(values: np.ndarray, mapping: np.ndarray, size: int, fill: float = math.nan) -> np.ndarray:
    """A run's per-group values placed at their union codes (``fill`` for groups the run lacks)."""
    out = np.full(size, fill)
    out[mapping] = values[: len(mapping)]
    return out


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _label(key: object) -> str:
    if isinstance(key, (float, np.floating)) and float(key).is_integer():
        return str(int(key))
    return str(key)


def worst_rows(comparison: Comparison, k: int, id_columns: list[str]) -> list[WorstRow]:
    """For each candidate, the ``k`` samples whose first loss rose most from the baseline."""
    if not comparison.paired:
        raise LossCliError("--worst needs paired runs: prediction files scored against the same targets")
    base = comparison.baseline.evaluation
    assert base is not None and base.rows is not None
    chosen = []
    for run in comparison.candidates:
        assert run.evaluation is not None
        b, c = base.results[0].per_sample, run.evaluation.results[0].per_sample
        delta = np.where(np.isfinite(c - b), c - b, -np.inf)
        chosen.append((run, np.argsort(-delta, kind="stable")[:k], b, c))
    wanted = np.unique(np.concatenate([base.rows[order] for _, order, _, _ in chosen])) if chosen else np.zeros(0, dtype=np.int64)
    ids = _labels_at(comparison.baseline, id_columns, wanted)
    out = []
    for run, order, b, c in chosen:
        for position in order:
            row = int(base.rows[position])
            out.append(WorstRow(run.label, row, {name: _label(ids[name][row]) for name in id_columns},
                                float(b[position]), float(c[position])))
    return out


def _labels_at(run: Run, names: list[str], rows: np.ndarray) -> dict[str, dict[int, object]]:
    """The values of label columns ``names`` at file ``rows``, read again from the run's inputs in one pass."""
    if not names:
        return {}
    from losscli.readers import InputResolver
    from losscli.readers.scan import scan

    assert run.options is not None
    resolver = InputResolver(run.options)
    bound = [resolver.column(name, "--id-col") for name in names]
    sources = list({id(b.source): b.source for b in bound}.values())
    reads = [(src, {b.names[0]: "label" for b in bound if b.source is src}) for src in sources]
    found: dict[str, dict[int, object]] = {name: {} for name in names}
    try:
        for chunk in scan(reads, 1 << 16):
            inside = rows[(rows >= chunk.offset) & (rows < chunk.offset + chunk.n)]
            for b in bound:
                column = chunk.arrays[sources.index(b.source)][b.names[0]]
                found[b.names[0]].update(zip(inside.tolist(), column[inside - chunk.offset].tolist()))
    finally:
        resolver.close()
    return found
