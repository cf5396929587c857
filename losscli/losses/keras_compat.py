"""Keras-compatible losses: ``keras.<function name>`` and ``keras.<class name>``.

Each follows ``keras.losses`` (Keras 3) with its defaults: probabilities clipped to
[1e-7, 1 − 1e-7] (``keras.backend.epsilon()``), Keras's label smoothing, the mean over the
last axis per sample, and the ``sum_over_batch_size`` reduction: Σ w·l / N, dividing weighted
sums by the batch size, not by the sum of weights.
"""

from __future__ import annotations

import numpy as np

from losscli.losses._math import log_softmax, per_sample_mean, per_sample_sum, softplus
from losscli.losses.classification import BINARY_EXAMPLE, PROBS_EXAMPLE, clipped_bce
from losscli.losses.regression import DELTA, REGRESSION_EXAMPLE, VALUE_ROLES, absolute_error, huber_error, squared_error
from losscli.registry import Example, Kind, Param, Reducer, Role, Shape, register

EPSILON = 1e-7
FROM_LOGITS = Param("from_logits", "bool", False, "inputs are logits rather than probabilities")
KERAS_SMOOTHING = Param("label_smoothing", "float", 0.0, "squeeze targets towards uniform", low=0.0, high=1.0)
BATCH_SIZE_MEAN = "Reduction sum_over_batch_size: Σ w·l / N (weights do not enter the denominator)."
PROBS_OR_LOGITS = "probabilities, or logits with from_logits=true"


def _keras(name: str, canonical: str, cls: str, **declarations):  # type: ignore[no-untyped-def]
    return register(name=f"keras.{name}", aliases=(f"keras.{cls}",), follows="keras", canonical=canonical,
                    reducer=Reducer.BATCH_MEAN, **declarations)


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
        roles=(Role("pred", Kind.PROBABILITIES, Shape.ANY, PROBS_OR_LOGITS, logits_flag="from_logits"),
               Role("target", Kind.SOFT_TARGETS, doc="0/1 labels or soft targets")),
        params=(FROM_LOGITS, KERAS_SMOOTHING),
        formula="t' = t·(1 − ls) + ls/2;  l = −mean [t'·log p + (1 − t')·log(1 − p)],  p clipped to [1e-7, 1 − 1e-7]",
        convention="A confident mistake (p = 0 for a positive) costs −log(1e-7) ≈ 16.118."
        f" With from_logits=true the loss is exact (softplus form), no clipping. {BATCH_SIZE_MEAN}",
        example=BINARY_EXAMPLE)
def keras_binary_crossentropy(
    pred: np.ndarray, target: np.ndarray, from_logits: bool, label_smoothing: float,
) -> np.ndarray:
    """keras.losses.binary_crossentropy."""
    t = target * (1 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        return per_sample_mean(t * softplus(-pred) + (1 - t) * softplus(pred))
    return per_sample_mean(clipped_bce(pred, t, EPSILON))


@_keras("categorical_crossentropy", "categorical_crossentropy", "CategoricalCrossentropy", task="multiclass",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, PROBS_OR_LOGITS, logits_flag="from_logits"),
               Role("target", Kind.SOFT_TARGETS, doc="one-hot or soft targets, same shape")),
        params=(FROM_LOGITS, KERAS_SMOOTHING),
        formula="t' = t·(1 − ls) + ls/K;  l = −Σ_c t'_c·log p_c,  p = clip(pred / Σ pred, 1e-7, 1 − 1e-7)",
        convention="Probabilities are renormalised to sum to 1, then clipped; with from_logits=true,"
        f" log_softmax is used instead. {BATCH_SIZE_MEAN}",
        example=PROBS_EXAMPLE)
def keras_categorical_crossentropy(
    pred: np.ndarray, target: np.ndarray, from_logits: bool, label_smoothing: float,
) -> np.ndarray:
    """keras.losses.categorical_crossentropy."""
    t = target * (1 - label_smoothing) + label_smoothing / pred.shape[1]
    logp = log_softmax(pred) if from_logits else np.log(_renormalised_clipped(pred))
    return -per_sample_sum(t * logp)


@_keras("sparse_categorical_crossentropy", "nll", "SparseCategoricalCrossentropy", task="multiclass",
        roles=(Role("pred", Kind.PROBABILITIES, Shape.MATRIX, PROBS_OR_LOGITS, logits_flag="from_logits"),
               Role("target", Kind.CLASS_INDICES, Shape.INDEX, "integer class indices")),
        params=(FROM_LOGITS,),
        formula="l = −log p_y,  p = clip(pred / Σ pred, 1e-7, 1 − 1e-7)",
        convention="Integer labels; probabilities renormalised then clipped as in categorical_crossentropy;"
        f" from_logits=true uses log_softmax. {BATCH_SIZE_MEAN}",
        example=Example({"pred": [[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], "target": [0, 2]}))
def keras_sparse_categorical_crossentropy(pred: np.ndarray, target: np.ndarray, from_logits: bool) -> np.ndarray:
    """keras.losses.sparse_categorical_crossentropy."""
    logp = log_softmax(pred) if from_logits else np.log(_renormalised_clipped(pred))
    return -logp[np.arange(len(target)), target]
