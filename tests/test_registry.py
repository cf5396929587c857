"""Properties every registered loss must have, parametrised over the whole registry.

A loss added without its declarations, or whose function disagrees with them, fails here.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from conftest import class_keywords, random_inputs, run, run_inputs
from losscli.errors import LossCliError
from losscli.registry import Kind, LossEntry, Pooled, Reducer, Reported, Shape, entries, lookup
from losscli.registry.declarations import Weighted
from losscli.registry.params import resolve_params
from losscli.spec import parse_spec

ENTRIES = entries()
IDS = [e.name for e in ENTRIES]
TASKS = {"regression", "binary", "multiclass", "multilabel", "distribution", "embedding", "ranking", "segmentation", "sequence"}
PARAM_TYPES = {"float", "int", "bool", "float_list", "float_or_list", "int_or_none", "axes", "label", "label_list", "auto_bool"}
FOLLOWS = {"losscli", "torch", "keras", "sklearn"}


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_entry_declares_everything(entry: LossEntry) -> None:
    assert entry.task in TASKS
    assert entry.follows in FOLLOWS
    assert entry.better in ("lower", "higher"), "declare whether lower or higher is better (compare gates use it)"
    assert entry.summary, "the function needs a docstring whose first line summarises the loss"
    assert len(entry.formula) > 10 and len(entry.convention) > 20
    assert len(entry.roles) >= 2 and len({r.name for r in entry.roles}) == len(entry.roles)
    for role in entry.roles:
        assert isinstance(role.kind, Kind) and isinstance(role.shape, Shape) and role.doc
    for param in entry.params:
        assert param.type in PARAM_TYPES and param.doc
    assert set(entry.example.inputs) == {r.name for r in entry.roles}
    if entry.follows != "losscli":
        assert entry.name.startswith(f"{entry.follows}.")
        assert all(a.startswith(f"{entry.follows}.") for a in entry.aliases)
        assert entry.canonical is not None and lookup(entry.canonical).follows == "losscli"
    else:
        assert entry.canonical is None


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_function_signature_matches_declarations(entry: LossEntry) -> None:
    names = list(inspect.signature(entry.fn).parameters)
    element_weight = ["element_weight"] if entry.element_weights else []  # given only with (N, K) weights
    classes = ["classes", "seen"] if entry.classes_of else []  # what the engine passes from the label column
    assert names == [r.name for r in entry.roles] + [p.name for p in entry.params] + classes + element_weight


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_defaults_pass_their_own_checks(entry: LossEntry) -> None:
    spec = parse_spec(entry.name)
    assert resolve_params(entry, spec) == entry.defaults


def test_names_and_aliases_are_unique_and_resolve() -> None:
    names = [n for e in ENTRIES for n in (e.name, *e.aliases)]
    assert len(names) == len(set(names))
    for entry in ENTRIES:
        for name in (entry.name, *entry.aliases):
            assert lookup(name) is entry


def test_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(LossCliError, match="did you mean huber"):
        lookup("hubr")


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_returns_one_finite_loss_per_sample(entry: LossEntry) -> None:
    arrays = random_inputs(entry)
    out = run_inputs(entry, arrays).results[0].per_sample
    direct = entry.fn(*arrays, **entry.defaults, **class_keywords(entry, arrays))
    values = direct.values if isinstance(direct, (Weighted, Pooled, Reported)) else direct
    assert isinstance(direct, Pooled) == (entry.reducer is Reducer.POOLED), "a pooled loss declares Reducer.POOLED"
    assert values.shape == (len(arrays[0]),)
    np.testing.assert_allclose(out, values)
    assert np.isfinite(values).all()
    if entry.non_negative:
        assert (values >= -1e-12).all()


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_worked_example_runs(entry: LossEntry) -> None:
    from losscli.cli.catalog_cmd import worked_example

    result = worked_example(entry).results[0]
    assert math.isfinite(result.value)
    assert len(result.per_sample) == len(next(iter(entry.example.inputs.values())))


def _perfect_inputs(entry: LossEntry) -> tuple[np.ndarray, np.ndarray]:
    """A prediction equal to its target, in the kinds the entry declares."""
    pred, target = random_inputs(entry, seed=3)[:2]
    kinds = (entry.roles[0].kind, entry.roles[1].kind)
    if kinds == (Kind.PROBABILITIES, Kind.SOFT_TARGETS) and entry.task == "multiclass":
        target = np.eye(pred.shape[1])[np.arange(len(pred)) % pred.shape[1]]
    if pred.ndim == 2 and target.ndim == 1:  # class indices: the perfect scores are one-hot
        return np.eye(pred.shape[1])[target], target
    return target.copy(), target


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.zero_at_perfect], ids=lambda e: e.name)
def test_zero_at_a_perfect_prediction(entry: LossEntry) -> None:
    pred, target = _perfect_inputs(entry)
    evaluation = run(entry.name, pred, target)
    assert evaluation.results[0].value == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(evaluation.results[0].per_sample, 0.0, atol=1e-12)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_invariant_to_sample_order(entry: LossEntry) -> None:
    arrays = random_inputs(entry, seed=1)
    order = np.random.default_rng(7).permutation(len(arrays[0]))
    base = run_inputs(entry, arrays).results[0]
    shuffled = run_inputs(entry, [a[order] for a in arrays]).results[0]
    assert shuffled.value == pytest.approx(base.value, rel=1e-12)
    np.testing.assert_allclose(shuffled.per_sample, base.per_sample[order], rtol=1e-12)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.sample_weights], ids=lambda e: e.name)
def test_unit_weights_equal_no_weights(entry: LossEntry) -> None:
    arrays = random_inputs(entry, seed=2)
    weighted = run_inputs(entry, arrays, weight=np.ones(len(arrays[0]))).results[0].value
    assert weighted == pytest.approx(run_inputs(entry, arrays).results[0].value, rel=1e-12)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.sample_weights], ids=lambda e: e.name)
def test_integer_weights_equal_repeated_rows(entry: LossEntry) -> None:
    arrays = random_inputs(entry, seed=4, n=12)
    counts = np.arange(12) % 3 + 1
    weighted = run_inputs(entry, arrays, weight=counts.astype(float)).results[0].value
    repeated = run_inputs(entry, [np.repeat(a, counts, axis=0) for a in arrays]).results[0].value
    if entry.reducer.name == "BATCH_MEAN":  # Σ w·l / N: repeating rows grows N instead
        repeated *= counts.sum() / len(counts)
    if entry.reducer.name == "POOLED":  # the batch loss of the rows as given, times mean(w)
        repeated = run_inputs(entry, arrays).results[0].value * counts.mean()
    assert weighted == pytest.approx(repeated, rel=1e-10)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if not e.sample_weights], ids=lambda e: e.name)
def test_losses_without_sample_weights_refuse_them(entry: LossEntry) -> None:
    arrays = random_inputs(entry)
    with pytest.raises(LossCliError, match="takes no sample weights"):
        run_inputs(entry, arrays, weight=np.ones(len(arrays[0])))


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_float32_agrees_with_float64(entry: LossEntry) -> None:
    arrays = random_inputs(entry, seed=5, n=2000)
    narrow_arrays = [a.astype(np.float32) if a.dtype.kind == "f" else a for a in arrays]
    wide = run_inputs(entry, [a.astype(np.float64) if a.dtype.kind == "f" else a for a in narrow_arrays])
    narrow = run_inputs(entry, narrow_arrays)
    np.testing.assert_allclose(narrow.results[0].per_sample, wide.results[0].per_sample, rtol=2e-5, atol=1e-6)
    assert narrow.results[0].value == pytest.approx(wide.results[0].value, rel=1e-6)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
def test_chunk_size_does_not_change_results(entry: LossEntry) -> None:
    arrays = random_inputs(entry, seed=6, n=101)
    whole = run_inputs(entry, arrays).results[0]
    chunked = run_inputs(entry, arrays, chunk_values=7).results[0]
    np.testing.assert_array_equal(chunked.per_sample, whole.per_sample)
    assert chunked.value == whole.value or (math.isnan(chunked.value) and math.isnan(whole.value))  # exact sums: same bits


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.roles[0].kind is Kind.PROBABILITIES], ids=lambda e: e.name)
def test_probability_losses_reject_values_outside_unit_interval(entry: LossEntry) -> None:
    arrays = random_inputs(entry)
    pred = arrays[0].copy()
    pred[3] = 1.5 if pred.ndim == 1 else pred[3] + 1
    with pytest.raises(LossCliError, match=r"must be probabilities in \[0, 1\].*index \[3"):  # a library's lenience: with --strict
        run_inputs(entry, [pred, *arrays[1:]], strict=True)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_group_and_resample_reductions_agree_with_the_streamed_one(entry: LossEntry, reduction: str) -> None:
    arrays = random_inputs(entry, seed=8, n=30)
    weight = np.random.default_rng(8).uniform(0.5, 2, 30) if entry.sample_weights else None
    result = run_inputs(entry, arrays, weight=weight, reduction=reduction, chunk_values=50).results[0]
    codes = np.arange(30) % 3
    by_group = result.terms.by_group(reduction, codes, 3)
    for g in range(3):  # each group alone, evaluated from scratch
        rows = codes == g
        alone = run_inputs(entry, [a[rows] for a in arrays], weight=None if weight is None else weight[rows], reduction=reduction)
        assert by_group[g] == pytest.approx(alone.results[0].value, rel=1e-12)
    resampled = result.terms.by_resample(reduction, np.stack([np.arange(30), np.arange(30)[::-1], np.repeat(np.arange(10), 3)]))
    assert resampled[0] == pytest.approx(result.value, rel=1e-12) and resampled[1] == pytest.approx(result.value, rel=1e-12)
    repeated = run_inputs(entry, [np.repeat(a[:10], 3, axis=0) for a in arrays],
                          weight=None if weight is None else np.repeat(weight[:10], 3), reduction=reduction)
    assert resampled[2] == pytest.approx(repeated.results[0].value, rel=1e-12)


@pytest.mark.parametrize("entry", ENTRIES, ids=IDS)
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_paired_delta_of_resamples_matches_the_two_reductions(entry: LossEntry, reduction: str) -> None:
    from losscli.reduction import paired_delta

    base_arrays, other = random_inputs(entry, seed=10, n=40), random_inputs(entry, seed=11, n=40)
    cand_arrays = [other[0], *base_arrays[1:]]  # another run's predictions, the same targets
    weight = np.random.default_rng(10).uniform(0.5, 2, 40) if entry.sample_weights else None
    base = run_inputs(entry, base_arrays, weight=weight, reduction=reduction).results[0].terms
    cand = run_inputs(entry, cand_arrays, weight=weight, reduction=reduction).results[0].terms
    idx = np.random.default_rng(12).integers(0, 40, (5, 40))
    expected = cand.by_resample(reduction, idx) - base.by_resample(reduction, idx)
    # the fast path gathers centred float32 differences: rounding far below the spread the interval measures
    spread = float(np.nanstd(cand.values - base.values)) * (np.sqrt(40) if reduction == "sum" else 1 / np.sqrt(40))
    np.testing.assert_allclose(paired_delta(base, cand, reduction)(idx), expected, rtol=1e-6, atol=1e-6 * spread + 1e-12)
