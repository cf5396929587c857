"""Reductions, in one place: per-sample losses become one number through running float64 sums.

An :class:`Accumulator` takes chunks of per-sample losses (with sample weights and the loss's
own per-sample weights) and keeps only sums, so a reduction can be built over data that
arrives chunk by chunk.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from losscli.registry.declarations import Reducer

REDUCTIONS = ("mean", "sum", "none")


@dataclass
class Accumulator:
    """Running sums for one loss: Σ w·l, Σ w·l², Σ w·v and Σ v (v: the loss's own weights), N, non-finite count."""

    reducer: Reducer
    weighted_sum: float = 0.0
    weighted_sq_sum: float = 0.0
    weight_sum: float = 0.0
    loss_weight_sum: float = 0.0  # Σ v alone: the batch size that counts for BATCH_MEAN
    count: int = 0
    n_nonfinite: int = 0
    maximum: float = -math.inf
    chunks: list[np.ndarray] = field(default_factory=list)  # kept only for the median
    weighted: bool = False
    parts: np.ndarray | None = None  # POOLED: column sums of the loss's per-sample terms
    combine: Callable[[np.ndarray], float] | None = None

    def add(self, losses: np.ndarray, sample_weight: np.ndarray | None, loss_weight: np.ndarray | None) -> None:
        """Fold in a chunk of per-sample ``losses`` (n,) with optional (n,) weights."""
        l64 = losses.astype(np.float64, copy=False)
        self.weighted |= sample_weight is not None
        if sample_weight is None:
            wl = l64
            self.weight_sum += len(l64) if loss_weight is None else float(loss_weight.sum(dtype=np.float64))
        else:
            w = sample_weight.astype(np.float64, copy=False)
            wl = w * l64
            self.weight_sum += float((w if loss_weight is None else w * loss_weight).sum())
        self.weighted_sum += float(wl.sum())
        if self.reducer is Reducer.ROOT_MEAN:
            self.weighted_sq_sum += float((wl * l64).sum())
        self.count += len(l64)
        self.loss_weight_sum += len(l64) if loss_weight is None else float(loss_weight.sum(dtype=np.float64))
        self.n_nonfinite += int(len(l64) - np.isfinite(l64).sum())
        if self.reducer is Reducer.MAX and len(l64):
            self.maximum = max(self.maximum, float(l64.max()))
        if self.reducer is Reducer.MEDIAN:
            self.chunks.append(l64.copy())

    @property
    def effective_reducer(self) -> Reducer:
        """The reducer used: a POOLED loss asked for per-sample values (Keras axis=[1, …]) is a BATCH_MEAN."""
        if self.reducer is Reducer.POOLED and self.combine is None:
            return Reducer.BATCH_MEAN
        return self.reducer

    def pool(self, parts: np.ndarray, combine: Callable[[np.ndarray], float]) -> None:
        """Fold in a chunk's per-sample terms (n, m) of a POOLED loss."""
        sums = parts.astype(np.float64, copy=False).sum(axis=0)
        self.parts = sums if self.parts is None else self.parts + sums
        self.combine = combine

    def value(self, reduction: str) -> float:
        """The reduced loss (``mean`` per the loss's reducer, or ``sum``); NaN when undefined."""
        reducer = self.effective_reducer
        if reducer is Reducer.POOLED:
            return self._pooled(reduction)
        if reduction == "sum":
            return self.weighted_sum
        if reducer is Reducer.MAX:
            return self.maximum if self.count else math.nan
        if reducer is Reducer.MEDIAN:
            return float(np.median(np.concatenate(self.chunks))) if self.count else math.nan
        if reducer is Reducer.BATCH_MEAN:
            return _ratio(self.weighted_sum, self.loss_weight_sum)
        if reducer is Reducer.ROOT_MEAN:
            ratio = _ratio(self.weighted_sq_sum, self.weight_sum)
            return math.sqrt(ratio) if ratio >= 0 else math.nan
        return _ratio(self.weighted_sum, self.weight_sum)

    def _pooled(self, reduction: str) -> float:
        """Keras's scalar L from the whole batch: mean L·Σw/N; sum L unweighted, L·Σw weighted."""
        if self.n_nonfinite or self.parts is None or self.combine is None:
            return math.nan
        batch = float(self.combine(self.parts))
        if reduction == "sum":
            return batch * self.weight_sum if self.weighted else batch
        return batch * self.weight_sum / self.count


def _ratio(num: float, den: float) -> float:
    return num / den if den != 0 else math.nan
