"""Renderers: an evaluation in, the text of one output format out (written to stdout in one go)."""

from __future__ import annotations

from losscli.engine import Evaluation
from losscli.render.views import SampleSelection

FORMATS = ("table", "json", "jsonl", "csv", "tsv", "md")


def render(
    evaluation: Evaluation, fmt: str, *, per_sample: bool, selection: SampleSelection, digits: int, color: bool,
) -> str:
    """The whole output text for ``fmt``."""
    if fmt == "json":
        from losscli.render.json_doc import document, dumps

        return dumps(document(evaluation, per_sample, selection)) + "\n"
    if fmt == "jsonl":
        from losscli.render.json_doc import jsonl_lines

        return jsonl_lines(evaluation, selection)
    if fmt in ("csv", "tsv"):
        from losscli.render.delimited import delimited

        return delimited(evaluation, selection, digits, "," if fmt == "csv" else "\t")
    if fmt == "md":
        from losscli.render.markdown import markdown

        return markdown(evaluation, per_sample, selection, digits)
    from losscli.render.table import rich_table

    return rich_table(evaluation, per_sample, selection, digits, color)
