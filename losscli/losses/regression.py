"""Regression losses on real values: e = pred − target, averaged over a sample's outputs.

Shape contract: pred and target are (N,) or (N, K) with the same shape; each returns (N,),
the mean over the K outputs of one sample.
"""

from __future__ import annotations

import math

import numpy as np

from losscli.errors import LossCliError
from losscli.losses._math import per_sample_mean, xlogy
from losscli.registry import Example, Kind, Param, Reducer, Role, Shape, register

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


def huber_elements(pred: np.ndarray, target: np.ndarray, delta: float) -> np.ndarray:
    """Huber loss of each element: ½e² if |e| ≤ δ else δ(|e| − ½δ)."""
    a = np.abs(pred - target)
    return np.where(a <= delta, 0.5 * a * a, delta * (a - 0.5 * delta))


def huber_error(pred: np.ndarray, target: np.ndarray, delta: float) -> np.ndarray:
    """Huber loss of each sample: the mean over its outputs of :func:`huber_elements`."""
    return per_sample_mean(huber_elements(pred, target, delta))


def smooth_l1_elements(pred: np.ndarray, target: np.ndarray, beta: float) -> np.ndarray:
    """Smooth L1 of each element: ½e²/β if |e| < β else |e| − ½β (|e| when β = 0)."""
    a = np.abs(pred - target)
    if beta == 0:
        return a
    return np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta)


def smooth_l1_error(pred: np.ndarray, target: np.ndarray, beta: float) -> np.ndarray:
    """Smooth L1 of each sample: the mean over its outputs of :func:`smooth_l1_elements`."""
    return per_sample_mean(smooth_l1_elements(pred, target, beta))


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


@register(
    name="msle", aliases=("mean_squared_log_error",), task="regression",
    roles=(Role("pred", Kind.NON_NEGATIVE, doc="predicted values, >= 0"), Role("target", Kind.NON_NEGATIVE, doc="true values, >= 0")),
    params=(),
    formula="l = mean_k (log1p(pred_k) − log1p(target_k))²",
    convention="Negative values are rejected (as scikit-learn does); Keras instead clips both sides at 1e-7.",
    example=Example({"pred": [2.5, 0.0, 2.0, 8.0], "target": [3.0, 0.5, 2.0, 7.0]}), zero_at_perfect=True,
)
def msle(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Mean squared logarithmic error."""
    return per_sample_mean(np.square(np.log1p(pred) - np.log1p(target)))


@register(
    name="mape", aliases=("mean_absolute_percentage_error",), task="regression", roles=VALUE_ROLES,
    params=(Param("eps", "float", 1e-7, "floor on |target| in the denominator", low=0.0, low_open=True),),
    formula="l = 100 · mean_k |pred_k − target_k| / max(|target_k|, eps)",
    convention="In percent, like Keras (eps = 1e-7); scikit-learn's mean_absolute_percentage_error is the same"
    " ratio as a fraction (not ×100) with eps = 2.2e-16.",
    example=REGRESSION_EXAMPLE, zero_at_perfect=True,
)
def mape(pred: np.ndarray, target: np.ndarray, eps: float) -> np.ndarray:
    """Mean absolute percentage error."""
    return per_sample_mean(100 * np.abs(pred - target) / np.maximum(np.abs(target), eps))


@register(
    name="quantile", aliases=("pinball",), task="regression", roles=VALUE_ROLES,
    params=(Param("alpha", "float", 0.5, "the quantile predicted", low=0.0, high=1.0),),
    formula="l = mean_k max(α·(t − p), (α − 1)·(t − p))",
    convention="Pinball loss of the α-quantile: under-prediction costs α per unit, over-prediction 1 − α"
    " (scikit-learn's mean_pinball_loss; α = 0.5 is half the absolute error).",
    example=REGRESSION_EXAMPLE, zero_at_perfect=True,
)
def quantile(pred: np.ndarray, target: np.ndarray, alpha: float) -> np.ndarray:
    """Quantile (pinball) loss."""
    diff = target - pred
    return per_sample_mean(np.maximum(alpha * diff, (alpha - 1) * diff))


def log_factorial(counts: np.ndarray) -> np.ndarray:
    """log(t!) = lgamma(t + 1): exact by table for whole t ≤ 10⁶, Stirling's series otherwise."""
    t = np.asarray(counts, dtype=np.float64)
    whole = (t == np.floor(t)) & (t >= 0) & (t <= 1_000_000)
    top = int(t[whole].max()) if whole.any() else 0
    table = np.concatenate(([0.0], np.cumsum(np.log(np.arange(1, top + 1, dtype=np.float64)))))
    x = np.where(whole, 1.0, t + 1)  # Stirling's series for lgamma(y), y = x shifted to >= 10
    shift = np.where(x < 10, 10 - np.floor(x), 0)
    y = x + shift
    stirling = ((y - 0.5) * np.log(y) - y + 0.5 * math.log(2 * math.pi)
                + 1 / (12 * y) - 1 / (360 * y**3) + 1 / (1260 * y**5) - 1 / (1680 * y**7))
    for k in range(10):  # undo the shift: lgamma(x) = lgamma(x + s) − Σ log(x + j)
        stirling -= np.where(shift > k, np.log(x + k), 0)
    return np.where(whole, table[np.where(whole, t, 0).astype(np.int64)], stirling).astype(np.result_type(counts, np.float32))


@register(
    name="poisson_nll", task="regression",
    roles=(Role("pred", Kind.POSITIVE, doc="predicted rate λ > 0 (its log with log_input=true)", kind_flag="log_input"),
           Role("target", Kind.NON_NEGATIVE, doc="observed counts")),
    params=(Param("log_input", "bool", False, "pred holds log λ"),
            Param("full", "bool", False, "add log(t!) so the value is the exact negative log-likelihood")),
    formula="l = mean_k [λ − t·log λ (+ log t! when full)]",
    convention="pred is the rate itself (PyTorch's PoissonNLLLoss defaults to log-rates: log_input=true here);"
    " without full the constant log t! is left out, as PyTorch does (PyTorch's full adds Stirling's approximation for t > 1).",
    example=Example({"pred": [2.0, 0.5, 3.0], "target": [3.0, 0.0, 1.0]}), non_negative=False,
)
def poisson_nll(pred: np.ndarray, target: np.ndarray, log_input: bool, full: bool) -> np.ndarray:
    """Poisson negative log-likelihood."""
    if log_input:
        loss = np.exp(pred) - target * pred
    else:
        with np.errstate(divide="ignore"):
            loss = pred - xlogy(target, pred)
    if full:
        loss = loss + log_factorial(target)
    return per_sample_mean(loss)


@register(
    name="gaussian_nll", task="regression",
    roles=(Role("pred", Kind.VALUES, Shape.ANY, "predicted mean μ"), Role("target", Kind.VALUES, doc="observed value"),
           Role("var", Kind.POSITIVE, Shape.ANY, "predicted variance σ² (per sample or per output)")),
    params=(Param("full", "bool", False, "add ½·log 2π"),
            Param("eps", "float", 1e-6, "variances are clamped below at eps", low=0.0)),
    formula="l = mean_k ½·(log max(σ², eps) + (t − μ)² / max(σ², eps)) (+ ½·log 2π when full)",
    convention="As PyTorch's GaussianNLLLoss: var of shape (N,) or (N, 1) applies to every output of the sample,"
    " or has the shape of pred.",
    example=Example({"pred": [1.0, 2.0, 0.0], "target": [1.5, 2.0, -1.0], "var": [0.5, 1.0, 2.0]}), non_negative=False,
)
def gaussian_nll(pred: np.ndarray, target: np.ndarray, var: np.ndarray, full: bool, eps: float) -> np.ndarray:
    """Gaussian negative log-likelihood with a predicted variance."""
    return per_sample_mean(gaussian_nll_elements(pred, target, var, full, eps))


def gaussian_nll_elements(pred: np.ndarray, target: np.ndarray, var: np.ndarray, full: bool, eps: float) -> np.ndarray:
    """Elementwise ½(log σ² + (t − μ)²/σ²), σ² clamped at eps (+ ½·log 2π when full)."""
    v = np.maximum(_variance_like(pred, var), eps)
    loss = 0.5 * (np.log(v) + np.square(target - pred) / v)
    return loss + 0.5 * math.log(2 * math.pi) if full else loss


def _variance_like(pred: np.ndarray, var: np.ndarray) -> np.ndarray:
    """var shaped against pred, by PyTorch's rules: the same shape, or one value per sample ((N,) or (N, 1))."""
    if var.shape == pred.shape:
        return var
    if pred.ndim == 2 and (var.ndim == 1 or var.shape[1] == 1):
        return var.reshape(-1, 1)  # one variance shared by the sample's outputs
    if pred.ndim == 1 and var.shape[1:] == (1,):
        return var.reshape(-1)
    raise LossCliError(
        f"var has shape {var.shape} but the prediction {pred.shape}",
        "give var the shape of the prediction (one variance per output) or (N,) (one per sample)",
    )
