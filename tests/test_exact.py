"""Exact sums: equal to math.fsum (correctly rounded), whatever the chunking, order or split."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from losscli.exact import ExactSum, GroupedExactSum, all_finite

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)


def exact(values: np.ndarray, cuts: list[int] = ()) -> ExactSum:
    total = ExactSum()
    for part in np.split(values, sorted(cuts)):
        total.add(part)
    return total


def correctly_rounded(values: list[float]) -> float:
    """The exact sum rounded once (math.fsum can overflow on the way to a sum that fits)."""
    total = sum(map(Fraction, values), Fraction(0))
    try:
        return float(total)
    except OverflowError:  # the exact sum rounds beyond the float range
        return math.inf if total > 0 else -math.inf


@settings(max_examples=300, deadline=None)
@given(st.lists(finite, min_size=0, max_size=200), st.lists(st.integers(0, 200), max_size=6))
def test_correctly_rounded_for_any_chunking(values: list[float], cuts: list[int]) -> None:
    x = np.array(values, dtype=np.float64)
    cuts = [c for c in cuts if c <= len(x)]
    assert exact(x, cuts).value == correctly_rounded(values)


@settings(max_examples=100, deadline=None)
@given(st.lists(finite, min_size=1, max_size=100), st.randoms())
def test_order_and_merge_do_not_matter(values: list[float], rnd: object) -> None:
    x = np.array(values)
    shuffled = x.copy()
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    half = len(x) // 2
    merged = exact(shuffled[:half]).merge(exact(shuffled[half:]))
    assert merged.value == exact(x).value
    assert merged.integer() == exact(x).integer()


def test_hard_cases_by_hand() -> None:
    assert exact(np.array([1e100, 1.0, -1e100])).value == 1.0  # float addition in order gives 0
    assert exact(np.array([0.1] * 10)).value == 1.0  # np.sum gives 0.9999999999999999
    tiny = 5e-324
    assert exact(np.array([tiny, tiny, -tiny])).value == tiny  # subnormals
    assert exact(np.array([1.7976931348623157e308, 1.7976931348623157e308, -1.7976931348623157e308])).value == 1.7976931348623157e308
    assert exact(np.array([1.7976931348623157e308] * 2)).value == math.inf  # overflow of the exact sum
    assert exact(np.array([], dtype=float)).value == 0.0
    assert exact(np.array([-0.0])).value == 0.0


def integer_of(values: list[float]) -> int:
    """The exact sum in units of 2**-1126, from fractions."""
    total = sum(map(Fraction, values), Fraction(0)) * (1 << 1126)
    assert total.denominator == 1
    return total.numerator


scales = st.sampled_from([1.0, 1e-3, 1e10, 1e-150, 1e150, 1e300, 1e-305, 5e-324, 2.0 ** 1000])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(finite, scales), min_size=1, max_size=300))
def test_extraction_and_binning_give_the_exact_integer(pairs: list[tuple[float, float]]) -> None:
    """Values of every range, mixed: levels of extraction, then binning for whatever is left."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        x = np.array([v * s for v, s in pairs])
    x = x[np.isfinite(x)]
    assert exact(x).integer() == integer_of(x.tolist())


@pytest.mark.parametrize("levels", [0, 1, 2, 4])
def test_every_number_of_levels_is_exact(levels: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """MAX_LEVELS only moves work between extraction and binning; the integer stays the same."""
    import losscli.exact as module

    monkeypatch.setattr(module, "MAX_LEVELS", levels)
    rng = np.random.default_rng(levels)
    x = rng.normal(size=5000) ** 2 * 10.0 ** rng.integers(-20, 20, 5000)
    for chunk in (x, -x, x[:1], x * 2.0 ** 900, x * 2.0 ** -1000, np.concatenate([x, -x[::-1]])):
        assert exact(chunk).integer() == integer_of(chunk.tolist())


def test_extraction_edges_by_hand() -> None:
    big = 1.7976931348623157e308
    for x in ([big, -big, big], [big / 3, 1.0, -big / 3], [2.0 ** 1000, 2.0 ** -1000], [5e-324] * 7,
              [2.2250738585072014e-308, -5e-324], [1.0, 2.0 ** -53, 2.0 ** -53], [-1.0] * 3 + [3.0]):
        assert exact(np.array(x)).integer() == integer_of(x), x


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("size", [1, 7, 1000, 40_000])
def test_all_finite_finds_one_bad_value_anywhere(dtype: type, size: int) -> None:
    rng = np.random.default_rng(size)
    x = (rng.uniform(0.5, 1.0, size) * float(np.finfo(dtype).max)).astype(dtype)  # finite values whose sum overflows
    assert all_finite(x)
    for bad in (math.nan, math.inf, -math.inf):
        for where in {0, size // 2, size - 1}:
            y = x.copy()
            y[where] = bad
            assert not all_finite(y)
            assert not all_finite(y.reshape(1, -1).T)  # any shape
    assert all_finite(np.arange(5))


def test_non_finite_values_give_the_ieee_result() -> None:
    assert math.isnan(exact(np.array([1.0, math.nan])).value)
    assert exact(np.array([1.0, math.inf, 2.0])).value == math.inf
    assert exact(np.array([1.0, -math.inf])).value == -math.inf
    assert math.isnan(exact(np.array([math.inf, -math.inf])).value)
    assert math.isnan(exact(np.array([math.inf])).merge(exact(np.array([-math.inf]))).value)


def test_many_values_flush_exactly(monkeypatch: pytest.MonkeyPatch) -> None:
    import losscli.exact as module

    monkeypatch.setattr(module, "_FLUSH_AFTER", 64)  # the pending float bins are flushed every few chunks
    rng = np.random.default_rng(0)
    x = rng.normal(size=10_000) * 10.0 ** rng.integers(-30, 30, 10_000)
    total = ExactSum()
    for part in np.array_split(x, 400):
        total.add(part)
    assert total.value == math.fsum(x.tolist())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(finite, st.integers(0, 4)), min_size=1, max_size=150), st.integers(1, 40))
def test_grouped_sums_equal_fsum_per_group(rows: list[tuple[float, int]], step: int) -> None:
    x = np.array([v for v, _ in rows])
    codes = np.array([g for _, g in rows])
    grouped = GroupedExactSum()
    for start in range(0, len(x), step):
        grouped.add(x[start:start + step], codes[start:start + step], 5)
    got = grouped.values(5)
    for g in range(5):
        members = [v for v, c in rows if c == g]
        assert got[g] == correctly_rounded(members)


def test_grouped_merge_maps_codes() -> None:
    a, b = GroupedExactSum(), GroupedExactSum()
    a.add(np.array([1.0, 2.0, 1e-300]), np.array([0, 1, 0]), 2)
    b.add(np.array([10.0, 0.1]), np.array([0, 1]), 2)
    a.merge(b, np.array([1, 2]), 3)  # b's group 0 is a's 1; b's group 1 is new (2)
    assert a.values(3).tolist() == [1.0 + 1e-300, 12.0, 0.1]
    assert a.integers(1)[0] == ExactSum().merge(exact(np.array([1.0, 1e-300]))).integer()


def test_groups_that_trickle_in_keep_their_sums() -> None:
    """One new group per chunk (capacity grows by doubling), negative and positive sums alike."""
    rng = np.random.default_rng(3)
    grouped, members = GroupedExactSum(), {}
    for g in range(300):
        x = rng.normal(0, 10.0 ** rng.integers(-5, 5), 7) - (g % 3)
        codes = rng.integers(0, g + 1, 7)
        grouped.add(x, codes, g + 1)
        for v, c in zip(x.tolist(), codes.tolist()):
            members.setdefault(c, []).append(v)
    got = grouped.values(300)
    assert [got[g] for g in sorted(members)] == [correctly_rounded(members[g]) for g in sorted(members)]
