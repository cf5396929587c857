"""Reports made of titled tables ("blocks"), written as a rich table, Markdown or CSV/TSV.

Cells hold raw values (numbers, text, None); each format rounds numbers to ``--precision``
significant digits its own way. Markdown reports open with a hidden marker
``<!-- losscli:LABEL -->`` (so a CI step can find and update its earlier comment), a heading
and a one-line verdict, and fold detail blocks into ``<details>``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from losscli.render.markdown import table_md
from losscli.render.numbers import sig


@dataclass(frozen=True)
class Block:
    title: str
    header: list[str]
    rows: list[list[Any]]
    details: bool = False  # Markdown: folded into <details>


@dataclass(frozen=True)
class Report:
    heading: str
    verdict: str | None
    blocks: list[Block]
    label: str = "losscli"
    notes: list[str] = field(default_factory=list)


def cell(value: Any, digits: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return sig(value, digits)
    return str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _numeric_columns(block: Block) -> tuple[int, ...]:
    return tuple(i for i in range(len(block.header)) if any(_is_number(r[i]) for r in block.rows))


def markdown_report(report: Report, digits: int) -> str:
    parts = [f"<!-- losscli:{report.label} -->", f"### {report.heading}", ""]
    if report.verdict:
        parts += [report.verdict, ""]
    parts += [f"_{note}_\n" for note in report.notes]
    for block in report.blocks:
        table = table_md(block.header, [[cell(v, digits) for v in row] for row in block.rows], right=_numeric_columns(block))
        if block.details:
            parts += ["<details>", f"<summary>{block.title}</summary>", "", table, "", "</details>", ""]
        else:
            parts += [f"**{block.title}**", "", table, ""]
    return "\n".join(parts).rstrip("\n") + "\n"


def rich_report(report: Report, digits: int, color: bool) -> str:
    from rich.text import Text

    from losscli.render.terminal import folding_table, text_console

    buffer = io.StringIO()
    console = text_console(buffer, color)
    if report.verdict:  # styled, not Markdown's asterisks
        console.print(Text(report.verdict.replace("**", ""), style="bold"))
    for note in report.notes:
        console.print(note)
    for block in report.blocks:
        table = folding_table(block.title)
        numeric = _numeric_columns(block)
        for i, name in enumerate(block.header):
            table.add_column(name, justify="right" if i in numeric else "left", overflow="fold")
        for row in block.rows:
            table.add_row(*(cell(v, digits) for v in row))
        console.print(table)
    return buffer.getvalue()


def delimited_block(block: Block, digits: int, sep: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(block.header)
    writer.writerows([[cell(v, digits) for v in row] for row in block.rows])
    return out.getvalue()


def group_records(header: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    """Per-group rows as JSON objects; the first column (named after the --group-by column) is ``group``."""
    return [dict(zip(["group", *header[1:]], row)) for row in rows]


def heading(command: str, label: str) -> str:
    return f"losscli {command}" if label == "losscli" else f"losscli {command}: {label}"


def verdict_line(failed: list[str], n_gates: int) -> str | None:
    """One line naming the failed gates, or saying all hold; None when no gate was set."""
    if not n_gates:
        return None
    if failed:
        return f"❌ **{len(failed)} of {n_gates} gates failed:** " + "; ".join(failed)
    return f"✅ **All {n_gates} gates hold.**"
