"""Each loss against values derived by hand (in the test) or published in a library's docs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import per_sample, run, value
from losscli.errors import LossCliError

LN2, LN3 = math.log(2), math.log(3)


# --- regression -----------------------------------------------------------------------------

def test_mse_mae_rmse_by_hand() -> None:
    pred, target = [3.0, 0.0, 2.0], [1.0, 0.0, -2.0]  # errors 2, 0, 4
    assert value("mse", pred, target) == pytest.approx((4 + 0 + 16) / 3)
    assert value("mae", pred, target) == pytest.approx((2 + 0 + 4) / 3)
    assert value("l1", pred, target) == value("mae", pred, target)
    assert value("rmse", pred, target) == pytest.approx(math.sqrt(20 / 3))
    np.testing.assert_allclose(per_sample("rmse", pred, target), [2, 0, 4])


def test_rmse_is_root_of_weighted_mse_not_mean_of_roots() -> None:
    pred, target, w = [1.0, 5.0], [0.0, 0.0], [3.0, 1.0]
    assert value("rmse", pred, target, w) == pytest.approx(math.sqrt((3 * 1 + 1 * 25) / 4))


def test_multi_output_regression_averages_over_outputs() -> None:
    pred, target = [[1.0, 3.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]]
    np.testing.assert_allclose(per_sample("mse", pred, target), [(1 + 9) / 2, 4 / 2])
    assert value("torch.mse_loss", pred, target) == pytest.approx((1 + 9 + 0 + 4) / 4)


def test_huber_and_smooth_l1_by_hand() -> None:
    pred, target = [0.5, 2.0, -3.0], [0.0, 0.0, 0.0]
    np.testing.assert_allclose(per_sample("huber", pred, target), [0.125, 1.5, 2.5])
    np.testing.assert_allclose(per_sample("huber:delta=0.5", pred, target), [0.125, 0.875, 1.375])
    np.testing.assert_allclose(per_sample("smooth_l1:beta=0.5", [0.25, 2.0], [0.0, 0.0]), [0.0625, 1.75])
    np.testing.assert_allclose(per_sample("smooth_l1:beta=0", [0.25, -2.0], [0.0, 0.0]), [0.25, 2.0])
    np.testing.assert_allclose(per_sample("smooth_l1:beta=2", pred, target), per_sample("huber:delta=2", pred, target) / 2)


def test_huber_published_keras_examples() -> None:
    # keras.losses.Huber docstring: 0.155, and 0.09 with sample_weight=[1, 0].
    y_true, y_pred = [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]
    assert value("keras.Huber", y_pred, y_true) == pytest.approx(0.155)
    assert value("keras.Huber", y_pred, y_true, weight=[1, 0]) == pytest.approx(0.09)


def test_log_cosh_is_stable_for_huge_errors() -> None:
    np.testing.assert_allclose(per_sample("log_cosh", [0.1, 1000.0, -1000.0], [0, 0, 0]),
                               [math.log(math.cosh(0.1)), 1000 - LN2, 1000 - LN2], rtol=1e-12)


def test_keras_regression_published_examples() -> None:
    # keras.losses.MeanSquaredError / MeanAbsoluteError docstrings.
    y_true, y_pred = [[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]
    assert value("keras.mean_squared_error", y_pred, y_true) == pytest.approx(0.5)
    assert value("keras.mean_squared_error", y_pred, y_true, weight=[0.7, 0.3]) == pytest.approx(0.25)
    assert value("keras.MeanAbsoluteError", y_pred, y_true) == pytest.approx(0.5)
    assert value("keras.MeanAbsoluteError", y_pred, y_true, weight=[0.7, 0.3]) == pytest.approx(0.25)


def test_keras_divides_weighted_sums_by_batch_size_canonical_by_weight_sum() -> None:
    pred, target, w = [1.0, 3.0], [0.0, 0.0], [1.0, 3.0]
    assert value("keras.mean_squared_error", pred, target, w) == pytest.approx((1 + 27) / 2)
    assert value("mse", pred, target, w) == pytest.approx((1 + 27) / 4)
    assert value("mse", pred, target, w, reduction="sum") == pytest.approx(28)


# --- binary ---------------------------------------------------------------------------------

def test_bce_at_saturated_probabilities_per_library() -> None:
    # p = 0 for a positive: clipping at 1e-7 (losscli, Keras) vs PyTorch's log clamp at -100.
    assert value("bce", [0.0], [1.0]) == pytest.approx(-math.log(1e-7), rel=1e-9)
    assert value("keras.binary_crossentropy", [0.0], [1.0]) == pytest.approx(16.1181, abs=1e-4)
    assert value("torch.binary_cross_entropy", [0.0], [1.0]) == 100.0
    assert value("torch.binary_cross_entropy", [1.0, 0.0], [1.0, 0.0]) == 0.0
    assert value("bce:eps=0", [0.3], [1.0]) == pytest.approx(-math.log(0.3))


def test_bce_by_hand_with_soft_targets() -> None:
    got = per_sample("bce", [0.8, 0.25], [0.6, 0.0])
    np.testing.assert_allclose(got, [-(0.6 * math.log(0.8) + 0.4 * math.log(0.2)), -math.log(0.75)])


def test_keras_binary_crossentropy_published_examples() -> None:
    # keras.losses.BinaryCrossentropy docstring.
    logits_true, logits = [0, 1, 0, 0], [-18.6, 0.51, 2.94, -12.8]
    assert value("keras.BinaryCrossentropy:from_logits=true", logits, logits_true) == pytest.approx(0.865, abs=5e-4)
    y_true, y_pred = [[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]
    assert value("keras.binary_crossentropy", y_pred, y_true) == pytest.approx(0.815, abs=5e-4)
    assert value("keras.binary_crossentropy", y_pred, y_true, weight=[1, 0]) == pytest.approx(0.458, abs=5e-4)


def test_keras_binary_label_smoothing_moves_targets_towards_half() -> None:
    got = value("keras.binary_crossentropy:label_smoothing=0.2", [0.9], [1.0])
    assert got == pytest.approx(-(0.9 * math.log(0.9) + 0.1 * math.log(0.1)))


def test_bce_with_logits_is_exact_at_extreme_logits() -> None:
    x, t = [1000.0, -1000.0, 1000.0, -1000.0, 0.0], [1.0, 1.0, 0.0, 0.0, 1.0]
    for spec in ("bce_with_logits", "torch.binary_cross_entropy_with_logits", "keras.binary_crossentropy:from_logits=true"):
        np.testing.assert_allclose(per_sample(spec, x, t), [0.0, 1000.0, 1000.0, 0.0, LN2], err_msg=spec)


def test_bce_with_logits_pos_weight_scalar_and_per_label() -> None:
    x, t = [[0.0, 0.0]], [[1.0, 1.0]]
    assert value("bce_with_logits:pos_weight=3", x, t) == pytest.approx(3 * LN2)
    assert value("bce_with_logits:pos_weight=[1,3]", x, t) == pytest.approx((LN2 + 3 * LN2) / 2)
    with pytest.raises(LossCliError, match="pos_weight has 3 values but the scores have 2 classes"):
        value("bce_with_logits:pos_weight=[1,2,3]", x, t)


def test_torch_bce_weight_is_a_batch_mean() -> None:
    p, t, w = [0.5, 0.5], [1.0, 1.0], [1.0, 3.0]
    assert value("torch.BCELoss", p, t, w) == pytest.approx((LN2 + 3 * LN2) / 2)


def test_hinge_accepts_signed_and_binary_labels() -> None:
    np.testing.assert_allclose(per_sample("hinge", [0.8, -0.3, 2.0], [1, 0, 0]), [0.2, 0.7, 3.0])
    np.testing.assert_allclose(per_sample("hinge", [0.8, -0.3, 2.0], [1, -1, -1]), [0.2, 0.7, 3.0])
    with pytest.raises(LossCliError, match="mixes 0 and -1"):
        value("hinge", [0.1, 0.2, 0.3], [0, -1, 1])


# --- multiclass -----------------------------------------------------------------------------

ROWS_LOGITS = [[0.0, 0.0], [0.0, math.log(3)]]  # softmax rows: [.5, .5] and [.25, .75]


def test_cross_entropy_by_hand() -> None:
    np.testing.assert_allclose(per_sample("cross_entropy", ROWS_LOGITS, [0, 1]), [LN2, -math.log(0.75)])
    assert value("ce", [[0.0, 0.0, 0.0]], [2]) == pytest.approx(LN3)


def test_cross_entropy_class_weights_divide_by_target_weights() -> None:
    got = value("cross_entropy:weight=[1,3]", ROWS_LOGITS, [0, 1])
    assert got == pytest.approx((1 * LN2 + 3 * -math.log(0.75)) / (1 + 3))


def test_cross_entropy_label_smoothing_by_hand() -> None:
    eps = 0.2
    expected = (1 - eps) * -math.log(0.75) + eps / 2 * (-math.log(0.25) - math.log(0.75))
    assert value("cross_entropy:label_smoothing=0.2", [ROWS_LOGITS[1]], [1]) == pytest.approx(expected)


def test_cross_entropy_probability_targets_equal_index_targets_when_one_hot() -> None:
    one_hot = [[1.0, 0.0], [0.0, 1.0]]
    assert value("cross_entropy", ROWS_LOGITS, one_hot) == pytest.approx(value("cross_entropy", ROWS_LOGITS, [0, 1]))
    smooth_soft = value("torch.cross_entropy:label_smoothing=0.1", ROWS_LOGITS, one_hot)
    smooth_index = value("torch.cross_entropy:label_smoothing=0.1", ROWS_LOGITS, [0, 1])
    assert smooth_soft == pytest.approx(smooth_index)


def test_torch_cross_entropy_ignores_minus_100_and_canonical_asks_for_it() -> None:
    logits, labels = [ROWS_LOGITS[0], ROWS_LOGITS[1], [5.0, -5.0]], [0, 1, -100]
    expected = (LN2 - math.log(0.75)) / 2
    assert value("torch.CrossEntropyLoss", logits, labels) == pytest.approx(expected)
    assert value("cross_entropy:ignore_index=-100", logits, labels) == pytest.approx(expected)
    with pytest.raises(LossCliError, match="ignore_index=-100"):
        value("cross_entropy", logits, labels)


def test_torch_cross_entropy_weights_smoothing_and_ignore_combined() -> None:
    eps = 0.1
    logits, labels = [ROWS_LOGITS[0], ROWS_LOGITS[1], [1.0, 2.0]], [0, 1, -100]
    nll = [LN2, -math.log(0.75)]
    smooth = [1 * LN2 + 3 * LN2, 1 * -math.log(0.25) + 3 * -math.log(0.75)]  # Σ_c w_c·(−log p_c), w = [1, 3]
    w_y = [1.0, 3.0]
    numerator = sum((1 - eps) * wy * loss + eps / 2 * s for wy, loss, s in zip(w_y, nll, smooth, strict=True))
    got = value("torch.cross_entropy:weight=[1,3],label_smoothing=0.1", logits, labels)
    assert got == pytest.approx(numerator / sum(w_y))


def test_cross_entropy_is_stable_at_extreme_logits() -> None:
    np.testing.assert_allclose(per_sample("cross_entropy", [[1000.0, -1000.0], [1000.0, -1000.0]], [0, 1]), [0.0, 2000.0])


def test_nll_by_hand() -> None:
    logp = np.log([[0.7, 0.2, 0.1], [0.3, 0.3, 0.4]])
    assert value("nll", logp, [0, 2]) == pytest.approx(-(math.log(0.7) + math.log(0.4)) / 2)
    assert value("torch.nll_loss:weight=[2,1,1]", logp, [0, 2]) == pytest.approx(
        -(2 * math.log(0.7) + math.log(0.4)) / 3)
    assert value("torch.NLLLoss", logp, [-100, 2]) == pytest.approx(-math.log(0.4))


def test_categorical_crossentropy_sklearn_log_loss_example() -> None:
    # sklearn.metrics.log_loss docstring: 0.21616...
    probs, one_hot = [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]], [[0, 1], [1, 0], [1, 0], [0, 1]]
    assert value("categorical_crossentropy", probs, one_hot) == pytest.approx(0.21616187468057912)


def test_keras_renormalises_probabilities_canonical_does_not() -> None:
    pred, target = [[0.2, 0.2]], [[1.0, 0.0]]
    assert value("categorical_crossentropy", pred, target) == pytest.approx(-math.log(0.2))
    assert value("keras.categorical_crossentropy", pred, target) == pytest.approx(LN2, rel=1e-6)


def test_keras_categorical_published_examples() -> None:
    # keras.losses.CategoricalCrossentropy / SparseCategoricalCrossentropy docstrings.
    y_pred = [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    assert value("keras.CategoricalCrossentropy", y_pred, [[0, 1, 0], [0, 0, 1]], weight=[0.3, 0.7]) == pytest.approx(
        0.814, abs=5e-4)
    assert value("keras.SparseCategoricalCrossentropy", y_pred, [1, 2]) == pytest.approx(1.177, abs=5e-4)
    assert value("keras.sparse_categorical_crossentropy", y_pred, [1, 2], weight=[0.3, 0.7]) == pytest.approx(
        0.814, abs=5e-4)


def test_keras_from_logits_and_label_smoothing() -> None:
    logits = [[2.0, 0.0, -1.0]]
    logp = np.log(np.exp(logits[0]) / np.exp(logits[0]).sum())
    assert value("keras.sparse_categorical_crossentropy:from_logits=true", logits, [0]) == pytest.approx(-logp[0])
    smoothed = np.array([1, 0, 0]) * 0.7 + 0.3 / 3
    got = value("keras.categorical_crossentropy:from_logits=true,label_smoothing=0.3", logits, [[1, 0, 0]])
    assert got == pytest.approx(-(smoothed * logp).sum())


def test_kl_div_by_hand_and_torch_log_input() -> None:
    q, p = [[0.5, 0.5], [0.25, 0.75]], [[1.0, 0.0], [0.5, 0.5]]
    expected = [LN2, 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)]
    np.testing.assert_allclose(per_sample("kl_div", q, p), expected)
    np.testing.assert_allclose(per_sample("torch.kl_div", np.log(q), p), expected)
    assert value("torch.KLDivLoss", np.log(q), p) == pytest.approx(sum(expected) / 2)


def test_kl_div_of_a_zero_prediction_is_infinite_unless_clipped() -> None:
    evaluation = run("kl_div", [[0.0, 1.0]], [[0.5, 0.5]])
    assert math.isinf(evaluation.results[0].value)
    assert evaluation.results[0].state.n_nonfinite == 1
    assert math.isfinite(value("kl_div:eps=1e-7", [[0.0, 1.0]], [[0.5, 0.5]]))


# --- embeddings -----------------------------------------------------------------------------

def test_contrastive_by_hand() -> None:
    np.testing.assert_allclose(per_sample("contrastive", [0.2, 0.4, 1.5], [1, 0, 0]), [0.04, 0.36, 0.0])
    np.testing.assert_allclose(per_sample("contrastive:margin=2", [1.5], [0]), [0.25])


def test_hinge_embedding_by_hand() -> None:
    x, y = [0.3, 0.2, 1.4], [1, -1, -1]
    for spec in ("hinge_embedding", "torch.hinge_embedding_loss"):
        np.testing.assert_allclose(per_sample(spec, x, y), [0.3, 0.8, 0.0])
    np.testing.assert_allclose(per_sample("torch.HingeEmbeddingLoss:margin=2", x, y), [0.3, 1.8, 0.6])


# --- shapes ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("spec", "pred", "target", "fragment"), [
    ("mse", np.zeros((4, 3)), np.zeros((4, 2)), "(4, 3)"),
    ("mse", np.zeros(4), np.zeros(5), "length mismatch"),
    ("mse", np.zeros((4, 2)), np.zeros(4), "shape mismatch"),
    ("cross_entropy", np.zeros(4), np.zeros(4, dtype=int), "(N, K)"),
    ("nll", np.zeros((4, 3)), np.zeros((4, 3)), "class indices"),
])
def test_shape_mismatches_are_errors(spec: str, pred: np.ndarray, target: np.ndarray, fragment: str) -> None:
    with pytest.raises(LossCliError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        value(spec, pred, target)


def test_n_by_one_matches_n() -> None:
    assert value("mse", np.ones((3, 1)), np.zeros(3)) == value("mse", np.ones(3), np.zeros(3)) == 1.0


def test_zero_class_weight_keeps_the_smoothing_term() -> None:
    # PyTorch masks the smoothing term only for ignored rows, not for rows of a zero-weight class.
    logits = [ROWS_LOGITS[1]]
    got = run("torch.cross_entropy:weight=[1,0],label_smoothing=0.2", logits, [1]).results[0]
    assert got.per_sample[0] == pytest.approx(0.2 / 2 * -math.log(0.25))
    assert math.isnan(got.value)  # Σ w_y = 0: PyTorch's mean is NaN too
