"""Library sums and weights at the edges: a chunk of only non-finite rows under --nan propagate,
Keras position weights with masked rows and with axis=, the weighted flag through propagate,
and a Parquet file whose name is not UTF-8.

Each expected value is derived independently (NumPy / fractions), not from losscli.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import run

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args: str, cwd: Path, stdin: bytes | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "losscli", *args], cwd=cwd, env=env, input=stdin,
                          capture_output=True, timeout=timeout)


# 1. --nan propagate with a chunk whose every row is non-finite: the chunk's fold has no `reported`,
#    so Σ reported skips it (finite sum instead of null) and the kept terms cannot be joined (exit 3).

def _propagate_inputs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    pred, target = rng.normal(size=(40, 2)), rng.normal(size=(40, 2))
    pred[8:16, 0] = np.nan  # the whole second chunk of 8 rows (chunk_values=32, width 4)
    return pred, target


def test_propagate_sum_of_a_reported_loss_is_null_when_a_whole_chunk_is_nan() -> None:
    pred, target = _propagate_inputs()
    # PyTorch: the sum over N*K elements holds NaN elements, so it is NaN.
    result = run("torch.mse_loss", pred, target, reduction="sum", nan="propagate", chunk_values=32).results[0]
    assert math.isnan(result.value)


def test_propagate_sum_is_null_when_the_first_chunk_is_nan() -> None:
    pred, target = _propagate_inputs()
    pred[:] = np.where(np.isnan(pred), 0.0, pred)
    pred[0:8, 0] = np.nan
    result = run("torch.mse_loss", pred, target, reduction="sum", nan="propagate", chunk_values=32).results[0]
    assert math.isnan(result.value)


def test_compare_propagate_with_a_nan_chunk_is_not_an_internal_error(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    n, k = 40000, 2  # chunk_rows = 65536 // 4 = 16384
    pred, target = rng.normal(size=(n, k)), rng.normal(size=(n, k))
    nan_pred = pred.copy()
    nan_pred[16384:32768, 0] = np.nan
    np.save(tmp_path / "p.npy", pred)
    np.save(tmp_path / "p2.npy", nan_pred)
    np.save(tmp_path / "t.npy", target)
    out = _cli("compare", "p.npy", "p2.npy", "--target", "t.npy", "--loss", "torch.mse_loss", "--nan", "propagate",
               "--bootstrap", "10", "--seed", "0", "-f", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr.decode()


# 2. Keras position weights (N, d) with a loss returning Weighted (sparse CCE): the element path
#    treats the Weighted tuple as the values array.

def test_keras_sparse_cce_position_weights_with_ignore_class() -> None:
    rng = np.random.default_rng(1)
    n, d, k = 5, 3, 4
    p = rng.random((n, d, k))
    p /= p.sum(-1, keepdims=True)
    y = rng.integers(0, k, (n, d))
    y[0, :] = -1
    y[2, 1] = -1
    w = rng.random((n, d))
    pc = np.clip(p / p.sum(-1, keepdims=True), 1e-7, 1 - 1e-7)
    kept = y != -1
    loss = -np.log(np.take_along_axis(pc, np.where(kept, y, 0)[..., None], -1)[..., 0]) * kept
    # Keras sum_over_batch_size with a mask: Σ w·l over kept positions / number of kept positions
    expected_mean = (w * loss).sum() / kept.sum()
    result = run("keras.sparse_categorical_crossentropy:ignore_class=-1", p, y, weight=w).results[0]
    assert result.state.count == n
    assert result.value == pytest.approx(expected_mean, rel=1e-12)
    assert result.per_sample.shape == (n,)
    np.testing.assert_allclose(result.per_sample, (w * loss).sum(axis=1), rtol=1e-12)


# 3. Keras position weights with axis=1: positions are (N, d) of a (N, K, d) input, but the check
#    wants first.shape[:-1] == (N, K); (N, K) weights get through and crash with exit 3.

def _axis_inputs(tmp_path: Path) -> tuple[float, int, int]:
    rng = np.random.default_rng(2)
    n, k, d = 4, 3, 5
    p = rng.random((n, k, d))
    p /= p.sum(1, keepdims=True)
    t = np.eye(k)[rng.integers(0, k, (n, d))].transpose(0, 2, 1)
    w = rng.random((n, d))
    np.save(tmp_path / "p.npy", p)
    np.save(tmp_path / "t.npy", t)
    np.save(tmp_path / "w.npy", w)
    np.save(tmp_path / "wk.npy", rng.random((n, k)))
    pc = np.clip(p / p.sum(1, keepdims=True), 1e-7, 1 - 1e-7)
    loss = -(t * np.log(pc)).sum(1)
    return float((w * loss).sum() / (n * d)), n, d


def test_keras_axis_position_weights_are_accepted(tmp_path: Path) -> None:
    expected, _, _ = _axis_inputs(tmp_path)
    out = _cli("eval", "p.npy", "t.npy", "--loss", "keras.categorical_crossentropy:axis=1", "--input", "weight=w.npy",
               "-f", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr.decode()
    value = json.loads(out.stdout)["losses"]["keras.categorical_crossentropy:axis=1"]["value"]
    assert value == pytest.approx(expected, rel=1e-12)


def test_keras_axis_wrong_weights_are_a_usage_error(tmp_path: Path) -> None:
    _axis_inputs(tmp_path)
    out = _cli("eval", "p.npy", "t.npy", "--loss", "keras.categorical_crossentropy:axis=1", "--input", "weight=wk.npy",
               "-f", "json", cwd=tmp_path)
    assert out.returncode == 2, out.stderr.decode()


# 4. Parquet opened by path: a file name that is not UTF-8 (surrogate-escaped str) is exit 3.

@pytest.mark.skipif(sys.platform != "linux", reason="bytes file names")
def test_parquet_with_a_non_utf8_file_name(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    name = os.fsdecode(b"run\xff.parquet")
    pq.write_table(pa.table({"pred": [0.2, 0.7], "target": [0.0, 1.0]}), tmp_path / "plain.parquet")
    os.rename(tmp_path / "plain.parquet", os.path.join(os.fsencode(tmp_path), b"run\xff.parquet"))
    out = _cli("eval", name, "--loss", "mse", "-f", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr.decode()
    assert json.loads(out.stdout)["losses"]["mse"]["value"] == pytest.approx((0.2 ** 2 + 0.3 ** 2) / 2)


# 6. --nan propagate drops Fold.element_weighted in _widen: per_sample_weighted goes false.

def test_element_weighted_flag_survives_propagate() -> None:
    rng = np.random.default_rng(9)
    x = rng.normal(size=(6, 3))
    t = (rng.random((6, 3)) > 0.5).astype(float)
    w = rng.random((6, 3))
    w[2, 1] = np.nan
    result = run("torch.binary_cross_entropy_with_logits", x, t, weight=w, nan="propagate").results[0]
    assert result.state.weighted
