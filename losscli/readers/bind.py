"""Bind the files and columns a user named to the roles a loss declares.

One file: a table or NPZ holding every input (default column names below, ``--col ROLE=SEL``
or ``--pred-col``/``--target-col`` to choose), with an optional ``weight`` array in an NPZ.
Two files: PRED and TARGET bind the first two roles. ``--input ROLE=PATH`` binds any role.
The first two roles also answer to ``pred`` and ``target``.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import IO, Iterable

from losscli.errors import LossCliError
from losscli.inputs import BoundInput, role_keys
from losscli.readers.base import LABEL, NUMBER, Source
from losscli.readers.formats import STDIN
from losscli.readers.sources import open_source

DEFAULT_COLUMNS = {
    "pred": ("pred", "prediction", "y_pred", "yhat", "output"),
    "target": ("target", "label", "y_true", "y", "truth"),
    "weight": ("weight", "sample_weight"),
}


@dataclass
class InputOptions:
    """What the command line says about inputs.

    ``positional`` holds PRED and TARGET; ``bindings`` the ``--input NAME=PATH`` pairs;
    ``columns`` the selectors of ``--col NAME=SEL`` (``--pred-col`` is ``pred``, and so on).
    """

    positional: list[str] = field(default_factory=list)
    bindings: dict[str, str] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    input_format: str | None = None


def parse_binding(text: str, option: str) -> tuple[str, str]:
    """``NAME=VALUE`` from ``--input`` or ``--col``."""
    name, eq, value = text.partition("=")
    if not eq or not name or not value:
        raise LossCliError(f"{option} {text!r}: expected ROLE=VALUE", f"e.g. {option} weight=w.npy")
    return name, value


class InputResolver:
    """Opens every named file once, then finds each loss's inputs among them (cached).

    Nothing is read here but headers: a :class:`BoundInput` names a source and its fields, and
    the engine's pass reads them.
    """

    def __init__(self, options: InputOptions, stdin: IO[bytes] | None = None) -> None:
        self.options = options
        paths = [*options.positional, *options.bindings.values()]
        if not paths:
            raise LossCliError("no predictions given", "pass PRED (a path, or - for stdin) or --input pred=PATH")
        if sum(p == STDIN for p in dict.fromkeys(paths)) > 1 or options.positional.count(STDIN) > 1:
            raise LossCliError("only one input can come from stdin ('-')")
        self.sources = {path: open_source(path, options.input_format, stdin) for path in dict.fromkeys(paths)}
        self._cache: dict[tuple[str, str, tuple[str, ...]], BoundInput] = {}

    def close(self) -> None:
        for source in self.sources.values():
            source.close()

    def bind(self, role_names: list[str]) -> list[BoundInput]:
        """One input per role, in order; raises a clear error for a role nothing provides."""
        return [self._resolve(role_keys(role_names, i), i) for i in range(len(role_names))]

    def weight(self) -> BoundInput | None:
        """Sample weights: ``--input weight=PATH``, ``--weight-col``, or an NPZ's ``weight`` array."""
        opts = self.options
        selectors = opts.columns.get("weight", [])
        if "weight" in opts.bindings:
            return self._load("weight", opts.bindings["weight"], selectors, shared=False, defaults=DEFAULT_COLUMNS["weight"])
        candidates = list(dict.fromkeys(opts.positional))
        if selectors:
            wanted = [s.strip() for item in selectors for s in item.split(",") if s.strip()]
            for path in candidates:
                source = self.sources[path]
                if source.is_table and all(fnmatch.filter(source.names, w) for w in wanted):
                    return self._load("weight", path, selectors, shared=True, defaults=())
            tables = [self.sources[p].label for p in candidates if self.sources[p].is_table]
            raise LossCliError(
                f"--weight-col {','.join(wanted)}: no such column in {_listing(tables) or 'the inputs (arrays have no columns)'}",
                "name a column of the PRED or TARGET table, or pass --input weight=PATH",
            )
        if len(candidates) == 1 and not self.sources[candidates[0]].is_table and "weight" in self.sources[candidates[0]].names:
            return self._load("weight", candidates[0], [], shared=True, defaults=("weight",))
        return None

    def named_roles(self) -> dict[str, str]:
        """Each role ``--input`` or ``--col`` names, with the option text that names it."""
        named = {role: f"--input {role}={path}" for role, path in self.options.bindings.items()}
        for role, selectors in self.options.columns.items():
            if selectors and role not in named:
                named[role] = f"--col {role}={','.join(selectors)}"
        return named

    def column(self, name: str, option: str) -> BoundInput:
        """A column of labels (text or numbers) for ``--group-by``/``--id-col``: TARGET's table first, then PRED's."""
        paths = list(dict.fromkeys([*reversed(self.options.positional), *self.options.bindings.values()]))
        for path in paths:
            source = self.sources[path]
            if name in source.names:
                _usable(source, [name])
                if source.fields[name].shape:
                    raise LossCliError(f"{option} {name}: {source.label} holds a {1 + len(source.fields[name].shape)}-D array there",
                                       "name a 1-D column")
                return BoundInput(name, source, (name,), (name,), LABEL)
        raise LossCliError(
            f"{option} {name}: no such column in {_listing([self.sources[p].label for p in paths])}",
            "name a column (or NPZ array) of the PRED or TARGET input",
        )

    def _resolve(self, keys: list[str], position: int) -> BoundInput:
        opts = self.options
        label = keys[-1]
        selectors = next((opts.columns[k] for k in keys if opts.columns.get(k)), [])
        bound = next((opts.bindings[k] for k in keys if k in opts.bindings), None)
        defaults = [*keys, *DEFAULT_COLUMNS.get(label, ())]
        own_file = position < len(opts.positional) and (len(opts.positional) > 1 or position == 0)
        if bound is not None:
            if own_file:
                raise LossCliError(
                    f"{keys[0]} is given twice: as {opts.positional[position]!r} and by --input",
                    "give each input once",
                )
            return self._load(label, bound, selectors, shared=False, defaults=defaults)
        if position < len(opts.positional) and len(opts.positional) > 1:
            return self._load(label, opts.positional[position], selectors, shared=False, defaults=defaults)
        if opts.positional:  # one file holding every input
            return self._load(label, opts.positional[0], selectors, shared=True, defaults=defaults)
        raise LossCliError(
            f"no input for {keys[0]}", f"pass it positionally or with --input {keys[0]}=PATH",
        )

    def _load(self, label: str, path: str, selectors: list[str], shared: bool, defaults: Iterable[str]) -> BoundInput:
        key = (label, path, tuple(selectors))
        if key not in self._cache:
            self._cache[key] = _bind(label, self.sources[path], selectors, shared, list(defaults))
        return self._cache[key]


def _bind(role: str, source: Source, selectors: list[str], shared: bool, defaults: list[str]) -> BoundInput:
    """Pick ``role``'s columns or array from ``source``.

    ``shared`` sources hold several roles, so a role needs a selector or a column/array named
    by one of ``defaults``; a source of its own gives every column (or its only array).
    """
    default = next((d for d in defaults if d in source.names), None)
    if selectors:
        names = select_columns(source, selectors, role)
    elif default is not None:
        names = [default]
    elif not shared:
        names = source.names
        if not source.is_table and len(names) > 1:
            raise LossCliError(
                f"{source.label}: cannot tell which array holds {role}: it has {_listing(names)}",
                f"name the array {role!r}, or pick one with --col {role}=NAME",
            )
    elif source.is_table:
        raise LossCliError(
            f"{source.label}: no {role} column; looked for {_listing(defaults)} among {_listing(source.names)}",
            f"pick columns with --col {role}=NAME or --{role}-col NAME (comma lists and globs like 'p_*' work)"
            if role in ("pred", "target") else f"pick columns with --col {role}=NAME, or pass --input {role}=PATH",
        )
    else:
        shown = [n or "(one unnamed array)" for n in source.names]
        raise LossCliError(
            f"{source.label}: no array named {_listing(defaults[:2])}; it has {_listing(shown)}",
            f"give {role} as its own file (PRED TARGET, or --input {role}=PATH), or save an NPZ with arrays named by role",
        )
    if len(names) > 1 and any(source.fields[n].shape for n in names):
        raise LossCliError(f"{source.label}: arrays {_listing(names)} are not all 1-D, so they cannot form columns")
    _usable(source, names)
    return BoundInput(role, source, tuple(names), tuple(names) if source.is_table else None, NUMBER)


def _usable(source: Source, names: list[str]) -> None:
    """Refuse a chosen column or array that the source lists but cannot give (ambiguous, damaged)."""
    refused = next((source.refused[n] for n in names if n in source.refused), None)
    if refused is not None:
        raise refused


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
    if not chosen:
        raise LossCliError(f"{source.label}: the columns chosen for {role} ({', '.join(map(repr, selectors))}) name none",
                           "give column names, comma lists or globs like 'p_*'")
    return chosen


def _listing(names: list[str]) -> str:
    """At most 12 names, each cut to 60 characters: a message stays one readable line whatever the header holds."""
    shown = ", ".join(repr(n if len(n) <= 60 else f"{n[:40]}…({len(n)} characters)") for n in dict.fromkeys(names[:12]))
    return shown + (f" and {len(names) - 12} more" if len(names) > 12 else "")
