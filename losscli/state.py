"""The state of one loss over the rows seen so far: fold a chunk in, merge two states, finish.

A state holds exact sums (:mod:`losscli.exact`) of what its reducer needs: Σ w·l, Σ w·v (the
mean's denominator), Σ v (the batch mean's), Σ w·l² (root mean), a pooled loss's Σ parts, plus
the count, the non-finite count and the max. The median keeps every per-sample value (8 bytes a
row, 16 with sample weights). Because the sums are exact, a state's value does not depend on how the rows were chunked
or split, and ``a.merge(b)`` of two parts gives the bits one pass over both would.

:class:`GroupStates` is the same per ``--group-by`` group; :class:`GroupIndex` gives each
distinct label a code as the labels stream by.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from losscli.errors import LossCliError
from losscli.exact import ExactSum, GroupedExactSum, Total
from losscli.reduction import Combine, Sums, effective_reducer, finish, median, shown_values
from losscli.registry.declarations import Reducer

MAX_GROUPS_ENV = "LOSSCLI_MAX_GROUPS"
DEFAULT_MAX_GROUPS = 100_000


@dataclass
class Fold:
    """One chunk of a loss, row by row: ``values`` (n,), optional ``sample_weight``/``loss_weight`` (n,), ``parts`` (n, m).

    ``reported`` (n,) is set for a library loss whose per-sample output (summed by ``--reduction
    sum``) is not the term its mean averages (:class:`~losscli.registry.Reported`).
    """

    values: np.ndarray
    sample_weight: np.ndarray | None = None
    loss_weight: np.ndarray | None = None
    parts: np.ndarray | None = None
    reported: np.ndarray | None = None
    element_weighted: bool = False  # the values already carry (N, K) element weights

    def weighted_reported(self) -> np.ndarray | None:
        """w·reported per row (None when the fold has no reported values of its own)."""
        if self.reported is None or self.sample_weight is None:
            return self.reported
        with np.errstate(over="ignore", invalid="ignore"):
            return self.sample_weight * self.reported

    def shown(self, weighted: bool) -> np.ndarray:
        """The per-sample values a report shows (:func:`~losscli.reduction.shown_values`)."""
        return shown_values(self.values, self.reported, self.sample_weight, weighted)

    def weighted_loss(self) -> np.ndarray:
        """w·l per row (inf where the product overflows float64)."""
        if self.sample_weight is None:
            return self.values
        with np.errstate(over="ignore", invalid="ignore"):
            return self.sample_weight * self.values

    def denominator(self) -> np.ndarray | None:
        """w·v per row (None when both are absent: the denominator is the count)."""
        w, v = self.sample_weight, self.loss_weight
        if w is None:
            return v
        if v is None:
            return w
        with np.errstate(over="ignore"):
            return w * v


@dataclass
class LossState:
    """The running state of one loss (see the module docstring)."""

    reducer: Reducer
    combine: Combine | None = None
    count: int = 0
    n_nonfinite: int = 0
    weighted: bool = False
    maximum: float = -math.inf
    weighted_sum: ExactSum = field(default_factory=ExactSum)
    weighted_sq_sum: ExactSum | None = None
    denominator: ExactSum | None = None  # None: the count
    loss_weight_sum: ExactSum | None = None  # None: the count
    parts: list[ExactSum] | None = None
    reported_sum: ExactSum | None = None  # Σ w·reported, the library's sum (None: it is Σ w·l)
    column: list[np.ndarray] | None = None  # MEDIAN: every per-sample value
    column_weights: list[np.ndarray] | None = None  # MEDIAN with sample weights: every sample's weight

    def fold(self, chunk: Fold) -> None:
        """Add a chunk's rows."""
        values = chunk.values
        self.count += len(values)
        if chunk.reported is not None and self.reported_sum is None:  # the library's sum so far: Σ w·l (reported = l)
            self.reported_sum = ExactSum().merge(self.weighted_sum)
        wl = chunk.weighted_loss()
        if not self.weighted_sum.add(wl):  # a non-finite loss, or w·l overflowing
            self.n_nonfinite += int(wl.size - np.isfinite(wl).sum())
        self.weighted |= chunk.sample_weight is not None or chunk.element_weighted
        if self.reducer is Reducer.ROOT_MEAN:
            self.weighted_sq_sum = self.weighted_sq_sum or ExactSum()
            with np.errstate(over="ignore", invalid="ignore"):
                self.weighted_sq_sum.add(wl * values)
        den = chunk.denominator()
        if den is not None:
            self.denominator = self.denominator or ExactSum()
            self.denominator.add(den)
        if chunk.loss_weight is not None:
            self.loss_weight_sum = self.loss_weight_sum or ExactSum()
            self.loss_weight_sum.add(chunk.loss_weight)
        if chunk.parts is not None:
            self.parts = self.parts or [ExactSum() for _ in range(chunk.parts.shape[1])]
            for total, column in zip(self.parts, chunk.parts.T):
                total.add(column)
        if self.reported_sum is not None:  # a fold without reported values of its own reports its losses
            reported = chunk.weighted_reported()
            self.reported_sum.add(wl if reported is None else reported)
        if self.reducer is Reducer.MAX and len(values):
            self.maximum = float(np.max([self.maximum, values.max()]))
        if self.reducer is Reducer.MEDIAN:
            self.column = self.column if self.column is not None else []
            self.column.append(np.array(values, dtype=np.float64))
            if chunk.sample_weight is not None:
                self.column_weights = self.column_weights if self.column_weights is not None else []
                self.column_weights.append(np.array(chunk.sample_weight, dtype=np.float64))

    def merge(self, other: LossState) -> LossState:
        """Add ``other``'s rows (its sums exactly) and return self.

        Both states are of the same loss, so they carry the same sums (a state of no rows carries none).
        """
        self.count += other.count
        self.n_nonfinite += other.n_nonfinite
        self.weighted |= other.weighted
        self.maximum = float(np.max([self.maximum, other.maximum]))
        self.combine = self.combine or other.combine
        if self.reported_sum is not None or other.reported_sum is not None:  # a side without one reports Σ w·l
            self.reported_sum = (self.reported_sum or ExactSum().merge(self.weighted_sum)).merge(
                other.reported_sum or other.weighted_sum)
        self.weighted_sum.merge(other.weighted_sum)
        for name in ("weighted_sq_sum", "denominator", "loss_weight_sum"):
            theirs = getattr(other, name)
            if theirs is not None:
                setattr(self, name, (getattr(self, name) or ExactSum()).merge(theirs))
        if other.parts is not None:
            self.parts = self.parts or [ExactSum() for _ in other.parts]
            for mine, theirs in zip(self.parts, other.parts):
                mine.merge(theirs)
        if other.column is not None:
            self.column = [*(self.column or []), *other.column]
        if other.column_weights is not None:
            self.column_weights = [*(self.column_weights or []), *other.column_weights]
        return self

    @property
    def effective_reducer(self) -> Reducer:
        return effective_reducer(self.reducer, self.combine)

    def sums(self) -> Sums:
        count = Total.of_count(self.count)

        def total(column: ExactSum | None) -> Total:
            return count if column is None else column.value

        parts = np.array([p.value for p in self.parts]) if self.parts is not None else None
        sq = self.weighted_sq_sum.value if self.weighted_sq_sum is not None else 0.0
        reported = self.reported_sum.value if self.reported_sum is not None else None
        return Sums(self.weighted_sum.value, sq, total(self.denominator), total(self.loss_weight_sum), count, parts, reported)

    def value(self, reduction: str) -> float:
        """The reduced loss (``mean`` per the loss's reducer, or ``sum``); NaN when undefined."""
        reducer = self.effective_reducer
        if reduction != "sum" and reducer is Reducer.MAX:
            return self.maximum if self.count else math.nan
        if reduction != "sum" and reducer is Reducer.MEDIAN:
            if not self.count or not self.column:
                return math.nan
            weights = np.concatenate(self.column_weights) if self.column_weights is not None else None
            return median(np.concatenate(self.column), weights)
        if reducer is Reducer.POOLED and self.n_nonfinite:
            return math.nan
        return float(finish(reducer, reduction, self.sums(), self.weighted, self.combine))


_NAN = math.nan


class GroupIndex:
    """Codes 0, 1, … for the distinct labels of a streamed column (numbers or text).

    The labels seen are kept sorted, so a chunk is encoded by ``np.unique`` and one
    ``searchsorted``, whatever the number of groups. Every NaN label is one group. At most
    ``LOSSCLI_MAX_GROUPS`` (default 100,000) distinct values: more is almost always a column of
    measurements rather than of groups, and each group costs state per loss.
    """

    def __init__(self, column: str, limit: int | None = None) -> None:
        self.column = column
        self.limit = limit if limit is not None else max_distinct(MAX_GROUPS_ENV)
        self.keys: np.ndarray | None = None  # the distinct labels, sorted (NaN last)
        self.key_codes = np.zeros(0, dtype=np.intp)  # each sorted label's code

    def encode(self, labels: np.ndarray) -> np.ndarray:
        """Each label's code, (n,)."""
        unique, inverse = np.unique(labels, return_inverse=True)  # sorted; NaNs as one
        return self._codes_of(unique)[inverse.reshape(-1)]

    def _codes_of(self, unique: np.ndarray) -> np.ndarray:
        """Codes of sorted distinct labels, new labels getting the next codes."""
        if self.keys is None or not len(self.keys):
            found = np.zeros(len(unique), dtype=bool)
            at = np.zeros(len(unique), dtype=np.intp)
        else:
            at = np.minimum(np.searchsorted(self.keys, unique), len(self.keys) - 1)
            found = _same(self.keys[at], unique)
        new = unique[~found]
        n = len(self)
        if n + len(new) > self.limit:
            raise LossCliError(
                f"--group-by {self.column}: more than {self.limit} distinct values",
                f"group by a column of categories, or raise the limit with {MAX_GROUPS_ENV}=N",
            )
        codes = np.empty(len(unique), dtype=np.intp)
        codes[found] = self.key_codes[at[found]]
        codes[~found] = np.arange(n, n + len(new))
        if len(new):
            keys = new if self.keys is None else np.concatenate([self.keys, new])
            order = np.argsort(keys, kind="stable")
            self.keys, self.key_codes = keys[order], np.concatenate([self.key_codes, codes[~found]])[order]
        return codes

    def __len__(self) -> int:
        return len(self.key_codes)

    def merge(self, other: GroupIndex) -> np.ndarray:
        """Take in ``other``'s labels; returns, for each of ``other``'s codes, this index's code."""
        mapping = np.empty(len(other), dtype=np.intp)
        if other.keys is not None:
            mapping[other.key_codes] = self._codes_of(other.keys)
        return mapping

    def order(self) -> tuple[list[Any], np.ndarray]:
        """The labels in sorted order (NaN last, as ``nan``), and for each its code."""
        keys = self.keys.tolist() if self.keys is not None else []
        return [_NAN if isinstance(k, float) and math.isnan(k) else k for k in keys], self.key_codes.copy()

    @property
    def codes(self) -> dict[Any, int]:
        """Label -> code (for reports; one entry a group)."""
        keys, codes = self.order()
        return dict(zip(keys, codes.tolist()))


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Elementwise equality where NaN equals NaN."""
    equal = a == b
    if "f" in (a.dtype.kind, b.dtype.kind) and {a.dtype.kind, b.dtype.kind} <= set("fiub"):
        equal |= np.isnan(a.astype(float, copy=False)) & np.isnan(b.astype(float, copy=False))
    return np.asarray(equal, dtype=bool)


def max_distinct(env: str) -> int:
    """The most distinct labels a column may hold (``$env``, default 100,000): more is a column of measurements."""
    text = os.environ.get(env)
    if not text:
        return DEFAULT_MAX_GROUPS
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise LossCliError(f"{env}={text!r} is not a positive whole number", f"e.g. {env}=1000000")
    return value


@dataclass
class GroupStates:
    """One loss's state per group: the same sums as :class:`LossState`, one entry per group code."""

    reducer: Reducer
    combine: Combine | None = None
    weighted: bool = False
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    nonfinite: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    maximum: np.ndarray = field(default_factory=lambda: np.zeros(0))
    weighted_sum: GroupedExactSum = field(default_factory=GroupedExactSum)
    weighted_sq_sum: GroupedExactSum | None = None
    denominator: GroupedExactSum | None = None
    loss_weight_sum: GroupedExactSum | None = None
    parts: list[GroupedExactSum] | None = None
    reported_sum: GroupedExactSum | None = None
    column: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] | None = None  # MEDIAN: (codes, values, weights) chunks

    def _grow(self, n: int) -> None:
        if n > len(self.counts):
            extra = n - len(self.counts)
            self.counts = np.concatenate([self.counts, np.zeros(extra, dtype=np.int64)])
            self.nonfinite = np.concatenate([self.nonfinite, np.zeros(extra, dtype=np.int64)])
            self.maximum = np.concatenate([self.maximum, np.full(extra, -math.inf)])

    def fold(self, chunk: Fold, codes: np.ndarray, n_groups: int) -> None:
        self._grow(n_groups)
        values = chunk.values
        self.counts += np.bincount(codes, minlength=n_groups)[:n_groups]
        wl = chunk.weighted_loss()
        finite = np.isfinite(wl)
        if not finite.all():
            self.nonfinite += np.bincount(codes[~finite], minlength=n_groups)[:n_groups]
        self.weighted |= chunk.sample_weight is not None or chunk.element_weighted
        if chunk.reported is not None and self.reported_sum is None:  # the library's sums so far: Σ w·l per group
            self.reported_sum = GroupedExactSum()
            self.reported_sum.merge(self.weighted_sum, np.arange(n_groups), n_groups)
        self.weighted_sum.add(wl, codes, n_groups)
        if self.reducer is Reducer.ROOT_MEAN:
            self.weighted_sq_sum = self.weighted_sq_sum or GroupedExactSum()
            with np.errstate(over="ignore", invalid="ignore"):
                self.weighted_sq_sum.add(wl * values, codes, n_groups)
        den = chunk.denominator()
        if den is not None:
            self.denominator = self.denominator or GroupedExactSum()
            self.denominator.add(den, codes, n_groups)
        if chunk.loss_weight is not None:
            self.loss_weight_sum = self.loss_weight_sum or GroupedExactSum()
            self.loss_weight_sum.add(chunk.loss_weight, codes, n_groups)
        if chunk.parts is not None:
            self.parts = self.parts or [GroupedExactSum() for _ in range(chunk.parts.shape[1])]
            for total, column in zip(self.parts, chunk.parts.T):
                total.add(column, codes, n_groups)
        if self.reported_sum is not None:
            reported = chunk.weighted_reported()
            self.reported_sum.add(wl if reported is None else reported, codes, n_groups)
        if self.reducer is Reducer.MAX:
            with np.errstate(invalid="ignore"):
                np.maximum.at(self.maximum, codes, values)  # NaN propagates, as in LossState
        if self.reducer is Reducer.MEDIAN:
            self.column = self.column if self.column is not None else []
            weights = None if chunk.sample_weight is None else np.array(chunk.sample_weight, dtype=np.float64)
            self.column.append((codes.copy(), np.array(values, dtype=np.float64), weights))

    def merge(self, other: GroupStates, mapping: np.ndarray, n_groups: int) -> GroupStates:
        """Add ``other``'s groups (exactly) and return self; ``mapping[g]`` is this state's code for ``other``'s g.

        ``mapping`` comes from :meth:`GroupIndex.merge`, ``n_groups`` is the merged index's size.
        """
        self._grow(n_groups)
        theirs = mapping[: len(other.counts)]
        np.add.at(self.counts, theirs, other.counts)
        np.add.at(self.nonfinite, theirs, other.nonfinite)
        with np.errstate(invalid="ignore"):
            np.maximum.at(self.maximum, theirs, other.maximum)
        self.weighted |= other.weighted
        self.combine = self.combine or other.combine
        if self.reported_sum is None and other.reported_sum is not None:  # this side reports Σ w·l so far
            self.reported_sum = GroupedExactSum()
            self.reported_sum.merge(self.weighted_sum, np.arange(len(self.counts)), n_groups)
        if self.reported_sum is not None:
            self.reported_sum.merge(other.reported_sum or other.weighted_sum, mapping, n_groups)
        self.weighted_sum.merge(other.weighted_sum, mapping, n_groups)
        for name in ("weighted_sq_sum", "denominator", "loss_weight_sum"):
            sums = getattr(other, name)
            if sums is not None:
                mine = getattr(self, name) or GroupedExactSum()
                mine.merge(sums, mapping, n_groups)
                setattr(self, name, mine)
        if other.parts is not None:
            self.parts = self.parts or [GroupedExactSum() for _ in other.parts]
            for part, sums in zip(self.parts, other.parts):
                part.merge(sums, mapping, n_groups)
        if other.column is not None:
            self.column = [*(self.column or []), *((mapping[codes], values, w) for codes, values, w in other.column)]
        return self

    def values(self, reduction: str, n_groups: int) -> np.ndarray:
        """The reduced value of every group code, (n_groups,)."""
        self._grow(n_groups)
        reducer = effective_reducer(self.reducer, self.combine)
        counts = self.counts[:n_groups]
        if reduction != "sum" and reducer in (Reducer.MEDIAN, Reducer.MAX):
            if reducer is Reducer.MAX:
                return np.where(counts > 0, self.maximum[:n_groups], math.nan)
            return _group_medians(self.column or [], counts)

        n = np.empty(n_groups, dtype=object)
        n[:] = [Total.of_count(c) for c in counts.tolist()]

        def total(column: GroupedExactSum | None) -> np.ndarray:
            return n if column is None else column.values(n_groups)

        parts = np.stack([p.values(n_groups) for p in self.parts], axis=-1) if self.parts is not None else None
        sq = self.weighted_sq_sum.values(n_groups) if self.weighted_sq_sum is not None else 0.0
        reported = self.reported_sum.values(n_groups) if self.reported_sum is not None else None
        sums = Sums(self.weighted_sum.values(n_groups), sq, total(self.denominator), total(self.loss_weight_sum), n, parts,
                    reported)
        out = np.asarray(finish(reducer, reduction, sums, self.weighted, self.combine), dtype=np.float64)
        if reducer is Reducer.POOLED:
            out = np.where(self.nonfinite[:n_groups] > 0, math.nan, out)
        return np.broadcast_to(out, (n_groups,)).copy()


def _group_medians(column: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]], counts: np.ndarray) -> np.ndarray:
    """Each group's (weighted) median (NaN for an empty group), from (codes, values, weights) chunks.

    One sort by group, not a scan of every row per group.
    """
    out = np.full(len(counts), math.nan)
    if not column:
        return out
    codes = np.concatenate([c for c, _, _ in column])
    values = np.concatenate([v for _, v, _ in column])
    order = np.argsort(codes, kind="stable")
    bounds = np.cumsum(counts)[:-1]
    parts = np.split(values[order], bounds)
    weights: list[np.ndarray | None] = [None] * len(parts)
    if column[0][2] is not None:
        weights = list(np.split(np.concatenate([w for _, _, w in column])[order], bounds))  # type: ignore[misc]
    for g, (part, w) in enumerate(zip(parts, weights)):
        if len(part):
            out[g] = median(part, w)
    return out
