"""``losscli compare``: a baseline against candidates, with gates, paired intervals, slices and the worst samples."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, List, Optional

import typer

from losscli.cli.options import (
    COL, FORMAT, GROUP_BY, INPUT, INPUT_FORMAT, LABEL, LOSS, NAN, PRECISION, PRED_COL, QUIET, REDUCTION, STRICT, SUMMARY,
    TARGET_COL, WEIGHT_COL, InputFormat, NanPolicy, Reduction, ReportFormat,
)
from losscli.cli.settings import MAX_RESAMPLES, Settings, given_options, parse_columns, parse_inputs


if TYPE_CHECKING:
    from losscli.compare.gates import GateOutcome


def compare_command(
    ctx: typer.Context,
    runs: List[str] = typer.Argument(..., metavar="RUN", help="BASELINE then CANDIDATE...: prediction files, or saved 'losscli eval --format json' results.", show_default=False),
    loss: List[str] = LOSS,
    target: Optional[str] = typer.Option(None, "--target", "-t", metavar="TARGET", help="Targets shared by every prediction file (then the runs are paired row by row)."),
    input_: List[str] = INPUT,
    col: List[str] = COL,
    input_format: Optional[InputFormat] = INPUT_FORMAT,
    pred_col: List[str] = PRED_COL,
    target_col: List[str] = TARGET_COL,
    weight_col: Optional[str] = WEIGHT_COL,
    reduction: Reduction = REDUCTION,
    nan: NanPolicy = NAN,
    strict: bool = STRICT,
    fmt: Optional[ReportFormat] = FORMAT,
    max_increase: List[str] = typer.Option([], "--max-increase", metavar="LOSS=TOL", help="Gate LOSS=TOL, repeatable: exit 1 when a candidate is worse by more than TOL (0.01, or 2% of the baseline); LOSS may be *."),
    bootstrap: Optional[int] = typer.Option(None, "--bootstrap", min=1, metavar="N", max=MAX_RESAMPLES, help="Paired bootstrap interval of each delta with N resamples (paired runs only)."),
    seed: Optional[int] = typer.Option(None, "--seed", min=0, metavar="N", help="Seed of the bootstrap resamples (a whole number >= 0), for reproducible intervals."),
    ci: float = typer.Option(0.95, "--ci", metavar="LEVEL", help="Confidence level of the bootstrap interval, between 0 and 1."),
    require_significant: bool = typer.Option(False, "--require-significant", help="A --max-increase gate fails only when its interval also excludes zero."),
    group_by: Optional[str] = GROUP_BY,
    worst: Optional[int] = typer.Option(None, "--worst", min=1, metavar="K", help="The K samples whose first loss rose most, per candidate (paired runs)."),
    id_col: List[str] = typer.Option([], "--id-col", metavar="COL", help="Column(s) identifying a sample in the --worst rows."),
    label: str = LABEL,
    summary: bool = SUMMARY,
    precision: int = PRECISION,
    quiet: bool = QUIET,
) -> None:
    """Compare a baseline run with one or more candidates.

    Exit status: 0 when every gate holds, 1 when a --max-increase gate fails, 2 for usage or input errors.

    Examples:

      losscli compare base.parquet new.parquet --target y.parquet --loss mse --max-increase 'mse=2%'

      losscli compare main.json pr.json --max-increase '*=0.01' --format md --label losses --summary

      losscli compare base.csv new.csv --target y.csv --loss bce --bootstrap 1000 --seed 0 --require-significant --max-increase bce=0
    """
    settings = Settings(
        list(runs), list(loss), target, parse_inputs(input_), parse_columns(pred_col, target_col, weight_col, col),
        input_format.value if input_format else None, reduction.value, nan.value, fmt.value if fmt else None,
        max_increase=list(max_increase), bootstrap=bootstrap, seed=seed, ci=ci, require_significant=require_significant,
        group_by=group_by, worst=worst, id_cols=list(id_col), label=label, summary=summary, precision=precision,
        quiet=quiet, strict=strict, given=given_options(ctx),
    )
    run_compare(settings)


def run_compare(settings: Settings) -> None:
    """Score or read every run, write the comparison (and the job summary), then exit 1 if a gate failed."""
    from losscli.cli.options import check_summary, finish_report

    if settings.summary:
        check_summary()
    finish_report(settings, *prepare_compare(settings))


def prepare_compare(settings: Settings) -> tuple[Callable[[str], str], list[GateOutcome]]:
    """Compare and check the gates; returns the report renderer (format -> text) and the gate outcomes."""
    from losscli.cli.options import default_format, use_color
    from losscli.cli.progress import Progress, progress_wanted
    from losscli.compare.comparison import Bootstrap, compare, group_table, worst_rows
    from losscli.compare.gates import check_increase, gate_targets, loss_keys, parse_gates
    from losscli.compare.runs import load_runs
    from losscli.errors import LossCliError
    from losscli.output import warn
    from losscli.render.comparison import render_comparison

    if settings.reduction == "none":
        raise LossCliError("compare needs reduced values: drop --reduction none", "use --reduction mean (default) or sum")
    if len(settings.runs) < 2:
        raise LossCliError("compare needs a baseline and at least one candidate", "losscli compare BASELINE CANDIDATE... --loss SPEC")
    if not 0 < settings.ci < 1:  # nan fails too; checked with or without --bootstrap
        raise LossCliError(f"the confidence level (--ci, ci) must lie strictly between 0 and 1, got {settings.ci!r}", "e.g. 0.95")
    settings.check_bootstrap_settings()
    if settings.require_significant and settings.bootstrap is None:
        raise LossCliError("--require-significant needs --bootstrap N", "add --bootstrap 1000 (and --seed for reproducible intervals)")
    if settings.id_cols and settings.worst is None:
        raise LossCliError("--id-col labels the --worst rows", "add --worst K")
    gates = parse_gates(settings.max_increase, "--max-increase", relative_ok=True)
    boot = Bootstrap(settings.bootstrap, settings.ci, settings.seed) if settings.bootstrap else None
    with Progress(progress_wanted(settings.quiet)) as progress:
        losses, runs = load_runs(settings.runs, settings.losses, settings.input_options([]), settings.target,
                                 settings.reduction, settings.nan, group_by=settings.group_by,
                                 keep_terms=bool(settings.bootstrap or settings.worst), meter=progress.meter,
                                 strict=settings.strict)
        comparison = compare(losses, runs, boot, progress.resamples)
    for message, hint in settings.idle_settings(default_format(settings.fmt), show_samples=False):
        warn(message, hint)
    specs, names = loss_keys(losses)
    if settings.group_by:
        if any(run.evaluation is None for run in runs):
            raise LossCliError(f"--group-by {settings.group_by} needs prediction files: saved results have no per-sample losses")
        comparison.groups = group_table([run.evaluation for run in runs if run.evaluation is not None])
    if settings.worst:
        comparison.worst, comparison.worst_loss = worst_rows(comparison, settings.worst, settings.id_cols), specs[0]
    better = {loss.spec.text: loss.entry.better for loss in losses}
    outcomes = [
        check_increase(gate, spec, run.label, row.baseline, row.candidate, better[spec], row.ci, settings.require_significant)
        for gate in gates for spec in gate_targets(gate, specs, names)
        for run in comparison.candidates for row in [comparison.row(spec, run.label)]
    ]

    def report(fmt: str) -> str:
        return render_comparison(comparison, outcomes, fmt, settings.label, settings.precision, fmt == "table" and use_color())

    return report, outcomes
