"""What every reader provides: a :class:`Source` of named fields read in batches of rows.

A source is a table (CSV, TSV, Parquet, a structured NPY: fields are columns) or a set of
named arrays (NPY, NPZ: fields are arrays, each with its trailing shape). Nothing is read at
open but what tells the names, types and (where the format records it) the number of rows;
:meth:`Source.batches` then streams the fields a pass needs, a bounded batch at a time.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from losscli.errors import LossCliError

BATCH_ROWS = 65_536  # rows a reader decodes at once; the engine slices them into cache-sized chunks
NUMBER, LABEL = "number", "label"  # how a field is wanted: numeric (float/int) or as group/id labels


@dataclass(frozen=True)
class Field:
    """One column or array: its dtype kind (``f``, ``i``, ``u``, ``b``, or ``U``/``O`` for text) and trailing shape."""

    name: str
    kind: str
    shape: tuple[int, ...] = ()
    n_rows: int | None = None  # where an array's own length differs from the source's (NPZ members)

    @property
    def numeric(self) -> bool:
        return self.kind in "fiub"


def repeated_names(label: str, names: list[str]) -> dict[str, LossCliError]:
    """The refusal for each name a table's header holds more than once (which column is meant?)."""
    return {
        name: LossCliError(f"{label}: the header names column {name!r} more than once, so it is ambiguous",
                           "give each column its own name")
        for name in dict.fromkeys(names) if names.count(name) > 1
    }


class Source(ABC):
    """A readable input. ``n_rows`` is None where the format does not say (CSV, a stream)."""

    label: str
    is_table: bool
    fields: dict[str, Field]
    n_rows: int | None = None
    prefetch: bool = False  # decoding costs more than handing out slices: batches are read ahead on a thread
    refused: dict[str, LossCliError] = {}  # names that cannot be used (a repeated header name, a damaged member): raised when chosen
    rereadable: bool = True  # batches() may be called again (False for a stream that is read as it arrives)

    @property
    def names(self) -> list[str]:
        return list(self.fields)

    @abstractmethod
    def batches(self, wanted: dict[str, str]) -> Iterator[dict[str, np.ndarray]]:
        """Batches of rows, in file order, of the fields ``wanted`` (name -> NUMBER or LABEL).

        Every array of a batch has the same number of rows (its first axis). NUMBER fields come
        as int, float or bool arrays; LABEL fields as numbers or text.
        """

    def reread(self, wanted: dict[str, str]) -> Iterator[dict[str, np.ndarray]] | None:
        """Batches of an extra read before the pass (the classes of a label column), None if the source cannot give one."""
        return self.batches(wanted) if self.rereadable else None

    def read_position(self) -> tuple[int, int | None] | None:
        """Bytes read so far and the file's size (None for a stream), for a progress display.

        None where progress is better told in rows (formats that record ``n_rows``).
        """
        return None

    def close(self) -> None:
        """Release the file (readers that hold one override this)."""


class ArraySource(Source):
    """Arrays already in memory (the worked examples, the tests): batches are views of them."""

    def __init__(self, label: str, arrays: dict[str, np.ndarray], is_table: bool = False) -> None:
        self.label = label
        self.is_table = is_table
        self.arrays = {name: np.asarray(a) for name, a in arrays.items()}
        self.fields = {name: Field(name, a.dtype.kind, a.shape[1:]) for name, a in self.arrays.items()}
        lengths = {a.shape[0] if a.ndim else 0 for a in self.arrays.values()}
        self.n_rows = lengths.pop() if len(lengths) == 1 else None

    def batches(self, wanted: dict[str, str]) -> Iterator[dict[str, np.ndarray]]:
        arrays = {name: self.arrays[name] for name in wanted}
        n = min((a.shape[0] if a.ndim else 0 for a in arrays.values()), default=0)
        for start in range(0, n, BATCH_ROWS):
            yield {name: a[start:start + BATCH_ROWS] for name, a in arrays.items()}
        # arrays of different lengths: the longer ones' rest comes alone, so the pass can name the mismatch
        longest = max((a.shape[0] if a.ndim else 0 for a in arrays.values()), default=0)
        if longest > n:
            raise LossCliError(
                f"{self.label}: arrays {', '.join(repr(k) for k in arrays)} have different lengths "
                f"({', '.join(str(a.shape[0] if a.ndim else 0) for a in arrays.values())})",
                "every input needs one row per sample",
            )


def plain_numeric(array: np.ndarray, label: str, name: str) -> np.ndarray:
    """A numeric array as the losses take it: bool as float64; anything not numeric refused."""
    if array.dtype.kind == "b":
        return array.astype(np.float64)
    if array.dtype.kind not in "iuf":
        where = f" {'column' if name else 'array'} {name!r}" if name else ""
        raise LossCliError(f"{label}{where}: dtype {array.dtype} is not numeric", "losses need int, float or bool values")
    return array


def inexact_integers(values: np.ndarray) -> np.ndarray | None:
    """Where integer ``values`` change on the way to float64 (beyond ±2^53, only every other one is exact);
    None when there is no such value (or the dtype cannot hold one)."""
    if values.dtype.kind not in "iu" or values.dtype.itemsize < 8 or not values.size:
        return None
    with np.errstate(invalid="ignore"):
        changed = values.astype(np.float64).astype(values.dtype) != values
    return changed if changed.any() else None
