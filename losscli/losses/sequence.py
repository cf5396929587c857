"""Sequence losses: connectionist temporal classification (CTC).

Shape contract (batch first, from NPY/NPZ): scores (N, T, C) over T time steps and C classes
(class ``blank`` included), targets (N, S) label sequences padded at the end, lengths (N,).
Each returns (N,). The forward recursion loops over the T time steps, vectorised over samples.
"""

from __future__ import annotations

import numpy as np

from losscli.errors import LossCliError
from losscli.losses._math import log_softmax
from losscli.registry import Example, Kind, Param, Role, Shape, register

BLANK = Param("blank", "int", 0, "index of the blank class", low=0)
CTC_EXAMPLE_SCORES = [[[2.0, 0.5, -1.0], [0.1, 1.5, 0.3], [1.0, -0.5, 2.0]],
                      [[0.0, 0.0, 0.0], [1.0, 2.0, 0.5], [0.3, 0.2, 0.1]]]


def ctc_nll(log_probs: np.ndarray, targets: np.ndarray, input_lengths: np.ndarray, target_lengths: np.ndarray,
            blank: int) -> np.ndarray:
    """−log p(target | scores) summed over every alignment, by the CTC forward recursion in log space.

    ``log_probs`` (N, T, C); ``targets`` (N, S) integer labels, only the first ``target_lengths``
    of each row used; ``input_lengths`` (N,) time steps used per sample.
    """
    n, steps, n_classes = log_probs.shape
    labels = np.asarray(targets).astype(np.int64).reshape(n, -1)
    t_len = np.asarray(target_lengths).astype(np.int64)
    x_len = np.asarray(input_lengths).astype(np.int64)
    _check_ctc(labels, t_len, x_len, steps, n_classes, blank)
    width = 2 * labels.shape[1] + 1
    ext = np.full((n, width), blank, dtype=np.int64)  # blank, l1, blank, l2, …, blank
    used = np.arange(labels.shape[1]) < t_len[:, None]
    ext[:, 1::2] = np.where(used, labels, blank)
    skip = np.zeros((n, width), dtype=bool)  # a → c transitions over a blank between two different labels
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    rows = np.arange(n)[:, None]
    neg_inf = np.array(-np.inf, dtype=log_probs.dtype)
    alpha = np.full((n, width), neg_inf)
    emit = log_probs[rows, 0, ext]
    alpha[:, 0] = emit[:, 0]
    alpha[:, 1] = np.where(t_len > 0, emit[:, 1], neg_inf)
    for t in range(1, steps):
        stay = alpha
        step = np.concatenate([np.full((n, 1), neg_inf), alpha[:, :-1]], axis=1)
        jump = np.where(skip, np.concatenate([np.full((n, 2), neg_inf), alpha[:, :-2]], axis=1), neg_inf)
        nxt = np.logaddexp(np.logaddexp(stay, step), jump) + log_probs[rows, t, ext]
        alpha = np.where((t < x_len)[:, None], nxt, alpha)
    last = 2 * t_len
    end = np.logaddexp(alpha[np.arange(n), last], np.where(t_len > 0, alpha[np.arange(n), np.maximum(last - 1, 0)], neg_inf))
    return -end


def _check_ctc(labels: np.ndarray, t_len: np.ndarray, x_len: np.ndarray, steps: int, n_classes: int, blank: int) -> None:
    if blank >= n_classes:
        raise LossCliError(f"blank={blank} but the scores have {n_classes} classes", f"blank must be below {n_classes}")
    if (x_len > steps).any() or (x_len < 1).any():
        raise LossCliError(f"input lengths must lie in [1, {steps}] (the scores have {steps} time steps)")
    if (t_len > labels.shape[1]).any():
        raise LossCliError(f"target lengths exceed the {labels.shape[1]} target columns")
    used = np.arange(labels.shape[1]) < t_len[:, None]
    bad = used & ((labels < 0) | (labels >= n_classes) | (labels == blank))
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise LossCliError(
            f"target label {labels[row, col]} at index [{row}, {col}] is not a class other than blank ({blank})",
            f"labels run over 0..{n_classes - 1} except the blank",
        )


@register(
    name="ctc", task="sequence",
    roles=(Role("pred", Kind.LOGITS, Shape.SEQUENCE, "scores (N, T, C): T time steps, C classes with the blank"),
           Role("target", Kind.LABEL_LISTS, Shape.MATRIX, "label sequences (N, S), padded with -1 after the end")),
    params=(BLANK,),
    formula="l = −log Σ_{alignments π → y} Π_t softmax(x_t)_{π_t}",
    convention="Logits, batch first; every sample uses all T steps and its labels before the first -1."
    " The per-sample value is the full negative log-likelihood (PyTorch's mean divides by target length first).",
    example=Example({"pred": CTC_EXAMPLE_SCORES, "target": [[1, 2], [1, -1]]}),
)
def ctc(pred: np.ndarray, target: np.ndarray, blank: int) -> np.ndarray:
    """Connectionist temporal classification loss."""
    labels = target.astype(np.int64)
    padded = labels < 0
    lengths = np.where(padded.any(axis=1), padded.argmax(axis=1), labels.shape[1])
    if (~padded & (np.arange(labels.shape[1]) >= lengths[:, None])).any():
        raise LossCliError("a target label follows the -1 padding", "pad each label sequence at its end only")
    return ctc_nll(log_softmax_last(pred), np.where(padded, 0, labels), np.full(len(pred), pred.shape[1]), lengths, blank)


def log_softmax_last(x: np.ndarray) -> np.ndarray:
    """log softmax over the last axis of (N, T, C)."""
    return log_softmax(x.reshape(-1, x.shape[-1])).reshape(x.shape)
