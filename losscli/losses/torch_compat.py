"""PyTorch-compatible losses: ``torch.<functional name>`` and ``torch.<class name>``.

Each reproduces ``torch.nn.functional`` with its default arguments and its default
reduction (``mean`` over every element; ``batchmean`` for kl_div), using PyTorch's argument
names. PyTorch takes no per-sample weights except for the BCE losses, whose ``weight``
rescales each element before the mean over N.
"""

from __future__ import annotations

import numpy as np

from losscli.losses._math import column_param, per_sample_mean, per_sample_sum, xlogy
from losscli.losses.classification import (
    BINARY_EXAMPLE, CLASS_WEIGHT, LABEL_SMOOTHING, LOGIT_EXAMPLE, MULTICLASS_EXAMPLE, logits_bce, softmax_cross_entropy,
    weighted_nll,
)
from losscli.losses.embedding import MARGIN, embedding_hinge
from losscli.losses.regression import BETA, DELTA, REGRESSION_EXAMPLE, VALUE_ROLES, absolute_error, huber_error, smooth_l1_error, squared_error
from losscli.registry import Example, Kind, Param, Reducer, Role, Shape, Weighted, register

TORCH_VALUE_ROLES = (Role("input", Kind.VALUES, Shape.ANY, "predictions"), *VALUE_ROLES[1:])
TORCH_IGNORE_INDEX = Param("ignore_index", "int", -100, "rows with this label are skipped")
ELEMENT_MEAN = "reduction='mean': the mean over all N·K elements (equal to the mean of per-sample means)."
LOG_CLAMP = -100.0


def _torch_example(example: Example) -> Example:
    """A shared example with PyTorch's role name: ``pred`` becomes ``input``."""
    return Example({("input" if role == "pred" else role): values for role, values in example.inputs.items()}, example.params)


def _torch(name: str, canonical: str, cls: str, **declarations):  # type: ignore[no-untyped-def]
    declarations.setdefault("sample_weights", False)
    return register(name=f"torch.{name}", aliases=(f"torch.{cls}",), follows="torch", canonical=canonical, **declarations)


@_torch("mse_loss", "mse", "MSELoss", task="regression", roles=TORCH_VALUE_ROLES, params=(),
        formula="l = mean_k (input_k − target_k)²", convention=ELEMENT_MEAN,
        example=_torch_example(REGRESSION_EXAMPLE), zero_at_perfect=True)
def torch_mse_loss(input: np.ndarray, target: np.ndarray) -> np.ndarray:
    """torch.nn.functional.mse_loss."""
    return squared_error(input, target)


@_torch("l1_loss", "mae", "L1Loss", task="regression", roles=TORCH_VALUE_ROLES, params=(),
        formula="l = mean_k |input_k − target_k|", convention=ELEMENT_MEAN,
        example=_torch_example(REGRESSION_EXAMPLE), zero_at_perfect=True)
def torch_l1_loss(input: np.ndarray, target: np.ndarray) -> np.ndarray:
    """torch.nn.functional.l1_loss."""
    return absolute_error(input, target)


@_torch("smooth_l1_loss", "smooth_l1", "SmoothL1Loss", task="regression", roles=TORCH_VALUE_ROLES, params=(BETA,),
        formula="l = mean_k { ½e²/β if |e| < β; |e| − ½β otherwise }",
        convention=f"beta = 1 by default; beta = 0 is L1. {ELEMENT_MEAN}",
        example=_torch_example(REGRESSION_EXAMPLE), zero_at_perfect=True)
def torch_smooth_l1_loss(input: np.ndarray, target: np.ndarray, beta: float) -> np.ndarray:
    """torch.nn.functional.smooth_l1_loss."""
    return smooth_l1_error(input, target, beta)


@_torch("huber_loss", "huber", "HuberLoss", task="regression", roles=TORCH_VALUE_ROLES, params=(DELTA,),
        formula="l = mean_k { ½e² if |e| < δ; δ(|e| − ½δ) otherwise }",
        convention=f"delta = 1 by default (must be > 0). {ELEMENT_MEAN}",
        example=_torch_example(REGRESSION_EXAMPLE), zero_at_perfect=True)
def torch_huber_loss(input: np.ndarray, target: np.ndarray, delta: float) -> np.ndarray:
    """torch.nn.functional.huber_loss."""
    return huber_error(input, target, delta)


@_torch("binary_cross_entropy", "bce", "BCELoss", task="binary",
        roles=(Role("input", Kind.PROBABILITIES, Shape.ANY, "probability of class 1"),
               Role("target", Kind.SOFT_TARGETS, doc="targets in [0, 1]")),
        params=(),
        formula="l = −mean_k [t·max(log p, −100) + (1 − t)·max(log(1 − p), −100)]",
        convention="No clipping of p: each log is clamped at −100, so p = 0 for a positive costs exactly 100."
        " Sample weights act as F.binary_cross_entropy's weight: mean(w·l) over N.",
        example=_torch_example(BINARY_EXAMPLE), logits_twin="torch.binary_cross_entropy_with_logits",
        sample_weights=True, reducer=Reducer.BATCH_MEAN)
def torch_binary_cross_entropy(input: np.ndarray, target: np.ndarray) -> np.ndarray:
    """torch.nn.functional.binary_cross_entropy."""
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(input), LOG_CLAMP)
        log_q = np.maximum(np.log1p(-input), LOG_CLAMP)
    return per_sample_mean(-(target * log_p + (1 - target) * log_q))


@_torch("binary_cross_entropy_with_logits", "bce_with_logits", "BCEWithLogitsLoss", task="binary",
        roles=(Role("input", Kind.LOGITS, Shape.ANY, "logit of class 1"),
               Role("target", Kind.SOFT_TARGETS, doc="targets in [0, 1]")),
        params=(Param("pos_weight", "float_or_list", 1.0, "weight of positive targets, one number or one per class", low=0.0),),
        formula="l = mean_k [pos_weight·t·softplus(−x) + (1 − t)·softplus(x)]",
        convention="Log-sum-exp form, exact for any logit. Sample weights act as the weight argument: mean(w·l) over N.",
        example=_torch_example(LOGIT_EXAMPLE), sample_weights=True, reducer=Reducer.BATCH_MEAN)
def torch_binary_cross_entropy_with_logits(
    input: np.ndarray, target: np.ndarray, pos_weight: float | list[float],
) -> np.ndarray:
    """torch.nn.functional.binary_cross_entropy_with_logits."""
    width = input.shape[1] if input.ndim == 2 else 1
    return per_sample_mean(logits_bce(input, target, column_param(pos_weight, width, input.dtype, "pos_weight")))


@_torch("cross_entropy", "cross_entropy", "CrossEntropyLoss", task="multiclass",
        roles=(Role("input", Kind.LOGITS, Shape.MATRIX, "logits (N, C)"),
               Role("target", Kind.CLASS_TARGETS, Shape.INDEX_OR_SAME, "class indices (N,) or probabilities (N, C)")),
        params=(CLASS_WEIGHT, TORCH_IGNORE_INDEX, LABEL_SMOOTHING),
        formula="l = (1−ε)·w_y·(−log p_y) + ε/C·Σ_c w_c·(−log p_c);  mean = Σ l / Σ w_y  (index targets)",
        convention="Index targets: the mean divides by the summed class weights of the non-ignored rows;"
        " label -100 is ignored. Probability targets: l = −Σ_c w_c·t'_c·log p_c and the mean is over N.",
        example=_torch_example(MULTICLASS_EXAMPLE))
def torch_cross_entropy(
    input: np.ndarray, target: np.ndarray, weight: list[float] | None, ignore_index: int, label_smoothing: float,
) -> Weighted | np.ndarray:
    """torch.nn.functional.cross_entropy."""
    return softmax_cross_entropy(input, target, weight, ignore_index, label_smoothing)


@_torch("nll_loss", "nll", "NLLLoss", task="multiclass",
        roles=(Role("input", Kind.LOG_PROBABILITIES, Shape.MATRIX, "log-probabilities (N, C)"),
               Role("target", Kind.CLASS_INDICES, Shape.INDEX, "class indices (N,)")),
        params=(CLASS_WEIGHT, TORCH_IGNORE_INDEX),
        formula="l = −w_y·input_y;  mean = Σ l / Σ w_y",
        convention="Label -100 is ignored: it adds nothing to either sum.",
        example=Example({"input": [[-0.2, -1.8, -3.0], [-2.3, -0.7, -0.8]], "target": [0, 2]}))
def torch_nll_loss(input: np.ndarray, target: np.ndarray, weight: list[float] | None, ignore_index: int) -> Weighted:
    """torch.nn.functional.nll_loss."""
    return weighted_nll(input, target, weight, ignore_index)


@_torch("kl_div", "kl_div", "KLDivLoss", task="distribution",
        roles=(Role("input", Kind.LOG_PROBABILITIES, Shape.MATRIX, "log-probabilities of the prediction"),
               Role("target", Kind.SOFT_TARGETS, doc="probabilities of the true distribution")),
        params=(),
        formula="l = Σ_c t_c·(log t_c − input_c),  0·log 0 = 0;  reduced by batchmean (Σ l / N)",
        convention="Note the argument order: input is the log of the prediction, target plain probabilities."
        " The batchmean reduction is the true KL divergence averaged over samples.",
        example=Example({"input": [[-0.916, -0.916, -1.609], [-2.303, -0.511, -1.204]],
                         "target": [[0.5, 0.3, 0.2], [0.0, 0.5, 0.5]]}))
def torch_kl_div(input: np.ndarray, target: np.ndarray) -> np.ndarray:
    """torch.nn.functional.kl_div with reduction='batchmean'."""
    return per_sample_sum(xlogy(target, target) - target * input)


@_torch("hinge_embedding_loss", "hinge_embedding", "HingeEmbeddingLoss", task="embedding",
        roles=(Role("input", Kind.VALUES, Shape.ANY, "distances"),
               Role("target", Kind.SIGNED_LABELS, doc="1 similar, -1 dissimilar")),
        params=(MARGIN,),
        formula="l = mean_k { x if y = 1; max(0, margin − x) if y = −1 }",
        convention=f"margin = 1 by default. {ELEMENT_MEAN}",
        example=Example({"input": [0.3, 0.2, 1.4, 0.7], "target": [1, -1, -1, 1]}))
def torch_hinge_embedding_loss(input: np.ndarray, target: np.ndarray, margin: float) -> np.ndarray:
    """torch.nn.functional.hinge_embedding_loss."""
    return per_sample_mean(embedding_hinge(input, target, margin))
