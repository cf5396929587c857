"""Open one input (a path, a FIFO, or ``-`` for stdin) as the :class:`Source` its format needs.

Heavy modules (pyarrow) are imported only when a file of theirs is read. NPY/NPZ never
unpickle: a data file cannot run code.
"""

from __future__ import annotations

import os
import sys
from typing import IO

from losscli.errors import LossCliError
from losscli.readers.base import Source
from losscli.readers.formats import STDIN, detect_format
from losscli.readers.streams import Replay, is_regular, open_binary, read_head, spool

PARQUET_MAGIC = b"PAR1"


def shown_path(path: str) -> str:
    """``path`` as messages and documents show it: a file name that is not UTF-8 keeps its odd bytes as ``\\xff``."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def open_source(path: str, input_format: str | None, stdin: IO[bytes] | None = None) -> Source:
    """Open ``path`` (or ``-`` for stdin) as a :class:`Source`, raising clear errors for bad files."""
    if path != STDIN and not os.path.exists(path):
        raise LossCliError(f"{shown_path(path)}: no such file", "check the path")
    if path != STDIN and os.path.isdir(path):
        raise LossCliError(f"{shown_path(path)}: is a directory, not a file", "name a file inside it")
    fmt = detect_format(path, input_format)
    if path == STDIN:
        stream, label, seekable = (stdin if stdin is not None else sys.stdin.buffer), "<stdin>", False
    else:
        label = shown_path(path)
        stream, seekable = open_binary(path, label), is_regular(path)
    if fmt in ("csv", "tsv"):
        from losscli.readers.delimited import DelimitedSource

        reopen = (lambda: open_binary(path, label)) if seekable else None
        return DelimitedSource(stream, label, fmt, reopen)
    if fmt == "parquet":
        from losscli.readers.parquet import ParquetSource

        if not seekable:  # Parquet's footer is at the end: copy the stream to disk first (if it is Parquet at all)
            head = read_head(stream, len(PARQUET_MAGIC))
            if head != PARQUET_MAGIC:
                raise LossCliError(f"{label}: not a Parquet stream (it does not start with {PARQUET_MAGIC.decode()})",
                                   "check the input and --input-format")
            stream = spool(Replay(head, stream), label)  # type: ignore[arg-type]
            return ParquetSource(stream, label)
        stream.close()  # a file is read by pyarrow's own reader: through a Python file object it costs 1.5× the time
        return ParquetSource(path, label)
    from losscli.readers.numpy_files import numpy_source

    return numpy_source(stream, label, fmt, seekable)
