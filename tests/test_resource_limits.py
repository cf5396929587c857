"""Inputs that never end or claim too much: each stops at a stated limit, with an error naming how to raise it."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from conftest import strict_json, usage_error
from test_hostile_exits import losscli, shell

ROWS = "pred,target\n1,2\n3,5\n"


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_dev_zero_as_a_table_file_stops_at_the_header(tmp_path: Path, fmt: str) -> None:
    usage_error(losscli("eval", "/dev/zero", "--input-format", fmt, "--loss", "mse", cwd=tmp_path),
                "the header line is longer than 1,048,576 bytes", "LOSSCLI_MAX_LINE_BYTES")


@pytest.mark.parametrize("fmt, fragment", [
    ("csv", "the header line is longer"), ("tsv", "the header line is longer"), ("npy", "no NumPy header"),
    ("npz", "no NumPy header"), ("parquet", "does not start with PAR1"),
])
def test_dev_zero_on_stdin_stops_at_once(tmp_path: Path, fmt: str, fragment: str) -> None:
    usage_error(shell(f"losscli eval - --input-format {fmt} --loss mse < /dev/zero", tmp_path), fragment)


def test_an_endless_parquet_stream_stops_at_the_spool_limit(tmp_path: Path) -> None:
    command = "(printf PAR1; cat /dev/zero) | losscli eval - --input-format parquet --loss mse"
    usage_error(shell(command, tmp_path, env={"LOSSCLI_MAX_SPOOL_BYTES": "3000000"}),
                "more than 3,000,000 bytes", "LOSSCLI_MAX_SPOOL_BYTES")


def test_the_spool_limit_leaves_a_stream_within_it_alone(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"pred": [1.0, 3.0], "target": [2.0, 5.0]}), tmp_path / "run.parquet")
    size = (tmp_path / "run.parquet").stat().st_size
    command = "losscli eval - --input-format parquet --loss mse --format json < run.parquet"
    result = shell(command, tmp_path, env={"LOSSCLI_MAX_SPOOL_BYTES": str(size)})
    assert result.exit_code == 0, result.stderr
    assert strict_json(result.stdout)["losses"]["mse"]["value"] == 2.5
    usage_error(shell(command, tmp_path, env={"LOSSCLI_MAX_SPOOL_BYTES": str(size - 1)}), f"more than {size - 1:,} bytes")
    usage_error(shell(command, tmp_path, env={"LOSSCLI_MAX_SPOOL_BYTES": "lots"}), "LOSSCLI_MAX_SPOOL_BYTES='lots'")


def test_a_fortran_npy_stream_is_copied_no_further_than_its_header_declares(tmp_path: Path) -> None:
    np.save(tmp_path / "p.npy", np.asfortranarray(np.ones((4, 2))))
    (tmp_path / "t.npy").write_bytes((tmp_path / "p.npy").read_bytes())
    usage_error(shell("cat p.npy /dev/zero | losscli eval - t.npy --input-format npy --loss mse", tmp_path),
                "more than its header declares")


@pytest.mark.parametrize("quoted", [False, True])
def test_a_row_longer_than_the_line_limit_names_it_and_the_limit_can_be_raised(tmp_path: Path, quoted: bool) -> None:
    cell = "x" * (3 << 20)
    (tmp_path / "wide.csv").write_text(f"pred,target,note\n1,2,a\n3,5,{chr(34) + cell + chr(34) if quoted else cell}\n")
    usage_error(losscli("eval", "wide.csv", "--loss", "mse", cwd=tmp_path),
                "a row (or a quoted cell) is longer than 1,048,576 bytes", "LOSSCLI_MAX_LINE_BYTES")
    raised = losscli("eval", "wide.csv", "--loss", "mse", "--format", "json", cwd=tmp_path,
                     env={"LOSSCLI_MAX_LINE_BYTES": str(8 << 20)})
    assert raised.exit_code == 0, raised.stderr
    assert strict_json(raised.stdout)["losses"]["mse"]["value"] == 2.5


def test_a_line_limit_outside_its_range_is_refused(tmp_path: Path) -> None:
    (tmp_path / "run.csv").write_text(ROWS)
    for value in ("12", "x", str(1 << 31)):
        usage_error(losscli("eval", "run.csv", "--loss", "mse", cwd=tmp_path, env={"LOSSCLI_MAX_LINE_BYTES": value}),
                    "LOSSCLI_MAX_LINE_BYTES")


def test_a_gzip_bomb_streams_in_bounded_memory(tmp_path: Path) -> None:
    """40 MB of rows from a 60 KB file: read as a stream under a 1.5 GB address-space limit, never expanded whole."""
    with gzip.open(tmp_path / "bomb.csv.gz", "wb", compresslevel=9) as out:
        out.write(b"pred,target\n")
        block = b"1.0,3.0\n" * 100_000
        for _ in range(50):
            out.write(block)
    result = shell("ulimit -v 1500000; losscli eval bomb.csv.gz --loss mse --format json", tmp_path)
    assert result.exit_code == 0, result.stderr
    mse = strict_json(result.stdout)["losses"]["mse"]
    assert (mse["value"], mse["n"]) == (4.0, 5_000_000)


def test_a_huge_header_name_is_cut_in_messages(tmp_path: Path) -> None:
    (tmp_path / "h.csv").write_text("a" * 200_000 + ",b\n1,2\n")
    line = usage_error(losscli("eval", "h.csv", "--loss", "mse", cwd=tmp_path), "no pred column", "(200000 characters)")
    assert len(line) < 1000


def test_groups_beyond_the_limit_stop_with_how_to_raise_it(tmp_path: Path) -> None:
    rows = "".join(f"{i * 0.5},{i},{i * 1.25}\n" for i in range(300))
    (tmp_path / "g.csv").write_text("pred,target,g\n" + rows)
    usage_error(losscli("eval", "g.csv", "--loss", "mse", "--group-by", "g", cwd=tmp_path, env={"LOSSCLI_MAX_GROUPS": "100"}),
                "more than 100 distinct values", "LOSSCLI_MAX_GROUPS")
    raised = losscli("eval", "g.csv", "--loss", "mse", "--group-by", "g", "--format", "json", cwd=tmp_path,
                     env={"LOSSCLI_MAX_GROUPS": "300"})
    assert raised.exit_code == 0 and len(strict_json(raised.stdout)["groups"]["rows"]) == 300
