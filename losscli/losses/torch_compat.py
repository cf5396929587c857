"""PyTorch-compatible losses: ``torch.<functional name>`` and ``torch.<class name>``.

Each reproduces ``torch.nn.functional`` with its default arguments and its default
reduction (``mean`` over every element; ``batchmean`` for kl_div), using PyTorch's argument
names. PyTorch takes no per-sample weights except for the BCE losses, whose ``weight``
rescales each element before the mean over N. Element-wise losses return the mean over a
sample's elements; losses PyTorch already reduces per sample (multi-margin, multilabel,
cosine, triplet) return that per-sample value.
"""

from __future__ import annotations

import math

import numpy as np

from losscli.errors import LossCliError
from losscli.losses._math import (
    class_weights, column_param, per_sample_mean, per_sample_sum, position_rows, softplus, summed_per_sample, xlogy,
)
from losscli.losses.classification import (
    BINARY_EXAMPLE, CLASS_WEIGHT, LABEL_SMOOTHING, LOGIT_EXAMPLE, MULTICLASS_EXAMPLE, logits_bce, softmax_cross_entropy,
    weighted_nll,
)
from losscli.losses.embedding import MARGIN, embedding_hinge, margin_ranking, pairwise_distance
from losscli.losses.sequence import CTC_EXAMPLE_SCORES, ctc_nll
from losscli.losses.regression import (
    BETA, DELTA, REGRESSION_EXAMPLE, VALUE_ROLES, gaussian_nll_elements, huber_elements, smooth_l1_elements,
)
from losscli.registry import Example, Kind, Lenient, Param, Reducer, Reported, Role, Shape, Weighted, register
from losscli.registry.validation import shown

TORCH_VALUE_ROLES = (Role("input", Kind.VALUES, Shape.ANY, "predictions"), *VALUE_ROLES[1:])
TORCH_IGNORE_INDEX = Param("ignore_index", "int", -100, "rows with this label are skipped")
ELEMENT_MEAN = ("reduction='mean': the mean over all N·K elements (equal to the mean of per-sample means);"
                " reduction='sum' and 'none' add up each sample's K elements, as PyTorch sums every element.")
ELEMENT_SUM = "Σ of every element (N·K terms), as PyTorch's reduction='sum'"
LOG_CLAMP = -100.0
ANY_TARGET = Lenient("target", "PyTorch checks no target range and uses any value in its formula")
ANY_LABEL = Lenient("target", "PyTorch checks no labels and uses any value in its formula")


def _torch_example(example: Example) -> Example:
    """A shared example with PyTorch's role name: ``pred`` becomes ``input``."""
    return Example({("input" if role == "pred" else role): values for role, values in example.inputs.items()}, example.params)


def _elementwise(losses: np.ndarray) -> np.ndarray | Reported:
    """An element-wise loss per sample, PyTorch's way: (N,) as it is; for (N, K) the mean averages
    every element (the mean of the per-sample means, every sample having K) and the sum and
    ``reduction='none'`` add them (a sample's row sum)."""
    return losses if losses.ndim == 1 else summed_per_sample(losses, len(losses))


SPATIAL = ("Spatial inputs (N, C, d1, …) with targets (N, d1, …) score every position: reduction='none' gives"
           " (N, d1, …), which each sample's value adds up, and the mean is over every position (divided by the summed"
           " class weights of its non-ignored ones), as PyTorch's.")


WEIGHT_ARGUMENT = ("Weights act as the weight argument, which rescales each element: one per sample (N,), or one"
                   " per element (N, K) like input; the mean is mean(w·l) over every element.")


def _weighted(elements: np.ndarray, element_weight: np.ndarray | None) -> np.ndarray:
    return elements if element_weight is None else element_weight * elements


def _torch(name: str, canonical: str, cls: str, **declarations):  # type: ignore[no-untyped-def]
    declarations.setdefault("sample_weights", False)
    declarations.setdefault("weighted_per_sample", declarations["sample_weights"])  # reduction='none' returns weight·l
    if ELEMENT_MEAN in declarations.get("convention", ""):
        declarations.setdefault("sum_rule", ELEMENT_SUM)
    return register(name=f"torch.{name}", aliases=(f"torch.{cls}",), follows="torch", canonical=canonical, **declarations)


@_torch("mse_loss", "mse", "MSELoss", task="regression", roles=TORCH_VALUE_ROLES, params=(),
        formula="l = mean_k (input_k − target_k)²", convention=ELEMENT_MEAN,
        example=_torch_example(REGRESSION_EXAMPLE), zero_at_perfect=True)
def torch_mse_loss(input: np.ndarray, target: np.ndarray) -> np.ndarray | Reported:
    """torch.nn.functional.mse_loss."""
    return _elementwise(np.square(input - target))


@_torch("l1_loss", "mae", "L1Loss", task="regression", roles=TORCH_VALUE_ROLES, params=(),
        formula="l = mean_k |input_k − target_k|", convention=ELEMENT_MEAN,
        example=_torch_example(REGRESSION_EXAMPLE), zero_at_perfect=True)
def torch_l1_loss(input: np.ndarray, target: np.ndarray) -> np.ndarray | Reported:
    """torch.nn.functional.l1_loss."""
    return _elementwise(np.abs(input - target))


@_torch("smooth_l1_loss", "smooth_l1", "SmoothL1Loss", task="regression", roles=TORCH_VALUE_ROLES, params=(BETA,),
        formula="l = mean_k { ½e²/β if |e| < β; |e| − ½β otherwise }",
        convention=f"beta = 1 by default; beta = 0 is L1. {ELEMENT_MEAN}",
        example=_torch_example(REGRESSION_EXAMPLE), zero_at_perfect=True)
def torch_smooth_l1_loss(input: np.ndarray, target: np.ndarray, beta: float) -> np.ndarray | Reported:
    """torch.nn.functional.smooth_l1_loss."""
    return _elementwise(smooth_l1_elements(input, target, beta))


@_torch("huber_loss", "huber", "HuberLoss", task="regression", roles=TORCH_VALUE_ROLES, params=(DELTA,),
        formula="l = mean_k { ½e² if |e| < δ; δ(|e| − ½δ) otherwise }",
        convention=f"delta = 1 by default (must be > 0). {ELEMENT_MEAN}",
        example=_torch_example(REGRESSION_EXAMPLE), zero_at_perfect=True)
def torch_huber_loss(input: np.ndarray, target: np.ndarray, delta: float) -> np.ndarray | Reported:
    """torch.nn.functional.huber_loss."""
    return _elementwise(huber_elements(input, target, delta))


@_torch("binary_cross_entropy", "bce", "BCELoss", task="binary",
        roles=(Role("input", Kind.PROBABILITIES, Shape.ANY, "probability of class 1"),
               Role("target", Kind.SOFT_TARGETS, doc="targets in [0, 1]")),
        params=(),
        formula="l = −mean_k [t·max(log p, −100) + (1 − t)·max(log(1 − p), −100)]",
        convention="No clipping of p: each log is clamped at −100, so p = 0 for a positive costs exactly 100."
        f" {WEIGHT_ARGUMENT}",
        example=_torch_example(BINARY_EXAMPLE), logits_twin="torch.binary_cross_entropy_with_logits",
        sample_weights=True, element_weights="elements", reducer=Reducer.BATCH_MEAN,
        lenient=(Lenient("target", "PyTorch checks only the input's range and uses any target in its formula"),))
def torch_binary_cross_entropy(
    input: np.ndarray, target: np.ndarray, element_weight: np.ndarray | None = None,
) -> np.ndarray | Reported:
    """torch.nn.functional.binary_cross_entropy."""
    with np.errstate(divide="ignore"):
        log_p = np.maximum(np.log(input), LOG_CLAMP)
        log_q = np.maximum(np.log1p(-input), LOG_CLAMP)
    return _elementwise(_weighted(-(target * log_p + (1 - target) * log_q), element_weight))


@_torch("binary_cross_entropy_with_logits", "bce_with_logits", "BCEWithLogitsLoss", task="binary",
        roles=(Role("input", Kind.LOGITS, Shape.ANY, "logit of class 1"),
               Role("target", Kind.SOFT_TARGETS, doc="targets in [0, 1]")),
        params=(Param("pos_weight", "float_or_list", 1.0, "weight of positive targets, one number or one per class", low=0.0),),
        formula="l = mean_k [pos_weight·t·softplus(−x) + (1 − t)·softplus(x)]",
        convention=f"Log-sum-exp form, exact for any logit. {WEIGHT_ARGUMENT}",
        example=_torch_example(LOGIT_EXAMPLE), sample_weights=True, element_weights="elements", reducer=Reducer.BATCH_MEAN,
        lenient=(ANY_TARGET,))
def torch_binary_cross_entropy_with_logits(
    input: np.ndarray, target: np.ndarray, pos_weight: float | list[float], element_weight: np.ndarray | None = None,
) -> np.ndarray | Reported:
    """torch.nn.functional.binary_cross_entropy_with_logits."""
    width = input.shape[1] if input.ndim == 2 else 1
    elements = logits_bce(input, target, column_param(pos_weight, width, input.dtype, "pos_weight"))
    return _elementwise(_weighted(elements, element_weight))


@_torch("cross_entropy", "cross_entropy", "CrossEntropyLoss", task="multiclass",
        roles=(Role("input", Kind.LOGITS, Shape.CLASSES_FIRST, "logits (N, C) or (N, C, d1, …)"),
               Role("target", Kind.CLASS_TARGETS, Shape.SPATIAL_INDEX_OR_SAME,
                    "class indices (N,) or (N, d1, …), or probabilities like input")),
        params=(CLASS_WEIGHT, TORCH_IGNORE_INDEX, LABEL_SMOOTHING),
        formula="l = (1−ε)·w_y·(−log p_y) + ε/C·Σ_c w_c·(−log p_c);  mean = Σ l / Σ w_y  (index targets)",
        convention="Index targets: the mean divides by the summed class weights of the non-ignored rows;"
        " label -100 is ignored. Probability targets: l = −Σ_c w_c·t'_c·log p_c and the mean is over N."
        f" {SPATIAL}",
        example=_torch_example(MULTICLASS_EXAMPLE),
        lenient=(Lenient("target", "PyTorch uses class-probability targets as given, without checking their range"),))
def torch_cross_entropy(
    input: np.ndarray, target: np.ndarray, weight: list[float] | None, ignore_index: int, label_smoothing: float,
) -> Weighted | Reported | np.ndarray:
    """torch.nn.functional.cross_entropy."""
    if input.ndim > 2:
        scores, classes = position_rows((input, target), 1)
        return summed_per_sample(softmax_cross_entropy(scores, classes, weight, ignore_index, label_smoothing), len(input))
    return softmax_cross_entropy(input, target, weight, ignore_index, label_smoothing)


@_torch("nll_loss", "nll", "NLLLoss", task="multiclass",
        roles=(Role("input", Kind.LOG_PROBABILITIES, Shape.CLASSES_FIRST, "log-probabilities (N, C) or (N, C, d1, …)"),
               Role("target", Kind.CLASS_INDICES, Shape.SPATIAL_INDEX, "class indices (N,) or (N, d1, …)")),
        params=(CLASS_WEIGHT, TORCH_IGNORE_INDEX),
        formula="l = −w_y·input_y;  mean = Σ l / Σ w_y",
        convention=f"Label -100 is ignored: it adds nothing to either sum. {SPATIAL}",
        example=Example({"input": [[-0.2, -1.8, -3.0], [-2.3, -0.7, -0.8]], "target": [0, 2]}),
        lenient=(Lenient("input", "PyTorch takes −input[target] whatever the input holds"),))
def torch_nll_loss(input: np.ndarray, target: np.ndarray, weight: list[float] | None, ignore_index: int) -> Weighted:
    """torch.nn.functional.nll_loss."""
    if input.ndim > 2:
        scores, classes = position_rows((input, target), 1)
        return summed_per_sample(weighted_nll(scores, classes, weight, ignore_index), len(input))  # type: ignore[return-value]
    return weighted_nll(input, target, weight, ignore_index)


@_torch("kl_div", "kl_div", "KLDivLoss", task="distribution",
        roles=(Role("input", Kind.LOG_PROBABILITIES, Shape.MATRIX, "log-probabilities of the prediction"),
               Role("target", Kind.SOFT_TARGETS, doc="probabilities of the true distribution (log-probabilities with log_target=true)",
                    kind_flag="log_target", flag_kind=Kind.LOG_PROBABILITIES)),
        params=(Param("log_target", "bool", False, "target holds log-probabilities too"),),
        formula="l = Σ_c t_c·(log t_c − input_c),  0·log 0 = 0;  log_target: l = Σ_c e^t_c·(t_c − input_c);"
        "  reduced by batchmean (Σ l / N)",
        convention="Note the argument order: input is the log of the prediction, target plain probabilities"
        " (or log-probabilities with log_target=true). The batchmean reduction is the true KL divergence averaged"
        " over samples.",
        example=Example({"input": [[-0.916, -0.916, -1.609], [-2.303, -0.511, -1.204]],
                         "target": [[0.5, 0.3, 0.2], [0.0, 0.5, 0.5]]}),
        lenient=(Lenient("input", "PyTorch uses any input as log-probabilities"),
                 Lenient("target", "PyTorch computes with them as given", refused=lambda t: t < 0,
                         refused_why="PyTorch's target·log(target) is NaN for a negative target")))
def torch_kl_div(input: np.ndarray, target: np.ndarray, log_target: bool) -> np.ndarray:
    """torch.nn.functional.kl_div with reduction='batchmean'."""
    if log_target:
        return per_sample_sum(np.exp(target) * (target - input))
    return per_sample_sum(xlogy(target, target) - target * input)


@_torch("hinge_embedding_loss", "hinge_embedding", "HingeEmbeddingLoss", task="embedding",
        roles=(Role("input", Kind.VALUES, Shape.ANY, "distances"),
               Role("target", Kind.SIGNED_LABELS, doc="1 similar, -1 dissimilar")),
        params=(MARGIN,),
        formula="l = mean_k { x if y = 1; max(0, margin − x) if y = −1 }",
        convention=f"margin = 1 by default. {ELEMENT_MEAN}",
        example=Example({"input": [0.3, 0.2, 1.4, 0.7], "target": [1, -1, -1, 1]}), non_negative=False,
        lenient=(Lenient("target", "PyTorch adds x where the label is not −1 and max(0, margin − x) where it is not 1"),))
def torch_hinge_embedding_loss(input: np.ndarray, target: np.ndarray, margin: float) -> np.ndarray | Reported:
    """torch.nn.functional.hinge_embedding_loss."""
    return _elementwise(embedding_hinge(input, target, margin))


# --- likelihoods ----------------------------------------------------------------------------

def _stirling(target: np.ndarray) -> np.ndarray:
    """PyTorch's full-loss term: t·log t − t + ½·log(2πt) where t > 1, and 0 where t ≤ 1."""
    big = target > 1
    t = np.where(big, target, np.ones((), dtype=target.dtype))
    return np.where(big, t * np.log(t) - t + 0.5 * np.log(2 * math.pi * t), np.zeros((), dtype=target.dtype))


@_torch("poisson_nll_loss", "poisson_nll", "PoissonNLLLoss", task="regression",
        roles=(Role("input", Kind.NON_NEGATIVE, Shape.ANY, "log-rate log λ (the rate λ >= 0 with log_input=false)",
                    kind_flag="log_input"),
               Role("target", Kind.NON_NEGATIVE, doc="observed counts")),
        params=(Param("log_input", "bool", True, "input holds log λ (false: the rate λ itself)"),
                Param("full", "bool", False, "add Stirling's approximation of log(t!) for t > 1"),
                Param("eps", "float", 1e-8, "added to λ inside the log when log_input=false", low=0.0)),
        formula="l = mean_k [e^input − t·input]  (log_input);  mean_k [input − t·log(input + eps)]  (rate);"
        "  full adds t·log t − t + ½·log(2πt) where t > 1",
        convention="Input is a log-rate by default. The constant log(t!) is left out unless full=true, and then"
        " PyTorch's Stirling approximation stands in for it, only where t > 1 (so t = 1, 2 are not exact log t!)."
        " Not a non-negative loss. With eps = 0 a zero rate and a zero count give 0 here (PyTorch gives NaN)."
        f" {ELEMENT_MEAN}",
        example=Example({"input": [0.0, 1.0, -1.0], "target": [1.0, 2.0, 0.0]}), non_negative=False,
        lenient=(Lenient("target", "PyTorch checks no counts and uses negative ones in its formula"),))
def torch_poisson_nll_loss(input: np.ndarray, target: np.ndarray, log_input: bool, full: bool, eps: float) -> np.ndarray | Reported:
    """torch.nn.functional.poisson_nll_loss."""
    if log_input:
        loss = np.exp(input) - target * input
    else:
        loss = input - xlogy(target, input + eps)
    if full:
        loss = loss + _stirling(target)
    return _elementwise(loss)


@_torch("gaussian_nll_loss", "gaussian_nll", "GaussianNLLLoss", task="regression",
        roles=(Role("input", Kind.VALUES, Shape.ANY, "predicted mean μ"),
               Role("target", Kind.VALUES, doc="observed value, same shape"),
               Role("var", Kind.NON_NEGATIVE, Shape.ANY, "predicted variance σ²: (N,) per sample or the shape of input")),
        params=(Param("full", "bool", False, "add ½·log 2π"),
                Param("eps", "float", 1e-6, "variances are clamped below at eps", low=0.0)),
        formula="l = mean_k ½·(log max(σ², eps) + (input − target)² / max(σ², eps))  (+ ½·log 2π when full)",
        convention="var is clamped at eps (PyTorch's docs say 'added', the code clamps); zero variances are legal,"
        " negative ones rejected. A var of (N,) or (N, 1) is shared by every output of its sample. Not a"
        f" non-negative loss (log σ² < 0 for small variances). {ELEMENT_MEAN}",
        example=Example({"input": [1.0, 2.0, 0.0], "target": [1.5, 2.0, -1.0], "var": [0.5, 1.0, 2.0]}),
        non_negative=False)
def torch_gaussian_nll_loss(
    input: np.ndarray, target: np.ndarray, var: np.ndarray, full: bool, eps: float,
) -> np.ndarray | Reported:
    """torch.nn.functional.gaussian_nll_loss."""
    return _elementwise(gaussian_nll_elements(input, target, var, full, eps))


# --- margins --------------------------------------------------------------------------------

@_torch("soft_margin_loss", "bce_with_logits", "SoftMarginLoss", task="binary",
        roles=(Role("input", Kind.VALUES, Shape.ANY, "decision scores"),
               Role("target", Kind.SIGNED_LABELS, doc="-1/1 labels, same shape")),
        params=(),
        formula="l = mean_k log(1 + e^(−y·x)) = mean_k softplus(−y·x)",
        convention="Logistic loss with {−1, 1} labels: equal to BCE with logits for t = (y + 1)/2; computed in"
        f" the overflow-free softplus form. {ELEMENT_MEAN}",
        example=Example({"input": [2.2, -1.4, 0.4, -8.0], "target": [1, -1, -1, 1]}), lenient=(ANY_LABEL,))
def torch_soft_margin_loss(input: np.ndarray, target: np.ndarray) -> np.ndarray | Reported:
    """torch.nn.functional.soft_margin_loss."""
    return _elementwise(softplus(-target * input))


@_torch("multilabel_soft_margin_loss", "bce_with_logits", "MultiLabelSoftMarginLoss", task="multilabel",
        roles=(Role("input", Kind.LOGITS, Shape.MATRIX, "logit per class (N, C)"),
               Role("target", Kind.SOFT_TARGETS, doc="1 where the class applies, 0 where not (N, C)")),
        params=(Param("weight", "float_list", None, "one weight per class, e.g. [1,2,0.5]", low=0.0),),
        formula="l = (1/C)·Σ_c w_c·[t_c·softplus(−x_c) + (1 − t_c)·softplus(x_c)]",
        convention="Per-class BCE with logits averaged over the C classes (weights multiply, the divisor stays C),"
        " then the mean over N. Soft targets in [0, 1] are accepted, as PyTorch computes them.",
        example=Example({"input": [[2.0, -1.0, 0.5], [-0.5, 1.5, -2.0]], "target": [[1, 0, 1], [0, 1, 0]]}),
        lenient=(ANY_TARGET,))
def torch_multilabel_soft_margin_loss(input: np.ndarray, target: np.ndarray, weight: list[float] | None) -> np.ndarray:
    """torch.nn.functional.multilabel_soft_margin_loss."""
    w = class_weights(weight, input.shape[1], input.dtype)
    return per_sample_mean(w * logits_bce(input, target))


def _label_lists(target: np.ndarray, n_classes: int) -> np.ndarray:
    """Integer class lists, each entry a class in [0, C) or the padding -1 (anywhere, as PyTorch checks)."""
    bad = (target != np.floor(target)) | (target < -1) | (target >= n_classes)
    if bad.any():
        raise LossCliError(
            f"target must hold class indices in [0, {n_classes}) padded with -1, but it holds"
            f" {shown(target.reshape(-1)[np.argmax(bad.reshape(-1))])}",
            f"input has {n_classes} columns; list each row's classes first, then fill the row with -1",
        )
    return target.astype(np.int64)


@_torch("multilabel_margin_loss", "hinge", "MultiLabelMarginLoss", task="multilabel",
        roles=(Role("input", Kind.VALUES, Shape.MATRIX, "score per class (N, C)"),
               Role("target", Kind.LABEL_LISTS, doc="each row: the true classes, then -1 padding (N, C)")),
        params=(),
        formula="l = (1/C)·Σ_{j ∈ targets} Σ_{k ∉ targets} max(0, 1 − (x_j − x_k))",
        convention="Targets are class indices, not a 0/1 mask: only those before a row's first -1 count, and a"
        " class listed twice counts twice. Every entry must be -1 or a class. Divided by C, then the mean over N.",
        example=Example({"input": [[0.1, 0.2, 0.4, 0.8], [0.5, -0.2, 0.3, 0.0]],
                         "target": [[3, 0, -1, 1], [1, -1, -1, -1]]}))
def torch_multilabel_margin_loss(input: np.ndarray, target: np.ndarray) -> np.ndarray:
    """torch.nn.functional.multilabel_margin_loss."""
    n, n_classes = input.shape
    labels = _label_lists(target, n_classes)
    counted = np.cumprod(labels >= 0, axis=1).astype(bool)  # the entries before the first -1
    safe = np.where(counted, labels, 0)
    is_target = np.zeros((n, n_classes), dtype=bool)
    is_target[np.nonzero(counted)[0], safe[counted]] = True
    picked = np.take_along_axis(input, safe, axis=1)  # x at each listed class, (N, C)
    hinge = np.maximum(0, 1 - picked[:, :, None] + input[:, None, :])  # [i, j, k]: listed j against class k
    keep = counted[:, :, None] & ~is_target[:, None, :]
    return np.where(keep, hinge, 0).sum(axis=(1, 2)) / n_classes


@_torch("multi_margin_loss", "multiclass_hinge", "MultiMarginLoss", task="multiclass",
        roles=(Role("input", Kind.VALUES, Shape.MATRIX, "score per class (N, C)"),
               Role("target", Kind.CLASS_INDICES, Shape.INDEX, "true class index (N,)")),
        params=(Param("p", "int", 1, "1: hinge, 2: squared hinge", low=1, high=2),
                Param("margin", "float", 1.0, "required gap between the true score and every other"),
                Param("weight", "float_list", None, "one weight per class, applied by the true class", low=0.0)),
        formula="l = (1/C)·Σ_{c ≠ y} w_y·max(0, margin − x_y + x_c)^p",
        convention="Weston–Watkins multiclass hinge divided by the number of classes C (the true class adds"
        " nothing). The weight multiplies after the power, as PyTorch's code does (its docs put w_y inside);"
        " the mean over N does not divide by the weights.",
        example=_torch_example(MULTICLASS_EXAMPLE))
def torch_multi_margin_loss(
    input: np.ndarray, target: np.ndarray, p: int, margin: float, weight: list[float] | None,
) -> np.ndarray:
    """torch.nn.functional.multi_margin_loss."""
    n, n_classes = input.shape
    rows = np.arange(n)
    gap = np.maximum(0, margin - input[rows, target][:, None] + input)
    gap[rows, target] = 0
    w_y = class_weights(weight, n_classes, input.dtype)[target]
    return w_y * (gap if p == 1 else gap * gap).sum(axis=1) / n_classes


# --- pairs and triplets ---------------------------------------------------------------------

COSINE_EPS = 1e-12  # added to each squared norm


@_torch("cosine_embedding_loss", "cosine_embedding", "CosineEmbeddingLoss", task="embedding",
        roles=(Role("input1", Kind.EMBEDDINGS, Shape.MATRIX, "first embedding of each pair (N, D)"),
               Role("input2", Kind.EMBEDDINGS, Shape.SAME, "second embedding, same shape"),
               Role("target", Kind.SIGNED_LABELS, Shape.VECTOR, "1 for a similar pair, -1 for a dissimilar one")),
        params=(Param("margin", "float", 0.0, "similarity below which dissimilar pairs cost nothing", low=-1.0, high=1.0),),
        formula="cos = Σ x1·x2 / sqrt((Σ x1² + 1e-12)·(Σ x2² + 1e-12));"
        "  l = 1 − cos if y = 1;  max(0, cos − margin) if y = −1",
        convention="PyTorch adds 1e-12 to each squared norm, so a zero embedding has cosine 0 (loss 1 when y = 1)"
        " and identical embeddings cost about 1e-12/‖x‖², not exactly 0. The mean is over the N pairs."
        " From files, PRED and TARGET bind input1 and input2; give the labels with --input target=PATH or --col target=COL.",
        example=Example({"input1": [[1.0, 0.0], [1.0, 1.0]], "input2": [[1.0, 1.0], [1.0, 0.2]], "target": [1, -1]}),
        lenient=(Lenient("target", "PyTorch scores a pair 1 − cos where the label is 1, max(0, cos − margin) where it is −1,"
                         " and 0 otherwise"),))
def torch_cosine_embedding_loss(input1: np.ndarray, input2: np.ndarray, target: np.ndarray, margin: float) -> np.ndarray:
    """torch.nn.functional.cosine_embedding_loss."""
    dot = (input1 * input2).sum(axis=1)
    cos = dot / np.sqrt(((input1 * input1).sum(axis=1) + COSINE_EPS) * ((input2 * input2).sum(axis=1) + COSINE_EPS))
    return np.where(target == 1, 1 - cos, 0) + np.where(target == -1, np.maximum(0, cos - margin), 0)


@_torch("margin_ranking_loss", "margin_ranking", "MarginRankingLoss", task="ranking",
        roles=(Role("input1", Kind.VALUES, Shape.ANY, "score of the first item"),
               Role("input2", Kind.VALUES, Shape.SAME, "score of the second item, same shape"),
               Role("target", Kind.SIGNED_LABELS, Shape.SAME, "1 if input1 should rank higher, -1 if input2")),
        params=(Param("margin", "float", 0.0, "required score gap"),),
        formula="l = mean_k max(0, −y·(x1 − x2) + margin)",
        convention="A hinge on the score difference; one pair per element. From files, PRED and TARGET bind input1"
        f" and input2; give the labels with --input target=PATH or --col target=COL. {ELEMENT_MEAN}",
        example=Example({"input1": [0.8, 0.2, 0.5], "input2": [0.3, 0.6, 0.5], "target": [1, 1, -1]}), lenient=(ANY_LABEL,))
def torch_margin_ranking_loss(input1: np.ndarray, input2: np.ndarray, target: np.ndarray, margin: float) -> np.ndarray | Reported:
    """torch.nn.functional.margin_ranking_loss."""
    return _elementwise(margin_ranking(input1, input2, target, margin))


@_torch("triplet_margin_loss", "triplet", "TripletMarginLoss", task="embedding",
        roles=(Role("anchor", Kind.EMBEDDINGS, Shape.MATRIX, "anchor embeddings (N, D)"),
               Role("positive", Kind.EMBEDDINGS, Shape.SAME, "embeddings of the same identity"),
               Role("negative", Kind.EMBEDDINGS, Shape.SAME, "embeddings of another identity")),
        params=(Param("margin", "float", 1.0, "required gap between the two distances", low=0.0, low_open=True),
                Param("p", "float", 2.0, "norm of the distance (inf: the largest difference)", low=0.0, low_open=True,
                      finite=False),
                Param("eps", "float", 1e-6, "added to every difference before the norm", low=0.0),
                Param("swap", "bool", False, "use min(d(a, n), d(p, n)) as the negative distance")),
        formula="d(u, v) = ‖u − v + eps‖_p;  l = max(0, margin + d(a, p) − d(a, n)),"
        "  with swap: d(a, n) → min(d(a, n), d(p, n))",
        convention="eps is added to each coordinate difference (PyTorch's pairwise_distance), so d(x, x) ="
        " eps·D^(1/p), not 0. The mean is over the N triplets.",
        example=Example({"anchor": [[0.0, 0.0], [1.0, 1.0]], "positive": [[0.3, 0.4], [1.0, 1.2]],
                         "negative": [[1.0, 0.0], [3.0, 1.0]]}))
def torch_triplet_margin_loss(
    anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray, margin: float, p: float, eps: float, swap: bool,
) -> np.ndarray:
    """torch.nn.functional.triplet_margin_loss."""
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = np.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return np.maximum(0, margin + d_pos - d_neg)


@_torch("ctc_loss", "ctc", "CTCLoss", task="sequence", sum_rule="Σ of the raw negative log-likelihoods, as PyTorch's reduction='sum'",
        roles=(Role("log_probs", Kind.LOG_PROBABILITIES, Shape.SEQUENCE, "log-probabilities (N, T, C), batch first"),
               Role("targets", Kind.LABEL_LISTS, Shape.MATRIX, "padded label sequences (N, S)"),
               Role("input_lengths", Kind.LENGTHS, Shape.VECTOR, "time steps used per sample"),
               Role("target_lengths", Kind.LENGTHS, Shape.VECTOR, "labels used per sample")),
        params=(Param("blank", "int", 0, "index of the blank class", low=0),
                Param("zero_infinity", "bool", False, "infinite losses (impossible alignments) become 0")),
        formula="l = −log p(targets | log_probs) / max(target_length, 1);  mean over samples",
        convention="PyTorch's ctc_loss: reduction='mean' divides each sample's negative log-likelihood by its"
        " target length before averaging; 'sum' and 'none' (the per-sample values) are the raw likelihoods."
        " Batch first (PyTorch's log_probs are time first: transpose (T, N, C) to (N, T, C)).",
        example=Example({"log_probs": np.log(np.exp(CTC_EXAMPLE_SCORES) / np.exp(CTC_EXAMPLE_SCORES).sum(-1, keepdims=True)).tolist(),
                         "targets": [[1, 2], [1, 0]], "input_lengths": [3, 3], "target_lengths": [2, 1]}),
        lenient=(Lenient("log_probs", "PyTorch uses any values as log-probabilities"),))
def torch_ctc_loss(
    log_probs: np.ndarray, targets: np.ndarray, input_lengths: np.ndarray, target_lengths: np.ndarray, blank: int,
    zero_infinity: bool,
) -> Reported:
    """torch.nn.functional.ctc_loss."""
    nll = ctc_nll(log_probs, targets, input_lengths, target_lengths, blank)
    if zero_infinity:
        nll = np.where(np.isinf(nll), 0, nll)
    return Reported(nll, nll / np.maximum(target_lengths, 1))
