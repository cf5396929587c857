"""The read-ahead thread: same batches in the same order, errors where they occur, nothing left running."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from losscli.errors import LossCliError
from losscli.readers.prefetch import Prefetch


def _workers() -> int:
    return sum(t.name == "losscli-reader" for t in threading.enumerate())


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(), max_size=20), st.integers(1, 3))
def test_batches_come_in_order(items: list[int], depth: int) -> None:
    assert list(Prefetch(iter(items), depth)) == items
    assert _workers() == 0


def test_an_error_comes_after_the_batches_before_it() -> None:
    def batches() -> Iterator[int]:
        yield 1
        yield 2
        raise LossCliError("row 3: bad")

    seen = []
    with pytest.raises(LossCliError, match="row 3: bad"):
        for batch in Prefetch(batches()):
            seen.append(batch)
    assert seen == [1, 2]
    assert _workers() == 0


def test_close_stops_the_worker_and_closes_the_source() -> None:
    closed = threading.Event()

    def endless() -> Iterator[int]:
        try:
            n = 0
            while True:
                yield n
                n += 1
        finally:
            closed.set()

    reader = Prefetch(endless(), depth=2)
    assert [next(reader) for _ in range(5)] == [0, 1, 2, 3, 4]
    reader.close()
    assert closed.is_set()
    assert _workers() == 0
