"""One pass over several sources at once: row-aligned chunks of at most ``chunk_rows`` rows.

Each source is read once, for every field any role wants from it. Sources batch rows their own
way (CSV blocks, Parquet batches, NPY slices), so a chunk ends where the first of the current
batches ends; chunks are views, never copies. Sources of different lengths are an error naming
both counts, found when the shorter one ends (or before reading, when the formats record them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from losscli.errors import LossCliError
from losscli.readers.base import Source
from losscli.readers.prefetch import Prefetch


@dataclass
class Chunk:
    """Rows ``offset .. offset + n − 1`` (0-based, file order) of every source: ``arrays[i][name]``."""

    offset: int
    n: int
    arrays: list[dict[str, np.ndarray]]


@dataclass
class _Cursor:
    batches: Iterator[dict[str, np.ndarray]]
    batch: dict[str, np.ndarray] | None = None
    length: int = 0
    position: int = 0
    done: bool = False

    def remaining(self) -> int:
        """Rows left in the current batch, reading the next non-empty one when it is used up (0 at the end)."""
        while not self.done and self.position >= self.length:
            batch = next(self.batches, None)
            if batch is None:
                self.done, self.batch, self.length, self.position = True, None, 0, 0
            else:
                self.batch, self.position = batch, 0
                self.length = next(iter(batch.values())).shape[0] if batch else 0
        return self.length - self.position

    def take(self, n: int) -> dict[str, np.ndarray]:
        assert self.batch is not None
        start = self.position
        self.position += n
        return {name: a[start:start + n] for name, a in self.batch.items()}

    def drain(self) -> int:
        """Count the rows left without keeping them."""
        count = 0
        while (left := self.remaining()) > 0:
            count += left
            self.position = self.length
        return count


def scan(
    reads: list[tuple[Source, dict[str, str]]], chunk_rows: int,
    mismatch: Callable[[list[int]], LossCliError] | None = None,
) -> Iterator[Chunk]:
    """Row-aligned chunks over ``reads`` (source, fields wanted); ``mismatch(counts)`` builds the
    error raised when the sources turn out to hold different numbers of rows."""
    cursors = [_Cursor(Prefetch(source.batches(wanted)) if source.prefetch else source.batches(wanted))
               for source, wanted in reads]
    offset = 0
    try:
        while True:
            left = [c.remaining() for c in cursors]
            if all(n == 0 for n in left):
                return
            if any(n == 0 for n in left):
                counts = [offset + c.drain() for c in cursors]
                raise (mismatch(counts) if mismatch else LossCliError(f"the inputs have different lengths ({counts})"))
            n = min(min(left), chunk_rows)
            yield Chunk(offset, n, [c.take(n) for c in cursors])
            offset += n
    finally:
        for cursor in cursors:
            close = getattr(cursor.batches, "close", None)
            if close is not None:
                close()
