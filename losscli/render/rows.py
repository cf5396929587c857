"""Per-sample rows as JSON Lines, CSV or TSV: an ``index`` column, then one column per loss spec.

The same formatting serves rows streamed during the pass (:class:`RowWriter`, so ``| head``
returns at once and memory stays constant) and rows kept for the end (``--worst``). CSV/TSV
values are rounded to ``--precision`` significant digits and non-finite losses are empty cells;
JSON Lines keeps full precision and writes non-finite losses as null.
"""

from __future__ import annotations

import csv
import io
import sys
from typing import IO

import numpy as np

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
        if not len(index):
            return ""
        if self.fmt == "jsonl":
            columns = [_json_texts(v) for v in values]
            rows = zip(index.tolist(), *columns)
            return "".join(
                '{"index": ' + str(row[0]) + "".join(f", {k}: {t}" for k, t in zip(self.keys, row[1:])) + "}\n" for row in rows
            )
        columns = [_rounded_texts(v, self.digits) for v in values]
        return self._delimited(zip(index.tolist(), *columns))

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
        out = self.out or sys.stdout
        if not self.started:
            out.write(self.formatter.header())
            self.started = True
        out.write(self.formatter.lines(index, values))


def _json_texts(values: np.ndarray) -> list[str]:
    texts = list(map(repr, values.tolist()))
    finite = np.isfinite(values)
    if not finite.all():
        for i in np.flatnonzero(~finite).tolist():
            texts[i] = "null"
    return texts


def _rounded_texts(values: np.ndarray, digits: int) -> list[str]:
    texts = np.char.mod(f"%.{digits}g", values).astype(object)
    texts[~np.isfinite(values)] = ""
    return texts.tolist()
