"""What the text renderers show: summary rows and per-sample rows, independent of layout."""

from __future__ import annotations

from dataclasses import dataclass

from losscli.engine import Evaluation, LossResult, SampleRows
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
            sig(reduced_value(evaluation, i), digits), str(r.state.count), str(r.state.n_nonfinite),
        ]
        for i, r in enumerate(evaluation.results)
    ]


def reduction_name(result: LossResult) -> str:
    """``mean`` spelled as the reducer used (``batch mean``, ``median``…), else ``sum``/``none``."""
    return result.state.effective_reducer.value.split(":")[0] if result.reduction == "mean" else result.reduction


def selected_samples(evaluation: Evaluation, selection: SampleSelection) -> SampleRows:
    """The per-sample rows to show, in display order (the kept rows, cut to ``selection.limit``)."""
    samples = evaluation.samples
    if samples is None:
        raise ValueError("the evaluation kept no per-sample rows")
    if selection.limit is not None and len(samples) > selection.limit:
        return SampleRows(samples.index[: selection.limit], [v[: selection.limit] for v in samples.values])
    return samples


def sample_header(evaluation: Evaluation) -> list[str]:
    return ["index", *(r.loss.spec.text for r in evaluation.results)]


def sample_rows(samples: SampleRows, digits: int) -> list[list[str]]:
    index = samples.index.tolist()
    columns = [c.tolist() for c in samples.values]
    return [[str(row), *(sig(c[j], digits) for c in columns)] for j, row in enumerate(index)]
