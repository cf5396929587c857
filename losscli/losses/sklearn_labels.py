"""scikit-learn's class labels: numbers or text, given columns by their sorted distinct values.

The engine reads a label column before the pass (:mod:`losscli.engine.classes`) and hands each
``sklearn.*`` function ``classes`` (the sorted distinct values of ``labels=`` when given, else
of y_true) and ``seen`` (those of y_true, or None when it could not be read twice). These
helpers turn labels into column positions and targets as ``LabelBinarizer`` and
``LabelEncoder`` do, and raise scikit-learn's errors as one-line messages.
"""

from __future__ import annotations

import numpy as np

from losscli.errors import LossCliError

ZERO_ONE_SETS = ({0.0, 1.0}, {-1.0, 1.0}, {0.0}, {-1.0}, {1.0})  # where scikit-learn's pos_label defaults to 1


def shown(values: np.ndarray, limit: int = 8) -> str:
    """``[cat, dog]`` or ``[0, 1, 2]``: labels as a message shows them (integers whole, at most ``limit``)."""
    items = [f"{v:g}" if isinstance(v, float) else str(v) for v in values[:limit].tolist()]
    return "[" + ", ".join(items) + (f", … ({len(values)} in all)" if len(values) > limit else "") + "]"


def _same_type(y: np.ndarray, classes: np.ndarray, name: str) -> None:
    if (y.dtype.kind in "US") != (classes.dtype.kind in "US"):
        given, held = ("text", "numbers") if classes.dtype.kind in "US" else ("numbers", "text")
        raise LossCliError(f"sklearn.{name}: the labels are {given} but y_true holds {held}",
                           "give labels= of y_true's type ('1' quotes digits as text)")


def encode(y: np.ndarray, classes: np.ndarray, name: str, role: str = "y_true") -> np.ndarray:
    """Each label's position among the sorted ``classes`` (LabelEncoder); a label not among them is an error."""
    _same_type(y, classes, name)
    at = np.minimum(np.searchsorted(classes, y), len(classes) - 1)
    missing = classes[at] != y
    if missing.any():
        absent = np.unique(y[missing])
        raise LossCliError(
            f"sklearn.{name}: {role} holds the label{'s' if len(absent) > 1 else ''} {shown(absent)[1:-1]},"
            f" not among labels={shown(classes)}",
            "list every class of y_true in labels=, in any order (columns follow their sorted order)",
        )
    return at


def whole_numbers(classes: np.ndarray, name: str) -> None:
    """scikit-learn's label binarizer refuses continuous targets: number labels must be whole."""
    if classes.dtype.kind not in "US" and (classes != np.floor(classes)).any():
        odd = classes[classes != np.floor(classes)]
        raise LossCliError(f"sklearn.{name}: y_true holds {shown(odd)[1:-1]}, not a class label"
                           " (labels are whole numbers or text)",
                           "give one label per sample; for soft targets use (N, K) 0/1 rows or another loss")


def class_count(classes: np.ndarray, columns: int, given: bool, name: str, what: str) -> None:
    """scikit-learn's checks that the classes fit the prediction's ``columns``."""
    if len(classes) == 1:
        raise LossCliError(
            f"sklearn.{name}: " + (f"labels= lists one class only ({shown(classes)[1:-1]})" if given else
                                   f"y_true holds one label only ({shown(classes)[1:-1]})"),
            "give every class: labels=[…] with at least two labels",
        )
    if len(classes) != columns:
        whose = "labels=" if given else "y_true"
        raise LossCliError(
            f"sklearn.{name}: {whose} has {len(classes)} classes {shown(classes)} but {what} has {columns} columns",
            "give one column per class, in the sorted order of the labels" if given else
            f"when y_true lacks some classes, list them all: {name}:labels=[…]",
        )


def check_binary(classes: np.ndarray, name: str) -> None:
    """scikit-learn's ``type_of_target == 'binary'``: at most two labels, numbers whole."""
    whole_numbers(classes, name)
    if len(classes) > 2:
        raise LossCliError(f"sklearn.{name}: with (N,) probabilities y_true must hold two labels at most,"
                           f" but holds {shown(classes)}",
                           "for several classes give (N, K) probabilities, one column per class")


def positive_label(classes: np.ndarray, name: str) -> float:
    """scikit-learn's default ``pos_label``: 1 for labels within {0, 1} or {−1, 1}, else the larger number."""
    if classes.dtype.kind in "US":
        raise LossCliError(f"sklearn.{name}: y_true takes the text labels {shown(classes)} and pos_label is not given",
                           f"name the positive class, e.g. sklearn.{name}:pos_label={classes[-1]}")
    check_binary(classes, name)
    return 1.0 if set(classes.tolist()) in ZERO_ONE_SETS else float(classes[-1])


def one_hot(positions: np.ndarray, columns: int, dtype: np.dtype) -> np.ndarray:
    """(N, columns) rows with 1 at each position."""
    return np.eye(columns, dtype=dtype)[positions]
