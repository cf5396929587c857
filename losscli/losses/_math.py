"""Numerically stable building blocks shared by the losses. All keep the input dtype."""

from __future__ import annotations

import numpy as np

from losscli.registry.declarations import Reported, Weighted


def per_sample_mean(x: np.ndarray) -> np.ndarray:
    """Mean over every axis but the first: (N, ...) -> (N,)."""
    return x if x.ndim == 1 else x.reshape(x.shape[0], -1).mean(axis=1)


def per_sample_sum(x: np.ndarray) -> np.ndarray:
    """Sum over every axis but the first: (N, ...) -> (N,)."""
    return x if x.ndim == 1 else x.reshape(x.shape[0], -1).sum(axis=1)


def position_rows(inputs: tuple[np.ndarray, ...], axis: int) -> list[np.ndarray]:
    """Inputs over positions, with a class or feature axis ``axis``, as one row per position: arrays of the
    first's rank become (N·D, K) (the axis last), the others (targets without that axis) (N·D,)."""
    rank = inputs[0].ndim
    return [np.moveaxis(x, axis, -1).reshape(-1, x.shape[axis]) if x.ndim == rank else x.reshape(-1) for x in inputs]


def summed_per_sample(losses: np.ndarray | Weighted, n: int) -> Reported | Weighted:
    """The losses of each sample's elements or positions, (n·D,) or (n, …), as one value per sample: their
    sum (what a library's 'sum' and 'none' add) beside their mean (the mean's term); a Weighted result
    (masked or class-weighted rows) sums its values and its weights."""
    if isinstance(losses, Weighted):
        return Weighted(losses.values.reshape(n, -1).sum(axis=1), losses.weights.reshape(n, -1).sum(axis=1))
    per_sample = losses.reshape(n, -1)
    return Reported(per_sample.sum(axis=1), per_sample.mean(axis=1))


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """1 / (1 + e^−x) without overflow: e^−|x| is at most 1."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def log_softmax(x: np.ndarray) -> np.ndarray:
    """log softmax over the class axis (axis 1) via log-sum-exp with the row max subtracted."""
    shifted = x - x.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x·log(y), taken as 0 where x == 0 (so 0·log 0 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = x * np.log(y)
    return np.where(x == 0, np.zeros((), dtype=out.dtype), out)


def class_weights(weight: list[float] | None, n_classes: int, dtype: np.dtype, name: str = "weight") -> np.ndarray:
    """Per-class weights as an array of length K (ones when not given)."""
    from losscli.errors import LossCliError

    if weight is None:
        return np.ones(n_classes, dtype=dtype)
    if len(weight) != n_classes:
        raise LossCliError(
            f"{name} has {len(weight)} values but the scores have {n_classes} classes",
            f"give one {name} per class, e.g. {name}=[{','.join(['1'] * n_classes)}]",
        )
    return np.asarray(weight, dtype=dtype)


def column_param(value: float | list[float], n_columns: int, dtype: np.dtype, name: str) -> np.ndarray | float:
    """A parameter given as one number, or as a list with one number per column."""
    if isinstance(value, list):
        return class_weights(value, n_columns, dtype, name)
    return value
