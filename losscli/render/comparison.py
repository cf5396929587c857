"""``losscli compare`` output: one row per loss and candidate, in every format with the same columns.

Columns: loss, run, baseline, candidate, delta, rel_delta (delta / |baseline|), then ci_low and
ci_high with ``--bootstrap``, and gate (pass/fail) when gates are set.
"""

from __future__ import annotations

from typing import Any

from losscli import __version__
from losscli.compare.comparison import Comparison, GroupTable, WorstRow
from losscli.compare.gates import GateOutcome
from losscli.render.blocks import (
    Block, Report, delimited_block, group_records, heading, markdown_report, rich_report, verdict_line,
)
from losscli.render.json_doc import SCHEMA_VERSION, dumps
from losscli.render.numbers import json_number


def comparison_header(comparison: Comparison, gates: list[GateOutcome]) -> list[str]:
    header = ["loss", "run", "baseline", "candidate", "delta", "rel_delta"]
    if comparison.bootstrap is not None:
        header += ["ci_low", "ci_high"]
    if gates:
        header.append("gate")
    return header


def comparison_rows(comparison: Comparison, gates: list[GateOutcome]) -> list[dict[str, Any]]:
    rows = []
    for row in comparison.rows:
        item: dict[str, Any] = {"loss": row.loss, "run": row.run, "baseline": row.baseline, "candidate": row.candidate,
                                "delta": row.delta, "rel_delta": row.rel_delta}
        if comparison.bootstrap is not None:
            item["ci_low"], item["ci_high"] = row.ci if row.ci is not None else (None, None)
        if gates:
            mine = [g for g in gates if g.loss == row.loss and g.run == row.run]
            item["gate"] = ("fail" if any(not g.passed for g in mine) else "pass") if mine else None
        rows.append(item)
    return rows


def group_rows(groups: GroupTable, comparison: Comparison) -> tuple[list[str], list[list[Any]]]:
    header = [groups.column, "n", "loss", "run", "baseline", "candidate", "delta"]
    rows = []
    for g, name in enumerate(groups.groups):
        for i, loss in enumerate(comparison.losses):
            base = groups.values[0][i][g]
            for r, run in enumerate(comparison.candidates, start=1):
                value = groups.values[r][i][g]
                delta = value - base if value is not None and base is not None else None
                rows.append([name, groups.sizes[g], loss.spec.text, run.label, base, value, delta])
    return header, rows


def worst_header(worst: list[WorstRow]) -> list[str]:
    ids = list(worst[0].ids) if worst else []
    return ["run", "index", *ids, "baseline", "candidate", "delta"]


def _worst_cells(row: WorstRow) -> list[Any]:
    return [row.run, row.index, *row.ids.values(), row.baseline, row.candidate, row.delta]


def comparison_report(comparison: Comparison, gates: list[GateOutcome], label: str) -> Report:
    header = comparison_header(comparison, gates)
    rows = [[item[h] for h in header] for item in comparison_rows(comparison, gates)]
    blocks = [Block(f"{comparison.baseline.label} (baseline) against {len(comparison.candidates)} candidate(s)", header, rows)]
    if comparison.groups is not None:
        g_header, g_rows = group_rows(comparison.groups, comparison)
        blocks.append(Block(f"by {comparison.groups.column}", g_header, g_rows))
    if comparison.worst:
        blocks.append(Block(f"samples whose {comparison.worst_loss} rose most", worst_header(comparison.worst),
                            [_worst_cells(r) for r in comparison.worst], details=True))
    notes = []
    if comparison.bootstrap is not None:
        b = comparison.bootstrap
        notes.append(f"ci: {b.ci:.0%} paired bootstrap interval of delta, {b.resamples} resamples, seed {b.seed}")
    failed = [g.why for g in gates if not g.passed]
    return Report(heading("compare", label), verdict_line(failed, len(gates)), blocks, label, notes)


def render_comparison(comparison: Comparison, gates: list[GateOutcome], fmt: str, label: str, digits: int, color: bool) -> str:
    if fmt == "json":
        return dumps(comparison_document(comparison, gates)) + "\n"
    report = comparison_report(comparison, gates, label)
    if fmt == "md":
        return markdown_report(report, digits)
    if fmt in ("csv", "tsv"):  # one table: the groups when asked for, else the comparison rows
        block = report.blocks[1] if comparison.groups is not None else report.blocks[0]
        return delimited_block(block, digits, "," if fmt == "csv" else "\t")
    return rich_report(report, digits, color)


def comparison_document(comparison: Comparison, gates: list[GateOutcome]) -> dict[str, Any]:
    """The ``kind: compare`` JSON document (schema version 1, described in README.md)."""
    def run_info(run: Any) -> dict[str, Any]:
        return {"source": run.label, "kind": run.kind, "n_samples": run.n_samples}

    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "kind": "compare",
        "losscli_version": __version__,
        "baseline": run_info(comparison.baseline),
        "candidates": [run_info(r) for r in comparison.candidates],
        "paired": comparison.paired,
        "bootstrap": None if comparison.bootstrap is None else {
            "resamples": comparison.bootstrap.resamples, "ci": comparison.bootstrap.ci, "seed": comparison.bootstrap.seed},
        "rows": [{k: _json(v) for k, v in item.items()} for item in comparison_rows(comparison, gates)],
        "gates": gates_json(gates),
        "passed": all(g.passed for g in gates),
    }
    if comparison.groups is not None:
        header, rows = group_rows(comparison.groups, comparison)
        doc["groups"] = {"column": comparison.groups.column,
                         "rows": group_records(header, [[_json(v) for v in row] for row in rows])}
    if comparison.worst:
        doc["worst"] = {"loss": comparison.worst_loss,
                        "rows": [dict(zip(worst_header(comparison.worst), [_json(v) for v in _worst_cells(r)]))
                                 for r in comparison.worst]}
    return doc


def gates_json(gates: list[GateOutcome]) -> list[dict[str, Any]]:
    return [{"option": g.gate.option, "gate": g.gate.text, "loss": g.loss, "run": g.run,
             "baseline": _json(g.baseline), "value": _json(g.value), "limit": g.limit_text, "passed": g.passed}
            for g in gates]


def _json(value: Any) -> Any:
    return json_number(value) if isinstance(value, float) else value
