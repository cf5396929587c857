"""Values at the ends of the float range: computed in float64, means as exact quotients, overflow said aloud."""

from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from conftest import cli, run, strict_json

BIG = 1.7e308
WARNING = "losscli: warning: "


def exact_weighted_mean(values: list[float], weights: list[float]) -> float:
    """Σ w·l / Σ w with each product rounded to float64 (as the engine forms it) and the quotient exact."""
    num = sum((Fraction(float(np.float64(w) * np.float64(v))) for v, w in zip(values, weights)), Fraction(0))
    return float(num / sum(map(Fraction, weights), Fraction(0)))


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(WARNING)]


@pytest.mark.parametrize("weights", [[BIG, BIG, BIG], [BIG, 1.0, BIG / 3], [1e308, 5e307, 1.5e308, 1e-300]])
def test_weights_near_the_float_maximum_give_the_exact_weighted_mean(weights: list[float]) -> None:
    rng = np.random.default_rng(len(weights))
    pred = rng.normal(size=len(weights))
    target = pred + rng.uniform(-0.9, 0.9, len(weights))
    errors = np.square(pred - target)  # below 1, so every w·l is finite
    with np.errstate(over="ignore"):
        assert np.sum(weights) == math.inf  # Σw alone overflows float64
    got = run("mse", pred, target, weight=weights).results[0].value
    assert got == exact_weighted_mean(errors.tolist(), weights)
    assert got > 0.0


def test_a_mean_of_huge_values_whose_sum_overflows_is_still_their_mean() -> None:
    pred = np.array([1e308, 1.5e308, 1.7e308])
    expected = float(sum(map(Fraction, pred.tolist())) / 3)
    assert run("mae", pred, np.zeros(3)).results[0].value == expected
    assert run("mae", pred, np.zeros(3), reduction="sum").results[0].value == math.inf


def test_group_means_with_huge_weights(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("pred,target,weight,g\n1,0.5,1.7e308,a\n2,1.5,1.7e308,a\n0,0.75,1.7e308,b\n3,3,1e308,b\n")
    result = cli("eval", path, "--loss", "mse", "--weight-col", "weight", "--group-by", "g", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = strict_json(result.stdout)
    assert doc["losses"]["mse"]["value"] == exact_weighted_mean([0.25, 0.25, 0.5625, 0.0], [BIG, BIG, BIG, 1e308])
    groups = {row["group"]: row["value"] for row in doc["groups"]["rows"]}
    assert groups == {"a": 0.25, "b": exact_weighted_mean([0.5625, 0.0], [BIG, 1e308])}
    assert warnings_of(result.stderr) == []


@pytest.mark.parametrize("dtype, big", [(np.float16, 60000.0), (np.float32, 3e38)])
def test_narrow_float_inputs_are_computed_in_float64(tmp_path: Path, dtype: type, big: float) -> None:
    pred, target = np.array([big, -big, 1], dtype=dtype), np.array([-big, big, 0], dtype=dtype)
    np.save(tmp_path / "p.npy", pred)
    np.save(tmp_path / "t.npy", target)
    wide = pred.astype(np.float64) - target.astype(np.float64)
    result = cli("eval", tmp_path / "p.npy", tmp_path / "t.npy", "--loss", "mse", "--loss", "mae", "--loss", "rmse",
                 "--format", "json")
    assert result.exit_code == 0, result.stderr
    losses = strict_json(result.stdout)["losses"]
    square_sum = sum(map(Fraction, np.square(wide).tolist()))
    assert losses["mse"]["value"] == float(square_sum / 3)
    assert losses["mae"]["value"] == float(sum(map(Fraction, np.abs(wide).tolist())) / 3)
    assert losses["rmse"]["value"] == math.sqrt(float(square_sum / 3))
    assert warnings_of(result.stderr) == []


def test_sklearn_log_loss_clips_at_the_inputs_own_epsilon(tmp_path: Path) -> None:
    for dtype in (np.float32, np.float64):
        np.save(tmp_path / "p.npy", np.array([0.0, 1.0], dtype=dtype))
        np.save(tmp_path / "t.npy", np.array([1, 1]))
        spec = "sklearn.log_loss:labels=[0,1]"  # y_true holds one class: scikit-learn needs labels= too
        result = cli("eval", tmp_path / "p.npy", tmp_path / "t.npy", "--loss", spec, "--format", "json")
        assert result.exit_code == 0, result.stderr
        eps = float(np.finfo(dtype).eps)
        expected = (-math.log(eps) - math.log(1 - eps)) / 2  # p = 0 clipped to eps; p = 1 clipped to 1 − eps
        assert strict_json(result.stdout)["losses"][spec]["value"] == pytest.approx(expected, rel=1e-15)


@pytest.mark.parametrize("table, args, fragments", [
    ("pred,target,weight\n1,4,1.7e308\n2,1.5,1.7e308\n", ("--loss", "mse", "--weight-col", "weight"),
     ("mse: 1 per-sample w·loss value", "row 1", "divide the weights")),
    ("pred,target\n1,2\n1e200,-1e200\n1e300,0\n", ("--loss", "mse"), ("mse: 2 per-sample loss values", "row 2", "mean is null")),
    ("pred,target\n1e308,0\n1e308,0\n", ("--loss", "mae", "--reduction", "sum"), ("sum of finite per-sample losses",)),
])
def test_float64_overflow_is_a_warning_and_null(tmp_path: Path, table: str, args: tuple[str, ...],
                                                fragments: tuple[str, ...]) -> None:
    path = tmp_path / "data.csv"
    path.write_text(table)
    result = cli("eval", path, *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    (loss,) = strict_json(result.stdout)["losses"].values()
    assert loss["value"] is None
    (line,) = warnings_of(result.stderr)
    assert "RuntimeWarning" not in result.stderr
    for fragment in fragments:
        assert fragment in line


def test_huge_class_weights_overflowing_a_row_are_warned(tmp_path: Path) -> None:
    np.save(tmp_path / "logits.npy", np.array([[1.0, 2.0], [0.5, -1.0], [2.0, 0.0]]))
    np.save(tmp_path / "labels.npy", np.array([0, 1, 1]))
    common = ("eval", tmp_path / "logits.npy", tmp_path / "labels.npy", "--format", "json", "--loss")
    fine = cli(*common, "cross_entropy:weight=[1e300,1e300]")
    plain = cli(*common, "cross_entropy")
    assert fine.exit_code == plain.exit_code == 0
    assert strict_json(fine.stdout)["losses"]["cross_entropy:weight=[1e300,1e300]"]["value"] == pytest.approx(
        strict_json(plain.stdout)["losses"]["cross_entropy"]["value"], rel=1e-15)
    over = cli(*common, "cross_entropy:weight=[1e308,1e308]")
    assert over.exit_code == 0
    (line,) = warnings_of(over.stderr)
    assert "row 3" in line and "overflowed float64" in line
    assert strict_json(over.stdout)["losses"]["cross_entropy:weight=[1e308,1e308]"]["n_nonfinite"] == 1


def test_requested_propagation_is_not_warned(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text("pred,target\n1,2\nnan,1\n")
    result = cli("eval", path, "--loss", "mse", "--nan", "propagate", "--format", "json")
    assert result.exit_code == 0
    assert warnings_of(result.stderr) == []
