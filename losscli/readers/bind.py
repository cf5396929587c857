"""Bind the files and columns a user named to the input roles ``pred``, ``target`` and ``weight``.

One file: a table holding both (default column names below, ``--pred-col`` etc. to choose),
or an NPZ with arrays ``pred``, ``target`` and optionally ``weight``. Two files: PRED and
TARGET. ``--input ROLE=PATH`` binds any role to a file.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import IO

import numpy as np

from losscli.errors import LossCliError
from losscli.inputs import InputArray
from losscli.readers.formats import STDIN
from losscli.readers.sources import Source, open_source

ROLES = ("pred", "target", "weight")
DEFAULT_COLUMNS = {
    "pred": ("pred", "prediction", "y_pred", "yhat", "output"),
    "target": ("target", "label", "y_true", "y", "truth"),
    "weight": ("weight", "sample_weight"),
}


@dataclass
class InputOptions:
    """What the command line says about inputs."""

    pred: str | None = None
    target: str | None = None
    bindings: dict[str, str] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)  # role -> selectors
    input_format: str | None = None


def parse_binding(text: str, option: str, known: tuple[str, ...] = ROLES) -> tuple[str, str]:
    """``ROLE=VALUE`` from ``--input``/``--col``; the role must be known."""
    role, eq, value = text.partition("=")
    if not eq or not role or not value:
        raise LossCliError(f"{option} {text!r}: expected ROLE=VALUE", f"e.g. {option} weight=w.npy")
    if role not in known:
        raise LossCliError(f"{option} {text!r}: unknown role {role!r}", f"roles are: {', '.join(known)}")
    return role, value


def load_inputs(options: InputOptions, stdin: IO[bytes] | None = None) -> dict[str, InputArray]:
    """Read every named file once and return the bound inputs by role."""
    paths = _paths_by_role(options)
    if sum(p == STDIN for p in set(paths.values())) > 1:
        raise LossCliError("only one input can come from stdin ('-')")
    sources: dict[str, Source] = {}
    for path in dict.fromkeys(paths.values()):
        sources[path] = open_source(path, options.input_format, stdin)
    inputs: dict[str, InputArray] = {}
    for role in ROLES:
        path = paths.get(role)
        if path is not None:
            shared = list(paths.values()).count(path) > 1
            found = _bind(role, sources[path], options.columns.get(role, []), shared)
            if found is not None:
                inputs[role] = found
        elif role == "weight" and options.columns.get("weight"):
            inputs["weight"] = _weight_from_tables(sources, paths, options.columns["weight"])
    return inputs


def _paths_by_role(options: InputOptions) -> dict[str, str]:
    paths: dict[str, str] = {}
    for role, path in (("pred", options.pred), ("target", options.target)):
        if path is not None:
            paths[role] = path
    for role, path in options.bindings.items():
        if role in paths:
            raise LossCliError(f"{role} is given twice: as {paths[role]!r} and by --input {role}={path}")
        paths[role] = path
    if "pred" not in paths:
        raise LossCliError("no predictions given", "pass PRED (a path, or - for stdin) or --input pred=PATH")
    if "target" not in paths:
        paths["target"] = paths["pred"]  # one file holding both
    if "weight" not in paths and paths["target"] == paths["pred"] and not options.columns.get("weight"):
        paths["weight"] = paths["pred"]  # an NPZ's optional 'weight' array
    return paths


def _bind(role: str, source: Source, selectors: list[str], shared: bool) -> InputArray | None:
    """Pick ``role``'s columns/arrays from ``source``; None when an optional weight is absent."""
    if selectors:
        names = select_columns(source, selectors, role)
    elif role == "weight" and shared and source.is_table:
        return None  # a table's weights are used only when --weight-col names them
    elif role in source.names:
        names = [role]
    elif source.is_table and (default := next((c for c in DEFAULT_COLUMNS[role] if c in source.names), None)):
        names = [default]
    elif role == "weight" and shared:
        return None
    elif not shared:
        names = source.names  # a file of its own: every column, or its only array
        if not source.is_table and len(names) > 1:
            raise LossCliError(
                f"{source.label}: cannot tell which array holds {role}: it has {_listing(names)}",
                f"name the array {role!r}, or pick one with --{role}-col NAME",
            )
    elif source.is_table:
        raise LossCliError(
            f"{source.label}: no {role} column; looked for {_listing(list(DEFAULT_COLUMNS[role]))}"
            f" among {_listing(source.names)}",
            f"pick columns with --{role}-col NAME (comma lists and globs like 'p_*' work)",
        )
    else:
        raise LossCliError(
            f"{source.label}: no array named {role!r}; it has {_listing([n or '(one unnamed array)' for n in source.names])}",
            f"give {role} as a second file (PRED TARGET), or save an NPZ with arrays 'pred' and 'target'",
        )
    arrays = source.load(names)
    data = arrays[0] if len(arrays) == 1 else _stack(arrays, source.label, names)
    return InputArray(role, data, source.label, tuple(names) if source.is_table else None)


def select_columns(source: Source, selectors: list[str], role: str) -> list[str]:
    """Column names matching ``selectors`` (names, comma lists, globs), in the order given."""
    chosen: list[str] = []
    for selector in (s.strip() for item in selectors for s in item.split(",")):
        if not selector:
            continue
        matches = fnmatch.filter(source.names, selector) if any(ch in selector for ch in "*?[") else (
            [selector] if selector in source.names else []
        )
        if not matches:
            what = "columns" if source.is_table else "arrays"
            raise LossCliError(
                f"{source.label}: no {what[:-1]} matches {selector!r} (for {role})",
                f"its {what} are {_listing(source.names)}",
            )
        chosen.extend(m for m in matches if m not in chosen)
    return chosen


def _weight_from_tables(sources: dict[str, Source], paths: dict[str, str], selectors: list[str]) -> InputArray:
    """``--weight-col``: the column from the PRED table, else from the TARGET table."""
    wanted = [s.strip() for item in selectors for s in item.split(",") if s.strip()]
    tables = [sources[p] for p in dict.fromkeys((paths["pred"], paths["target"])) if sources[p].is_table]
    for source in tables:
        if all(fnmatch.filter(source.names, s) for s in wanted):
            found = _bind("weight", source, selectors, True)
            assert found is not None
            return found
    raise LossCliError(
        f"--weight-col {','.join(wanted)}: no such column in {_listing([t.label for t in tables]) or 'the inputs (arrays have no columns)'}",
        "name a column of the PRED or TARGET table, or pass --input weight=PATH",
    )


def _stack(arrays: list[np.ndarray], label: str, names: list[str]) -> np.ndarray:
    if any(a.ndim != 1 for a in arrays):
        raise LossCliError(f"{label}: arrays {_listing(names)} are not all 1-D, so they cannot form columns")
    return np.column_stack(arrays)


def _listing(names: list[str]) -> str:
    shown = ", ".join(repr(n) for n in names[:12])
    return shown + (f" and {len(names) - 12} more" if len(names) > 12 else "")
