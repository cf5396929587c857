"""Gates: thresholds a CI job checks, with exit code 1 when one fails.

``--fail-above LOSS=VALUE`` fails when a loss is above VALUE. ``--max-increase LOSS=TOL``
fails when a candidate is worse than the baseline by more than TOL: absolute (``0.01``) or
relative to the baseline (``2%``); "worse" follows the direction each loss declares (lower
or higher is better). ``*`` names every loss. A missing or non-finite value fails a gate.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from losscli.errors import LossCliError

if TYPE_CHECKING:
    from losscli.engine import ResolvedLoss


@dataclass(frozen=True)
class Tolerance:
    """How much worse a candidate may be: ``amount`` absolute, or a fraction of |baseline| when ``relative``."""

    amount: float
    relative: bool

    @property
    def text(self) -> str:
        return f"{self.amount * 100:g}%" if self.relative else f"{self.amount:g}"

    def allowed(self, baseline: float) -> float:
        return self.amount * abs(baseline) if self.relative else self.amount


@dataclass(frozen=True)
class GateSpec:
    """One gate as typed: the loss it names (a spec, a loss name, or ``*``) and its limit."""

    option: str
    loss: str
    limit: float | Tolerance
    text: str


@dataclass(frozen=True)
class GateOutcome:
    """One gate checked for one loss (and one candidate run, for ``--max-increase``)."""

    gate: GateSpec
    loss: str
    run: str | None
    baseline: float | None
    value: float | None
    passed: bool
    why: str  # the one-line reason, for stderr when the gate fails

    @property
    def limit_text(self) -> str:
        limit = self.gate.limit
        return limit.text if isinstance(limit, Tolerance) else f"{limit:g}"


def parse_gates(texts: list[str], option: str, relative_ok: bool) -> list[GateSpec]:
    """``LOSS=VALUE`` items of ``option``; ``VALUE`` may end in ``%`` when ``relative_ok``."""
    gates = []
    for text in texts:
        loss, eq, raw = text.rpartition("=")
        raw = raw.strip()
        if not eq or not loss.strip() or not raw:
            example = "mse=0.01 or 'mse=2%'" if relative_ok else "mse=0.25"
            raise LossCliError(f"{option} {text!r}: expected LOSS=VALUE", f"e.g. {option} {example}; LOSS is a --loss spec or *")
        relative = raw.endswith("%")
        if relative and not relative_ok:
            raise LossCliError(f"{option} {text!r}: a threshold is a number, not a percentage", f"e.g. {option} mse=0.25")
        try:
            number = float(raw[:-1] if relative else raw)
        except ValueError:
            raise LossCliError(f"{option} {text!r}: {raw!r} is not a number", "e.g. 0.01, or 2% for a relative tolerance") from None
        if not math.isfinite(number) or (relative_ok and number < 0):
            raise LossCliError(f"{option} {text!r}: the tolerance must be a finite number >= 0")
        limit: float | Tolerance = Tolerance(number / 100 if relative else number, relative) if relative_ok else number
        gates.append(GateSpec(option, loss.strip(), limit, text))
    return gates


def loss_keys(losses: list[ResolvedLoss]) -> tuple[list[str], dict[str, set[str]]]:
    """The ``--loss`` specs as typed, and the names each answers to in a gate (as typed, canonical, aliases)."""
    specs = [loss.spec.text for loss in losses]
    names = {loss.spec.text: {loss.spec.name, loss.entry.name, *loss.entry.aliases} for loss in losses}
    return specs, names


def gate_targets(gate: GateSpec, specs: list[str], names: dict[str, set[str]]) -> list[str]:
    """The ``--loss`` specs a gate applies to: ``*``, a spec as typed, or a loss name/alias naming one spec."""
    if gate.loss == "*":
        return list(specs)
    if gate.loss in specs:
        return [gate.loss]
    matches = [spec for spec in specs if gate.loss in names.get(spec, set())]
    if len(matches) == 1:
        return matches
    if matches:
        raise LossCliError(
            f"{gate.option} {gate.text!r}: {gate.loss!r} matches several losses ({', '.join(matches)})",
            "name the loss spec exactly as given to --loss",
        )
    raise LossCliError(
        f"{gate.option} {gate.text!r}: no loss {gate.loss!r} among {', '.join(specs)}",
        "name a loss spec exactly as given to --loss, or * for every loss",
    )


def check_above(gate: GateSpec, loss: str, value: float | None) -> GateOutcome:
    """``--fail-above``: the value must be finite and not above the threshold."""
    limit = float(gate.limit)  # type: ignore[arg-type]
    if value is None or not math.isfinite(value):
        return GateOutcome(gate, loss, None, None, value, False, f"{loss}: the value is {_missing(value)}, so the gate fails")
    passed = value <= limit
    return GateOutcome(gate, loss, None, None, value, passed, f"{loss} = {value:.6g} is above {limit:g}")


def check_increase(
    gate: GateSpec, loss: str, run: str, baseline: float | None, value: float | None, better: str,
    interval: tuple[float, float] | None = None, require_significant: bool = False,
) -> GateOutcome:
    """``--max-increase``: the candidate may be worse than the baseline by at most the tolerance.

    With ``require_significant`` the gate fails only when the interval of the delta also
    excludes zero on the worse side.
    """
    tol = gate.limit
    assert isinstance(tol, Tolerance)
    for name, number in (("baseline", baseline), ("candidate", value)):
        if number is None or not math.isfinite(number):
            return GateOutcome(gate, loss, run, baseline, value, False, f"{loss} ({run}): the {name} value is {_missing(number)}, so the gate fails")
    assert baseline is not None and value is not None
    delta = value - baseline
    worse = delta if better == "lower" else -delta
    allowed = tol.allowed(baseline)
    slack = 4 * sys.float_info.epsilon * max(abs(baseline), abs(value), abs(allowed))  # 0.26 − 0.25 is 0.01 here
    failed = worse > allowed + slack
    why = (f"{loss} ({run}): baseline {baseline:.6g}, candidate {value:.6g}, delta {delta:+.6g}"
           f"{_relative(delta, baseline)} is worse than the tolerance {tol.text}")
    if failed and require_significant:
        if interval is None or not all(math.isfinite(x) for x in interval):
            why += " and its interval is unavailable"
        else:
            low, high = interval
            significant = low > 0 if better == "lower" else high < 0
            why += f" and its interval [{low:+.6g}, {high:+.6g}] excludes 0"
            failed = significant
    return GateOutcome(gate, loss, run, baseline, value, not failed, why)


def _relative(delta: float, baseline: float) -> str:
    return f" ({delta / abs(baseline):+.2%})" if baseline != 0 else ""


def _missing(value: float | None) -> str:
    return "missing" if value is None else str(value)
