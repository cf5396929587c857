"""CSV and TSV (plain, gzip, or a stream), parsed block by block by ``pyarrow.csv``.

The header is read first, so every column in use gets an explicit type: float64 for numbers,
text for labels. Types never come from the first block, and floats are parsed correctly
rounded (pyarrow's parser; pandas 2.2's default C parser is not).
"""

from __future__ import annotations

import csv
import gzip
import math
import os
import re
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any

import numpy as np

from losscli.errors import LossCliError
from losscli.readers.arrow_columns import label_column, numeric_column
from losscli.readers.base import NUMBER, Field, Source, repeated_names
from losscli.readers.streams import Replay, file_size, read_head

_EXACT = float(2**53)  # float64 holds every integer up to this magnitude
BLOCK_BYTES = 1 << 20  # text parsed at once: bounds memory whatever the file's size, and the longest row
MAX_LINE_ENV = "LOSSCLI_MAX_LINE_BYTES"  # raises that bound, for rows of very many columns
MAX_LINE_CEILING = 1 << 30
GZIP_MAGIC = b"\x1f\x8b"
_NUMBER = r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)"
_NULLS = ("", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "N/A", "NA", "NULL",
          "NaN", "n/a", "nan", "null")  # pyarrow's defaults: read as missing (NaN)


class DelimitedSource(Source):
    """A CSV/TSV table. ``reopen`` opens the same bytes again (files only), to locate a bad cell."""

    is_table = True

    def __init__(self, stream: IO[bytes], label: str, fmt: str, reopen: Callable[[], IO[bytes]] | None = None) -> None:
        self.label = label
        # Read ahead on a thread only from a file: a read of a pipe can wait on its writer for ever, and a
        # source cannot be closed while its reader thread is inside such a read.
        self.prefetch = reopen is not None
        self.fmt = fmt
        self.delimiter = "\t" if fmt == "tsv" else ","
        self.reopen = reopen
        self.block_bytes = _block_bytes()
        self.size = file_size(stream)
        self.raw = Replay(b"", stream)  # counts the bytes read from the file
        self.stream = _text_stream(self.raw, label)
        head = self._read_header()
        self.header = head  # every name in file order, repeats included (pyarrow's column numbers index it)
        self.fields = {name: Field(name, "f") for name in head}
        self.refused = repeated_names(label, head)
        self._used = False
        self._huge: set[str] = set()

    def reread(self, wanted: dict[str, str]) -> Iterator[dict[str, np.ndarray]] | None:
        """The file read again from the start by a reader of its own (files only)."""
        if self.reopen is None:
            return None
        return _read_then_close(DelimitedSource(self.reopen(), self.label, self.fmt, self.reopen), wanted)

    def _read_header(self) -> list[str]:
        head = b""
        while b"\n" not in head and len(head) < self.block_bytes:
            more = _guarded(lambda: read_head(self.stream, 1 << 16), self.label, self.fmt)
            if not more:
                break
            head += more
        self.stream = Replay(head, self.stream)
        first = head.split(b"\n", 1)[0].rstrip(b"\r")
        if not first.strip():
            raise LossCliError(f"{self.label}: the file is empty", "a table needs a header line and data rows")
        try:
            text = first.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise LossCliError(f"{self.label}: cannot read as {self.fmt.upper()}: the header is not UTF-8 text",
                               "check the file and its extension") from None
        if b"\n" not in head and len(head) >= self.block_bytes:
            raise self._too_long("the header line")
        csv.field_size_limit(self.block_bytes)
        try:
            return next(csv.reader([text], delimiter=self.delimiter))
        except csv.Error as exc:
            raise LossCliError(f"{self.label}: cannot read the header line as {self.fmt.upper()} ({exc})", "check the file") from None

    def _too_long(self, what: str) -> LossCliError:
        return LossCliError(f"{self.label}: {what} is longer than {self.block_bytes:,} bytes, the longest row losscli reads",
                            f"check the file (is it {self.fmt.upper()}?), or set {MAX_LINE_ENV}=BYTES for rows of that many columns")

    def batches(self, wanted: dict[str, str]) -> Iterator[dict[str, np.ndarray]]:
        import pyarrow as pa
        import pyarrow.csv as pcsv

        if self._used:
            raise RuntimeError("a delimited source is read once")
        self._used = True
        names = list(wanted)
        try:
            reader = pcsv.open_csv(
                self.stream,
                read_options=pcsv.ReadOptions(block_size=self.block_bytes, use_threads=False),
                parse_options=pcsv.ParseOptions(delimiter=self.delimiter),
                convert_options=pcsv.ConvertOptions(
                    column_types={n: pa.float64() if wanted[n] == NUMBER else pa.string() for n in names},
                    include_columns=names),
            )
            rows = 0
            for batch in reader:
                columns = {}
                for i, name in enumerate(names):
                    column = batch.column(i)
                    if wanted[name] == NUMBER:
                        columns[name] = numeric_column(column, self.label, name)
                        self._check_huge(columns[name], name)
                    else:
                        columns[name] = label_column(column, self.label, name)
                rows += batch.num_rows
                yield columns
        except pa.ArrowInvalid as exc:
            raise self._error(exc) from None
        except _READ_ERRORS as exc:
            raise LossCliError(f"{self.label}: cannot read as {self.fmt.upper()}: {exc}", "check the file and its extension") from None
        if rows == 0:
            raise LossCliError(f"{self.label}: the table has a header but no data rows", "add one row per sample below the header")

    def _check_huge(self, values: np.ndarray, name: str) -> None:
        """Refuse integer text float64 cannot hold exactly (``9007199254740993`` would read as ...992).

        Only a column with a number of magnitude 2^53 or more is looked into, once, by reading it
        again as text (files only: a stream cannot be read twice).
        """
        if name in self._huge or not len(values) or self.reopen is None:
            return
        if np.fmax.reduce(values) < _EXACT and np.fmin.reduce(values) > -_EXACT:
            return
        self._huge.add(name)
        found = self._inexact_integer_text(name)
        if found is not None:
            row, text = found
            raise LossCliError(
                f"{self.label}: column {name!r} holds the integer {text} in row {row + 1}, which float64 cannot hold"
                f" exactly (it would read as {float(text):.0f})",
                "losses are computed in float64: subtract an offset so the integers stay within ±2^53")

    def _inexact_integer_text(self, column: str) -> tuple[int, str] | None:
        """The first cell of ``column`` that is an integer literal changed by float64 rounding: (row, text)."""
        import pyarrow.compute as pc

        offset = 0
        for cells in self._column_text(column):
            trimmed = pc.utf8_trim_whitespace(cells)
            long_integers = numeric_column(pc.match_substring_regex(trimmed, r"^[+-]?[0-9]{16,}$"), self.label, column)
            for at in np.flatnonzero(long_integers.astype(bool))[:1000].tolist():  # a bounded look, not every row
                text = trimmed[at].as_py()
                if len(text.lstrip("+-0")) > 309 or math.isinf(as_float := float(text)):
                    continue  # beyond the double range: read as ±inf, which --nan handles
                if int(text) != int(as_float):
                    return offset + at, text
            offset += len(cells)
        return None

    def _column_text(self, column: str) -> Iterator[Any]:
        """The cells of ``column`` as Arrow text, batch by batch, from the file read again (``reopen``)."""
        import pyarrow as pa
        import pyarrow.csv as pcsv

        assert self.reopen is not None
        stream = _text_stream(self.reopen(), self.label)
        try:
            reader = pcsv.open_csv(
                stream,
                read_options=pcsv.ReadOptions(block_size=self.block_bytes, use_threads=False),
                parse_options=pcsv.ParseOptions(delimiter=self.delimiter),
                convert_options=pcsv.ConvertOptions(column_types={column: pa.string()}, include_columns=[column],
                                                    strings_can_be_null=False),
            )
            for batch in reader:
                yield batch.column(0)
        finally:
            stream.close()

    def _error(self, exc: Exception) -> LossCliError:
        text = str(exc)
        # from pyarrow's message, not an invalid_row_handler: pyarrow decodes a row as UTF-8 before calling one,
        # and a row of binary bytes then prints a traceback
        ragged = re.search(r"(?:Row #(\d+): )?Expected (\d+) columns, got (\d+)", text)
        if ragged:
            line = int(ragged.group(1)) if ragged.group(1) else None
            expected, actual = int(ragged.group(2)), int(ragged.group(3))
            where = f"row {line - 1} (line {line})" if line is not None else "a row"
            more = ", more fields than the header" if actual > expected else ""
            return LossCliError(
                f"{self.label}: malformed {self.fmt.upper()}: {where} has {actual} fields but the header has {expected}{more}",
                "every row needs as many fields as the header",
            )
        found = re.search(r"column #(\d+): (?:Row #(\d+): )?CSV conversion error to double: invalid value '(.*)'", text)
        if found:
            column = self.header[int(found.group(1))]
            line = int(found.group(2)) if found.group(2) else None
            return self._bad_number(column, found.group(3), line)
        if "straddling object straddles two block boundaries" in text:
            return self._too_long("a row (or a quoted cell)")
        if "Empty CSV" in text:
            return LossCliError(f"{self.label}: the file is empty", "a table needs a header line and data rows")
        return LossCliError(f"{self.label}: malformed {self.fmt.upper()}: {text.splitlines()[0]}", "check the file")

    def _bad_number(self, column: str, value: str, line: int | None) -> LossCliError:
        """The first non-numeric cell of ``column``, with how many there are when the file can be read again."""
        hint = "losses need numbers; fix the cell or select another column"
        where = f" in row {line - 1}," if line is not None else " in"
        named = LossCliError(f"{self.label}: non-numeric value {value!r}{where} column {column!r}", hint)
        if self.reopen is None:
            return named
        import pyarrow as pa
        import pyarrow.compute as pc

        first: tuple[int, str] | None = None
        count, offset = 0, 0
        try:
            for cells in self._column_text(column):
                numeric = pc.match_substring_regex(pc.utf8_trim_whitespace(cells), f"^{_NUMBER}$", ignore_case=True)
                bad = pc.and_(pc.invert(numeric), pc.invert(pc.is_in(cells, value_set=pa.array(_NULLS))))
                flags = numeric_column(bad, self.label, column).astype(bool)
                if flags.any():
                    count += int(flags.sum())
                    if first is None:
                        at = int(np.argmax(flags))
                        first = (offset + at, cells[at].as_py())
                offset += len(cells)
        except pa.ArrowInvalid:  # the column is not even UTF-8 text: no count, just the cell pyarrow named
            return named
        if first is None:
            return named
        row, cell = first
        such = f"{count} such cell{'' if count == 1 else 's'}"
        return LossCliError(f"{self.label}: non-numeric value {cell!r} in row {row + 1}, column {column!r} ({such})", hint)

    def read_position(self) -> tuple[int, int | None]:
        return self.raw.given, self.size

    def close(self) -> None:
        self.stream.close()


def _read_then_close(source: DelimitedSource, wanted: dict[str, str]) -> Iterator[dict[str, np.ndarray]]:
    try:
        yield from source.batches(wanted)
    finally:
        source.close()


def _block_bytes() -> int:
    text = os.environ.get(MAX_LINE_ENV, "")
    if not text:
        return BLOCK_BYTES
    if not text.isdigit() or not BLOCK_BYTES <= int(text) <= MAX_LINE_CEILING:
        raise LossCliError(f"{MAX_LINE_ENV}={text!r} is not a number of bytes from {BLOCK_BYTES} to {MAX_LINE_CEILING}",
                           f"e.g. {MAX_LINE_ENV}={BLOCK_BYTES * 16}")
    return int(text)


def _text_stream(stream: IO[bytes], label: str) -> IO[bytes]:
    """``stream``, decompressed when it starts with the gzip magic bytes."""
    magic = read_head(stream, 2)
    replay: IO[bytes] = Replay(magic, stream)  # type: ignore[assignment]
    if magic == GZIP_MAGIC:
        return gzip.GzipFile(fileobj=replay, mode="rb")  # type: ignore[return-value]
    return replay


_READ_ERRORS = (OSError, EOFError, zlib.error, UnicodeDecodeError)


def _guarded(read: Callable[[], bytes], label: str, fmt: str) -> bytes:
    try:
        return read()
    except _READ_ERRORS as exc:
        raise LossCliError(f"{label}: cannot read as {fmt.upper()}: {exc}", "check the file and its extension") from None
