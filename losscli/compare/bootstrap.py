"""Paired percentile bootstrap in pure NumPy.

Method: each resample draws n row indices uniformly with replacement from range(n), and the
caller's statistic uses the *same* rows for both runs (baseline and candidate), so the
interval reflects the variance of the per-row difference rather than that of either run.
The interval is the percentile one: the (1−ci)/2 and (1+ci)/2 quantiles of the statistic over
the resamples (``np.quantile``, linear interpolation).

Memory: resamples are drawn and evaluated in blocks, so about ``block_values`` indices are held
at once, plus whatever ``statistic`` allocates for them (e.g. the gathered values).

Reproducibility: every index comes from one ``np.random.default_rng(seed)``, drawn row by row
in resample order from the main thread, so for a given seed the intervals are identical
whatever ``block_values`` is and however the worker threads are scheduled. When there is more
than one block, ``statistic`` runs on two worker threads while the next block is drawn (NumPy's
gather, sum and sort release the GIL), so it must not modify shared state.
"""

from __future__ import annotations

import numbers
import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from losscli.errors import LossCliError

MAX_DRAWS_ENV = "LOSSCLI_MAX_BOOTSTRAP_DRAWS"
DEFAULT_MAX_DRAWS = 10**11  # resamples × rows: about an hour of drawing on this kind of machine
WORKERS = min(2, os.cpu_count() or 1)  # threads evaluating ``statistic``; 1 means all in the caller's thread


def _check_draws(resamples: int, n: int) -> None:
    """Refuse, before any work, a bootstrap whose resamples × rows exceed the limit (or its env override)."""
    raw = os.environ.get(MAX_DRAWS_ENV, "")
    try:
        limit = int(raw) if raw else DEFAULT_MAX_DRAWS
    except ValueError:
        raise LossCliError(f"{MAX_DRAWS_ENV}={raw!r} is not a whole number", f"e.g. {MAX_DRAWS_ENV}={DEFAULT_MAX_DRAWS}") from None
    if resamples * n > limit:
        raise LossCliError(
            f"--bootstrap {resamples} over {n} rows draws {resamples * n:,} indices, more than the limit of {limit:,}",
            f"use fewer resamples (1000-10000 give stable intervals), or raise the limit with {MAX_DRAWS_ENV}")


def paired_bootstrap(
    statistic: Callable[[np.ndarray], np.ndarray], n: int, resamples: int = 1000, ci: float = 0.95,
    seed: int | None = None, block_values: int = 8_000_000, progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of a paired statistic over ``resamples`` bootstrap resamples of n rows.

    ``statistic(idx)`` gets an index array of shape (b, n) (one resample per row) and returns
    shape (b, k), or (b,) for k = 1. Returns ``(low, high)``, each of shape (k,); a column with
    any non-finite resampled value gets NaN bounds. ``progress(done, resamples)`` is told after each block.
    """
    n = _count("n", n, 1, "n is the number of paired rows; there must be at least one")
    resamples = _count("resamples", resamples, 1, "e.g. 1000 resamples")
    block_values = _count("block_values", block_values, 1, "block_values bounds the indices drawn at once")
    _check_draws(resamples, n)
    if isinstance(ci, bool) or not isinstance(ci, numbers.Real) or not 0 < ci < 1:
        raise LossCliError(f"the confidence level must be between 0 and 1 (exclusive), got {ci!r}", "e.g. 0.95")

    rng = np.random.default_rng(seed)
    dtype = np.uint32 if n - 1 <= np.iinfo(np.uint32).max else np.uint64
    per_block = max(1, block_values // n)
    threaded = WORKERS > 1 and resamples > per_block
    if threaded:  # WORKERS blocks are alive at once: keep their total near block_values
        per_block = max(1, block_values // (WORKERS * n))
    starts = range(0, resamples, per_block)

    def draw(start: int) -> np.ndarray:
        # Generator.integers fills row-major from one stream, so splitting the resamples into
        # blocks of any size yields the same indices as drawing them all at once.
        return rng.integers(0, n, size=(min(per_block, resamples - start), n), dtype=dtype)

    table = _Table(resamples, progress)
    if not threaded:
        for start in starts:
            idx = draw(start)
            table.put(start, statistic(idx), len(idx))
            del idx
    else:
        with ThreadPoolExecutor(WORKERS, thread_name_prefix="bootstrap") as pool:
            pending: deque[tuple[int, int, Future[np.ndarray]]] = deque()
            for start in starts:
                idx = draw(start)
                pending.append((start, len(idx), pool.submit(statistic, idx)))
                del idx
                if len(pending) >= WORKERS:
                    table.put_future(*pending.popleft())
            while pending:
                table.put_future(*pending.popleft())
    return table.interval(ci)


class _Table:
    """The (resamples, k) statistic values, filled block by block at their resample offsets."""

    def __init__(self, resamples: int, progress: Callable[[int, int], None] | None = None) -> None:
        self.resamples = resamples
        self.values: np.ndarray | None = None
        self.progress = progress
        self.done = 0

    def put_future(self, start: int, b: int, future: Future[np.ndarray]) -> None:
        self.put(start, future.result(), b)

    def put(self, start: int, result: np.ndarray, b: int) -> None:
        block = np.asarray(result, dtype=np.float64)
        if block.ndim == 1:
            block = block[:, None]
        if block.ndim != 2 or block.shape[0] != b:
            raise ValueError(f"statistic must return shape ({b},) or ({b}, k) for {b} resamples, got {np.shape(result)}")
        if self.values is None:
            self.values = np.empty((self.resamples, block.shape[1]))
        elif block.shape[1] != self.values.shape[1]:
            raise ValueError(f"statistic returned {block.shape[1]} columns, earlier {self.values.shape[1]}")
        self.values[start:start + b] = block
        self.done += b
        if self.progress is not None:
            self.progress(self.done, self.resamples)

    def interval(self, ci: float) -> tuple[np.ndarray, np.ndarray]:
        assert self.values is not None
        k = self.values.shape[1]
        low, high = np.full(k, np.nan), np.full(k, np.nan)
        finite = np.isfinite(self.values).all(axis=0)
        if finite.any():
            low[finite], high[finite] = np.quantile(self.values[:, finite], [(1 - ci) / 2, (1 + ci) / 2], axis=0)
        return low, high


def _count(name: str, value: object, minimum: int, hint: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise LossCliError(f"{name} must be an integer >= {minimum}, got {value!r}", hint)
    return int(value)
