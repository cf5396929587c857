"""Losses on pairs and triplets: distances or embeddings with similar/dissimilar labels, and rankings.

Shape contract: distance losses take (N,) distances (or (N, K), averaged over K) and labels of
the same shape; embedding losses take (N, D) embeddings and (N,) labels. Each returns (N,).
"""

from __future__ import annotations

import math

import numpy as np

from losscli.losses._math import per_sample_mean
from losscli.registry import Example, Kind, Param, Role, Shape, register

MARGIN = Param("margin", "float", 1.0, "distance beyond which dissimilar pairs cost nothing", low=0.0)


def embedding_hinge(x: np.ndarray, y: np.ndarray, margin: float) -> np.ndarray:
    """Elementwise x where y = 1, max(0, margin − x) where y = −1 (PyTorch adds both terms for any other y)."""
    return np.where(y != 1, np.maximum(0, margin - x), 0) + np.where(y != -1, x, 0)


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


def cosine(x1: np.ndarray, x2: np.ndarray, eps: float = 1e-8) -> np.ndarray:
    """Row-wise cosine similarity x1·x2 / max(‖x1‖·‖x2‖, eps)."""
    norms = np.sqrt((x1 * x1).sum(axis=1) * (x2 * x2).sum(axis=1))
    return (x1 * x2).sum(axis=1) / np.maximum(norms, eps)


PAIR_ROLES = (
    Role("x1", Kind.EMBEDDINGS, Shape.MATRIX, "first embedding of each pair (N, D)"),
    Role("x2", Kind.EMBEDDINGS, Shape.SAME, "second embedding, same shape"),
    Role("label", Kind.SIGNED_LABELS, Shape.VECTOR, "1 for a similar pair, -1 for a dissimilar one"),
)


@register(
    name="cosine_embedding", task="embedding", roles=PAIR_ROLES,
    params=(Param("margin", "float", 0.0, "similarity below which dissimilar pairs cost nothing", low=-1.0, high=1.0),),
    formula="l = 1 − cos(x1, x2) if y = 1;  max(0, cos(x1, x2) − margin) if y = −1",
    convention="As PyTorch's CosineEmbeddingLoss (norms floored at 1e-8); give x1 and x2 as PRED and TARGET,"
    " the labels with --input label=PATH or --col label=COL.",
    example=Example({"x1": [[1.0, 0.0], [1.0, 1.0]], "x2": [[1.0, 1.0], [-1.0, 0.0]], "label": [1, -1]}),
)
def cosine_embedding(x1: np.ndarray, x2: np.ndarray, label: np.ndarray, margin: float) -> np.ndarray:
    """Cosine embedding loss."""
    cos = cosine(x1, x2)
    return np.where(label == 1, 1 - cos, np.maximum(0, cos - margin))


@register(
    name="margin_ranking", task="ranking",
    roles=(Role("x1", Kind.VALUES, Shape.VECTOR, "score of the first item"),
           Role("x2", Kind.VALUES, Shape.VECTOR, "score of the second item"),
           Role("label", Kind.SIGNED_LABELS, Shape.VECTOR, "1 if the first should rank higher, -1 if the second")),
    params=(Param("margin", "float", 0.0, "required score gap"),),
    formula="l = max(0, −y·(x1 − x2) + margin)",
    convention="As PyTorch's MarginRankingLoss; one pair per row.",
    example=Example({"x1": [0.8, 0.2, 0.5], "x2": [0.3, 0.6, 0.5], "label": [1, 1, -1]}),
)
def margin_ranking(x1: np.ndarray, x2: np.ndarray, label: np.ndarray, margin: float) -> np.ndarray:
    """Margin ranking loss."""
    return np.maximum(0, -label * (x1 - x2) + margin)


def pairwise_distance(x1: np.ndarray, x2: np.ndarray, p: float, eps: float = 0.0) -> np.ndarray:
    """‖x1 − x2 + eps‖_p over each row (PyTorch's pairwise_distance adds eps to every difference)."""
    diff = np.abs(x1 - x2 + eps)
    if p == 2:
        return np.sqrt((diff * diff).sum(axis=1))
    if math.isinf(p):
        return diff.max(axis=1, initial=0)
    return np.power(np.power(diff, p).sum(axis=1), 1 / p)


@register(
    name="triplet", aliases=("triplet_margin",), task="embedding",
    roles=(Role("anchor", Kind.EMBEDDINGS, Shape.MATRIX, "anchor embeddings (N, D)"),
           Role("positive", Kind.EMBEDDINGS, Shape.SAME, "embeddings of the same identity"),
           Role("negative", Kind.EMBEDDINGS, Shape.SAME, "embeddings of another identity")),
    params=(MARGIN, Param("p", "float", 2.0, "norm of the distance", low=1.0)),
    formula="l = max(0, ‖a − p‖_p − ‖a − n‖_p + margin)",
    convention="Exact p-norm distances; PyTorch's TripletMarginLoss adds eps = 1e-6 to each difference first.",
    example=Example({"anchor": [[0.0, 0.0], [1.0, 1.0]], "positive": [[0.3, 0.4], [1.0, 1.2]],
                     "negative": [[1.0, 0.0], [3.0, 1.0]]}),
)
def triplet(anchor: np.ndarray, positive: np.ndarray, negative: np.ndarray, margin: float, p: float) -> np.ndarray:
    """Triplet margin loss."""
    return np.maximum(0, pairwise_distance(anchor, positive, p) - pairwise_distance(anchor, negative, p) + margin)
