"""Check raw spec parameters against a loss's declared types and ranges."""

from __future__ import annotations

import math
from typing import Any

from losscli.errors import LossCliError
from losscli.registry.declarations import LossEntry, Param
from losscli.spec import LossSpec, RawValue

INT_LIMIT = 1 << 63


def resolve_params(entry: LossEntry, spec: LossSpec) -> dict[str, Any]:
    """Every effective parameter of ``entry``: the declared defaults overridden by ``spec``."""
    unknown = [k for k in spec.params if entry.param(k) is None]
    if unknown:
        known = ", ".join(p.name for p in entry.params) or "none"
        raise LossCliError(
            f"loss {spec.text!r}: unknown parameter {unknown[0]!r} for {entry.name}",
            f"its parameters are: {known} (see 'losscli info {entry.name}')",
        )
    resolved = dict(entry.defaults)
    for key, raw in spec.params.items():
        param = entry.param(key)
        assert param is not None
        resolved[key] = _coerce(param, raw, spec.text)
    return resolved


def _coerce(param: Param, raw: RawValue, spec_text: str) -> Any:
    where = f"loss {spec_text!r}: {param.name}"
    kind = param.type
    if kind == "bool":
        if not isinstance(raw, bool):
            raise LossCliError(f"{where} must be true or false, got {raw!r}", f"e.g. {param.name}=true")
        return raw
    if kind in ("int_or_none", "label", "label_list") and raw is None:
        return None
    if kind in ("label", "label_list"):
        return _labels(param, raw, where)
    if kind == "axes":
        return _axes(raw, where)
    if kind == "auto_bool":
        if not isinstance(raw, bool) and raw != "auto":
            raise LossCliError(f"{where} must be auto, true or false, got {raw!r}", f"e.g. {param.name}=auto")
        return raw
    if isinstance(raw, list):
        if kind not in ("float_list", "float_or_list"):
            raise LossCliError(f"{where} takes a single number, not a list", f"e.g. {param.name}={param.default}")
        if not raw:
            raise LossCliError(f"{where} must not be an empty list", "give one number per class, e.g. [1,2,0.5]")
        return [_number(param, item, where) for item in raw]
    if kind == "float_list":
        raise LossCliError(f"{where} takes a list with one number per class", f"e.g. {param.name}=[1,2,0.5]")
    return _number(param, raw, where)


def _labels(param: Param, raw: RawValue, where: str) -> Any:
    """A class label (a number or text) or, for ``label_list``, a non-empty list of labels of one type."""
    items = raw if isinstance(raw, list) else [raw]
    if param.type == "label" and isinstance(raw, list):
        raise LossCliError(f"{where} takes one label, not a list", f"e.g. {param.name}=1 or {param.name}=dog")
    if param.type == "label_list" and not isinstance(raw, list):
        raise LossCliError(f"{where} takes a list of labels", f"e.g. {param.name}=[0,1,2] or {param.name}=[cat,dog]")
    if not items:
        raise LossCliError(f"{where} must not be an empty list", f"e.g. {param.name}=[cat,dog]")
    if any(isinstance(i, bool) for i in items):
        raise LossCliError(f"{where} takes numbers or text labels, not true/false", f"e.g. {param.name}=[0,1]")
    texts = sum(isinstance(i, str) for i in items)
    if 0 < texts < len(items):
        raise LossCliError(f"{where} mixes numbers and text labels", "give all labels as numbers or all as text ('1' quotes digits)")
    if not texts and not all(math.isfinite(i) for i in items):  # type: ignore[arg-type]
        raise LossCliError(f"{where} holds a label that is not a finite number", f"e.g. {param.name}=[0,1]")
    return raw


def _axes(raw: RawValue, where: str) -> list[int] | None:
    """``none``, one axis or a list of axes, as a list of ints (None stays None)."""
    if raw is None:
        return None
    items = raw if isinstance(raw, list) else [raw]

    def is_axis(item: RawValue) -> bool:  # a whole number an array could have as an axis (inf, nan, 1e400 are not)
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            return False
        return abs(item) < 64 if isinstance(item, int) else (math.isfinite(item) and item.is_integer() and abs(item) < 64)

    if not items or not all(is_axis(i) for i in items):
        shown = raw if not isinstance(raw, int) or abs(raw) < 10**20 else f"an integer of {len(str(abs(raw)))} digits"
        raise LossCliError(f"{where} must be none, an axis or a list of axes, got {shown!r}", "e.g. axis=none or axis=[1,2]")
    return [int(i) for i in items]


def _number(param: Param, raw: RawValue, where: str) -> float | int:
    """A finite number in the declared range (an unbounded side still excludes ±inf and NaN)."""
    if raw is None or isinstance(raw, (bool, str)):
        raise LossCliError(f"{where} must be a number, got {repr(raw) if isinstance(raw, str) else str(raw).lower()}", f"valid range is {param.range_text()}, default {param.default}")
    if isinstance(raw, float) and (math.isnan(raw) or (param.finite and math.isinf(raw))):
        raise LossCliError(f"{where}={raw!r} is not a finite number", f"valid range is {param.range_text()}, default {param.default}")
    if param.type in ("int", "int_or_none"):
        if isinstance(raw, float) and not raw.is_integer():
            raise LossCliError(f"{where} must be an integer, got {raw!r}", f"e.g. {param.name}={param.default}")
        value: float | int = int(raw)
        if not -INT_LIMIT <= value < INT_LIMIT:
            raise LossCliError(f"{where}={raw!r} does not fit a 64-bit integer", f"valid range is {param.range_text()}")
    else:
        try:
            value = float(raw)
        except OverflowError:  # an integer beyond the double range
            raise LossCliError(f"{where} is too large for a double", f"valid range is {param.range_text()}") from None
    if math.isnan(value) or not _in_range(param, value):
        raise LossCliError(f"{where}={raw!r} is out of range", f"valid range is {param.range_text()}")
    return value


def _in_range(param: Param, value: float) -> bool:
    if param.low is not None and (value < param.low or (param.low_open and value == param.low)):
        return False
    if param.high is not None and (value > param.high or (param.high_open and value == param.high)):
        return False
    return True
