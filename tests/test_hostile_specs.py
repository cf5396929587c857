"""Hostile loss specs: every parameter value is refused at parse time unless it is a finite number in range."""

from __future__ import annotations

import json
import math

import pytest

from conftest import cli, strict_json, usage_error
from losscli.render.json_doc import dumps

DATA = "sample_data/regression.csv"
MULTICLASS = ["sample_data/multiclass.csv", "--pred-col", "p_*", "--target-col", "label"]


@pytest.mark.parametrize("spec, fragment", [
    ("huber:delta=inf", "not a finite number"),
    ("huber:delta=-inf", "not a finite number"),
    ("huber:delta=nan", "not a finite number"),
    ("huber:delta=1e309", "beyond the range of a double"),
    ("huber:delta=-1e400", "beyond the range of a double"),
    ("huber:delta=" + "9" * 400, "too large for a double"),
    ("huber:delta=1e-400", "out of range"),
])
def test_non_finite_and_overflowing_floats(spec: str, fragment: str) -> None:
    line = usage_error(cli("eval", DATA, "--loss", spec, "--format", "json"), fragment)
    assert "valid range" in line or "double" in line


@pytest.mark.parametrize("spec", [
    "cross_entropy:weight=[1,inf,1]",
    "cross_entropy:weight=[1,1e309,1]",
    "torch.cross_entropy:weight=[1,nan,1]",
    "torch.cross_entropy:ignore_index=99999999999999999999999",
    "torch.cross_entropy:ignore_index=-9223372036854775809",
    "torch.cross_entropy:ignore_index=1e300",
])
def test_lists_and_integers_out_of_their_types(spec: str) -> None:
    usage_error(cli("eval", *MULTICLASS, "--loss", spec, "--format", "json"), spec)


def test_the_largest_valid_values_still_compute() -> None:
    result = cli("eval", DATA, "--loss", "huber:delta=1.7976931348623157e308", "--loss",
                 "huber:delta=5e-324", "--format", "json")
    assert result.exit_code == 0, result.stderr
    losses = strict_json(result.stdout)["losses"]
    assert all(isinstance(loss["value"], float) and math.isfinite(loss["value"]) for loss in losses.values())


def test_json_never_writes_nan_or_infinity() -> None:
    document = {"a": [1.0, math.nan, {"b": math.inf, "c": (-math.inf, 2)}], "d": "x"}
    text = dumps(document)
    assert json.loads(text) == {"a": [1.0, None, {"b": None, "c": [None, 2]}], "d": "x"}
    assert strict_json(text)


def test_a_bootstrap_beyond_the_draw_limit_is_refused_before_work() -> None:
    s = "sample_data/"
    args = ("compare", s + "forecast_base.csv", s + "forecast_new.csv", "--target", s + "forecast_targets.csv",
            "--loss", "mae", "--seed", "0", "--bootstrap")
    usage_error(cli(*args, "100", env={"LOSSCLI_MAX_BOOTSTRAP_DRAWS": "99"}), "more than the limit of 99",
                "LOSSCLI_MAX_BOOTSTRAP_DRAWS")
    usage_error(cli(*args, "100", env={"LOSSCLI_MAX_BOOTSTRAP_DRAWS": "lots"}), "not a whole number")
    assert cli(*args, "100").exit_code == 0
