"""``losscli check [FILE]``: the runs, losses and gates of a TOML file (default ``losscli.toml``), so a CI job is one command.

Sections (at least one): ``[eval]`` scores predictions with ``fail_above`` gates, ``[compare]``
compares a baseline with candidates under ``max_increase`` gates; ``[report]`` sets the output
and ``[columns]`` the input columns. Relative paths are relative to the TOML file. README.md
shows a complete file.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Iterable
from typing import Any, Optional

import typer

from losscli.cli.options import FORMAT, QUIET, ReportFormat

CHECK_FORMATS = tuple(f.value for f in ReportFormat)
SECTION_KEYS = {
    "eval": {"predictions", "target", "losses", "fail_above", "group_by", "worst", "per_sample", "reduction", "nan", "weight", "strict"},
    "compare": {"baseline", "candidates", "target", "losses", "max_increase", "bootstrap", "seed", "ci",
                "require_significant", "group_by", "worst", "id_col", "reduction", "nan", "weight", "strict"},
    "report": {"format", "label", "summary", "precision"},
    "columns": {"pred", "target", "weight"},
}


def check_command(
    file: str = typer.Argument("losscli.toml", metavar="FILE", help="The TOML file of runs, losses and gates."),
    fmt: Optional[ReportFormat] = FORMAT,
    summary: bool = typer.Option(False, "--summary", help="Also append the Markdown report to $GITHUB_STEP_SUMMARY."),
    quiet: bool = QUIET,
) -> None:
    """Run the evaluations, comparisons and gates a TOML file describes.

    Exit status: 0 when every gate holds, 1 when one fails, 2 for a bad file or input.

    Example: losscli check ci/losscli.toml --format md --summary
    """
    import json

    from losscli.cli.compare_cmd import prepare_compare
    from losscli.cli.eval_cmd import prepare_eval
    from losscli.cli.options import append_summary, check_summary, default_format, emit, exit_for_gates
    from losscli.render.json_doc import SCHEMA_VERSION, dumps

    config = read_config(file)
    base = os.path.dirname(os.path.abspath(file))
    report_opts = config.get("report", {})
    chosen = setting(report_opts, "report", "format", None, str, CHECK_FORMATS)
    out = fmt.value if fmt else chosen or default_format(None)
    summarize = summary or setting(report_opts, "report", "summary", False, bool)
    if summarize:
        check_summary()
    reports, outcomes = [], []
    for section, prepare in (("eval", prepare_eval), ("compare", prepare_compare)):
        if section in config:
            settings = section_settings(config, section, base)
            settings.quiet = quiet
            render, gates = prepare(settings)
            reports.append((section, render))
            outcomes += gates
    if out == "json":
        doc = {"schema_version": SCHEMA_VERSION, "kind": "check", "passed": all(g.passed for g in outcomes),
               **{section: json.loads(render("json")) for section, render in reports}}
        text = dumps(doc) + "\n"
    else:
        text = joined(render(out) for _, render in reports)
    if summarize:  # before stdout, so a summary that cannot be written leaves stdout empty
        append_summary(joined(render("md") for _, render in reports))
    emit(text)
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
    except IsADirectoryError:
        raise LossCliError(f"{path}: is a directory, not a TOML file", "name the file: losscli check FILE") from None
    except OSError as exc:
        raise LossCliError(f"{path}: cannot read ({exc.strerror or exc})", "check the file's permissions") from None
    except UnicodeDecodeError:
        raise LossCliError(f"{path}: not valid TOML: the file is not UTF-8 text", "save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise LossCliError(f"{path}: not valid TOML: {exc}") from None
    except ValueError:  # an integer of more digits than Python converts
        raise LossCliError(f"{path}: not valid TOML for losscli: an integer is too long to read") from None
    except RecursionError:
        raise LossCliError(f"{path}: not valid TOML for losscli: arrays or tables nested too deeply") from None
    for section, table in config.items():
        if section not in SECTION_KEYS or not isinstance(table, dict):
            raise LossCliError(f"{path}: unknown section [{section}]", f"sections are {', '.join(f'[{s}]' for s in SECTION_KEYS)}")
        unknown = sorted(set(table) - SECTION_KEYS[section])
        if unknown:
            raise LossCliError(f"{path}: [{section}] has no key {unknown[0]!r}", f"its keys are {', '.join(sorted(SECTION_KEYS[section]))}")
    if "eval" not in config and "compare" not in config:
        raise LossCliError(f"{path}: nothing to check", "add an [eval] or a [compare] section")
    return config


def setting(table: dict[str, Any], section: str, key: str, default: Any, kind: type, choices: tuple[Any, ...] = (),
            low: float | None = None, high: float | None = None) -> Any:
    """``table[key]`` checked for its type, choices and range (``default`` when absent)."""
    from losscli.errors import LossCliError

    if key not in table:
        return default
    value = table[key]
    ok = isinstance(value, kind) and not (kind is not bool and isinstance(value, bool))
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value) if abs(value) <= sys.float_info.max else math.inf, True
    what = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}[kind]
    if not ok:
        raise LossCliError(f"[{section}] {key} must be {what}, got {value!r}")
    if kind is float and not math.isfinite(value):
        raise LossCliError(f"[{section}] {key} = {value!r} is not a finite number")
    if choices and value not in choices:
        raise LossCliError(f"[{section}] {key} = {value!r} is not one of {', '.join(map(str, choices))}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise LossCliError(f"[{section}] {key} = {value!r} is out of range", f"it must lie in [{low}, {high}]".replace("None", "…"))
    return value


def section_settings(config: dict[str, Any], section: str, base: str) -> Any:
    """The :class:`Settings` of one section, with paths made relative to the TOML file."""
    from losscli.cli.settings import MAX_RESAMPLES, Settings
    from losscli.errors import LossCliError

    table = config[section]
    where = f"[{section}]"

    def path(value: Any, key: str) -> str:
        if not isinstance(value, str) or not value:
            raise LossCliError(f"{where} {key} must be a path (a string)")
        if os.path.isabs(value) or value == "-":
            return value
        resolved = os.path.relpath(os.path.join(base, value))
        _check_resolution(f"{where} {key} = {value!r}", value, resolved, base)
        return resolved

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
        predictions = strings("predictions")
        if len(predictions) > 1:
            raise LossCliError(f"{where} predictions names {len(predictions)} files, but [eval] scores one run",
                               'give one file (predictions = "run.parquet"); to score several, list them as [compare] candidates')
        runs = [path(p, "predictions") for p in predictions]
        target = table.get("target")
        runs += [path(target, "target")] if target is not None else []
    else:
        if "baseline" not in table or not strings("candidates"):
            raise LossCliError(f"{where} needs a baseline and candidates", 'e.g. baseline = "main.json" and candidates = ["pr.parquet"]')
        runs = [path(table["baseline"], "baseline"), *(path(p, "candidates") for p in strings("candidates"))]
        target = path(table["target"], "target") if "target" in table else None
    if not runs:
        raise LossCliError(f"{where} needs predictions", 'e.g. predictions = "preds.parquet"')
    columns = {role: [setting(config["columns"], "columns", role, "", str)] for role in config.get("columns", {})}
    report = config.get("report", {})

    def get(key: str, default: Any, kind: type, *rest: Any, **bounds: Any) -> Any:
        return setting(table, section, key, default, kind, *rest, **bounds)

    settings = Settings(
        runs, strings("losses"), target if section == "compare" else None, columns=columns,
        reduction=get("reduction", "mean", str, ("mean", "sum") if section == "compare" else ("mean", "sum", "none")),
        nan=get("nan", "error", str, ("error", "omit", "propagate")),
        fail_above=gates("fail_above") if section == "eval" else [],
        max_increase=gates("max_increase") if section == "compare" else [],
        bootstrap=get("bootstrap", None, int, low=1, high=MAX_RESAMPLES), seed=get("seed", None, int, low=0),
        ci=get("ci", 0.95, float, low=0, high=1), require_significant=get("require_significant", False, bool),
        group_by=get("group_by", None, str), worst=get("worst", None, int, low=1),
        id_cols=strings("id_col") if section == "compare" else [],
        label=setting(report, "report", "label", "losscli", str), precision=setting(report, "report", "precision", 6, int, low=1, high=17),
        per_sample=get("per_sample", False, bool), strict=get("strict", False, bool),
        given=frozenset(k for k in ("ci", "seed") if k in table),  # [report] serves every format a run may ask for
    )
    if "weight" in table:
        settings.inputs["weight"] = path(table["weight"], "weight")
    return settings


def _check_resolution(setting: str, value: str, resolved: str, base: str) -> None:
    """A TOML path is relative to the TOML file's folder; say so where the current directory would read another file."""
    from losscli.errors import LossCliError
    from losscli.output import warn

    if os.path.normpath(value) == resolved or not os.path.exists(value):
        return
    if not os.path.exists(resolved):
        raise LossCliError(
            f"{setting}: no such file {resolved} (paths in a TOML file are relative to its folder), though {value} exists"
            " from the current directory", f"write {os.path.relpath(os.path.abspath(value), base)!r} to mean that one")
    if not os.path.samefile(value, resolved):
        warn(f"{setting} is read as {resolved} (paths in a TOML file are relative to its folder), not ./{os.path.normpath(value)}",
             f"write {os.path.relpath(os.path.abspath(value), base)!r} to mean ./{os.path.normpath(value)}")
