"""What the text renderers show: summary rows and per-sample rows, independent of layout."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from losscli.engine import Evaluation, LossResult
from losscli.render.numbers import format_params, sig

SUMMARY_HEADER = ["loss", "params", "reduction", "value", "n", "non-finite"]


@dataclass(frozen=True)
class SampleSelection:
    """Which per-sample rows to show: the ``worst`` K by the first loss, else the first ``limit``."""

    worst: int | None = None
    limit: int | None = None


def reduced_value(evaluation: Evaluation, index: int) -> float | None:
    """The reduced value of loss ``index``, or None under ``--reduction none``."""
    result = evaluation.results[index]
    return None if result.reduction == "none" else result.value


def summary_rows(evaluation: Evaluation, digits: int) -> list[list[str]]:
    return [
        [
            r.loss.spec.text, format_params(r.loss.params), reduction_name(r),
            sig(reduced_value(evaluation, i), digits), str(r.accumulator.count), str(r.accumulator.n_nonfinite),
        ]
        for i, r in enumerate(evaluation.results)
    ]


def reduction_name(result: LossResult) -> str:
    """``mean`` spelled as the reducer used (``batch mean``, ``median``…), else ``sum``/``none``."""
    return result.accumulator.effective_reducer.value.split(":")[0] if result.reduction == "mean" else result.reduction


def selected_samples(evaluation: Evaluation, selection: SampleSelection) -> np.ndarray:
    """Positions (into the per-sample arrays) of the rows to show, in display order."""
    n = len(evaluation.rows)
    if selection.worst is not None:
        first = evaluation.results[0].per_sample
        order = np.argsort(-np.nan_to_num(first, nan=-np.inf), kind="stable")
        return order[: selection.worst]
    return np.arange(n if selection.limit is None else min(n, selection.limit))


def sample_header(evaluation: Evaluation) -> list[str]:
    return ["index", *(r.loss.spec.text for r in evaluation.results)]


def sample_rows(evaluation: Evaluation, positions: np.ndarray, digits: int) -> list[list[str]]:
    columns = [r.per_sample[positions] for r in evaluation.results]
    rows = evaluation.rows[positions]
    return [[str(int(rows[j])), *(sig(float(c[j]), digits) for c in columns)] for j in range(len(positions))]
