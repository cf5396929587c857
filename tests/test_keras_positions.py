"""Keras losses on inputs of three or more axes (N, d1, …, K): a loss at every position (N, d1, …).

Keras reduces only the feature axis, then ``sum_over_batch_size`` divides Σ w·l by the number
of positions N·D; sample weights are (N,) or one per position. The expected numbers are worked
out position by position with NumPy from Keras's formulas.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import cli, run
from losscli.errors import LossCliError

RNG = np.random.default_rng(21)
PRED = RNG.normal(size=(3, 4, 2))  # N = 3 samples, 4 positions, K = 2 features
TARGET = RNG.normal(size=(3, 4, 2))
PROBS = RNG.dirichlet(np.ones(3), size=(3, 4))  # (3, 4, 3): classes last
LABELS = RNG.integers(0, 3, size=(3, 4))
EPS = 1e-7


def test_mse_at_every_position_with_sample_and_position_weights() -> None:
    positions = ((PRED - TARGET) ** 2).mean(axis=-1)  # (3, 4)
    assert run("keras.mean_squared_error", PRED, TARGET).results[0].value == pytest.approx(positions.mean(), rel=1e-12)
    w = np.array([1.0, 2.0, 0.5])
    weighted = run("keras.mean_squared_error", PRED, TARGET, weight=w).results[0]
    assert weighted.value == pytest.approx((w[:, None] * positions).sum() / positions.size, rel=1e-12)
    np.testing.assert_allclose(weighted.per_sample, w * positions.sum(axis=1), rtol=1e-12)  # none, summed per sample
    total = run("keras.mean_squared_error", PRED, TARGET, weight=w, reduction="sum").results[0].value
    assert total == pytest.approx((w[:, None] * positions).sum(), rel=1e-12)
    per_position = RNG.uniform(0.1, 2.0, size=(3, 4))
    by_position = run("keras.mean_squared_error", PRED, TARGET, weight=per_position).results[0]
    assert by_position.value == pytest.approx((per_position * positions).sum() / positions.size, rel=1e-12)


def test_categorical_crossentropy_keeps_classes_last() -> None:
    target = np.eye(3)[LABELS]  # one-hot (3, 4, 3)
    p = np.clip(PROBS / PROBS.sum(axis=-1, keepdims=True), EPS, 1 - EPS)
    positions = -(target * np.log(p)).sum(axis=-1)
    assert run("keras.categorical_crossentropy", PROBS, target).results[0].value == pytest.approx(positions.mean(), rel=1e-12)
    sparse = run("keras.sparse_categorical_crossentropy", PROBS, LABELS).results[0]
    assert sparse.value == pytest.approx(positions.mean(), rel=1e-12)
    labels = LABELS.copy()
    labels[0, :2] = -1
    kept = labels != -1
    masked = run("keras.sparse_categorical_crossentropy:ignore_class=-1", PROBS, labels).results[0]
    assert masked.value == pytest.approx(positions[kept].sum() / kept.sum(), rel=1e-12)  # the kept positions count


def test_a_feature_axis_other_than_the_last() -> None:
    moved = np.moveaxis(PROBS, -1, 1)  # (3, 3, 4): classes on axis 1
    target = np.moveaxis(np.eye(3)[LABELS], -1, 1)
    expected = run("keras.categorical_crossentropy", PROBS, np.eye(3)[LABELS]).results[0].value
    assert run("keras.categorical_crossentropy:axis=1", moved, target).results[0].value == pytest.approx(expected, rel=1e-12)


def test_shapes_are_checked() -> None:
    with pytest.raises(LossCliError, match=r"takes class indices \(3, 4\)"):
        run("keras.sparse_categorical_crossentropy", PROBS, LABELS[:, :3])


def test_position_weights_from_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    w = RNG.uniform(0.1, 2.0, size=(3, 4))
    for name, data in (("p", PRED), ("t", TARGET), ("w", w), ("bad", RNG.uniform(size=(3, 2)))):
        np.save(tmp_path / f"{name}.npy", data)
    args = ["eval", tmp_path / "p.npy", tmp_path / "t.npy", "--loss", "keras.mean_absolute_error", "--format", "json"]
    out = cli(*args, "--input", f"weight={tmp_path / 'w.npy'}")
    assert out.exit_code == 0, out.stderr
    positions = np.abs(PRED - TARGET).mean(axis=-1)
    value = json.loads(out.stdout)["losses"]["keras.mean_absolute_error"]["value"]
    assert value == pytest.approx((w * positions).sum() / positions.size, rel=1e-12)
    bad = cli(*args, "--input", f"weight={tmp_path / 'bad.npy'}")
    assert bad.exit_code == 2 and bad.stdout == "" and "one per position (N, 4)" in bad.stderr
