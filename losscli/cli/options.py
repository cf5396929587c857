"""Option types shared by the commands, and output plumbing (stdout in one write, colour rules)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from enum import Enum
from typing import Any

import typer


class OutputFormat(str, Enum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
    md = "md"


class ReportFormat(str, Enum):
    """The formats of a report (compare, check): no per-sample rows, so no jsonl."""

    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    md = "md"


class CatalogFormat(str, Enum):
    table = "table"
    json = "json"
    tsv = "tsv"
    md = "md"


class InputFormat(str, Enum):
    csv = "csv"
    tsv = "tsv"
    npy = "npy"
    npz = "npz"
    parquet = "parquet"


class Reduction(str, Enum):
    mean = "mean"
    sum = "sum"
    none = "none"


class NanPolicy(str, Enum):
    error = "error"
    omit = "omit"
    propagate = "propagate"


PRECISION = typer.Option(6, "--precision", min=1, max=17, metavar="DIGITS", help="Significant digits in text formats (JSON keeps full precision).")


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def use_color() -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    return stdout_is_terminal() and not os.environ.get("NO_COLOR")


def default_format(fmt: Enum | str | None) -> str:
    """The chosen format, else ``table`` on a terminal and ``json`` in a pipe."""
    if fmt is not None:
        return str(fmt.value) if isinstance(fmt, Enum) else fmt
    return "table" if stdout_is_terminal() else "json"


def emit(text: str) -> None:
    """Write the whole output at once, so an error never leaves half a report on stdout."""
    from losscli.output import write_stdout

    write_stdout(text)


# --- options shared by eval, compare and check (one definition each) -------------------------

LOSS = typer.Option([], "--loss", "-l", metavar="SPEC", help="Loss spec NAME[:KEY=VALUE,...], repeatable (see 'losscli list').")
INPUT = typer.Option([], "--input", metavar="ROLE=PATH", help="Bind a role to a file: ROLE=PATH (pred, target, weight, or a role 'losscli info' lists).")
COL = typer.Option([], "--col", metavar="ROLE=COLS", help="Columns for a role in one-table mode: ROLE=SELECTOR (names, comma lists, globs).")
INPUT_FORMAT = typer.Option(None, "--input-format", help="Format of every input, needed for stdin.")
PRED_COL = typer.Option([], "--pred-col", metavar="COLS", help="Prediction column(s): names, comma lists, globs like 'p_*'.")
TARGET_COL = typer.Option([], "--target-col", metavar="COLS", help="Target column(s).")
WEIGHT_COL = typer.Option(None, "--weight-col", metavar="COL", help="Column of per-sample weights.")
REDUCTION = typer.Option(Reduction.mean, "--reduction", help="mean (each loss's own mean), sum, or none.")
NAN = typer.Option(NanPolicy.error, "--nan", help="Non-finite inputs: error, omit the rows, or propagate as null.")
FORMAT = typer.Option(None, "--format", "-f", help="Output format [default: table on a terminal, json otherwise].")
GROUP_BY = typer.Option(None, "--group-by", metavar="COL", help="Also report the losses per value of this column (of the TARGET or PRED input).")
LABEL = typer.Option("losscli", "--label", metavar="TEXT", help="Report label: Markdown heading and hidden marker <!-- losscli:LABEL -->.")
STRICT = typer.Option(False, "--strict", help="Refuse what a library loss (torch.*, keras.*, sklearn.*) accepts with a warning, as its canonical loss does.")
QUIET = typer.Option(False, "--quiet", "-q", help="No progress display on stderr (it shows only on a terminal anyway).")
SUMMARY = typer.Option(False, "--summary", help="Also append the Markdown report to $GITHUB_STEP_SUMMARY when it is set.")


def check_summary() -> None:
    """Before any output: an error when ``$GITHUB_STEP_SUMMARY`` names a file that cannot be appended to."""
    from losscli.errors import LossCliError

    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        return
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        problem = "is a directory"
    elif not os.path.isdir(folder):
        problem = f"its directory {folder} does not exist"
    elif not os.access(path if os.path.exists(path) else folder, os.W_OK):
        problem = "permission denied"
    else:
        return
    raise LossCliError(f"--summary: GITHUB_STEP_SUMMARY={path}: {problem}", "point it at a writable file, or drop --summary")


def append_summary(markdown: str) -> None:
    """Append a Markdown report to the GitHub Actions job summary, or say why not (stderr)."""
    from losscli.errors import LossCliError
    from losscli.output import warn

    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if not path:
        warn("--summary: GITHUB_STEP_SUMMARY is not set, so no summary was written", "it is set inside a GitHub Actions job")
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(markdown + "\n")
    except OSError as exc:
        raise LossCliError(f"--summary: cannot append to GITHUB_STEP_SUMMARY={path}: {exc.strerror or exc}",
                           "point it at a writable file, or drop --summary") from None


def finish_report(settings: Any, report: Callable[[str], str], outcomes: list[Any]) -> None:
    """Write the job summary and then the report (so a failed summary leaves stdout empty), then
    exit 1 after one stderr line per failed gate."""
    text = report(default_format(settings.fmt))
    if settings.summary:
        append_summary(report("md"))
    emit(text)
    exit_for_gates(outcomes)


def exit_for_gates(outcomes: list[Any]) -> None:
    """Exit 1 after one stderr line per failed gate; return when every gate holds."""
    from losscli.output import write_stderr

    failed = [g for g in outcomes if not g.passed]
    for gate in failed:
        write_stderr(f"losscli: gate failed: {gate.why}\n")
    if failed:
        raise typer.Exit(1)
