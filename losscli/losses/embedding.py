"""Losses on distances between embeddings, with similar/dissimilar labels.

Shape contract: pred holds one distance per pair, (N,) (or (N, K), averaged over K); target
the matching labels, same shape. Each returns (N,).
"""

from __future__ import annotations

import numpy as np

from losscli.losses._math import per_sample_mean
from losscli.registry import Example, Kind, Param, Role, Shape, register

MARGIN = Param("margin", "float", 1.0, "distance beyond which dissimilar pairs cost nothing", low=0.0)


def embedding_hinge(x: np.ndarray, y: np.ndarray, margin: float) -> np.ndarray:
    """Elementwise x where y = 1, max(0, margin − x) where y = −1."""
    return np.where(y == 1, x, np.maximum(0, margin - x))


@register(
    name="contrastive", aliases=("contrastive_loss",), task="embedding",
    roles=(Role("pred", Kind.DISTANCES, Shape.ANY, "distance between the two embeddings of a pair"),
           Role("target", Kind.BINARY_LABELS, doc="1 for a similar pair, 0 for a dissimilar pair")),
    params=(MARGIN,),
    formula="l = y·d² + (1 − y)·max(0, margin − d)²",
    convention="Label 1 marks a similar pair (pulled together), 0 a dissimilar one (pushed past the margin),"
    " as TensorFlow Addons' contrastive_loss; Hadsell et al. (2006) write the same loss with the labels"
    " swapped and a factor ½.",
    example=Example({"pred": [0.2, 1.5, 0.4, 0.9], "target": [1, 0, 0, 1]}),
)
def contrastive(pred: np.ndarray, target: np.ndarray, margin: float) -> np.ndarray:
    """Contrastive loss on pair distances."""
    return per_sample_mean(target * np.square(pred) + (1 - target) * np.square(np.maximum(0, margin - pred)))


@register(
    name="hinge_embedding", task="embedding",
    roles=(Role("pred", Kind.VALUES, Shape.ANY, "a distance (e.g. L1) between a pair"),
           Role("target", Kind.SIGNED_LABELS, doc="1 for a similar pair, -1 for a dissimilar pair")),
    params=(MARGIN,),
    formula="l = mean_k { x if y = 1; max(0, margin − x) if y = −1 }",
    convention="PyTorch's HingeEmbeddingLoss: labels {−1, 1}; x is used as given for similar pairs.",
    example=Example({"pred": [0.3, 0.2, 1.4, 0.7], "target": [1, -1, -1, 1]}), non_negative=False,
)
def hinge_embedding(pred: np.ndarray, target: np.ndarray, margin: float) -> np.ndarray:
    """Hinge embedding loss."""
    return per_sample_mean(embedding_hinge(pred, target, margin))
