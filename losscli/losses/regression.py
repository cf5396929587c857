"""Regression losses on real values: e = pred − target, averaged over a sample's outputs.

Shape contract: pred and target are (N,) or (N, K) with the same shape; each returns (N,),
the mean over the K outputs of one sample.
"""

from __future__ import annotations

import math

import numpy as np

from losscli.losses._math import per_sample_mean
from losscli.registry import Example, Kind, Param, Reducer, Role, register

VALUE_ROLES = (
    Role("pred", Kind.VALUES, doc="predicted values"),
    Role("target", Kind.VALUES, doc="true values"),
)
REGRESSION_EXAMPLE = Example({"pred": [2.5, 0.0, 2.0, 8.0], "target": [3.0, -0.5, 2.0, 7.0]})
DELTA = Param("delta", "float", 1.0, "where the quadratic part turns linear", low=0.0, low_open=True)
BETA = Param("beta", "float", 1.0, "where the quadratic part turns linear (0 gives L1)", low=0.0)


def squared_error(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Mean squared error of each sample: mean_k (p − t)²."""
    return per_sample_mean(np.square(pred - target))


def absolute_error(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Mean absolute error of each sample: mean_k |p − t|."""
    return per_sample_mean(np.abs(pred - target))


def huber_error(pred: np.ndarray, target: np.ndarray, delta: float) -> np.ndarray:
    """Huber loss of each sample: ½e² if |e| ≤ δ else δ(|e| − ½δ), averaged over outputs."""
    a = np.abs(pred - target)
    return per_sample_mean(np.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta)))


def smooth_l1_error(pred: np.ndarray, target: np.ndarray, beta: float) -> np.ndarray:
    """Smooth L1 of each sample: ½e²/β if |e| < β else |e| − ½β (|e| when β = 0)."""
    a = np.abs(pred - target)
    if beta == 0:
        return per_sample_mean(a)
    return per_sample_mean(np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta))


@register(
    name="mse", aliases=("l2", "mean_squared_error"), task="regression", roles=VALUE_ROLES, params=(),
    formula="l = mean_k (pred_k − target_k)²",
    convention="Mean over a sample's outputs; the reduced value is the weighted mean Σ w·l / Σ w.",
    example=REGRESSION_EXAMPLE, zero_at_perfect=True,
)
def mse(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Mean squared error."""
    return squared_error(pred, target)


@register(
    name="mae", aliases=("l1", "mean_absolute_error"), task="regression", roles=VALUE_ROLES, params=(),
    formula="l = mean_k |pred_k − target_k|",
    convention="Mean over a sample's outputs; the reduced value is the weighted mean Σ w·l / Σ w.",
    example=REGRESSION_EXAMPLE, zero_at_perfect=True,
)
def mae(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Mean absolute error."""
    return absolute_error(pred, target)


@register(
    name="rmse", aliases=("root_mean_squared_error",), task="regression", roles=VALUE_ROLES, params=(),
    formula="l = sqrt(mean_k (pred_k − target_k)²); reduced: sqrt(Σ w·l² / Σ w)",
    convention="The per-sample value is that sample's RMSE; the reduced value is the root of the"
    " weighted mean squared error, not the mean of per-sample roots. --reduction sum adds the per-sample values.",
    example=REGRESSION_EXAMPLE, reducer=Reducer.ROOT_MEAN, zero_at_perfect=True,
)
def rmse(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Root mean squared error."""
    return np.sqrt(squared_error(pred, target))


@register(
    name="huber", task="regression", roles=VALUE_ROLES, params=(DELTA,),
    formula="l = mean_k { ½e² if |e| ≤ δ; δ(|e| − ½δ) otherwise },  e = pred − target",
    convention="PyTorch's HuberLoss and Keras's Huber agree on this form; delta defaults to 1.",
    example=REGRESSION_EXAMPLE, zero_at_perfect=True,
)
def huber(pred: np.ndarray, target: np.ndarray, delta: float) -> np.ndarray:
    """Huber loss: quadratic near zero, linear beyond delta."""
    return huber_error(pred, target, delta)


@register(
    name="smooth_l1", task="regression", roles=VALUE_ROLES, params=(BETA,),
    formula="l = mean_k { ½e²/β if |e| < β; |e| − ½β otherwise },  e = pred − target",
    convention="PyTorch's SmoothL1Loss: Huber divided by β (equal to Huber when β = 1); β = 0 gives L1.",
    example=REGRESSION_EXAMPLE, zero_at_perfect=True,
)
def smooth_l1(pred: np.ndarray, target: np.ndarray, beta: float) -> np.ndarray:
    """Smooth L1 loss."""
    return smooth_l1_error(pred, target, beta)


@register(
    name="log_cosh", aliases=("logcosh",), task="regression", roles=VALUE_ROLES, params=(),
    formula="l = mean_k log(cosh(e)) = mean_k (|e| + log1p(exp(−2|e|)) − log 2)",
    convention="Computed in the overflow-free form on the right; Keras's log_cosh uses the same formula.",
    example=REGRESSION_EXAMPLE, zero_at_perfect=True,
)
def log_cosh(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Log-cosh loss: about ½e² for small errors, |e| − log 2 for large ones."""
    a = np.abs(pred - target)
    return per_sample_mean(a + np.log1p(np.exp(-2 * a)) - math.log(2))
