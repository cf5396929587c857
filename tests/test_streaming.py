"""The streaming pass end to end: every format and layout gives the same bits, hostile files are
one-line errors, stdin and FIFOs stream, rows come out before the input ends, memory does not
grow with the rows, and streamed per-sample rows are all there, right and in order.

Expected values are computed here from the numbers written (NumPy's per-sample losses, exact
sums with :class:`fractions.Fraction`), never copied from an earlier run. Nothing is timed: the
timeouts only keep a hang from hanging the suite.
"""

from __future__ import annotations

import gzip
import io
import math
import os
import queue
import shlex
import struct
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from conftest import cli, strict_json, usage_error
from losscli.readers import delimited
from losscli.readers.base import NUMBER
from losscli.readers.delimited import DelimitedSource

TIMEOUT = 120  # seconds before a child process counts as hung (a liveness bound, not a timing)
LOSSES = ("mse", "mae")


@dataclass
class Outcome:
    """A finished process, with the attributes of a CliRunner result (so :func:`conftest.usage_error` takes it)."""

    exit_code: int
    stdout: str
    stderr: str


def losscli_process(*args: Any, stdin: bytes = b"", cwd: Path | None = None) -> Outcome:
    """``python -m losscli ARGS`` as a real process, ``stdin`` piped in."""
    result = subprocess.run([sys.executable, "-m", "losscli", *map(str, args)], input=stdin, capture_output=True, cwd=cwd,
                            timeout=TIMEOUT)
    return Outcome(result.returncode, result.stdout.decode(), result.stderr.decode())


def reduced(stdout: str) -> tuple[dict[str, float], int]:
    """Each loss's value in the JSON document, and ``n_samples``."""
    doc = strict_json(stdout)
    return {spec: entry["value"] for spec, entry in doc["losses"].items()}, doc["n_samples"]


def bits(value: float) -> str:
    return float(value).hex()


# --------------------------------------------------------------------------- awkward numbers

N_AWKWARD = 3_000


def awkward_numbers(n: int = N_AWKWARD, seed: int = 2024) -> dict[str, np.ndarray]:
    """pred, target, weight: full-precision randoms over 300 decades (|p − t|² stays finite),
    cancellations of nearly equal huge numbers, exact ties, ±0, and subnormals whose squares
    underflow."""
    rng = np.random.default_rng(seed)

    def spread(low: int, high: int) -> np.ndarray:
        return rng.uniform(-1.0, 1.0, n) * 10.0 ** rng.integers(low, high + 1, n)

    pred, target = spread(-150, 150), spread(-150, 150)
    near = rng.random(n) < 0.2
    target[near] = pred[near] * (1 + rng.normal(0.0, 1e-12, int(near.sum())))
    same = rng.random(n) < 0.05
    target[same] = pred[same]
    tiny = rng.random(n) < 0.05
    pred[tiny] = rng.integers(-(2**20), 2**20, int(tiny.sum())) * 5e-324
    target[tiny] = 0.0
    pred[:5] = [0.0, -0.0, 1e150, -1e-300, 2.2250738585072014e-308]
    target[:5] = [-0.0, 5e-324, -1e150, 1e-300, 2.225073858507201e-308]
    weight = rng.uniform(0.0, 10.0, n) * 10.0 ** rng.integers(-3, 2, n)
    weight[rng.random(n) < 0.05] = 0.0
    return {"pred": pred, "target": target, "weight": weight}


def numpy_losses(pred: np.ndarray, target: np.ndarray) -> dict[str, np.ndarray]:
    """Each sample's loss, in float64 as NumPy computes it."""
    return {"mse": np.square(pred - target), "mae": np.abs(pred - target)}


def exact_sum(values: np.ndarray) -> Fraction:
    return sum(map(Fraction, values.tolist()), Fraction(0))


def exact_sums(data: dict[str, np.ndarray], loss: str, weighted: bool) -> tuple[Fraction, Fraction]:
    """(Σ w·l, Σ w) exactly, over the per-sample products rounded to float64 as NumPy rounds them."""
    values = numpy_losses(data["pred"], data["target"])[loss]
    if weighted:
        return exact_sum(data["weight"] * values), exact_sum(data["weight"])
    return exact_sum(values), Fraction(len(values))


def expected_mean(data: dict[str, np.ndarray], loss: str, weighted: bool) -> float:
    """The mean correctly rounded: the exact quotient of the exact sums, rounded once to float64."""
    num, den = exact_sums(data, loss, weighted)
    return float(num / den)


@pytest.fixture(scope="module")
def awkward() -> dict[str, np.ndarray]:
    return awkward_numbers()


def csv_text(data: dict[str, np.ndarray], columns: tuple[str, ...] = ("pred", "target", "weight"), delimiter: str = ",",
             newline: str = "\n") -> str:
    """A table of ``data`` with every float written as ``repr`` (shortest round trip); a column not in ``data`` holds text ids."""
    n = len(next(iter(data.values())))
    cells = [list(map(repr, data[c].tolist())) if c in data else [f"id{i}" for i in range(n)] for c in columns]
    rows = [delimiter.join(columns), *(delimiter.join(row) for row in zip(*cells))]
    return newline.join(rows) + newline


def arrow_table(data: dict[str, np.ndarray]) -> pa.Table:
    return pa.table({name: pa.array(values) for name, values in data.items()})


def parquet_bytes(data: dict[str, np.ndarray], row_group_size: int | None) -> bytes:
    out = io.BytesIO()
    pq.write_table(arrow_table(data), out, row_group_size=row_group_size)
    return out.getvalue()


def npy_bytes(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array)
    return out.getvalue()


def structured(data: dict[str, np.ndarray]) -> np.ndarray:
    table = np.empty(len(data["pred"]), dtype=[(name, "<f8") for name in data])
    for name, values in data.items():
        table[name] = values
    return table


# --------------------------------------------------------------------------- layouts

@dataclass(frozen=True)
class Layout:
    """One way to hand losscli the same numbers.

    ``write(directory, data, weighted)`` writes the files and returns the arguments naming them
    (the first argument is the file that can also come on stdin as ``fmt``).
    """

    name: str
    fmt: str
    write: Callable[[Path, dict[str, np.ndarray], bool], list[str]]


def _table_file(name: str, content: Callable[[dict[str, np.ndarray]], bytes]) -> Callable[..., list[str]]:
    def write(directory: Path, data: dict[str, np.ndarray], weighted: bool) -> list[str]:
        path = directory / name
        path.write_bytes(content(data))
        return [str(path), *(["--weight-col", "weight"] if weighted else [])]

    return write


def _npy_pair(directory: Path, data: dict[str, np.ndarray], weighted: bool) -> list[str]:
    for name, values in data.items():
        np.save(directory / f"{name}.npy", values)
    weight = ["--input", f"weight={directory / 'weight.npy'}"] if weighted else []
    return [str(directory / "pred.npy"), str(directory / "target.npy"), *weight]


def _npz(save: Callable[..., None]) -> Callable[..., list[str]]:
    def write(directory: Path, data: dict[str, np.ndarray], weighted: bool) -> list[str]:
        path = directory / "run.npz"
        save(path, **{name: values for name, values in data.items() if weighted or name != "weight"})  # a `weight` array is used
        return [str(path)]

    return write


LAYOUTS = {layout.name: layout for layout in [
    Layout("csv", "csv", _table_file("run.csv", lambda d: csv_text(d).encode())),
    Layout("csv_crlf_reordered", "csv", _table_file(
        "run.csv", lambda d: csv_text(d, ("weight", "id", "target", "pred"), newline="\r\n").encode())),
    Layout("tsv", "tsv", _table_file("run.tsv", lambda d: csv_text(d, delimiter="\t").encode())),
    Layout("csv_gz", "csv", _table_file("run.csv.gz", lambda d: gzip.compress(csv_text(d).encode()))),
    *(Layout(f"parquet_rg{size or 'whole'}", "parquet", _table_file("run.parquet", lambda d, s=size: parquet_bytes(d, s)))
      for size in (1, 7, 1000, None)),
    Layout("npy_structured", "npy", _table_file("run.npy", lambda d: npy_bytes(structured(d)))),
    Layout("npy_pair", "npy", _npy_pair),
    Layout("npz_stored", "npz", _npz(np.savez)),
    Layout("npz_compressed", "npz", _npz(np.savez_compressed)),
]}


def evaluate(args: list[str], stdin: bytes | None = None) -> tuple[dict[str, float], int]:
    """Run ``eval ARGS --loss mse --loss mae --format json``: in process for files, a real process for stdin."""
    command = ["eval", *args, *(a for loss in LOSSES for a in ("--loss", loss)), "--format", "json"]
    result = cli(*command) if stdin is None else losscli_process(*command, stdin=stdin)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return reduced(result.stdout)


def on_stdin(args: list[str], fmt: str) -> tuple[list[str], bytes]:
    """The same run with its first file piped to stdin."""
    return ["-", *args[1:], "--input-format", fmt], Path(args[0]).read_bytes()


def assert_exact_means(values: dict[str, float], n: int, data: dict[str, np.ndarray], weighted: bool) -> None:
    """Every value is the bits of :func:`expected_mean`, at most 1 ulp from the exact mean."""
    assert n == len(data["pred"])
    for loss in LOSSES:
        num, den = exact_sums(data, loss, weighted)
        expected = expected_mean(data, loss, weighted)
        assert bits(values[loss]) == bits(expected), (loss, values[loss], expected)
        assert abs(Fraction(values[loss]) - num / den) <= Fraction(math.ulp(expected))


@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_gives_the_bits_of_the_exact_mean(layout: str, weighted: bool, awkward: dict, tmp_path: Path) -> None:
    """CSV, TSV, CSV.gz, Parquet of any row-group size, NPY (pair, structured), NPZ (stored or
    compressed): all give the same bits, those of the exact sums rounded once."""
    args = LAYOUTS[layout].write(tmp_path, awkward, weighted)
    assert_exact_means(*evaluate(args), awkward, weighted)


STDIN_CASES = [
    *((layout, weighted) for layout in ("csv", "npy_pair", "parquet_rg7") for weighted in (False, True)),
    ("tsv", False), ("csv_gz", False), ("npy_structured", True), ("npz_stored", False), ("npz_compressed", True),
]


@pytest.mark.parametrize("layout, weighted", STDIN_CASES, ids=[f"{name}-{'weighted' if w else 'unweighted'}" for name, w in STDIN_CASES])
def test_stdin_gives_the_same_bits(layout: str, weighted: bool, awkward: dict, tmp_path: Path) -> None:
    """The first file piped into a real process instead (``-`` with ``--input-format``): the same bits.
    CSV, TSV and NPY stream from the pipe; Parquet and NPZ are spooled to disk first."""
    args, data = on_stdin(LAYOUTS[layout].write(tmp_path, awkward, weighted), LAYOUTS[layout].fmt)
    assert_exact_means(*evaluate(args, stdin=data), awkward, weighted)


def test_the_exact_sums_are_not_what_naive_float_sums_give(awkward: dict) -> None:
    """The data is awkward enough that a plain float64 sum would be off (so the bit checks above mean something)."""
    naive = {loss: float(np.sum(values)) / N_AWKWARD for loss, values in numpy_losses(awkward["pred"], awkward["target"]).items()}
    assert any(bits(naive[loss]) != bits(expected_mean(awkward, loss, False)) for loss in LOSSES)


# --------------------------------------------------------------------------- CSV floats parse bit-exact

EDGE_FLOATS = [
    5e-324, -5e-324, 2.225073858507201e-308, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
    0.0, -0.0, 0.1, 1 / 3, 1e23, 9007199254740993.0, 8.98846567431158e307, 4.940656458412e-324, 1.5e-323, 123456789012345678.0,
]


def parse_pred(text: bytes, fmt: str) -> np.ndarray:
    """The ``pred`` column as the CSV/TSV reader streams it."""
    source = DelimitedSource(io.BytesIO(text), f"t.{fmt}", fmt)
    try:
        return np.concatenate([batch["pred"] for batch in source.batches({"pred": NUMBER})])
    finally:
        source.close()


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=300),
       fmt=st.sampled_from(["csv", "tsv"]), gz=st.booleans(), block=st.sampled_from([None, 64]))
@example(values=EDGE_FLOATS, fmt="csv", gz=False, block=None)
@example(values=EDGE_FLOATS, fmt="tsv", gz=True, block=64)
def test_repr_floats_parse_bit_exact(values: list[float], fmt: str, gz: bool, block: int | None) -> None:
    """Any finite double written with ``repr`` reads back as the same 64 bits, whatever the
    delimiter, compression, or parse blocks splitting the rows (``block`` bytes)."""
    sep = "\t" if fmt == "tsv" else ","
    text = f"pred{sep}target\n{''.join(f'{v!r}{sep}0{chr(10)}' for v in values)}".encode()
    with mock.patch.object(delimited, "BLOCK_BYTES", block or delimited.BLOCK_BYTES):
        parsed = parse_pred(gzip.compress(text) if gz else text, fmt)
    assert parsed.dtype == np.float64
    assert np.array_equal(parsed.view(np.uint64), np.array(values, dtype=np.float64).view(np.uint64))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("roundtrip")


def precision17(fmt: str) -> tuple[str, ...]:
    """Every digit in a text format (JSON has them all already, and says so if asked)."""
    return () if fmt in ("json", "jsonl") else ("--precision", "17")


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=1, max_size=100),
       fmt=st.sampled_from(["jsonl", "csv"]))
@example(values=EDGE_FLOATS, fmt="jsonl")
@example(values=EDGE_FLOATS, fmt="csv")
def test_per_sample_rows_round_trip_every_double(values: list[float], fmt: str, scratch: Path) -> None:
    """CSV in, rows out: ``mae`` against 0 is |pred|, written back (JSON Lines, or CSV at 17 digits) as the same double."""
    path = scratch / "run.csv"
    path.write_text("pred,target\n" + "".join(f"{v!r},0\n" for v in values))
    result = cli("eval", path, "--loss", "mae", "--per-sample", "--format", fmt, *precision17(fmt))
    assert result.exit_code == 0, result.stderr
    rows = parse_rows(result.stdout, fmt)
    assert [r[0] for r in rows] == list(range(len(values)))
    got = np.array([r[1] for r in rows], dtype=np.float64)
    assert np.array_equal(got.view(np.uint64), np.abs(np.array(values)).view(np.uint64))


def parse_rows(text: str, fmt: str, losses: tuple[str, ...] = ("mae",)) -> list[tuple[int, ...]]:
    """(index, value, …) of every streamed row; CSV/TSV: header checked, empty cell as NaN; JSON Lines: null as NaN."""
    lines = text.splitlines()
    if fmt == "jsonl":
        rows = [strict_json(line) for line in lines]
        assert all(list(r) == ["index", *losses] for r in rows)
        return [(r["index"], *(math.nan if r[k] is None else r[k] for k in losses)) for r in rows]
    sep = "\t" if fmt == "tsv" else ","
    assert lines[0] == sep.join(["index", *losses])
    cells = [line.split(sep) for line in lines[1:]]
    return [(int(c[0]), *(float(x) if x else math.nan for x in c[1:])) for c in cells]


def test_finite_inputs_whose_sum_overflows_are_not_non_finite(tmp_path: Path) -> None:
    """Their float sum is inf, yet no value is: no error, no overflow warning on stderr, every row."""
    big = [1.7e308, 1.7e308, -1.7e308, 5e-324]
    (tmp_path / "big.csv").write_text("pred,target\n" + "".join(f"{v!r},0\n" for v in big))
    result = losscli_process("eval", tmp_path / "big.csv", "--loss", "mae", "--per-sample", "--format", "jsonl")
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    assert [v for _, v in parse_rows(result.stdout, "jsonl")] == [abs(v) for v in big]


# --------------------------------------------------------------------------- hostile files

def npy_with_header(header: str, data: bytes = b"", version: tuple[int, int] = (1, 0)) -> bytes:
    """An NPY file whose header dict is ``header`` verbatim, padded the way ``numpy.save`` pads it."""
    text = header.encode("latin1")
    prefix = 10 if version[0] == 1 else 12
    text += b" " * (-(prefix + len(text) + 1) % 64) + b"\n"
    size = struct.pack("<H" if version[0] == 1 else "<I", len(text))
    return b"\x93NUMPY" + bytes(version) + size + text + data


def f8_header(shape: str, descr: str = "'<f8'") -> str:
    return f"{{'descr': {descr}, 'fortran_order': False, 'shape': {shape}, }}"


def _good_npy(n: int = 1000) -> bytes:
    return npy_bytes(np.arange(n, dtype=np.float64))


def _pickled_npy() -> bytes:
    out = io.BytesIO()
    np.save(out, np.array([{"a": 1}, None, 3], dtype=object), allow_pickle=True)
    return out.getvalue()


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _good_parquet(n: int = 5000) -> bytes:
    rng = np.random.default_rng(3)
    return parquet_bytes({"pred": rng.normal(size=n), "target": rng.normal(size=n)}, 1000)


def _parquet_without_middle() -> bytes:
    """The first and last quarters of a Parquet file: a valid footer pointing into bytes that are gone."""
    good = _good_parquet()
    footer = struct.unpack("<I", good[-8:-4])[0] + 8
    return good[: len(good) // 4] + good[-footer:]


def _good_csv(n: int = 2000) -> bytes:
    rng = np.random.default_rng(4)
    return csv_text({"pred": rng.normal(size=n), "target": rng.normal(size=n)}, ("pred", "target")).encode()


NOISE = np.random.default_rng(0).bytes(4096)  # no format's magic bytes, not UTF-8


def hostile(case_id: str, name: str, content: bytes, *fragments: str) -> Any:
    """``eval NAME --loss mse`` on a file holding ``content``: one error line holding every fragment."""
    return pytest.param(name, content, fragments, id=case_id)


HOSTILE = [
    # NPY headers that lie, overflow, or try to run code
    hostile("npy_data_cut_short", "p.npy", _good_npy()[:-13], "p.npy", "declares shape (1000,)", "8000 bytes", "holds 7987 bytes"),
    hostile("npy_shape_far_beyond_the_file", "p.npy", npy_with_header(f8_header("(1000000000000,)"), bytes(80)),
            "(1000000000000,)", "8000000000000 bytes", "holds 80 bytes"),
    hostile("npy_absurd_shape", "p.npy", npy_with_header(f8_header("(4611686018427387904, 4611686018427387904)")),
            "(4611686018427387904, 4611686018427387904)", "holds 0 bytes"),
    hostile("npy_rows_of_no_values", "p.npy", npy_with_header(f8_header("(100000000000, 0)")), "(100000000000, 0)", "no values"),
    hostile("npy_zero_size_dtype", "p.npy", npy_with_header(f8_header("(100000000000,)", "[]")), "no values"),
    hostile("npy_negative_dimension", "p.npy", npy_with_header(f8_header("(-1,)"), bytes(8)), "unreadable header", "bad shape"),
    hostile("npy_fractional_dimension", "p.npy", npy_with_header(f8_header("(1.5,)"), bytes(8)), "(1.5,)", "whole numbers"),
    hostile("npy_shape_not_a_tuple", "p.npy", npy_with_header(f8_header("'abc'"), bytes(8)), "unreadable header"),
    hostile("npy_object_dtype", "p.npy", _pickled_npy(), "p.npy", "pickled", "refuses"),
    hostile("npy_object_field", "p.npy", npy_with_header(f8_header("(1,)", "[('a', '<f8'), ('b', '|O')]"), bytes(16)), "pickled"),
    hostile("npy_code_in_header", "p.npy",
            npy_with_header(f8_header("(1,)", "__import__('pathlib').Path('pwned').touch()"), bytes(8)), "unreadable header"),
    hostile("npy_header_not_a_dict", "p.npy", npy_with_header("[1, 2, 3]"), "not a dict of descr, fortran_order and shape"),
    hostile("npy_unknown_dtype", "p.npy", npy_with_header(f8_header("(1,)", "'zz'"), bytes(8)), "unreadable header", "'zz'"),
    hostile("npy_dtype_too_large", "p.npy", npy_with_header(f8_header("(1,)", "'(1000000000,1000000000)<f8'"), bytes(8)),
            "unreadable header"),
    hostile("npy_header_cut_short", "p.npy", b"\x93NUMPY\x01\x00" + struct.pack("<H", 1000) + b"{'descr': '<f8'",
            "the header is cut short"),
    hostile("npy_header_over_the_limit", "p.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 30) + b"{'descr': '<f8'",
            "1073741824 bytes", "more than the limit"),
    hostile("npy_bad_magic", "p.npy", b"\x93NUMPX\x01\x00" + bytes(100), "p.npy", "no NumPy header"),
    hostile("npy_unknown_version", "p.npy", b"\x93NUMPY\x09\x00" + bytes(100), "unknown format version 9.0"),
    hostile("npy_empty", "p.npy", b"", "no NumPy header"),
    hostile("npy_scalar", "p.npy", npy_with_header(f8_header("()"), bytes(8)), "a single number"),
    # NPZ
    hostile("npz_cut_short", "r.npz", _zip({"pred.npy": _good_npy(), "target.npy": _good_npy()})[:-300], "r.npz",
            "not a valid NPZ"),
    hostile("npz_member_lies_about_its_shape", "r.npz",
            _zip({"pred.npy": npy_with_header(f8_header("(1000000000,)"), bytes(80)), "target.npy": _good_npy()}),
            "array 'pred'", "(1000000000,)", "holds 80 bytes"),
    hostile("npz_compressed_member_lies", "r.npz",
            _zip({"pred.npy": _good_npy(), "target.npy": npy_with_header(f8_header("(10000000,)"), bytes(80))}, zipfile.ZIP_DEFLATED),
            "array 'target'", "(10000000,)"),
    hostile("npz_pickled_member", "r.npz", _zip({"pred.npy": _pickled_npy(), "target.npy": _good_npy(3)}), "pickled"),
    hostile("npz_garbage", "r.npz", b"PK\x03\x04" + NOISE, "r.npz", "not a valid NPZ"),
    # Parquet
    hostile("parquet_truncated", "r.parquet", _good_parquet()[:9000], "r.parquet", "not a valid Parquet file"),
    hostile("parquet_without_its_middle", "r.parquet", _parquet_without_middle(), "r.parquet", "Parquet"),
    hostile("parquet_garbage", "r.parquet", NOISE, "r.parquet", "not a valid Parquet file"),
    hostile("parquet_empty", "r.parquet", b"", "r.parquet", "not a valid Parquet file"),
    hostile("parquet_magic_around_noise", "r.parquet", b"PAR1" + NOISE + b"PAR1", "r.parquet", "not a valid Parquet file"),
    # CSV, plain and gzip
    hostile("csv_cut_mid_row", "r.csv", _good_csv()[:20_001].rsplit(b",", 1)[0], "r.csv", "malformed CSV", "has 1 fields",
            "the header has 2"),
    hostile("csv_garbage", "r.csv", NOISE, "r.csv", "not UTF-8"),
    hostile("csv_binary_rows", "r.csv", b"pred,target\n1,2\n" + NOISE, "r.csv", "malformed CSV", "row 2 (line 3)"),
    hostile("csv_non_utf8_cell", "r.csv", b"pred,target\n1,2\n\xff\xfe,3\n4,5\n", "r.csv", "non-numeric value", "row 2",
            "column 'pred'"),
    hostile("csv_nul_bytes", "r.csv", b"pred,target\n" + bytes(100), "r.csv", "malformed CSV"),
    hostile("csv_gz_truncated", "r.csv.gz", gzip.compress(_good_csv())[:5000], "r.csv.gz", "cannot read as CSV"),
    hostile("csv_gz_garbage", "r.csv.gz", b"\x1f\x8b" + NOISE, "r.csv.gz", "cannot read as CSV"),
    hostile("csv_gz_bad_checksum", "r.csv.gz", gzip.compress(_good_csv())[:-8] + bytes(8), "r.csv.gz", "cannot read as CSV"),
]


@pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")  # an "Exception ignored in …" traceback
@pytest.mark.parametrize("name, content, fragments", HOSTILE)
def test_hostile_file_is_one_error_line(name: str, content: bytes, fragments: tuple[str, ...], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Exit 2, nothing on stdout, one ``losscli: error:`` line naming the problem, no traceback, no code run."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_bytes(content)
    np.save(tmp_path / "t.npy", np.zeros(3))
    files = [name, "t.npy"] if name.endswith(".npy") else [name]  # a hostile PRED array, a good TARGET
    usage_error(cli("eval", *files, "--loss", "mse"), *fragments)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("name, content, fragments", [
    pytest.param("r.csv", b"pred,target\n1,2\n" + NOISE, ("malformed CSV", "row 2 (line 3)"), id="csv_binary_rows"),
    pytest.param("r.csv", b"pred,target\n1,2\n\xff\xfe,3\n", ("non-numeric value", "row 2"), id="csv_non_utf8_cell"),
    pytest.param("p.npy", npy_with_header(f8_header("(100000000000, 0)")), ("no values",), id="npy_rows_of_no_values"),
])
def test_hostile_file_in_a_real_process(name: str, content: bytes, fragments: tuple[str, ...], tmp_path: Path) -> None:
    """The same contract where Python itself prints what escapes (unraisable exceptions, warnings), with a timeout against hangs."""
    (tmp_path / name).write_bytes(content)
    files = [name, name] if name.endswith(".npy") else [name]
    usage_error(losscli_process("eval", *files, "--loss", "mse", cwd=tmp_path), *fragments)


@pytest.mark.parametrize("content, fragments", [
    pytest.param(_good_npy(1000)[:-7992], ("<stdin>", "the data ends after 1 of 1000 rows"), id="data_cut_short"),
    pytest.param(npy_with_header(f8_header("(1000000000000,)"), bytes(800)),
                 ("the data ends after 100 of 1000000000000 rows",), id="shape_far_beyond_the_stream"),
    pytest.param(npy_with_header(f8_header("(1000, 1000000000000)"), bytes(800)), ("the data ends after 0 of 1000 rows",),
                 id="rows_of_terabytes"),
    pytest.param(npy_with_header(f8_header("(100000000000, 0)")), ("no values",), id="rows_of_no_values"),
    pytest.param(b"\x93NUMPY\x01\x00" + struct.pack("<H", 1000) + b"{'descr'", ("the header is cut short",),
                 id="header_cut_short"),
    pytest.param(b"", ("no NumPy header",), id="empty"),
])
def test_hostile_npy_on_stdin(content: bytes, fragments: tuple[str, ...], tmp_path: Path) -> None:
    """A stream's length is unknown: a header that lies is found out as the data runs out, not by
    allocating what it claims (the target, a CSV, does not tell the length either)."""
    (tmp_path / "t.csv").write_text("target\n" + "0\n" * 1000)
    result = losscli_process("eval", "-", tmp_path / "t.csv", "--input-format", "npy", "--loss", "mse", stdin=content)
    usage_error(result, *fragments)


@pytest.mark.parametrize("fmt, content, fragment", [
    ("parquet", NOISE, "not a Parquet stream"),
    ("parquet", b"", "not a Parquet stream"),
    ("npz", b"PK\x03\x04" + NOISE, "not a valid NPZ"),
    ("csv", b"", "empty"),
    ("csv", b"pred,target\n1,2\n" + NOISE, "malformed CSV"),
])
def test_hostile_stdin_is_one_error_line(fmt: str, content: bytes, fragment: str) -> None:
    usage_error(losscli_process("eval", "-", "--input-format", fmt, "--loss", "mse", stdin=content), "<stdin>", fragment)


# --------------------------------------------------------------------------- FIFOs

@contextmanager
def feeding(fifo: Path, content: bytes) -> Iterator[None]:
    """A named pipe at ``fifo`` that a thread fills with ``content`` once a reader opens it."""
    os.mkfifo(fifo)

    def feed() -> None:
        try:
            with open(fifo, "wb") as pipe:
                pipe.write(content)
        except BrokenPipeError:  # the reader stopped early; its own result says why
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        yield
    finally:
        if writer.is_alive():  # the reader never opened the FIFO: open and close its end so the writer gives up
            os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        writer.join(TIMEOUT)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this platform")
@pytest.mark.parametrize("layout, fifo_name, extra", [
    ("csv", "run.csv", []),
    ("csv", "run", ["--input-format", "csv"]),  # no extension: the format is told
    ("csv_gz", "run.csv.gz", []),
    ("npy_pair", "pred.npy", []),  # streamed from the FIFO, target from a regular file
    ("parquet_rg7", "run.parquet", []),  # spooled, then read from the copy
    ("npz_compressed", "run.npz", []),
])
def test_fifo_gives_the_same_bits(layout: str, fifo_name: str, extra: list[str], awkward: dict, tmp_path: Path) -> None:
    (tmp_path / "files").mkdir()
    written = LAYOUTS[layout].write(tmp_path / "files", awkward, False)
    fifo = tmp_path / fifo_name
    with feeding(fifo, Path(written[0]).read_bytes()):
        result = losscli_process("eval", fifo, *written[1:], *extra, *(a for loss in LOSSES for a in ("--loss", loss)),
                                 "--format", "json")
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    assert_exact_means(*reduced(result.stdout), awkward, False)


# --------------------------------------------------------------------------- rows before the input ends

def random_table(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, bytes]:
    rng = np.random.default_rng(seed)
    pred, target = rng.normal(size=n) * 10.0 ** rng.integers(-8, 9, n), rng.normal(size=n)
    return pred, target, csv_text({"pred": pred, "target": target}, ("pred", "target")).encode()


def test_rows_stream_out_before_stdin_ends() -> None:
    """200k rows of CSV go in and stdin stays open: the first rows must come out anyway (the pass
    cannot end, so they can only be rows written as computed). A liveness check, not a timing."""
    pred, target, body = random_table(200_000, seed=5)
    process = subprocess.Popen(
        [sys.executable, "-m", "losscli", "eval", "-", "--input-format", "csv", "--loss", "mse", "--per-sample",
         "--format", "jsonl"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None and process.stderr is not None
    release = threading.Event()
    lines: queue.Queue[bytes] = queue.Queue()

    def feed() -> None:
        try:
            process.stdin.write(body)  # type: ignore[union-attr]
            process.stdin.flush()  # type: ignore[union-attr]
        except BrokenPipeError:
            return
        release.wait()  # ... and do not close stdin

    def drain() -> None:
        for line in process.stdout:  # type: ignore[union-attr]
            lines.put(line)

    threads = [threading.Thread(target=feed, daemon=True), threading.Thread(target=drain, daemon=True)]
    for thread in threads:
        thread.start()
    wanted = 1_000
    try:
        try:
            first = [lines.get(timeout=TIMEOUT) for _ in range(wanted)]
        except queue.Empty:
            pytest.fail(f"fewer than {wanted} rows on stdout within {TIMEOUT} s while stdin stayed open"
                        f" (exit code {process.poll()})")
        assert process.poll() is None  # still waiting for the rest of the input
    finally:
        process.kill()
        release.set()
        process.wait(TIMEOUT)
        for thread in threads:
            thread.join(TIMEOUT)
    rows = [strict_json(line) for line in first]
    assert [r["index"] for r in rows] == list(range(wanted))
    got = np.array([r["mse"] for r in rows])
    assert np.array_equal(got, numpy_losses(pred[:wanted], target[:wanted])["mse"])
    assert process.stderr.read() == b""


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash for PIPESTATUS")
def test_head_closing_the_pipe_ends_quietly(tmp_path: Path) -> None:
    """``losscli eval big.csv --per-sample --format csv | head -n 3``: the rows shown are right,
    stderr stays empty, and losscli exits 0 (1 would be a failed gate's code)."""
    pred, target, body = random_table(200_000, seed=6)
    (tmp_path / "big.csv").write_bytes(body)
    command = (f"{shlex.quote(sys.executable)} -m losscli eval big.csv --loss mse --per-sample --format csv --precision 17"
               " 2>err.txt | head -n 3; echo ${PIPESTATUS[0]} >status.txt")
    result = subprocess.run(["/bin/bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=TIMEOUT)
    rows = parse_rows(result.stdout, "csv", ("mse",))
    assert [r[0] for r in rows] == [0, 1]
    assert [r[1] for r in rows] == numpy_losses(pred[:2], target[:2])["mse"].tolist()
    assert (tmp_path / "err.txt").read_text() == ""
    assert (tmp_path / "status.txt").read_text().strip() == "0"


# --------------------------------------------------------------------------- bounded memory

# ru_maxrss of a child counts the memory image it was forked from (Linux records the old image's
# high-water mark at exec), so a child of this large test process would report at least this
# process's size. A small launcher forks losscli instead and reports its peak RSS (KiB).
LAUNCHER = """
import os, sys
out = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
os.dup2(out, 1)
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
os.write(2, f"{usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}\\n".encode())
"""
WRITE_ROWS = 1_000_000  # rows generated and written at once


def write_inputs(directory: Path, layout: str, n: int) -> tuple[list[str], float, float]:
    """``n`` rows of normal pred/target as Parquet or an NPY pair, written a block at a time;
    returns the arguments naming them and Σ (p − t)², Σ |p − t| (float64, per block)."""
    rng = np.random.default_rng(8)
    directory.mkdir()
    counts = [min(WRITE_ROWS, n - start) for start in range(0, n, WRITE_ROWS)]
    sums = [0.0, 0.0]

    def block(count: int) -> tuple[np.ndarray, np.ndarray]:
        pred, target = rng.normal(size=count), rng.normal(size=count)
        sums[0] += float(np.square(pred - target).sum())
        sums[1] += float(np.abs(pred - target).sum())
        return pred, target

    if layout == "parquet":
        schema = pa.schema([("pred", pa.float64()), ("target", pa.float64())])
        with pq.ParquetWriter(directory / "run.parquet", schema) as writer:
            for count in counts:
                pred, target = block(count)
                writer.write_table(pa.table({"pred": pred, "target": target}, schema=schema), row_group_size=250_000)
        return [str(directory / "run.parquet")], sums[0], sums[1]
    files = [open(directory / f"{name}.npy", "wb") for name in ("pred", "target")]  # noqa: SIM115
    try:
        for file in files:
            np.lib.format.write_array_header_1_0(file, {"descr": "<f8", "fortran_order": False, "shape": (n,)})
        for count in counts:
            for file, values in zip(files, block(count)):
                file.write(values.tobytes())
    finally:
        for file in files:
            file.close()
    return [file.name for file in files], sums[0], sums[1]


def peak_rss_kib(args: list[str], out: Path) -> int:
    """Run ``losscli ARGS`` with stdout to ``out``; its peak resident set size in KiB."""
    result = subprocess.run([sys.executable, "-c", LAUNCHER, out, sys.executable, "-m", "losscli", *args],
                            capture_output=True, text=True, timeout=TIMEOUT)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].split()[1] == "0", result.stderr  # losscli itself wrote nothing to stderr
    return int(lines[0].split()[0])


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="peak RSS via wait4 is read as KiB on Linux")
@pytest.mark.parametrize("layout, n, output", [
    ("parquet", 1_000_000, ["--format", "json"]),
    ("npy_pair", 1_000_000, ["--format", "json"]),
    ("parquet", 200_000, ["--per-sample", "--format", "csv"]),  # rows streamed to stdout, not kept
])
def test_peak_memory_does_not_grow_with_the_rows(layout: str, n: int, output: list[str], tmp_path: Path) -> None:
    """N rows and 8N rows: the peak RSS barely moves, far below what keeping the extra rows would take."""
    peaks = {}
    for rows in (n, 8 * n):
        args, squares, absolutes = write_inputs(tmp_path / str(rows), layout, rows)
        out = tmp_path / f"out{rows}.txt"
        peaks[rows] = peak_rss_kib(["eval", *args, "--loss", "mse", "--loss", "mae", *output], out)
        if "--per-sample" in output:
            with open(out) as text:
                assert sum(1 for _ in text) == rows + 1  # the header and every row
        else:
            values, n_samples = reduced(out.read_text())
            assert n_samples == rows
            assert values["mse"] == pytest.approx(squares / rows, rel=1e-12)
            assert values["mae"] == pytest.approx(absolutes / rows, rel=1e-12)
        for path in (tmp_path / str(rows)).iterdir():
            path.unlink()  # a few hundred MB: do not leave them in the kept temporary directories
        out.unlink()
    small, large = peaks[n], peaks[8 * n]
    kept_rows_kib = 8 * n * 16 / 1024  # two float64 columns of every row
    assert large <= 1.3 * small + 15 * 1024, peaks
    assert large - small <= kept_rows_kib / 4, peaks


# --------------------------------------------------------------------------- streamed per-sample rows

N_ROWS = 100_000  # several engine chunks (16,384 rows of two columns) and Parquet batches
CHUNK_EDGES = [0, 16_383, 16_384, 16_385, 65_535, 65_536, N_ROWS - 1]


@dataclass(frozen=True)
class Rows:
    """pred/target with bad rows: NaN or ±inf in pred or target, or a missing target (empty CSV cell, Parquet null)."""

    pred: np.ndarray
    target: np.ndarray
    missing: np.ndarray  # target cells written as missing (their value here is NaN)

    @property
    def bad(self) -> np.ndarray:
        return ~(np.isfinite(self.pred) & np.isfinite(self.target))


def rows_with_holes(holes: bool) -> Rows:
    rng = np.random.default_rng(9)
    pred, target = rng.normal(size=N_ROWS) * 10.0 ** rng.integers(-6, 7, N_ROWS), rng.normal(size=N_ROWS)
    missing = np.zeros(N_ROWS, dtype=bool)
    if holes:
        bad = rng.random(N_ROWS) < 0.01
        bad[CHUNK_EDGES] = True
        kind = rng.integers(0, 4, N_ROWS)
        pred[bad & (kind == 0)] = np.nan
        pred[bad & (kind == 1)] = -np.inf
        target[bad & (kind == 2)] = np.inf
        missing = bad & (kind == 3)
        target[missing] = np.nan
    return Rows(pred, target, missing)


def write_rows(directory: Path, layout: str, rows: Rows) -> list[str]:
    if layout == "csv":
        cells = [repr(v) for v in rows.target.tolist()]
        for i in np.flatnonzero(rows.missing).tolist():
            cells[i] = ""
        lines = [f"{p!r},{t}" for p, t in zip(rows.pred.tolist(), cells)]
        (directory / "run.csv").write_text("pred,target\n" + "\n".join(lines) + "\n")
        return [str(directory / "run.csv")]
    if layout == "parquet":
        target = pa.array(rows.target, mask=rows.missing)
        pq.write_table(pa.table({"pred": rows.pred, "target": target}), directory / "run.parquet", row_group_size=30_000)
        return [str(directory / "run.parquet")]
    np.save(directory / "pred.npy", rows.pred)
    np.save(directory / "target.npy", rows.target)
    return [str(directory / "pred.npy"), str(directory / "target.npy")]


def streamed(args: list[str], fmt: str, nan: str) -> list[tuple[int, ...]]:
    result = cli("eval", *args, "--loss", "mse", "--loss", "mae", "--per-sample", "--format", fmt, *precision17(fmt),
                 "--nan", nan)
    assert (result.exit_code, result.stderr) == (0, ""), result.stderr
    return parse_rows(result.stdout, fmt, LOSSES)


def assert_rows(rows: list[tuple[int, ...]], index: np.ndarray, expected: dict[str, np.ndarray]) -> None:
    """``rows`` are exactly ``index`` in order, each loss the bits of ``expected`` (NaN where expected is NaN)."""
    got_index = np.array([r[0] for r in rows])
    assert len(rows) == len(index) and np.array_equal(got_index, index)
    for j, loss in enumerate(LOSSES, start=1):
        got = np.array([r[j] for r in rows], dtype=np.float64)
        assert np.array_equal(got, expected[loss], equal_nan=True), loss


ROW_LAYOUTS = ["csv", "parquet", "npy_pair"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
@pytest.mark.parametrize("layout", ROW_LAYOUTS)
def test_streamed_rows_are_every_row_in_order(layout: str, fmt: str, tmp_path: Path) -> None:
    rows = rows_with_holes(holes=False)
    streamed_rows = streamed(write_rows(tmp_path, layout, rows), fmt, "error")
    assert_rows(streamed_rows, np.arange(N_ROWS), numpy_losses(rows.pred, rows.target))


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
@pytest.mark.parametrize("layout", ROW_LAYOUTS)
def test_omitted_rows_are_absent_and_their_numbers_skipped(layout: str, fmt: str, tmp_path: Path) -> None:
    rows = rows_with_holes(holes=True)
    kept = np.flatnonzero(~rows.bad)
    assert rows.bad[CHUNK_EDGES].all() and 900 < rows.bad.sum() < 1200
    streamed_rows = streamed(write_rows(tmp_path, layout, rows), fmt, "omit")
    assert_rows(streamed_rows, kept, numpy_losses(rows.pred[kept], rows.target[kept]))


@pytest.mark.parametrize("layout", ROW_LAYOUTS)
def test_propagated_rows_stay_with_no_loss(layout: str, tmp_path: Path) -> None:
    rows = rows_with_holes(holes=True)
    expected = {loss: np.where(rows.bad, np.nan, values) for loss, values in numpy_losses(rows.pred, rows.target).items()}
    assert_rows(streamed(write_rows(tmp_path, layout, rows), "jsonl", "propagate"), np.arange(N_ROWS), expected)


@pytest.mark.parametrize("layout", ROW_LAYOUTS)
def test_omitted_rows_leave_the_exact_mean_of_the_rest(layout: str, tmp_path: Path) -> None:
    rows = rows_with_holes(holes=True)
    kept = ~rows.bad
    result = cli("eval", *write_rows(tmp_path, layout, rows), "--loss", "mse", "--loss", "mae", "--nan", "omit", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = strict_json(result.stdout)
    assert (doc["n_samples"], doc["n_omitted"]) == (int(kept.sum()), int(rows.bad.sum()))  # n_samples: rows evaluated
    data = {"pred": rows.pred[kept], "target": rows.target[kept]}
    for loss in LOSSES:
        assert doc["losses"][loss]["n"] == int(kept.sum())
        assert bits(doc["losses"][loss]["value"]) == bits(expected_mean(data, loss, weighted=False))
