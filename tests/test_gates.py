"""Unit tests of the gates: parsing ``LOSS=VALUE``, choosing the losses a gate names, and checking values.

Boundary values are chosen to be exact in binary floating point (0.5, 0.25, 2.0...), so "exactly at the
tolerance" really is exactly at it.
"""

from __future__ import annotations

import math

import pytest

from losscli.compare.gates import GateSpec, Tolerance, check_above, check_increase, gate_targets, parse_gates
from losscli.engine import resolve_losses
from losscli.errors import LossCliError

EPS = 2.0**-20  # small, and exact in every sum below


def one(text: str, option: str = "--max-increase", relative_ok: bool = True) -> GateSpec:
    gates = parse_gates([text], option, relative_ok)
    assert len(gates) == 1
    return gates[0]


def increase(text: str) -> GateSpec:
    return one(text, "--max-increase", True)


def above(text: str) -> GateSpec:
    return one(text, "--fail-above", False)


def names_of(*specs: str) -> tuple[list[str], dict[str, set[str]]]:
    """The specs and names a command builds from ``--loss`` (spec name, registry name, aliases)."""
    losses = resolve_losses(list(specs))
    names = {loss.spec.text: {loss.spec.name, loss.entry.name, *loss.entry.aliases} for loss in losses}
    return [loss.spec.text for loss in losses], names


# --- parse_gates ------------------------------------------------------------------------------


def test_absolute_and_relative_tolerances_are_parsed() -> None:
    absolute, relative, star = parse_gates(["mse=0.01", "mae=2%", "*=0"], "--max-increase", relative_ok=True)
    assert (absolute.option, absolute.loss, absolute.text) == ("--max-increase", "mse", "mse=0.01")
    assert absolute.limit == Tolerance(0.01, False)
    assert relative.loss == "mae" and isinstance(relative.limit, Tolerance)
    assert relative.limit.relative and relative.limit.amount == pytest.approx(0.02, rel=1e-15)
    assert star.loss == "*" and star.limit == Tolerance(0.0, False)


def test_tolerance_text_and_allowance() -> None:
    assert Tolerance(0.01, False).text == "0.01"
    assert Tolerance(0.02, True).text == "2%"
    assert Tolerance(0.5, False).allowed(-123.0) == 0.5  # absolute: independent of the baseline
    assert Tolerance(0.25, True).allowed(-8.0) == 2.0  # relative: a fraction of |baseline|
    assert Tolerance(0.25, True).allowed(8.0) == 2.0


def test_the_value_is_after_the_last_equals_sign_so_specs_with_params_work() -> None:
    gate = increase("huber:delta=0.5=0.1")
    assert gate.loss == "huber:delta=0.5"
    assert gate.limit == Tolerance(0.1, False)
    assert above(" mse = 0.25 ").loss == "mse"
    assert above(" mse = 0.25 ").limit == 0.25


def test_fail_above_threshold_is_a_plain_number() -> None:
    gate = above("rmse=0.75")
    assert gate.option == "--fail-above" and gate.loss == "rmse"
    assert gate.limit == 0.75 and not isinstance(gate.limit, Tolerance)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        pytest.param("mse", "expected LOSS=VALUE", id="missing-equals"),
        pytest.param("=0.1", "expected LOSS=VALUE", id="missing-loss"),
        pytest.param("mse=", "expected LOSS=VALUE", id="missing-value"),
        pytest.param("mse=abc", "not a number", id="not-a-number"),
        pytest.param("mse=abc%", "not a number", id="not-a-number-percent"),
        pytest.param("mse=-0.1", ">= 0", id="negative"),
        pytest.param("mse=-2%", ">= 0", id="negative-percent"),
        pytest.param("mse=nan", "finite", id="nan"),
        pytest.param("mse=inf", "finite", id="inf"),
    ],
)
def test_malformed_max_increase_is_a_usage_error(text: str, fragment: str) -> None:
    with pytest.raises(LossCliError) as info:
        parse_gates([text], "--max-increase", relative_ok=True)
    message = str(info.value)
    assert fragment in message
    assert "--max-increase" in message and repr(text) in message
    assert info.value.code == 2


@pytest.mark.parametrize("text", ["mse=2%", "mse", "mse=x", "mse=nan", "=1"])
def test_malformed_fail_above_is_a_usage_error(text: str) -> None:
    with pytest.raises(LossCliError) as info:
        parse_gates([text], "--fail-above", relative_ok=False)
    assert "--fail-above" in str(info.value)
    if text.endswith("%"):
        assert "percentage" in str(info.value)


def test_one_bad_gate_among_good_ones_still_raises() -> None:
    with pytest.raises(LossCliError):
        parse_gates(["mse=0.1", "mae=oops"], "--max-increase", relative_ok=True)


# --- gate_targets -----------------------------------------------------------------------------


def test_star_names_every_loss_in_order() -> None:
    specs, names = names_of("mse", "mae", "huber:delta=0.5")
    assert gate_targets(increase("*=0.1"), specs, names) == ["mse", "mae", "huber:delta=0.5"]


def test_a_spec_as_typed_or_a_loss_name_or_alias_selects_one_loss() -> None:
    specs, names = names_of("mse", "huber:delta=0.5")
    assert gate_targets(increase("huber:delta=0.5=0.1"), specs, names) == ["huber:delta=0.5"]
    assert gate_targets(increase("huber=0.1"), specs, names) == ["huber:delta=0.5"]
    assert gate_targets(increase("mse=0.1"), specs, names) == ["mse"]
    assert gate_targets(increase("l2=0.1"), specs, names) == ["mse"]  # an alias of mse


def test_an_exact_spec_wins_over_a_name_shared_with_another_spec() -> None:
    specs, names = names_of("huber", "huber:delta=0.5")
    assert gate_targets(increase("huber=0.1"), specs, names) == ["huber"]


def test_a_name_matching_several_specs_is_ambiguous() -> None:
    specs, names = names_of("huber:delta=0.5", "huber:delta=2")
    with pytest.raises(LossCliError) as info:
        gate_targets(increase("huber=0.1"), specs, names)
    message = str(info.value)
    assert "several" in message and "huber:delta=0.5" in message and "huber:delta=2" in message
    # the exact spec still works
    assert gate_targets(increase("huber:delta=2=0.1"), specs, names) == ["huber:delta=2"]


def test_an_unknown_loss_is_named_with_the_choices() -> None:
    specs, names = names_of("mse", "mae")
    with pytest.raises(LossCliError) as info:
        gate_targets(above("rmse=1"), specs, names)
    message = str(info.value)
    assert "'rmse'" in message and "mse" in message and "mae" in message and "--fail-above" in message


def test_a_differently_spelled_spec_is_not_an_exact_match() -> None:
    specs, names = names_of("huber:delta=0.5")
    with pytest.raises(LossCliError):
        gate_targets(increase("huber:delta=0.25=0.1"), specs, names)


# --- check_above ------------------------------------------------------------------------------


def test_fail_above_boundary() -> None:
    gate = above("mse=0.5")
    at = check_above(gate, "mse", 0.5)
    assert at.passed and at.value == 0.5 and at.loss == "mse" and at.run is None
    below = check_above(gate, "mse", 0.25)
    assert below.passed
    just_above = check_above(gate, "mse", math.nextafter(0.5, 1.0))
    assert not just_above.passed
    assert "mse" in just_above.why and "above 0.5" in just_above.why
    assert just_above.limit_text == "0.5"


def test_fail_above_negative_value_below_threshold_passes() -> None:
    assert check_above(above("gaussian_nll=0"), "gaussian_nll", -1.5).passed


@pytest.mark.parametrize("value", [None, math.nan, math.inf, -math.inf])
def test_fail_above_missing_or_non_finite_fails(value: float | None) -> None:
    outcome = check_above(above("mse=1e9"), "mse", value)
    assert not outcome.passed
    assert "mse" in outcome.why and "gate fails" in outcome.why
    assert ("missing" if value is None else str(value)) in outcome.why


# --- check_increase ---------------------------------------------------------------------------


def test_absolute_tolerance_boundary() -> None:
    gate = increase("mse=0.5")
    at = check_increase(gate, "mse", "new.csv", 1.0, 1.5, "lower")
    assert at.passed and (at.baseline, at.value, at.run, at.loss) == (1.0, 1.5, "new.csv", "mse")
    over = check_increase(gate, "mse", "new.csv", 1.0, 1.5 + EPS, "lower")
    assert not over.passed
    assert "new.csv" in over.why and "mse" in over.why and "0.5" in over.why
    assert check_increase(gate, "mse", "new.csv", 1.0, 0.25, "lower").passed  # an improvement


def test_relative_tolerance_boundary_uses_the_baseline() -> None:
    gate = increase("mse=25%")
    assert check_increase(gate, "mse", "r", 2.0, 2.5, "lower").passed  # +0.5 is exactly 25% of 2
    failed = check_increase(gate, "mse", "r", 2.0, 2.5 + EPS, "lower")
    assert not failed.passed and "25%" in failed.why
    # the same absolute increase is too much relative to a smaller baseline
    assert not check_increase(gate, "mse", "r", 1.0, 1.5, "lower").passed
    # a zero baseline allows no increase at all
    assert check_increase(gate, "mse", "r", 0.0, 0.0, "lower").passed
    assert not check_increase(gate, "mse", "r", 0.0, 1e-12, "lower").passed


def test_relative_tolerance_with_a_negative_baseline_uses_its_magnitude() -> None:
    gate = increase("nll=50%")
    assert check_increase(gate, "nll", "r", -2.0, -1.0, "lower").passed  # +1 = 50% of |-2|
    assert not check_increase(gate, "nll", "r", -2.0, -1.0 + EPS, "lower").passed


def test_zero_tolerance_fails_any_increase_and_passes_equality() -> None:
    gate = increase("*=0")
    assert check_increase(gate, "mae", "r", 0.75, 0.75, "lower").passed
    assert not check_increase(gate, "mae", "r", 0.75, 0.75 + EPS, "lower").passed


def test_higher_is_better_direction() -> None:
    gate = increase("score=0.5")
    assert check_increase(gate, "score", "r", 3.0, 2.5, "higher").passed  # a drop of exactly 0.5
    assert not check_increase(gate, "score", "r", 3.0, 2.5 - EPS, "higher").passed
    assert check_increase(gate, "score", "r", 3.0, 100.0, "higher").passed  # higher is an improvement
    relative = increase("score=10%")
    assert check_increase(relative, "score", "r", 5.0, 4.5, "higher").passed
    assert not check_increase(relative, "score", "r", 5.0, 4.25, "higher").passed
    # and the same numbers under "lower is better": a drop is fine, a rise is not
    assert check_increase(relative, "score", "r", 5.0, 4.25, "lower").passed
    assert not check_increase(relative, "score", "r", 5.0, 5.75, "lower").passed


@pytest.mark.parametrize(
    ("baseline", "candidate", "which", "shown"),
    [
        (None, 1.0, "baseline", "missing"),
        (1.0, None, "candidate", "missing"),
        (math.nan, 1.0, "baseline", "nan"),
        (1.0, math.nan, "candidate", "nan"),
        (1.0, math.inf, "candidate", "inf"),
    ],
)
def test_increase_missing_or_non_finite_fails(baseline: float | None, candidate: float | None, which: str, shown: str) -> None:
    outcome = check_increase(increase("*=1000"), "mse", "cand.csv", baseline, candidate, "lower")
    assert not outcome.passed
    assert f"the {which} value is {shown}" in outcome.why and "cand.csv" in outcome.why


def test_require_significant_fails_only_when_the_interval_excludes_zero() -> None:
    gate = increase("mse=0")
    # worse beyond the tolerance, and the interval is entirely on the worse side: fails
    significant = check_increase(gate, "mse", "r", 1.0, 1.5, "lower", (0.25, 0.75), True)
    assert not significant.passed and "excludes 0" in significant.why
    # worse beyond the tolerance, but the interval straddles zero: passes
    assert check_increase(gate, "mse", "r", 1.0, 1.5, "lower", (-0.25, 0.75), True).passed
    # without require_significant the same straddling interval does not save it
    assert not check_increase(gate, "mse", "r", 1.0, 1.5, "lower", (-0.25, 0.75), False).passed
    # within the tolerance it passes whatever the interval
    assert check_increase(increase("mse=1"), "mse", "r", 1.0, 1.5, "lower", (0.25, 0.75), True).passed


def test_require_significant_in_the_higher_is_better_direction() -> None:
    gate = increase("acc=0")
    assert not check_increase(gate, "acc", "r", 0.75, 0.5, "higher", (-0.375, -0.125), True).passed
    assert check_increase(gate, "acc", "r", 0.75, 0.5, "higher", (-0.375, 0.125), True).passed
    # an interval excluding zero on the better side is not a significant worsening
    assert check_increase(gate, "acc", "r", 0.75, 0.5, "higher", (0.125, 0.375), True).passed


@pytest.mark.parametrize("interval", [None, (math.nan, math.nan), (0.1, math.inf)])
def test_require_significant_without_a_usable_interval_fails(interval: tuple[float, float] | None) -> None:
    outcome = check_increase(increase("mse=0"), "mse", "r", 1.0, 1.5, "lower", interval, True)
    assert not outcome.passed and "unavailable" in outcome.why


def test_outcome_limit_text() -> None:
    assert check_increase(increase("mse=2%"), "mse", "r", 1.0, 1.0, "lower").limit_text == "2%"
    assert check_increase(increase("mse=0.01"), "mse", "r", 1.0, 1.0, "lower").limit_text == "0.01"
    assert check_above(above("mse=3"), "mse", 1.0).limit_text == "3"
