"""Rich tables for the terminal. Colour only on a terminal; NO_COLOR is honoured by rich."""

from __future__ import annotations

import io

from losscli.engine import Evaluation
from losscli.render.views import (
    SUMMARY_HEADER, SampleSelection, sample_header, sample_rows, selected_samples, summary_rows,
)


def rich_table(evaluation: Evaluation, per_sample: bool, selection: SampleSelection, digits: int, color: bool) -> str:
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=120, highlight=False)
    omitted = f", {evaluation.n_omitted} omitted" if evaluation.n_omitted else ""
    summary = Table(title=f"losses over {evaluation.n_samples} samples{omitted}", title_justify="left")
    for i, name in enumerate(SUMMARY_HEADER):
        summary.add_column(name, justify="right" if i >= 3 else "left", style="bold" if name == "value" else None)
    for row in summary_rows(evaluation, digits):
        summary.add_row(*row)
    console.print(summary)
    if per_sample:
        shown = selected_samples(evaluation, selection)
        title = f"worst {len(shown)} samples by {evaluation.results[0].loss.spec.text}" if selection.worst is not None \
            else f"per-sample losses (first {len(shown)} of {evaluation.n_samples}; --limit to change)"
        samples = Table(title=title, title_justify="left")
        for name in sample_header(evaluation):
            samples.add_column(name, justify="right")
        for row in sample_rows(shown, digits):
            samples.add_row(*row)
        console.print(samples)
    return buffer.getvalue()
