"""Option types shared by the commands, and output plumbing (stdout in one write, colour rules)."""

from __future__ import annotations

import os
import sys
from enum import Enum

import typer


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    md = "md"


class CatalogFormat(str, Enum):
    table = "table"
    json = "json"
    md = "md"


class InputFormat(str, Enum):
    csv = "csv"
    tsv = "tsv"
    npy = "npy"
    npz = "npz"
    parquet = "parquet"


class Reduction(str, Enum):
    mean = "mean"
    sum = "sum"
    none = "none"


class NanPolicy(str, Enum):
    error = "error"
    omit = "omit"
    propagate = "propagate"


PRECISION = typer.Option(6, "--precision", min=1, max=17, help="Significant digits in text formats (JSON keeps full precision).")


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stdout_is_terminal() and not os.environ.get("NO_COLOR")


def default_format(fmt: Enum | None) -> str:
    """The chosen format, else ``table`` on a terminal and ``json`` in a pipe."""
    if fmt is not None:
        return str(fmt.value)
    return "table" if stdout_is_terminal() else "json"


def emit(text: str) -> None:
    """Write the whole output at once, so an error never leaves half a report on stdout."""
    sys.stdout.write(text)
    sys.stdout.flush()
