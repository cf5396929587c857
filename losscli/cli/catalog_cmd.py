"""``losscli list`` and ``losscli info``: the registry, as tables, JSON or Markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import typer

from losscli.cli.options import PRECISION, CatalogFormat, emit, stdout_is_terminal, use_color

if TYPE_CHECKING:
    from losscli.engine import Evaluation
    from losscli.registry import LossEntry


def list_command(
    task: Optional[str] = typer.Option(None, "--task", metavar="TASK", help="Only losses of this task (regression, binary, multiclass, ...)."),
    follows: Optional[str] = typer.Option(None, "--follows", metavar="LIBRARY", help="Only losses following this library (losscli, torch, keras, sklearn)."),
    fmt: Optional[CatalogFormat] = typer.Option(None, "--format", "-f", help="table, json, tsv or md [default: table on a terminal, tsv otherwise]."),
) -> None:
    """List every loss with its task, inputs and parameters."""
    from losscli.errors import LossCliError
    from losscli.registry import entries

    every = entries()
    for option, given, known in (("--task", task, {e.task for e in every}), ("--follows", follows, {e.follows for e in every})):
        if given is not None and given not in known:
            raise LossCliError(f"{option} {given!r}: no loss has it", f"{option} takes one of: {', '.join(sorted(known))}")
    chosen = [e for e in every if (task is None or e.task == task) and (follows is None or e.follows == follows)]
    if not chosen:
        raise LossCliError(f"no loss has both --task {task} and --follows {follows}", "drop one of them, or 'losscli list' shows all")
    out = fmt.value if fmt else ("table" if stdout_is_terminal() else "tsv")  # a pipe gets lines for grep and cut, as gh's
    if out == "json":
        from losscli.render.json_doc import dumps

        emit(dumps({"schema_version": 1, "losses": [describe(e) for e in chosen]}) + "\n")
        return
    header = ["name", "aliases", "task", "follows", "inputs", "params"]
    rows = [[e.name, ", ".join(e.aliases), e.task, e.follows, " · ".join(r.kind_for(e.defaults).value for r in e.roles),
             ", ".join(f"{p.name}={_text(p.default)}" for p in e.params)] for e in chosen]
    emit(_tabulate(f"{len(chosen)} losses", header, rows, out))


def info_command(
    name: str = typer.Argument(..., metavar="LOSS", help="Loss name or alias, e.g. huber or torch.MSELoss."),
    fmt: Optional[CatalogFormat] = typer.Option(None, "--format", "-f", help="table, json, tsv or md [default: table, on a terminal or not]."),
    precision: int = PRECISION,
) -> None:
    """Show a loss's formula, inputs, parameters, convention and a worked example."""
    from losscli.registry import lookup
    from losscli.twins import twin_rows

    entry = lookup(name)
    example = worked_example(entry)
    out = fmt.value if fmt else "table"  # text to read; colour only on a terminal
    if out == "json":
        from losscli.render.json_doc import document, dumps
        from losscli.render.views import SampleSelection

        doc = describe(entry)
        doc["example"] = document(example, True, SampleSelection())
        doc["twins"] = [vars(row) for row in twin_rows(entry)]
        emit(dumps(doc) + "\n")
        return
    from losscli.render.numbers import sig

    result = example.results[0]
    lines = [
        f"{entry.name} — {entry.summary}",
        f"aliases: {', '.join(entry.aliases) or '—'}    task: {entry.task}    follows: {entry.follows}"
        + (f"    canonical twin: {entry.canonical}" if entry.canonical else ""),
        f"formula: {entry.formula}",
        f"convention: {entry.convention}",
        *([f"accepted with a warning (refused with --strict and by {entry.canonical}): {entry.lenient_text}"] if entry.lenient else []),
        f"reduction (--reduction mean): {entry.reducer.value}; sample weights: {'yes' if entry.sample_weights else 'no'};"
        f" {entry.better} is better",
        entry.reductions_text,
    ]
    parts = [_fitted("\n".join(lines), out)]
    parts.append(_tabulate("inputs", ["role", "kind", "shape", "meaning"],
                           [[r.name, r.kind_for(entry.defaults).value, r.shape.value, r.doc] for r in entry.roles], out))
    if entry.params:
        parts.append(_tabulate("parameters", ["name", "type", "default", "range", "meaning"],
                               [[p.name, p.type, _text(p.default), p.range_text(), p.doc] for p in entry.params], out))
    given = ", ".join(f"{role}={values}" for role, values in entry.example.inputs.items())
    parts.append(_fitted(
        f"example: {given}\n  per sample: {[float(sig(v, precision)) for v in result.per_sample]}\n"
        f"  {result.reduction}: {sig(result.value, precision)}\n"
        f"  try: losscli eval PRED TARGET --loss {entry.name}", out,
    ))
    twins = twin_rows(entry)
    if twins:
        weights = ", ".join(str(i + 1) for i in range(len(result.per_sample)))
        parts.append(_tabulate(
            f"the same example in each library (weighted: sample weights {weights})",
            ["loss", "follows", "inputs", "mean", "weights", "value", "weighted"],
            [[t.name, t.follows, t.inputs, t.reducer, "yes" if t.weights else "no",
              sig(t.value, precision) if t.note == "" else t.note, sig(t.weighted_value, precision) if t.weights else "—"]
             for t in twins], out))
    emit("\n\n".join(parts) + "\n")


def worked_example(entry: LossEntry) -> Evaluation:
    """Evaluate ``entry`` on its declared example, through the same engine as ``eval``."""
    import numpy as np

    from losscli.engine import AllRows, Outputs, ResolvedLoss, evaluate
    from losscli.inputs import InputArray, StaticInputs
    from losscli.registry.params import resolve_params
    from losscli.spec import LossSpec

    spec = LossSpec(entry.name, entry.name, dict(entry.example.params))
    inputs = {name: InputArray(name, np.asarray(values), "example") for name, values in entry.example.inputs.items()}
    return evaluate([ResolvedLoss(spec, entry, resolve_params(entry, spec))], StaticInputs(inputs),
                    outputs=Outputs(sinks=[AllRows()], keep_terms=True))


def describe(entry: LossEntry) -> dict[str, Any]:
    """An entry's declarations as JSON-ready data."""
    return {
        "name": entry.name, "aliases": list(entry.aliases), "task": entry.task, "follows": entry.follows,
        "summary": entry.summary, "formula": entry.formula, "convention": entry.convention,
        "reducer": entry.reducer.value, "sample_weights": entry.sample_weights, "better": entry.better, "canonical": entry.canonical,
        "sum": entry.sum_rule, "weighted_per_sample": entry.weighted_per_sample,
        "lenient": [{"role": item.role, "check": item.check.value, "does": item.does} for item in entry.lenient],
        "inputs": [{"role": r.name, "kind": r.kind_for(entry.defaults).value, "shape": r.shape.value, "doc": r.doc}
                   for r in entry.roles],
        "params": [{"name": p.name, "type": p.type, "default": p.default, "range": p.range_text(), "doc": p.doc}
                   for p in entry.params],
    }


def _text(value: Any) -> str:
    from losscli.render.numbers import format_params

    return format_params({"x": value})[2:]


def _fitted(text: str, out: str) -> str:
    """Text lines wrapped to the terminal's width for the table format (continuations indented)."""
    if out != "table":
        return text
    import textwrap

    from losscli.render.terminal import terminal_width

    width = terminal_width()
    return "\n".join(textwrap.fill(line, width, subsequent_indent="    ", break_on_hyphens=False) or line
                     for line in text.splitlines())


def _tabulate(title: str, header: list[str], rows: list[list[str]], out: str) -> str:
    if out == "tsv":  # one line a row; a tab or newline inside a cell becomes a space
        return "\n".join("\t".join(" ".join(str(cell).split()) for cell in line) for line in [header, *rows])
    if out == "md":
        from losscli.render.markdown import table_md

        return f"**{title}**\n\n{table_md(header, rows)}\n"
    import io

    from losscli.render.terminal import folding_table, text_console

    buffer = io.StringIO()
    console = text_console(buffer, use_color())
    table = folding_table(title)
    for name in header:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console.print(table)
    return buffer.getvalue().rstrip("\n")
