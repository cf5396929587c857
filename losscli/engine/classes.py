"""Class labels before the pass: the sorted distinct values of a label column, as scikit-learn maps them.

scikit-learn gives label c the column of c among the sorted distinct values of the whole y_true
(or of ``labels=``), which one streaming pass cannot know before its end. So a file's label
column is read once first, alone (a cheap pass over one column), keeping its distinct values
(at most ``$LOSSCLI_MAX_CLASSES``, default 100,000). That read also tells the column's type: a
CSV column whose every cell is a number holds numbers (``1`` and ``1.0`` are one class), any
other holds text. A stream (stdin, a pipe) cannot be read twice: there the classes come from
``labels=``, whose type (numbers or text) says how the column is read.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from losscli.engine.losses import ResolvedLoss
from losscli.errors import LossCliError
from losscli.inputs import BoundInput
from losscli.readers.base import LABEL, NUMBER
from losscli.registry import Kind
from losscli.state import max_distinct

MAX_CLASSES_ENV = "LOSSCLI_MAX_CLASSES"


@dataclasses.dataclass(frozen=True)
class Scanned:
    """A label column's distinct values, sorted (float64 numbers or text), and how the pass reads it."""

    values: np.ndarray
    how: str  # NUMBER or LABEL


def prepare_labels(
    losses: list[ResolvedLoss], bound: list[list[BoundInput]],
) -> tuple[list[list[BoundInput]], list[dict[str, Any]]]:
    """Each loss's inputs with label roles read as their type, and the ``classes``/``seen`` keywords of its function.

    ``classes`` are the sorted distinct values of ``labels=`` when given, else of the column;
    ``seen`` those of the column (None when it cannot be read before the pass).
    """
    scans: dict[tuple[int, tuple[str, ...]], Scanned | None] = {}
    rebound: dict[tuple[int, str], BoundInput] = {}  # one input per column and reading, shared by the losses
    out_bound, extras = [], []
    for loss, inputs in zip(losses, bound):
        inputs = list(inputs)
        extra: dict[str, Any] = {}
        for position, role in enumerate(loss.entry.roles):
            b = inputs[position]
            if role.kind is not Kind.LABELS or b.width() != 1:
                continue  # indicator rows (N, K) are numbers
            key = (id(b.source), b.names)
            if key not in scans:
                scans[key] = _scan(b)
            scanned = scans[key]
            if role.name == loss.entry.classes_of:
                extra = _classes(loss, b, scanned)
                how = NUMBER if extra["classes"].dtype.kind == "f" else LABEL
            elif scanned is not None:
                how = scanned.how
            else:  # a stream: typed text is text; a CSV's untyped cells are read as numbers
                how = NUMBER if b.source.fields[b.names[0]].numeric else LABEL
            if how != b.how:
                inputs[position] = rebound.setdefault((id(b), how), dataclasses.replace(b, how=how))
        out_bound.append(inputs)
        extras.append(extra)
    return out_bound, extras


def _classes(loss: ResolvedLoss, b: BoundInput, scanned: Scanned | None) -> dict[str, Any]:
    labels = loss.params.get("labels")
    name = loss.spec.text
    if labels is None and scanned is None:
        raise LossCliError(
            f"loss {name!r}: {b.role} comes from {b.label}, which can be read only once, and scikit-learn maps"
            f" labels to columns by the sorted distinct values of the whole {b.role}",
            f"give its classes: {loss.entry.name}:labels=[…] (e.g. labels=[0,1,2] or labels=[cat,dog]), or pass a file",
        )
    classes = scanned.values if labels is None else label_array(labels)
    if labels is not None and scanned is not None and (scanned.values.dtype.kind == "f") != (classes.dtype.kind == "f"):
        given, held = ("numbers", "text") if classes.dtype.kind == "f" else ("text", "numbers")
        raise LossCliError(f"loss {name!r}: labels= are {given} but {b.describe()} holds {held}",
                           "give labels of the column's type ('1' quotes digits as text)")
    return {"classes": classes, "seen": None if scanned is None else scanned.values}


def label_array(labels: list[Any]) -> np.ndarray:
    """``labels=`` as scikit-learn's ``np.unique(labels)``: sorted distinct float64 numbers or text."""
    text = isinstance(labels[0], str)
    return np.unique(np.array(labels, dtype=str if text else np.float64))


def _scan(b: BoundInput) -> Scanned | None:
    """The distinct values of a one-column label input, read before the pass (None: it cannot be)."""
    name = b.names[0]
    batches = b.source.reread({name: LABEL})
    if batches is None:
        return None
    limit = max_distinct(MAX_CLASSES_ENV)
    seen: np.ndarray | None = None
    for batch in batches:
        distinct = np.unique(batch[name].reshape(-1))
        seen = distinct if seen is None else np.union1d(seen, distinct)
        if len(seen) > limit:
            raise LossCliError(f"{b.describe()}: more than {limit} distinct values, too many to be class labels",
                               f"check the column, or raise the limit with {MAX_CLASSES_ENV}=N")
    if seen is None:
        seen = np.zeros(0)
    if seen.dtype.kind in "US":
        return _text_classes(b, seen)
    values = seen.astype(np.float64)
    return Scanned(values[~np.isnan(values)], NUMBER)


def _text_classes(b: BoundInput, text: np.ndarray) -> Scanned:
    """Text labels; a CSV column's text that is all numbers (empty cells aside) holds numbers."""
    cells = np.char.strip(text)
    filled = cells[cells != ""]
    if b.source.fields[b.names[0]].numeric:  # typed text only where the format has no types
        try:
            parsed = filled.astype(np.float64)
        except ValueError:
            parsed = None
        if parsed is not None:
            return Scanned(np.unique(parsed[~np.isnan(parsed)]), NUMBER)
    if len(filled) < len(cells):
        raise LossCliError(f"{b.describe()} has an empty label (an empty cell or a null)",
                           "give every sample a label, or drop those rows")
    return Scanned(text, LABEL)
