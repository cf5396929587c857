"""Progress of long work on stderr: rows or bytes of a pass, resamples of a bootstrap.

Shown only when stderr is a terminal, without ``--quiet``, and not while rows stream to that
same terminal on stdout (the two would garble each other). A display starts after
``LOSSCLI_PROGRESS_DELAY`` seconds (default 0.5, so quick runs show nothing) and is erased when
the work ends; stdout is never redirected through it. rich's progress module is imported only
when a display starts.
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import Any

DELAY_ENV = "LOSSCLI_PROGRESS_DELAY"
DEFAULT_DELAY = 0.5


def progress_wanted(quiet: bool, rows_on_stdout: bool = False) -> bool:
    """Whether a progress display belongs on stderr for this run."""
    if quiet or not sys.stderr.isatty():
        return False
    return not (rows_on_stdout and sys.stdout.isatty())


def _delay() -> float:
    try:
        return max(0.0, float(os.environ.get(DELAY_ENV, DEFAULT_DELAY)))
    except ValueError:
        return DEFAULT_DELAY


class Progress:
    """One progress line at a time; ``meter(label)`` starts a pass's, ``resamples(done, total)`` a bootstrap's.

    Used as a context manager, so the display is gone before the report is written.
    """

    def __init__(self, enabled: bool, console: Any = None, delay: float | None = None) -> None:
        self.enabled = enabled
        self.console = console
        self.delay = _delay() if delay is None else delay
        self.started = time.monotonic()
        self.display: Any = None
        self.task: Any = None
        self.label = ""
        self.unit = ""

    def meter(self, label: str) -> Progress:
        """This display, now telling the pass over ``label``."""
        self.label = label
        self.unit = ""
        return self

    def update(self, rows: int, total_rows: int | None, read: tuple[int, int | None] | None) -> None:
        """A pass's progress: rows of a known total, else bytes of the file (or of a stream)."""
        if read is not None and total_rows is None:
            self._show("bytes", read[0], read[1])
        else:
            self._show("rows", rows, total_rows)

    def resamples(self, done: int, total: int) -> None:
        self.label = "bootstrap"
        self._show("resamples", done, total)

    def _show(self, unit: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if self.display is None:
            if time.monotonic() - self.started < self.delay:
                return
            self._start()
        if unit != self.unit:
            if self.task is not None:
                self.display.remove_task(self.task)
            self.unit = unit
            self.task = self.display.add_task(self.label, total=total, amount="")
        self.display.update(self.task, completed=done, total=total, amount=amount(unit, done, total))

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as RichProgress

        self.display = RichProgress(
            TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[amount]}"), TimeElapsedColumn(),
            console=self.console or Console(stderr=True), transient=True, redirect_stdout=False,
            redirect_stderr=False, refresh_per_second=8,
        )
        self.display.start()

    def close(self) -> None:
        if self.display is not None:
            self.display.stop()
            self.display = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.close()


def amount(unit: str, done: int, total: int | None) -> str:
    """``1,200 / 5,000 rows``, ``12.5 / 80.0 MB``, ``3.1 MB`` (a stream's size is unknown)."""
    if unit == "bytes":
        shown = f"{done / 1e6:,.1f}"
        return f"{shown} / {total / 1e6:,.1f} MB" if total is not None else f"{shown} MB"
    return f"{done:,} / {total:,} {unit}" if total is not None else f"{done:,} {unit}"
