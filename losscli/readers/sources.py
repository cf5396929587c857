"""Read one input file (or stdin) into named numeric columns or arrays.

A :class:`Source` is either a table (CSV, TSV, Parquet, a structured NPY) whose columns are
selected by name, or a set of named arrays (NPY, NPZ). Heavy modules (pandas, pyarrow) are
imported only when a file of theirs is read. NPY/NPZ never unpickle: a file cannot run code.
"""

from __future__ import annotations

import io
import os
import re
import sys
import warnings
from dataclasses import dataclass, field
from typing import IO, Callable

import numpy as np

from losscli.errors import LossCliError
from losscli.readers.formats import STDIN, detect_format

Loader = Callable[[list[str]], list[np.ndarray]]
LabelLoader = Callable[[str], np.ndarray]


@dataclass
class Source:
    """A readable input: ``names`` lists its columns (tables) or arrays; ``load`` returns them."""

    label: str
    is_table: bool
    names: list[str]
    load: Loader = field(repr=False)
    labels: LabelLoader | None = field(default=None, repr=False)  # one column as numbers or text (--group-by, --id-col)


def open_source(path: str, input_format: str | None, stdin: IO[bytes] | None = None) -> Source:
    """Open ``path`` (or ``-`` for stdin) as a :class:`Source`, raising clear errors for bad files."""
    if path != STDIN and not os.path.exists(path):
        raise LossCliError(f"{path}: no such file", "check the path")
    if path != STDIN and os.path.isdir(path):
        raise LossCliError(f"{path}: is a directory, not a file", "name a file inside it")
    fmt = detect_format(path, input_format)
    if path == STDIN:
        stream = stdin if stdin is not None else sys.stdin.buffer
        data: str | io.BytesIO = io.BytesIO(stream.read())
        label = "<stdin>"
    else:
        data, label = path, path
    readers = {"csv": _read_delimited, "tsv": _read_delimited, "npy": _read_npy, "npz": _read_npz, "parquet": _read_parquet}
    return readers[fmt](data, label, fmt)


def _read_delimited(data: str | io.BytesIO, label: str, fmt: str) -> Source:
    import pandas as pd

    try:
        with warnings.catch_warnings():
            # index_col=False: rows longer than the header must not silently become an index column
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                data, sep="\t" if fmt == "tsv" else ",", compression="gzip" if _is_gzip(data) else None,
                index_col=False,
            )
    except pd.errors.ParserWarning:
        raise LossCliError(
            f"{label}: malformed {fmt.upper()}: data rows have more fields than the header",
            "every row needs as many fields as the header",
        ) from None
    except pd.errors.EmptyDataError:
        raise LossCliError(f"{label}: the file is empty", "a table needs a header line and data rows") from None
    except pd.errors.ParserError as exc:
        raise LossCliError(f"{label}: malformed {fmt.upper()}: {_parser_message(exc)}", "every row needs as many fields as the header") from None
    except (UnicodeDecodeError, OSError, EOFError) as exc:
        raise LossCliError(f"{label}: cannot read as {fmt.upper()}: {exc}", "check the file and its extension") from None
    if len(frame) == 0:
        raise LossCliError(f"{label}: the table has a header but no data rows", "add one row per sample below the header")
    names = [str(c) for c in frame.columns]

    def load(selected: list[str]) -> list[np.ndarray]:
        return [_numeric_column(frame[name], label, name) for name in selected]

    def labels(name: str) -> np.ndarray:
        column = frame[name]
        if pd.api.types.is_numeric_dtype(column.dtype):
            return column.to_numpy()
        return column.fillna("").astype(str).to_numpy(dtype=str)

    return Source(label, True, names, load, labels)


def _head(data: str | io.BytesIO, size: int) -> bytes:
    """The first ``size`` bytes of a path or buffer (the buffer's position is left alone)."""
    if isinstance(data, str):
        with open(data, "rb") as fh:
            return fh.read(size)
    return data.getvalue()[:size]


def _is_gzip(data: str | io.BytesIO) -> bool:
    return _head(data, 2) == b"\x1f\x8b"


def _parser_message(exc: Exception) -> str:
    """pandas counts file lines (header = line 1); say the data row too, as every other message does."""
    text = str(exc).strip().splitlines()[-1].replace("Error tokenizing data. C error: ", "")
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", text)
    if found:
        expected, line, saw = (int(g) for g in found.groups())
        return f"row {line - 1} (line {line}) has {saw} fields but the header has {expected}"
    return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _numeric_column(column: object, label: str, name: str) -> np.ndarray:
    import pandas as pd

    series: pd.Series = column  # type: ignore[assignment]
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.to_numpy(dtype=np.float64)
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.to_numpy()
        return values if values.dtype.kind in "iuf" else values.astype(np.float64)
    converted = pd.to_numeric(series, errors="coerce")
    bad = converted.isna() & series.notna()
    if bad.any():
        row = int(np.argmax(bad.to_numpy()))
        raise LossCliError(
            f"{label}: non-numeric value {series.iloc[row]!r} in row {row + 1}, column {name!r}"
            f" ({_count(int(bad.sum()), 'such cell')})",
            "losses need numbers; fix the cell or select another column",
        )
    return converted.to_numpy(dtype=np.float64)


def _read_npy(data: str | io.BytesIO, label: str, fmt: str) -> Source:
    array = _load_numpy(data, label)
    if not isinstance(array, np.ndarray):
        raise LossCliError(f"{label}: holds several arrays, so it is an NPZ archive", "name it .npz or pass --input-format npz")
    if array.dtype.names:
        names = list(array.dtype.names)
        return Source(label, True, names, lambda sel: [_plain(array[n], label, n) for n in sel], lambda n: array[n])
    return Source(label, False, [""], lambda sel: [_plain(array, label, "")])


def _read_npz(data: str | io.BytesIO, label: str, fmt: str) -> Source:
    archive = _load_numpy(data, label)
    if isinstance(archive, np.ndarray):
        raise LossCliError(f"{label}: is a single NPY array, not an NPZ archive", "name it .npy or pass --input-format npy")
    names = list(archive.files)
    if not names:
        raise LossCliError(f"{label}: the archive holds no arrays")

    def load(selected: list[str]) -> list[np.ndarray]:
        try:
            return [_plain(archive[n], label, n) for n in selected]
        except ValueError as exc:
            raise LossCliError(f"{label}: {_numpy_message(exc)}", "save plain numeric arrays") from None

    def labels(name: str) -> np.ndarray:
        try:
            return np.asarray(archive[name])
        except ValueError as exc:
            raise LossCliError(f"{label}: {_numpy_message(exc)}", "save numbers or fixed-width strings") from None

    return Source(label, False, names, load, labels)


NPY_MAGIC, ZIP_MAGIC = b"\x93NUMPY", b"PK\x03\x04"


def _load_numpy(data: str | io.BytesIO, label: str) -> object:
    head = _head(data, len(NPY_MAGIC))
    if not (head.startswith(NPY_MAGIC) or head.startswith(ZIP_MAGIC)):
        raise LossCliError(f"{label}: not a valid NPY/NPZ file (no NumPy header)", "check the file and its extension")
    try:
        return np.load(data, allow_pickle=False)
    except ValueError as exc:
        raise LossCliError(f"{label}: {_numpy_message(exc)}", "save plain numeric arrays with numpy.save") from None
    except (OSError, EOFError) as exc:
        raise LossCliError(f"{label}: not a valid NPY/NPZ file ({exc})", "check the file and its extension") from None


def _numpy_message(exc: Exception) -> str:
    text = str(exc)
    if "allow_pickle" in text or "pickle" in text:
        return "holds pickled Python objects, which losscli refuses to load (they could run code)"
    return f"not a valid NPY file ({text})"


def _plain(array: np.ndarray, label: str, name: str) -> np.ndarray:
    if array.dtype.kind == "b":
        return array.astype(np.float64)
    if array.dtype.kind not in "iuf":
        where = f" array {name!r}" if name else ""
        raise LossCliError(f"{label}{where}: dtype {array.dtype} is not numeric", "losses need int, float or bool arrays")
    if array.ndim == 0:
        raise LossCliError(f"{label}: holds a single number, not an array of samples")
    return array


def _read_parquet(data: str | io.BytesIO, label: str, fmt: str) -> Source:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(data)
        names = list(parquet.schema_arrow.names)
    except (pa.ArrowException, OSError) as exc:
        raise LossCliError(f"{label}: not a valid Parquet file ({exc})", "check the file and its extension") from None
    if parquet.metadata.num_rows == 0:
        raise LossCliError(f"{label}: the table has columns but no rows")

    def load(selected: list[str]) -> list[np.ndarray]:
        try:
            table = parquet.read(columns=selected)
        except (pa.ArrowException, OSError) as exc:
            raise LossCliError(f"{label}: cannot read Parquet columns ({exc})", "check the file") from None
        return [_arrow_column(table.column(name), label, name) for name in selected]

    def labels(name: str) -> np.ndarray:
        import pyarrow.compute as pc

        column = parquet.read(columns=[name]).column(name)
        if pa.types.is_integer(column.type) or pa.types.is_floating(column.type) or pa.types.is_boolean(column.type):
            return _arrow_column(column, label, name)
        encoded = pc.dictionary_encode(pc.fill_null(column.combine_chunks().cast(pa.string()), ""))  # each text once
        words = np.array(encoded.dictionary.to_pylist(), dtype=str)
        return words[_arrow_column(pa.chunked_array([encoded.indices]), label, name)]

    return Source(label, True, names, load, labels)


def _arrow_column(column: object, label: str, name: str) -> np.ndarray:
    """A numeric Arrow column as NumPy, straight from its buffers (Arrow's to_numpy imports pandas)."""
    import pyarrow as pa

    array = column.combine_chunks()  # type: ignore[attr-defined]
    kind = array.type
    if pa.types.is_boolean(kind):
        values = _unpack_bits(array.buffers()[1], array.offset, len(array)).astype(np.float64)
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
        dtype = np.dtype(f"{'f' if pa.types.is_floating(kind) else 'i' if pa.types.is_signed_integer(kind) else 'u'}{kind.bit_width // 8}")
        values = np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array) + array.offset)[array.offset:]
    else:
        raise LossCliError(f"{label}: column {name!r} has type {kind}, not numbers", "select numeric columns")
    if array.null_count:
        valid = _unpack_bits(array.buffers()[0], array.offset, len(array))
        values = np.where(valid, values, np.nan)
    return values


def _unpack_bits(buffer: object, offset: int, length: int) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")  # type: ignore[call-overload]
    return bits[offset:offset + length].astype(bool)
