"""A source's batches decoded one ahead on a worker thread, so reading overlaps the arithmetic.

pyarrow decodes Parquet pages and parses CSV blocks without holding the GIL, and NumPy's loops
release it too, so on two cores a pass costs about the larger of the two rather than their
sum. The order of batches, and of errors among them, is the source's own: the worker is at
most ``depth`` batches ahead, an error it meets is raised where its batch would have come, and
the memory held is that many batches more.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")

_BATCH, _END, _ERROR = range(3)
_POLL = 0.05  # seconds between the worker's looks at whether the reader was closed
_JOIN_WAIT = 2.0  # seconds close() waits for the worker to finish a read in progress


class Prefetch(Generic[T]):
    """Iterate ``batches`` as they come from a worker thread; ``close()`` stops and joins it."""

    def __init__(self, batches: Iterator[T], depth: int = 1) -> None:
        self._queue: queue.Queue[tuple[int, object]] = queue.Queue(maxsize=depth)
        self._closed = threading.Event()
        self._finished = False
        self._thread = threading.Thread(target=self._produce, args=(batches,), name="losscli-reader", daemon=True)
        self._thread.start()

    def _produce(self, batches: Iterator[T]) -> None:
        try:
            for batch in batches:
                if not self._put((_BATCH, batch)):
                    return
            self._put((_END, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the reading thread, which raises it
            self._put((_ERROR, exc))
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()  # a generator is closed on the thread that ran it

    def _put(self, item: tuple[int, object]) -> bool:
        while not self._closed.is_set():
            try:
                self._queue.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def __iter__(self) -> Prefetch[T]:
        return self

    def __next__(self) -> T:
        if self._finished:
            raise StopIteration
        kind, value = self._queue.get()
        if kind == _BATCH:
            return value  # type: ignore[return-value]
        self._finished = True
        self._thread.join()
        if kind == _ERROR:
            raise value  # type: ignore[misc]
        raise StopIteration

    def close(self) -> None:
        """Stop the worker (it drops what it read ahead) and wait for it to close the source's batches."""
        self._closed.set()
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._thread.join(timeout=_JOIN_WAIT)  # a read stalled on a pipe is left to end with the process
