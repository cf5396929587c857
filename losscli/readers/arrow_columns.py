"""Arrow arrays to NumPy straight from their buffers (Arrow's own ``to_numpy`` imports pandas)."""

from __future__ import annotations

from typing import Any

import numpy as np

from losscli.errors import LossCliError
from losscli.readers.base import inexact_integers


def arrow_kind(arrow_type: Any) -> str:
    """The NumPy dtype kind a column of ``arrow_type`` reads as: ``f``/``i``/``u``/``b``, ``U`` for text, ``?`` otherwise."""
    import pyarrow as pa

    if pa.types.is_floating(arrow_type):
        return "f"
    if pa.types.is_signed_integer(arrow_type):
        return "i"
    if pa.types.is_unsigned_integer(arrow_type):
        return "u"
    if pa.types.is_boolean(arrow_type):
        return "b"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_dictionary(arrow_type):
        return "U"
    return "?"


def numeric_column(array: Any, label: str, name: str) -> np.ndarray:
    """A numeric Arrow array as NumPy; nulls become NaN (and integers with nulls float64)."""
    import pyarrow as pa

    kind = array.type
    if pa.types.is_boolean(kind):
        values = _unpack_bits(array.buffers()[1], array.offset, len(array)).astype(np.float64)
    elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
        dtype = np.dtype(f"{arrow_kind(kind)}{kind.bit_width // 8}")
        if dtype.kind == "f" and dtype.itemsize == 2:
            dtype = np.dtype(np.float16)
        values = np.frombuffer(array.buffers()[1], dtype=dtype, count=len(array) + array.offset)[array.offset:]
    else:
        raise LossCliError(f"{label}: column {name!r} has type {kind}, not numbers", "select numeric columns")
    if array.null_count:
        valid = _unpack_bits(array.buffers()[0], array.offset, len(array))
        inexact = inexact_integers(values[valid])
        if inexact is not None:
            raise LossCliError(
                f"{label}: column {name!r} has nulls, so its integers would be read as float64, which cannot hold"
                f" {values[valid][np.argmax(inexact)]} exactly",
                "fill the nulls, or subtract an offset so the integers stay within ±2^53",
            )
        values = np.where(valid, values, np.nan)
    return values


def label_column(array: Any, label: str, name: str) -> np.ndarray:
    """Group or id labels: numbers as NumPy numbers, text as a NumPy str array (null as '')."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if arrow_kind(array.type) in "fiub":
        return numeric_column(array, label, name)
    if not pa.types.is_dictionary(array.type):
        if arrow_kind(array.type) != "U":
            raise LossCliError(f"{label}: column {name!r} has type {array.type}, not numbers or text", "name another column")
        array = pc.dictionary_encode(array)
    words = np.array([*array.dictionary.to_pylist(), ""], dtype=str)  # each distinct text once, then '' for null
    indices = numeric_column(pc.fill_null(array.indices, len(words) - 1), label, name).astype(np.intp)
    return words[indices]


def _unpack_bits(buffer: Any, offset: int, length: int) -> np.ndarray:
    bits = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), bitorder="little")
    return bits[offset:offset + length].astype(bool)
