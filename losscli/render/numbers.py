"""Number formatting shared by the renderers: significant digits for text, null for non-finite JSON."""

from __future__ import annotations

import math
from typing import Any


def sig(value: float | None, digits: int) -> str:
    """``value`` rounded to ``digits`` significant digits; ``nan``/``inf`` spelled out, None as ``null``."""
    if value is None:
        return "null"
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.{digits}g}"


def json_number(value: float) -> float | None:
    """A float for strict JSON: non-finite values become null."""
    value = float(value)
    return value if math.isfinite(value) else None


def format_params(params: dict[str, Any]) -> str:
    """``delta=0.5, weight=[1, 2]`` for tables."""
    return ", ".join(f"{k}={_param_text(v)}" for k, v in params.items())


def _param_text(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ",".join(_param_text(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def json_params(params: dict[str, Any]) -> dict[str, Any]:
    """Loss parameters as JSON: a non-finite number (a norm's ``p=inf``) as the string ``"inf"``, ``"-inf"`` or ``"nan"``."""
    def value(v: Any) -> Any:
        if isinstance(v, float) and not math.isfinite(v):
            return repr(v)
        if isinstance(v, (list, tuple)):
            return [value(item) for item in v]
        return v

    return {name: value(v) for name, v in params.items()}
