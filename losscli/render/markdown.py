"""Markdown tables (GitHub-flavoured), fit for a pull-request comment."""

from __future__ import annotations

from losscli.engine import Evaluation
from losscli.render.views import (
    SUMMARY_HEADER, SampleSelection, sample_header, sample_rows, selected_samples, summary_rows,
)


def markdown(evaluation: Evaluation, per_sample: bool, selection: SampleSelection, digits: int) -> str:
    parts = [f"**losscli** · {len(evaluation.rows)} samples" + _omitted(evaluation), "",
             table_md(SUMMARY_HEADER, summary_rows(evaluation, digits), right=(3, 4, 5))]
    if per_sample:
        positions = selected_samples(evaluation, selection)
        title = f"Worst {len(positions)} samples" if selection.worst is not None else f"First {len(positions)} samples"
        header = sample_header(evaluation)
        parts += ["", f"**{title}**", "", table_md(header, sample_rows(evaluation, positions, digits), right=range(len(header)))]
    return "\n".join(parts) + "\n"


def _omitted(evaluation: Evaluation) -> str:
    return f" ({evaluation.n_omitted} rows with non-finite inputs omitted)" if evaluation.n_omitted else ""


def table_md(header: list[str], rows: list[list[str]], right: range | tuple[int, ...] = ()) -> str:
    def cell(text: str) -> str:
        return text.replace("|", "\\|") if text else " "

    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
