"""PyTorch's spatial cross-entropy and NLL: scores (N, C, d1, …), class-index targets (N, d1, …).

The expected numbers are worked out position by position with NumPy (log-softmax over axis 1),
following PyTorch's documented reductions: ``none`` is (N, d1, …), ``sum`` adds every
position, ``mean`` divides by the summed class weights of the positions not ignored.
"""

from __future__ import annotations

import numpy as np
import pytest

from conftest import cli, run
from losscli.errors import LossCliError

RNG = np.random.default_rng(11)
LOGITS = RNG.normal(size=(3, 4, 2, 5))  # N = 3, C = 4, a 2×5 image
LABELS = RNG.integers(0, 4, size=(3, 2, 5))
WEIGHT = np.array([1.0, 2.0, 0.5, 3.0])


def _log_softmax(x: np.ndarray) -> np.ndarray:
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _positions(labels: np.ndarray, weight: np.ndarray, ignore: int = -100) -> tuple[np.ndarray, np.ndarray]:
    """Per-position −w_y·log p_y and w_y (0 where ignored), (N, d1, d2)."""
    logp = _log_softmax(LOGITS)
    kept = labels != ignore
    safe = np.where(kept, labels, 0)
    picked = np.take_along_axis(logp, safe[:, None], axis=1)[:, 0]
    w_y = np.where(kept, weight[safe], 0.0)
    return -w_y * picked, w_y


@pytest.mark.parametrize("weighted", [False, True])
def test_spatial_cross_entropy_means_every_position(weighted: bool) -> None:
    weight = WEIGHT if weighted else np.ones(4)
    labels = LABELS.copy()
    labels[1, 0, :3] = -100  # ignored positions add to neither sum
    losses, w_y = _positions(labels, weight)
    spec = "torch.cross_entropy" + (":weight=[1,2,0.5,3]" if weighted else "")
    result = run(spec, LOGITS, labels).results[0]
    assert result.value == pytest.approx(losses.sum() / w_y.sum(), rel=1e-12)
    np.testing.assert_allclose(result.per_sample, losses.reshape(3, -1).sum(axis=1), rtol=1e-12)
    assert run(spec, LOGITS, labels, reduction="sum").results[0].value == pytest.approx(losses.sum(), rel=1e-12)
    nll = run(spec.replace("cross_entropy", "nll_loss"), _log_softmax(LOGITS), labels).results[0]
    assert nll.value == pytest.approx(result.value, rel=1e-12)


def test_spatial_cross_entropy_with_probability_targets() -> None:
    probs = np.exp(_log_softmax(RNG.normal(size=LOGITS.shape)))
    positions = -(probs * _log_softmax(LOGITS)).sum(axis=1)  # (N, 2, 5)
    result = run("torch.cross_entropy", LOGITS, probs).results[0]
    assert result.value == pytest.approx(positions.mean(), rel=1e-12)
    np.testing.assert_allclose(result.per_sample, positions.reshape(3, -1).sum(axis=1), rtol=1e-12)


def test_spatial_shapes_are_checked() -> None:
    with pytest.raises(LossCliError, match=r"takes class indices \(3, 2, 5\)"):
        run("torch.cross_entropy", LOGITS, LABELS[:, :, :4])
    with pytest.raises(LossCliError, match=r"class indices in \[0, 4\)"):
        run("torch.nll_loss", _log_softmax(LOGITS), np.where(LABELS == 0, 4, LABELS))


def test_spatial_arrays_from_npy_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    np.save(tmp_path / "logits.npy", LOGITS)
    np.save(tmp_path / "labels.npy", LABELS)
    out = cli("eval", tmp_path / "logits.npy", tmp_path / "labels.npy", "--loss", "torch.cross_entropy", "--format", "json")
    assert out.exit_code == 0, out.stderr
    losses, w_y = _positions(LABELS, np.ones(4))
    import json

    assert json.loads(out.stdout)["losses"]["torch.cross_entropy"]["value"] == pytest.approx(losses.mean(), rel=1e-12)
