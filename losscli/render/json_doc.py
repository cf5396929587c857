"""The versioned JSON document (``--format json``) and JSON Lines rows (``--format jsonl``).

Strict JSON: non-finite numbers are written as null, never ``NaN``/``Infinity``; floats keep
full precision (shortest round-trip repr).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from losscli import __version__
from losscli.engine import Evaluation
from losscli.render.numbers import json_number, json_params
from losscli.render.views import SampleSelection, reduced_value, selected_samples

SCHEMA_VERSION = 1


def dumps(document: Any) -> str:
    """Strict JSON text: any non-finite float left in ``document`` is written as null."""
    try:
        return json.dumps(document, allow_nan=False, ensure_ascii=False)
    except ValueError:  # a NaN or ±inf somewhere (only the slow path walks the document)
        return json.dumps(_nulled(document), allow_nan=False, ensure_ascii=False)


def _nulled(node: Any) -> Any:
    if isinstance(node, float):
        return node if math.isfinite(node) else None
    if isinstance(node, dict):
        return {key: _nulled(value) for key, value in node.items()}
    if isinstance(node, (list, tuple)):
        return [_nulled(value) for value in node]
    return node


def json_values(values: np.ndarray) -> list[float | None]:
    """A float array as JSON numbers, with null for NaN and ±inf."""
    finite = np.isfinite(values)
    listed: list[float | None] = values.tolist()
    if not finite.all():
        for i in np.flatnonzero(~finite):
            listed[i] = None
    return listed


def document(evaluation: Evaluation, per_sample: bool, selection: SampleSelection) -> dict[str, Any]:
    """The ``schema_version`` 1 document described in README.md."""
    shown = selected_samples(evaluation, selection) if per_sample else None
    losses: dict[str, Any] = {}
    for i, result in enumerate(evaluation.results):
        value = reduced_value(evaluation, i)
        entry: dict[str, Any] = {
            "name": result.loss.entry.name,
            "follows": result.loss.entry.follows,
            "params": json_params(result.loss.params),
            "reduction": result.reduction,
            "value": None if value is None else json_number(value),
            "n": result.state.count,
            "n_nonfinite": result.state.n_nonfinite,
        }
        if shown is not None:
            entry["per_sample"] = json_values(shown.values[i])
            entry["per_sample_weighted"] = result.state.weighted and result.loss.entry.weighted_per_sample
        losses[result.loss.spec.text] = entry
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "losscli_version": __version__,
        "n_samples": evaluation.n_samples,
        "n_omitted": evaluation.n_omitted,
        "inputs": {
            role: {"source": inp.source, "columns": list(inp.columns) if inp.columns is not None else None,
                   "shape": list(inp.shape)}
            for role, inp in evaluation.inputs.items()
        },
        "losses": losses,
    }
    if shown is not None:
        doc["index"] = shown.index.tolist()
    return doc
