"""Per-sample rows as JSON Lines, CSV or TSV: an ``index`` column, then one column per loss spec.

The same formatting serves rows streamed during the pass (:class:`RowWriter`, so ``| head``
returns at once and memory stays constant) and rows kept for the end (``--worst``). CSV/TSV
values are rounded to ``--precision`` significant digits and non-finite losses are empty cells;
JSON Lines keeps full precision (shortest round-trip decimals) and writes non-finite losses as
null. Rows are built column-wise, never with a loop per row.
"""

from __future__ import annotations

import csv
import io
import sys
from typing import IO

import numpy as np

from losscli.exact import all_finite
from losscli.render.json_doc import dumps

ROW_FORMATS = ("jsonl", "csv", "tsv")


class RowFormatter:
    def __init__(self, fmt: str, specs: list[str], digits: int) -> None:
        self.fmt, self.specs, self.digits = fmt, specs, digits
        self.keys = [dumps(spec) for spec in specs]

    def header(self) -> str:
        if self.fmt == "jsonl":
            return ""
        return self._delimited([["index", *self.specs]])

    def lines(self, index: np.ndarray, values: list[np.ndarray]) -> str:
        """The rows' text: cells interleaved with the constant separators, joined once (no loop per row)."""
        if not len(index):
            return ""
        if self.fmt == "jsonl":
            return _json_lines(['{"index": ', *(f", {k}: " for k in self.keys), "}\n"], index, values)
        cells = [_rounded_texts(v, self.digits) for v in values]
        sep = "," if self.fmt == "csv" else "\t"
        return _interleave(["", *([sep] * len(values)), "\n"], [list(map(str, index.tolist())), *cells])

    def _delimited(self, rows: object) -> str:
        out = io.StringIO()
        csv.writer(out, delimiter="," if self.fmt == "csv" else "\t", lineterminator="\n").writerows(rows)  # type: ignore[arg-type]
        return out.getvalue()


class RowWriter:
    """A sink of the pass that writes each chunk's rows to ``out`` (stdout) as they are computed."""

    def __init__(self, formatter: RowFormatter, out: IO[str] | None = None) -> None:
        self.formatter = formatter
        self.out = out
        self.started = False

    def fold(self, index: np.ndarray, values: list[np.ndarray]) -> None:
        text = self.formatter.lines(index, values)
        if not self.started:  # the header in the same write as the first rows: a failed write leaves neither
            text = self.formatter.header() + text
            self.started = True
        (self.out or sys.stdout).write(text)


def _interleave(between: list[str], columns: list[list[str]]) -> str:
    """``between[0] + col0[i] + between[1] + col1[i] + … + between[-1]`` for every row i, concatenated."""
    n, width = len(columns[0]), len(between) + len(columns)
    pieces: list[str] = [""] * (n * width)
    for j, text in enumerate(between):
        pieces[2 * j::width] = [text] * n
    for j, column in enumerate(columns):
        pieces[2 * j + 1::width] = column
    return "".join(pieces)


def _json_lines(between: list[str], index: np.ndarray, values: list[np.ndarray]) -> str:
    """JSON Lines of the rows, built by pyarrow's vectorised kernels: each loss as its shortest
    round-trip decimal (``3``, ``0.1``, ``1e-7``), null when not finite."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pieces: list[object] = [pa.scalar(between[0]), pc.cast(pa.array(index), pa.string())]
    for text, column in zip(between[1:], values):
        finite = np.isfinite(column)
        cells = pc.cast(pa.array(column, mask=None if finite.all() else ~finite), pa.string())
        pieces += [pa.scalar(text), pc.fill_null(cells, "null")]
    pieces.append(pa.scalar(between[-1]))
    lines = pc.binary_join_element_wise(*pieces, "")
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
    return bytes(memoryview(lines.buffers()[2])[offsets[0]:offsets[-1]]).decode("ascii")


def _rounded_texts(values: np.ndarray, digits: int) -> list[str]:
    """``digits`` significant digits, an empty cell for a non-finite loss."""
    return _blank_nonfinite(list(map(f"%.{digits}g".__mod__, values.tolist())), values, "")


def _blank_nonfinite(texts: list[str], values: np.ndarray, blank: str) -> list[str]:
    if not all_finite(values):
        for i in np.flatnonzero(~np.isfinite(values)).tolist():
            texts[i] = blank
    return texts
