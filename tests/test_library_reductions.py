"""`--reduction sum` and per-sample values of library entries, the library's way (issue 10).

PyTorch's ``reduction='sum'`` adds every element of an element-wise loss, its CTC sums the raw
likelihoods; Keras and PyTorch weight their ``reduction='none'`` values; Keras's batch mean of
nothing kept is 0. Canonical losses keep their per-sample means and sums.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from conftest import cli, random_inputs, run, run_inputs, value
from losscli.registry import Reducer, entries, lookup

PRED = np.array([[0.5, 2.0, -1.0], [1.5, 0.0, 3.0]])
TARGET = np.array([[0.0, 1.0, 1.0], [1.0, 1.0, 1.0]])
SQUARES = (PRED - TARGET) ** 2  # elements: .25 1 4 / .25 1 4


def test_torch_sums_every_element_and_canonical_sums_sample_means() -> None:
    assert value("torch.mse_loss", PRED, TARGET, reduction="sum") == pytest.approx(SQUARES.sum())  # 10.5
    assert value("torch.mse_loss", PRED, TARGET) == pytest.approx(SQUARES.mean())  # 1.75
    assert value("mse", PRED, TARGET, reduction="sum") == pytest.approx(SQUARES.mean(axis=1).sum())  # 3.5
    np.testing.assert_allclose(run("torch.mse_loss", PRED, TARGET).results[0].per_sample, SQUARES.sum(axis=1))
    np.testing.assert_allclose(run("mse", PRED, TARGET).results[0].per_sample, SQUARES.mean(axis=1))


def test_torch_weighted_bce_sums_weighted_elements() -> None:
    p = np.array([[0.9, 0.2], [0.4, 0.7]])
    t = np.array([[1.0, 0.0], [1.0, 1.0]])
    w = np.array([2.0, 0.5])
    elements = -(t * np.log(p) + (1 - t) * np.log(1 - p))  # F.binary_cross_entropy(reduction='none')
    weighted = w[:, None] * elements  # its weight (N, 1) rescales each element
    assert value("torch.binary_cross_entropy", p, t, weight=w, reduction="sum") == pytest.approx(weighted.sum())
    assert value("torch.binary_cross_entropy", p, t, weight=w) == pytest.approx(weighted.mean())
    result = run("torch.binary_cross_entropy", p, t, weight=w).results[0]
    np.testing.assert_allclose(result.per_sample, weighted.sum(axis=1))


def test_torch_ctc_sums_raw_likelihoods_and_averages_normalised_ones() -> None:
    entry = lookup("torch.ctc_loss")
    arrays = [np.asarray(entry.example.inputs[r.name]) for r in entry.roles]
    raw = run_inputs(entry, arrays).results[0].per_sample  # reduction='none': the raw likelihoods
    lengths = arrays[3]
    mean = run_inputs(entry, arrays).results[0].value
    total = run_inputs(entry, arrays, reduction="sum").results[0].value
    assert mean == pytest.approx(float(np.mean(raw / np.maximum(lengths, 1))))
    assert total == pytest.approx(float(raw.sum()))
    assert total != pytest.approx(float((raw / lengths).sum()))  # the number torch never returns


def test_keras_per_sample_values_carry_the_sample_weight(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pred, target, w = [0.5, 2.0, -1.0], [0.0, 1.0, 1.0], [1.0, 3.0, 0.5]
    np.save(tmp_path / "p.npy", pred)
    np.save(tmp_path / "t.npy", target)
    np.save(tmp_path / "w.npy", w)
    args = ["eval", str(tmp_path / "p.npy"), str(tmp_path / "t.npy"), "--input", f"weight={tmp_path / 'w.npy'}",
            "--per-sample", "--format", "json"]
    keras = json.loads(cli(*args, "--loss", "keras.mean_squared_error").stdout)["losses"]["keras.mean_squared_error"]
    canonical = json.loads(cli(*args, "--loss", "mse").stdout)["losses"]["mse"]
    squares = (np.array(pred) - np.array(target)) ** 2
    np.testing.assert_allclose(keras["per_sample"], np.array(w) * squares)  # Keras reduction='none'
    assert keras["per_sample_weighted"] is True
    np.testing.assert_allclose(canonical["per_sample"], squares)
    assert canonical["per_sample_weighted"] is False
    assert keras["value"] == pytest.approx(float((np.array(w) * squares).sum() / 3))  # sum over batch size


def test_keras_sparse_categorical_of_only_ignored_rows_is_zero() -> None:
    pred = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]]
    spec = "keras.sparse_categorical_crossentropy:ignore_class=-1"
    assert value(spec, pred, [-1, -1]) == 0.0  # Keras divides with divide_no_nan
    assert value(spec, pred, [-1, -1], reduction="sum") == 0.0
    assert math.isnan(value("torch.cross_entropy", pred, [-100, -100]))  # PyTorch's 0/0 stays NaN


@pytest.mark.parametrize("entry", [e for e in entries() if e.reducer is not Reducer.POOLED], ids=lambda e: e.name)
def test_sum_adds_the_per_sample_values_shown(entry) -> None:  # type: ignore[no-untyped-def]
    """For every entry: `sum` is the sum of what `none` shows (weighted where the entry shows weighted values)."""
    arrays = random_inputs(entry, seed=5)
    kwargs = {}
    if entry.sample_weights:
        weights = np.random.default_rng(1).uniform(0.1, 2.0, len(arrays[0]))
        kwargs["weight"] = weights
    extra = {role.name: data for role, data in zip(entry.roles[2:], arrays[2:])}
    shown = run(entry.name, arrays[0], arrays[1], extra=extra, **kwargs).results[0].per_sample
    total = run(entry.name, arrays[0], arrays[1], extra=extra, reduction="sum", **kwargs).results[0].value
    expected = shown if entry.weighted_per_sample or not entry.sample_weights else kwargs["weight"] * shown
    assert total == pytest.approx(math.fsum(expected), rel=1e-12)


@pytest.mark.parametrize("entry", [e for e in entries() if e.follows == "torch"], ids=lambda e: e.name)
def test_torch_sum_over_matrix_inputs_follows_the_declared_rule(entry) -> None:  # type: ignore[no-untyped-def]
    """An element-wise PyTorch loss on (N, K) sums N·K elements: K times the sum of its per-sample means."""
    arrays = random_inputs(entry, seed=7, k=3)
    extra = {role.name: data for role, data in zip(entry.roles[2:], arrays[2:])}
    total = run(entry.name, arrays[0], arrays[1], extra=extra, reduction="sum").results[0].value
    mean = run(entry.name, arrays[0], arrays[1], extra=extra).results[0].value
    elementwise = "every element" in entry.sum_rule
    if elementwise and arrays[0].ndim == 2:
        assert total == pytest.approx(mean * arrays[0].size, rel=1e-12)
    assert ("every element" in entry.sum_rule) == ("reduction='sum' and 'none' add up" in entry.convention)


def test_params_that_are_not_finite_are_strings_in_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(0)
    for name in ("a", "p", "n"):
        np.save(tmp_path / f"{name}.npy", rng.normal(size=(4, 3)))
    spec = "torch.triplet_margin_loss:p=inf"
    out = cli("eval", str(tmp_path / "a.npy"), str(tmp_path / "p.npy"), "--input", f"negative={tmp_path / 'n.npy'}",
              "--loss", spec, "--format", "json")
    saved = tmp_path / "run.json"
    saved.write_text(out.stdout)
    assert json.loads(out.stdout)["losses"][spec]["params"]["p"] == "inf"
    again = cli("compare", str(saved), str(saved), "--loss", spec, "--format", "json")  # the saved params still match
    assert json.loads(again.stdout)["rows"][0]["delta"] == 0.0


def _bce_files(tmp_path, weight_shape):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(4)
    p, t = rng.uniform(0.05, 0.95, (5, 3)), (rng.uniform(size=(5, 3)) > 0.5).astype(float)
    w = rng.uniform(0.1, 2.0, weight_shape)
    for name, data in (("p", p), ("t", t), ("w", w)):
        np.save(tmp_path / f"{name}.npy", data)
    args = [str(tmp_path / "p.npy"), str(tmp_path / "t.npy"), "--input", f"weight={tmp_path / 'w.npy'}"]
    return p, t, w, args


@pytest.mark.parametrize("logits", [False, True])
def test_torch_bce_takes_one_weight_per_element(tmp_path, logits: bool) -> None:  # type: ignore[no-untyped-def]
    p, t, w, args = _bce_files(tmp_path, (5, 3))
    x = np.log(p / (1 - p))
    if logits:
        np.save(tmp_path / "p.npy", x)
    elements = -(t * np.log(p) + (1 - t) * np.log(1 - p))  # the same numbers from logits (log-sum-exp form)
    spec = "torch.binary_cross_entropy_with_logits" if logits else "torch.binary_cross_entropy"
    for reduction, expected in (("mean", (w * elements).mean()), ("sum", (w * elements).sum())):
        out = json.loads(cli("eval", *args, "--loss", spec, "--reduction", reduction, "--format", "json").stdout)
        assert out["losses"][spec]["value"] == pytest.approx(expected, rel=1e-12)
    shown = json.loads(cli("eval", *args, "--loss", spec, "--per-sample", "--format", "json").stdout)["losses"][spec]
    np.testing.assert_allclose(shown["per_sample"], (w * elements).sum(axis=1), rtol=1e-12)
    assert shown["per_sample_weighted"] is True


def test_element_weights_elsewhere_are_one_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, _, _, args = _bce_files(tmp_path, (5, 3))
    refused = cli("eval", *args, "--loss", "bce")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "one weight per sample" in refused.stderr
    _, _, _, args = _bce_files(tmp_path, (5, 2))
    wrong = cli("eval", *args, "--loss", "torch.binary_cross_entropy")
    assert wrong.exit_code == 2 and wrong.stdout == "" and "shape of its first input (N, 3)" in wrong.stderr
