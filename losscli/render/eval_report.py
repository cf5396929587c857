"""The eval report as blocks (summary, groups, per-sample rows), for Markdown and the extra terminal tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from losscli.engine import Evaluation
from losscli.render.views import SampleSelection

if TYPE_CHECKING:
    from losscli.compare.comparison import GroupTable
    from losscli.compare.gates import GateOutcome
    from losscli.render.blocks import Report


def eval_group_rows(evaluation: Evaluation, groups: GroupTable) -> tuple[list[str], list[list[Any]]]:
    header = [groups.column, "n", "loss", "value"]
    rows = [[name, groups.sizes[g], result.loss.spec.text, groups.values[0][i][g]]
            for g, name in enumerate(groups.groups) for i, result in enumerate(evaluation.results)]
    return header, rows


def eval_report(
    evaluation: Evaluation, per_sample: bool, selection: SampleSelection, gates: list[GateOutcome],
    groups: GroupTable | None, label: str,
) -> Report:
    """The eval report as blocks: the summary, the groups, then the per-sample rows (folded)."""
    from losscli.render.blocks import Block, Report, heading, verdict_line
    from losscli.render.numbers import format_params
    from losscli.render.views import SUMMARY_HEADER, reduced_value, reduction_name, sample_header, selected_samples

    omitted = f" ({evaluation.n_omitted} rows with non-finite inputs omitted)" if evaluation.n_omitted else ""
    summary = [[r.loss.spec.text, format_params(r.loss.params), reduction_name(r), reduced_value(evaluation, i),
                r.state.count, r.state.n_nonfinite] for i, r in enumerate(evaluation.results)]
    blocks = [Block(f"{evaluation.n_samples} samples{omitted}", SUMMARY_HEADER, summary)]
    if groups is not None:
        blocks.append(Block(f"by {groups.column}", *eval_group_rows(evaluation, groups)))
    if per_sample:
        shown = selected_samples(evaluation, selection)
        title = (f"Worst {len(shown)} samples by {evaluation.results[0].loss.spec.text}" if selection.worst is not None
                 else f"First {len(shown)} of {evaluation.n_samples} samples")
        columns = [v.tolist() for v in shown.values]
        rows = [[row, *(c[j] for c in columns)] for j, row in enumerate(shown.index.tolist())]
        blocks.append(Block(title, sample_header(evaluation), rows, details=True))
    failed = [g.why for g in gates if not g.passed]
    return Report(heading("eval", label), verdict_line(failed, len(gates)), blocks, label)
