"""NPY and NPZ without ``np.load``: headers checked first, data memory-mapped or streamed.

An NPY header is parsed (never unpickled: object dtypes are refused) and the bytes it declares
are checked against the bytes the file holds before anything is mapped, so a header that lies
about its size is an input error, not an allocation. Regular files are memory-mapped and read a
slice of rows at a time, pages already read given back to the kernel as the pass moves on;
streams (stdin, pipes) are read a slice at a time. In an NPZ, stored members are mapped in
place and compressed members decompressed as a stream.
"""

from __future__ import annotations

import math
import mmap
import os
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import numpy as np

from losscli.errors import LossCliError
from losscli.readers.base import BATCH_ROWS, NUMBER, Field, Source, plain_numeric
from losscli.readers.streams import read_head, spool

NPY_MAGIC, ZIP_MAGIC = b"\x93NUMPY", b"PK\x03\x04"
MAX_HEADER = 1 << 20
RELEASE_BYTES = 8 << 20  # give mapped pages back to the kernel every this many bytes read
_READ_ERRORS = (OSError, EOFError, zlib.error, zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, struct.error)


@dataclass(frozen=True)
class Header:
    """What an NPY header declares, and where its data starts (``offset`` from the member's start)."""

    dtype: np.dtype
    shape: tuple[int, ...]
    fortran: bool
    offset: int

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def read_header(stream: IO[bytes], label: str) -> Header:
    """Parse the NPY header at the stream's position (which must be the member's start)."""
    from numpy.lib import format as npformat

    start = read_head(stream, len(NPY_MAGIC) + 2)
    if not start.startswith(NPY_MAGIC) or len(start) < len(NPY_MAGIC) + 2:
        raise LossCliError(f"{label}: not a valid NPY file (no NumPy header)", "check the file and its extension")
    major, minor = start[-2], start[-1]
    size_bytes = 2 if major == 1 else 4
    raw = read_head(stream, size_bytes)
    if major not in (1, 2, 3) or len(raw) < size_bytes:
        raise LossCliError(f"{label}: not a valid NPY file (unknown format version {major}.{minor})", "save it with numpy.save")
    length = int.from_bytes(raw, "little")
    if length > MAX_HEADER:
        raise LossCliError(f"{label}: the NPY header declares {length} bytes, more than the limit of {MAX_HEADER}", "save it with numpy.save")
    text = read_head(stream, length)
    if len(text) < length:
        raise LossCliError(f"{label}: not a valid NPY file (the header is cut short)", "check the file")
    encoding = "utf8" if major == 3 else "latin1"
    try:
        import ast

        meta = ast.literal_eval(text.decode(encoding))
        if not isinstance(meta, dict) or set(meta) != {"descr", "fortran_order", "shape"}:
            raise ValueError("the header is not a dict of descr, fortran_order and shape")
        dtype = npformat.descr_to_dtype(meta["descr"])
        if not isinstance(meta["shape"], (tuple, list)) or not all(isinstance(d, int) and not isinstance(d, bool) for d in meta["shape"]):
            raise ValueError(f"the shape {meta['shape']!r} is not a tuple of whole numbers")
        shape = tuple(int(d) for d in meta["shape"])
        if any(d < 0 for d in shape) or not isinstance(meta["fortran_order"], bool):
            raise ValueError("bad shape or fortran_order")
    except (ValueError, SyntaxError, TypeError, UnicodeDecodeError, MemoryError, RecursionError) as exc:
        raise LossCliError(f"{label}: not a valid NPY file (unreadable header: {exc})", "save it with numpy.save") from None
    if dtype.hasobject:
        raise LossCliError(f"{label}: holds pickled Python objects, which losscli refuses to load (they could run code)",
                           "save plain numeric arrays with numpy.save")
    return Header(dtype, shape, bool(meta["fortran_order"]), len(NPY_MAGIC) + 2 + size_bytes + length)


class _Array:
    """One array's rows, from a mapped file region or a stream, with its header."""

    def __init__(self, label: str, header: Header, file: IO[bytes] | None, start: int, stream: IO[bytes] | None) -> None:
        self.label, self.header, self.file, self.start, self.stream = label, header, file, start, stream

    @property
    def n_rows(self) -> int:
        return self.header.shape[0]

    def rows(self) -> Iterator[np.ndarray]:
        """Slices of at most BATCH_ROWS rows, in order."""
        h = self.header
        row_bytes = h.nbytes // max(1, self.n_rows)
        step = max(1, min(BATCH_ROWS, (16 << 20) // max(1, row_bytes)))
        if self.stream is not None:
            for first in range(0, self.n_rows, step):
                count = min(step, self.n_rows - first)
                data = read_head(self.stream, count * row_bytes)
                if len(data) < count * row_bytes:
                    raise LossCliError(f"{self.label}: the data ends after {first + len(data) // max(1, row_bytes)} of"
                                       f" {self.n_rows} rows the header declares", "check the file (it is cut short)")
                yield np.frombuffer(data, dtype=h.dtype).reshape((count, *h.shape[1:]))
            return
        assert self.file is not None
        # The map is never closed here: NumPy's views hold it (not its buffer), so unmapping under a
        # view still in use would crash the process; it goes with the last view.
        mapped = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        array = np.ndarray(h.shape, dtype=h.dtype, buffer=mapped, offset=self.start, order="F" if h.fortran else "C")
        released = 0
        for first in range(0, self.n_rows, step):
            done = self.start + first * row_bytes  # the pass is through with the batches before this one
            if not h.fortran and done - released >= RELEASE_BYTES:
                page_end = done // mmap.PAGESIZE * mmap.PAGESIZE
                mapped.madvise(mmap.MADV_DONTNEED, released, page_end - released)
                released = page_end
            yield array[first:first + step]


def _file_size(file: IO[bytes]) -> int | None:
    try:
        return os.fstat(file.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        return None


def _check_size(label: str, header: Header, available: int | None) -> None:
    if len(header.shape) == 0:
        raise LossCliError(f"{label}: holds a single number, not an array of samples")
    if header.shape[0] and not header.nbytes:  # rows of nothing: no loss to compute, however many the header claims
        raise LossCliError(f"{label}: the header declares shape {header.shape} of {header.dtype}, rows that hold no values",
                           "every sample needs at least one value")
    if available is not None and header.nbytes > available:
        raise LossCliError(
            f"{label}: the header declares shape {header.shape} of {header.dtype} ({header.nbytes} bytes),"
            f" but the file holds {max(0, available)} bytes of data", "the file is cut short or its header is wrong")


class _Capture:
    """A stream that remembers what was read from it (the header of an NPY on a pipe)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream, self.seen = stream, bytearray()

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.seen += data
        return data


class NpySource(Source):
    """One NPY array (its rows are samples), or a structured array read as a table of its fields."""

    def __init__(self, file: IO[bytes], label: str, seekable: bool) -> None:
        self.label = label
        self._file = file
        reading = file if seekable else _Capture(file)
        try:
            header = read_header(reading, label)  # type: ignore[arg-type]
        except _READ_ERRORS as exc:
            raise LossCliError(f"{label}: not a valid NPY file ({exc})", "check the file and its extension") from None
        if header.fortran and isinstance(reading, _Capture):  # column-major: cannot be read row by row from a pipe
            from losscli.readers.streams import Replay

            file = spool(Replay(bytes(reading.seen), file), label, limit=header.offset + header.nbytes)  # type: ignore[arg-type]
            self._file, seekable = file, True
        size = _file_size(file) if seekable else None
        _check_size(label, header, None if size is None else size - header.offset)
        self.array = _Array(label, header, file if seekable else None, header.offset, None if seekable else file)
        self.rereadable = seekable
        self.n_rows = header.shape[0]
        names = header.dtype.names
        self.is_table = bool(names)
        if names:
            self.fields = {n: Field(n, header.dtype[n].kind, header.dtype[n].shape) for n in names}
        else:
            self.fields = {"": Field("", header.dtype.kind, header.shape[1:])}

    def batches(self, wanted: dict[str, str]) -> Iterator[dict[str, np.ndarray]]:
        try:
            for rows in self.array.rows():
                yield {name: _wanted(rows[name] if name else rows, self.label, name, how) for name, how in wanted.items()}
        except _READ_ERRORS as exc:
            raise LossCliError(f"{self.label}: cannot read the NPY data ({exc})", "check the file") from None

    def close(self) -> None:
        self._file.close()


class NpzSource(Source):
    """The arrays of an NPZ archive, by name; they are read side by side, each from its own member."""

    is_table = False

    def __init__(self, file: IO[bytes], label: str) -> None:
        self.label = label
        self._file = file
        try:
            self.zip = zipfile.ZipFile(file)
            members = [info for info in self.zip.infolist() if info.filename.endswith(".npy")]
        except _READ_ERRORS as exc:
            raise LossCliError(f"{label}: not a valid NPZ file ({exc})", "check the file and its extension") from None
        self.headers: dict[str, tuple[zipfile.ZipInfo, Header]] = {}
        self.refused = {}  # a member whose header NumPy's format cannot read: an unused one is no reason to refuse
        for info in members:
            try:
                self.headers[info.filename[:-4]] = (info, self._header(info))
            except LossCliError as exc:
                self.refused[info.filename[:-4]] = exc
            except _READ_ERRORS as exc:
                self.refused[info.filename[:-4]] = LossCliError(
                    f"{self._member_label(info.filename[:-4])}: cannot be read ({exc})", "check the file")
        if not self.headers:
            raise next(iter(self.refused.values()), LossCliError(f"{label}: the archive holds no arrays"))
        self.fields = {name: Field(name, h.dtype.kind, h.shape[1:], h.shape[0]) for name, (_, h) in self.headers.items()}
        self.fields.update((name, Field(name, "?")) for name in self.refused)  # listed; an error only when chosen
        lengths = {h.shape[0] for _, h in self.headers.values()}
        self.n_rows = lengths.pop() if len(lengths) == 1 else None

    def _member_label(self, name: str) -> str:
        return f"{self.label} array {name!r}"

    def _header(self, info: zipfile.ZipInfo) -> Header:
        name = info.filename[:-4]
        with self.zip.open(info) as member:
            header = read_header(member, self._member_label(name))
        _check_size(self._member_label(name), header, info.file_size - header.offset)
        return header

    def _data_start(self, info: zipfile.ZipInfo) -> int:
        """Where a stored member's bytes begin in the archive: after its local header."""
        self._file.seek(info.header_offset)
        local = self._file.read(30)
        if len(local) < 30 or not local.startswith(ZIP_MAGIC):
            raise LossCliError(f"{self.label}: not a valid NPZ file (a damaged member header)", "check the file")
        name_length, extra_length = struct.unpack("<HH", local[26:30])
        return info.header_offset + 30 + name_length + extra_length

    def batches(self, wanted: dict[str, str]) -> Iterator[dict[str, np.ndarray]]:
        arrays = []
        streams = []
        try:
            for name in wanted:
                info, header = self.headers[name]
                if info.compress_type == zipfile.ZIP_STORED and not header.fortran:
                    arrays.append(_Array(self._member_label(name), header, self._file, self._data_start(info) + header.offset, None))
                else:
                    stream = self.zip.open(info)
                    streams.append(stream)
                    read_header(stream, self._member_label(name))
                    arrays.append(_Array(self._member_label(name), header, None, 0, stream))
            iterators = [a.rows() for a in arrays]
            for parts in zip(*iterators):
                yield {name: _wanted(part, self._member_label(name), name, wanted[name]) for name, part in zip(wanted, parts)}
        except LossCliError:
            raise
        except _READ_ERRORS as exc:
            raise LossCliError(f"{self.label}: cannot read the NPZ data ({exc})", "check the file") from None
        finally:
            for stream in streams:
                stream.close()

    def close(self) -> None:
        self.zip.close()
        self._file.close()


def _wanted(array: np.ndarray, label: str, name: str, how: str) -> np.ndarray:
    if how == NUMBER:
        return plain_numeric(array, label, "")
    if array.dtype.kind not in "iufbUS":
        raise LossCliError(f"{label}: dtype {array.dtype} is neither numbers nor text", "save numbers or fixed-width strings")
    return array


def sniff_numpy(head: bytes, label: str) -> str:
    """``npy`` or ``npz`` from a file's first bytes; an error when it is neither."""
    if head.startswith(NPY_MAGIC):
        return "npy"
    if head.startswith(ZIP_MAGIC):
        return "npz"
    raise LossCliError(f"{label}: not a valid NPY/NPZ file (no NumPy header)", "check the file and its extension")


def numpy_source(file: IO[bytes], label: str, fmt: str, seekable: bool) -> Source:
    """The NPY or NPZ reader for ``file`` (the extension's format must match the content)."""
    head = read_head(file, len(NPY_MAGIC))
    actual = sniff_numpy(head, label)
    if actual != fmt:
        other = "an NPZ archive" if actual == "npz" else "a single NPY array"
        raise LossCliError(f"{label}: is {other}, not {'an NPZ archive' if fmt == 'npz' else 'an NPY array'}",
                           f"name it .{actual} or pass --input-format {actual}")
    if actual == "npz" and not seekable:
        from losscli.readers.streams import Replay

        file = spool(Replay(head, file), label)  # type: ignore[arg-type]
        seekable = True
    elif seekable:
        file.seek(0)
    else:
        from losscli.readers.streams import Replay

        file = Replay(head, file)  # type: ignore[assignment]
    return NpzSource(file, label) if actual == "npz" else NpySource(file, label, seekable)

