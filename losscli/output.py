"""The standard streams: stdout written whole or not at all, stderr lines that never raise.

A report is encoded before a byte of it is written, so text that stdout's encoding cannot hold
is an error with stdout untouched; a write that fails (a full disk, an I/O error) is an error
too, and a regular file is cut back to where the text began. A closed pipe (EPIPE) stays a
``BrokenPipeError``: the CLI ends quietly on it (``| head``).
"""

from __future__ import annotations

import io
import os
import stat
import sys
from typing import IO

from losscli.errors import LossCliError


def write_stdout(text: str) -> None:
    """Write ``text`` to stdout in one piece and flush it; raises :class:`LossCliError` when it cannot be."""
    stream = sys.stdout
    if stream is None:
        raise LossCliError("standard output is closed, so the output has nowhere to go", "redirect it to a file or /dev/null")
    binary = getattr(stream, "buffer", None)
    data = _encoded(text, stream)
    start = None
    try:
        stream.flush()
        if binary is None:  # a text-only stream (a test's capture): nothing to encode or cut back
            stream.write(text)
            stream.flush()
            return
        start = _file_size(binary)
        view = memoryview(data)
        while view:  # a large write can come back short (a file-size limit) before the next one fails
            view = view[binary.write(view):]
        binary.flush()
    except BrokenPipeError:
        raise
    except OSError as exc:
        _abandon(binary, start)
        raise LossCliError(f"cannot write to standard output: {exc.strerror or exc}",
                           "free some space or write the output elsewhere") from None


class StdoutWriter:
    """A ``write``-only stream over :func:`write_stdout`, for rows written as they are computed."""

    def write(self, text: str) -> None:
        write_stdout(text)


def write_stderr(text: str) -> None:
    """Write ``text`` to stderr; a closed or full stderr is ignored (there is nowhere left to tell)."""
    try:
        sys.stderr.write(text)
        sys.stderr.flush()
    except (OSError, ValueError, AttributeError):
        pass


def warn(message: str, hint: str | None = None) -> None:
    """One ``losscli: warning: …`` line on stderr: a likely mistake, or a result to read with care, that still computes."""
    write_stderr(f"losscli: warning: {' '.join(message.split())}" + (f"; {hint}" if hint else "") + "\n")


def reopen_closed_streams() -> bool:
    """Give a closed stdin, stdout or stderr (``<&-``, ``>&-``, ``2>&-``) ``/dev/null``, so no file the
    run opens takes its number; returns whether stdout was closed (then there is no output to give)."""
    closed = []
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != fd:
                os.dup2(null, fd)
                os.close(null)
            closed.append(fd)
    if 0 in closed:
        sys.stdin = open(0, encoding="utf-8", closefd=False)  # noqa: SIM115 (the process's own stream)
    if 2 in closed:
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    return 1 in closed


def _encoded(text: str, stream: IO[str]) -> bytes:
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        return text.encode(encoding, getattr(stream, "errors", None) or "strict")
    except UnicodeEncodeError as exc:
        raise LossCliError(
            f"standard output's encoding ({encoding}) cannot represent {exc.object[exc.start]!r}, so nothing was written",
            "set PYTHONIOENCODING=utf-8 (or a UTF-8 locale)",
        ) from None


def _file_size(binary: IO[bytes]) -> int | None:
    """The size of stdout's file before the write when it is a regular file (None for a pipe, a terminal, a device).

    The size, not the position: with ``>>`` (O_APPEND) the position is 0 until the first write.
    """
    try:
        info = os.fstat(binary.fileno())
        return info.st_size if stat.S_ISREG(info.st_mode) else None
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


def _abandon(binary: IO[bytes] | None, start: int | None) -> None:
    """After a failed write: cut a regular file back to ``start``, and point stdout at /dev/null so
    the bytes still buffered are not written at exit."""
    try:
        fd = binary.fileno() if binary is not None else sys.stdout.fileno()
        if start is not None:
            os.ftruncate(fd, start)
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
