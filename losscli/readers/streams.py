"""Byte streams for the readers: regular files, stdin, pipes and FIFOs (``<(…)``, ``mkfifo``).

Formats that read front to back (CSV, TSV, NPY) stream from a pipe as it arrives. Formats whose
index sits at the end (Parquet's footer, a ZIP's central directory) are first copied from the
pipe to a temporary file on disk, a block at a time, so memory stays bounded either way.
"""

from __future__ import annotations

import io
import os
import shutil
import stat
import tempfile
from typing import IO

from losscli.errors import LossCliError

COPY_BLOCK = 1 << 20


def is_regular(path: str) -> bool:
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def open_binary(path: str, label: str) -> IO[bytes]:
    """``path`` opened for reading, with a clear error when it cannot be."""
    try:
        return open(path, "rb")  # noqa: SIM115 (the reader owns and closes it)
    except PermissionError:
        raise LossCliError(f"{label}: permission denied", "check the file's permissions") from None
    except OSError as exc:
        raise LossCliError(f"{label}: cannot open ({exc.strerror or exc})", "check the path") from None


def spool(stream: IO[bytes], label: str) -> IO[bytes]:
    """Copy a pipe to an anonymous temporary file (on disk) and return it, rewound."""
    copy = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        shutil.copyfileobj(stream, copy, COPY_BLOCK)
    except OSError as exc:
        copy.close()
        raise LossCliError(f"{label}: cannot read the stream ({exc})") from None
    copy.seek(0)
    return copy


class Replay(io.RawIOBase):
    """A stream that first gives back ``head`` (bytes already read from it), then the rest of ``rest``."""

    def __init__(self, head: bytes, rest: IO[bytes]) -> None:
        self.head = memoryview(head)
        self.rest = rest
        self.given = 0  # bytes returned so far (a progress display's position)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Fill ``buffer`` as far as the data goes (a short read only at the end: pyarrow expects that)."""
        n = 0
        if self.head:
            n = min(len(buffer), len(self.head))
            buffer[:n] = self.head[:n]
            self.head = self.head[n:]
        while n < len(buffer):
            data = self.rest.read(len(buffer) - n)
            if not data:
                break
            buffer[n:n + len(data)] = data
            n += len(data)
        self.given += n
        return n

    def close(self) -> None:
        self.rest.close()
        super().close()


def file_size(stream: IO[bytes]) -> int | None:
    """The size of the regular file under ``stream`` (None for a pipe or anything else)."""
    try:
        info = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None


def read_head(stream: IO[bytes], size: int) -> bytes:
    """Up to ``size`` bytes from the front of ``stream`` (fewer only at its end).

    Read a block at a time, so memory follows the bytes that arrive, not a size a header claims.
    """
    parts, got = [], 0
    while got < size:
        part = stream.read(min(size - got, COPY_BLOCK))
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)
