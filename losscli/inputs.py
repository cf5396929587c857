"""Input arrays with where they came from, so every error can name the file, column and row."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from losscli.errors import LossCliError

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class InputArray:
    """One bound input: ``data`` has N rows first; ``columns`` names table columns (None for arrays)."""

    role: str
    data: np.ndarray
    source: str
    columns: tuple[str, ...] | None = None

    @property
    def shape_text(self) -> str:
        return "(" + ", ".join(str(d) for d in self.data.shape) + (",)" if self.data.ndim == 1 else ")")

    def describe(self) -> str:
        """``target (100,) from run.csv column 'label'``."""
        if self.columns is not None:
            cols = ", ".join(repr(c) for c in self.columns[:6]) + (", …" if len(self.columns) > 6 else "")
            what = f"column{'s' if len(self.columns) > 1 else ''} {cols}"
            return f"{self.role} {self.shape_text} from {self.source} {what}"
        return f"{self.role} {self.shape_text} from {self.source}"

    def locate(self, flat_index: int, rows: np.ndarray | None = None) -> str:
        """Where element ``flat_index`` of ``data`` sits in the user's file.

        ``rows`` maps rows of ``data`` back to rows of the file when some were omitted.
        Table rows count from 1 (the first data row under the header); array indices from 0.
        """
        width = max(1, int(self.data.size // max(1, self.data.shape[0])))
        row, col = divmod(int(flat_index), width)
        file_row = int(rows[row]) if rows is not None else row
        if self.columns is not None:
            col_name = self.columns[col] if col < len(self.columns) else str(col)
            return f"{self.source} row {file_row + 1}, column {col_name!r}"
        if self.data.ndim == 1:
            return f"{self.source} index [{file_row}]"
        import numpy as np

        rest = np.unravel_index(col, self.data.shape[1:])
        return f"{self.source} index [{', '.join(str(i) for i in (file_row, *rest))}]"

    def with_data(self, data: np.ndarray) -> InputArray:
        return replace(self, data=data)


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
        self.arrays = arrays

    def bind(self, role_names: list[str]) -> list[InputArray]:
        bound = []
        for i in range(len(role_names)):
            keys = role_keys(role_names, i)
            found = next((self.arrays[k] for k in keys if k in self.arrays), None)
            if found is None:
                raise LossCliError(f"no input for {keys[0]}", f"pass --input {keys[0]}=PATH")
            bound.append(found)
        return bound

    def weight(self) -> InputArray | None:
        return self.arrays.get("weight")
