"""The sklearn.* entries against scikit-learn itself, hand-derived values and sklearn's docstring examples.

scikit-learn is a test-only dependency: each entry is compared with the real ``sklearn.metrics``
function on random valid data, with and without ``sample_weight``, for (N,) and, where the
entry allows it, (N, K) inputs.
"""

from __future__ import annotations

import math
import warnings
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from conftest import per_sample, run, value
from losscli.errors import LossCliError
from losscli.registry import Reducer, entries, lookup

sklearn = pytest.importorskip("sklearn")
metrics = pytest.importorskip("sklearn.metrics")
SKLEARN_VERSION = tuple(int(part) for part in sklearn.__version__.split(".")[:2])
EPS64 = float(np.finfo(np.float64).eps)
EPS32 = float(np.finfo(np.float32).eps)
LN2 = math.log(2)
N = 200


# --- random valid data per entry: (y_pred, y_true, sklearn kwargs) ------------------------

def _regression(rng: np.random.Generator, k: int | None) -> tuple[np.ndarray, np.ndarray]:
    shape = (N,) if k is None else (N, k)
    return rng.normal(1.0, 2.0, shape), rng.normal(1.0, 2.0, shape)


def _non_negative(rng: np.random.Generator, k: int | None) -> tuple[np.ndarray, np.ndarray]:
    shape = (N,) if k is None else (N, k)
    pred, true = rng.exponential(2.0, shape), rng.poisson(2.0, shape).astype(float)  # zeros included
    return pred, true


def _binary_probs(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    p = rng.uniform(0, 1, N)
    p[:4] = [0.0, 1.0, 0.0, 1.0]  # saturated: clipped by log_loss
    t = rng.integers(0, 2, N)
    t[:4] = [1, 0, 0, 1]
    return p, t


def _class_probs(rng: np.random.Generator, k: int, normalised: bool = True) -> tuple[np.ndarray, np.ndarray]:
    p = rng.dirichlet(np.ones(k), size=N) if normalised else rng.uniform(0, 1, (N, k))
    t = np.arange(N) % k  # every class present
    rng.shuffle(t)
    return p, t


Case = tuple[str, Callable[..., float], Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]], dict[str, Any]]


def _cases() -> list[Case]:
    cases: list[Case] = []
    for k in (None, 3):
        shape = "N" if k is None else f"N{k}"
        for name in ("mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error"):
            cases.append((f"sklearn.{name}", getattr(metrics, name), lambda r, k=k: _regression(r, k), {"id": f"{name}-{shape}"}))
        for alpha in (0.1, 0.5, 0.9):
            cases.append((f"sklearn.mean_pinball_loss:alpha={alpha}", metrics.mean_pinball_loss,
                          lambda r, k=k: _regression(r, k), {"alpha": alpha, "id": f"pinball-{alpha}-{shape}"}))
        cases.append(("sklearn.mean_squared_log_error", metrics.mean_squared_log_error,
                      lambda r, k=k: _non_negative(r, k), {"id": f"msle-{shape}"}))
        cases.append(("sklearn.zero_one_loss", metrics.zero_one_loss,
                      lambda r, k=k: _labels(r, k), {"id": f"zero_one-{shape}"}))
        cases.append(("sklearn.hamming_loss", metrics.hamming_loss,
                      lambda r, k=k: _labels(r, k), {"id": f"hamming-{shape}"}))
    for k in (None, 1):  # one output only
        shape = "N" if k is None else "N1"
        cases.append(("sklearn.root_mean_squared_error", metrics.root_mean_squared_error,
                      lambda r, k=k: _regression(r, k), {"id": f"rmse-{shape}"}))
        cases.append(("sklearn.root_mean_squared_log_error", metrics.root_mean_squared_log_error,
                      lambda r, k=k: _non_negative(r, k), {"id": f"rmsle-{shape}"}))
        cases.append(("sklearn.median_absolute_error", metrics.median_absolute_error,
                      lambda r, k=k: _regression(r, k), {"id": f"median-{shape}"}))
    cases.append(("sklearn.max_error", metrics.max_error, lambda r: _regression(r, None), {"id": "max_error", "weights": False}))
    cases.append(("sklearn.mean_absolute_percentage_error", metrics.mean_absolute_percentage_error, _zeros_in_true, {"id": "mape-zero-targets"}))
    for power, make in ((-1.0, _tweedie_negative_power), (0.0, lambda r: _regression(r, None)),
                        (1.0, lambda r: _non_negative(r, None)), (1.5, lambda r: _non_negative(r, None)),
                        (2.0, _positive), (3.0, _positive)):
        cases.append((f"sklearn.mean_tweedie_deviance:power={power}", metrics.mean_tweedie_deviance, make,
                      {"power": power, "id": f"tweedie-{power}"}))
    cases.append(("sklearn.mean_poisson_deviance", metrics.mean_poisson_deviance, lambda r: _non_negative(r, None),
                  {"id": "poisson"}))
    cases.append(("sklearn.mean_gamma_deviance", metrics.mean_gamma_deviance, _positive, {"id": "gamma"}))
    # classification
    cases.append(("sklearn.log_loss", metrics.log_loss, _binary_probs, {"id": "log_loss-binary"}))
    cases.append(("sklearn.log_loss", metrics.log_loss, lambda r: _class_probs(r, 2), {"id": "log_loss-N2"}))
    cases.append(("sklearn.log_loss", metrics.log_loss, lambda r: _class_probs(r, 4),
                  {"labels": [0, 1, 2, 3], "id": "log_loss-N4"}))
    cases.append(("sklearn.log_loss", metrics.log_loss, lambda r: _class_probs(r, 4, normalised=False),
                  {"labels": [0, 1, 2, 3], "id": "log_loss-N4-unnormalised"}))
    cases.append(("sklearn.log_loss", metrics.log_loss, _one_hot_targets, {"id": "log_loss-one-hot"}))
    cases.append(("sklearn.hinge_loss", metrics.hinge_loss, lambda r: _decisions(r, [-1, 1]), {"id": "hinge-signed"}))
    cases.append(("sklearn.hinge_loss", metrics.hinge_loss, lambda r: _decisions(r, [0, 1]), {"id": "hinge-01"}))
    cases.append(("sklearn.hinge_loss", metrics.hinge_loss, _multiclass_decisions,
                  {"labels": [0, 1, 2, 3], "id": "hinge-multiclass"}))
    cases.append(("sklearn.brier_score_loss", metrics.brier_score_loss, _binary_probs, {"id": "brier-binary"}))
    if SKLEARN_VERSION >= (1, 7):  # multiclass Brier score arrived in scikit-learn 1.7
        cases.append(("sklearn.brier_score_loss", metrics.brier_score_loss, lambda r: _class_probs(r, 2), {"id": "brier-N2"}))
        cases.append(("sklearn.brier_score_loss", metrics.brier_score_loss, lambda r: _class_probs(r, 3),
                      {"labels": [0, 1, 2], "id": "brier-N3"}))
        cases.append(("sklearn.brier_score_loss", metrics.brier_score_loss, _one_hot_targets, {"id": "brier-one-hot"}))
    return cases


def _labels(rng: np.random.Generator, k: int | None) -> tuple[np.ndarray, np.ndarray]:
    if k is None:  # multiclass labels, a third of them wrong
        true = rng.integers(0, 4, N)
        pred = np.where(rng.uniform(size=N) < 0.3, rng.integers(0, 4, N), true)
        return pred.astype(float), true.astype(float)
    true = rng.integers(0, 2, (N, k))  # multilabel indicators, some labels flipped
    pred = np.where(rng.uniform(size=(N, k)) < 0.2, 1 - true, true)
    return pred.astype(float), true.astype(float)


def _zeros_in_true(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    pred, true = _regression(rng, None)
    true[::17] = 0.0
    return pred, true


def _positive(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(0.1, 4.0, N), rng.gamma(2.0, 1.0, N)


def _tweedie_negative_power(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    return rng.uniform(0.1, 4.0, N), rng.normal(0.5, 2.0, N)  # y may be negative when power < 0


def _one_hot_targets(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    p, t = _class_probs(rng, 3)
    return p, np.eye(3)[t]


def _decisions(rng: np.random.Generator, labels: list[int]) -> tuple[np.ndarray, np.ndarray]:
    t = rng.choice(labels, N)
    return rng.normal(0, 1.5, N), t.astype(float)


def _multiclass_decisions(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    s, t = rng.normal(0, 1.5, (N, 4)), np.arange(N) % 4
    return s, t


CASES = _cases()


COMPARISONS = [pytest.param(case, weighted, id=f"{case[3]['id']}-{'weighted' if weighted else 'unweighted'}")
               for case in CASES for weighted in (False, True) if not weighted or case[3].get("weights", True)]


@pytest.mark.parametrize(("case", "weighted"), COMPARISONS)
def test_matches_scikit_learn_on_random_data(case: Case, weighted: bool) -> None:
    spec, reference, make, options = case
    options = {k: v for k, v in options.items() if k not in ("id", "weights")}
    rng = np.random.default_rng(zlib.crc32(case[3]["id"].encode()))
    pred, true = make(rng)
    weight = rng.uniform(0, 3, N) if weighted else None
    if weight is not None:
        weight[::11] = 0.0
    kwargs: dict[str, Any] = dict(options)
    if weight is not None:
        kwargs["sample_weight"] = weight
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # log_loss warns when rows do not sum to 1
        expected = reference(true, pred, **kwargs)
    assert value(spec, pred, true, weight) == pytest.approx(expected, rel=1e-11, abs=1e-14)


def test_every_sklearn_entry_is_compared_with_scikit_learn() -> None:
    names = {lookup(c[0].split(":")[0]).name for c in CASES}
    assert names == {e.name for e in entries() if e.follows == "sklearn"}


def test_float32_log_loss_clips_at_float32_eps_like_scikit_learn() -> None:
    p = np.array([0.0, 0.3, 1.0], dtype=np.float32)
    t = np.array([1, 0, 1])
    assert value("sklearn.log_loss", p, t) == pytest.approx(metrics.log_loss(t, p), rel=1e-6)
    # p = 0 for a positive: −log(eps32) = −log(2^−23) = 23·ln 2 ≈ 15.94
    assert per_sample("sklearn.log_loss", p, t)[0] == pytest.approx(23 * LN2, rel=1e-6)


# --- hand-derived values and scikit-learn's docstring examples -----------------------------

def test_log_loss_docstring_example() -> None:
    # sklearn.metrics.log_loss docstring: log_loss(["spam", "ham", "ham", "spam"],
    # [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) -> 0.21616; classes sort as ham = 0, spam = 1.
    proba = [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]
    by_hand = -(math.log(0.9) + math.log(0.9) + math.log(0.8) + math.log(0.65)) / 4
    assert by_hand == pytest.approx(0.21616, abs=5e-6)
    assert value("sklearn.log_loss", proba, [1, 0, 0, 1]) == pytest.approx(by_hand, rel=1e-12)
    # the same as (N,) probabilities of class 1
    assert value("sklearn.log_loss", [0.9, 0.1, 0.2, 0.65], [1, 0, 0, 1]) == pytest.approx(by_hand, rel=1e-12)


def test_log_loss_saturated_probabilities_cost_minus_log_eps() -> None:
    # p = 0 for a positive is clipped to eps = 2^−52: −log(eps) = 52·ln 2 ≈ 36.04; the same for p = 1 and a negative
    np.testing.assert_allclose(per_sample("sklearn.log_loss", [0.0, 1.0], [1, 0]), [52 * LN2, 52 * LN2], rtol=1e-12)
    assert 52 * LN2 == pytest.approx(36.04365, abs=1e-5)
    # a perfect prediction costs −log(1 − eps) ≈ eps, not exactly 0
    assert per_sample("sklearn.log_loss:labels=[0,1]", [[1.0, 0.0]], [0])[0] == pytest.approx(EPS64, rel=1e-3)


def test_log_loss_does_not_renormalise_rows() -> None:
    # a row summing to 0.5: only the true class's probability counts, as given
    np.testing.assert_allclose(per_sample("sklearn.log_loss:labels=[0,1,2]", [[0.2, 0.2, 0.1]], [0]), [-math.log(0.2)])


def test_log_loss_refuses_soft_binary_targets() -> None:
    with pytest.raises(LossCliError, match="not a class label"):
        value("sklearn.log_loss", [0.3, 0.6], [0.5, 1.0])
    with pytest.raises(LossCliError, match="0/1 indicator rows"):
        value("sklearn.log_loss", [[0.3, 0.7]], [[0.5, 0.5]])


def test_hinge_loss_binary_docstring_example() -> None:
    # sklearn.metrics.hinge_loss docstring: decisions [-2.18, 2.36, 0.09], y_true [-1, 1, 1] -> 0.30
    # by hand: max(0, 1 − 2.18) = 0, max(0, 1 − 2.36) = 0, max(0, 1 − 0.09) = 0.91; mean 0.3033
    got = value("sklearn.hinge_loss", [-2.18, 2.36, 0.09], [-1, 1, 1])
    assert got == pytest.approx(0.91 / 3)
    assert round(got, 2) == 0.30
    assert value("sklearn.hinge_loss", [-2.18, 2.36, 0.09], [0, 1, 1]) == pytest.approx(0.91 / 3)


def test_hinge_loss_multiclass_crammer_singer_by_hand() -> None:
    scores = [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0], [1.0, 1.0, 1.0]]
    # margins: 2 − 0.5 = 1.5 → 0;  0.2 − 3 = −2.8 → 3.8;  1 − 1 = 0 → 1
    np.testing.assert_allclose(per_sample("sklearn.hinge_loss", scores, [0, 1, 2]), [0.0, 3.8, 1.0])
    # labels need not start at 0: 5, 7, 9 take columns 0, 1, 2
    np.testing.assert_allclose(per_sample("sklearn.hinge_loss", scores, [5, 7, 9]), [0.0, 3.8, 1.0])


def test_hinge_loss_one_label_only_scores_every_sample_negative_as_scikit_learn() -> None:
    # scikit-learn binarises a single label to −1: (1.5 + 3 + 4) / 3
    assert metrics.hinge_loss([1, 1, 1], [0.5, 2.0, 3.0]) == pytest.approx(8.5 / 3)
    assert value("sklearn.hinge_loss", [0.5, 2.0, 3.0], [1, 1, 1]) == metrics.hinge_loss([1, 1, 1], [0.5, 2.0, 3.0])


def test_hinge_loss_binary_takes_the_larger_label_as_positive() -> None:
    s = [0.5, -1.0, 2.0]
    for labels in ([0, -1, 0], [2, 1, 2], ["b", "a", "b"], [-1, 0, -1]):
        assert value("sklearn.hinge_loss", s, labels) == metrics.hinge_loss(labels, s)


def test_hinge_loss_label_errors() -> None:
    with pytest.raises(LossCliError, match=r"pred_decision must be \(N, 3\)"):
        value("sklearn.hinge_loss", [0.5, 1.0, 2.0], [0, -1, 1])
    with pytest.raises(LossCliError, match="list every class in labels="):
        value("sklearn.hinge_loss", [[0.5, 1.0, 0.0], [0.1, 0.2, 0.3]], [0, 1])
    with pytest.raises(LossCliError, match="when y_true lacks some classes"):
        value("sklearn.hinge_loss", [[0.5, 1.0, 0.0, 1.0]] * 3, [0, 1, 2])
    with pytest.raises(LossCliError, match=r"holds the label 3, not among labels=\[0, 1, 2\]"):
        value("sklearn.hinge_loss:labels=[0,1,2]", [[0.5, 1.0, 0.0]], [3])
    with pytest.raises(LossCliError, match="take \\(N,\\) decision values"):
        value("sklearn.hinge_loss", [[0.5, 1.0], [0.1, 0.2]], [0, 1])


def test_brier_score_loss_docstring_examples() -> None:
    # sklearn.metrics.brier_score_loss docstring: y_true [0, 1, 1, 0], y_proba [0.1, 0.9, 0.8, 0.3] -> 0.0375
    # by hand: (0.01 + 0.01 + 0.04 + 0.09) / 4 = 0.0375
    assert value("sklearn.brier_score_loss", [0.1, 0.9, 0.8, 0.3], [0, 1, 1, 0]) == pytest.approx(0.0375)
    # multiclass: ["eggs", "ham", "spam"], [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]] -> 0.146...
    # by hand (not halved for 3 classes): (0.04+0.01+0.01) + (0.04+0.09+0.01) + (0.04+0.04+0.16) = 0.44; / 3
    proba = [[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.2, 0.2, 0.6]]
    assert value("sklearn.brier_score_loss", proba, [0, 1, 2]) == pytest.approx(0.44 / 3)
    assert value("sklearn.brier_score_loss", proba, np.eye(3)) == pytest.approx(0.44 / 3)


def test_brier_score_loss_halves_two_columns_only() -> None:
    # two columns: ((1 − 0.6)² + 0.4²) / 2 = 0.16 and (0.3² + 0.3²) / 2 = 0.09, mean 0.125
    np.testing.assert_allclose(per_sample("sklearn.brier_score_loss", [[0.6, 0.4], [0.3, 0.7]], [0, 1]), [0.16, 0.09])
    # three columns are not halved: 0.4² + 0.4² + 0 = 0.32
    np.testing.assert_allclose(per_sample("sklearn.brier_score_loss:labels=[0,1,2]", [[0.6, 0.4, 0.0]], [0]), [0.32])


def test_zero_one_and_hamming_docstring_examples() -> None:
    # sklearn.metrics.zero_one_loss / hamming_loss docstrings: y_pred [1, 2, 3, 4], y_true [2, 2, 3, 4] -> 0.25
    assert value("sklearn.zero_one_loss", [1, 2, 3, 4], [2, 2, 3, 4]) == pytest.approx(0.25)
    assert value("sklearn.hamming_loss", [1, 2, 3, 4], [2, 2, 3, 4]) == pytest.approx(0.25)
    # multilabel: zero_one_loss([[0, 1], [1, 1]], ones) -> 0.5 (a row is wrong unless all of it matches)
    np.testing.assert_allclose(per_sample("sklearn.zero_one_loss", np.ones((2, 2)), [[0, 1], [1, 1]]), [1.0, 0.0])
    # hamming_loss([[0, 1], [1, 1]], zeros) -> 0.75: 3 of the 4 labels differ
    np.testing.assert_allclose(per_sample("sklearn.hamming_loss", np.zeros((2, 2)), [[0, 1], [1, 1]]), [0.5, 1.0])
    assert value("sklearn.hamming_loss", np.zeros((2, 2)), [[0, 1], [1, 1]]) == pytest.approx(0.75)
    # weighted: the misclassified sample carries weight 3 of 6
    assert value("sklearn.zero_one_loss", [1, 2, 3, 4], [2, 2, 3, 4], weight=[3, 1, 1, 1]) == pytest.approx(0.5)


def test_regression_docstring_examples() -> None:
    # sklearn.metrics docstrings for y_true [3, -0.5, 2, 7], y_pred [2.5, 0.0, 2, 8]; errors 0.5, 0.5, 0, 1
    pred, true = [2.5, 0.0, 2.0, 8.0], [3.0, -0.5, 2.0, 7.0]
    assert value("sklearn.mean_squared_error", pred, true) == pytest.approx((0.25 + 0.25 + 0 + 1) / 4)  # 0.375
    assert value("sklearn.mean_absolute_error", pred, true) == pytest.approx(0.5)
    assert value("sklearn.root_mean_squared_error", pred, true) == pytest.approx(math.sqrt(0.375))  # 0.612...
    assert value("sklearn.median_absolute_error", pred, true) == pytest.approx(0.5)  # median of 0, 0.5, 0.5, 1
    # MAPE 0.3273...: (0.5/3 + 0.5/0.5 + 0 + 1/7) / 4, a fraction, not ×100
    assert value("sklearn.mean_absolute_percentage_error", pred, true) == pytest.approx((0.5 / 3 + 1 + 1 / 7) / 4)
    # multi-output docstring example: y_true [[0.5, 1], [-1, 1], [7, -6]], y_pred [[0, 2], [-1, 2], [8, -5]]
    pred2, true2 = [[0, 2], [-1, 2], [8, -5]], [[0.5, 1], [-1, 1], [7, -6]]
    assert value("sklearn.mean_absolute_error", pred2, true2) == pytest.approx(0.75)  # (0.5 + 1) / 2
    assert value("sklearn.mean_squared_error", pred2, true2) == pytest.approx((1.25 / 3 + 1) / 2)  # 0.708...
    assert value("sklearn.mean_absolute_percentage_error", pred2, true2) == pytest.approx(
        ((1 + 0 + 1 / 7) / 3 + (1 + 1 + 1 / 6) / 3) / 2)  # 0.5515...
    # max_error docstring: y_true [3, 2, 7, 1], y_pred [4, 2, 7, 1] -> 1.0
    assert value("sklearn.max_error", [4, 2, 7, 1], [3, 2, 7, 1]) == 1.0


def test_log_error_docstring_examples() -> None:
    # sklearn.metrics.mean_squared_log_error docstring: y_true [3, 5, 2.5, 7], y_pred [2.5, 5, 4, 8] -> 0.039...
    pred, true = [2.5, 5.0, 4.0, 8.0], [3.0, 5.0, 2.5, 7.0]
    sq = [(math.log(3.5) - math.log(4)) ** 2, 0.0, (math.log(5) - math.log(3.5)) ** 2, (math.log(9) - math.log(8)) ** 2]
    assert value("sklearn.mean_squared_log_error", pred, true) == pytest.approx(sum(sq) / 4)
    assert sum(sq) / 4 == pytest.approx(0.0397, abs=1e-4)
    # root_mean_squared_log_error docstring -> 0.199...
    assert value("sklearn.root_mean_squared_log_error", pred, true) == pytest.approx(math.sqrt(sum(sq) / 4))
    assert math.sqrt(sum(sq) / 4) == pytest.approx(0.1993, abs=1e-4)
    # multi-output: [[0.5, 1], [1, 2], [7, 6]] vs [[0.5, 2], [1, 2.5], [8, 8]] -> 0.044...
    got = value("sklearn.mean_squared_log_error", [[0.5, 2], [1, 2.5], [8, 8]], [[0.5, 1], [1, 2], [7, 6]])
    first = (math.log(9) - math.log(8)) ** 2 / 3
    second = ((math.log(3) - LN2) ** 2 + (math.log(3.5) - math.log(3)) ** 2 + (math.log(9) - math.log(7)) ** 2) / 3
    assert got == pytest.approx((first + second) / 2)
    assert got == pytest.approx(0.044, abs=1e-3)


def test_mape_with_a_zero_target_divides_by_float64_eps() -> None:
    # sklearn.metrics.mean_absolute_percentage_error docstring: y_true [1, 0, 2.4, 7], y_pred [1.2, 0.1, 2.4, 8]
    # -> 112589990684262.48: (0.2 + 0.1 / eps + 0 + 1/7) / 4
    got = value("sklearn.mean_absolute_percentage_error", [1.2, 0.1, 2.4, 8.0], [1.0, 0.0, 2.4, 7.0])
    assert got == pytest.approx((0.2 + 0.1 / EPS64 + 1 / 7) / 4, rel=1e-12)
    assert got == pytest.approx(112589990684262.48, rel=1e-12)


def test_pinball_docstring_examples() -> None:
    # sklearn.metrics.mean_pinball_loss docstring, y_true [1, 2, 3]:
    # y_pred [0, 2, 3], alpha 0.1 -> 0.03...: under-prediction by 1 costs 0.1; / 3
    assert value("sklearn.mean_pinball_loss:alpha=0.1", [0, 2, 3], [1, 2, 3]) == pytest.approx(0.1 / 3)
    # y_pred [1, 2, 4], alpha 0.1 -> 0.3...: over-prediction by 1 costs 0.9; / 3
    assert value("sklearn.mean_pinball_loss:alpha=0.1", [1, 2, 4], [1, 2, 3]) == pytest.approx(0.9 / 3)
    assert value("sklearn.mean_pinball_loss:alpha=0.9", [0, 2, 3], [1, 2, 3]) == pytest.approx(0.9 / 3)
    assert value("sklearn.mean_pinball_loss:alpha=0.9", [1, 2, 4], [1, 2, 3]) == pytest.approx(0.1 / 3)
    assert value("sklearn.mean_pinball_loss:alpha=0.1", [1, 2, 3], [1, 2, 3]) == 0.0
    # default alpha = 0.5: half the absolute error
    assert value("sklearn.mean_pinball_loss", [0, 2, 5], [1, 2, 3]) == pytest.approx((0.5 + 0 + 1) / 3)


def test_deviance_docstring_examples() -> None:
    # mean_tweedie_deviance(power=1) and mean_poisson_deviance docstrings:
    # y_true [2, 0, 1, 4], y_pred [0.5, 0.5, 2, 2] -> 1.4260...
    pred, true = [0.5, 0.5, 2.0, 2.0], [2.0, 0.0, 1.0, 4.0]
    poisson = [2 * (2 * math.log(4) - 2 + 0.5), 2 * 0.5, 2 * (math.log(0.5) - 1 + 2), 2 * (4 * LN2 - 4 + 2)]
    assert sum(poisson) / 4 == pytest.approx(1.4260, abs=1e-4)
    assert value("sklearn.mean_poisson_deviance", pred, true) == pytest.approx(sum(poisson) / 4)
    assert value("sklearn.mean_tweedie_deviance:power=1", pred, true) == pytest.approx(sum(poisson) / 4)
    # mean_gamma_deviance docstring: y_true [2, 0.5, 1, 4], y_pred [0.5, 0.5, 2, 2] -> 1.0568...
    gamma = [2 * (math.log(0.25) + 4 - 1), 0.0, 2 * (LN2 + 0.5 - 1), 2 * (math.log(0.5) + 2 - 1)]
    assert sum(gamma) / 4 == pytest.approx(1.0568, abs=1e-4)
    assert value("sklearn.mean_gamma_deviance", pred, [2.0, 0.5, 1.0, 4.0]) == pytest.approx(sum(gamma) / 4)
    assert value("sklearn.mean_tweedie_deviance:power=2", pred, [2.0, 0.5, 1.0, 4.0]) == pytest.approx(sum(gamma) / 4)


def test_tweedie_other_powers_by_hand() -> None:
    # power 0 is the squared error
    assert value("sklearn.mean_tweedie_deviance", [1.0, 3.0], [2.0, 0.0]) == pytest.approx((1 + 9) / 2)
    # power 3 (inverse Gaussian): (y − μ)² / (y·μ²); y = 1, μ = 2 -> 0.25
    assert value("sklearn.mean_tweedie_deviance:power=3", [2.0], [1.0]) == pytest.approx(0.25)
    # power −1, y = −1, μ = 1: 2·(0 − y·μ²/2 + μ³/3) = 2·(1/2 + 1/3) = 5/3
    assert value("sklearn.mean_tweedie_deviance:power=-1", [1.0], [-1.0]) == pytest.approx(5 / 3)
    # power 1.5, y = 0, μ = 4: 2·μ^0.5 / 0.5 = 8
    assert value("sklearn.mean_tweedie_deviance:power=1.5", [4.0], [0.0]) == pytest.approx(8.0)


@pytest.mark.parametrize(("power", "pred", "true", "needs"), [
    (-1, [0.0], [1.0], "strictly positive y_pred"),
    (1, [1.0], [-1.0], "non-negative y_true"),
    (1.5, [0.0], [1.0], "strictly positive y_pred"),
    (2, [1.0], [0.0], "strictly positive y_true and y_pred"),
    (3, [-1.0], [1.0], "strictly positive y_true and y_pred"),
])
def test_tweedie_domain_errors(power: float, pred: list, true: list, needs: str) -> None:
    with pytest.raises(LossCliError, match=needs):
        value(f"sklearn.mean_tweedie_deviance:power={power}", pred, true)
    with pytest.raises(ValueError, match="can only be used on"):  # scikit-learn refuses the same data
        metrics.mean_tweedie_deviance(true, pred, power=power)


def test_tweedie_refuses_powers_between_0_and_1() -> None:
    with pytest.raises(LossCliError, match=r"power must be <= 0 or >= 1"):
        value("sklearn.mean_tweedie_deviance:power=0.5", [1.0], [1.0])


def test_poisson_and_gamma_deviance_check_their_domains() -> None:
    with pytest.raises(LossCliError, match="must be positive"):
        value("sklearn.mean_poisson_deviance", [0.0], [1.0])
    with pytest.raises(LossCliError, match="must be non-negative"):
        value("sklearn.mean_poisson_deviance", [1.0], [-1.0])
    with pytest.raises(LossCliError, match="must be positive"):
        value("sklearn.mean_gamma_deviance", [1.0], [0.0])


@pytest.mark.parametrize("name", ["mean_squared_log_error", "root_mean_squared_log_error"])
def test_log_errors_take_values_above_minus_one_as_scikit_learn_1_9(name: str) -> None:
    pred, true = [-0.5, 1.0, -0.99], [1.0, -0.25, 0.0]
    assert value(f"sklearn.{name}", pred, true) == pytest.approx(getattr(metrics, name)(true, pred), rel=1e-12)
    with pytest.raises(LossCliError, match="must be greater than -1"):
        value(f"sklearn.{name}", [-1.0, 1.0], [1.0, 1.0])
    with pytest.raises(LossCliError, match="must be greater than -1"):
        value(f"sklearn.{name}", [1.0, 1.0], [1.0, -2.0])


@pytest.mark.parametrize(("name", "per_output"), [
    ("root_mean_squared_error", "root mean square"),
    ("root_mean_squared_log_error", "root mean square of the log errors"),
    ("median_absolute_error", "median"),
])
def test_root_and_median_losses_refuse_several_outputs(name: str, per_output: str) -> None:
    pred, true = [[0.0, 2.0], [1.0, 2.0], [8.0, 5.0]], [[0.5, 1.0], [1.0, 1.0], [7.0, 6.0]]
    with pytest.raises(LossCliError, match=f"single output.*takes the {per_output} of each output"):
        value(f"sklearn.{name}", pred, true)
    # one output as (N, 1) is fine, and equals scikit-learn's value
    col_pred, col_true = np.asarray(pred)[:, :1], np.asarray(true)[:, :1]
    assert value(f"sklearn.{name}", col_pred, col_true) == pytest.approx(getattr(metrics, name)(col_true, col_pred))


def test_why_several_outputs_are_refused() -> None:
    # root_mean_squared_error docstring, multi-output: 0.822... is the mean of the per-output roots,
    # sqrt(0.41667) and sqrt(1), not the root of the mean squared error, sqrt(0.70833) = 0.8416
    pred, true = [[0, 2], [-1, 2], [8, -5]], [[0.5, 1], [-1, 1], [7, -6]]
    assert metrics.root_mean_squared_error(true, pred) == pytest.approx((math.sqrt(1.25 / 3) + 1) / 2)
    assert math.sqrt(value("sklearn.mean_squared_error", pred, true)) == pytest.approx(math.sqrt((1.25 / 3 + 1) / 2))


def test_max_error_and_tweedie_take_one_output() -> None:
    for name in ("max_error", "mean_tweedie_deviance", "mean_poisson_deviance", "mean_gamma_deviance"):
        with pytest.raises(LossCliError, match="one value per sample"):
            value(f"sklearn.{name}", [[1.0, 2.0]], [[1.0, 2.0]])


def test_max_error_takes_no_sample_weights() -> None:
    entry = lookup("sklearn.max_error")
    assert not entry.sample_weights and entry.reducer is Reducer.MAX
    with pytest.raises(LossCliError, match="takes no sample weights"):
        value("sklearn.max_error", [1.0, 2.0], [1.0, 1.0], weight=[1.0, 2.0])


def test_median_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    # absolute errors 0, 1, 3, 10: median (1 + 3) / 2 = 2
    assert value("sklearn.median_absolute_error", [0.0, 1.0, 3.0, 10.0], [0.0, 0.0, 0.0, 0.0]) == 2.0


def test_rmse_weighted_is_root_of_weighted_mean_square() -> None:
    # errors 1 and 5 with weights 3 and 1: sqrt((3·1 + 1·25) / 4) = sqrt(7)
    assert value("sklearn.root_mean_squared_error", [1.0, 5.0], [0.0, 0.0], weight=[3.0, 1.0]) == pytest.approx(math.sqrt(7))


def test_weighted_regression_mean_over_outputs() -> None:
    # (N, 2) squared errors [1, 9] and [0, 4] with weights 1 and 3: (1·5 + 3·2) / 4 = 2.75
    got = run("sklearn.mean_squared_error", [[1.0, 3.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 2.0]], weight=[1.0, 3.0])
    np.testing.assert_allclose(got.results[0].per_sample, [5.0, 2.0])
    assert got.results[0].value == pytest.approx(2.75)


@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
                                  "mean_squared_log_error", "mean_pinball_loss"])
@pytest.mark.parametrize("weighted", [False, True])
def test_multioutput_weights_average_the_outputs_as_scikit_learn(name: str, weighted: bool) -> None:
    rng = np.random.default_rng(5)
    pred, true = rng.exponential(2.0, (N, 3)), rng.exponential(2.0, (N, 3))
    weight = rng.uniform(0, 3, N) if weighted else None
    outputs = [0.2, 0.0, 1.5]
    expected = getattr(metrics, name)(true, pred, multioutput=outputs, sample_weight=weight)
    assert value(f"sklearn.{name}:multioutput=[0.2,0,1.5]", pred, true, weight) == pytest.approx(expected, rel=1e-12)


def test_multioutput_needs_one_weight_per_output() -> None:
    with pytest.raises(LossCliError, match="multioutput has 2 weights but there are 3 outputs"):
        value("sklearn.mean_squared_error:multioutput=[1,2]", np.ones((2, 3)), np.zeros((2, 3)))
    with pytest.raises(LossCliError, match="sum to 0"):
        value("sklearn.mean_squared_error:multioutput=[0,0,0]", np.ones((2, 3)), np.zeros((2, 3)))
