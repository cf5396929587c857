"""The keras.losses entries against hand-derived values and the values published in Keras 3's docstrings.

Docstrings cited are those of keras/src/losses/losses.py (Keras 3). Keras reduces with
sum_over_batch_size: Σ w·l / N.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import per_sample, run, value
from losscli.errors import LossCliError
from losscli.registry import Pooled, Reducer, lookup

LN2 = math.log(2)
EPS = 1e-7
LOG_EPS = -math.log(EPS)  # 16.118..., the cost of a probability clipped to 1e-7

NEW_ENTRIES = {
    "keras.mean_absolute_percentage_error": ("keras.MeanAbsolutePercentageError", "mape"),
    "keras.mean_squared_logarithmic_error": ("keras.MeanSquaredLogarithmicError", "msle"),
    "keras.cosine_similarity": ("keras.CosineSimilarity", "cosine_embedding"),
    "keras.log_cosh": ("keras.LogCosh", "log_cosh"),
    "keras.hinge": ("keras.Hinge", "hinge"),
    "keras.squared_hinge": ("keras.SquaredHinge", "squared_hinge"),
    "keras.categorical_hinge": ("keras.CategoricalHinge", "multiclass_hinge"),
    "keras.kl_divergence": ("keras.KLDivergence", "kl_div"),
    "keras.poisson": ("keras.Poisson", "poisson_nll"),
    "keras.binary_focal_crossentropy": ("keras.BinaryFocalCrossentropy", "focal"),
    "keras.categorical_focal_crossentropy": ("keras.CategoricalFocalCrossentropy", "categorical_focal"),
    "keras.categorical_generalized_cross_entropy": ("keras.CategoricalGeneralizedCrossEntropy", "nll"),
    "keras.dice": ("keras.Dice", "dice"),
    "keras.tversky": ("keras.Tversky", "tversky"),
    "keras.ctc": ("keras.CTC", "ctc"),
}


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))


# --- declarations ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", NEW_ENTRIES)
def test_class_alias_canonical_and_batch_size_reduction(name: str) -> None:
    cls, canonical = NEW_ENTRIES[name]
    entry = lookup(name)
    assert lookup(cls) is entry
    assert entry.follows == "keras" and entry.canonical == canonical
    pooled = entry.task == "segmentation"  # Keras sums dice and tversky over the whole batch
    assert entry.reducer is (Reducer.POOLED if pooled else Reducer.BATCH_MEAN) and entry.sample_weights


@pytest.mark.parametrize("name", NEW_ENTRIES)
def test_float32_inputs_give_float32_losses(name: str) -> None:
    from conftest import random_inputs

    entry = lookup(name)
    arrays = [a.astype(np.float32) if a.dtype.kind == "f" else a for a in random_inputs(entry, seed=9, n=8)]
    out = entry.fn(*arrays, **entry.defaults)
    assert (out.values if isinstance(out, Pooled) else out).dtype == np.float32


def test_weighted_sum_is_divided_by_the_batch_size() -> None:
    # hinge of scores [0.5, -1] for labels [1, 1]: 0.5 and 2; weights 1 and 3 -> (0.5 + 6) / 2, not / 4
    assert value("keras.hinge", [0.5, -1.0], [1, 1], weight=[1.0, 3.0]) == pytest.approx((0.5 + 6) / 2)
    assert value("keras.hinge", [0.5, -1.0], [1, 1], weight=[1.0, 3.0], reduction="sum") == pytest.approx(6.5)


# --- regression -----------------------------------------------------------------------------

def test_mape_by_hand_with_the_epsilon_floor() -> None:
    # |100 - 110| / 100 = 10 %; a zero target divides by 1e-7; |-2 - 3| / 2 = 250 %
    got = per_sample("keras.mean_absolute_percentage_error", [110.0, 0.5, 3.0], [100.0, 0.0, -2.0])
    np.testing.assert_allclose(got, [10.0, 100 * 0.5 / EPS, 250.0])
    # two outputs per sample: the mean over the last axis, (50 + 0) / 2
    assert value("keras.MeanAbsolutePercentageError", [[1.0, 3.0]], [[2.0, 3.0]]) == pytest.approx(25.0)
    np.testing.assert_allclose(got, per_sample("mape", [110.0, 0.5, 3.0], [100.0, 0.0, -2.0]))


def test_msle_by_hand_floors_negatives_and_zeros_at_epsilon() -> None:
    # (log 2 − log(1 + 1e-7))²; −5 and 0 both read as 1e-7 so they cost 0; (log(1 + 1e-7) − log 4)²
    got = per_sample("keras.mean_squared_logarithmic_error", [1.0, -5.0, 0.0], [0.0, 0.0, 3.0])
    tiny = math.log1p(EPS)
    np.testing.assert_allclose(got, [(LN2 - tiny) ** 2, 0.0, (tiny - math.log(4)) ** 2], rtol=1e-12)
    # above the floor it is the canonical msle: (log 2 − log 3)², (log 4 − log 2)²
    np.testing.assert_allclose(per_sample("keras.MeanSquaredLogarithmicError", [1.0, 3.0], [2.0, 1.0]),
                               [(LN2 - math.log(3)) ** 2, (math.log(4) - LN2) ** 2])


def test_log_cosh_published_example_and_huge_errors() -> None:
    # keras.losses.log_cosh docstring: y_true [[0, 1], [0, 0]], y_pred [[1, 1], [0, 0]] -> 0.108
    # by hand: row 1 is (log cosh 1 + 0) / 2 = 0.21689, row 2 is 0; the batch mean 0.10845
    assert value("keras.LogCosh", [[1.0, 1.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]) == pytest.approx(0.108, abs=5e-4)
    assert value("keras.log_cosh", [[1.0, 1.0], [0.0, 0.0]], [[0.0, 1.0], [0.0, 0.0]]) == pytest.approx(
        math.log(math.cosh(1.0)) / 4, rel=1e-12)
    np.testing.assert_allclose(per_sample("keras.log_cosh", [1000.0, -1000.0, 0.5], [0.0, 0.0, 0.0]),
                               [1000 - LN2, 1000 - LN2, math.log(math.cosh(0.5))], rtol=1e-12)


def test_poisson_by_hand_and_at_a_zero_rate() -> None:
    # λ − t·log(λ + 1e-7): 2 − 3·log 2, 0.5 − 0, 3 − log 3 (the 1e-7 shifts the log by ~1e-7/λ)
    got = per_sample("keras.poisson", [2.0, 0.5, 3.0], [3.0, 0.0, 1.0])
    np.testing.assert_allclose(got, [2 - 3 * math.log(2 + EPS), 0.5, 3 - math.log(3 + EPS)], rtol=1e-12)
    assert got[0] < 0  # the log t! constant is left out, so the loss can be negative
    # λ = 0 is finite: −2·log(1e-7)
    assert per_sample("keras.Poisson", [0.0], [2.0])[0] == pytest.approx(2 * LOG_EPS)
    # canonical poisson_nll computes λ − t·log λ: equal up to t·1e-7/λ
    np.testing.assert_allclose(got, per_sample("poisson_nll", [2.0, 0.5, 3.0], [3.0, 0.0, 1.0]), rtol=0, atol=2e-7)


def test_poisson_docstring_identity() -> None:
    # keras.losses.poisson docstring: loss == mean(y_pred' − y_true·log(y_pred')), y_pred' = y_pred + 1e-7, atol 1e-5
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 2, (2, 3)).astype(float), rng.random((2, 3))
    shifted = y_pred + EPS
    np.testing.assert_allclose(per_sample("keras.poisson", y_pred, y_true),
                               np.mean(shifted - y_true * np.log(shifted), axis=-1), atol=1e-5)


# --- cosine similarity ----------------------------------------------------------------------

def test_cosine_similarity_published_example() -> None:
    # keras.losses.cosine_similarity docstring: y_true [[0, 1], [1, 1], [1, 1]],
    # y_pred [[1, 0], [1, 1], [-1, -1]] -> [-0., -0.99999994, 0.99999994] (float32)
    got = per_sample("keras.cosine_similarity", [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]],
                     [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    np.testing.assert_allclose(got, [0.0, -1.0, 1.0], atol=1e-7)


def test_cosine_similarity_by_hand_zero_vectors_and_scale() -> None:
    # (3, 4)·(4, 3) / (5·5) = 24/25; a zero row is 0; (1, 0) against (−2, 0) is +1
    got = per_sample("keras.CosineSimilarity", [[3.0, 4.0], [0.0, 0.0], [-2.0, 0.0]], [[4.0, 3.0], [1.0, 2.0], [1.0, 0.0]])
    np.testing.assert_allclose(got, [-24 / 25, 0.0, 1.0])
    scaled = per_sample("keras.cosine_similarity", [[300.0, 400.0]], [[0.004, 0.003]])
    assert scaled[0] == pytest.approx(-24 / 25)
    # norms below 1e-7 are floored: (1e-8, 0) becomes (0.1, 0), so the product is −0.1
    assert per_sample("keras.cosine_similarity", [[1e-8, 0.0]], [[1.0, 0.0]])[0] == pytest.approx(-0.1)
    # the mean over the batch: (−24/25 + 0 + 1) / 3
    assert value("keras.cosine_similarity", [[3.0, 4.0], [0.0, 0.0], [-2.0, 0.0]],
                 [[4.0, 3.0], [1.0, 2.0], [1.0, 0.0]]) == pytest.approx((1 - 24 / 25) / 3)


def test_cosine_similarity_is_cosine_embedding_minus_one() -> None:
    from conftest import run

    x1, x2 = [[1.0, 2.0, -1.0], [0.5, 0.0, 3.0]], [[2.0, 1.0, 0.0], [-1.0, 1.0, 1.0]]
    twin = run("cosine_embedding", x1, x2, extra={"label": [1, 1]}).results[0].per_sample
    np.testing.assert_allclose(per_sample("keras.cosine_similarity", x1, x2), twin - 1, atol=1e-12)


# --- hinge family ---------------------------------------------------------------------------

def test_hinge_and_squared_hinge_by_hand() -> None:
    scores, labels = [0.8, -0.3, 1.7, -2.0], [1, 1, -1, -1]
    # 1 − y·s: 0.2, 1.3, 2.7, −1 -> clipped at 0
    np.testing.assert_allclose(per_sample("keras.hinge", scores, labels), [0.2, 1.3, 2.7, 0.0])
    np.testing.assert_allclose(per_sample("keras.SquaredHinge", scores, labels), [0.04, 1.69, 7.29, 0.0])
    assert value("keras.Hinge", scores, labels) == pytest.approx((0.2 + 1.3 + 2.7) / 4)


def test_hinge_converts_zero_one_labels() -> None:
    scores = [[0.8, -0.3], [1.7, -2.0]]
    for spec in ("keras.hinge", "keras.squared_hinge"):
        np.testing.assert_allclose(per_sample(spec, scores, [[1, 1], [0, 0]]), per_sample(spec, scores, [[1, 1], [-1, -1]]))
    # per sample: the mean over the last axis, (0.2 + 1.3) / 2 and (2.7 + 0) / 2
    np.testing.assert_allclose(per_sample("keras.hinge", scores, [[1, 1], [0, 0]]), [0.75, 1.35])
    with pytest.raises(LossCliError, match="mixes 0 and -1"):  # Keras uses them unconverted: a warning, an error with strict
        run("keras.hinge", [0.1, 0.2], [0, -1], strict=True)


def test_categorical_hinge_by_hand() -> None:
    scores = [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]]
    one_hot = [[1, 0, 0], [0, 1, 0]]
    # row 1: pos = 2, neg = max(0·2, 0.5, −1) = 0.5 -> max(0, 0.5 − 2 + 1) = 0
    # row 2: pos = 0.2, neg = max(0.1, 0·0.2, 3) = 3 -> 3 − 0.2 + 1 = 3.8
    np.testing.assert_allclose(per_sample("keras.categorical_hinge", scores, one_hot), [0.0, 3.8])
    assert value("keras.CategoricalHinge", scores, one_hot) == pytest.approx(1.9)
    # here it agrees with the Crammer–Singer canonical twin
    np.testing.assert_allclose(per_sample("multiclass_hinge", scores, [0, 1]), [0.0, 3.8])


def test_categorical_hinge_floors_negative_rivals_at_zero() -> None:
    # scores [0.5, −1, −2] for class 0: neg = max(0·0.5, −1, −2) = 0 -> 0 − 0.5 + 1 = 0.5,
    # while Crammer–Singer takes max rival −1: max(0, 1 − 1 − 0.5) = 0
    assert per_sample("keras.categorical_hinge", [[0.5, -1.0, -2.0]], [[1, 0, 0]])[0] == pytest.approx(0.5)
    assert per_sample("multiclass_hinge", [[0.5, -1.0, -2.0]], [0])[0] == 0.0


# --- KL divergence --------------------------------------------------------------------------

def test_kl_divergence_by_hand_with_clipping() -> None:
    q, p = [[0.5, 0.5], [0.25, 0.75]], [[1.0, 0.0], [0.5, 0.5]]
    # row 1: 1·log(1/0.5) + 1e-7·log(1e-7/0.5) (the zero target is clipped to 1e-7); row 2 as kl_div
    expected = [LN2 + EPS * math.log(EPS / 0.5), 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)]
    np.testing.assert_allclose(per_sample("keras.kl_divergence", q, p), expected, rtol=1e-12)
    # a zero prediction where the target is positive is finite: 0.5·log(0.5/1e-7) + 0.5·log(0.5/1)
    got = per_sample("keras.KLDivergence", [[0.0, 1.0]], [[0.5, 0.5]])[0]
    assert got == pytest.approx(0.5 * math.log(0.5 / EPS) + 0.5 * math.log(0.5))
    assert math.isinf(value("kl_div", [[0.0, 1.0]], [[0.5, 0.5]]))


def test_kl_divergence_docstring_identity_and_published_value() -> None:
    # keras.losses.kl_divergence docstring: with 0/1 targets, loss == Σ t'·log(t'/q'), t', q' clipped to [1e-7, 1]
    rng = np.random.default_rng(1)
    y_true, y_pred = rng.integers(0, 2, (2, 3)).astype(np.float32), rng.random((2, 3))
    t, q = np.clip(y_true, EPS, 1), np.clip(y_pred, EPS, 1)
    np.testing.assert_allclose(per_sample("keras.kl_divergence", y_pred, y_true), np.sum(t * np.log(t / q), axis=-1),
                               rtol=1e-6)
    # tf.keras.losses.KLD docs (TF 2.1, same formula): KLD([.4, .9, .2], [.5, .8, .12]) -> 0.11891246
    # by hand: 0.4·log(0.8) + 0.9·log(1.125) + 0.2·log(5/3)
    got = value("keras.kl_divergence", [[0.5, 0.8, 0.12]], [[0.4, 0.9, 0.2]])
    assert got == pytest.approx(0.4 * math.log(0.8) + 0.9 * math.log(1.125) + 0.2 * math.log(5 / 3))
    assert got == pytest.approx(0.11891246, abs=1e-7)


# --- binary focal ---------------------------------------------------------------------------

def test_binary_focal_published_examples() -> None:
    # keras.losses.BinaryFocalCrossentropy docstring, example 1 (one sample of four labels)
    x1, t1 = [[-18.6, 0.51, 2.94, -12.8]], [[0, 1, 0, 0]]
    assert value("keras.BinaryFocalCrossentropy:gamma=2,from_logits=true", x1, t1) == pytest.approx(0.691, abs=5e-4)
    bal = "keras.BinaryFocalCrossentropy:apply_class_balancing=true,from_logits=true"
    assert value(f"{bal},gamma=2", x1, t1) == pytest.approx(0.51, abs=5e-3)
    # example 2: two samples of two labels
    x2, t2 = [[-18.6, 0.51], [2.94, -12.8]], [[0, 1], [0, 0]]
    plain = "keras.BinaryFocalCrossentropy:from_logits=true"
    assert value(f"{plain},gamma=3", x2, t2) == pytest.approx(0.647, abs=5e-4)
    assert value(f"{bal},gamma=3", x2, t2) == pytest.approx(0.482, abs=5e-4)
    assert value(f"{plain},gamma=3", x2, t2, weight=[0.8, 0.2]) == pytest.approx(0.133, abs=5e-4)
    assert value(f"{bal},gamma=3", x2, t2, weight=[0.8, 0.2]) == pytest.approx(0.097, abs=5e-4)
    assert value(f"{plain},gamma=4", x2, t2, reduction="sum") == pytest.approx(1.222, abs=5e-4)
    assert value(f"{bal},gamma=4", x2, t2, reduction="sum") == pytest.approx(0.914, abs=5e-4)
    # reduction=None, printed with four decimals (0.86708 is shown as 0.8670)
    np.testing.assert_allclose(per_sample(f"{plain},gamma=5", x2, t2), [0.0017, 1.1561], atol=1e-4)
    np.testing.assert_allclose(per_sample(f"{bal},gamma=5", x2, t2), [0.0004, 0.8670], atol=1e-4)


def test_binary_focal_function_docstring_by_hand() -> None:
    # keras.losses.binary_focal_crossentropy docstring: [[0.6, 0.4], [0.4, 0.6]] vs [[0, 1], [0, 0]], gamma=2
    # -> [0.330, 0.206]. By hand, (1 − p_t)²·bce per label:
    #   row 1: t=0, p=0.6: p_t = 0.4, 0.6²·(−log 0.4); t=1, p=0.4: p_t = 0.4, 0.6²·(−log 0.4)
    #   row 2: t=0, p=0.4: p_t = 0.6, 0.4²·(−log 0.6); t=0, p=0.6: p_t = 0.4, 0.6²·(−log 0.4)
    row1 = 0.36 * -math.log(0.4)
    row2 = (0.16 * -math.log(0.6) + 0.36 * -math.log(0.4)) / 2
    got = per_sample("keras.binary_focal_crossentropy:gamma=2", [[0.6, 0.4], [0.4, 0.6]], [[0, 1], [0, 0]])
    np.testing.assert_allclose(got, [row1, row2], rtol=1e-6)
    np.testing.assert_allclose(got, [0.330, 0.206], atol=5e-4)


def test_binary_focal_gamma_zero_without_balancing_is_binary_crossentropy() -> None:
    p, t = [[0.9, 0.2, 0.6, 0.0], [0.3, 1.0, 0.55, 0.01]], [[1, 0, 0, 0], [1, 1, 0, 1]]
    for ls in (0.0, 0.2):
        focal = per_sample(f"keras.binary_focal_crossentropy:gamma=0,label_smoothing={ls}", p, t)
        np.testing.assert_allclose(focal, per_sample(f"keras.binary_crossentropy:label_smoothing={ls}", p, t), rtol=1e-12)
    x = [[2.2, -1.4, 0.4, -8.0]]
    np.testing.assert_allclose(per_sample("keras.binary_focal_crossentropy:gamma=0,from_logits=true", x, [[1, 0, 0, 0]]),
                               per_sample("keras.binary_crossentropy:from_logits=true", x, [[1, 0, 0, 0]]), rtol=1e-9)
    # alpha does nothing without apply_class_balancing
    np.testing.assert_allclose(per_sample("keras.binary_focal_crossentropy:alpha=0.9", p, t),
                               per_sample("keras.binary_focal_crossentropy", p, t))


def test_binary_focal_alpha_balancing_by_hand() -> None:
    # gamma = 0 leaves the α-weighted bce: α·(−log 0.8) for a positive, (1 − α)·(−log 0.7) for a negative
    got = per_sample("keras.binary_focal_crossentropy:apply_class_balancing=true,alpha=0.25,gamma=0", [0.8, 0.3], [1, 0])
    np.testing.assert_allclose(got, [0.25 * -math.log(0.8), 0.75 * -math.log(0.7)])
    # gamma = 2: also (1 − p_t)², 0.2² and 0.3²
    got = per_sample("keras.binary_focal_crossentropy:apply_class_balancing=true", [0.8, 0.3], [1, 0])
    np.testing.assert_allclose(got, [0.25 * 0.04 * -math.log(0.8), 0.75 * 0.09 * -math.log(0.7)])
    # with hard labels and balancing on, it is the canonical focal (α = 0.25, γ = 2)
    p, t = [[0.9, 0.2, 0.6, 0.35]], [[1, 0, 0, 1]]
    np.testing.assert_allclose(per_sample("keras.binary_focal_crossentropy:apply_class_balancing=true", p, t),
                               per_sample("focal", p, t), rtol=1e-12)


def test_binary_focal_label_smoothing_by_hand() -> None:
    # t = 1, ls = 0.2 -> t' = 0.9; p = 0.9: p_t = 0.9·0.9 + 0.1·0.1 = 0.82, factor 0.18²,
    # bce = −(0.9·log 0.9 + 0.1·log 0.1)
    got = value("keras.binary_focal_crossentropy:label_smoothing=0.2", [0.9], [1])
    assert got == pytest.approx(0.18**2 * -(0.9 * math.log(0.9) + 0.1 * math.log(0.1)))


def test_binary_focal_logits_agree_with_probabilities_and_clip_at_extremes() -> None:
    x = np.array([[2.2, -1.4, 0.4, -3.0]])
    t = [[1, 0, 0, 1]]
    for spec in ("keras.binary_focal_crossentropy", "keras.binary_focal_crossentropy:apply_class_balancing=true,gamma=3"):
        sep = "," if ":" in spec else ":"
        np.testing.assert_allclose(per_sample(f"{spec}{sep}from_logits=true", x, t), per_sample(spec, sigmoid(x), t),
                                   rtol=1e-12)
    # logit −1000 for a positive: sigmoid 0, clipped to 1e-7, factor (1 − 0)² = 1 -> 16.118, not 1000;
    # logit +1000 for a positive: p_t = 1, factor 0 -> 0
    got = per_sample("keras.binary_focal_crossentropy:from_logits=true", [-1000.0, 1000.0], [1, 1])
    np.testing.assert_allclose(got, [LOG_EPS, 0.0], rtol=1e-9)
    # a saturated probability p = 0 for a positive costs the same
    assert value("keras.binary_focal_crossentropy", [0.0], [1]) == pytest.approx(LOG_EPS)


# --- categorical focal ----------------------------------------------------------------------

def test_categorical_focal_published_examples() -> None:
    # keras.losses.CategoricalFocalCrossentropy docstring
    y_true, y_pred = [[0, 1, 0], [0, 0, 1]], [[0.05, 0.95, 0], [0.1, 0.8, 0.1]]
    assert value("keras.CategoricalFocalCrossentropy", y_pred, y_true) == pytest.approx(0.23315276, rel=1e-6)
    assert value("keras.CategoricalFocalCrossentropy", y_pred, y_true, weight=[0.3, 0.7]) == pytest.approx(0.1632, abs=5e-5)
    assert value("keras.CategoricalFocalCrossentropy", y_pred, y_true, reduction="sum") == pytest.approx(0.46631, abs=5e-6)
    np.testing.assert_allclose(per_sample("keras.CategoricalFocalCrossentropy", y_pred, y_true),
                               [3.2058331e-05, 4.6627346e-01], rtol=1e-6)
    # by hand: 0.25·0.05²·(−log 0.95) and 0.25·0.9²·(−log 0.1)
    np.testing.assert_allclose(per_sample("keras.categorical_focal_crossentropy", y_pred, y_true),
                               [0.25 * 0.05**2 * -math.log(0.95), 0.25 * 0.9**2 * -math.log(0.1)])
    # keras.losses.categorical_focal_crossentropy docstring
    other = [[0.05, 0.9, 0.05], [0.1, 0.85, 0.05]]
    np.testing.assert_allclose(per_sample("keras.categorical_focal_crossentropy", other, y_true),
                               [2.63401289e-04, 6.75912094e-01], rtol=1e-6)


def test_categorical_focal_gamma_zero_alpha_one_is_categorical_crossentropy() -> None:
    p, t = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.2, 0.2, 0.0]], [[1, 0, 0], [0, 0, 1], [0.5, 0.5, 0]]
    for ls in (0.0, 0.3):
        np.testing.assert_allclose(
            per_sample(f"keras.categorical_focal_crossentropy:gamma=0,alpha=1,label_smoothing={ls}", p, t),
            per_sample(f"keras.categorical_crossentropy:label_smoothing={ls}", p, t), rtol=1e-12)
    x = [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]]
    np.testing.assert_allclose(
        per_sample("keras.categorical_focal_crossentropy:gamma=0,alpha=1,from_logits=true", x, t[:2]),
        per_sample("keras.categorical_crossentropy:from_logits=true", x, t[:2]), rtol=1e-9)


def test_categorical_focal_renormalises_then_clips() -> None:
    # [0.2, 0.2] renormalises to [0.5, 0.5]: 0.25·0.5²·log 2
    assert value("keras.categorical_focal_crossentropy", [[0.2, 0.2]], [[1, 0]]) == pytest.approx(0.25 * 0.25 * LN2)
    # a zero probability for the true class: clipped to 1e-7, factor (1 − 1e-7)² ≈ 1
    got = value("keras.categorical_focal_crossentropy:alpha=1", [[0.0, 1.0]], [[1, 0]])
    assert got == pytest.approx((1 - EPS) ** 2 * LOG_EPS)


def test_categorical_focal_alpha_per_class_smoothing_and_logits() -> None:
    # alpha = [1, 3], gamma = 0: t = [0, 1], p = [0.4, 0.6] -> 3·(−log 0.6)
    assert value("keras.categorical_focal_crossentropy:alpha=[1,3],gamma=0", [[0.4, 0.6]], [[0, 1]]) == pytest.approx(
        -3 * math.log(0.6))
    with pytest.raises(LossCliError, match="alpha has 3 values but the scores have 2 classes"):
        value("keras.categorical_focal_crossentropy:alpha=[1,2,3]", [[0.4, 0.6]], [[0, 1]])
    # ls = 0.2, K = 2: t' = [0.9, 0.1]; p = [0.8, 0.2]; gamma = 1, alpha = 1:
    # −(0.9·0.2·log 0.8 + 0.1·0.8·log 0.2)
    got = value("keras.categorical_focal_crossentropy:alpha=1,gamma=1,label_smoothing=0.2", [[0.8, 0.2]], [[1, 0]])
    assert got == pytest.approx(-(0.9 * 0.2 * math.log(0.8) + 0.1 * 0.8 * math.log(0.2)))
    # logits: the same as the softmax probabilities
    x = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]])
    probs = np.exp(x) / np.exp(x).sum(axis=1, keepdims=True)
    t = [[1, 0, 0], [0, 1, 0]]
    np.testing.assert_allclose(per_sample("keras.categorical_focal_crossentropy:from_logits=true", x, t),
                               per_sample("keras.categorical_focal_crossentropy", probs, t), rtol=1e-12)


# --- generalized cross-entropy --------------------------------------------------------------

def test_generalized_cross_entropy_by_hand() -> None:
    # keras.losses.CategoricalGeneralizedCrossEntropy docstring inputs (no value published), q = 0.1:
    # p_y = 0.7, 0.8, 0.6, 0.6 -> (1 − p_y^0.1) / 0.1
    pred, labels = [[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]], [0, 1, 0, 1]
    expected = [(1 - p**0.1) / 0.1 for p in (0.7, 0.8, 0.6, 0.6)]
    np.testing.assert_allclose(per_sample("keras.CategoricalGeneralizedCrossEntropy:q=0.1", pred, labels), expected)
    # default q = 0.5: (1 − sqrt(0.7)) / 0.5 for the first row; p_y = 0 costs 1/q (no clipping)
    assert per_sample("keras.categorical_generalized_cross_entropy", [[0.7, 0.3]], [0])[0] == pytest.approx(
        2 * (1 - math.sqrt(0.7)))
    assert per_sample("keras.categorical_generalized_cross_entropy", [[0.0, 1.0]], [0])[0] == pytest.approx(2.0)
    # labels as an (N, 1) column work too
    np.testing.assert_allclose(per_sample("keras.categorical_generalized_cross_entropy:q=0.1", pred, [[0], [1], [0], [1]]),
                               expected)


def test_generalized_cross_entropy_limits_and_q_range() -> None:
    pred, labels = [[0.7, 0.3], [0.2, 0.8]], [0, 1]
    # q → 0: −log p_y; q → 1: 1 − p_y
    np.testing.assert_allclose(per_sample("keras.categorical_generalized_cross_entropy:q=1e-6", pred, labels),
                               [-math.log(0.7), -math.log(0.8)], rtol=1e-5)
    np.testing.assert_allclose(per_sample("keras.categorical_generalized_cross_entropy:q=0.999999", pred, labels),
                               [0.3, 0.2], rtol=1e-5)
    for q in ("0", "1", "1.5"):
        with pytest.raises(LossCliError, match="out of range"):
            value(f"keras.categorical_generalized_cross_entropy:q={q}", pred, labels)
    with pytest.raises(LossCliError, match="class indices"):
        value("keras.categorical_generalized_cross_entropy", pred, [0, 2])


def test_sparse_categorical_ignore_class_masks_rows_and_the_batch_size() -> None:
    # Keras 3 masks ignored rows: Σ w·l over kept rows, divided by the number of kept rows.
    pred = [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.25, 0.5, 0.25]]
    l0, l2 = -math.log(0.7), -math.log(0.5)
    spec = "keras.sparse_categorical_crossentropy:ignore_class=-1"
    assert value(spec, pred, [0, -1, 1]) == pytest.approx((l0 + l2) / 2)
    assert value(spec, pred, [0, -1, 1], weight=[1, 5, 3]) == pytest.approx((1 * l0 + 3 * l2) / 2)
    np.testing.assert_allclose(per_sample(spec, pred, [0, -1, 1]), [l0, 0.0, l2])
    with pytest.raises(LossCliError, match="class indices"):
        value("keras.sparse_categorical_crossentropy", pred, [0, -1, 1])


# --- dice and tversky: one overlap score over the whole batch (axis=None) -----------------------

MASK_PRED = np.array([[0.9, 0.8, 0.1, 0.0], [0.2, 0.3, 0.6, 0.1], [0.0, 0.0, 0.0, 0.0]])
MASK_TARGET = np.array([[1, 1, 0, 0], [0, 0, 1, 1], [0, 0, 0, 0]])
# by hand over the batch: Σ p·t = 0.9 + 0.8 + 0.6 + 0.1 = 2.4, Σ p = 3.0, Σ t = 4, so FP = 0.6 and FN = 1.6


def test_dice_pools_the_whole_batch() -> None:
    pooled = 1 - 2 * 2.4 / (3.0 + 4 + EPS)
    assert value("keras.dice", MASK_PRED, MASK_TARGET) == pytest.approx(pooled, rel=1e-15)
    # the pooled score is not the mean of the per-sample scores (the empty third mask scores 1 alone)
    alone = per_sample("keras.dice", MASK_PRED, MASK_TARGET)
    np.testing.assert_allclose(alone, [1 - 3.4 / (3.8 + EPS), 1 - 1.4 / (3.2 + EPS), 1.0], rtol=1e-15)
    assert alone.mean() > pooled + 0.2


def test_dice_weights_scale_the_pooled_loss_by_their_mean() -> None:
    pooled = 1 - 2 * 2.4 / (7 + EPS)
    w = [1.0, 2.0, 6.0]
    assert value("keras.dice", MASK_PRED, MASK_TARGET, weight=w) == pytest.approx(pooled * 3, rel=1e-14)
    assert value("keras.dice", MASK_PRED, MASK_TARGET, reduction="sum") == pytest.approx(pooled, rel=1e-14)
    assert value("keras.dice", MASK_PRED, MASK_TARGET, weight=w, reduction="sum") == pytest.approx(pooled * 9, rel=1e-14)


def test_dice_with_per_sample_axes_reduces_like_every_keras_loss() -> None:
    masks_pred, masks_target = MASK_PRED.reshape(3, 2, 2), MASK_TARGET.reshape(3, 2, 2)
    alone = per_sample("keras.dice", MASK_PRED, MASK_TARGET)
    for axis in ("[1,2]", "[-1,-2]", "[2,1]"):
        spec = f"keras.dice:axis={axis}"
        assert value(spec, masks_pred, masks_target) == pytest.approx(alone.mean(), rel=1e-14)
        w = np.array([1.0, 2.0, 6.0])
        assert value(spec, masks_pred, masks_target, weight=w) == pytest.approx((w * alone).sum() / 3, rel=1e-14)
    assert value("keras.dice:axis=1", MASK_PRED, MASK_TARGET) == pytest.approx(alone.mean(), rel=1e-14)


@pytest.mark.parametrize("axis", ["0", "[0,1]", "2", "[1]", "[1,3]"])
def test_dice_axes_that_do_not_give_one_loss_per_sample_are_refused(axis: str) -> None:
    with pytest.raises(LossCliError, match=r"one loss per sample") as err:
        value(f"keras.dice:axis={axis}", MASK_PRED.reshape(3, 2, 2), MASK_TARGET.reshape(3, 2, 2))
    assert "axis=[1, 2]" in err.value.hint


@pytest.mark.parametrize("raw", ["true", "1.5", "[1,2.5]"])
def test_axis_parameter_takes_none_an_axis_or_a_list(raw: str) -> None:
    with pytest.raises(LossCliError, match="must be none, an axis or a list of axes"):
        value(f"keras.dice:axis={raw}", MASK_PRED, MASK_TARGET)


def test_tversky_alpha_weights_false_positives() -> None:
    # FP = Σ p·(1 − t) = 0.6, FN = Σ (1 − p)·t = 1.6 over the batch
    only_fp = value("keras.tversky:alpha=1,beta=0", MASK_PRED, MASK_TARGET)
    only_fn = value("keras.tversky:alpha=0,beta=1", MASK_PRED, MASK_TARGET)
    assert only_fp == pytest.approx(1 - 2.4 / (2.4 + 0.6 + EPS), rel=1e-14)
    assert only_fn == pytest.approx(1 - 2.4 / (2.4 + 1.6 + EPS), rel=1e-14)
    # a prediction that only adds foreground: alpha (false positives) moves the loss, beta does not
    over = np.array([[1.0, 1.0, 1.0, 1.0]])
    truth = np.array([[1, 1, 0, 0]])
    assert value("keras.tversky:alpha=0,beta=1", over, truth) == pytest.approx(0.0, abs=1e-7)
    assert value("keras.tversky:alpha=1,beta=0", over, truth) == pytest.approx(0.5, rel=1e-7)


def test_tversky_at_one_half_is_dice_and_at_one_is_jaccard() -> None:
    # (equal up to where the 1e-7 enters: dice adds it to Σ p + Σ t, tversky to half of that)
    assert value("keras.tversky", MASK_PRED, MASK_TARGET) == pytest.approx(value("keras.dice", MASK_PRED, MASK_TARGET), rel=1e-7)
    # α = β = 1: TP / (TP + FP + FN) = Σ p·t / (Σ p + Σ t − Σ p·t), the soft Jaccard index
    assert value("keras.tversky:alpha=1,beta=1", MASK_PRED, MASK_TARGET) == pytest.approx(1 - 2.4 / (3.0 + 4 - 2.4 + EPS), rel=1e-14)


def test_overlap_losses_propagate_non_finite_rows_as_null() -> None:
    pred = MASK_PRED.copy()
    pred[1, 2] = np.nan
    evaluation = run("keras.dice", pred, MASK_TARGET, nan="propagate")
    assert math.isnan(evaluation.results[0].value)
    omitted = run("keras.dice", pred, MASK_TARGET, nan="omit").results[0].value
    assert omitted == pytest.approx(1 - 2 * 1.7 / (1.8 + 2 + EPS), rel=1e-14)


# --- ctc: blank 0, zero padding, the full negative log-likelihood -------------------------------

def test_ctc_equals_canonical_ctc_with_zero_padding() -> None:
    rng = np.random.default_rng(3)
    scores = rng.normal(size=(5, 6, 4))
    labels = np.array([[1, 2, 3], [3, 3, 0], [2, 0, 0], [1, 1, 1], [0, 0, 0]])
    canonical = per_sample("ctc", scores, np.where(labels == 0, -1, labels))
    np.testing.assert_allclose(per_sample("keras.ctc", scores, labels), canonical, rtol=1e-13)
    assert value("keras.ctc", scores, labels) == pytest.approx(canonical.mean(), rel=1e-13)


def test_ctc_by_hand_on_two_steps() -> None:
    # T = 2, label [1]: alignments (1,1), (0,1), (1,0); an empty label: (0,0) only
    scores = np.log(np.array([[[0.6, 0.4], [0.3, 0.7]], [[0.6, 0.4], [0.3, 0.7]]]))
    got = per_sample("keras.ctc", scores, np.array([[1], [0]]))
    np.testing.assert_allclose(got, [-math.log(0.4 * 0.7 + 0.6 * 0.7 + 0.4 * 0.3), -math.log(0.6 * 0.3)], rtol=1e-14)


def test_ctc_refuses_labels_after_the_padding() -> None:
    with pytest.raises(LossCliError, match="follows the 0 padding"):
        value("keras.ctc", np.zeros((1, 4, 3)), np.array([[1, 0, 2]]))
    with pytest.raises(LossCliError, match="whole numbers >= 0"):
        value("keras.ctc", np.zeros((1, 4, 3)), np.array([[1, -1]]))


def test_feature_axis_accepts_any_axis_but_the_batch_axis() -> None:
    rng = np.random.default_rng(4)
    pred, target = rng.uniform(0.01, 0.99, (5, 2, 3)), rng.integers(0, 2, (5, 2, 3))
    default = value("keras.binary_crossentropy", pred, target)
    # the mean over every element is the same whichever axis Keras averages first
    for axis in ("1", "-1", "2", "[-2]"):
        assert value(f"keras.binary_crossentropy:axis={axis}", pred, target) == pytest.approx(default, rel=1e-14)
    probs, onehot = np.array([[0.2, 0.8], [0.6, 0.4]]), np.array([[0, 1], [0, 1]])
    assert value("keras.categorical_crossentropy:axis=1", probs, onehot) == pytest.approx(-(math.log(0.8) + math.log(0.4)) / 2)
    for spec, args in (("keras.binary_crossentropy:axis=0", (pred, target)),
                       ("keras.binary_crossentropy:axis=[1,2]", (pred, target)),
                       ("keras.categorical_crossentropy:axis=-2", (probs, onehot)),
                       ("keras.cosine_similarity:axis=2", (probs, probs))):
        with pytest.raises(LossCliError, match="is not a feature axis"):
            value(spec, *args)


def test_tversky_states_what_releases_before_the_swap_compute() -> None:
    """The convention's numbers for the worked example: current Keras, and releases before keras-team/keras#23333."""
    entry = lookup("keras.tversky")
    pred, target = np.array(entry.example.inputs["pred"]), np.array(entry.example.inputs["target"])
    a, b = entry.example.params["alpha"], entry.example.params["beta"]
    tp, fp, fn = (pred * target).sum(), (pred * (1 - target)).sum(), ((1 - pred) * target).sum()
    current, before = 1 - tp / (tp + a * fp + b * fn + EPS), 1 - tp / (tp + b * fp + a * fn + EPS)
    assert value("keras.tversky:alpha=0.7,beta=0.3", pred, target) == pytest.approx(current, rel=1e-12)
    assert f"{before:.6f}" in entry.convention and f"{current:.6f}" in entry.convention
