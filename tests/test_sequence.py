"""CTC against a brute-force sum over every alignment, and by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from conftest import run
from losscli.errors import LossCliError


def brute_force_nll(probs: np.ndarray, labels: list[int], blank: int = 0) -> float:
    """−log Σ over all C^T paths that collapse (merge repeats, drop blanks) to ``labels``."""
    steps, n_classes = probs.shape
    total = 0.0
    for path in itertools.product(range(n_classes), repeat=steps):
        merged = [c for i, c in enumerate(path) if i == 0 or c != path[i - 1]]
        if [c for c in merged if c != blank] == labels:
            total += math.prod(probs[t, c] for t, c in enumerate(path))
    return -math.log(total)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("labels", [[1], [2, 1], [1, 1], [2, 2, 1], []])
def test_ctc_matches_brute_force(labels: list[int]) -> None:
    rng = np.random.default_rng(len(labels))
    logits = rng.normal(0, 1.5, (2, 5, 3))
    padded = [labels + [-1] * (3 - len(labels))] * 2
    got = run("ctc", logits, np.array(padded)).results[0].per_sample
    expected = [brute_force_nll(softmax(logits[i]), labels) for i in range(2)]
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_ctc_by_hand_for_two_steps() -> None:
    p = np.array([[0.6, 0.4], [0.3, 0.7]])  # classes: blank, a
    # paths collapsing to "a": (a, a), (blank, a), (a, blank)
    expected = -math.log(0.4 * 0.7 + 0.6 * 0.7 + 0.4 * 0.3)
    assert run("ctc", np.log(p)[None], [[1]]).results[0].value == pytest.approx(expected)


def test_torch_ctc_divides_by_target_length_and_honours_lengths() -> None:
    rng = np.random.default_rng(3)
    log_probs = np.log(softmax(rng.normal(0, 1, (2, 6, 4))))
    targets, in_len, tgt_len = np.array([[1, 3, 2], [2, 2, 0]]), [6, 4], [3, 2]
    got = run("torch.ctc_loss", log_probs, targets, extra={"input_lengths": in_len, "target_lengths": tgt_len}).results[0]
    nll = [brute_force_nll(np.exp(log_probs[0]), [1, 3, 2]), brute_force_nll(np.exp(log_probs[1, :4]), [2, 2])]
    np.testing.assert_allclose(got.per_sample, nll, rtol=1e-12)  # reduction='none': the raw likelihoods
    assert got.value == pytest.approx((nll[0] / 3 + nll[1] / 2) / 2)


def test_impossible_alignment_is_infinite_unless_zero_infinity() -> None:
    log_probs = np.log(np.full((1, 2, 3), 1 / 3))
    extra = {"input_lengths": [2], "target_lengths": [2]}
    # "1 1" needs a blank between the repeats: three steps, but only two are given
    assert math.isinf(run("torch.ctc_loss", log_probs, [[1, 1]], extra=extra).results[0].value)
    assert run("torch.ctc_loss:zero_infinity=true", log_probs, [[1, 1]], extra=extra).results[0].value == 0.0


@pytest.mark.parametrize(("target", "fragment"), [([[0, -1]], "not a class other than blank"), ([[-1, 1]], "follows the -1")])
def test_ctc_rejects_bad_targets(target: list[list[int]], fragment: str) -> None:
    with pytest.raises(LossCliError, match=fragment):
        run("ctc", np.zeros((1, 3, 3)), target)


def test_ctc_needs_three_dimensional_scores() -> None:
    with pytest.raises(LossCliError, match=r"\(N, T, C\)"):
        run("ctc", np.zeros((2, 3)), [[1], [1]])
