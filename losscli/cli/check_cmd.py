"""``losscli check [FILE]``: the runs, losses and gates of a TOML file (default ``losscli.toml``), so a CI job is one command.

Sections (at least one): ``[eval]`` scores predictions with ``fail_above`` gates, ``[compare]``
compares a baseline with candidates under ``max_increase`` gates; ``[report]`` sets the output
and ``[columns]`` the input columns. Relative paths are relative to the TOML file. README.md
shows a complete file.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any, Optional

import typer

from losscli.cli.options import FORMAT, OutputFormat

SECTION_KEYS = {
    "eval": {"predictions", "target", "losses", "fail_above", "group_by", "worst", "per_sample", "reduction", "nan", "weight"},
    "compare": {"baseline", "candidates", "target", "losses", "max_increase", "bootstrap", "seed", "ci",
                "require_significant", "group_by", "worst", "id_col", "reduction", "nan", "weight"},
    "report": {"format", "label", "summary", "precision"},
    "columns": {"pred", "target", "weight"},
}


def check_command(
    file: str = typer.Argument("losscli.toml", help="The TOML file of runs, losses and gates."),
    fmt: Optional[OutputFormat] = FORMAT,
    summary: bool = typer.Option(False, "--summary", help="Also append the Markdown report to $GITHUB_STEP_SUMMARY."),
) -> None:
    """Run the evaluations, comparisons and gates a TOML file describes.

    Exit status: 0 when every gate holds, 1 when one fails, 2 for a bad file or input.

    Example: losscli check ci/losscli.toml --format md --summary
    """
    import json

    from losscli.cli.compare_cmd import prepare_compare
    from losscli.cli.eval_cmd import prepare_eval
    from losscli.cli.options import append_summary, default_format, emit, exit_for_gates
    from losscli.render.json_doc import SCHEMA_VERSION, dumps

    config = read_config(file)
    base = os.path.dirname(os.path.abspath(file))
    report_opts = config.get("report", {})
    out = fmt.value if fmt else report_opts.get("format") or default_format(None)
    reports, outcomes = [], []
    for section, prepare in (("eval", prepare_eval), ("compare", prepare_compare)):
        if section in config:
            render, gates = prepare(section_settings(config, section, base))
            reports.append((section, render))
            outcomes += gates
    if out == "json":
        doc = {"schema_version": SCHEMA_VERSION, "kind": "check", "passed": all(g.passed for g in outcomes),
               **{section: json.loads(render("json")) for section, render in reports}}
        emit(dumps(doc) + "\n")
    else:
        emit(joined(render(out) for _, render in reports))
    if summary or report_opts.get("summary", False):
        append_summary(joined(render("md") for _, render in reports))
    exit_for_gates(outcomes)


def joined(texts: Iterable[str]) -> str:
    """The sections' reports one after the other, with one Markdown marker (the first) for the whole."""
    parts = []
    for i, text in enumerate(texts):
        if i and text.startswith("<!-- losscli:"):
            text = text.split("\n", 1)[1]
        parts.append(text)
    return "\n".join(parts)


def read_config(path: str) -> dict[str, Any]:
    """The TOML file, checked for known sections and keys."""
    import sys

    from losscli.errors import LossCliError

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as fh:
            config = tomllib.load(fh)
    except FileNotFoundError:
        raise LossCliError(f"{path}: no such file", "write a losscli.toml (see README.md) or name the file: losscli check FILE") from None
    except tomllib.TOMLDecodeError as exc:
        raise LossCliError(f"{path}: not valid TOML: {exc}") from None
    for section, table in config.items():
        if section not in SECTION_KEYS or not isinstance(table, dict):
            raise LossCliError(f"{path}: unknown section [{section}]", f"sections are {', '.join(f'[{s}]' for s in SECTION_KEYS)}")
        unknown = sorted(set(table) - SECTION_KEYS[section])
        if unknown:
            raise LossCliError(f"{path}: [{section}] has no key {unknown[0]!r}", f"its keys are {', '.join(sorted(SECTION_KEYS[section]))}")
    if "eval" not in config and "compare" not in config:
        raise LossCliError(f"{path}: nothing to check", "add an [eval] or a [compare] section")
    return config


def section_settings(config: dict[str, Any], section: str, base: str) -> Any:
    """The :class:`Settings` of one section, with paths made relative to the TOML file."""
    from losscli.cli.settings import Settings
    from losscli.errors import LossCliError

    table = config[section]
    where = f"[{section}]"

    def path(value: Any, key: str) -> str:
        if not isinstance(value, str) or not value:
            raise LossCliError(f"{where} {key} must be a path (a string)")
        return value if os.path.isabs(value) or value == "-" else os.path.relpath(os.path.join(base, value))

    def strings(key: str) -> list[str]:
        value = table.get(key, [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise LossCliError(f"{where} {key} must be a string or a list of strings")
        return value

    def gates(key: str) -> list[str]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise LossCliError(f"{where} {key} must be a table of LOSS = VALUE", f'e.g. {key} = {{ mse = 0.25, "*" = "2%" }}')
        return [f"{loss}={limit}" for loss, limit in value.items()]

    if section == "eval":
        runs = [path(p, "predictions") for p in strings("predictions")]
        target = table.get("target")
        runs += [path(target, "target")] if target is not None else []
    else:
        if "baseline" not in table or not strings("candidates"):
            raise LossCliError(f"{where} needs a baseline and candidates", 'e.g. baseline = "main.json" and candidates = ["pr.parquet"]')
        runs = [path(table["baseline"], "baseline"), *(path(p, "candidates") for p in strings("candidates"))]
        target = path(table["target"], "target") if "target" in table else None
    if not runs:
        raise LossCliError(f"{where} needs predictions", 'e.g. predictions = "preds.parquet"')
    columns = {role: [selector] for role, selector in config.get("columns", {}).items()}
    report = config.get("report", {})
    settings = Settings(
        runs, strings("losses"), target if section == "compare" else None, columns=columns,
        reduction=table.get("reduction", "mean"), nan=table.get("nan", "error"),
        fail_above=gates("fail_above") if section == "eval" else [],
        max_increase=gates("max_increase") if section == "compare" else [],
        bootstrap=table.get("bootstrap"), seed=table.get("seed"), ci=table.get("ci", 0.95),
        require_significant=bool(table.get("require_significant", False)), group_by=table.get("group_by"),
        worst=table.get("worst"), id_cols=strings("id_col") if section == "compare" else [],
        label=report.get("label", "losscli"), precision=report.get("precision", 6),
        per_sample=bool(table.get("per_sample", False)),
    )
    if "weight" in table:
        settings.inputs["weight"] = path(table["weight"], "weight")
    return settings
