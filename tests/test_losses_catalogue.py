"""The canonical losses added with the full catalogue, against hand-derived values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import per_sample, run, value
from losscli.errors import LossCliError

LN2 = math.log(2)


def test_msle_and_rejects_negative_values() -> None:
    np.testing.assert_allclose(per_sample("msle", [1.0, 3.0], [0.0, 1.0]), [LN2**2, (math.log(4) - LN2) ** 2])
    with pytest.raises(LossCliError, match="must be non-negative"):
        value("msle", [-0.5], [1.0])


def test_mape_is_in_percent_with_a_floor() -> None:
    np.testing.assert_allclose(per_sample("mape", [110.0, 0.5], [100.0, 0.0]), [10.0, 100 * 0.5 / 1e-7])


def test_quantile_weights_under_and_over_prediction() -> None:
    # target above pred costs alpha per unit, below costs 1 - alpha
    np.testing.assert_allclose(per_sample("quantile:alpha=0.9", [1.0, 3.0], [3.0, 1.0]), [0.9 * 2, 0.1 * 2])
    assert value("pinball", [1.0, 3.0], [2.0, 2.0]) == pytest.approx(0.5)
    # scikit-learn's mean_pinball_loss docstring: y_true [1, 2, 3], y_pred [0, 2, 3], alpha=0.1 -> 0.03...
    assert value("quantile:alpha=0.1", [0.0, 2.0, 3.0], [1.0, 2.0, 3.0]) == pytest.approx(0.1 / 3)


def test_poisson_nll_by_hand() -> None:
    rate, counts = np.array([2.0, 0.5]), np.array([3.0, 0.0])
    np.testing.assert_allclose(per_sample("poisson_nll", rate, counts), rate - counts * np.log(rate))
    np.testing.assert_allclose(per_sample("poisson_nll:log_input=true", np.log(rate), counts), rate - counts * np.log(rate))
    full = per_sample("poisson_nll:full=true", rate, counts)
    np.testing.assert_allclose(full, rate - counts * np.log(rate) + [math.log(6), 0.0])
    # full=true is the exact Poisson negative log-likelihood: -log(λ^t e^-λ / t!)
    assert full[0] == pytest.approx(-math.log(2.0**3 * math.exp(-2.0) / 6))


def test_poisson_log_factorial_for_large_and_fractional_counts() -> None:
    from losscli.losses.regression import log_factorial

    t = np.array([0.0, 1.0, 12.0, 170.0, 2.5, 0.25, 3e6])
    np.testing.assert_allclose(log_factorial(t), [math.lgamma(x + 1) for x in t], rtol=1e-12, atol=1e-11)


def test_gaussian_nll_by_hand_with_shared_and_per_output_variance() -> None:
    got = per_sample("gaussian_nll", [1.0, 2.0], [1.5, 2.0], extra={"var": [0.5, 2.0]})
    np.testing.assert_allclose(got, [0.5 * (math.log(0.5) + 0.25 / 0.5), 0.5 * math.log(2.0)])
    full = run("gaussian_nll:full=true", [1.0], [1.5], extra={"var": [0.5]}).results[0].per_sample
    assert full[0] == pytest.approx(got[0] + 0.5 * math.log(2 * math.pi))
    shared = per_sample("gaussian_nll", [[0.0, 1.0]], [[1.0, 1.0]], extra={"var": [2.0]})
    assert shared[0] == pytest.approx(np.mean([0.5 * (LN2 + 0.5), 0.5 * LN2]))
    clamped = per_sample("gaussian_nll:eps=0.1", [0.0], [1.0], extra={"var": [1e-9]})
    assert clamped[0] == pytest.approx(0.5 * (math.log(0.1) + 10))


def test_focal_reduces_to_weighted_bce_at_gamma_zero() -> None:
    p, t = [0.9, 0.2, 0.6], [1.0, 0.0, 0.0]
    bce = per_sample("bce", p, t)
    weights = np.array([0.25, 0.75, 0.75])
    np.testing.assert_allclose(per_sample("focal:gamma=0", p, t), weights * bce, rtol=1e-12)
    np.testing.assert_allclose(per_sample("focal:gamma=0,alpha=0.5", p, t), 0.5 * bce, rtol=1e-12)


def test_focal_by_hand() -> None:
    # t = 1, p = 0.9: α·(1 − 0.9)²·(−log 0.9)
    assert value("focal", [0.9], [1.0]) == pytest.approx(0.25 * 0.01 * -math.log(0.9))
    assert value("focal:from_logits=true", [math.log(9)], [1.0]) == pytest.approx(0.25 * 0.01 * -math.log(0.9))


def test_categorical_focal_by_hand() -> None:
    probs = [[0.7, 0.2, 0.1]]
    assert value("categorical_focal", probs, [0]) == pytest.approx(0.25 * 0.3**2 * -math.log(0.7))
    assert value("categorical_focal", probs, [[1, 0, 0]]) == value("categorical_focal", probs, [0])
    assert value("categorical_focal:gamma=0,alpha=1", probs, [2]) == pytest.approx(-math.log(0.1))
    assert value("categorical_focal:alpha=[1,2,3],gamma=0", probs, [1]) == pytest.approx(-2 * math.log(0.2))


def test_squared_and_multiclass_hinge_by_hand() -> None:
    np.testing.assert_allclose(per_sample("squared_hinge", [0.8, -0.3, 2.0], [1, 0, 0]), [0.04, 0.49, 9.0])
    scores = [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0], [1.0, 1.0, 1.0]]
    np.testing.assert_allclose(per_sample("multiclass_hinge", scores, [0, 1, 2]), [0.0, 1 + 3.0 - 0.2, 1.0])


def test_js_div_by_hand_and_bounded_by_log2() -> None:
    got = per_sample("js_div", [[1.0, 0.0], [0.5, 0.5]], [[0.0, 1.0], [0.5, 0.5]])
    np.testing.assert_allclose(got, [LN2, 0.0], atol=1e-15)
    q, p = np.array([[0.25, 0.75]]), np.array([[0.5, 0.5]])
    m = (p + q) / 2
    expected = 0.5 * (p * np.log(p / m)).sum() + 0.5 * (q * np.log(q / m)).sum()
    assert value("js_div", q, p) == pytest.approx(expected)


def test_brier_binary_and_multiclass() -> None:
    np.testing.assert_allclose(per_sample("brier", [0.9, 0.2, 0.6], [1, 0, 0]), [0.01, 0.04, 0.36])
    probs = [[0.7, 0.2, 0.1]]
    expected = 0.3**2 + 0.2**2 + 0.1**2
    assert value("brier", probs, [0]) == pytest.approx(expected)
    assert value("brier", probs, [[1, 0, 0]]) == pytest.approx(expected)


def test_zero_one_on_labels_scores_and_multilabel_rows() -> None:
    assert value("zero_one", [1, 0, 2, 2], [1, 1, 2, 0]) == pytest.approx(0.5)
    assert value("zero_one", [[0.1, 0.9], [0.8, 0.2], [0.5, 0.5]], [1, 1, 0]) == pytest.approx(1 / 3)
    np.testing.assert_array_equal(per_sample("zero_one", [[1, 0], [1, 1]], [[1, 0], [0, 1]]), [0.0, 1.0])


def test_cosine_embedding_by_hand() -> None:
    x1, x2, y = [[1.0, 0.0], [1.0, 1.0], [1.0, 0.0]], [[1.0, 1.0], [-1.0, 0.0], [2.0, 0.0]], [1, -1, -1]
    got = per_sample("cosine_embedding", x1, x2, extra={"label": y})
    np.testing.assert_allclose(got, [1 - 1 / math.sqrt(2), 0.0, 1.0])
    margin = run("cosine_embedding:margin=0.5", x1, x2, extra={"label": y}).results[0].per_sample
    np.testing.assert_allclose(margin, [1 - 1 / math.sqrt(2), 0.0, 0.5])


def test_margin_ranking_by_hand() -> None:
    got = run("margin_ranking:margin=0.1", [0.8, 0.2, 0.5], [0.3, 0.6, 0.5], extra={"label": [1, 1, -1]}).results[0]
    np.testing.assert_allclose(got.per_sample, [0.0, 0.5, 0.1])


def test_triplet_by_hand() -> None:
    a, p, n = [[0.0, 0.0], [1.0, 1.0]], [[0.3, 0.4], [1.0, 1.2]], [[1.0, 0.0], [3.0, 1.0]]
    got = run("triplet", a, p, extra={"negative": n}).results[0].per_sample
    np.testing.assert_allclose(got, [0.5 - 1.0 + 1.0, max(0.0, 0.2 - 2.0 + 1.0)])
    l1 = run("triplet:p=1,margin=0.5", a, p, extra={"negative": n}).results[0].per_sample
    np.testing.assert_allclose(l1, [0.7 - 1.0 + 0.5, 0.0])


def test_dice_and_tversky_by_hand() -> None:
    pred, mask = [[0.9, 0.8, 0.1, 0.0]], [[1, 1, 0, 0]]
    tp, fp, fn = 1.7, 0.1, 0.3
    assert value("dice:smooth=0", pred, mask) == pytest.approx(1 - 2 * tp / (1.8 + 2))
    assert value("tversky:smooth=0", pred, mask) == pytest.approx(value("dice:smooth=0", pred, mask))
    assert value("tversky:alpha=0.7,beta=0.3,smooth=0", pred, mask) == pytest.approx(1 - tp / (tp + 0.7 * fp + 0.3 * fn))
    assert value("dice", [[0.0, 0.0]], [[0, 0]]) == 0.0  # an empty mask predicted empty is perfect


def test_dice_takes_masks_of_any_rank_per_sample() -> None:
    rng = np.random.default_rng(0)
    pred, mask = rng.uniform(size=(3, 4, 5)), rng.integers(0, 2, (3, 4, 5))
    flat = per_sample("dice", pred.reshape(3, -1), mask.reshape(3, -1))
    np.testing.assert_allclose(per_sample("dice", pred, mask), flat)
