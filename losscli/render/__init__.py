"""Renderers: an evaluation in, the text of one output format out (written to stdout in one go)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from losscli.engine import Evaluation
from losscli.render.blocks import group_records
from losscli.render.eval_report import eval_group_rows, eval_report
from losscli.render.views import SampleSelection

if TYPE_CHECKING:
    from losscli.compare.comparison import GroupTable
    from losscli.compare.gates import GateOutcome

FORMATS = ("table", "json", "jsonl", "csv", "tsv", "md")


def render(
    evaluation: Evaluation, fmt: str, *, per_sample: bool, selection: SampleSelection, digits: int, color: bool,
    gates: list[GateOutcome] | None = None, groups: GroupTable | None = None, label: str = "losscli",
) -> str:
    """The whole output text for ``fmt``; ``gates`` and ``groups`` add a verdict and a per-group table."""
    gates = gates or []
    if fmt == "json":
        from losscli.render.json_doc import document, dumps

        from losscli.render.comparison import gates_json

        doc = document(evaluation, per_sample, selection)
        doc["gates"], doc["passed"] = gates_json(gates), all(g.passed for g in gates)  # as compare's: [] and true
        if groups is not None:
            header, rows = eval_group_rows(evaluation, groups)
            doc["groups"] = {"column": groups.column, "rows": group_records(header, rows)}
        return dumps(doc) + "\n"
    if fmt == "jsonl" and groups is not None:
        from losscli.render.json_doc import dumps

        header, rows = eval_group_rows(evaluation, groups)
        return "".join(dumps(record) + "\n" for record in group_records(header, rows))
    if fmt in ("csv", "tsv") and groups is not None:
        from losscli.render.blocks import Block, delimited_block

        return delimited_block(Block("", *eval_group_rows(evaluation, groups)), digits, "," if fmt == "csv" else "\t")
    if fmt in ("jsonl", "csv", "tsv"):  # per-sample rows: streamed during the pass unless kept (--worst)
        if evaluation.samples is None:
            return ""
        from losscli.render.rows import RowFormatter

        formatter = RowFormatter(fmt, [r.loss.spec.text for r in evaluation.results], digits)
        return formatter.header() + formatter.lines(evaluation.samples.index, evaluation.samples.values)
    if fmt == "md":
        from losscli.render.blocks import markdown_report

        return markdown_report(eval_report(evaluation, per_sample, selection, gates, groups, label), digits)
    from losscli.render.table import rich_table

    text = rich_table(evaluation, per_sample, selection, digits, color)
    if gates or groups is not None:
        from losscli.render.blocks import rich_report

        report = eval_report(evaluation, False, selection, gates, groups, label)
        text += rich_report(replace(report, blocks=report.blocks[1:]), digits, color)  # the summary is printed above
    return text
