"""The worked examples of the seed articles (../shared/reference/seed_values.json, copied here)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import value

CASES = json.loads((Path(__file__).parent / "data" / "seed_values.json").read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["keras"] for c in CASES])
def test_keras_entries_reproduce_the_seed_examples(case: dict) -> None:
    got = value(f"keras.{case['loss']}", case["y_pred"], case["y_true"])
    assert got == pytest.approx(case["expected"], rel=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[c["keras"] for c in CASES])
def test_keras_class_names_are_the_same_entries(case: dict) -> None:
    class_name = case["keras"].removesuffix("()")
    assert value(f"keras.{class_name}", case["y_pred"], case["y_true"]) == value(
        f"keras.{case['loss']}", case["y_pred"], case["y_true"]
    )
