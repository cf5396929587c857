"""Cost per value of losscli's exact sums on cache-sized chunks, against np.sum and math.fsum.

    python benchmarks/bench_exact.py [--total 10000000] [--chunks 32768 65536] [--groups 100] [--repeats 5] [--square]

``--total`` standard-normal float64 values (fixed seed), or their squares with ``--square`` (the
values of a squared error), are added a chunk at a time:

* ``ExactSum.add`` over consecutive chunks of the array (streamed from memory, as in a pass), and
  over one chunk added again and again (hot in cache);
* its parts on the same chunks: the finiteness check and the extraction levels; and the binning
  it falls back to, timed on the same chunks: ``split`` (frexp into bins and halves), ``split``
  plus the two ``np.bincount`` calls;
* ``np.sum`` and ``math.fsum`` (on the NumPy chunk, and on ``chunk.tolist()``, conversion included);
* ``GroupedExactSum.add`` with random group codes in ``0..G-1``, and its split + np.unique part.

Every method runs once per round, the rounds interleave the methods, and the table gives the
median and the best round in ns per value. The exact total is checked against ``math.fsum``.
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from losscli.exact import N_BINS, ExactSum, GroupedExactSum, all_finite, extract, split


def chunked(data: np.ndarray, size: int) -> list[np.ndarray]:
    return [data[start:start + size] for start in range(0, len(data), size)]


def exact_streamed(chunks: list[np.ndarray]) -> float:
    total = ExactSum()
    for chunk in chunks:
        total.add(chunk)
    return total.value


def exact_hot(chunk: np.ndarray, times: int) -> float:
    total = ExactSum()
    for _ in range(times):
        total.add(chunk)
    return total.value


def finite_check(chunks: list[np.ndarray]) -> None:
    for chunk in chunks:
        all_finite(chunk)


def extract_only(chunks: list[np.ndarray]) -> None:
    for chunk in chunks:
        extract(chunk, max(float(chunk.max()), -float(chunk.min())))


def split_only(chunks: list[np.ndarray]) -> None:
    for chunk in chunks:
        split(chunk)


def split_and_bincount(chunks: list[np.ndarray]) -> None:
    for chunk in chunks:
        bins, high, low = split(chunk)
        np.bincount(bins, high, N_BINS)
        np.bincount(bins, low, N_BINS)


def numpy_sum(chunks: list[np.ndarray]) -> float:
    return sum(float(chunk.sum()) for chunk in chunks)


def fsum_array(chunks: list[np.ndarray]) -> float:
    return math.fsum(math.fsum(chunk) for chunk in chunks)


def fsum_list(chunks: list[np.ndarray]) -> float:
    return math.fsum(math.fsum(chunk.tolist()) for chunk in chunks)


def grouped(chunks: list[np.ndarray], codes: list[np.ndarray], n_groups: int) -> np.ndarray:
    total = GroupedExactSum()
    for chunk, code in zip(chunks, codes):
        total.add(chunk, code, n_groups)
    return total.values(n_groups)


def grouped_unique(chunks: list[np.ndarray], codes: list[np.ndarray]) -> None:
    """The (group, exponent) keys and their np.unique, as GroupedExactSum.add computes them."""
    for chunk, code in zip(chunks, codes):
        bins, _, _ = split(chunk)
        np.unique(code.astype(np.int64) * N_BINS + bins, return_inverse=True)


@dataclass
class Method:
    label: str
    chunk: int
    fn: Callable[[], object]
    values: int
    seconds: list[float] = field(default_factory=list)

    def run(self) -> None:
        start = time.perf_counter()
        self.fn()
        self.seconds.append(time.perf_counter() - start)

    def ns(self, pick: Callable[[list[float]], float]) -> float:
        return pick(self.seconds) / self.values * 1e9


def methods_for(data: np.ndarray, size: int, groups: list[int], rng: np.random.Generator) -> list[Method]:
    chunks = chunked(data, size)
    n = len(data)
    hot_times = n // size
    out = [
        Method("ExactSum.add, streamed chunks", size, lambda: exact_streamed(chunks), n),
        Method("ExactSum.add, one chunk (hot)", size, lambda: exact_hot(chunks[0], hot_times), hot_times * size),
        Method("  part: finiteness check", size, lambda: finite_check(chunks), n),
        Method("  part: extraction levels", size, lambda: extract_only(chunks), n),
        Method("  binning instead: split (frexp, halves, bins)", size, lambda: split_only(chunks), n),
        Method("  binning instead: split + 2 bincounts", size, lambda: split_and_bincount(chunks), n),
        Method("np.sum", size, lambda: numpy_sum(chunks), n),
        Method("math.fsum(chunk)", size, lambda: fsum_array(chunks), n),
        Method("math.fsum(chunk.tolist())", size, lambda: fsum_list(chunks), n),
    ]
    for g in groups:
        codes = chunked(rng.integers(0, g, n).astype(np.intp), size)
        out.append(Method(f"GroupedExactSum.add, {g} groups", size, lambda codes=codes, g=g: grouped(chunks, codes, g), n))
        out.append(Method("  part: split + keys + np.unique", size, lambda codes=codes: grouped_unique(chunks, codes), n))
    return out


def check(data: np.ndarray) -> str:
    exact = exact_streamed(chunked(data, 32_768))
    reference = math.fsum(data.tolist())
    return f"ExactSum {exact!r} {'==' if exact == reference else '!='} math.fsum {reference!r}"


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--total", type=int, default=10_000_000, help="values added per method and round")
    p.add_argument("--chunks", type=int, nargs="+", default=[32_768, 65_536])
    p.add_argument("--groups", type=int, nargs="+", default=[100])
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--square", action="store_true", help="add the squares of the normal values")
    args = p.parse_args()

    rng = np.random.default_rng(args.seed)
    data = rng.normal(size=args.total) ** (2 if args.square else 1)
    print(f"{args.total:,} float64 values N(0, 1){'²' if args.square else ''}, seed {args.seed}, numpy {np.__version__}; "
          f"{args.repeats} interleaved rounds; ns per value")
    print(check(data))
    methods = [m for size in args.chunks for m in methods_for(data, size, args.groups, rng)]
    for m in methods:  # warm-up: scratch arrays, caches
        m.run()
        m.seconds.clear()
    for _ in range(args.repeats):
        for m in methods:
            m.run()

    width = max(len(m.label) for m in methods)
    print(f"\n{'method':<{width}} {'chunk':>7} {'median':>8} {'best':>8}")
    for m in methods:
        print(f"{m.label:<{width}} {m.chunk:>7} {m.ns(statistics.median):>8.2f} {m.ns(min):>8.2f}")


if __name__ == "__main__":
    main()
