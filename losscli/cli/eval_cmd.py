"""``losscli eval``: score predictions against targets with one or more losses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, List, Optional

import typer

from losscli.cli.options import (
    COL, FORMAT, GROUP_BY, INPUT, INPUT_FORMAT, LABEL, LOSS, NAN, PRECISION, PRED_COL, QUIET, REDUCTION, STRICT, SUMMARY,
    TARGET_COL, WEIGHT_COL, InputFormat, NanPolicy, OutputFormat, Reduction,
)
from losscli.cli.settings import Settings, given_options, parse_columns, parse_inputs

if TYPE_CHECKING:
    from losscli.compare.gates import GateOutcome, GateSpec
    from losscli.engine import ResolvedLoss


def eval_command(
    ctx: typer.Context,
    pred: Optional[str] = typer.Argument(None, metavar="PRED", help="Predictions file (CSV/TSV[.gz], NPY, NPZ, Parquet), or - for stdin.", show_default=False),
    target: Optional[str] = typer.Argument(None, metavar="TARGET", help="Targets file; omit when PRED holds both.", show_default=False),
    loss: List[str] = LOSS,
    input_: List[str] = INPUT,
    col: List[str] = COL,
    input_format: Optional[InputFormat] = INPUT_FORMAT,
    pred_col: List[str] = PRED_COL,
    target_col: List[str] = TARGET_COL,
    weight_col: Optional[str] = WEIGHT_COL,
    reduction: Reduction = REDUCTION,
    nan: NanPolicy = NAN,
    strict: bool = STRICT,
    fmt: Optional[OutputFormat] = FORMAT,
    per_sample: bool = typer.Option(False, "--per-sample", help="Also show each sample's loss."),
    worst: Optional[int] = typer.Option(None, "--worst", min=1, metavar="K", help="Show the K samples with the largest loss (by the first loss)."),
    limit: int = typer.Option(20, "--limit", min=1, metavar="N", help="Rows in the per-sample table and Markdown."),
    fail_above: List[str] = typer.Option([], "--fail-above", metavar="LOSS=VALUE", help="Gate LOSS=VALUE, repeatable: exit 1 when the loss is above VALUE (or not finite)."),
    group_by: Optional[str] = GROUP_BY,
    label: str = LABEL,
    summary: bool = SUMMARY,
    precision: int = PRECISION,
    quiet: bool = QUIET,
) -> None:
    """Evaluate losses of predictions against targets.

    Exit status: 0 when every gate holds, 1 when a --fail-above gate fails, 2 for usage or input errors.

    Examples:

      losscli eval sample_data/regression.csv --loss mse --loss huber:delta=0.5

      losscli eval preds.npy labels.npy --loss cross_entropy:label_smoothing=0.1 --format json

      cat run.csv | losscli eval - --input-format csv --loss bce --per-sample --worst 5

      losscli eval preds.parquet --loss mse --fail-above mse=0.25 --group-by source --format md
    """
    settings = Settings(
        [p for p in (pred, target) if p is not None], list(loss), None, parse_inputs(input_),
        parse_columns(pred_col, target_col, weight_col, col), input_format.value if input_format else None,
        reduction.value, nan.value, fmt.value if fmt else None, fail_above=list(fail_above), group_by=group_by,
        worst=worst, label=label, summary=summary, precision=precision, per_sample=per_sample, limit=limit,
        quiet=quiet, strict=strict, given=given_options(ctx),
    )
    run_eval(settings)


def run_eval(settings: Settings) -> None:
    """Evaluate, write the report to stdout (and the job summary), then exit 1 if a gate failed."""
    from losscli.cli.options import check_summary, finish_report

    if settings.summary:
        check_summary()
    finish_report(settings, *prepare_eval(settings))


def prepare_eval(settings: Settings) -> tuple[Callable[[str], str], list[GateOutcome]]:
    """Evaluate and check the gates; returns the report renderer (format -> text) and the gate outcomes.

    Per-sample rows in JSON Lines, CSV or TSV are written to stdout during the pass, as computed.
    """
    from losscli.cli.options import default_format, use_color
    from losscli.cli.progress import Progress, progress_wanted
    from losscli.engine import AllRows, FirstRows, Outputs, TopRows, evaluate, resolve_losses
    from losscli.errors import LossCliError
    from losscli.output import StdoutWriter, warn
    from losscli.readers import InputResolver
    from losscli.render import render
    from losscli.render.rows import ROW_FORMATS, RowFormatter, RowWriter
    from losscli.render.views import SampleSelection

    losses = resolve_losses(settings.losses)
    targets = gate_targets_of(settings.fail_above, losses)
    if targets and settings.reduction == "none":
        raise LossCliError("--fail-above needs a reduced value: drop --reduction none")
    if settings.group_by and settings.reduction == "none":
        raise LossCliError("--group-by needs a reduced value: drop --reduction none")
    fmt = default_format(settings.fmt)
    show_samples = settings.per_sample or settings.worst is not None or settings.reduction == "none"
    streamed = fmt in ROW_FORMATS and settings.group_by is None and settings.worst is None
    outputs = Outputs(group_by=settings.group_by)
    if settings.worst is not None:
        outputs.sinks.append(TopRows(settings.worst))
    elif streamed:
        outputs.sinks.append(RowWriter(RowFormatter(fmt, [loss.spec.text for loss in losses], settings.precision), StdoutWriter()))
        if settings.summary and show_samples:
            outputs.sinks.append(FirstRows(settings.limit))
    elif show_samples:
        outputs.sinks.append(FirstRows(settings.limit) if fmt in ("table", "md") else AllRows())
    resolver = InputResolver(settings.input_options(settings.runs))
    with Progress(progress_wanted(settings.quiet, rows_on_stdout=streamed and show_samples)) as progress:
        outputs.meter = progress.meter((settings.runs or list(settings.inputs.values()) or ["input"])[0])
        evaluation = evaluate(losses, resolver, reduction=settings.reduction, nan=settings.nan, outputs=outputs,
                              strict=settings.strict)
    for message, hint in [*settings.idle_settings(fmt, show_samples), *evaluation.warnings]:  # after the pass: an error comes alone
        warn(message, hint)
    outcomes = []
    if targets:
        from losscli.compare.gates import check_above

        specs = [loss.spec.text for loss in losses]
        outcomes = [check_above(gate, spec, evaluation.results[specs.index(spec)].value) for gate, spec in targets]
    groups = None
    if settings.group_by:
        from losscli.compare.comparison import eval_group_table

        groups = eval_group_table(evaluation)

    def report(out: str) -> str:
        if streamed and out == fmt:
            return ""
        selection = SampleSelection(worst=settings.worst, limit=settings.limit if out in ("table", "md") else None)
        return render(evaluation, out, per_sample=show_samples, selection=selection, digits=settings.precision,
                      color=out == "table" and use_color(), gates=outcomes, groups=groups, label=settings.label)

    return report, outcomes


def gate_targets_of(fail_above: list[str], losses: list[ResolvedLoss]) -> list[tuple[GateSpec, str]]:
    """Each ``--fail-above`` gate with each loss spec it names (the gates module only when there are gates)."""
    if not fail_above:
        return []
    from losscli.compare.gates import gate_targets, loss_keys, parse_gates

    specs, names = loss_keys(losses)
    return [(gate, spec) for gate in parse_gates(fail_above, "--fail-above", relative_ok=False)
            for spec in gate_targets(gate, specs, names)]
