"""Inputs with where they came from, so every error can name the file, column and row.

A :class:`BoundInput` is a role bound to fields of a source (nothing read yet); the pass reads
it a chunk at a time as an :class:`InputArray`, which knows the chunk's first file row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from losscli.errors import LossCliError

if TYPE_CHECKING:
    import numpy as np

    from losscli.readers.base import Source


def shape_text(shape: tuple[int | str, ...]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def _describe(role: str, shape: tuple[int | str, ...], source: str, columns: tuple[str, ...] | None) -> str:
    """``target (100,) from run.csv column 'label'``."""
    if columns is not None:
        cols = ", ".join(repr(c) for c in columns[:6]) + (", …" if len(columns) > 6 else "")
        return f"{role} {shape_text(shape)} from {source} column{'s' if len(columns) > 1 else ''} {cols}"
    return f"{role} {shape_text(shape)} from {source}"


@dataclass(frozen=True, eq=False)
class BoundInput:
    """A role bound to ``names`` (columns of a table, or one array) of ``source``, read as ``how``."""

    role: str
    source: Source
    names: tuple[str, ...]
    columns: tuple[str, ...] | None  # the table columns, for messages (None for arrays)
    how: str  # readers.base.NUMBER or LABEL

    @property
    def label(self) -> str:
        return self.source.label

    @property
    def n_rows(self) -> int | None:
        own = self.source.fields[self.names[0]].n_rows
        return own if own is not None else self.source.n_rows

    @property
    def trailing(self) -> tuple[int, ...]:
        """The shape of one row: (K,) for K table columns, an array's shape after its first axis."""
        if len(self.names) > 1:
            return (len(self.names),)
        return self.source.fields[self.names[0]].shape

    def width(self) -> int:
        """Values per row."""
        size = 1
        for d in self.trailing:
            size *= d
        return size

    def describe(self, n_rows: int | None = None) -> str:
        n = n_rows if n_rows is not None else self.n_rows
        return _describe(self.role, (n if n is not None else "N", *self.trailing), self.label, self.columns)

    def chunk(self, arrays: dict[str, np.ndarray], offset: int, n_rows: int | None) -> InputArray:
        """This input's rows of one chunk (``arrays`` by field name), as an :class:`InputArray`."""
        if len(self.names) == 1:
            data = arrays[self.names[0]]
        else:
            import numpy as np

            data = np.column_stack([arrays[n] for n in self.names])
        return InputArray(self.role, data, self.label, self.columns, offset, n_rows)


@dataclass(frozen=True)
class InputArray:
    """One input's rows: ``data`` has rows first; row 0 is file row ``offset``; ``columns`` names table columns.

    ``n_rows`` is the input's whole length, for messages (None: the chunk is the whole input).
    """

    role: str
    data: np.ndarray
    source: str
    columns: tuple[str, ...] | None = None
    offset: int = 0
    n_rows: int | None = None

    @property
    def shape_text(self) -> str:
        return shape_text(self._shape())

    def _shape(self) -> tuple[int | str, ...]:
        n = self.n_rows if self.n_rows is not None else self.data.shape[0]
        return (n, *self.data.shape[1:])

    def describe(self) -> str:
        """``target (100,) from run.csv column 'label'``."""
        return _describe(self.role, self._shape(), self.source, self.columns)

    def locate(self, flat_index: int, rows: np.ndarray | None = None) -> str:
        """Where element ``flat_index`` of ``data`` sits in the user's file.

        ``rows`` maps rows of ``data`` back to file rows when some were omitted (else row i is
        file row ``offset + i``). Table rows count from 1 (the first data row under the header);
        array indices from 0.
        """
        width = max(1, int(self.data.size // max(1, self.data.shape[0])))
        row, col = divmod(int(flat_index), width)
        file_row = int(rows[row]) if rows is not None else self.offset + row
        if self.columns is not None:
            col_name = self.columns[col] if col < len(self.columns) else str(col)
            return f"{self.source} row {file_row + 1}, column {col_name!r}"
        if self.data.ndim == 1:
            return f"{self.source} index [{file_row}]"
        import numpy as np

        rest = np.unravel_index(col, self.data.shape[1:])
        return f"{self.source} index [{', '.join(str(i) for i in (file_row, *rest))}]"

    def with_data(self, data: np.ndarray) -> InputArray:
        """This input holding ``data`` instead (self when it already does: called per chunk, so kept cheap)."""
        if data is self.data:
            return self
        return InputArray(self.role, data, self.source, self.columns, self.offset, self.n_rows)


def role_keys(role_names: list[str], position: int) -> list[str]:
    """Names a role answers to: its own, then ``pred``/``target`` for the first two roles
    (unless the loss has a role literally called so)."""
    keys = [role_names[position]]
    for alias, slot in (("pred", 0), ("target", 1)):
        if position == slot and alias not in role_names and alias not in keys:
            keys.append(alias)
    return keys


class StaticInputs:
    """Inputs already in memory, by role name (tests, worked examples); binds like the file reader."""

    def __init__(self, arrays: dict[str, InputArray]) -> None:
        from losscli.readers.base import ArraySource

        self.arrays = arrays
        self._bound = {
            name: BoundInput(inp.role, ArraySource(inp.source, {"": inp.data}), ("",), inp.columns, "number")
            for name, inp in arrays.items()
        }

    def bind(self, role_names: list[str]) -> list[BoundInput]:
        bound = []
        for i in range(len(role_names)):
            keys = role_keys(role_names, i)
            found = next((self._bound[k] for k in keys if k in self._bound), None)
            if found is None:
                raise LossCliError(f"no input for {keys[0]}", f"pass --input {keys[0]}=PATH")
            bound.append(found)
        return bound

    def weight(self) -> BoundInput | None:
        return self._bound.get("weight")

    def named_roles(self) -> dict[str, str]:
        return {}

    def column(self, name: str, option: str) -> BoundInput:
        if name not in self._bound:
            raise LossCliError(f"{option} {name}: no such input")
        found = self._bound[name]
        return BoundInput(name, found.source, found.names, found.columns, "label")
