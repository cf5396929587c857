"""Classification losses: binary (probabilities or logits), multiclass and distributions.

Shape contract: binary losses take (N,) or (N, L) predictions with targets of the same shape
and average over the L labels; multiclass losses take (N, K) scores with (N,) class indices
or (N, K) targets. Each returns (N,).
"""

from __future__ import annotations

import numpy as np

from losscli.losses._math import class_weights, column_param, log_softmax, per_sample_mean, per_sample_sum, softplus, xlogy
from losscli.registry import Example, Kind, Param, Role, Shape, Weighted, register

EPS = Param("eps", "float", 1e-7, "probabilities are clipped to [eps, 1 − eps]", low=0.0, high=0.5, high_open=True)
CLASS_WEIGHT = Param("weight", "float_list", None, "one weight per class, e.g. [1,2,0.5]", low=0.0)
LABEL_SMOOTHING = Param("label_smoothing", "float", 0.0, "mix ε of the uniform distribution into the targets", low=0.0, high=1.0)
BINARY_EXAMPLE = Example({"pred": [0.9, 0.2, 0.6, 0.0], "target": [1, 0, 0, 0]})
LOGIT_EXAMPLE = Example({"pred": [2.2, -1.4, 0.4, -8.0], "target": [1, 0, 0, 0]})
MULTICLASS_EXAMPLE = Example({"pred": [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0], [1.0, 1.0, 1.0]], "target": [0, 1, 2]})
PROBS_EXAMPLE = Example(
    {"pred": [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.25, 0.5, 0.25]], "target": [[1, 0, 0], [0, 0, 1], [0, 1, 0]]}
)


def clipped_bce(prob: np.ndarray, target: np.ndarray, eps: float) -> np.ndarray:
    """Elementwise −[t·log p + (1−t)·log(1−p)] with p clipped to [eps, 1 − eps]."""
    p = np.clip(prob, eps, 1 - eps) if eps > 0 else prob
    with np.errstate(divide="ignore"):
        return -(target * np.log(p) + (1 - target) * np.log1p(-p))


def logits_bce(logits: np.ndarray, target: np.ndarray, pos_weight: np.ndarray | float = 1.0) -> np.ndarray:
    """Elementwise pos_weight·t·softplus(−x) + (1 − t)·softplus(x): BCE on logits, no overflow."""
    return pos_weight * target * softplus(-logits) + (1 - target) * softplus(logits)


def softmax_cross_entropy(
    logits: np.ndarray, target: np.ndarray, weight: list[float] | None, ignore_index: int | None, label_smoothing: float,
) -> Weighted | np.ndarray:
    """Cross-entropy of logits (N, K) against class indices (N,) or class probabilities (N, K).

    Indices: l = (1−ε)·w_y·(−log p_y) + ε/K·Σ_c w_c·(−log p_c), mean divides by Σ w_y (ignored
    rows have weight 0). Probabilities: t' = (1−ε)t + ε/K, l = −Σ_c w_c·t'_c·log p_c, mean over N.
    """
    n_classes = logits.shape[1]
    logp = log_softmax(logits)
    w = class_weights(weight, n_classes, logp.dtype)
    if target.ndim == 2:
        smoothed = target * (1 - label_smoothing) + label_smoothing / n_classes
        return -(smoothed * logp * w).sum(axis=1)
    idx, valid, w_y = _target_weights(target, w, ignore_index)
    values = (1 - label_smoothing) * w_y * -logp[np.arange(len(idx)), idx]
    if label_smoothing:
        values = values + label_smoothing / n_classes * np.where(valid, -(logp * w).sum(axis=1), 0)
    return Weighted(values, w_y)


def _target_weights(
    target: np.ndarray, w: np.ndarray, ignore_index: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Safe class indices (ignored rows point at class 0), the not-ignored mask, and w_y (0 when ignored)."""
    valid = target != ignore_index if ignore_index is not None else np.ones(len(target), dtype=bool)
    idx = np.where(valid, target, 0)
    return idx, valid, np.where(valid, w[idx], 0).astype(w.dtype)


def weighted_nll(
    logp: np.ndarray, target: np.ndarray, weight: list[float] | None, ignore_index: int | None,
) -> Weighted:
    """l = −w_y·logp_y for log-probabilities (N, K) and class indices (N,); mean divides by Σ w_y."""
    idx, valid, w_y = _target_weights(target, class_weights(weight, logp.shape[1], logp.dtype), ignore_index)
    picked = logp[np.arange(len(idx)), idx]
    return Weighted(-w_y * np.where(valid, picked, 0), w_y)


@register(
    name="bce", aliases=("binary_cross_entropy",), task="binary",
    roles=(Role("pred", Kind.PROBABILITIES, Shape.ANY, "predicted probability of class 1"),
           Role("target", Kind.SOFT_TARGETS, doc="0/1 labels or soft targets in [0, 1]")),
    params=(EPS,),
    formula="l = −mean_k [t·log p + (1 − t)·log(1 − p)],  p clipped to [eps, 1 − eps]",
    convention="Probabilities in [0, 1]; clipping at eps = 1e-7 (as Keras) keeps p = 0 or 1 finite:"
    " a confident mistake costs −log(1e-7) ≈ 16.118. PyTorch instead clamps each log at −100. Mean over labels.",
    example=BINARY_EXAMPLE, logits_twin="bce_with_logits",
)
def bce(pred: np.ndarray, target: np.ndarray, eps: float) -> np.ndarray:
    """Binary cross-entropy on probabilities."""
    return per_sample_mean(clipped_bce(pred, target, eps))


@register(
    name="bce_with_logits", aliases=("sigmoid_cross_entropy",), task="binary",
    roles=(Role("pred", Kind.LOGITS, Shape.ANY, "raw score (logit) of class 1"),
           Role("target", Kind.SOFT_TARGETS, doc="0/1 labels or soft targets in [0, 1]")),
    params=(Param("pos_weight", "float_or_list", 1.0, "weight of positive targets; a list gives one per label", low=0.0),),
    formula="l = mean_k [pos_weight·t·softplus(−x) + (1 − t)·softplus(x)]",
    convention="Logits, as PyTorch's BCEWithLogitsLoss; softplus is computed as max(x,0) + log1p(e^−|x|),"
    " exact for logits of ±1000 with no clipping. Mean over labels.",
    example=LOGIT_EXAMPLE,
)
def bce_with_logits(pred: np.ndarray, target: np.ndarray, pos_weight: float | list[float]) -> np.ndarray:
    """Binary cross-entropy on logits."""
    width = pred.shape[1] if pred.ndim == 2 else 1
    return per_sample_mean(logits_bce(pred, target, column_param(pos_weight, width, pred.dtype, "pos_weight")))


@register(
    name="cross_entropy", aliases=("ce", "softmax_cross_entropy"), task="multiclass",
    roles=(Role("pred", Kind.LOGITS, Shape.MATRIX, "raw class scores (logits), one column per class"),
           Role("target", Kind.CLASS_TARGETS, Shape.INDEX_OR_SAME, "class index per sample, or class probabilities")),
    params=(CLASS_WEIGHT,
            Param("ignore_index", "int_or_none", None, "rows with this label are skipped (none: every label must be a class)"),
            LABEL_SMOOTHING),
    formula="l = −Σ_c w_c·t'_c·log softmax(x)_c,  t' = (1 − ε)·t + ε/K;  with indices the mean divides by Σ w_y",
    convention="Logits with integer or probability targets, as PyTorch's CrossEntropyLoss (log-sum-exp,"
    " class weights, label smoothing), except that no label is ignored unless ignore_index is set.",
    example=MULTICLASS_EXAMPLE,
)
def cross_entropy(
    pred: np.ndarray, target: np.ndarray, weight: list[float] | None, ignore_index: int | None, label_smoothing: float,
) -> Weighted | np.ndarray:
    """Softmax cross-entropy on logits."""
    return softmax_cross_entropy(pred, target, weight, ignore_index, label_smoothing)


@register(
    name="nll", aliases=("negative_log_likelihood",), task="multiclass",
    roles=(Role("pred", Kind.LOG_PROBABILITIES, Shape.MATRIX, "log-probabilities, one column per class"),
           Role("target", Kind.CLASS_INDICES, Shape.INDEX, "class index per sample")),
    params=(CLASS_WEIGHT, Param("ignore_index", "int_or_none", None, "rows with this label are skipped")),
    formula="l = −w_y·logp_y;  mean = Σ l / Σ w_y",
    convention="Log-probabilities (e.g. log_softmax output), as PyTorch's NLLLoss; values above 0 are rejected.",
    example=Example({"pred": [[-0.2, -1.8, -3.0], [-2.3, -0.7, -0.8]], "target": [0, 2]}),
)
def nll(pred: np.ndarray, target: np.ndarray, weight: list[float] | None, ignore_index: int | None) -> Weighted:
    """Negative log-likelihood of the true class."""
    return weighted_nll(pred, target, weight, ignore_index)


@register(
    name="categorical_crossentropy", aliases=("cce",), task="multiclass",
    roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, "class probabilities"),
           Role("target", Kind.SOFT_TARGETS, doc="one-hot or soft targets, same shape")),
    params=(EPS,),
    formula="l = −Σ_c t_c·log clip(p_c, eps, 1)",
    convention="Probabilities used as given (no renormalisation, unlike Keras) and clipped below at eps = 1e-7.",
    example=PROBS_EXAMPLE, zero_at_perfect=True, logits_twin="cross_entropy",
)
def categorical_crossentropy(pred: np.ndarray, target: np.ndarray, eps: float) -> np.ndarray:
    """Categorical cross-entropy on probabilities."""
    p = np.clip(pred, eps, 1) if eps > 0 else pred
    return -per_sample_sum(xlogy(target, p))


@register(
    name="kl_div", aliases=("kl", "kl_divergence", "kld"), task="distribution",
    roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, "predicted distribution q"),
           Role("target", Kind.SOFT_TARGETS, doc="true distribution p, same shape")),
    params=(Param("eps", "float", 0.0, "clip pred below at eps (0: no clipping)", low=0.0, high=0.5, high_open=True),),
    formula="l = KL(target ‖ pred) = Σ_c t_c·(log t_c − log q_c),  0·log 0 = 0",
    convention="Both inputs are probabilities (PyTorch's kl_div wants log-probabilities for pred)."
    " Unclipped by default, so a zero pred where the target is positive gives +inf.",
    example=Example({"pred": [[0.4, 0.4, 0.2], [0.1, 0.6, 0.3]], "target": [[0.5, 0.3, 0.2], [0.0, 0.5, 0.5]]}),
    zero_at_perfect=True,
)
def kl_div(pred: np.ndarray, target: np.ndarray, eps: float) -> np.ndarray:
    """Kullback–Leibler divergence of the target from the prediction."""
    q = np.clip(pred, eps, 1) if eps > 0 else pred
    return per_sample_sum(xlogy(target, target) - xlogy(target, q))


@register(
    name="hinge", task="binary",
    roles=(Role("pred", Kind.VALUES, Shape.ANY, "decision score"),
           Role("target", Kind.HINGE_LABELS, doc="-1/1 labels, or 0/1 (0 is read as -1)")),
    params=(),
    formula="l = mean_k max(0, 1 − y·s),  y ∈ {−1, 1}",
    convention="Labels {−1, 1} or {0, 1} (0 becomes −1, as Keras does); raw decision scores.",
    example=Example({"pred": [0.8, -0.3, 1.7, -2.0], "target": [1, 1, -1, -1]}), zero_at_perfect=True,
)
def hinge(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Hinge loss for margin classifiers."""
    y = np.where(target == 0, -1, target).astype(pred.dtype, copy=False)
    return per_sample_mean(np.maximum(0, 1 - y * pred))
