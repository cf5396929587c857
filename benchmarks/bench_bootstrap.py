"""Timing of paired_bootstrap on synthetic per-sample losses of two runs.

    python benchmarks/bench_bootstrap.py [--rows 1000000] [--resamples 1000]

The statistic is the mean paired difference (candidate − baseline) over each resample's rows,
gathered with np.take from a precomputed difference array, two ways: from the float64
differences, and from a float32 copy of the *centred* differences summed in float64 (half the
bytes gathered; centring keeps the float32 rounding relative to the spread, not the level).
Each is timed with the worker threads paired_bootstrap uses and with WORKERS = 1. For
reference it also times the alternative threading design (every block its own generator from
SeedSequence(seed).spawn, drawn and evaluated on two threads). Prints seconds per call.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from losscli.compare import bootstrap
from losscli.compare.bootstrap import paired_bootstrap

Interval = tuple[np.ndarray, np.ndarray]


def timed(label: str, fn: Callable[[], Interval]) -> tuple[float, Interval]:
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<58}{seconds:>9.3f} s   interval [{result[0][0]:+.6f}, {result[1][0]:+.6f}]")
    return seconds, result


def spawned_blocks(statistic: Callable[[np.ndarray], np.ndarray], n: int, resamples: int, seed: int,
                   block_values: int = 8_000_000) -> Interval:
    """The alternative design: a generator per block from SeedSequence.spawn, blocks on two threads."""
    per_block = max(1, block_values // (2 * n))
    starts = list(range(0, resamples, per_block))
    children = np.random.SeedSequence(seed).spawn(len(starts))

    def block(i: int) -> np.ndarray:
        size = (min(per_block, resamples - starts[i]), n)
        return statistic(np.random.default_rng(children[i]).integers(0, n, size=size, dtype=np.uint32))

    with ThreadPoolExecutor(2) as pool:
        values = np.concatenate(list(pool.map(block, range(len(starts)))))
    low, high = np.quantile(values, [0.025, 0.975])
    return np.array([low]), np.array([high])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    n, resamples, seed = args.rows, args.resamples, args.seed

    rng = np.random.default_rng(12345)
    baseline = rng.gamma(2.0, 0.5, n)  # per-sample losses of two runs, paired by row
    candidate = baseline - 0.01 + 0.2 * rng.standard_normal(n)
    diff = candidate - baseline
    centre = float(diff.mean())
    d32 = (diff - centre).astype(np.float32)

    def plain(idx: np.ndarray) -> np.ndarray:
        return np.take(diff, idx).sum(axis=1) / n

    def centred32(idx: np.ndarray) -> np.ndarray:
        return np.take(d32, idx).sum(axis=1, dtype=np.float64) / n + centre

    print(f"rows {n}, resamples {resamples}, seed {seed}, worker threads {bootstrap.WORKERS}, "
          f"observed mean difference {centre:+.6f}")
    threads = bootstrap.WORKERS
    t_plain, r_plain = timed("float64 gather", lambda: paired_bootstrap(plain, n, resamples, seed=seed))
    t_c32, r_c32 = timed("centred float32 gather, float64 sum", lambda: paired_bootstrap(centred32, n, resamples, seed=seed))
    bootstrap.WORKERS = 1
    try:
        t_plain1, r_plain1 = timed("float64 gather, single thread", lambda: paired_bootstrap(plain, n, resamples, seed=seed))
        t_c321, _ = timed("centred float32 gather, single thread", lambda: paired_bootstrap(centred32, n, resamples, seed=seed))
    finally:
        bootstrap.WORKERS = threads
    t_spawn, _ = timed("float64 gather, SeedSequence.spawn per block, 2 threads",
                       lambda: spawned_blocks(plain, n, resamples, seed))

    gap = max(float(np.max(np.abs(r_plain[0] - r_c32[0]))), float(np.max(np.abs(r_plain[1] - r_c32[1]))))
    same = np.array_equal(r_plain[0], r_plain1[0]) and np.array_equal(r_plain[1], r_plain1[1])
    print(f"max |float64 - centred float32| over the interval bounds: {gap:.3e}")
    print(f"threaded == single-threaded interval: {same}")
    print(f"speed-up centred float32 vs float64: {t_plain / t_c32:.2f}x (threaded), {t_plain1 / t_c321:.2f}x (single thread)")
    print(f"speed-up threads vs single thread: {t_plain1 / t_plain:.2f}x (float64), {t_c321 / t_c32:.2f}x (float32); "
          f"spawn-per-block design {t_plain1 / t_spawn:.2f}x")


if __name__ == "__main__":
    main()
