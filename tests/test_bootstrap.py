"""paired_bootstrap: reproducibility, coverage, pairing, several statistics, NaN handling, blocks, validation."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from losscli.compare import bootstrap
from losscli.compare.bootstrap import paired_bootstrap
from losscli.errors import LossCliError


def mean_of(values: np.ndarray):  # type: ignore[no-untyped-def]
    """The statistic 'mean of values over each resample's rows'."""
    return lambda idx: np.take(values, idx).mean(axis=1)


def shifted_pair(n: int, mu: float, seed: int, noise: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Baseline per-sample losses and a candidate shifted by mu plus independent noise."""
    rng = np.random.default_rng(seed)
    baseline = rng.gamma(2.0, 1.0, n)
    return baseline, baseline + mu + noise * rng.standard_normal(n)


def test_same_seed_same_interval_and_different_seed_different_interval() -> None:
    baseline, candidate = shifted_pair(300, 0.1, seed=1)
    stat = mean_of(candidate - baseline)
    first = paired_bootstrap(stat, 300, resamples=500, seed=7)
    again = paired_bootstrap(stat, 300, resamples=500, seed=7)
    other = paired_bootstrap(stat, 300, resamples=500, seed=8)
    assert first[0].shape == first[1].shape == (1,)
    assert first[0][0] < first[1][0]
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert first[0][0] != other[0][0] and first[1][0] != other[1][0]


def test_unseeded_calls_draw_fresh_resamples() -> None:
    stat = mean_of(np.random.default_rng(0).standard_normal(100))
    assert paired_bootstrap(stat, 100, 200)[0][0] != paired_bootstrap(stat, 100, 200)[0][0]


def test_matches_the_percentile_interval_of_the_documented_draws() -> None:
    # The whole method in a few lines: one generator, all resamples drawn row-major as uint32.
    n, resamples, seed = 37, 250, 11
    values = np.random.default_rng(3).exponential(size=n)
    idx = np.random.default_rng(seed).integers(0, n, size=(resamples, n), dtype=np.uint32)
    expected = np.quantile(np.take(values, idx).mean(axis=1), [0.05, 0.95])
    low, high = paired_bootstrap(mean_of(values), n, resamples, ci=0.9, seed=seed)
    np.testing.assert_array_equal([low[0], high[0]], expected)


def test_intervals_cover_the_true_shift_at_about_the_nominal_rate() -> None:
    n, mu, datasets = 200, 0.3, 300
    covered95 = covered50 = 0
    for i in range(datasets):
        baseline, candidate = shifted_pair(n, mu, seed=10_000 + i)
        stat = mean_of(candidate - baseline)
        low, high = paired_bootstrap(stat, n, resamples=400, ci=0.95, seed=i)
        covered95 += bool(low[0] <= mu <= high[0])
        low, high = paired_bootstrap(stat, n, resamples=400, ci=0.5, seed=i)
        covered50 += bool(low[0] <= mu <= high[0])
    assert 0.90 <= covered95 / datasets <= 0.985
    assert 0.40 <= covered50 / datasets <= 0.62


def test_pairing_removes_the_variance_the_runs_share() -> None:
    n, mu = 500, 0.25
    baseline = np.random.default_rng(5).gamma(2.0, 1.0, n)
    candidate = baseline + mu  # the same shift on every row: the paired difference has no variance

    def paired(idx: np.ndarray) -> np.ndarray:
        return np.take(candidate, idx).mean(axis=1) - np.take(baseline, idx).mean(axis=1)

    def unpaired(idx: np.ndarray) -> np.ndarray:  # the baseline resampled on other rows than the candidate
        return np.take(candidate, idx).mean(axis=1) - np.take(baseline, (idx + n // 2) % n).mean(axis=1)

    low, high = paired_bootstrap(paired, n, resamples=300, seed=2)
    assert abs(low[0] - mu) < 1e-12 and abs(high[0] - mu) < 1e-12
    low, high = paired_bootstrap(unpaired, n, resamples=300, seed=2)
    assert high[0] - low[0] > 0.1 and low[0] < mu < high[0]


def test_several_statistics_at_once_match_each_computed_alone() -> None:
    n = 150
    rng = np.random.default_rng(9)
    d1, d2 = rng.standard_normal(n), rng.exponential(size=n)
    columns = [
        lambda idx: np.take(d1, idx).mean(axis=1),
        lambda idx: np.median(np.take(d2, idx), axis=1),
        lambda idx: np.take(d1 * d2, idx).max(axis=1),
    ]

    def together(idx: np.ndarray) -> np.ndarray:
        return np.stack([f(idx) for f in columns], axis=1)

    low, high = paired_bootstrap(together, n, resamples=600, seed=4, block_values=20 * n)
    assert low.shape == high.shape == (3,)
    for j, f in enumerate(columns):
        alone = paired_bootstrap(f, n, resamples=600, seed=4)
        assert alone[0].shape == (1,)
        assert low[j] == alone[0][0] and high[j] == alone[1][0]


def test_non_finite_resampled_values_blank_only_their_own_column() -> None:
    n = 40
    values = np.random.default_rng(1).standard_normal(n)

    def stat(idx: np.ndarray) -> np.ndarray:
        mean = np.take(values, idx).mean(axis=1)
        first = idx[:, 0]
        return np.stack([mean, np.where(first == 3, np.nan, mean), np.where(first == 5, np.inf, mean)], axis=1)

    low, high = paired_bootstrap(stat, n, resamples=500, seed=6)
    only = paired_bootstrap(mean_of(values), n, resamples=500, seed=6)
    assert math.isfinite(low[0]) and math.isfinite(high[0])
    assert (low[0], high[0]) == (only[0][0], only[1][0])
    assert np.isnan(low[1:]).all() and np.isnan(high[1:]).all()


@pytest.mark.parametrize("workers", [1, 2])
def test_result_does_not_depend_on_block_size_or_threads(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    n, resamples = 50, 1000
    values = np.random.default_rng(8).lognormal(size=n)
    reference = paired_bootstrap(mean_of(values), n, resamples, seed=3, block_values=10**9)  # one block
    monkeypatch.setattr(bootstrap, "WORKERS", workers)
    for block_values in (1, n, 8 * n, 7 * n + 3, 333 * n):
        low, high = paired_bootstrap(mean_of(values), n, resamples, seed=3, block_values=block_values)
        assert (low[0], high[0]) == (reference[0][0], reference[1][0]), block_values


@pytest.mark.parametrize("workers", [1, 2])
def test_blocks_hold_about_block_values_uint32_indices(monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    monkeypatch.setattr(bootstrap, "WORKERS", workers)
    n, seen = 100, []

    def stat(idx: np.ndarray) -> np.ndarray:
        seen.append((idx.shape, idx.dtype, int(idx.min()), int(idx.max())))
        return idx.mean(axis=1)

    paired_bootstrap(stat, n, resamples=95, seed=0, block_values=2_000)
    assert sum(shape[0] for shape, *_ in seen) == 95
    assert all(shape[1] == n and dtype == np.uint32 and 0 <= lo and hi < n for shape, dtype, lo, hi in seen)
    assert max(shape[0] for shape, *_ in seen) * n * workers <= 2_000  # `workers` blocks may be alive at once
    assert len(seen) > 1


def test_thread_scheduling_does_not_change_the_result(monkeypatch: pytest.MonkeyPatch) -> None:
    n = 30
    values = np.random.default_rng(2).standard_normal(n)

    def uneven(idx: np.ndarray) -> np.ndarray:  # blocks finish out of order
        time.sleep(0.004 * (int(idx[0, 0]) % 3))
        return np.take(values, idx).mean(axis=1)

    monkeypatch.setattr(bootstrap, "WORKERS", 1)
    alone = paired_bootstrap(uneven, n, resamples=120, seed=5, block_values=4 * n)
    monkeypatch.setattr(bootstrap, "WORKERS", 2)
    threaded = paired_bootstrap(uneven, n, resamples=120, seed=5, block_values=4 * n)
    assert (alone[0][0], alone[1][0]) == (threaded[0][0], threaded[1][0])


def test_a_single_row_and_a_single_resample_work() -> None:
    low, high = paired_bootstrap(lambda idx: np.take(np.array([2.5]), idx).mean(axis=1), 1, resamples=1, seed=0)
    assert (low[0], high[0]) == (2.5, 2.5)


@pytest.mark.parametrize("kwargs", [
    {"n": 0}, {"n": -3}, {"n": 2.5}, {"resamples": 0}, {"resamples": -1}, {"resamples": 10.0}, {"resamples": True},
    {"ci": 0}, {"ci": 1}, {"ci": 1.5}, {"ci": -0.1}, {"ci": math.nan}, {"ci": "0.9"}, {"block_values": 0},
])
def test_invalid_arguments_raise_losscli_errors(kwargs: dict) -> None:  # type: ignore[type-arg]
    args = {"n": 10, "resamples": 100, "ci": 0.95, **kwargs}
    calls = []
    with pytest.raises(LossCliError) as info:
        paired_bootstrap(lambda idx: calls.append(idx) or idx.mean(axis=1), args.pop("n"), seed=0, **args)
    assert "\n" not in info.value.message and not calls


@pytest.mark.parametrize("result", [lambda idx: idx.mean(), lambda idx: idx[:-1].mean(axis=1), lambda idx: idx[:, :, None]])
def test_a_statistic_of_the_wrong_shape_is_a_value_error(result) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="statistic must return shape"):
        paired_bootstrap(result, 10, resamples=20, seed=0)
