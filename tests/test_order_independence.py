"""Every registry entry gives the same bits whatever the chunk size, the order of the rows or
their split into parts whose states are merged: the sums are exact, so nothing may depend on
how the rows arrive (the promise that lets shards and a cluster agree with one pass)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import random_inputs
from losscli.engine import Evaluation, LossResult, Outputs, ResolvedLoss, evaluate
from losscli.inputs import InputArray, StaticInputs
from losscli.registry import LossEntry, entries
from losscli.registry.params import resolve_params
from losscli.render.json_doc import document, dumps
from losscli.render.views import SampleSelection
from losscli.spec import parse_spec

ENTRIES = entries()
N_ROWS = 48
N_GROUPS = 4


@dataclass
class Case:
    """One entry's inputs: an array per role, sample weights (when it takes them) and group labels."""

    entry: LossEntry
    arrays: list[np.ndarray]
    weight: np.ndarray | None
    labels: np.ndarray

    @property
    def spec_text(self) -> str:
        """The entry; one that maps labels to columns lists them all, as shards of one input must (a part may lack some)."""
        if self.entry.classes_of is None:
            return self.entry.name
        labels = self.arrays[[r.name for r in self.entry.roles].index(self.entry.classes_of)]
        return f"{self.entry.name}:labels=[{','.join(str(int(c)) for c in np.unique(labels))}]"

    def evaluate(self, rows: np.ndarray, reduction: str, chunk_values: int) -> Evaluation:
        """Evaluate the entry over ``rows`` (in that order), grouped by the labels."""
        spec = parse_spec(self.spec_text)
        inputs = {role.name: InputArray(role.name, a[rows], "test") for role, a in zip(self.entry.roles, self.arrays)}
        inputs["group"] = InputArray("group", self.labels[rows], "test")
        if self.weight is not None:
            inputs["weight"] = InputArray("weight", self.weight[rows], "test")
        loss = ResolvedLoss(spec, self.entry, resolve_params(self.entry, spec))
        return evaluate([loss], StaticInputs(inputs), reduction, chunk_values=chunk_values, outputs=Outputs(group_by="group"))


def case_of(entry: LossEntry) -> Case:
    rng = np.random.default_rng(11)
    weight = rng.uniform(0.1, 3.0, N_ROWS) if entry.sample_weights else None
    return Case(entry, random_inputs(entry, seed=11, n=N_ROWS), weight, rng.integers(0, N_GROUPS, N_ROWS))


def merged(parts: list[Evaluation]) -> Evaluation:
    """One evaluation from parts over disjoint rows: their states and group states merged."""
    first = parts[0]
    state, groups, index = first.results[0].state, first.results[0].groups, first.group_index
    assert groups is not None and index is not None
    for part in parts[1:]:
        state.merge(part.results[0].state)
        other = part.group_index
        assert other is not None and part.results[0].groups is not None
        groups.merge(part.results[0].groups, index.merge(other), len(index))
    result = LossResult(first.results[0].loss, state, first.results[0].reduction, groups)
    n_rows = sum(p.n_rows for p in parts)
    inputs = {role: replace(info, shape=(n_rows, *info.shape[1:])) for role, info in first.inputs.items()}
    return Evaluation(inputs, n_rows, 0, [result], group_index=index)


def report(evaluation: Evaluation) -> tuple[str, list[tuple[object, float]]]:
    """The JSON document, and each group's value by label."""
    result = evaluation.results[0]
    index = evaluation.group_index
    assert index is not None and result.groups is not None
    labels, codes = index.order()
    values = result.groups.values(result.reduction, len(index))[codes]
    return dumps(document(evaluation, False, SampleSelection())), list(zip(labels, values.tolist()))


def same(a: tuple[str, list[tuple[object, float]]], b: tuple[str, list[tuple[object, float]]]) -> None:
    assert a[0] == b[0]
    assert [label for label, _ in a[1]] == [label for label, _ in b[1]]
    np.testing.assert_array_equal([v for _, v in a[1]], [v for _, v in b[1]])  # NaN equals NaN here


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_same_bits_for_any_chunking_order_and_split(entry: LossEntry, reduction: str, data: st.DataObject) -> None:
    case = case_of(entry)
    expected = report(case.evaluate(np.arange(N_ROWS), reduction, 32_768))
    order = np.array(data.draw(st.permutations(range(N_ROWS)), label="order"))
    chunk_values = data.draw(st.integers(1, 300), label="chunk_values")
    cuts = sorted(set(data.draw(st.lists(st.integers(1, N_ROWS - 1), max_size=4), label="cuts")))
    same(report(case.evaluate(order, reduction, chunk_values)), expected)
    parts = [case.evaluate(rows, reduction, chunk_values) for rows in np.split(order, cuts)]
    same(report(merged(parts)), expected)


def test_a_merged_state_is_the_exact_sum_of_its_parts() -> None:
    """The merged sums are the very integers one pass gives, not floats that happen to agree."""
    case = case_of(next(e for e in ENTRIES if e.name == "mse"))
    whole = case.evaluate(np.arange(N_ROWS), "mean", 32_768).results[0].state
    parts = [case.evaluate(rows, "mean", 5).results[0].state for rows in np.split(np.arange(N_ROWS), [7, 30])]
    state = parts[0].merge(parts[1]).merge(parts[2])
    assert state.weighted_sum.integer() == whole.weighted_sum.integer()
    assert state.denominator is not None and whole.denominator is not None
    assert state.denominator.integer() == whole.denominator.integer()
    assert state.count == whole.count == N_ROWS


@pytest.mark.parametrize("chunk_values", [2, 4, 32_768])
def test_a_nan_loss_stays_in_its_groups_max_whatever_the_chunks(chunk_values: int) -> None:
    """``--nan propagate`` gives NaN losses; a group's max holds NaN from it on, like the whole's."""
    pred = np.array([np.nan, 1.0, 5.0, 2.0, 3.0, 0.5])
    spec = parse_spec("sklearn.max_error")
    entry = next(e for e in ENTRIES if e.name == spec.name)
    inputs = {"pred": InputArray("pred", pred, "test"), "target": InputArray("target", np.zeros(6), "test"),
              "group": InputArray("group", np.array([0, 1, 0, 1, 0, 1]), "test")}
    evaluation = evaluate([ResolvedLoss(spec, entry, {})], StaticInputs(inputs), "mean", "propagate", chunk_values,
                          outputs=Outputs(group_by="group"))
    groups = evaluation.results[0].groups
    assert groups is not None
    values = groups.values("mean", 2)
    assert np.isnan(values[0]) and values[1] == 2.0
    assert np.isnan(evaluation.results[0].value)
