"""Reductions, in one place: per-sample losses become one number through a few sums.

Every reducer but the median and the max is a function of a few sums (Σ w·l, Σ w·l², Σ w·v,
Σ v, N, and a pooled loss's Σ parts), finished by :func:`finish`. Those sums come from the
streamed, exact states (:mod:`losscli.state`: whole run and per group, as
:class:`~losscli.exact.Total`, so a mean is the exact quotient rounded once) or, for bootstrap
resamples, from every row's terms (:class:`SampleTerms`, floats).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from losscli.exact import ratio
from losscli.registry.declarations import Reducer

REDUCTIONS = ("mean", "sum", "none")
Combine = Callable[[np.ndarray], Any]


def effective_reducer(reducer: Reducer, combine: Combine | None) -> Reducer:
    """The reducer used: a POOLED loss asked for per-sample values (Keras axis=[1, …]) is a BATCH_MEAN."""
    return Reducer.BATCH_MEAN if reducer is Reducer.POOLED and combine is None else reducer


class Sums(NamedTuple):
    """The sums a reduction needs; floats, or arrays with one entry per group or resample."""

    weighted_sum: Any  # Σ w·l
    weighted_sq_sum: Any  # Σ w·l² (ROOT_MEAN)
    weight_sum: Any  # Σ w·v: the MEAN denominator (Σ w for a POOLED loss)
    loss_weight_sum: Any  # Σ v: the BATCH_MEAN denominator (N when the loss has no own weights)
    count: Any  # N
    parts: Any  # POOLED: Σ of the per-sample terms, shape (..., m)
    reported_sum: Any = None  # Σ w·reported: a library's sum where its per-sample output is not the mean's term


def finish(reducer: Reducer, reduction: str, sums: Sums, weighted: bool, combine: Combine | None) -> Any:
    """The reduced value(s) from ``sums`` (NaN where undefined); not for MEDIAN and MAX."""
    with np.errstate(all="ignore"):
        if reducer is Reducer.POOLED:
            batch = combine(_floats(sums.parts)) if combine is not None else math.nan
            if reduction == "sum":
                return batch * _floats(sums.weight_sum) if weighted else batch
            return batch * _ratio(sums.weight_sum, sums.count)
        if reduction == "sum" or reducer is Reducer.SUM:
            return _floats(sums.weighted_sum if sums.reported_sum is None else sums.reported_sum)
        if reducer is Reducer.BATCH_MEAN:  # 0 when no row counts (Keras's divide_no_nan: every row masked)
            return _ratio(sums.weighted_sum, sums.loss_weight_sum, empty=0.0)
        if reducer is Reducer.ROOT_MEAN:
            ratio = _ratio(sums.weighted_sq_sum, sums.weight_sum)
            return np.sqrt(np.where(ratio >= 0, ratio, math.nan)) if np.ndim(ratio) else (
                math.sqrt(ratio) if ratio >= 0 else math.nan)
        return _ratio(sums.weighted_sum, sums.weight_sum)


def median(values: np.ndarray, weights: np.ndarray | None = None) -> float:
    """The median of ``values`` (NaN if empty or if one is NaN); with ``weights``, scikit-learn's weighted one.

    Weighted (``_weighted_percentile(average=True)`` at 50): sort the values, take the cumulative
    weights c and half their total h = c[-1]/2; at the first i with c[i] >= h the median is v[i] when
    c[i] − h > eps, else (v[i] + v[j]) / 2 with j the next value of non-zero weight. All weights 0: NaN.
    """
    if not len(values) or np.isnan(values).any():
        return math.nan
    if weights is None:
        return float(np.median(values))
    order = np.argsort(values)
    cdf = np.cumsum(weights[order])
    if cdf[-1] == 0:
        return math.nan
    half = 0.5 * cdf[-1]
    last = len(values) - 1
    i = min(int(np.searchsorted(cdf, half)), last)
    lower = values[order[i]]
    if cdf[i] - half > np.finfo(np.float64).eps:
        return float(lower)
    j = min(i + 1, last)
    if weights[order[j]] == 0:  # the next value of non-zero weight
        after = int(np.searchsorted(cdf, cdf[i], side="right"))
        j = i if after > last else after
    return float((lower + values[order[j]]) / 2)


def shown_values(values: np.ndarray, reported: np.ndarray | None, weight: np.ndarray | None, weighted: bool) -> np.ndarray:
    """The per-sample values a report shows: the library's reported ones where it has them, times the
    sample weights when the entry shows them weighted (its library's ``reduction='none'``)."""
    shown = values if reported is None else reported
    if not weighted or weight is None:
        return shown
    with np.errstate(over="ignore", invalid="ignore"):
        return weight * shown


def _ratio(num: Any, den: Any, empty: float = math.nan) -> Any:
    """``num / den`` (exactly, from Totals), ``empty`` where ``den`` is 0."""
    if np.ndim(den):
        if den.dtype == object:  # one Total per group
            return np.array([ratio(a, b) if b != 0 else empty for a, b in zip(np.broadcast_to(num, den.shape), den)],
                            dtype=np.float64)
        return np.where(den != 0, num / np.where(den != 0, den, 1), empty)
    return ratio(num, den) if den != 0 else empty


def _floats(x: Any) -> Any:
    """Totals (one per group: dtype object) as float64; floats unchanged."""
    return x.astype(np.float64) if isinstance(x, np.ndarray) and x.dtype == object else x


@dataclass(frozen=True)
class SampleTerms:
    """One evaluated loss, row by row: enough to reduce any group or resample of its rows.

    ``values`` (n,) per-sample losses; ``sample_weight`` and ``loss_weight`` (n,) or None;
    ``parts`` (n, m) the per-sample terms of a pooled loss, with its ``combine``; ``reported``
    (n,) a library's per-sample output where its sum adds those rather than ``values``.
    """

    reducer: Reducer
    values: np.ndarray
    sample_weight: np.ndarray | None = None
    loss_weight: np.ndarray | None = None
    parts: np.ndarray | None = None
    combine: Combine | None = None
    reported: np.ndarray | None = None

    def by_group(self, reduction: str, codes: np.ndarray, n_groups: int) -> np.ndarray:
        """One reduced value per group; ``codes`` (n,) holds each row's group in 0..n_groups−1."""
        if reduction != "sum" and self.effective_reducer in (Reducer.MEDIAN, Reducer.MAX):
            w = self.sample_weight

            def pick(rows: np.ndarray) -> float:
                if self.effective_reducer is Reducer.MAX:
                    return float(np.max(self.values[rows]))
                return median(self.values[rows], None if w is None else w[rows])

            return np.array([pick(codes == g) if (codes == g).any() else math.nan for g in range(n_groups)])

        def total(column: np.ndarray | None) -> np.ndarray:
            if column is None:  # a column of ones
                return np.bincount(codes, minlength=n_groups).astype(np.float64)
            if column.ndim == 2:
                return np.stack([np.bincount(codes, column[:, j], n_groups) for j in range(column.shape[1])], axis=-1)
            return np.bincount(codes, column, n_groups)

        return self._finish(reduction, total)

    def by_resample(self, reduction: str, idx: np.ndarray) -> np.ndarray:
        """One reduced value per row of ``idx`` (b, n): the rows each bootstrap resample draws."""
        if reduction != "sum" and self.effective_reducer in (Reducer.MEDIAN, Reducer.MAX):
            drawn = np.take(self.values, idx)
            if self.effective_reducer is Reducer.MAX:
                return drawn.max(axis=1)
            if self.sample_weight is None:
                return np.median(drawn, axis=1)
            weights = np.take(self.sample_weight, idx)
            return np.array([median(v, w) for v, w in zip(drawn, weights)])

        def total(column: np.ndarray | None) -> np.ndarray:
            if column is None:  # a column of ones
                return np.full(len(idx), float(idx.shape[1]))
            if column.ndim == 2:
                return np.take(column, idx, axis=0).sum(axis=1)
            return np.take(column, idx).sum(axis=1)

        return self._finish(reduction, total)

    @property
    def effective_reducer(self) -> Reducer:
        return effective_reducer(self.reducer, self.combine)

    def _finish(self, reduction: str, total: Callable[[np.ndarray | None], np.ndarray]) -> np.ndarray:
        reducer = self.effective_reducer
        l, w, v = self.values, self.sample_weight, self.loss_weight
        wl = l if w is None else w * l
        den = v if w is None else (w if v is None else w * v)
        count = total(None)
        parts = total(self.parts) if reducer is Reducer.POOLED and self.parts is not None else None
        reported = None if self.reported is None else total(self.reported if w is None else w * self.reported)
        sums = Sums(
            total(wl), total(wl * l) if reducer is Reducer.ROOT_MEAN else 0.0,
            count if den is None else total(den), count if v is None else total(v), count, parts, reported,
        )
        out = np.asarray(finish(reducer, reduction, sums, w is not None, self.combine), dtype=np.float64)
        if reducer is Reducer.POOLED:  # a non-finite row makes the whole pooled value undefined
            out = np.where(total(np.where(np.isfinite(l), 0.0, 1.0)) > 0, math.nan, out)
        return out


def paired_delta(base: SampleTerms, candidate: SampleTerms, reduction: str) -> Callable[[np.ndarray], np.ndarray]:
    """A function of bootstrap rows ``idx`` (b, n) giving candidate − baseline reduced values, (b,).

    A weighted mean or sum over the same weights is linear, so its delta is one sum of per-row
    differences: one gather per resample instead of two, from a centred float32 copy summed in
    float64 (the centring keeps the rounding far below the spread the interval measures).
    """
    reducer = base.effective_reducer
    linear = reducer is not Reducer.POOLED and (reduction == "sum" or reducer in (Reducer.MEAN, Reducer.BATCH_MEAN))
    same_weights = all(
        (a is None and b is None) or (a is not None and b is not None and np.array_equal(a, b))
        for a, b in ((base.sample_weight, candidate.sample_weight), (base.loss_weight, candidate.loss_weight))
    )
    own_sums = reduction == "sum" and (base.reported is not None or candidate.reported is not None)
    if own_sums or not (linear and same_weights and reducer is candidate.effective_reducer):
        return lambda idx: candidate.by_resample(reduction, idx) - base.by_resample(reduction, idx)
    w, v = base.sample_weight, base.loss_weight
    diff = candidate.values - base.values if w is None else w * (candidate.values - base.values)
    if not np.isfinite(diff).all():
        return lambda idx: np.full(len(idx), math.nan)
    centre = float(diff.mean())
    centred = (diff - centre).astype(np.float32)
    den = None if reduction == "sum" else (v if reducer is Reducer.BATCH_MEAN or w is None else (w if v is None else w * v))

    def delta(idx: np.ndarray) -> np.ndarray:
        total = np.take(centred, idx).sum(axis=1, dtype=np.float64) + centre * idx.shape[1]
        if reduction == "sum":
            return total
        count = float(idx.shape[1])
        return total / (count if den is None else np.take(den, idx).sum(axis=1))

    return delta
