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
from losscli.registry.declarations import Check, Kind, Lenient, LossEntry, Shape
from losscli.registry.lenience import Lenience

LOG_PROB_TOLERANCE = 1e-6
CLASS_AXIS = {Shape.CLASSES_FIRST: 1, Shape.CLASSES_LAST: -1}  # scores with classes on that axis (PyTorch, Keras)
INDEX_AXIS = {Shape.SPATIAL_INDEX: 1, Shape.SPATIAL_INDEX_OR_SAME: 1, Shape.LAST_INDEX: -1}  # indices drop that axis


def without_axis(shape: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """``shape`` with ``axis`` (negative counts from the end) left out: the positions of a class axis."""
    axis %= len(shape)
    return shape[:axis] + shape[axis + 1:]


def _not_in(*allowed: float) -> Callable[[np.ndarray], np.ndarray]:
    def outside(x: np.ndarray) -> np.ndarray:
        bad = np.isfinite(x)
        for value in allowed:
            bad &= x != value
        return bad

    return outside


# kind -> (mask of values outside its range, what the range is); NaN is never flagged here
_RANGE_CHECKS: dict[Kind, tuple[Callable[[np.ndarray], np.ndarray], str]] = {
    Kind.PROBABILITIES: (lambda x: (x < 0) | (x > 1), "probabilities in [0, 1]"),
    Kind.SOFT_TARGETS: (lambda x: (x < 0) | (x > 1), "one-hot or soft targets in [0, 1]"),
    Kind.LOG_PROBABILITIES: (lambda x: x > LOG_PROB_TOLERANCE, "log-probabilities (<= 0)"),
    Kind.BINARY_LABELS: (_not_in(0, 1), "0 or 1"),
    Kind.SIGNED_LABELS: (_not_in(-1, 1), "-1 or 1"),
    Kind.HINGE_LABELS: (_not_in(-1, 0, 1), "-1/1 or 0/1 labels"),
    Kind.DISTANCES: (lambda x: x < 0, "non-negative distances"),
    Kind.POSITIVE: (lambda x: x <= 0, "positive"),
    Kind.NON_NEGATIVE: (lambda x: x < 0, "non-negative"),
    Kind.ABOVE_MINUS_ONE: (lambda x: x <= -1, "greater than -1 (log1p is undefined at -1 and below)"),
    Kind.LENGTHS: (lambda x: (x < 0) | (x != np.floor(x)), "non-negative whole numbers"),
    Kind.ZERO_PADDED_LABELS: (lambda x: (x < 0) | (x != np.floor(x)), "class indices (whole numbers >= 0)"),
}


def prepare_inputs(
    entry: LossEntry, params: dict[str, Any], bound: list[InputArray], label: str,
    rows: np.ndarray | None, lenience: Lenience,
) -> list[np.ndarray]:
    """Arrays ready for ``entry.fn``, in role order; raises :class:`LossCliError` on any mismatch.

    ``bound`` holds one input per role of ``entry``; ``rows`` maps their rows back to the file.
    ``lenience`` collects what a library entry's lenient checks flag over the pass.
    """
    first = bound[0]
    if first.data.ndim == 0 or first.data.shape[0] == 0:
        raise LossCliError(f"loss {label!r}: {first.describe()} holds no samples")
    out: list[np.ndarray] = []
    for role, inp in zip(entry.roles, bound):
        data = _check_shape(role.shape, first, inp, label)
        data = _check_kind(role.kind_for(params), entry, params, inp.with_data(data), label, rows, first, lenience, role.name)
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
    if shape in CLASS_AXIS and data.ndim < 2:
        first_axis = CLASS_AXIS[shape] == 1
        raise LossCliError(
            f"loss {label!r} needs {shape.value.split(':')[0]} {'scores' if first_axis else 'values'} for {inp.role},"
            f" got {inp.describe()}", f"select one column per class with --col {inp.role}='p_*', or pass a 2-D or higher"
            f" array (classes {'on axis 1' if first_axis else 'last'})",
        )
    if shape in INDEX_AXIS and ref.ndim > 2:
        indices = without_axis(ref.shape, INDEX_AXIS[shape])
        if data.shape == indices or (shape is Shape.SPATIAL_INDEX_OR_SAME and data.shape == ref.shape):
            return data
        raise LossCliError(
            f"shape mismatch for loss {label!r}: {first.describe()} takes class indices {indices}"
            + (f" or probabilities {ref.shape}" if shape is Shape.SPATIAL_INDEX_OR_SAME else "") + f", got {inp.describe()}",
            f"the target drops the class axis ({'axis 1' if INDEX_AXIS[shape] == 1 else 'the last'}) of the scores",
        )
    if shape is Shape.MATRIX and data.ndim != 2:
        raise LossCliError(
            f"loss {label!r} needs a (N, K) matrix for {inp.role}, got {inp.describe()}",
            f"select several columns with --col {inp.role}='p_*', or pass a 2-D array",
        )
    if inp is first or shape in (Shape.MATRIX, Shape.ANY, Shape.SEQUENCE):
        return data
    if shape in (Shape.SPATIAL_INDEX, Shape.LAST_INDEX):
        shape = Shape.INDEX
    elif shape is Shape.SPATIAL_INDEX_OR_SAME:
        shape = Shape.INDEX_OR_SAME
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
    rows: np.ndarray | None, first: InputArray, lenience: Lenience, role: str,
) -> np.ndarray:
    """``inp`` checked against ``kind``; ``role`` is the entry's name for it (leniencies are declared by
    it), ``inp.role`` the name the user bound it by (messages use that)."""
    data = inp.data
    if data.dtype == np.bool_:
        data = data.astype(np.float64)
    if kind is Kind.CLASS_TARGETS:  # indices drop the class axis of (N, C) or (N, C, d1, …) scores
        kind = Kind.CLASS_INDICES if data.ndim == first.data.ndim - 1 and first.data.ndim >= 2 else Kind.SOFT_TARGETS
    if kind is Kind.CLASS_INDICES:
        return _class_indices(entry, params, inp.with_data(data), label, rows, first)
    if kind is Kind.LABELS and data.dtype.kind in "US":
        return data  # text labels: the loss compares them
    data = data if data.dtype.kind == "f" and entry.keeps_dtype else as_float64(data, inp, label, rows)
    inp = inp.with_data(data)
    if kind in _RANGE_CHECKS:
        outside, what = _RANGE_CHECKS[kind]
        bad = outside(data)
        lenient = lenience.allows(role, Check.RANGE)
        if lenient is None:
            hint = _strict_hint(_kind_hint(kind, entry), entry, role, Check.RANGE)
            _raise_if_any(bad, inp, label, f"must be {what}", rows, hint)
        else:
            if lenient.refused is not None:
                _raise_if_any(bad & lenient.refused(data), inp, label, f"must be {what}", rows, lenient.refused_why)
            _note_if_any(bad, inp, label, f"should be {what}", rows, lenient, entry, lenience)
    if kind is Kind.HINGE_LABELS:
        _check_hinge_labels(entry, inp, label, rows, lenience, role)
    return data


def _check_hinge_labels(
    entry: LossEntry, inp: InputArray, label: str, rows: np.ndarray | None, lenience: Lenience, role: str,
) -> None:
    """0 labels with -1 labels are refused, but warned about for a library that converts 0/1 labels
    to -1/1 only when every label is 0 or 1 (and otherwise uses them as given)."""
    data = inp.data
    zero, other = data == 0, (data != 0) & (data != 1)
    if entry.lenient_check(role, Check.LABEL_MIX) is not None:
        _check_one_conversion(lenience, inp, label, rows, other if other.any() else zero, converted=not other.any())
    lenient = lenience.allows(role, Check.LABEL_MIX)
    if lenient is None and zero.any() and (data == -1).any():
        raise LossCliError(f"loss {label!r}: {inp.describe()} mixes 0 and -1 labels",
                           _strict_hint("use {-1, 1} or {0, 1} labels, not both", entry, role, Check.LABEL_MIX))
    if lenient is not None and other.any():
        _note_if_any(zero, inp, label, "mixes 0 with labels other than 1", rows, lenient, entry, lenience, Check.LABEL_MIX)


def _check_one_conversion(
    lenience: Lenience, inp: InputArray, label: str, rows: np.ndarray | None, where: np.ndarray, converted: bool,
) -> None:
    """The library decides over the whole batch whether to convert 0/1 labels; the pass sees a chunk at a
    time, so a chunk whose 0 labels were converted and a chunk holding other labels cannot both be right."""
    if not where.any():
        return
    flat = int(np.argmax(where.reshape(-1)))
    lenience.label_places.setdefault(converted, f"{inp.locate(flat, rows)} is {shown(inp.data.reshape(-1)[flat])}")
    if len(lenience.label_places) == 2:
        raise LossCliError(
            f"loss {label!r}: {inp.role} holds labels other than 0 and 1 ({lenience.label_places[False]}), so the library"
            f" uses every label as given, but in a chunk of rows holding only 0 and 1 the 0 labels were converted to -1"
            f" ({lenience.label_places[True]}): the library decides over the whole batch, losscli per chunk of rows",
            "give -1/1 labels (0 as -1) to have 0 mean the negative class",
        )


def _class_indices(
    entry: LossEntry, params: dict[str, Any], inp: InputArray, label: str, rows: np.ndarray | None,
    first: InputArray,
) -> np.ndarray:
    data = inp.data
    n_classes = first.data.shape[CLASS_AXIS.get(entry.roles[0].shape, 1)]
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
    head, count = _flagged(bad, inp, label, what, rows)
    raise LossCliError(f"{head} ({count} such value{'s' if count > 1 else ''})", hint)


def _note_if_any(
    bad: np.ndarray, inp: InputArray, label: str, what: str, rows: np.ndarray | None, lenient: Lenient,
    entry: LossEntry, lenience: Lenience, check: Check = Check.RANGE,
) -> None:
    """Add the values a lenient check flags to the pass's finding for it."""
    if not bad.any():
        return
    head, count = _flagged(bad, inp, label, what, rows)
    lenience.note(inp.role, check, head, f"{lenient.does}; the canonical {entry.canonical!r} refuses them", count)


def _flagged(bad: np.ndarray, inp: InputArray, label: str, what: str, rows: np.ndarray | None) -> tuple[str, int]:
    """The message of the first flagged value (where it is, and every digit of it), and how many are flagged."""
    flat = bad.reshape(-1)
    first_bad = int(np.argmax(flat))
    value = inp.data.reshape(-1)[first_bad]
    context = f"loss {label!r}: {inp.role}" if label else f"sample {inp.role}"
    return f"{context} {what}, but {inp.locate(first_bad, rows)} is {shown(value)}", int(flat.sum())


def shown(value: Any) -> str:
    """A value as a message shows it: every digit it needs (``1.000000001``, not ``1``), integers whole."""
    if isinstance(value, (np.integer, int)):
        return str(int(value))
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _strict_hint(hint: str | None, entry: LossEntry, role: str, check: Check) -> str | None:
    """``hint``, and for a check only ``--strict`` makes an error, what the library does without it."""
    lenient = entry.lenient_check(role, check)
    if lenient is None:
        return hint
    return "; ".join(filter(None, (hint, f"{lenient.does}: drop --strict to accept them with a warning")))


def _kind_hint(kind: Kind, entry: LossEntry) -> str | None:
    if kind is Kind.PROBABILITIES and entry.logits_twin:
        return f"for raw scores (logits) use '{entry.logits_twin}'"
    if kind is Kind.LOG_PROBABILITIES:
        return "apply log_softmax first, or use 'cross_entropy' on raw scores"
    return None


def check_weights(weight: InputArray, rows: np.ndarray | None = None) -> np.ndarray:
    """Weights as float64: (N,) one per sample, or (N, K) one per element (for losses that take them); non-negative."""
    data = weight.data
    if data.ndim == 2 and data.shape[1] == 1:
        data = data.reshape(-1)
    if data.ndim > 2:
        raise LossCliError(f"weights must be one number per sample (or per element of a (N, K) input), got {weight.describe()}",
                           "select a single weight column")
    data = as_float64(data, weight, "", rows)
    _raise_if_any(data < 0, weight.with_data(data), "", "must be non-negative", rows, "use zero to leave a sample out")
    return data


def check_element_weights(
    entry: LossEntry, params: dict[str, Any], label: str, first: np.ndarray, weight: np.ndarray, source: InputArray,
) -> None:
    """(N, K) weights go with a loss that weights elements: the first input's shape (PyTorch), or its
    positions, its shape without the feature axis ``axis`` (Keras)."""
    if not entry.element_weights:
        raise LossCliError(f"loss {label!r} takes one weight per sample, but the weights are {source.describe()}",
                           "select a single weight column" + ("" if entry.follows == "losscli" else
                                                               f" ('losscli info {entry.name}' lists what it takes)"))
    if entry.element_weights == "positions":  # Keras: one per position of (N, d1, …, K) inputs
        axis = params.get("axis", -1)
        positions = without_axis(first.shape, axis if isinstance(axis, int) else axis[0])
        if first.ndim < 3 or weight.shape != positions:
            raise LossCliError(f"loss {label!r}: weights of several columns must be one per position {_rows(positions)}"
                               f" of a (N, d1, …, K) input {_rows(first.shape)}, but they are {_rows(weight.shape)}",
                               "give one weight per sample, or one per position")
    elif weight.shape != first.shape:
        raise LossCliError(f"loss {label!r}: element weights must have the shape of its first input {_rows(first.shape)},"
                           f" but they are {_rows(weight.shape)} ({source.label})", "give one weight per element, or one per sample")


def _rows(shape: tuple[int, ...]) -> str:
    """A chunk's shape as the input's: ``(N, 3)``, rows being a chunk's share of the input."""
    return "(" + ", ".join(["N", *map(str, shape[1:])]) + ")"
