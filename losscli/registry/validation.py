"""Check inputs against a loss's declared roles: exact shapes, then the range of each kind.

Nothing is broadcast: the only leniencies are (N,) against (N, 1), and (N,) class indices
against (N, K) scores. Non-finite values are left alone here (the ``--nan`` policy owns them).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from losscli.errors import LossCliError
from losscli.inputs import InputArray
from losscli.readers.base import inexact_integers
from losscli.registry.declarations import Kind, LossEntry, Shape

LOG_PROB_TOLERANCE = 1e-6


def _not_in(*allowed: float) -> Callable[[np.ndarray], np.ndarray]:
    def outside(x: np.ndarray) -> np.ndarray:
        bad = np.isfinite(x)
        for value in allowed:
            bad &= x != value
        return bad

    return outside


# kind -> (mask of values outside its range, what the range is); NaN is never flagged here
_RANGE_CHECKS: dict[Kind, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    Kind.PROBABILITIES: (lambda x: (x < 0) | (x > 1), "must be probabilities in [0, 1]"),
    Kind.SOFT_TARGETS: (lambda x: (x < 0) | (x > 1), "must be one-hot or soft targets in [0, 1]"),
    Kind.LOG_PROBABILITIES: (lambda x: x > LOG_PROB_TOLERANCE, "must be log-probabilities (<= 0)"),
    Kind.BINARY_LABELS: (_not_in(0, 1), "must be 0 or 1"),
    Kind.SIGNED_LABELS: (_not_in(-1, 1), "must be -1 or 1"),
    Kind.HINGE_LABELS: (_not_in(-1, 0, 1), "must be -1/1 or 0/1 labels"),
    Kind.DISTANCES: (lambda x: x < 0, "must be non-negative distances"),
    Kind.POSITIVE: (lambda x: x <= 0, "must be positive"),
    Kind.NON_NEGATIVE: (lambda x: x < 0, "must be non-negative"),
    Kind.ABOVE_MINUS_ONE: (lambda x: x <= -1, "must be greater than -1 (log1p is undefined at -1 and below)"),
    Kind.LENGTHS: (lambda x: (x < 0) | (x != np.floor(x)), "must be non-negative whole numbers"),
    Kind.ZERO_PADDED_LABELS: (lambda x: (x < 0) | (x != np.floor(x)), "must be class indices (whole numbers >= 0)"),
}


def prepare_inputs(
    entry: LossEntry, params: dict[str, Any], bound: list[InputArray], label: str,
    rows: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Arrays ready for ``entry.fn``, in role order; raises :class:`LossCliError` on any mismatch.

    ``bound`` holds one input per role of ``entry``; ``rows`` maps their rows back to the file.
    """
    first = bound[0]
    if first.data.ndim == 0 or first.data.shape[0] == 0:
        raise LossCliError(f"loss {label!r}: {first.describe()} holds no samples")
    out: list[np.ndarray] = []
    for role, inp in zip(entry.roles, bound):
        data = _check_shape(role.shape, first, inp, label)
        data = _check_kind(role.kind_for(params), entry, params, inp.with_data(data), label, rows, first)
        out.append(data)
    return out


def _check_shape(shape: Shape, first: InputArray, inp: InputArray, label: str) -> np.ndarray:
    ref, data = first.data, inp.data
    if inp is not first and data.shape[0] != ref.shape[0]:
        raise LossCliError(
            f"length mismatch: {first.describe()} but {inp.describe()}",
            "every input needs one row per sample",
        )
    if shape is Shape.VECTOR:
        if data.ndim == 1 or data.shape[1:] == (1,):
            return data.reshape(-1)
        raise LossCliError(
            f"loss {label!r} needs one value per sample for {inp.role}, got {inp.describe()}",
            "select a single column",
        )
    if shape is Shape.SEQUENCE and data.ndim != 3:
        raise LossCliError(
            f"loss {label!r} needs (N, T, C) scores for {inp.role}, got {inp.describe()}",
            "save the scores as a 3-D array in an NPY/NPZ file (batch first)",
        )
    if shape is Shape.MATRIX and data.ndim != 2:
        raise LossCliError(
            f"loss {label!r} needs a (N, K) matrix for {inp.role}, got {inp.describe()}",
            f"select several columns with --col {inp.role}='p_*', or pass a 2-D array",
        )
    if inp is first or shape in (Shape.MATRIX, Shape.ANY, Shape.SEQUENCE):
        return data
    wants_index = shape is Shape.INDEX or (
        shape is Shape.INDEX_OR_SAME and ref.ndim == 2 and (data.ndim == 1 or data.shape[1:] == (1,)) and ref.shape[1] != 1
    )
    if wants_index:
        if ref.ndim != 2:
            raise LossCliError(
                f"loss {label!r} needs (N, K) class scores with class-index targets, got {first.describe()}",
                "select one column per class with --pred-col, e.g. --pred-col 'p_*'",
            )
        if data.ndim == 1 or data.shape[1:] == (1,):
            return data.reshape(-1)
        raise LossCliError(
            f"shape mismatch for loss {label!r}: {inp.role} must be (N,) class indices, got {inp.describe()}",
        )
    if data.shape == ref.shape:
        return data
    if data.size == ref.size and {data.ndim, ref.ndim} <= {1, 2} and 1 in (data.shape[-1], ref.shape[-1]):
        return data.reshape(ref.shape)
    raise LossCliError(
        f"shape mismatch for loss {label!r}: {first.describe()} but {inp.describe()}",
        "shapes must match exactly (only (N,) against (N, 1) is accepted); select matching columns",
    )


def _check_kind(
    kind: Kind, entry: LossEntry, params: dict[str, Any], inp: InputArray, label: str,
    rows: np.ndarray | None, first: InputArray,
) -> np.ndarray:
    data = inp.data
    if data.dtype == np.bool_:
        data = data.astype(np.float64)
    if kind is Kind.CLASS_TARGETS:
        kind = Kind.CLASS_INDICES if data.ndim == 1 and first.data.ndim == 2 else Kind.SOFT_TARGETS
    if kind is Kind.CLASS_INDICES:
        return _class_indices(entry, params, inp.with_data(data), label, rows, first)
    if kind is Kind.LABELS and data.dtype.kind in "US":
        return data  # text labels: the loss compares them
    data = data if data.dtype.kind == "f" and entry.keeps_dtype else as_float64(data, inp, label, rows)
    if kind in _RANGE_CHECKS:
        outside, what = _RANGE_CHECKS[kind]
        _raise_if_any(outside(data), inp, label, what, rows, _kind_hint(kind, entry))
    if kind is Kind.HINGE_LABELS and (data == 0).any() and (data == -1).any():
        raise LossCliError(
            f"loss {label!r}: {inp.describe()} mixes 0 and -1 labels",
            "use {-1, 1} or {0, 1} labels, not both",
        )
    return data


def _class_indices(
    entry: LossEntry, params: dict[str, Any], inp: InputArray, label: str, rows: np.ndarray | None,
    first: InputArray,
) -> np.ndarray:
    data, n_classes = inp.data, first.data.shape[1]
    ignore = params.get("ignore_index", params.get("ignore_class"))
    if data.dtype.kind in "iu":
        values = data.astype(np.int64, copy=False)
    else:
        finite = np.isfinite(data)
        _raise_if_any(finite & (data != np.floor(data)), inp, label, "must be integer class indices", rows,
                      f"labels are whole numbers from 0 to {n_classes - 1}; for class probabilities give one column per class")
        values = np.where(finite, data, 0).astype(np.int64)
    bad = (values < 0) | (values >= n_classes)
    if ignore is not None:
        bad &= values != ignore
    hint = f"{first.role} has {n_classes} columns, so labels run from 0 to {n_classes - 1}"
    if ignore is None and entry.param("ignore_index") is not None:
        hint += "; to skip rows with a label such as -100, set ignore_index=-100"
    _raise_if_any(bad, inp, label, f"must be class indices in [0, {n_classes})", rows, hint)
    return values


def as_float64(data: np.ndarray, inp: InputArray, label: str, rows: np.ndarray | None) -> np.ndarray:
    """``data`` (of input ``inp``) as float64, the dtype every loss computes in; an integer float64 cannot hold exactly is refused."""
    inexact = inexact_integers(data)
    if inexact is not None:
        _raise_if_any(inexact, inp.with_data(data), label, "holds integers float64 cannot represent exactly (beyond ±2^53)",
                      rows, "losses are computed in float64: subtract an offset or rescale so the values stay within ±2^53")
    return data.astype(np.float64, copy=False)


def _raise_if_any(
    bad: np.ndarray, inp: InputArray, label: str, what: str, rows: np.ndarray | None, hint: str | None = None,
) -> None:
    if not bad.any():
        return
    flat = bad.reshape(-1)
    first_bad = int(np.argmax(flat))
    value = inp.data.reshape(-1)[first_bad]
    count = int(flat.sum())
    context = f"loss {label!r}: {inp.role}" if label else f"sample {inp.role}"
    raise LossCliError(
        f"{context} {what}, but {inp.locate(first_bad, rows)} is {_shown(value)}"
        f" ({count} such value{'s' if count > 1 else ''})",
        hint,
    )


def _shown(value: Any) -> str:
    """A value as a message shows it: every digit it needs (``1.000000001``, not ``1``), integers whole."""
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _kind_hint(kind: Kind, entry: LossEntry) -> str | None:
    if kind is Kind.PROBABILITIES and entry.logits_twin:
        return f"for raw scores (logits) use '{entry.logits_twin}'"
    if kind is Kind.LOG_PROBABILITIES:
        return "apply log_softmax first, or use 'cross_entropy' on raw scores"
    return None


def check_weights(weight: InputArray, rows: np.ndarray | None = None) -> np.ndarray:
    """Sample weights as a (N,) float64 vector; they must be non-negative."""
    data = weight.data
    if data.ndim == 2 and data.shape[1] == 1:
        data = data.reshape(-1)
    if data.ndim != 1:
        raise LossCliError(f"sample weights must be one number per sample, got {weight.describe()}", "select a single weight column")
    data = as_float64(data, weight, "", rows)
    _raise_if_any(data < 0, weight.with_data(data), "", "must be non-negative", rows, "use zero to leave a sample out")
    return data
