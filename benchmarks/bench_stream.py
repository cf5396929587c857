"""`losscli eval` as a real subprocess against a lean NumPy/pyarrow floor, in one interleaved run.

    python benchmarks/bench_stream.py [--quick] [--cache-dir /tmp/losscli-bench] [--repeats 7] ...

Data files (columns ``pred``, ``target``, standard normal, optionally ``weight``; fixed seed) are
generated into the cache dir in chunks, once, and reused by later runs. Every measured command is
a child process; the losscli runs and their floor runs alternate (the order flips every round),
each case is repeated and the medians are reported. A child's peak RSS is ``ru_maxrss`` from
``os.wait4`` (KiB on Linux). Children run without PYTHONDONTWRITEBYTECODE (byte code is cached)
and with OPENBLAS_NUM_THREADS=1 (``--blas-threads``), and each run's data files are read through
first (this VM hands page cache back to the host: a file read a minute ago may come from disk).

Cases:

* time per row: median time on a large file minus the median on a 1,000-row file of the same
  format (start-up cancels), divided by the difference in rows; Parquet ``--loss mse``, Parquet
  with four losses, CSV ``--loss mse``, an NPY pair ``--loss mse``.
* peak RSS: Parquet and NPY at 5M vs 40M rows, CSV at 2M vs 16M rows.
* start-up: ``losscli eval`` on a 10-row NPY pair vs ``python -c "import typer, numpy"``, and
  ``losscli --help``.
* kernels: the engine in process vs ``torch.nn.functional``, when torch is importable.

The floors run from this file (``bench_stream.py _floor KIND PATH...``) and print their means as
JSON, which are checked against losscli's values. Only the standard library is imported at
module level, so a floor child pays only for what it uses. Data generation and the kernel
timings also run in children: on Linux a child's ``ru_maxrss`` starts from the high-water mark
of the (v)forking parent, so the driver must stay small (its own peak is printed at the end).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
BATCH = 65_536  # rows per batch of every floor
GEN_CHUNK = 1 << 20  # rows per generated chunk (and per Parquet row group)
FOUR_LOSSES = ("mse", "mae", "huber", "log_cosh")
PER_ROW_TARGETS = {"parquet mse": 1.5, "parquet 4 losses": 1.5, "csv mse": 1.3, "npy mse": 3.0}  # issue 8
LOG2 = math.log(2.0)

# --- floors (run as children: `bench_stream.py _floor KIND PATH...`) ---------------------------


def arrow_f64(column: Any) -> Any:
    """A float64 Arrow array as NumPy, straight from its data buffer (no copy, no pandas)."""
    import numpy as np

    return np.frombuffer(column.buffers()[1], dtype=np.float64, count=len(column), offset=column.offset * 8)


class LossSums:
    """Plain float sums of the losses of differences ``d = pred - target``, batch by batch."""

    def __init__(self, losses: tuple[str, ...]) -> None:
        self.losses = losses
        self.sums = dict.fromkeys(losses, 0.0)
        self.n = 0

    def add(self, d: Any) -> None:
        import numpy as np

        self.n += len(d)
        if self.losses == ("mse",):
            self.sums["mse"] += float(d @ d)
            return
        a = np.abs(d)
        for name in self.losses:
            if name == "mse":
                self.sums[name] += float(d @ d)
            elif name == "mae":
                self.sums[name] += float(a.sum())
            elif name == "huber":
                self.sums[name] += float(np.where(a <= 1.0, 0.5 * d * d, a - 0.5).sum())
            elif name == "log_cosh":
                self.sums[name] += float((a + np.log1p(np.exp(-2.0 * a)) - LOG2).sum())

    def means(self) -> dict[str, float]:
        return {name: total / self.n for name, total in self.sums.items()}


def floor_parquet(paths: list[str], losses: tuple[str, ...]) -> dict[str, float]:
    import pyarrow.parquet as pq

    sums = LossSums(losses)
    file = pq.ParquetFile(paths[0], pre_buffer=False, buffer_size=1 << 20)
    for batch in file.iter_batches(columns=["pred", "target"], batch_size=BATCH):
        sums.add(arrow_f64(batch.column(0)) - arrow_f64(batch.column(1)))
    return sums.means()


def floor_csv(paths: list[str], losses: tuple[str, ...]) -> dict[str, float]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    convert = pcsv.ConvertOptions(column_types={"pred": pa.float64(), "target": pa.float64()},
                                  include_columns=["pred", "target"])
    read = pcsv.ReadOptions(block_size=1 << 20, use_threads=False)
    sums = LossSums(losses)
    for batch in pcsv.open_csv(paths[0], read_options=read, convert_options=convert):
        sums.add(arrow_f64(batch.column(0)) - arrow_f64(batch.column(1)))
    return sums.means()


def floor_npy(paths: list[str], losses: tuple[str, ...]) -> dict[str, float]:
    import numpy as np

    pred, target = np.load(paths[0], mmap_mode="r"), np.load(paths[1], mmap_mode="r")
    sums = LossSums(losses)
    for start in range(0, len(pred), BATCH):
        sums.add(pred[start:start + BATCH] - target[start:start + BATCH])
    return sums.means()


FLOORS: dict[str, Callable[[list[str], tuple[str, ...]], dict[str, float]]] = {
    "parquet": floor_parquet, "csv": floor_csv, "npy": floor_npy,
}


def floor_main(argv: list[str]) -> None:
    """``_floor KIND[:LOSS+LOSS] PATH...``: print the floor's means as JSON."""
    kind, _, names = argv[0].partition(":")
    losses = tuple(names.split("+")) if names else ("mse",)
    print(json.dumps(FLOORS[kind](argv[1:], losses)))


# --- data files ---------------------------------------------------------------------------------


def columns(rows: int, seed: int, weight: bool) -> Iterator[dict[str, Any]]:
    """The table, GEN_CHUNK rows at a time, from one seeded generator (same data for every format)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    for start in range(0, rows, GEN_CHUNK):
        n = min(GEN_CHUNK, rows - start)
        chunk = {"pred": rng.normal(size=n), "target": rng.normal(size=n)}
        if weight:
            chunk["weight"] = rng.uniform(0.5, 1.5, n)
        yield chunk


def write_parquet(path: Path, rows: int, seed: int, weight: bool) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    for chunk in columns(rows, seed, weight):
        table = pa.table(chunk)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=GEN_CHUNK)
    assert writer is not None
    writer.close()


def write_csv(path: Path, rows: int, seed: int, weight: bool) -> None:
    """Arrow's CSV writer prints the shortest repr of each double, which reads back to the same bits."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    writer = None
    for chunk in columns(rows, seed, weight):
        table = pa.table(chunk)
        writer = writer or pcsv.CSVWriter(path, table.schema, write_options=pcsv.WriteOptions(quoting_style="none"))
        writer.write_table(table)
    assert writer is not None
    writer.close()


def write_npy_pair(paths: tuple[Path, Path], rows: int, seed: int) -> None:
    import numpy as np

    maps = [np.lib.format.open_memmap(p, mode="w+", dtype=np.float64, shape=(rows,)) for p in paths]
    start = 0
    for chunk in columns(rows, seed, False):
        n = len(chunk["pred"])
        maps[0][start:start + n], maps[1][start:start + n] = chunk["pred"], chunk["target"]
        start += n
    for m in maps:
        m.flush()
    del maps


WRITERS: dict[str, Callable[[list[Path], int, int, bool], None]] = {
    "parquet": lambda paths, rows, seed, weight: write_parquet(paths[0], rows, seed, weight),
    "csv": lambda paths, rows, seed, weight: write_csv(paths[0], rows, seed, weight),
    "npy": lambda paths, rows, seed, weight: write_npy_pair((paths[0], paths[1]), rows, seed),
}


def generate_main(argv: list[str]) -> None:
    """``_generate KIND ROWS SEED WEIGHT PATH...`` (a child, so the driver's own RSS stays small)."""
    kind, rows, seed, weight, *paths = argv
    WRITERS[kind]([Path(p) for p in paths], int(rows), int(seed), weight == "1")


class DataCache:
    """Generated files by format and rows, made once by a child (to a temporary name, then renamed)."""

    def __init__(self, root: Path, seed: int, weight: bool) -> None:
        self.root, self.seed, self.weight = root, seed, weight
        root.mkdir(parents=True, exist_ok=True)

    def paths(self, kind: str, rows: int) -> list[str]:
        if kind == "npy":  # NPY pairs hold pred and target only
            stem = f"r{rows}-s{self.seed}"
            final = [self.root / f"{stem}-pred.npy", self.root / f"{stem}-target.npy"]
        else:
            final = [self.root / f"r{rows}-s{self.seed}{'-w' if self.weight else ''}.{kind}"]
        if not all(p.exists() for p in final):
            tmp = [p.with_name(p.name + ".tmp") for p in final]
            start = time.perf_counter()
            argv = [sys.executable, str(HERE), "_generate", kind, str(rows), str(self.seed), str(int(self.weight))]
            run_child([*argv, *map(str, tmp)], child_env())
            for t, p in zip(tmp, final):
                os.replace(t, p)
            size = sum(p.stat().st_size for p in final) / 1e6
            print(f"  generated {', '.join(p.name for p in final)} ({size:.0f} MB) in {time.perf_counter() - start:.1f} s",
                  flush=True)
        return [str(p) for p in final]


# --- running children ---------------------------------------------------------------------------


def child_env(blas_threads: int = 0) -> dict[str, str]:
    """The children's environment: byte code cached; OpenBLAS pinned to ``blas_threads`` (0: as inherited).

    With OpenBLAS's default thread pool a floor's ``d @ d`` on a busy 2-core machine waits for a
    second thread to be scheduled (measured: 0.1 to 28 ns per value), which is noise, not work.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if blas_threads:
        env["OPENBLAS_NUM_THREADS"] = str(blas_threads)
    return env


@dataclass
class Run:
    seconds: float
    rss_kib: int
    stdout: str


def run_child(argv: list[str], env: dict[str, str]) -> Run:
    """Run ``argv`` to completion; wall time, peak RSS (wait4's ru_maxrss) and stdout; exit 0 required."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        if code != 0:
            raise SystemExit(f"exit status {code} from: {shlex.join(argv)}\n{err.read().decode(errors='replace')}")
        return Run(seconds, usage.ru_maxrss, out.read().decode())


def warm(paths: list[str], block: bytearray = bytearray(1 << 20)) -> None:
    """Read files through once so the timed run finds them in the page cache.

    This VM gives page cache back to the host (virtio balloon): files read a minute ago are
    often partly gone, and a run would otherwise time the disk. The buffer is reused, so the
    driver's RSS does not grow.
    """
    for path in paths:
        with open(path, "rb", buffering=0) as f:
            while f.readinto(block):
                pass


@dataclass
class Job:
    """One command, run once per round it takes part in; ``files`` are warmed before each run."""

    label: str
    argv: list[str]
    files: list[str] = field(default_factory=list)
    runs: list[Run] = field(default_factory=list)

    def run(self, env: dict[str, str]) -> Run:
        warm(self.files)
        return run_child(self.argv, env)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def rss_mb(self) -> float:
        return statistics.median(r.rss_kib for r in self.runs) / 1024

    def values(self) -> dict[str, float]:
        """Means from the last run's stdout: losscli's JSON document or a floor's JSON dict."""
        doc = json.loads(self.runs[-1].stdout)
        if "losses" in doc:
            return {name: loss["value"] for name, loss in doc["losses"].items()}
        return doc


@dataclass
class Pair:
    """A losscli job and its floor (None: no floor), alternated, for ``repeats`` rounds."""

    losscli: Job
    floor: Job | None
    repeats: int
    rows: int = 0
    compare: bool = False  # both print loss means (eval cases): check they agree

    def jobs(self, flip: bool) -> list[Job]:
        jobs = [self.losscli] + ([self.floor] if self.floor else [])
        return jobs[::-1] if flip else jobs


def run_rounds(pairs: list[Pair], env: dict[str, str]) -> None:
    """A warm-up round (not kept: page cache, byte code), then interleaved rounds."""
    total = max(p.repeats for p in pairs)
    for pair in pairs:
        for job in pair.jobs(False):
            job.run(env)
    for r in range(total):
        start = time.perf_counter()
        for pair in pairs:
            if r < pair.repeats:
                for job in pair.jobs(flip=r % 2 == 1):
                    job.runs.append(job.run(env))
        print(f"  round {r + 1}/{total}: {time.perf_counter() - start:.1f} s", flush=True)


def check_values(pair: Pair) -> str:
    """'' when losscli's means agree with the floor's (relative 1e-9), else what differs."""
    if pair.floor is None or not pair.compare:
        return ""
    ours, theirs = pair.losscli.values(), pair.floor.values()
    bad = [f"{k}: {ours.get(k)} vs {v}" for k, v in theirs.items()
           if k not in ours or not math.isclose(ours[k], v, rel_tol=1e-9)]
    return "; ".join(bad)


# --- the cases ----------------------------------------------------------------------------------


@dataclass
class Sizes:
    parquet: int
    csv: int
    npy: int
    small: int
    rss: tuple[int, int]
    csv_rss: tuple[int, int]


def sizes_from(args: argparse.Namespace) -> Sizes:
    if args.quick:
        return Sizes(parquet=400_000, csv=200_000, npy=400_000, small=1_000, rss=(200_000, 1_600_000),
                     csv_rss=(100_000, 800_000))
    return Sizes(args.parquet_rows, args.csv_rows, args.npy_rows, args.small_rows, tuple(args.rss_rows),
                 tuple(args.csv_rss_rows))


class Cases:
    """Builds the pairs of every case over files from the cache."""

    def __init__(self, cache: DataCache, losscli: list[str], repeats: int) -> None:
        self.cache, self.cmd, self.repeats = cache, losscli, repeats
        self.floor_cmd = [sys.executable, str(HERE), "_floor"]

    def eval_pair(self, kind: str, rows: int, losses: tuple[str, ...], repeats: int | None = None) -> Pair:
        paths = self.cache.paths(kind, rows)
        flags = [a for name in losses for a in ("--loss", name)]
        label = f"{kind} {rows:,} rows {'+'.join(losses)}"
        ours = Job(label, [*self.cmd, "eval", *paths, *flags, "--format", "json", "--quiet"], paths)
        floor = Job(f"floor {label}", [*self.floor_cmd, f"{kind}:{'+'.join(losses)}", *paths], paths)
        return Pair(ours, floor, repeats or self.repeats, rows, compare=True)


@dataclass
class PerRow:
    label: str
    large: Pair
    small: Pair
    rows: int

    def ns(self, side: str) -> float:
        big, little = getattr(self.large, side), getattr(self.small, side)
        return (big.seconds - little.seconds) / self.rows * 1e9


@dataclass
class Scaling:
    label: str
    low: Pair
    high: Pair
    limit_mb: float
    max_ratio: float | None


# --- kernels (in process) -----------------------------------------------------------------------


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def engine_call(spec_text: str, pred: Any, target: Any) -> Callable[[], Any]:
    """The engine on in-memory arrays, as benchmarks/bench_chunks.py calls it."""
    from losscli.engine import CHUNK_VALUES, ResolvedLoss, evaluate
    from losscli.inputs import InputArray, StaticInputs
    from losscli.registry import lookup
    from losscli.registry.params import resolve_params
    from losscli.spec import parse_spec

    spec = parse_spec(spec_text)
    entry = lookup(spec.name)
    loss = [ResolvedLoss(spec, entry, resolve_params(entry, spec))]
    inputs = StaticInputs({"pred": InputArray("pred", pred, "bench"), "target": InputArray("target", target, "bench")})
    return lambda: evaluate(loss, inputs, chunk_values=CHUNK_VALUES)


def kernels_main(argv: list[str]) -> None:
    """``_kernels ROWS REPEATS SEED``: print [[loss, losscli ms, torch ms], ...] as JSON, or null without torch."""
    rows, repeats, seed = map(int, argv)
    print(json.dumps(bench_kernels(rows, repeats, seed)))


def bench_kernels(rows: int, repeats: int, seed: int) -> list[tuple[str, float, float]] | None:
    """(loss, losscli ms, torch ms) per loss on the same float64 arrays, or None when torch is not importable."""
    try:
        import torch
        import torch.nn.functional as F
    except ImportError:
        return None
    import numpy as np

    rng = np.random.default_rng(seed)
    reg = (rng.normal(size=rows), rng.normal(size=rows))
    binary = (rng.normal(size=rows), rng.integers(0, 2, rows).astype(np.float64))
    multi = (rng.normal(size=(rows // 10, 10)), rng.integers(0, 10, rows // 10))
    cases = [
        ("mse", reg, lambda p, t: F.mse_loss(p, t)),
        ("bce_with_logits", binary, lambda p, t: F.binary_cross_entropy_with_logits(p, t)),
        ("cross_entropy", multi, lambda p, t: F.cross_entropy(p, t)),
    ]
    out = []
    for name, (pred, target), torch_fn in cases:
        tp, tt = torch.from_numpy(pred), torch.from_numpy(target)
        ours = median_time(engine_call(name, pred, target), repeats)
        theirs = median_time(lambda tp=tp, tt=tt, fn=torch_fn: float(fn(tp, tt)), repeats)
        out.append((name, ours * 1e3, theirs * 1e3))
    return out


# --- report -------------------------------------------------------------------------------------


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = [("case", "losscli", "floor", "ratio", "target", "met")]

    def add(self, case: str, ours: str, floor: str, ratio: str, target: str = "—", verdict: str = "") -> None:
        self.rows.append((case, ours, floor, ratio, target, verdict))

    def print(self) -> None:
        widths = [max(len(r[i]) for r in self.rows) for i in range(len(self.rows[0]))]
        for k, row in enumerate(self.rows):
            print(" | ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))))
            if k == 0:
                print("-+-".join("-" * w for w in widths))


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def header(args: argparse.Namespace, losscli: list[str]) -> None:
    from importlib.metadata import version

    print("$ " + shlex.join([sys.executable, *sys.argv]))
    commit = subprocess.run(["git", "-C", str(HERE.parent), "describe", "--always", "--dirty"],
                            capture_output=True, text=True).stdout.strip() or "?"
    print(f"python {platform.python_version()}, numpy {version('numpy')}, pyarrow {version('pyarrow')}, "
          f"{os.cpu_count()} CPUs, git {commit}")
    print(f"losscli command: {shlex.join(losscli)}; cache {args.cache_dir}; seed {args.seed}; "
          f"repeats {args.repeats} (RSS {args.rss_repeats}, start-up {args.startup_repeats}); medians; "
          f"OPENBLAS_NUM_THREADS={args.blas_threads or os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0], formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--quick", action="store_true", help="small sizes (overrides the row options)")
    p.add_argument("--cache-dir", type=Path, default=Path("/tmp/losscli-bench"))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--with-weight", action="store_true", help="add a weight column to the tables (not read)")
    p.add_argument("--repeats", type=int, default=7, help="rounds for the time-per-row cases")
    p.add_argument("--rss-repeats", type=int, default=3, help="rounds for the RSS cases")
    p.add_argument("--startup-repeats", type=int, default=15, help="rounds for the start-up cases")
    p.add_argument("--parquet-rows", type=int, default=10_000_000)
    p.add_argument("--csv-rows", type=int, default=4_000_000)
    p.add_argument("--npy-rows", type=int, default=10_000_000)
    p.add_argument("--small-rows", type=int, default=1_000)
    p.add_argument("--rss-rows", type=int, nargs=2, default=[5_000_000, 40_000_000], metavar=("LOW", "HIGH"),
                   help="Parquet and NPY rows of the RSS cases")
    p.add_argument("--csv-rss-rows", type=int, nargs=2, default=[2_000_000, 16_000_000], metavar=("LOW", "HIGH"))
    p.add_argument("--blas-threads", type=int, default=1,
                   help="OPENBLAS_NUM_THREADS for every child (0: leave the environment as it is)")
    p.add_argument("--kernel-rows", type=int, default=2_000_000)
    p.add_argument("--losscli", choices=("module", "entry"), default="module",
                   help="run `python -m losscli` or the venv's `losscli` script")
    return p.parse_args(argv)


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    losscli = [sys.executable, "-m", "losscli"] if args.losscli == "module" else [str(Path(sys.executable).with_name("losscli"))]
    header(args, losscli)
    sizes = sizes_from(args)
    env = child_env(args.blas_threads)
    cache = DataCache(args.cache_dir, args.seed, args.with_weight)
    cases = Cases(cache, losscli, args.repeats)

    print("data:", flush=True)
    per_row = [
        PerRow("parquet mse", cases.eval_pair("parquet", sizes.parquet, ("mse",)),
               cases.eval_pair("parquet", sizes.small, ("mse",)), sizes.parquet - sizes.small),
        PerRow("parquet 4 losses", cases.eval_pair("parquet", sizes.parquet, FOUR_LOSSES),
               cases.eval_pair("parquet", sizes.small, FOUR_LOSSES), sizes.parquet - sizes.small),
        PerRow("csv mse", cases.eval_pair("csv", sizes.csv, ("mse",)),
               cases.eval_pair("csv", sizes.small, ("mse",)), sizes.csv - sizes.small),
        PerRow("npy mse", cases.eval_pair("npy", sizes.npy, ("mse",)),
               cases.eval_pair("npy", sizes.small, ("mse",)), sizes.npy - sizes.small),
    ]
    scaling = [
        Scaling("parquet", *(cases.eval_pair("parquet", n, ("mse",), args.rss_repeats) for n in sizes.rss), 300, 1.25),
        Scaling("npy", *(cases.eval_pair("npy", n, ("mse",), args.rss_repeats) for n in sizes.rss), 300, 1.25),
        Scaling("csv", *(cases.eval_pair("csv", n, ("mse",), args.rss_repeats) for n in sizes.csv_rss), 350, None),
    ]
    tiny = cache.paths("npy", 10)
    import_floor = [sys.executable, "-c", "import typer, numpy"]
    startup = Pair(Job("eval 10-row npy", [*losscli, "eval", *tiny, "--loss", "mse", "--format", "json", "--quiet"], tiny),
                   Job("import typer, numpy", import_floor), args.startup_repeats)
    help_pair = Pair(Job("--help", [*losscli, "--help"]), Job("import typer, numpy", import_floor), args.startup_repeats)
    bare = Pair(Job("python -c pass", [sys.executable, "-c", "pass"]), None, args.startup_repeats)

    pairs = [p for c in per_row for p in (c.large, c.small)] + [p for s in scaling for p in (s.low, s.high)]
    pairs += [startup, help_pair, bare]
    print("runs:", flush=True)
    run_rounds(pairs, env)
    kernels = json.loads(run_child([sys.executable, str(HERE), "_kernels", str(args.kernel_rows), "5", str(args.seed)],
                                   env).stdout)
    if kernels is None:
        print("kernels: torch not installed: skipped")

    print()
    table = Table()
    for c in per_row:
        ours, floor = c.ns("losscli"), c.ns("floor")
        limit = PER_ROW_TARGETS[c.label]
        table.add(f"{c.label} ns/row ({c.rows + sizes.small:,} − {sizes.small:,} rows)", f"{ours:.1f}", f"{floor:.1f}",
                  f"{ours / floor:.2f}x", f"≤{limit}x", verdict(ours / floor <= limit))
    for c in per_row:
        table.add(f"  {c.label} {c.rows + sizes.small:,} rows: median s", f"{c.large.losscli.seconds:.3f}",
                  f"{c.large.floor.seconds:.3f}", f"{c.large.losscli.seconds / c.large.floor.seconds:.2f}x")
    for s in scaling:
        low, high = s.low.losscli.rss_mb, s.high.losscli.rss_mb
        flow, fhigh = s.low.floor.rss_mb, s.high.floor.rss_mb
        rows_low, rows_high = s.low.rows, s.high.rows
        table.add(f"{s.label} peak RSS MB {rows_low / 1e6:g}M rows", f"{low:.0f}", f"{flow:.0f}", f"{low / flow:.2f}x")
        within = high <= s.limit_mb and (s.max_ratio is None or high <= s.max_ratio * low)
        target = f"<{s.limit_mb:.0f} MB" + (f", ≤{s.max_ratio}x {rows_low / 1e6:g}M" if s.max_ratio else "")
        table.add(f"{s.label} peak RSS MB {rows_high / 1e6:g}M rows", f"{high:.0f}", f"{fhigh:.0f}", f"{high / fhigh:.2f}x",
                  target, verdict(within))
        table.add(f"  {s.label} RSS {rows_high / 1e6:g}M / {rows_low / 1e6:g}M", f"{high / low:.2f}x", f"{fhigh / flow:.2f}x", "")
        t_ours = (s.high.losscli.seconds - s.low.losscli.seconds) / (rows_high - rows_low) * 1e9
        t_floor = (s.high.floor.seconds - s.low.floor.seconds) / (rows_high - rows_low) * 1e9
        table.add(f"  {s.label} ns/row ({rows_high / 1e6:g}M − {rows_low / 1e6:g}M)", f"{t_ours:.1f}", f"{t_floor:.1f}",
                  f"{t_ours / t_floor:.2f}x")
    s_ours, s_floor = startup.losscli.seconds, startup.floor.seconds
    table.add("start-up: eval 10-row npy vs import typer, numpy (ms)", f"{s_ours * 1e3:.0f}", f"{s_floor * 1e3:.0f}",
              f"{s_ours / s_floor:.2f}x", "≤1.6x", verdict(s_ours / s_floor <= 1.6))
    h_ours, h_floor = help_pair.losscli.seconds, help_pair.floor.seconds
    table.add("start-up: losscli --help vs import typer, numpy (ms)", f"{h_ours * 1e3:.0f}", f"{h_floor * 1e3:.0f}",
              f"{h_ours / h_floor:.2f}x")
    table.add("start-up: python -c pass (ms)", f"{bare.losscli.seconds * 1e3:.0f}", "", "")
    table.add("start-up peak RSS MB: eval 10-row npy vs import", f"{startup.losscli.rss_mb:.0f}", f"{startup.floor.rss_mb:.0f}",
              f"{startup.losscli.rss_mb / startup.floor.rss_mb:.2f}x")
    for name, ours_ms, torch_ms in kernels or []:
        table.add(f"kernel {name} {args.kernel_rows:,} values vs torch (ms)", f"{ours_ms:.1f}", f"{torch_ms:.1f}",
                  f"{ours_ms / torch_ms:.2f}x")
    table.print()

    problems = [(p.losscli.label, check_values(p)) for p in pairs]
    problems = [(label, why) for label, why in problems if why]
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\ndriver peak RSS {own:.0f} MB (a child's ru_maxrss cannot read below it: the vfork'd child's"
          " high-water mark is carried through exec)")
    print("values: " + ("losscli means equal the floors' (rel 1e-9) in every case" if not problems else ""))
    for label, why in problems:
        print(f"  MISMATCH {label}: {why}")


CHILDREN: dict[str, Callable[[list[str]], None]] = {"_floor": floor_main, "_generate": generate_main, "_kernels": kernels_main}

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in CHILDREN:
        CHILDREN[sys.argv[1]](sys.argv[2:])
    else:
        main(sys.argv[1:])
