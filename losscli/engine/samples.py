"""Per-sample rows, kept only as far as an output needs them.

Each sink is folded with every chunk's file rows and per-sample values (one array per loss):
:class:`FirstRows` keeps the first ``limit`` rows (tables, Markdown), :class:`TopRows` the ``k``
rows with the largest first loss (``--worst``; ties go to the earlier row, NaN counts as the
smallest), :class:`AllRows` every row (``--format json --per-sample``: 8 bytes a row per loss,
plus the row index). Streamed formats write their rows as they come instead (render/rows.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np


@dataclass(frozen=True)
class SampleRows:
    """Rows to show, in display order: 0-based file rows ``index`` and each loss's ``values``."""

    index: np.ndarray
    values: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.index)


class Sink(Protocol):
    def fold(self, index: np.ndarray, values: list[np.ndarray]) -> None: ...


class FirstRows:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.index: list[np.ndarray] = []
        self.values: list[list[np.ndarray]] = []
        self.kept = 0

    @property
    def full(self) -> bool:
        return self.kept >= self.limit

    def fold(self, index: np.ndarray, values: list[np.ndarray]) -> None:
        take = min(len(index), self.limit - self.kept)
        if take > 0:
            self.index.append(np.array(index[:take]))
            self.values.append([np.array(v[:take]) for v in values])
            self.kept += take

    def rows(self, n_losses: int) -> SampleRows:
        return _joined(self.index, self.values, n_losses)


class AllRows(FirstRows):
    def __init__(self) -> None:
        super().__init__(limit=np.iinfo(np.int64).max)


@dataclass
class TopRows:
    k: int
    index: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    values: list[np.ndarray] = field(default_factory=list)

    def fold(self, index: np.ndarray, values: list[np.ndarray]) -> None:
        if not self.values:
            self.values = [np.zeros(0) for _ in values]
        key = np.nan_to_num(values[0], nan=-np.inf)
        if len(key) > self.k:  # only rows that can still make the top k: at least the k-th largest key
            threshold = np.partition(key, len(key) - self.k)[len(key) - self.k]
            chosen = np.flatnonzero(key >= threshold)
            index, key, values = index[chosen], key[chosen], [v[chosen] for v in values]
        all_index = np.concatenate([self.index, index])
        all_values = [np.concatenate([mine, theirs]) for mine, theirs in zip(self.values, values)]
        all_key = np.nan_to_num(all_values[0], nan=-np.inf)
        order = np.lexsort((all_index, -all_key))[: self.k]
        self.index = all_index[order]
        self.values = [v[order] for v in all_values]

    def rows(self, n_losses: int) -> SampleRows:
        return SampleRows(self.index, self.values or [np.zeros(0) for _ in range(n_losses)])


def _joined(index: list[np.ndarray], values: list[list[np.ndarray]], n_losses: int) -> SampleRows:
    if not index:
        return SampleRows(np.zeros(0, dtype=np.int64), [np.zeros(0) for _ in range(n_losses)])
    return SampleRows(np.concatenate(index), [np.concatenate([chunk[i] for chunk in values]) for i in range(n_losses)])
