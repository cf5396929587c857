"""Byte streams for the readers: regular files, stdin, pipes and FIFOs (``<(…)``, ``mkfifo``).

Formats that read front to back (CSV, TSV, NPY) stream from a pipe as it arrives. Formats whose
index sits at the end (Parquet's footer, a ZIP's central directory) are first copied from the
pipe to a temporary file on disk, a block at a time, so memory stays bounded either way.
"""

from __future__ import annotations

import io
import os
import stat
import tempfile
from typing import IO

from losscli.errors import LossCliError

COPY_BLOCK = 1 << 20
MAX_SPOOL_ENV = "LOSSCLI_MAX_SPOOL_BYTES"
DEFAULT_MAX_SPOOL = 64 << 30


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


def spool(stream: IO[bytes], label: str, limit: int | None = None) -> IO[bytes]:
    """Copy a pipe to an anonymous temporary file (on disk) and return it, rewound.

    At most ``limit`` bytes (default ``$LOSSCLI_MAX_SPOOL_BYTES``, 64 GiB) are copied: an
    endless stream (``< /dev/zero``) is an error, not a full disk.
    """
    cap = limit if limit is not None else _max_spool_bytes()
    copy = tempfile.TemporaryFile()  # noqa: SIM115
    copied = 0
    try:
        while block := stream.read(COPY_BLOCK):
            copied += len(block)
            if copied > cap:
                raise LossCliError(
                    f"{label}: the stream holds more than {cap:,} bytes" + (
                        ", more than its header declares" if limit is not None else
                        ", the most losscli copies to disk before reading a Parquet or NPZ stream"),
                    "check the input" if limit is not None else f"pass a file instead, or set {MAX_SPOOL_ENV}=BYTES")
            copy.write(block)
    except OSError as exc:
        copy.close()
        raise LossCliError(f"{label}: cannot copy the stream to a temporary file ({exc.strerror or exc})",
                           "pass a file instead, or free space in the temporary directory") from None
    except LossCliError:
        copy.close()
        raise
    copy.seek(0)
    return copy


def _max_spool_bytes() -> int:
    text = os.environ.get(MAX_SPOOL_ENV, "")
    if not text:
        return DEFAULT_MAX_SPOOL
    if not text.isdigit() or int(text) < 1:
        raise LossCliError(f"{MAX_SPOOL_ENV}={text!r} is not a positive whole number of bytes", f"e.g. {MAX_SPOOL_ENV}={DEFAULT_MAX_SPOOL}")
    return int(text)


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
