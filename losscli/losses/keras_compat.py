"""Keras-compatible losses: ``keras.<function name>`` and ``keras.<class name>``.

Each follows ``keras.losses`` (Keras 3) with its defaults: probabilities clipped to
[1e-7, 1 − 1e-7] (``keras.backend.epsilon()``), Keras's label smoothing, the mean over the
last axis per sample, and the ``sum_over_batch_size`` reduction: Σ w·l / N, dividing weighted
sums by the batch size, not by the sum of weights.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from losscli.errors import LossCliError
from losscli.losses._math import (
    column_param, log_softmax, per_sample_mean, per_sample_sum, position_rows, sigmoid, softplus, summed_per_sample,
)
from losscli.losses.classification import BINARY_EXAMPLE, PROBS_EXAMPLE, clipped_bce
from losscli.losses.regression import (
    DELTA, REGRESSION_EXAMPLE, VALUE_ROLES, absolute_error, huber_error, log_cosh, squared_error,
)
from losscli.losses.sequence import CTC_EXAMPLE_SCORES, ctc_nll, log_softmax_last
from losscli.registry import Check, Example, Kind, Lenient, Param, Pooled, Reducer, Role, Shape, Weighted, register

EPSILON = 1e-7
FROM_LOGITS = Param("from_logits", "bool", False, "inputs are logits rather than probabilities")
KERAS_SMOOTHING = Param("label_smoothing", "float", 0.0, "squeeze targets towards uniform", low=0.0, high=1.0)
FEATURE_AXIS = Param("axis", "axes", -1, "the feature (class) axis; any single axis but the batch axis 0")
BATCH_SIZE_MEAN = "Reduction sum_over_batch_size: Σ w·l / N (weights do not enter the denominator)."
PROBS_OR_LOGITS = "probabilities, or logits with from_logits=true"
ANY_TARGET = Lenient("target", "Keras checks no target range and uses any value in its formula")
CLIPPED_PRED = Lenient("pred", "Keras clips them to [1e-7, 1 − 1e-7]")
RENORMALISED_PRED = Lenient("pred", "Keras divides each row by its sum, then clips to [1e-7, 1 − 1e-7]")
SUMMED_PRED = Lenient("pred", "Keras sums them as given")


COLUMN_AS_SAMPLES = (
    "An (N,) column is N samples of one value each: given the same vector as one tensor of shape (N,), Keras"
    " reduces its last axis and sees one sample (for pred [2.5, 0, 2, 8], target [3, −0.5, 2, 7] and MSE both"
    " give the mean 0.375, but Keras's 'sum' is 0.375 where losscli's is 1.5, and Keras takes one weight, not"
    " four); to score a vector as one Keras sample, save it as a (1, N) row."
)


POSITIONS = (
    "Inputs of three or more axes (N, d1, …, K) give Keras's loss at every position (N, d1, …): a sample's value"
    " adds its positions (reduction='none' summed), the mean divides by every position, and sample weights may be"
    " (N,) or one per position (N, d1, …)."
)
STRING_ALIASES = {  # the short names keras.losses.get() also takes
    "binary_crossentropy": ("bce", "BCE"), "kl_divergence": ("kld", "KLD"), "mean_absolute_error": ("mae", "MAE"),
    "mean_squared_error": ("mse", "MSE"), "mean_absolute_percentage_error": ("mape", "MAPE"),
    "mean_squared_logarithmic_error": ("msle", "MSLE"),
}
_POSITION_SHAPES = {Shape.MATRIX: Shape.CLASSES_LAST, Shape.INDEX: Shape.LAST_INDEX}


def _keras(name: str, canonical: str, cls: str, **declarations):  # type: ignore[no-untyped-def]
    declarations["convention"] = f"{declarations['convention']} {COLUMN_AS_SAMPLES}"
    declarations.setdefault("reducer", Reducer.BATCH_MEAN)
    declarations.setdefault("weighted_per_sample", True)  # reduction='none' returns sample_weight·l
    positions = declarations["reducer"] is not Reducer.POOLED and declarations["roles"][0].shape is not Shape.SEQUENCE
    if positions:
        declarations["convention"] += f" {POSITIONS}"
        declarations["roles"] = tuple(replace(r, shape=_POSITION_SHAPES.get(r.shape, r.shape)) for r in declarations["roles"])
        declarations["element_weights"] = "positions"
    aliases = (f"keras.{cls}", *(f"keras.{short}" for short in STRING_ALIASES.get(name, ())))
    registered = register(name=f"keras.{name}", aliases=aliases, follows="keras", canonical=canonical, **declarations)
    return (lambda fn: registered(_over_positions(fn))) if positions else registered


def _over_positions(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` (one loss per row of (N, K) inputs) at every position of (N, d1, …, K) inputs, as Keras reduces
    only the feature axis; per sample: Reported(Σ over positions, their mean), or Weighted sums (masked rows)."""
    def at_positions(*inputs: np.ndarray, element_weight: np.ndarray | None = None, **params: Any) -> Any:
        first = inputs[0]
        if first.ndim < 3:
            return fn(*inputs, **params)
        axis = -1
        if "axis" in params:
            _check_feature_axis(params["axis"], first.ndim)
            axis = params["axis"] if isinstance(params["axis"], int) else params["axis"][0]
            params = {**params, "axis": -1}
        out = fn(*position_rows(inputs, axis), **params)
        if element_weight is not None:
            w = element_weight.reshape(-1)
            out = Weighted(w * out.values, out.weights) if isinstance(out, Weighted) else w * out
        return summed_per_sample(out, len(first))

    at_positions.__doc__, at_positions.__name__ = fn.__doc__, fn.__name__
    signature = inspect.signature(fn)
    at_positions.__signature__ = signature.replace(parameters=[  # type: ignore[attr-defined]
        *signature.parameters.values(), inspect.Parameter("element_weight", inspect.Parameter.KEYWORD_ONLY, default=None)])
    return at_positions


def _check_feature_axis(axis: int | list[int], ndim: int) -> None:
    """Keras's ``axis``: one axis other than the batch axis (an (N,) input counts as (N, 1))."""
    axes, width = ([axis] if isinstance(axis, int) else axis), max(ndim, 2)
    if len(axes) != 1 or not -width <= axes[0] < width or axes[0] % width == 0:
        raise LossCliError(f"axis={axis} is not a feature axis of inputs with {width} axes",
                           "use the default axis=-1 (the last axis); axis 0 is the batch axis")


def _renormalised_clipped(prob: np.ndarray) -> np.ndarray:
    """Keras's treatment of class probabilities: divide by the row sum, then clip to [ε, 1 − ε]."""
    return np.clip(prob / prob.sum(axis=1, keepdims=True), EPSILON, 1 - EPSILON)


@_keras("mean_squared_error", "mse", "MeanSquaredError", task="regression", roles=VALUE_ROLES, params=(),
        formula="l = mean over the last axis of (y_pred − y_true)²", convention=BATCH_SIZE_MEAN,
        example=REGRESSION_EXAMPLE, zero_at_perfect=True)
def keras_mean_squared_error(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.mean_squared_error."""
    return squared_error(pred, target)


@_keras("mean_absolute_error", "mae", "MeanAbsoluteError", task="regression", roles=VALUE_ROLES, params=(),
        formula="l = mean over the last axis of |y_pred − y_true|", convention=BATCH_SIZE_MEAN,
        example=REGRESSION_EXAMPLE, zero_at_perfect=True)
def keras_mean_absolute_error(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.mean_absolute_error."""
    return absolute_error(pred, target)


@_keras("huber", "huber", "Huber", task="regression", roles=VALUE_ROLES, params=(DELTA,),
        formula="l = mean { ½e² if |e| ≤ δ; δ·|e| − ½δ² otherwise }",
        convention=f"delta = 1 by default. {BATCH_SIZE_MEAN}", example=REGRESSION_EXAMPLE, zero_at_perfect=True)
def keras_huber(pred: np.ndarray, target: np.ndarray, delta: float) -> np.ndarray:
    """keras.losses.huber."""
    return huber_error(pred, target, delta)


@_keras("binary_crossentropy", "bce", "BinaryCrossentropy", task="binary",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.ANY, PROBS_OR_LOGITS, kind_flag="from_logits"),
               Role("target", Kind.SOFT_TARGETS, doc="0/1 labels or soft targets")),
        params=(FROM_LOGITS, KERAS_SMOOTHING, FEATURE_AXIS),
        formula="t' = t·(1 − ls) + ls/2;  l = −mean [t'·log p + (1 − t')·log(1 − p)],  p clipped to [1e-7, 1 − 1e-7]",
        convention="A confident mistake (p = 0 for a positive) costs −log(1e-7) ≈ 16.118."
        f" With from_logits=true the loss is exact (softplus form), no clipping, as Keras computes it on the"
        " TensorFlow, JAX and PyTorch backends (its NumPy backend clips the sigmoid to [1e-7, 1 − 1e-7] first, so"
        f" there a logit beyond ±16.1 costs at most 16.118). {BATCH_SIZE_MEAN}",
        example=BINARY_EXAMPLE, lenient=(CLIPPED_PRED, ANY_TARGET))
def keras_binary_crossentropy(
    pred: np.ndarray, target: np.ndarray, from_logits: bool, label_smoothing: float, axis: int | list[int],
) -> np.ndarray:
    """keras.losses.binary_crossentropy."""
    _check_feature_axis(axis, pred.ndim)
    t = target * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return per_sample_mean(t * softplus(-pred) + (1 - t) * softplus(pred))
    return per_sample_mean(clipped_bce(pred, t, EPSILON))


@_keras("categorical_crossentropy", "categorical_crossentropy", "CategoricalCrossentropy", task="multiclass",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, PROBS_OR_LOGITS, kind_flag="from_logits"),
               Role("target", Kind.SOFT_TARGETS, doc="one-hot or soft targets, same shape")),
        params=(FROM_LOGITS, KERAS_SMOOTHING, FEATURE_AXIS),
        formula="t' = t·(1 − ls) + ls/K;  l = −Σ_c t'_c·log p_c,  p = clip(pred / Σ pred, 1e-7, 1 − 1e-7)",
        convention="Probabilities are renormalised to sum to 1, then clipped; with from_logits=true,"
        f" log_softmax is used instead. {BATCH_SIZE_MEAN}",
        example=PROBS_EXAMPLE, lenient=(RENORMALISED_PRED, ANY_TARGET))
def keras_categorical_crossentropy(
    pred: np.ndarray, target: np.ndarray, from_logits: bool, label_smoothing: float, axis: int | list[int],
) -> np.ndarray:
    """keras.losses.categorical_crossentropy."""
    _check_feature_axis(axis, pred.ndim)
    t = target * (1 - label_smoothing) + label_smoothing / pred.shape[1]
    logp = log_softmax(pred) if from_logits else np.log(_renormalised_clipped(pred))
    return -per_sample_sum(t * logp)


@_keras("sparse_categorical_crossentropy", "nll", "SparseCategoricalCrossentropy", task="multiclass",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, PROBS_OR_LOGITS, kind_flag="from_logits"),
               Role("target", Kind.CLASS_INDICES, Shape.INDEX, "integer class indices")),
        params=(FROM_LOGITS, Param("ignore_class", "int_or_none", None, "rows with this label are masked out")),
        formula="l = −log p_y,  p = clip(pred / Σ pred, 1e-7, 1 − 1e-7);  with ignore_class: Σ w·l / (rows kept)",
        convention="Integer labels; probabilities renormalised then clipped as in categorical_crossentropy;"
        f" from_logits=true uses log_softmax. {BATCH_SIZE_MEAN} Rows labelled ignore_class are masked:"
        " they add nothing, and the batch size counts only the rows kept.",
        example=Example({"pred": [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], "target": [0, 2]}), lenient=(RENORMALISED_PRED,))
def keras_sparse_categorical_crossentropy(
    pred: np.ndarray, target: np.ndarray, from_logits: bool, ignore_class: int | None,
) -> Weighted:
    """keras.losses.sparse_categorical_crossentropy."""
    logp = log_softmax(pred) if from_logits else np.log(_renormalised_clipped(pred))
    kept = target != ignore_class if ignore_class is not None else np.ones(len(target), dtype=bool)
    picked = logp[np.arange(len(target)), np.where(kept, target, 0)]
    mask = kept.astype(logp.dtype)
    return Weighted(-picked * mask, mask)


# --- the rest of keras.losses ----------------------------------------------------------------

KERAS_ALPHA = Param("alpha", "float", 0.25, "weight of class 1 (class 0 gets 1 − alpha)", low=0.0, high=1.0)
KERAS_GAMMA = Param("gamma", "float", 2.0, "focusing exponent: 0 removes the focal factor", low=0.0)
HINGE_ROLES = (Role("pred", Kind.VALUES, Shape.ANY, "decision scores"),
               Role("target", Kind.HINGE_LABELS, doc="-1/1 labels, or 0/1 (converted to -1/1)"))
HINGE_EXAMPLE = Example({"pred": [0.8, -0.3, 1.7, -2.0], "target": [1, 1, -1, -1]})
LABELS_TO_SIGNS = ("Labels {0, 1} become {−1, 1} when every label is 0 or 1 (as Keras converts); otherwise every"
                   " label is used as given, so with −1 labels present a 0 label costs 1 (warned: the canonical"
                   " losses refuse 0 with −1).")
HINGE_LENIENT = (
    Lenient("target", "Keras uses labels other than −1, 0 and 1 as given"),
    Lenient("target", "Keras converts 0/1 labels to −1/1 only when every label is 0 or 1, so these 0 labels are used"
            " as given (each costs 1)", Check.LABEL_MIX),
)


def _keras_signs(target: np.ndarray) -> np.ndarray:
    """Keras's labels: 2t − 1 when every label is 0 or 1, else the labels as given."""
    return 2 * target - 1 if ((target == 0) | (target == 1)).all() else target


@_keras("mean_absolute_percentage_error", "mape", "MeanAbsolutePercentageError", task="regression",
        roles=VALUE_ROLES, params=(),
        formula="l = 100 · mean over the last axis of |y_true − y_pred| / max(|y_true|, 1e-7)",
        convention="In percent; the denominator is floored at 1e-7 (keras.backend.epsilon()), so a zero target"
        f" costs |y_pred|·1e9 percent. The canonical mape with its default eps. {BATCH_SIZE_MEAN}",
        example=REGRESSION_EXAMPLE, zero_at_perfect=True)
def keras_mean_absolute_percentage_error(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.mean_absolute_percentage_error."""
    return per_sample_mean(100 * np.abs(target - pred) / np.maximum(np.abs(target), EPSILON))


@_keras("mean_squared_logarithmic_error", "msle", "MeanSquaredLogarithmicError", task="regression",
        roles=(Role("pred", Kind.VALUES, doc="predicted values (below 1e-7 read as 1e-7)"),
               Role("target", Kind.VALUES, doc="true values (below 1e-7 read as 1e-7)")),
        params=(),
        formula="l = mean over the last axis of (log(1 + max(y_pred, 1e-7)) − log(1 + max(y_true, 1e-7)))²",
        convention="Both sides are floored at 1e-7 before the log, so negative values are accepted and count"
        " as ≈ 0 (the canonical msle rejects them, and a zero there costs exactly log 1 = 0 rather than"
        f" log(1 + 1e-7)). {BATCH_SIZE_MEAN}",
        example=REGRESSION_EXAMPLE, zero_at_perfect=True)
def keras_mean_squared_logarithmic_error(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.mean_squared_logarithmic_error."""
    return per_sample_mean(np.square(np.log1p(np.maximum(pred, EPSILON)) - np.log1p(np.maximum(target, EPSILON))))


@_keras("cosine_similarity", "cosine_embedding", "CosineSimilarity", task="embedding",
        roles=(Role("pred", Kind.EMBEDDINGS, Shape.MATRIX, "predicted vectors, one row per sample (N, D)"),
               Role("target", Kind.EMBEDDINGS, doc="true vectors, same shape")),
        params=(FEATURE_AXIS,),
        formula="l = −Σ_d ŷ_true,d·ŷ_pred,d,  ŷ = y / max(‖y‖₂, 1e-7)",
        convention="The negated cosine similarity of each row: −1 for the same direction, 0 for orthogonal"
        " rows or a zero vector, +1 for opposite ones, so the loss is negative when the prediction is good."
        " Norms are floored at 1e-7 (keras.ops.normalize). It equals cosine_embedding with label 1, minus 1."
        f" {BATCH_SIZE_MEAN}",
        example=Example({"pred": [[1.0, 0.0], [1.0, 1.0], [-1.0, -1.0]], "target": [[0.0, 1.0], [1.0, 1.0], [1.0, 1.0]]}),
        non_negative=False)
def keras_cosine_similarity(pred: np.ndarray, target: np.ndarray, axis: int | list[int]) -> np.ndarray:
    """keras.losses.cosine_similarity."""
    _check_feature_axis(axis, pred.ndim)
    def unit(x: np.ndarray) -> np.ndarray:
        return x / np.maximum(np.sqrt(np.square(x).sum(axis=1, keepdims=True)), EPSILON)

    return -(unit(target) * unit(pred)).sum(axis=1)


@_keras("log_cosh", "log_cosh", "LogCosh", task="regression", roles=VALUE_ROLES, params=(),
        formula="l = mean over the last axis of log(cosh(e)) = e + softplus(−2e) − log 2,  e = y_pred − y_true",
        convention=f"The same quantity as the canonical log_cosh, computed without overflow. {BATCH_SIZE_MEAN}",
        example=REGRESSION_EXAMPLE, zero_at_perfect=True)
def keras_log_cosh(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.log_cosh."""
    return log_cosh(pred, target)


@_keras("hinge", "hinge", "Hinge", task="binary", roles=HINGE_ROLES, params=(),
        formula="l = mean over the last axis of max(0, 1 − y·s),  y ∈ {−1, 1}",
        convention=f"{LABELS_TO_SIGNS} {BATCH_SIZE_MEAN}", example=HINGE_EXAMPLE, zero_at_perfect=True,
        lenient=HINGE_LENIENT)
def keras_hinge(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.hinge."""
    return per_sample_mean(np.maximum(0, 1 - _keras_signs(target) * pred))


@_keras("squared_hinge", "squared_hinge", "SquaredHinge", task="binary", roles=HINGE_ROLES, params=(),
        formula="l = mean over the last axis of max(0, 1 − y·s)²,  y ∈ {−1, 1}",
        convention=f"{LABELS_TO_SIGNS} {BATCH_SIZE_MEAN}", example=HINGE_EXAMPLE, zero_at_perfect=True,
        lenient=HINGE_LENIENT)
def keras_squared_hinge(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.squared_hinge."""
    return per_sample_mean(np.square(np.maximum(0, 1 - _keras_signs(target) * pred)))


@_keras("categorical_hinge", "multiclass_hinge", "CategoricalHinge", task="multiclass",
        roles=(Role("pred", Kind.VALUES, Shape.MATRIX, "decision score per class"),
               Role("target", Kind.SOFT_TARGETS, doc="one-hot targets, same shape")),
        params=(),
        formula="l = max(0, 1 + neg − pos),  pos = Σ_c t_c·s_c,  neg = max_c (1 − t_c)·s_c",
        convention="With one-hot targets the true class enters neg as 0·s_y, so neg = max(0, max_{c≠y} s_c):"
        " rival scores below 0 count as 0, unlike the Crammer–Singer multiclass_hinge (scores [0.5, −1, −2]"
        " for class 0 cost 0.5 here, 0 there). One-hot targets only: Keras's docstring also mentions {−1, 1}"
        f" targets, which its code uses unconverted. {BATCH_SIZE_MEAN}",
        example=Example({"pred": [[2.0, 0.5, -1.0], [0.1, 0.2, 3.0], [0.5, -1.0, -2.0]],
                         "target": [[1, 0, 0], [0, 1, 0], [1, 0, 0]]}), lenient=(ANY_TARGET,))
def keras_categorical_hinge(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.categorical_hinge."""
    pos = (target * pred).sum(axis=1)
    neg = ((1 - target) * pred).max(axis=1)
    return np.maximum(neg - pos + 1, 0)


@_keras("kl_divergence", "kl_div", "KLDivergence", task="distribution",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, "predicted distribution q"),
               Role("target", Kind.SOFT_TARGETS, doc="true distribution p, same shape")),
        params=(),
        formula="l = Σ_c p_c·log(p_c / q_c),  p and q clipped to [1e-7, 1]",
        convention="Both sides are clipped to [1e-7, 1] and not renormalised: a zero target adds"
        " 1e-7·log(1e-7/q) (not exactly 0) and a zero prediction costs p·log(p/1e-7) instead of the"
        f" infinity of kl_div at its default eps = 0. {BATCH_SIZE_MEAN}",
        example=Example({"pred": [[0.4, 0.4, 0.2], [0.1, 0.6, 0.3]], "target": [[0.5, 0.3, 0.2], [0.0, 0.5, 0.5]]}),
        zero_at_perfect=True, lenient=tuple(Lenient(role, "Keras clips them to [1e-7, 1]") for role in ("pred", "target")))
def keras_kl_divergence(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.kl_divergence."""
    p = np.clip(target, EPSILON, 1)
    q = np.clip(pred, EPSILON, 1)
    return (p * np.log(p / q)).sum(axis=1)


@_keras("poisson", "poisson_nll", "Poisson", task="regression",
        roles=(Role("pred", Kind.NON_NEGATIVE, doc="predicted rate λ >= 0"),
               Role("target", Kind.NON_NEGATIVE, doc="observed counts")),
        params=(),
        formula="l = mean over the last axis of [λ − t·log(λ + 1e-7)]",
        convention="1e-7 is added inside the log, so λ = 0 is finite (it costs 16.118·t). As poisson_nll"
        " without full, the constant log t! is left out, so the loss can be negative."
        f" {BATCH_SIZE_MEAN}",
        example=Example({"pred": [2.0, 0.5, 3.0], "target": [3.0, 0.0, 1.0]}), non_negative=False,
        lenient=(Lenient("pred", "Keras computes λ − t·log(λ + 1e-7), finite while λ > −1e-7",
                         refused=lambda x: x + EPSILON <= 0, refused_why="Keras's log(λ + 1e-7) is not finite there"),
                 Lenient("target", "Keras checks no counts and uses negative ones in its formula")))
def keras_poisson(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.poisson."""
    return per_sample_mean(pred - target * np.log(pred + EPSILON))


@_keras("binary_focal_crossentropy", "focal", "BinaryFocalCrossentropy", task="binary",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.ANY, PROBS_OR_LOGITS, kind_flag="from_logits"),
               Role("target", Kind.SOFT_TARGETS, doc="0/1 labels or soft targets")),
        params=(Param("apply_class_balancing", "bool", False, "weight class 1 by alpha and class 0 by 1 − alpha"),
                KERAS_ALPHA, KERAS_GAMMA, FROM_LOGITS, KERAS_SMOOTHING, FEATURE_AXIS),
        formula="t' = t·(1 − ls) + ls/2;  p_t = t'·p + (1 − t')·(1 − p);  l = mean [w·(1 − p_t)^γ·bce(t', p)],"
        "  w = t'·α + (1 − t')·(1 − α) with apply_class_balancing, else 1",
        convention="alpha is ignored unless apply_class_balancing=true (the canonical focal always applies it)."
        " bce clips p to [1e-7, 1 − 1e-7] but the focal factor uses the unclipped p. from_logits=true takes"
        " the sigmoid first and then clips like probabilities, so it is not exact at extreme logits"
        f" (−1000 for a positive costs 16.118). gamma = 0 without balancing is binary_crossentropy. {BATCH_SIZE_MEAN}",
        example=BINARY_EXAMPLE,
        lenient=(Lenient("pred", "Keras clips them to [1e-7, 1 − 1e-7] in the cross-entropy and uses them unclipped in the"
                         " focal factor"), ANY_TARGET))
def keras_binary_focal_crossentropy(
    pred: np.ndarray, target: np.ndarray, apply_class_balancing: bool, alpha: float, gamma: float,
    from_logits: bool, label_smoothing: float, axis: int | list[int],
) -> np.ndarray:
    """keras.losses.binary_focal_crossentropy."""
    _check_feature_axis(axis, pred.ndim)
    t = target * (1 - label_smoothing) + 0.5 * label_smoothing
    p = sigmoid(pred) if from_logits else pred
    p_t = t * p + (1 - t) * (1 - p)
    loss = np.power(1 - p_t, gamma) * clipped_bce(p, t, EPSILON)
    if apply_class_balancing:
        loss = (t * alpha + (1 - t) * (1 - alpha)) * loss
    return per_sample_mean(loss)


@_keras("categorical_focal_crossentropy", "categorical_focal", "CategoricalFocalCrossentropy", task="multiclass",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, PROBS_OR_LOGITS, kind_flag="from_logits"),
               Role("target", Kind.SOFT_TARGETS, doc="one-hot or soft targets, same shape")),
        params=(Param("alpha", "float_or_list", 0.25, "class weight: one number, or one per class", low=0.0),
                KERAS_GAMMA, FROM_LOGITS, KERAS_SMOOTHING, FEATURE_AXIS),
        formula="t' = t·(1 − ls) + ls/K;  l = −Σ_c α_c·(1 − p_c)^γ·t'_c·log p_c,"
        "  p = clip(pred / Σ pred, 1e-7, 1 − 1e-7)",
        convention="Probabilities are renormalised then clipped (the canonical categorical_focal only clips);"
        " with from_logits=true the softmax is taken first and then clipped the same way. alpha = 0.25 scales"
        " every class unless given per class, so gamma = 0 with alpha = 1 is categorical_crossentropy."
        f" {BATCH_SIZE_MEAN}",
        example=PROBS_EXAMPLE, lenient=(RENORMALISED_PRED, ANY_TARGET))
def keras_categorical_focal_crossentropy(
    pred: np.ndarray, target: np.ndarray, alpha: float | list[float], gamma: float, from_logits: bool,
    label_smoothing: float, axis: int | list[int],
) -> np.ndarray:
    """keras.losses.categorical_focal_crossentropy."""
    _check_feature_axis(axis, pred.ndim)
    t = target * (1 - label_smoothing) + label_smoothing / pred.shape[1]
    p = _renormalised_clipped(np.exp(log_softmax(pred)) if from_logits else pred)
    a = column_param(alpha, pred.shape[1], pred.dtype, "alpha")
    return -per_sample_sum(a * np.power(1 - p, gamma) * t * np.log(p))


@_keras("categorical_generalized_cross_entropy", "nll", "CategoricalGeneralizedCrossEntropy", task="multiclass",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, "class probabilities (N, K)"),
               Role("target", Kind.CLASS_INDICES, Shape.INDEX, "integer class indices")),
        params=(Param("q", "float", 0.5, "0 < q < 1: towards 0 cross-entropy, at 1 the mean absolute error",
                      low=0.0, high=1.0, low_open=True, high_open=True),),
        formula="l = (1 − p_y^q) / q",
        convention="Integer class labels (despite the 'categorical' name); the probability of the true class is"
        " used as given, with no clipping or renormalisation, so p_y = 0 costs 1/q. As q → 0 it tends to"
        f" −log p_y (nll of log p). {BATCH_SIZE_MEAN}",
        example=Example({"pred": [[0.7, 0.3], [0.2, 0.8], [0.6, 0.4], [0.4, 0.6]], "target": [0, 1, 0, 1]},
                        {"q": 0.1}),
        zero_at_perfect=True,
        lenient=(Lenient("pred", "Keras uses p_y as given (above 1 the loss is negative)", refused=lambda x: x < 0,
                         refused_why="Keras's p_y^q is NaN for a negative p_y"),))
def keras_categorical_generalized_cross_entropy(pred: np.ndarray, target: np.ndarray, q: float) -> np.ndarray:
    """keras.losses.categorical_generalized_cross_entropy."""
    p_y = pred[np.arange(len(target)), target]
    return (1 - np.power(p_y, q)) / q


# --- overlap and sequence losses ---------------------------------------------------------------

KERAS_AXIS = Param("axis", "axes", None, "none: one loss over the whole batch (Keras's default);"
                   " the axes after the batch axis, e.g. [1,2]: one loss per sample")
POOLED_BATCH = ("With axis=none (the default) Keras sums over the whole batch, so the reduced value is one"
                " overlap score of all masks together, multiplied by mean(sample weights); --per-sample shows"
                " each sample scored alone (as axis=[1, …] would). --reduction sum gives L unweighted and"
                " L·Σw with weights, as Keras does.")


def _pooled_or_per_sample(parts: np.ndarray, combine: Any, axis: list[int] | None, ndim: int) -> Pooled | np.ndarray:
    """Per-sample scores, pooled over the batch when ``axis`` is None; other axes must cover 1..ndim−1."""
    per_sample = combine(parts)
    if axis is None:
        return Pooled(per_sample, parts, combine)
    if any(not -ndim <= a < ndim for a in axis) or sorted({a % ndim for a in axis}) != list(range(1, ndim)):
        raise LossCliError(
            f"axis={axis} does not give one loss per sample for inputs with {ndim} axes",
            f"use axis=none (the whole batch) or axis={list(range(1, ndim))} (each sample)",
        )
    return per_sample


def _mask_sums(pred: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-sample Σ p·t, Σ p and Σ t over every axis after the first."""
    p, t = pred.reshape(len(pred), -1), target.reshape(len(target), -1)
    return (p * t).sum(axis=1), p.sum(axis=1), t.sum(axis=1)


@_keras("dice", "dice", "Dice", task="segmentation",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.ANY, "predicted foreground probability per pixel (N, ...)"),
               Role("target", Kind.SOFT_TARGETS, doc="true mask, same shape")),
        params=(KERAS_AXIS,), reducer=Reducer.POOLED,
        formula="L = 1 − 2·Σ p·t / (Σ t + Σ p + 1e-7), sums over the whole batch (axis=none)",
        convention="No smoothing in the numerator: an empty mask predicted empty scores 1, not 0 (the canonical"
        f" dice adds its smooth to both sides and scores each sample alone). {POOLED_BATCH}",
        example=Example({"pred": [[0.9, 0.8, 0.1, 0.0], [0.2, 0.3, 0.6, 0.1]], "target": [[1, 1, 0, 0], [0, 0, 1, 1]]}),
        lenient=(SUMMED_PRED, ANY_TARGET))
def keras_dice(pred: np.ndarray, target: np.ndarray, axis: list[int] | None) -> Pooled | np.ndarray:
    """keras.losses.dice."""
    overlap, p_sum, t_sum = _mask_sums(pred, target)

    def combine(s: np.ndarray) -> np.ndarray:
        return 1 - 2 * s[..., 0] / (s[..., 1] + EPSILON)

    return _pooled_or_per_sample(np.stack([overlap, p_sum + t_sum], axis=-1), combine, axis, pred.ndim)


@_keras("tversky", "tversky", "Tversky", task="segmentation",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.ANY, "predicted foreground probability per pixel (N, ...)"),
               Role("target", Kind.SOFT_TARGETS, doc="true mask, same shape")),
        params=(Param("alpha", "float", 0.5, "weight of false positives Σ p·(1 − t)", low=0.0),
                Param("beta", "float", 0.5, "weight of false negatives Σ (1 − p)·t", low=0.0), KERAS_AXIS),
        reducer=Reducer.POOLED,
        formula="L = 1 − TP / (TP + α·FP + β·FN + 1e-7),  TP = Σ p·t, FP = Σ p·(1 − t), FN = Σ (1 − p)·t",
        convention="α weights false positives and β false negatives, as the Keras 3 docstring says and its code"
        " does since keras-team/keras#23333 (July 2026); earlier Keras 3 releases, 3.15 among them, applied them the"
        " other way round, 1 − TP / (TP + β·FP + α·FN + 1e-7): on the example below (α = 0.7, β = 0.3) they give"
        " 0.351351 where current Keras and losscli give 0.272727 (the same value when α = β). No smoothing in the"
        " numerator: an empty mask predicted empty scores 1."
        f" {POOLED_BATCH}",
        example=Example({"pred": [[0.9, 0.8, 0.1, 0.0], [0.2, 0.3, 0.6, 0.1]], "target": [[1, 1, 0, 0], [0, 0, 1, 1]]},
                        {"alpha": 0.7, "beta": 0.3}), lenient=(SUMMED_PRED, ANY_TARGET))
def keras_tversky(
    pred: np.ndarray, target: np.ndarray, alpha: float, beta: float, axis: list[int] | None,
) -> Pooled | np.ndarray:
    """keras.losses.tversky."""
    tp, p_sum, t_sum = _mask_sums(pred, target)

    def combine(s: np.ndarray) -> np.ndarray:
        return 1 - s[..., 0] / (s[..., 0] + alpha * s[..., 1] + beta * s[..., 2] + EPSILON)

    return _pooled_or_per_sample(np.stack([tp, p_sum - tp, t_sum - tp], axis=-1), combine, axis, pred.ndim)


@_keras("ctc", "ctc", "CTC", task="sequence",
        roles=(Role("pred", Kind.LOGITS, Shape.SEQUENCE, "logits (N, T, C); class 0 is the blank"),
               Role("target", Kind.ZERO_PADDED_LABELS, Shape.MATRIX, "label sequences (N, S) of classes 1..C−1,"
                    " padded with 0 after the end")),
        params=(),
        formula="l = −log Σ_{alignments π → y} Π_t softmax(x_t)_{π_t},  blank = 0",
        convention="Keras's ctc: class 0 is both the blank and the padding, each sample's label length is its"
        " count of non-zero labels (losscli also requires the zeros to come last), every sample uses all T"
        " steps, and the per-sample value is the full negative log-likelihood (not divided by the label length,"
        f" unlike torch.ctc_loss). An impossible alignment costs inf. {BATCH_SIZE_MEAN}",
        example=Example({"pred": CTC_EXAMPLE_SCORES, "target": [[1, 2], [1, 0]]}))
def keras_ctc(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """keras.losses.ctc."""
    labels = target.astype(np.int64)
    padding = labels == 0
    lengths = (~padding).sum(axis=1)
    if (padding & (np.arange(labels.shape[1]) < lengths[:, None])).any():
        raise LossCliError("a target label follows the 0 padding", "0 is the blank: pad each label sequence at its end only")
    return ctc_nll(log_softmax_last(pred), labels, np.full(len(pred), pred.shape[1]), lengths, blank=0)
