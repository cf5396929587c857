"""Overlap losses for segmentation masks, one score per sample.

Shape contract: pred holds probabilities and target 0/1 (or soft) masks of the same shape,
(N, ...) with every axis after the first flattened into one mask per sample. Each returns (N,).
"""

from __future__ import annotations

import numpy as np

from losscli.registry import Example, Kind, Param, Role, Shape, register

MASK_ROLES = (
    Role("pred", Kind.PROBABILITIES, Shape.ANY, "predicted foreground probability per pixel (N, ...)"),
    Role("target", Kind.SOFT_TARGETS, doc="true mask, same shape"),
)
SMOOTH = Param("smooth", "float", 1e-7, "added to numerator and denominator: an empty mask predicted empty scores 0", low=0.0)
MASK_EXAMPLE = Example({"pred": [[0.9, 0.8, 0.1, 0.0], [0.2, 0.3, 0.6, 0.1]], "target": [[1, 1, 0, 0], [0, 0, 1, 1]]})


def _flat(x: np.ndarray) -> np.ndarray:
    return x.reshape(len(x), -1)


@register(
    name="dice", aliases=("soft_dice",), task="segmentation", roles=MASK_ROLES, params=(SMOOTH,),
    formula="l = 1 − (2·Σ p·t + s) / (Σ p + Σ t + s), sums over each sample's mask",
    convention="Per sample (each image scored alone, then averaged); Keras's dice sums over the whole batch at once.",
    example=MASK_EXAMPLE, zero_at_perfect=True,
)
def dice(pred: np.ndarray, target: np.ndarray, smooth: float) -> np.ndarray:
    """Soft Dice loss."""
    p, t = _flat(pred), _flat(target)
    return 1 - (2 * (p * t).sum(axis=1) + smooth) / (p.sum(axis=1) + t.sum(axis=1) + smooth)


@register(
    name="tversky", task="segmentation", roles=MASK_ROLES,
    params=(Param("alpha", "float", 0.5, "weight of false positives", low=0.0),
            Param("beta", "float", 0.5, "weight of false negatives", low=0.0), SMOOTH),
    formula="l = 1 − (TP + s) / (TP + α·FP + β·FN + s),  TP = Σ p·t, FP = Σ p·(1 − t), FN = Σ (1 − p)·t",
    convention="α weights false positives and β false negatives (as Keras 3); α = β = 0.5 is the Dice loss."
    " Per sample, then averaged.",
    example=MASK_EXAMPLE, zero_at_perfect=True,
)
def tversky(pred: np.ndarray, target: np.ndarray, alpha: float, beta: float, smooth: float) -> np.ndarray:
    """Tversky loss."""
    p, t = _flat(pred), _flat(target)
    tp = (p * t).sum(axis=1)
    fp = (p * (1 - t)).sum(axis=1)
    fn = ((1 - p) * t).sum(axis=1)
    return 1 - (tp + smooth) / (tp + alpha * fp + beta * fn + smooth)
