"""Classification losses: binary (probabilities or logits), multiclass and distributions.

Shape contract: binary losses take (N,) or (N, L) predictions with targets of the same shape
and average over the L labels; multiclass losses take (N, K) scores with (N,) class indices
or (N, K) targets. Each returns (N,).
"""

from __future__ import annotations

import numpy as np

from losscli.losses._math import class_weights, column_param, log_softmax, per_sample_mean, per_sample_sum, sigmoid, softplus, xlogy
from losscli.registry import Example, Kind, Param, Role, Shape, Weighted, register

EPS = Param("eps", "float", 1e-7, "probabilities are clipped to [eps, 1 − eps]", low=0.0, high=0.5, high_open=True)
CLASS_WEIGHT = Param("weight", "float_list", None, "one weight per class, e.g. [1,2,0.5]", low=0.0)
LABEL_SMOOTHING = Param("label_smoothing", "float", 0.0, "mix ε of the uniform distribution into the targets", low=0.0, high=1.0)
BINARY_EXAMPLE = Example({"pred": [0.9, 0.2, 0.6, 0.0], "target": [1, 0, 0, 1]})  # the last: a confident mistake
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


def focal_terms(prob: np.ndarray, target: np.ndarray, gamma: float, eps: float) -> np.ndarray:
    """Elementwise −t·(1 − p)^γ·log p over clipped probabilities (summed over classes by the caller)."""
    p = np.clip(prob, eps, 1 - eps)
    return -target * np.power(1 - p, gamma) * np.log(p)


GAMMA = Param("gamma", "float", 2.0, "focusing exponent: 0 gives plain cross-entropy", low=0.0)


@register(
    name="focal", aliases=("binary_focal",), task="binary",
    roles=(Role("pred", Kind.PROBABILITIES, Shape.ANY, "probability of class 1, or a logit with from_logits=true",
                kind_flag="from_logits"),
           Role("target", Kind.SOFT_TARGETS, doc="0/1 labels or soft targets")),
    params=(Param("alpha", "float", 0.25, "weight of the positive class (1 − α for the negative)", low=0.0, high=1.0),
            GAMMA, Param("from_logits", "bool", False, "pred holds logits"), EPS),
    formula="l = mean_k −[α·t·(1 − p)^γ·log p + (1 − α)·(1 − t)·p^γ·log(1 − p)]",
    convention="Lin et al. (2017) with α = 0.25, γ = 2; probabilities clipped to [eps, 1 − eps]."
    " Keras's binary_focal_crossentropy applies α only with apply_class_balancing=true.",
    example=BINARY_EXAMPLE,
)
def focal(pred: np.ndarray, target: np.ndarray, alpha: float, gamma: float, from_logits: bool, eps: float) -> np.ndarray:
    """Binary focal loss."""
    p = sigmoid(pred) if from_logits else pred
    positive = focal_terms(p, target, gamma, eps)
    negative = focal_terms(1 - p, 1 - target, gamma, eps)
    return per_sample_mean(alpha * positive + (1 - alpha) * negative)


@register(
    name="categorical_focal", task="multiclass",
    roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, "class probabilities, or logits with from_logits=true",
                kind_flag="from_logits"),
           Role("target", Kind.CLASS_TARGETS, Shape.INDEX_OR_SAME, "class indices or one-hot/soft targets")),
    params=(Param("alpha", "float_or_list", 0.25, "class weight: one number, or one per class", low=0.0),
            GAMMA, Param("from_logits", "bool", False, "pred holds logits"), EPS),
    formula="l = −Σ_c α_c·t_c·(1 − p_c)^γ·log p_c",
    convention="Probabilities clipped to [eps, 1 − eps], not renormalised; α = 0.25 and γ = 2 as Keras's"
    " CategoricalFocalCrossentropy (which renormalises probabilities).",
    example=PROBS_EXAMPLE,
)
def categorical_focal(
    pred: np.ndarray, target: np.ndarray, alpha: float | list[float], gamma: float, from_logits: bool, eps: float,
) -> np.ndarray:
    """Categorical focal loss."""
    p = np.exp(log_softmax(pred)) if from_logits else pred
    t = np.eye(p.shape[1], dtype=p.dtype)[target] if target.ndim == 1 else target
    a = column_param(alpha, p.shape[1], p.dtype, "alpha")
    return per_sample_sum(a * focal_terms(p, t, gamma, eps))


@register(
    name="squared_hinge", task="binary",
    roles=(Role("pred", Kind.VALUES, Shape.ANY, "decision score"),
           Role("target", Kind.HINGE_LABELS, doc="-1/1 labels, or 0/1 (0 is read as -1)")),
    params=(),
    formula="l = mean_k max(0, 1 − y·s)²",
    convention="Labels {−1, 1} or {0, 1} (0 becomes −1), as Keras's squared_hinge.",
    example=Example({"pred": [0.8, -0.3, 1.7, -2.0], "target": [1, 1, -1, -1]}), zero_at_perfect=True,
)
def squared_hinge(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Squared hinge loss."""
    y = np.where(target == 0, -1, target).astype(pred.dtype, copy=False)
    return per_sample_mean(np.square(np.maximum(0, 1 - y * pred)))


@register(
    name="multiclass_hinge", aliases=("crammer_singer",), task="multiclass",
    roles=(Role("pred", Kind.VALUES, Shape.MATRIX, "decision score per class"),
           Role("target", Kind.CLASS_INDICES, Shape.INDEX, "true class index")),
    params=(),
    formula="l = max(0, 1 + max_{c ≠ y} s_c − s_y)",
    convention="Crammer–Singer, as scikit-learn's multiclass hinge_loss; PyTorch's multi_margin_loss instead"
    " averages max(0, 1 − s_y + s_c) over every class.",
    example=MULTICLASS_EXAMPLE,
)
def multiclass_hinge(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Multiclass (Crammer–Singer) hinge loss."""
    rows = np.arange(len(target))
    true_score = pred[rows, target]
    others = pred.copy()
    others[rows, target] = -np.inf
    return np.maximum(0, 1 + others.max(axis=1) - true_score)


@register(
    name="js_div", aliases=("jensen_shannon",), task="distribution",
    roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, "predicted distribution q"),
           Role("target", Kind.SOFT_TARGETS, doc="true distribution p, same shape")),
    params=(),
    formula="l = ½·KL(p ‖ m) + ½·KL(q ‖ m),  m = (p + q)/2  (natural log, at most log 2)",
    convention="Symmetric and always finite, unlike KL; in nats (divide by log 2 for bits).",
    example=Example({"pred": [[0.4, 0.4, 0.2], [0.1, 0.6, 0.3]], "target": [[0.5, 0.3, 0.2], [0.0, 0.5, 0.5]]}),
    zero_at_perfect=True,
)
def js_div(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Jensen–Shannon divergence."""
    m = 0.5 * (pred + target)
    kl_pm = per_sample_sum(xlogy(target, target) - xlogy(target, m))
    kl_qm = per_sample_sum(xlogy(pred, pred) - xlogy(pred, m))
    return 0.5 * (kl_pm + kl_qm)


@register(
    name="brier", aliases=("brier_score",), task="binary",
    roles=(Role("pred", Kind.PROBABILITIES, Shape.ANY, "probability of class 1, or (N, K) class probabilities"),
           Role("target", Kind.CLASS_TARGETS, Shape.INDEX_OR_SAME, "0/1 labels; with (N, K) pred, class indices or one-hot")),
    params=(),
    formula="binary: l = (p − t)²;  multiclass: l = Σ_c (p_c − t_c)²",
    convention="Binary scores the positive class only (as scikit-learn); the multiclass form sums over classes,"
    " so a binary problem given as two columns scores twice as much.",
    example=BINARY_EXAMPLE, zero_at_perfect=True,
)
def brier(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Brier score."""
    if pred.ndim == 2 and target.ndim == 1:
        target = np.eye(pred.shape[1], dtype=pred.dtype)[target]
    return per_sample_sum(np.square(pred - target)) if pred.ndim == 2 else np.square(pred - target)


@register(
    name="zero_one", aliases=("error_rate",), task="multiclass",
    roles=(Role("pred", Kind.VALUES, Shape.ANY, "predicted labels, or (N, K) class scores"),
           Role("target", Kind.VALUES, Shape.INDEX_OR_SAME, "true labels (class indices with (N, K) scores)")),
    params=(),
    formula="l = 1 if the prediction differs from the target (argmax of scores; whole row for multilabel) else 0",
    convention="The mean is the error rate (1 − accuracy). With (N, K) scores and (N,) targets the predicted"
    " class is the argmax (first on ties); with equal shapes every label of a row must match.",
    example=Example({"pred": [1, 0, 2, 2], "target": [1, 1, 2, 0]}), zero_at_perfect=True,
)
def zero_one(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Zero-one loss."""
    if pred.ndim == 2 and target.ndim == 1:
        return (pred.argmax(axis=1) != target).astype(np.float64)
    wrong = pred != target
    return (wrong.reshape(len(wrong), -1).any(axis=1)).astype(np.float64)
