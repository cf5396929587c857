"""Shared test helpers: evaluate a spec through the real engine, random valid inputs per kind, and the CLI."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest

from losscli.engine import CHUNK_VALUES, Evaluation, ResolvedLoss, evaluate
from losscli.inputs import InputArray, StaticInputs
from losscli.registry import Kind, LossEntry, Shape, lookup
from losscli.registry.params import resolve_params
from losscli.spec import parse_spec


def run(
    spec_text: str, pred: Any, target: Any, weight: Any = None, reduction: str = "mean", nan: str = "error",
    chunk_values: int = CHUNK_VALUES, extra: dict[str, Any] | None = None, strict: bool = False,
) -> Evaluation:
    """Evaluate one spec over in-memory inputs exactly as ``losscli eval`` does.

    ``pred`` and ``target`` bind the first two roles (whatever their names); ``extra`` any further role by name.
    """
    spec = parse_spec(spec_text)
    entry = lookup(spec.name)
    first, second = (role.name for role in entry.roles[:2])
    inputs = {first: InputArray(first, np.asarray(pred), "test"), second: InputArray(second, np.asarray(target), "test")}
    for role, data in (extra or {}).items():
        inputs[role] = InputArray(role, np.asarray(data), "test")
    if weight is not None:
        inputs["weight"] = InputArray("weight", np.asarray(weight, dtype=float), "test")
    return evaluate([ResolvedLoss(spec, entry, resolve_params(entry, spec))], StaticInputs(inputs), reduction, nan, chunk_values,
                    keep_terms=True, strict=strict)


def value(spec_text: str, pred: Any, target: Any, weight: Any = None, reduction: str = "mean") -> float:
    """The reduced value of one spec."""
    return run(spec_text, pred, target, weight, reduction).results[0].value


def per_sample(spec_text: str, pred: Any, target: Any, extra: dict[str, Any] | None = None) -> np.ndarray:
    return run(spec_text, pred, target, extra=extra).results[0].per_sample


def _pred_array(
    entry: LossEntry, rng: np.random.Generator, n: int, k: int, position: int = 0, like: np.ndarray | None = None,
) -> np.ndarray:
    role = entry.roles[position]
    if like is not None and role.shape is Shape.SAME:
        shape = like.shape
    else:
        shape = (n, k) if role.shape in (Shape.MATRIX, Shape.ANY, Shape.CLASSES_FIRST, Shape.CLASSES_LAST) else (n,)
    kind = role.kind
    if kind is Kind.POSITIVE:
        return rng.uniform(0.2, 3.0, shape)
    if kind is Kind.NON_NEGATIVE:
        return rng.poisson(2.0, shape).astype(float)
    if kind is Kind.ABOVE_MINUS_ONE:
        return rng.uniform(-0.9, 3.0, shape)
    if kind is Kind.PROBABILITIES:
        return rng.dirichlet(np.ones(k), size=n) if role.shape in (Shape.MATRIX, Shape.CLASSES_FIRST, Shape.CLASSES_LAST) else rng.uniform(0.02, 0.98, shape)
    if kind is Kind.LOG_PROBABILITIES:
        return np.log(rng.dirichlet(np.ones(k), size=n))
    if kind is Kind.DISTANCES:
        return np.abs(rng.normal(1.0, 0.6, shape))
    if kind is Kind.LOGITS:
        return rng.normal(0, 3, shape)
    return rng.normal(0, 2, shape)


def _target_array(entry: LossEntry, pred: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    role = entry.roles[1]
    n = pred.shape[0]
    if role.shape in (Shape.INDEX, Shape.INDEX_OR_SAME, Shape.SPATIAL_INDEX, Shape.SPATIAL_INDEX_OR_SAME, Shape.LAST_INDEX) or role.kind is Kind.CLASS_INDICES:
        return rng.integers(0, pred.shape[1], n)
    if role.kind is Kind.SOFT_TARGETS and entry.roles[0].shape in (Shape.MATRIX, Shape.CLASSES_FIRST, Shape.CLASSES_LAST):
        return rng.dirichlet(np.ones(pred.shape[1]), size=n)
    if role.kind in (Kind.SOFT_TARGETS, Kind.BINARY_LABELS):
        return rng.integers(0, 2, pred.shape).astype(float)
    if role.kind in (Kind.SIGNED_LABELS, Kind.HINGE_LABELS):
        return rng.choice([-1.0, 1.0], pred.shape)
    return _pred_array(entry, rng, n, pred.shape[1] if pred.ndim == 2 else 1, 1, like=pred)


def _label_lists(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """Each row: a few distinct class indices, then -1 padding (PyTorch's multilabel_margin targets)."""
    out = np.full((n, k), -1)
    for i in range(n):  # test data only
        chosen = rng.choice(k, size=rng.integers(1, k), replace=False)
        out[i, : len(chosen)] = chosen
    return out


def random_inputs(entry: LossEntry, seed: int = 0, n: int = 64, k: int = 4) -> list[np.ndarray]:
    """Valid random inputs for every role of ``entry``, built from the kinds and shapes it declares.

    Sequence losses tie their inputs together (labels, lengths), so theirs are the declared worked
    example tiled to ``n`` rows, with jittered scores.
    """
    rng = np.random.default_rng(seed)
    if entry.task == "sequence":
        tiled = [np.resize(np.asarray(v), (n, *np.asarray(v).shape[1:])) for v in entry.example.inputs.values()]
        scores = tiled[0] + rng.normal(0, 0.3, tiled[0].shape)
        if entry.roles[0].kind is Kind.LOG_PROBABILITIES:  # jittered, then normalised again
            scores = scores - np.log(np.exp(scores).sum(axis=-1, keepdims=True))
        return [scores, *tiled[1:]]
    pred = _pred_array(entry, rng, n, k)
    arrays = [pred, _label_lists(rng, n, k) if entry.roles[1].kind is Kind.LABEL_LISTS else _target_array(entry, pred, rng)]
    for position in range(2, len(entry.roles)):
        role = entry.roles[position]
        shape = pred.shape if role.shape is Shape.SAME else (n,)
        if role.kind is Kind.SIGNED_LABELS:
            arrays.append(rng.choice([-1.0, 1.0], shape))
        elif role.kind is Kind.BINARY_LABELS:
            arrays.append(rng.integers(0, 2, shape).astype(float))
        else:
            arrays.append(_pred_array(entry, rng, n, k, position, like=pred))
    return arrays


def class_keywords(entry: LossEntry, arrays: list[np.ndarray]) -> dict[str, Any]:
    """The ``classes``/``seen`` keywords the engine gives an entry that maps labels (their sorted distinct values)."""
    if entry.classes_of is None:
        return {}
    labels = arrays[[r.name for r in entry.roles].index(entry.classes_of)]
    return {"classes": np.unique(labels), "seen": np.unique(labels)} if labels.ndim == 1 else {}


def run_inputs(entry: LossEntry, arrays: list[np.ndarray], **kwargs: Any) -> Evaluation:
    """``run`` with one array per role of ``entry``."""
    extra = {role.name: data for role, data in zip(entry.roles[2:], arrays[2:])}
    return run(entry.name, arrays[0], arrays[1], extra=extra, **kwargs)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


# --- the real command, for the CLI tests ------------------------------------------------------

ERROR = "losscli: error: "
GATE = "losscli: gate failed: "


def cli(*args: Any, env: dict[str, str | None] | None = None) -> Any:
    """Run ``losscli ARGS`` through Typer's CliRunner (stdout and stderr kept apart)."""
    from typer.testing import CliRunner

    from losscli.cli.app import app

    return CliRunner().invoke(app, [str(a) for a in args], env=env)


def strict_json(text: str) -> Any:
    """Parse JSON, failing on NaN/Infinity tokens."""
    def refuse(token: str) -> None:
        raise AssertionError(f"non-strict JSON token {token}")

    return json.loads(text, parse_constant=refuse)


def usage_error(result: Any, *fragments: str) -> str:
    """Exit 2, nothing on stdout, exactly one error line on stderr holding every fragment."""
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(ERROR), result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]
