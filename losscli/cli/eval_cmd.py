"""``losscli eval``: score predictions against targets with one or more losses."""

from __future__ import annotations

from typing import List, Optional

import typer

from losscli.cli.options import PRECISION, InputFormat, NanPolicy, OutputFormat, Reduction, default_format, emit, use_color


def eval_command(
    pred: Optional[str] = typer.Argument(None, help="Predictions file (CSV/TSV[.gz], NPY, NPZ, Parquet), or - for stdin.", show_default=False),
    target: Optional[str] = typer.Argument(None, help="Targets file; omit when PRED holds both.", show_default=False),
    loss: List[str] = typer.Option([], "--loss", "-l", help="Loss spec NAME[:KEY=VALUE,...], repeatable (see 'losscli list')."),
    input_: List[str] = typer.Option([], "--input", help="Bind a role to a file: ROLE=PATH (pred, target, weight, or a role 'losscli info' lists)."),
    col: List[str] = typer.Option([], "--col", help="Columns for a role in one-table mode: ROLE=SELECTOR (names, comma lists, globs)."),
    input_format: Optional[InputFormat] = typer.Option(None, "--input-format", help="Format of every input, needed for stdin."),
    pred_col: List[str] = typer.Option([], "--pred-col", help="Prediction column(s): names, comma lists, globs like 'p_*'."),
    target_col: List[str] = typer.Option([], "--target-col", help="Target column(s)."),
    weight_col: Optional[str] = typer.Option(None, "--weight-col", help="Column of per-sample weights."),
    reduction: Reduction = typer.Option(Reduction.mean, "--reduction", help="mean (each loss's own mean), sum, or none."),
    nan: NanPolicy = typer.Option(NanPolicy.error, "--nan", help="Non-finite inputs: error, omit the rows, or propagate as null."),
    fmt: Optional[OutputFormat] = typer.Option(None, "--format", "-f", help="Output format [default: table on a terminal, json otherwise]."),
    per_sample: bool = typer.Option(False, "--per-sample", help="Also show each sample's loss."),
    worst: Optional[int] = typer.Option(None, "--worst", min=1, help="Show the K samples with the largest loss (by the first loss)."),
    limit: int = typer.Option(20, "--limit", min=1, help="Rows in the per-sample table and Markdown."),
    precision: int = PRECISION,
) -> None:
    """Evaluate losses of predictions against targets.

    Examples:

      losscli eval sample_data/regression.csv --loss mse --loss huber:delta=0.5

      losscli eval preds.npy labels.npy --loss cross_entropy:label_smoothing=0.1 --format json

      cat run.csv | losscli eval - --input-format csv --loss bce --per-sample --worst 5
    """
    from losscli.engine import evaluate, resolve_losses
    from losscli.errors import LossCliError
    from losscli.readers import InputOptions, InputResolver, parse_binding
    from losscli.render import render
    from losscli.render.views import SampleSelection

    losses = resolve_losses(loss)
    bindings: dict[str, str] = {}
    for text in input_:
        role, path = parse_binding(text, "--input")
        if role in bindings:
            raise LossCliError(f"--input {role} is given twice", "give each input once")
        bindings[role] = path
    columns: dict[str, list[str]] = {"pred": list(pred_col), "target": list(target_col), "weight": [weight_col] if weight_col else []}
    for text in col:
        role, selector = parse_binding(text, "--col")
        columns.setdefault(role, []).append(selector)
    positional = [p for p in (pred, target) if p is not None]
    options = InputOptions(positional, bindings, {k: v for k, v in columns.items() if v},
                           input_format.value if input_format else None)
    evaluation = evaluate(losses, InputResolver(options), reduction=reduction.value, nan=nan.value)

    out = default_format(fmt)
    show_samples = per_sample or worst is not None or reduction is Reduction.none
    capped = out in ("table", "md")
    selection = SampleSelection(worst=worst, limit=limit if capped else None)
    emit(render(evaluation, out, per_sample=show_samples, selection=selection, digits=precision, color=use_color()))

