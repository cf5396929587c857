"""Parquet, read batch by batch: only the selected columns, no pre-buffering of row groups.

``pre_buffer=False`` with a read buffer keeps memory bounded by a batch, not by a row group
(with pyarrow's default ``pre_buffer=True`` a two-column read holds whole column chunks).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import IO, Any

import numpy as np

from losscli.errors import LossCliError
from losscli.readers.arrow_columns import arrow_kind, label_column, numeric_column
from losscli.readers.base import BATCH_ROWS, NUMBER, Field, Source, repeated_names

READ_BUFFER = 1 << 20


class ParquetSource(Source):
    is_table = True
    prefetch = True

    def __init__(self, data: str | IO[bytes], label: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self.label = label
        if isinstance(data, str):  # pyarrow's own reader; the name as bytes, so any file name the OS allows opens
            try:
                data = pa.OSFile(os.fsencode(data))
            except (pa.ArrowException, OSError) as exc:
                raise LossCliError(f"{label}: cannot open ({exc})", "check the path") from None
        try:
            self.file = pq.ParquetFile(data, pre_buffer=False, buffer_size=READ_BUFFER)
            schema = self.file.schema_arrow
        except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:  # UnicodeDecodeError: a field name not UTF-8
            raise LossCliError(f"{label}: not a valid Parquet file ({exc})", "check the file and its extension") from None
        self.fields = {f.name: Field(f.name, arrow_kind(f.type)) for f in schema}
        self.refused = repeated_names(label, schema.names)
        self.n_rows = self.file.metadata.num_rows
        if self.n_rows == 0:
            raise LossCliError(f"{label}: the table has columns but no rows")

    def batches(self, wanted: dict[str, str]) -> Iterator[dict[str, np.ndarray]]:
        import pyarrow as pa

        names = list(wanted)
        try:
            for batch in self.file.iter_batches(batch_size=BATCH_ROWS, columns=names, use_threads=False):
                yield {name: self._column(batch.column(i), name, wanted[name]) for i, name in enumerate(names)}
        except (pa.ArrowException, OSError) as exc:
            raise LossCliError(f"{self.label}: cannot read Parquet columns ({exc})", "check the file") from None

    def _column(self, column: Any, name: str, how: str) -> np.ndarray:
        if how == NUMBER:
            return numeric_column(column, self.label, name)
        return label_column(column, self.label, name)

    def close(self) -> None:
        self.file.close()
