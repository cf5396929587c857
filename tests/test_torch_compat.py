"""PyTorch-compatible losses against values derived by hand from PyTorch's documented formulas.

Inputs are bound by role name (PyTorch's argument names), so losses whose third role is
called ``target`` (cosine_embedding_loss, margin_ranking_loss) bind like any other.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from losscli.engine import LossResult, ResolvedLoss, evaluate
from losscli.errors import LossCliError
from losscli.inputs import InputArray, StaticInputs
from losscli.registry import lookup
from losscli.registry.params import resolve_params
from losscli.spec import parse_spec

E = math.e


def result(spec_text: str, reduction: str = "mean", strict: bool = False, **roles: Any) -> LossResult:
    """Evaluate one spec through the engine with every input given by its role name (``strict``: as --strict)."""
    spec = parse_spec(spec_text)
    entry = lookup(spec.name)
    inputs = StaticInputs({name: InputArray(name, np.asarray(data), "test") for name, data in roles.items()})
    return evaluate([ResolvedLoss(spec, entry, resolve_params(entry, spec))], inputs, reduction, keep_terms=True,
                    strict=strict).results[0]


def losses(spec_text: str, strict: bool = False, **roles: Any) -> np.ndarray:
    return result(spec_text, strict=strict, **roles).per_sample


def mean(spec_text: str, **roles: Any) -> float:
    return result(spec_text, **roles).value


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


# --- class names --------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "cls"), [
    ("poisson_nll_loss", "PoissonNLLLoss"), ("gaussian_nll_loss", "GaussianNLLLoss"),
    ("soft_margin_loss", "SoftMarginLoss"), ("multilabel_soft_margin_loss", "MultiLabelSoftMarginLoss"),
    ("multilabel_margin_loss", "MultiLabelMarginLoss"), ("multi_margin_loss", "MultiMarginLoss"),
    ("cosine_embedding_loss", "CosineEmbeddingLoss"), ("margin_ranking_loss", "MarginRankingLoss"),
    ("triplet_margin_loss", "TripletMarginLoss"),
])
def test_class_names_are_aliases_and_nothing_takes_sample_weights(name: str, cls: str) -> None:
    entry = lookup(f"torch.{name}")
    assert lookup(f"torch.{cls}") is entry
    assert entry.follows == "torch" and not entry.sample_weights


# --- poisson_nll_loss -----------------------------------------------------------------------

def test_poisson_nll_takes_log_rates_by_default() -> None:
    # e^x − t·x: x = 0, t = 1 → 1 − 0; x = 1, t = 2 → e − 2; x = −1, t = 0 → e^−1
    got = losses("torch.poisson_nll_loss", input=[0.0, 1.0, -1.0], target=[1.0, 2.0, 0.0])
    np.testing.assert_allclose(got, [1.0, E - 2, 1 / E], rtol=1e-14)
    assert mean("torch.PoissonNLLLoss", input=[0.0, 1.0, -1.0], target=[1.0, 2.0, 0.0]) == pytest.approx((1 + E - 2 + 1 / E) / 3)


def test_poisson_nll_rates_with_eps_inside_the_log() -> None:
    # λ − t·log(λ + 1e-8): λ = 2, t = 3 → 2 − 3·log(2 + 1e-8); λ = 0.5, t = 0 → 0.5
    got = losses("torch.poisson_nll_loss:log_input=false", input=[2.0, 0.5], target=[3.0, 0.0])
    np.testing.assert_allclose(got, [2 - 3 * math.log(2 + 1e-8), 0.5], rtol=1e-14)
    # a zero rate with a positive count: 0 − 2·log(1e-8) ≈ 36.84, finite thanks to eps
    zero = losses("torch.poisson_nll_loss:log_input=false", input=[0.0], target=[2.0])
    assert zero[0] == pytest.approx(-2 * math.log(1e-8))
    assert losses("torch.poisson_nll_loss:log_input=false,eps=0.5", input=[0.0], target=[2.0])[0] == pytest.approx(-2 * math.log(0.5))
    # a zero rate with a zero count costs nothing (0·log 0 = 0), even with eps = 0
    assert losses("torch.poisson_nll_loss:log_input=false,eps=0", input=[0.0], target=[0.0])[0] == 0.0


def test_poisson_nll_full_adds_stirling_only_above_one() -> None:
    counts = [0.0, 1.0, 2.0, 5.0, 0.5]
    base = losses("torch.poisson_nll_loss", input=[0.0] * 5, target=counts)  # e^0 − t·0 = 1 each
    np.testing.assert_allclose(base, 1.0)
    full = losses("torch.poisson_nll_loss:full=true", input=[0.0] * 5, target=counts)
    # t·log t − t + ½·log(2πt), only where t > 1
    stirling_2 = 2 * math.log(2) - 2 + 0.5 * math.log(4 * math.pi)
    stirling_5 = 5 * math.log(5) - 5 + 0.5 * math.log(10 * math.pi)
    np.testing.assert_allclose(full - 1, [0.0, 0.0, stirling_2, stirling_5, 0.0], atol=1e-15, rtol=1e-13)
    # an approximation: log 2! = 0.6931…, Stirling gives 0.6518…; log 5! = 4.7875…, Stirling 4.7708…
    assert stirling_2 == pytest.approx(0.651806, abs=1e-6) and stirling_5 == pytest.approx(4.770847, abs=1e-6)
    assert full[2] - 1 != pytest.approx(math.log(2), abs=1e-3)


def test_poisson_nll_means_every_element_and_checks_kinds() -> None:
    x, t = [[0.0, 1.0], [2.0, -1.0]], [[1.0, 1.0], [0.0, 3.0]]
    # elements: 1 − 0, e − 1, e² − 0, e^−1 + 3
    elements = [1.0, E - 1, E**2, 1 / E + 3]
    # reduction='none' gives the elements; per sample they add up, as reduction='sum' adds every element
    np.testing.assert_allclose(losses("torch.poisson_nll_loss", input=x, target=t),
                               [elements[0] + elements[1], elements[2] + elements[3]])
    assert mean("torch.poisson_nll_loss", input=x, target=t) == pytest.approx(sum(elements) / 4)
    assert result("torch.poisson_nll_loss", "sum", input=x, target=t).value == pytest.approx(sum(elements))
    with pytest.raises(LossCliError, match="must be non-negative"):  # PyTorch computes them: an error only with --strict
        losses("torch.poisson_nll_loss", strict=True, input=[0.0], target=[-1.0])
    with pytest.raises(LossCliError, match="must be non-negative"):
        losses("torch.poisson_nll_loss:log_input=false", input=[-0.5], target=[1.0])
    with pytest.raises(LossCliError, match="shape mismatch"):
        losses("torch.poisson_nll_loss", input=[[0.0, 1.0]], target=[[1.0, 1.0, 1.0]])


# --- gaussian_nll_loss ----------------------------------------------------------------------

def test_gaussian_nll_by_hand_and_full() -> None:
    mu, y, var = [1.0, 2.0, 0.0], [1.5, 2.0, -1.0], [0.5, 1.0, 2.0]
    # ½(log σ² + (μ − y)²/σ²)
    expected = [0.5 * (math.log(0.5) + 0.25 / 0.5), 0.5 * (0.0 + 0.0), 0.5 * (math.log(2) + 1 / 2)]
    np.testing.assert_allclose(losses("torch.gaussian_nll_loss", input=mu, target=y, var=var), expected, rtol=1e-14)
    full = losses("torch.GaussianNLLLoss:full=true", input=mu, target=y, var=var)
    np.testing.assert_allclose(full, np.array(expected) + 0.5 * math.log(2 * math.pi), rtol=1e-14)
    assert expected[0] < 0  # a log-likelihood: small variances make it negative


def test_gaussian_nll_clamps_the_variance_at_eps() -> None:
    # σ² = 0 is legal and becomes 1e-6: ½(log 1e-6 + 1/1e-6)
    got = losses("torch.gaussian_nll_loss", input=[0.0], target=[1.0], var=[0.0])
    assert got[0] == pytest.approx(0.5 * (math.log(1e-6) + 1e6))
    # a variance above eps is not moved: σ² = 1e-3
    assert losses("torch.gaussian_nll_loss", input=[0.0], target=[1.0], var=[1e-3])[0] == pytest.approx(0.5 * (math.log(1e-3) + 1e3))
    assert losses("torch.gaussian_nll_loss:eps=0.1", input=[0.0], target=[1.0], var=[1e-9])[0] == pytest.approx(0.5 * (math.log(0.1) + 10))
    with pytest.raises(LossCliError, match="must be non-negative"):
        losses("torch.gaussian_nll_loss", input=[0.0], target=[1.0], var=[-1.0])


def test_gaussian_nll_variance_per_sample_or_per_output() -> None:
    mu, y = [[0.0, 1.0], [2.0, 2.0]], [[1.0, 1.0], [0.0, 2.0]]
    # one variance per sample, shared by its two outputs: σ² = 2 then 4
    row0 = [0.5 * (math.log(2) + 1 / 2), 0.5 * math.log(2)]
    row1 = [0.5 * (math.log(4) + 4 / 4), 0.5 * math.log(4)]
    shared = losses("torch.gaussian_nll_loss", input=mu, target=y, var=[2.0, 4.0])
    np.testing.assert_allclose(shared, [sum(row0), sum(row1)], rtol=1e-14)  # each sample's elements added
    np.testing.assert_allclose(losses("torch.gaussian_nll_loss", input=mu, target=y, var=[[2.0], [4.0]]), shared)
    assert mean("torch.gaussian_nll_loss", input=mu, target=y, var=[2.0, 4.0]) == pytest.approx(sum(row0 + row1) / 4)
    # one variance per output: σ² = [[2, 1], [1, 4]]
    per_output = losses("torch.gaussian_nll_loss", input=mu, target=y, var=[[2.0, 1.0], [1.0, 4.0]])
    np.testing.assert_allclose(per_output, [row0[0] + 0, 0.5 * 4 + 0.5 * math.log(4)], rtol=1e-14)


@pytest.mark.parametrize(("mu", "var"), [
    ([[0.0, 1.0]], [[1.0, 1.0, 1.0]]),  # (1, 2) against (1, 3)
    ([0.0, 1.0], [[1.0, 1.0], [1.0, 1.0]]),  # (2,) against (2, 2)
])
def test_gaussian_nll_rejects_a_variance_of_another_shape(mu: Any, var: Any) -> None:
    with pytest.raises(LossCliError, match="var has shape"):
        losses("torch.gaussian_nll_loss", input=mu, target=mu, var=var)


# --- soft_margin_loss -----------------------------------------------------------------------

def test_soft_margin_by_hand_and_stable() -> None:
    x, y = [2.2, -1.4, 0.4, -8.0], [1, -1, -1, 1]
    # log(1 + e^(−y·x))
    expected = [softplus(-2.2), softplus(-1.4), softplus(0.4), softplus(8.0)]
    np.testing.assert_allclose(losses("torch.soft_margin_loss", input=x, target=y), expected, rtol=1e-14)
    assert mean("torch.SoftMarginLoss", input=x, target=y) == pytest.approx(sum(expected) / 4)
    # log(1 + e^1000) = 1000 (+ e^−1000), not inf; log(1 + e^−1000) = e^−1000 ≈ 0
    np.testing.assert_allclose(losses("torch.soft_margin_loss", input=[1000.0, 1000.0], target=[-1, 1]), [1000.0, 0.0])
    # BCE with logits for t = (y + 1)/2
    bce = result("bce_with_logits", pred=x, target=[1, 0, 0, 1]).per_sample
    np.testing.assert_allclose(losses("torch.soft_margin_loss", input=x, target=y), bce, rtol=1e-13)
    with pytest.raises(LossCliError, match="must be -1 or 1"):
        losses("torch.soft_margin_loss", strict=True, input=x, target=[1, 0, 0, 1])


def test_soft_margin_means_every_element_and_adds_them_per_sample() -> None:
    got = losses("torch.soft_margin_loss", input=[[0.0, 1.0]], target=[[1, -1]])
    assert got[0] == pytest.approx(math.log(2) + softplus(1.0))  # reduction='none' elements, added
    assert mean("torch.soft_margin_loss", input=[[0.0, 1.0]], target=[[1, -1]]) == pytest.approx(got[0] / 2)


# --- multilabel_soft_margin_loss ------------------------------------------------------------

def test_multilabel_soft_margin_by_hand_with_class_weights() -> None:
    x, t = [[2.0, -1.0, 0.5], [-0.5, 1.5, -2.0]], [[1, 0, 1], [0, 1, 1]]
    # t = 1: −log σ(x) = log(1 + e^−x);  t = 0: −log σ(−x) = log(1 + e^x)
    row0 = [softplus(-2.0), softplus(-1.0), softplus(-0.5)]
    row1 = [softplus(-0.5), softplus(-1.5), softplus(2.0)]
    np.testing.assert_allclose(losses("torch.multilabel_soft_margin_loss", input=x, target=t),
                               [sum(row0) / 3, sum(row1) / 3], rtol=1e-14)
    # weights multiply per class; the divisor stays C = 3
    weighted = losses("torch.MultiLabelSoftMarginLoss:weight=[1,2,0.5]", input=x, target=t)
    np.testing.assert_allclose(weighted, [(row0[0] + 2 * row0[1] + 0.5 * row0[2]) / 3,
                                          (row1[0] + 2 * row1[1] + 0.5 * row1[2]) / 3], rtol=1e-14)
    assert mean("torch.multilabel_soft_margin_loss", input=x, target=t) == pytest.approx((sum(row0) + sum(row1)) / 6)


def test_multilabel_soft_margin_extreme_logits_and_weight_length() -> None:
    got = losses("torch.multilabel_soft_margin_loss", input=[[1000.0, -1000.0]], target=[[0, 0]])
    assert got[0] == pytest.approx(1000 / 2)  # (1000 + e^−1000)/2
    with pytest.raises(LossCliError, match="weight has 2 values but the scores have 3 classes"):
        losses("torch.multilabel_soft_margin_loss:weight=[1,2]", input=[[0.0, 0.0, 0.0]], target=[[1, 0, 0]])


# --- multilabel_margin_loss -----------------------------------------------------------------

X4 = [[0.1, 0.2, 0.4, 0.8]]


def test_multilabel_margin_published_example() -> None:
    # torch.nn.MultiLabelMarginLoss docstring: x = [[0.1, 0.2, 0.4, 0.8]], y = [[3, 0, -1, 1]] → 0.85
    # 0.25·((1 − (0.1 − 0.2)) + (1 − (0.1 − 0.4)) + (1 − (0.8 − 0.2)) + (1 − (0.8 − 0.4)))
    by_hand = 0.25 * ((1 - (0.1 - 0.2)) + (1 - (0.1 - 0.4)) + (1 - (0.8 - 0.2)) + (1 - (0.8 - 0.4)))
    assert by_hand == pytest.approx(0.85)
    assert mean("torch.MultiLabelMarginLoss", input=X4, target=[[3, 0, -1, 1]]) == pytest.approx(0.85)


def test_multilabel_margin_counts_only_the_indices_before_the_first_padding() -> None:
    # class 1 after the -1 is ignored: the same as no class 1 at all
    assert mean("torch.multilabel_margin_loss", input=X4, target=[[3, 0, -1, -1]]) == pytest.approx(0.85)
    # only class 3 counts: ¼·((1 − 0.8 + 0.1) + (1 − 0.8 + 0.2) + (1 − 0.8 + 0.4)) = ¼·1.3
    assert mean("torch.multilabel_margin_loss", input=X4, target=[[3, -1, 0, 1]]) == pytest.approx(1.3 / 4)
    # a class listed twice counts twice: ½·1.3
    assert mean("torch.multilabel_margin_loss", input=X4, target=[[3, 3, -1, -1]]) == pytest.approx(2 * 1.3 / 4)
    # every class a target, or none: no pair to compare
    np.testing.assert_array_equal(
        losses("torch.multilabel_margin_loss", input=X4 * 2, target=[[3, 0, 1, 2], [-1, 3, 0, 1]]), [0.0, 0.0])


def test_multilabel_margin_saturates_and_averages_over_samples() -> None:
    # row 0: target 0 beats every other class by >= 1 → 0; row 1: target 2 (x = 0) against 0, 0, 0.5
    # (1 − 0 + 0) + (1 − 0 + 0) + (1 − 0 + 0.5) = 3.5, divided by C = 4
    x, t = [[3.0, 1.0, 2.0, -5.0], [0.0, 0.0, 0.0, 0.5]], [[0, -1, -1, -1], [2, -1, -1, -1]]
    np.testing.assert_allclose(losses("torch.multilabel_margin_loss", input=x, target=t), [0.0, 3.5 / 4])
    assert mean("torch.multilabel_margin_loss", input=x, target=t) == pytest.approx(3.5 / 8)


@pytest.mark.parametrize("bad", [[[4, -1, -1, -1]], [[3, -2, -1, -1]], [[1.5, -1, -1, -1]], [[3, -1, 7, -1]]])
def test_multilabel_margin_rejects_entries_that_are_neither_a_class_nor_padding(bad: list[list[float]]) -> None:
    with pytest.raises(LossCliError, match=r"class indices in \[0, 4\) padded with -1"):
        losses("torch.multilabel_margin_loss", input=X4, target=bad)


def test_multilabel_margin_needs_targets_shaped_like_input() -> None:
    with pytest.raises(LossCliError, match="shape mismatch"):
        losses("torch.multilabel_margin_loss", input=X4, target=[[3, 0, -1]])
    with pytest.raises(LossCliError, match=r"needs a \(N, K\) matrix"):
        losses("torch.multilabel_margin_loss", input=[0.1, 0.2], target=[0, 1])


# --- multi_margin_loss ----------------------------------------------------------------------

X3 = [[0.1, 0.9, 0.5]]


def test_multi_margin_by_hand_p_margin_and_weight() -> None:
    # y = 0: (1 − 0.1 + 0.9) + (1 − 0.1 + 0.5) = 1.8 + 1.4, over C = 3
    assert mean("torch.multi_margin_loss", input=X3, target=[0]) == pytest.approx((1.8 + 1.4) / 3)
    assert mean("torch.MultiMarginLoss:p=2", input=X3, target=[0]) == pytest.approx((1.8**2 + 1.4**2) / 3)
    assert mean("torch.multi_margin_loss:margin=0.5", input=X3, target=[0]) == pytest.approx((1.3 + 0.9) / 3)
    # the weight of the true class multiplies after the power: 3·(1.8² + 1.4²)/3, not ((3·1.8)² + (3·1.4)²)/3
    assert mean("torch.multi_margin_loss:p=2,weight=[3,1,1]", input=X3, target=[0]) == pytest.approx(3 * (1.8**2 + 1.4**2) / 3)
    # y = 2: (1 − 0.5 + 0.1) + (1 − 0.5 + 0.9) = 0.6 + 1.4
    assert mean("torch.multi_margin_loss", input=X3, target=[2]) == pytest.approx((0.6 + 1.4) / 3)


def test_multi_margin_is_zero_beyond_the_margin_and_mean_ignores_weights() -> None:
    # row 0: 5 beats 0 and 4 by >= 1 → 0; row 1 (y = 1): (1 − 0.2 + 0.1) + (1 − 0.2 + 0.3) = 2.0 over 3
    x, y = [[5.0, 0.0, 4.0], [0.1, 0.2, 0.3]], [0, 1]
    np.testing.assert_allclose(losses("torch.multi_margin_loss", input=x, target=y), [0.0, 2.0 / 3])
    # class weights rescale rows, and the mean still divides by N = 2 (not by the weights)
    x, y = [[0.1, 0.9, 0.5], [0.1, 0.2, 0.3]], [0, 1]
    assert mean("torch.multi_margin_loss:weight=[3,1,1]", input=x, target=y) == pytest.approx((3 * 3.2 / 3 + 2.0 / 3) / 2)


def test_multi_margin_checks_p_and_target_shape() -> None:
    with pytest.raises(LossCliError, match="p=3 is out of range"):
        mean("torch.multi_margin_loss:p=3", input=X3, target=[0])
    with pytest.raises(LossCliError, match=r"must be \(N,\) class indices"):
        mean("torch.multi_margin_loss", input=X3, target=[[1, 0, 0]])
    with pytest.raises(LossCliError, match=r"class indices in \[0, 3\)"):
        mean("torch.multi_margin_loss", input=X3, target=[3])


# --- cosine_embedding_loss ------------------------------------------------------------------

def test_cosine_embedding_by_hand_and_margin() -> None:
    x1, x2, y = [[1.0, 0.0], [1.0, 1.0]], [[1.0, 1.0], [1.0, 0.2]], [1, -1]
    cos0 = 1 / math.sqrt(2)  # (1·1 + 0·1) / (1·√2)
    cos1 = (1 + 0.2) / (math.sqrt(2) * math.sqrt(1.04))  # ≈ 0.8321
    np.testing.assert_allclose(losses("torch.cosine_embedding_loss", input1=x1, input2=x2, target=y), [1 - cos0, cos1])
    np.testing.assert_allclose(losses("torch.CosineEmbeddingLoss:margin=0.5", input1=x1, input2=x2, target=y),
                               [1 - cos0, cos1 - 0.5])
    np.testing.assert_allclose(losses("torch.cosine_embedding_loss:margin=0.9", input1=x1, input2=x2, target=y), [1 - cos0, 0.0])
    assert mean("torch.cosine_embedding_loss", input1=x1, input2=x2, target=y) == pytest.approx((1 - cos0 + cos1) / 2)


def test_cosine_embedding_adds_eps_to_the_squared_norms() -> None:
    # a zero embedding: 0 / sqrt((0 + 1e-12)·(2 + 1e-12)) = 0, so a similar pair costs 1 and a dissimilar one 0
    zero = losses("torch.cosine_embedding_loss", input1=[[0.0, 0.0]] * 2, input2=[[1.0, 1.0]] * 2, target=[1, -1])
    np.testing.assert_array_equal(zero, [1.0, 0.0])
    # identical vectors (3, 4): cos = 25 / (25 + 1e-12), so 1 − cos ≈ 1e-12/25 = 4e-14, not 0
    same = losses("torch.cosine_embedding_loss", input1=[[3.0, 4.0]], input2=[[3.0, 4.0]], target=[1])
    assert same[0] == pytest.approx(1e-12 / 25, rel=1e-2)


def test_cosine_embedding_shapes_and_labels() -> None:
    with pytest.raises(LossCliError, match="shape mismatch"):
        losses("torch.cosine_embedding_loss", input1=[[1.0, 0.0]], input2=[[1.0, 0.0, 0.0]], target=[1])
    with pytest.raises(LossCliError, match="needs one value per sample for target"):
        losses("torch.cosine_embedding_loss", input1=[[1.0, 0.0]], input2=[[1.0, 0.0]], target=[[1, 1]])
    with pytest.raises(LossCliError, match="must be -1 or 1"):
        losses("torch.cosine_embedding_loss", strict=True, input1=[[1.0, 0.0]], input2=[[1.0, 0.0]], target=[0])
    with pytest.raises(LossCliError, match=r"needs a \(N, K\) matrix"):
        losses("torch.cosine_embedding_loss", input1=[1.0, 0.0], input2=[1.0, 0.0], target=[1, 1])


# --- margin_ranking_loss --------------------------------------------------------------------

def test_margin_ranking_by_hand_and_margin() -> None:
    x1, x2, y = [0.8, 0.2, 0.5], [0.3, 0.6, 0.5], [1, 1, -1]
    # max(0, −y·(x1 − x2) + margin): −0.5, 0.4, 0 with margin 0; +0.1 each with margin 0.1
    np.testing.assert_allclose(losses("torch.margin_ranking_loss", input1=x1, input2=x2, target=y), [0.0, 0.4, 0.0])
    np.testing.assert_allclose(losses("torch.MarginRankingLoss:margin=0.1", input1=x1, input2=x2, target=y), [0.0, 0.5, 0.1])
    assert mean("torch.margin_ranking_loss:margin=0.1", input1=x1, input2=x2, target=y) == pytest.approx(0.6 / 3)


def test_margin_ranking_means_every_element_and_checks_shapes() -> None:
    # x1 − x2 = [1, 2], y = [1, −1]: max(0, −1·1) = 0 and max(0, 1·2) = 2, averaged over the row
    got = losses("torch.margin_ranking_loss", input1=[[1.0, 3.0]], input2=[[0.0, 1.0]], target=[[1, -1]])
    assert got[0] == pytest.approx(0 + 2)
    assert mean("torch.margin_ranking_loss", input1=[[1.0, 3.0]], input2=[[0.0, 1.0]], target=[[1, -1]]) == pytest.approx(1.0)
    with pytest.raises(LossCliError, match="shape mismatch"):
        losses("torch.margin_ranking_loss", input1=[[1.0, 3.0]], input2=[[0.0, 1.0]], target=[[1, -1, 1]])


# --- triplet_margin_loss --------------------------------------------------------------------

A, P, N = [[0.0, 0.0], [1.0, 1.0]], [[0.3, 0.4], [1.0, 1.2]], [[1.0, 0.0], [3.0, 1.0]]


def test_triplet_by_hand_without_eps() -> None:
    # d(a, p) = 0.5 and 0.2; d(a, n) = 1 and 2: max(0, 1 + 0.5 − 1) = 0.5, max(0, 1 + 0.2 − 2) = 0
    np.testing.assert_allclose(losses("torch.triplet_margin_loss:eps=0", anchor=A, positive=P, negative=N), [0.5, 0.0],
                               rtol=1e-14, atol=1e-15)
    # margin 2: 2 + 0.5 − 1 = 1.5 and 2 + 0.2 − 2 = 0.2
    np.testing.assert_allclose(losses("torch.TripletMarginLoss:eps=0,margin=2", anchor=A, positive=P, negative=N), [1.5, 0.2])


def test_triplet_adds_eps_to_every_difference() -> None:
    # ‖a − p + eps‖: row 0 differences (−0.3 + 1e-6, −0.4 + 1e-6); a − n: (−1 + 1e-6, 0 + 1e-6)
    d_ap = math.hypot(0.3 - 1e-6, 0.4 - 1e-6)
    d_an = math.hypot(1 - 1e-6, 1e-6)
    got = losses("torch.triplet_margin_loss", anchor=A[:1], positive=P[:1], negative=N[:1])
    assert got[0] == pytest.approx(1 + d_ap - d_an, rel=1e-12)
    # a positive equal to the anchor is eps·√2 away, not 0
    same = losses("torch.triplet_margin_loss", anchor=[[0.0, 0.0]], positive=[[0.0, 0.0]], negative=[[0.5, 0.0]])
    assert same[0] == pytest.approx(1 + 1e-6 * math.sqrt(2) - math.hypot(0.5 - 1e-6, 1e-6), rel=1e-12)


def test_triplet_swap_uses_the_closer_negative_distance() -> None:
    a, p, n = [[0.0, 0.0]], [[2.0, 0.0]], [[2.5, 0.0]]
    # d(a, p) = 2, d(a, n) = 2.5, d(p, n) = 0.5: 1 + 2 − 2.5 = 0.5; with swap 1 + 2 − min(2.5, 0.5) = 2.5
    assert losses("torch.triplet_margin_loss:eps=0", anchor=a, positive=p, negative=n)[0] == pytest.approx(0.5)
    assert losses("torch.triplet_margin_loss:eps=0,swap=true", anchor=a, positive=p, negative=n)[0] == pytest.approx(2.5)
    # swap changes nothing when the anchor is the closer one: d(p, n) = 3 > d(a, n) = 1
    p_far = [[-2.0, 0.0]]
    n_near = [[1.0, 0.0]]
    for spec in ("torch.triplet_margin_loss:eps=0", "torch.triplet_margin_loss:eps=0,swap=true"):
        assert losses(spec, anchor=a, positive=p_far, negative=n_near)[0] == pytest.approx(1 + 2 - 1)


def test_triplet_other_norms() -> None:
    # p = 1: d(a, p) = 0.3 + 0.4 = 0.7, d(a, n) = 1 → 0.7;  p = inf: d(a, p) = 0.4 → 0.4
    assert losses("torch.triplet_margin_loss:eps=0,p=1", anchor=A[:1], positive=P[:1], negative=N[:1])[0] == pytest.approx(0.7)
    assert losses("torch.triplet_margin_loss:eps=0,p=inf", anchor=A[:1], positive=P[:1], negative=N[:1])[0] == pytest.approx(0.4)
    # p = 3: (0.3³ + 0.4³)^(1/3) = 0.091^(1/3)
    got = losses("torch.triplet_margin_loss:eps=0,p=3", anchor=A[:1], positive=P[:1], negative=N[:1])[0]
    assert got == pytest.approx(1 + 0.091 ** (1 / 3) - 1)


def test_triplet_checks_margin_and_shapes() -> None:
    with pytest.raises(LossCliError, match="margin=0 is out of range"):
        losses("torch.triplet_margin_loss:margin=0", anchor=A, positive=P, negative=N)
    with pytest.raises(LossCliError, match="shape mismatch"):
        losses("torch.triplet_margin_loss", anchor=A, positive=P, negative=[[1.0, 0.0, 0.0], [3.0, 1.0, 0.0]])
    with pytest.raises(LossCliError, match=r"needs a \(N, K\) matrix"):
        losses("torch.triplet_margin_loss", anchor=[0.0, 1.0], positive=[0.0, 1.0], negative=[0.0, 1.0])


# --- kl_div log_target ----------------------------------------------------------------------

Q, PT = [[0.5, 0.5]], [[0.25, 0.75]]
KL = 0.25 * math.log(0.25 / 0.5) + 0.75 * math.log(0.75 / 0.5)  # ≈ 0.1308


def test_kl_div_log_target_in_the_function() -> None:
    fn = lookup("torch.kl_div").fn
    np.testing.assert_allclose(fn(np.log(Q), np.array(PT), log_target=False), [KL], rtol=1e-14)
    # e^t·(t − input) with t = log p: the same divergence
    np.testing.assert_allclose(fn(np.log(Q), np.log(PT), log_target=True), [KL], rtol=1e-14)
    # a target probability of 1e-300 (log ≈ −690.8) adds 1e-300·(−690.8 − log ½) ≈ 0: only 1·(0 − log ½) is left
    np.testing.assert_allclose(fn(np.log(Q), np.log([[1.0, 1e-300]]), log_target=True), [math.log(2)], rtol=1e-12)
    assert mean("torch.kl_div:log_target=false", input=np.log(Q), target=PT) == pytest.approx(KL)


def test_kl_div_log_target_through_the_engine() -> None:
    assert mean("torch.kl_div:log_target=true", input=np.log(Q), target=np.log(PT)) == pytest.approx(KL)
