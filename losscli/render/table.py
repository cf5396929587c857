"""Rich tables for the terminal. Colour only on a terminal; NO_COLOR is honoured by rich."""

from __future__ import annotations

import io

from losscli.engine import Evaluation
from losscli.render.terminal import folding_table, text_console
from losscli.render.views import (
    SUMMARY_HEADER, SampleSelection, sample_header, sample_rows, selected_samples, summary_rows,
)


def rich_table(evaluation: Evaluation, per_sample: bool, selection: SampleSelection, digits: int, color: bool) -> str:
    buffer = io.StringIO()
    console = text_console(buffer, color)
    omitted = f", {evaluation.n_omitted} omitted" if evaluation.n_omitted else ""
    summary = folding_table(f"losses over {evaluation.n_samples} samples{omitted}")
    for i, name in enumerate(SUMMARY_HEADER):
        summary.add_column(name, justify="right" if i >= 3 else "left", style="bold" if name == "value" else None,
                           overflow="fold")
    for row in summary_rows(evaluation, digits):
        summary.add_row(*row)
    console.print(summary)
    if per_sample:
        shown = selected_samples(evaluation, selection)
        title = f"worst {len(shown)} samples by {evaluation.results[0].loss.spec.text}" if selection.worst is not None \
            else f"per-sample losses (first {len(shown)} of {evaluation.n_samples}; --limit to change)"
        samples = folding_table(title)
        for name in sample_header(evaluation):
            samples.add_column(name, justify="right", overflow="fold")
        for row in sample_rows(shown, digits):
            samples.add_row(*row)
        console.print(samples)
    return buffer.getvalue()
