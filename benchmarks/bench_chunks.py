"""Chunked vs whole-array evaluation through the engine, on synthetic data.

    python benchmarks/bench_chunks.py [N]

Prints the best of 5 runs for each loss, with the chunk size the engine uses (32K values) and
with one chunk holding every row (plain whole-array NumPy).
"""

from __future__ import annotations

import sys
import time

import numpy as np

from losscli.engine import CHUNK_VALUES, ResolvedLoss, evaluate
from losscli.inputs import InputArray, StaticInputs
from losscli.registry import lookup
from losscli.registry.params import resolve_params
from losscli.spec import parse_spec


def best_of(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int) -> None:
    rng = np.random.default_rng(0)
    cases = {
        "mse": (rng.normal(size=n), rng.normal(size=n)),
        "huber:delta=0.5": (rng.normal(size=n), rng.normal(size=n)),
        "bce": (rng.uniform(0.01, 0.99, n), rng.integers(0, 2, n).astype(float)),
        "bce_with_logits": (rng.normal(size=n), rng.integers(0, 2, n).astype(float)),
        "cross_entropy": (rng.normal(size=(n // 10, 10)), rng.integers(0, 10, n // 10)),
        "log_cosh": (rng.normal(size=n).astype(np.float32), rng.normal(size=n).astype(np.float32)),
    }
    print(f"{'loss':<18}{'values':>10}{'chunked s':>12}{'whole s':>10}{'speed-up':>10}")
    for text, (pred, target) in cases.items():
        spec = parse_spec(text)
        entry = lookup(spec.name)
        loss = [ResolvedLoss(spec, entry, resolve_params(entry, spec))]
        inputs = StaticInputs({"pred": InputArray("pred", pred, "bench"), "target": InputArray("target", target, "bench")})
        everything = pred.size + target.size
        chunked = best_of(lambda loss=loss, inputs=inputs: evaluate(loss, inputs, chunk_values=CHUNK_VALUES))
        whole = best_of(lambda loss=loss, inputs=inputs, everything=everything: evaluate(loss, inputs, chunk_values=everything))
        print(f"{text:<18}{pred.size:>10}{chunked:>12.4f}{whole:>10.4f}{whole / chunked:>9.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000)
