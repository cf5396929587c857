"""``losscli compare`` (and the gates, groups and summaries of ``losscli eval``) through the real CLI.

Every expected number is computed here with NumPy from the data the test writes into ``tmp_path``.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from conftest import ERROR, GATE, cli, strict_json, usage_error

N = 60


# --- helpers ----------------------------------------------------------------------------------


def invoke(*args: Any) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def gate_lines(stderr: str) -> list[str]:
    lines = stderr.splitlines()
    assert all(line.startswith(GATE) for line in lines), stderr
    return lines


def mse(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def mae(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(np.abs(p - y)))


def rmse(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.sqrt(np.mean((p - y) ** 2)))


def huber_terms(p: np.ndarray, y: np.ndarray, delta: float) -> np.ndarray:
    e = np.abs(p - y)
    return np.where(e <= delta, 0.5 * e**2, delta * (e - 0.5 * delta))


LOSS_FUNCTIONS = {"mse": mse, "mae": mae, "rmse": rmse, "huber:delta=0.5": lambda p, y: float(np.mean(huber_terms(p, y, 0.5)))}


@dataclass
class Data:
    root: Path
    target: Path  # id, grp, target
    base: Path  # CSV predictions
    worse: Path  # Parquet predictions, clearly worse than base
    close: Path  # CSV predictions, about as good as base
    y: np.ndarray
    preds: dict[str, np.ndarray]  # path (str) -> predictions
    ids: np.ndarray
    groups: np.ndarray

    def value(self, loss: str, path: Path) -> float:
        return LOSS_FUNCTIONS[loss](self.preds[str(path)], self.y)


@pytest.fixture
def data(tmp_path: Path) -> Data:
    rng = np.random.default_rng(2024)
    y = rng.normal(10.0, 3.0, N)
    ids = np.array([f"row{i:03d}" for i in range(N)])
    groups = rng.choice(["north", "south", "coast"], N)
    base = y + rng.normal(0, 0.5, N)
    worse = y + rng.normal(0.3, 1.2, N)
    close = y + rng.normal(0, 0.52, N)
    paths = {"target": tmp_path / "targets.csv", "base": tmp_path / "base.csv", "worse": tmp_path / "worse.parquet",
             "close": tmp_path / "close.csv"}
    pd.DataFrame({"id": ids, "grp": groups, "target": y}).to_csv(paths["target"], index=False)
    pd.DataFrame({"pred": base}).to_csv(paths["base"], index=False, float_format="%.17g")
    pd.DataFrame({"pred": worse}).to_parquet(paths["worse"])
    pd.DataFrame({"pred": close}).to_csv(paths["close"], index=False, float_format="%.17g")
    preds = {str(paths["base"]): base, str(paths["worse"]): worse, str(paths["close"]): close}
    return Data(tmp_path, paths["target"], paths["base"], paths["worse"], paths["close"], y, preds, ids, groups)


def save_eval(pred: Path, target: Path, out: Path, *losses: str, extra: tuple[str, ...] = ()) -> Path:
    """``losscli eval ... --format json`` saved to ``out``: a saved run."""
    args = ["eval", pred, target, "--format", "json", *extra]
    for loss in losses:
        args += ["--loss", loss]
    out.write_text(invoke(*args))
    return out


def compare_json(*args: Any) -> dict:
    return strict_json(invoke("compare", *args, "--format", "json"))


# --- paired prediction files and saved results ------------------------------------------------


def test_paired_prediction_runs_give_numpy_values_and_deltas(data: Data) -> None:
    doc = compare_json(data.base, data.worse, data.close, "--target", data.target, "--loss", "mse", "--loss", "mae")
    assert doc["schema_version"] == 1 and doc["kind"] == "compare" and doc["paired"] is True
    assert doc["baseline"] == {"source": str(data.base), "kind": "predictions", "n_samples": N}
    assert doc["candidates"] == [{"source": str(p), "kind": "predictions", "n_samples": N} for p in (data.worse, data.close)]
    assert doc["bootstrap"] is None and doc["gates"] == [] and doc["passed"] is True
    expected_order = [(loss, str(run)) for loss in ("mse", "mae") for run in (data.worse, data.close)]
    assert [(r["loss"], r["run"]) for r in doc["rows"]] == expected_order
    for row in doc["rows"]:
        assert list(row) == ["loss", "run", "baseline", "candidate", "delta", "rel_delta"]
        base = data.value(row["loss"], data.base)
        cand = data.value(row["loss"], Path(row["run"]))
        assert row["baseline"] == pytest.approx(base, rel=1e-12)
        assert row["candidate"] == pytest.approx(cand, rel=1e-12)
        assert row["delta"] == pytest.approx(cand - base, rel=1e-9, abs=1e-12)
        assert row["rel_delta"] == pytest.approx((cand - base) / abs(base), rel=1e-9, abs=1e-12)


def test_saved_json_results_compare_by_value(data: Data) -> None:
    base = save_eval(data.base, data.target, data.root / "base.json", "mse", "huber:delta=0.50")
    worse = save_eval(data.worse, data.target, data.root / "worse.json", "mse", "huber:delta=0.50")
    doc = compare_json(base, worse)  # no --loss: the baseline's losses
    assert doc["paired"] is False
    assert doc["baseline"] == {"source": str(base), "kind": "saved", "n_samples": N}
    assert doc["candidates"][0]["kind"] == "saved"
    assert [r["loss"] for r in doc["rows"]] == ["mse", "huber:delta=0.50"]
    for row, loss in zip(doc["rows"], ["mse", "huber:delta=0.5"]):
        b, c = data.value(loss, data.base), data.value(loss, data.worse)
        assert row["baseline"] == pytest.approx(b, rel=1e-12) and row["candidate"] == pytest.approx(c, rel=1e-12)
        assert row["delta"] == pytest.approx(c - b, rel=1e-9)
        assert row["rel_delta"] == pytest.approx((c - b) / abs(b), rel=1e-9)


def test_saved_huber_delta_050_matches_loss_huber_delta_05(data: Data) -> None:
    base = save_eval(data.base, data.target, data.root / "base.json", "huber:delta=0.50", "mse")
    worse = save_eval(data.worse, data.target, data.root / "worse.json", "mse", "huber:delta=0.5")
    doc = compare_json(base, worse, "--loss", "huber:delta=0.5")
    [row] = doc["rows"]
    assert row["loss"] == "huber:delta=0.5"
    assert row["baseline"] == pytest.approx(data.value("huber:delta=0.5", data.base), rel=1e-12)
    assert row["candidate"] == pytest.approx(data.value("huber:delta=0.5", data.worse), rel=1e-12)


def test_a_saved_baseline_against_a_prediction_file_is_not_paired(data: Data) -> None:
    base = save_eval(data.base, data.target, data.root / "base.json", "mae")
    doc = compare_json(base, data.worse, "--target", data.target, "--loss", "mae")
    assert doc["paired"] is False
    assert [c["kind"] for c in doc["candidates"]] == ["predictions"]
    assert doc["rows"][0]["delta"] == pytest.approx(data.value("mae", data.worse) - data.value("mae", data.base), rel=1e-9)


def test_runs_with_their_own_targets_are_paired_only_when_the_targets_agree(data: Data) -> None:
    base_pred, worse_pred = data.preds[str(data.base)], data.preds[str(data.worse)]
    same_a, same_b, other = data.root / "same_a.csv", data.root / "same_b.csv", data.root / "other.csv"
    pd.DataFrame({"pred": base_pred, "target": data.y}).to_csv(same_a, index=False, float_format="%.17g")
    pd.DataFrame({"pred": worse_pred, "target": data.y}).to_csv(same_b, index=False, float_format="%.17g")
    shifted = data.y + 1.0
    pd.DataFrame({"pred": worse_pred, "target": shifted}).to_csv(other, index=False, float_format="%.17g")
    assert compare_json(same_a, same_b, "--loss", "mse")["paired"] is True
    doc = compare_json(same_a, other, "--loss", "mse")
    assert doc["paired"] is False
    assert doc["rows"][0]["candidate"] == pytest.approx(mse(worse_pred, shifted), rel=1e-12)
    usage_error(cli("compare", same_a, other, "--loss", "mse", "--bootstrap", "10", "--format", "json"), "paired")
    usage_error(cli("compare", same_a, other, "--loss", "mse", "--worst", "2", "--format", "json"), "paired")


def test_mismatched_loss_specs_between_saved_runs(data: Data) -> None:
    base = save_eval(data.base, data.target, data.root / "base.json", "mse")
    cand = save_eval(data.worse, data.target, data.root / "cand.json", "mae")
    usage_error(cli("compare", base, cand, "--format", "json"), str(cand), "'mse'", "mae")
    usage_error(cli("compare", base, cand, "--loss", "mae", "--format", "json"), str(base), "'mae'")
    other = save_eval(data.worse, data.target, data.root / "other.json", "huber:delta=0.25")
    usage_error(cli("compare", other, other, "--loss", "huber:delta=0.5", "--format", "json"), "huber:delta=0.5")


def test_different_sample_counts_are_an_error(data: Data) -> None:
    short_pred, short_target = data.root / "short_pred.csv", data.root / "short_target.csv"
    pd.DataFrame({"pred": data.preds[str(data.worse)][:40]}).to_csv(short_pred, index=False)
    pd.DataFrame({"target": data.y[:40]}).to_csv(short_target, index=False)
    base = save_eval(data.base, data.target, data.root / "base.json", "mse")
    short = save_eval(short_pred, short_target, data.root / "short.json", "mse")
    usage_error(cli("compare", base, short, "--format", "json"), "sample counts", str(N), "40")
    # a predictions file shorter than the shared targets
    usage_error(cli("compare", data.base, short_pred, "--target", data.target, "--loss", "mse", "--format", "json"))


def test_saved_runs_must_share_the_reduction(data: Data) -> None:
    base = save_eval(data.base, data.target, data.root / "base.json", "mse", extra=("--reduction", "sum"))
    cand = save_eval(data.worse, data.target, data.root / "cand.json", "mse", extra=("--reduction", "sum"))
    usage_error(cli("compare", base, cand, "--format", "json"), "sum")
    doc = compare_json(base, cand, "--reduction", "sum")
    err = lambda p: float(np.sum((p - data.y) ** 2))  # noqa: E731
    assert doc["rows"][0]["baseline"] == pytest.approx(err(data.preds[str(data.base)]), rel=1e-12)


def test_a_compare_report_is_not_a_run(data: Data) -> None:
    report = data.root / "report.json"
    report.write_text(invoke("compare", data.base, data.worse, "--target", data.target, "--loss", "mse", "--format", "json"))
    usage_error(cli("compare", report, report, "--loss", "mse", "--format", "json"), "compare")


def test_compare_needs_a_candidate(data: Data) -> None:
    usage_error(cli("compare", data.base, "--target", data.target, "--loss", "mse", "--format", "json"), "candidate")


# --- formats ----------------------------------------------------------------------------------


def _rows_of(text: str, sep: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text), delimiter=sep))


def test_every_format_holds_the_same_rows(data: Data, monkeypatch: pytest.MonkeyPatch) -> None:
    args = [data.base, data.worse, data.close, "--target", data.target, "--loss", "mse", "--loss", "mae",
            "--max-increase", "*=1000"]
    doc = compare_json(*args)
    keys = list(doc["rows"][0])
    assert keys == ["loss", "run", "baseline", "candidate", "delta", "rel_delta", "gate"]
    for fmt, sep in (("csv", ","), ("tsv", "\t")):
        text = invoke("compare", *args, "--format", fmt)
        assert next(csv.reader(io.StringIO(text), delimiter=sep)) == keys
        rows = _rows_of(text, sep)
        assert len(rows) == len(doc["rows"])
        for got, want in zip(rows, doc["rows"]):
            assert (got["loss"], got["run"], got["gate"]) == (want["loss"], want["run"], want["gate"])
            for key in ("baseline", "candidate", "delta", "rel_delta"):
                assert float(got[key]) == pytest.approx(want[key], rel=1e-5)
    md = invoke("compare", *args, "--format", "md")
    assert md.splitlines()[0] == "<!-- losscli:losscli -->"
    assert "### losscli compare" in md.splitlines()
    assert "| " + " | ".join(keys) + " |" in md
    assert md.count("\n| mse |") == 2 and md.count("\n| mae |") == 2
    monkeypatch.chdir(data.root)  # short run labels, so the table does not wrap them
    table = invoke("compare", "base.csv", "worse.parquet", "close.csv", *args[3:], "--format", "table")
    for key in keys:
        assert key in table
    assert "worse.parquet" in table and "close.csv" in table and f"All {len(doc['gates'])} gates hold" in table


def test_json_is_strict_when_a_value_is_not_finite(data: Data) -> None:
    nan_pred = data.root / "nan_pred.csv"
    values = data.preds[str(data.worse)].copy()
    values[3] = np.nan
    pd.DataFrame({"pred": values}).to_csv(nan_pred, index=False)
    result = cli("compare", data.base, nan_pred, "--target", data.target, "--loss", "mse", "--nan", "propagate",
                 "--bootstrap", "50", "--seed", "1", "--max-increase", "mse=1000", "--format", "json")
    assert result.exit_code == 1
    doc = strict_json(result.stdout)
    [row] = doc["rows"]
    assert row["candidate"] is None and row["delta"] is None and row["rel_delta"] is None
    assert row["ci_low"] is None and row["ci_high"] is None and row["gate"] == "fail"
    assert row["baseline"] == pytest.approx(data.value("mse", data.base), rel=1e-12)
    [line] = gate_lines(result.stderr)
    assert "candidate value is missing" in line


# --- gates ------------------------------------------------------------------------------------


def test_max_increase_absolute_gate_exit_codes(data: Data) -> None:
    d_worse = data.value("mse", data.worse) - data.value("mse", data.base)
    d_close = data.value("mse", data.close) - data.value("mse", data.base)
    assert d_worse > d_close + 0.1  # the data make one candidate clearly worse
    tol = (d_worse + d_close) / 2
    args = ["compare", data.base, data.worse, data.close, "--target", data.target, "--loss", "mse", "--loss", "mae",
            "--max-increase", f"mse={tol!r}", "--format", "json"]
    result = cli(*args)
    assert result.exit_code == 1
    doc = strict_json(result.stdout)  # the whole report is still on stdout
    assert len(doc["rows"]) == 4 and doc["passed"] is False
    gates = {(g["loss"], g["run"]): g["passed"] for g in doc["gates"]}
    assert gates == {("mse", str(data.worse)): False, ("mse", str(data.close)): True}
    assert [r["gate"] for r in doc["rows"]] == ["fail", "pass", None, None]
    [line] = gate_lines(result.stderr)
    assert str(data.worse) in line and "mse" in line and str(data.close) not in line
    # a tolerance just above the larger delta holds
    result = cli(*args[:-4], "--max-increase", f"mse={d_worse + 1e-6!r}", "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    assert strict_json(result.stdout)["passed"] is True


def test_max_increase_relative_gate_and_star(data: Data) -> None:
    rel = {}
    for loss in ("mse", "mae"):
        b = data.value(loss, data.base)
        rel[loss] = {str(p): (data.value(loss, p) - b) / abs(b) for p in (data.worse, data.close)}
    limit = 100 * max(rel["mse"][str(data.close)], rel["mae"][str(data.close)], 0) + 1  # percent
    assert limit < 100 * min(rel["mse"][str(data.worse)], rel["mae"][str(data.worse)])
    result = cli("compare", data.base, data.worse, data.close, "--target", data.target, "--loss", "mse", "--loss", "mae",
                 "--max-increase", f"*={limit:.6f}%", "--format", "json")
    assert result.exit_code == 1
    doc = strict_json(result.stdout)
    expected = {(loss, run): r * 100 <= limit for loss, runs in rel.items() for run, r in runs.items()}
    assert {(g["loss"], g["run"]): g["passed"] for g in doc["gates"]} == expected
    assert all(g["limit"].endswith("%") and g["option"] == "--max-increase" for g in doc["gates"])
    assert len(gate_lines(result.stderr)) == sum(not ok for ok in expected.values()) == 2


def test_gate_naming_a_loss_by_name_or_spec(data: Data) -> None:
    args = ["compare", data.base, data.worse, "--target", data.target, "--loss", "huber:delta=0.5", "--loss", "mse",
            "--format", "json"]
    by_name = strict_json(cli(*args, "--max-increase", "huber=1000").stdout)
    by_spec = strict_json(cli(*args, "--max-increase", "huber:delta=0.5=1000").stdout)
    assert [g["loss"] for g in by_name["gates"]] == [g["loss"] for g in by_spec["gates"]] == ["huber:delta=0.5"]
    usage_error(cli("compare", data.base, data.worse, "--target", data.target, "--loss", "huber:delta=0.5",
                    "--loss", "huber:delta=1", "--max-increase", "huber=1", "--format", "json"), "several")
    usage_error(cli(*args, "--max-increase", "mae=1"), "'mae'")
    usage_error(cli(*args, "--max-increase", "mse=-1"), "--max-increase")
    usage_error(cli(*args, "--max-increase", "mse"), "LOSS=VALUE")


def test_a_missing_saved_value_fails_the_gate(data: Data) -> None:
    nan_pred = data.root / "nan_pred.csv"
    values = data.preds[str(data.worse)].copy()
    values[0] = np.nan
    pd.DataFrame({"pred": values}).to_csv(nan_pred, index=False)
    base = save_eval(data.base, data.target, data.root / "base.json", "mse")
    cand = save_eval(nan_pred, data.target, data.root / "cand.json", "mse", extra=("--nan", "propagate"))
    assert strict_json(cand.read_text())["losses"]["mse"]["value"] is None
    result = cli("compare", base, cand, "--max-increase", "*=1e9", "--format", "json")
    assert result.exit_code == 1
    doc = strict_json(result.stdout)
    assert doc["rows"][0]["candidate"] is None and doc["rows"][0]["gate"] == "fail"
    [line] = gate_lines(result.stderr)
    assert "missing" in line and str(cand) in line


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_report_with_verdicts_and_worst_samples(data: Data) -> None:
    args = ["compare", data.base, data.worse, "--target", data.target, "--loss", "mae", "--worst", "3", "--id-col", "id",
            "--label", "nightly", "--format", "md"]
    failing = cli(*args, "--max-increase", "mae=0")
    assert failing.exit_code == 1
    lines = failing.stdout.splitlines()
    assert lines[0] == "<!-- losscli:nightly -->"
    assert lines[1] == "### losscli compare: nightly"
    verdict = next(line for line in lines if line.startswith(("❌", "✅")))
    assert verdict.startswith("❌") and "1 of 1 gates failed" in verdict and str(data.worse) in verdict
    start, end = failing.stdout.index("<details>"), failing.stdout.index("</details>")
    details = failing.stdout[start:end]
    delta = np.abs(data.preds[str(data.worse)] - data.y) - np.abs(data.preds[str(data.base)] - data.y)
    top = np.argsort(-delta, kind="stable")[:3]
    for i in top:
        assert f"| {data.ids[i]} |" in details
    others = [i for i in range(N) if i not in top]
    assert not any(f"| {data.ids[i]} |" in details for i in others)
    assert len(gate_lines(failing.stderr)) == 1

    passing = cli(*args, "--max-increase", "mae=1000", "--max-increase", "*=1000")
    assert passing.exit_code == 0 and passing.stderr == ""
    n_gates = len(strict_json(cli(*args[:-2], "--format", "json", "--max-increase", "mae=1000",
                                  "--max-increase", "*=1000").stdout)["gates"])
    assert f"✅ **All {n_gates} gates hold.**" in passing.stdout
    assert "❌" not in passing.stdout


def test_markdown_default_label_and_no_verdict_without_gates(data: Data) -> None:
    md = invoke("compare", data.base, data.worse, "--target", data.target, "--loss", "mse", "--format", "md")
    lines = md.splitlines()
    assert lines[0] == "<!-- losscli:losscli -->" and lines[1] == "### losscli compare"
    assert "✅" not in md and "❌" not in md and "<details>" not in md


# --- bootstrap intervals ----------------------------------------------------------------------


def _independent_interval(b: np.ndarray, c: np.ndarray, resamples: int, ci: float, seed: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(b), size=(resamples, len(b)))
    stats = c[idx].mean(axis=1) - b[idx].mean(axis=1)
    return float(np.quantile(stats, (1 - ci) / 2)), float(np.quantile(stats, (1 + ci) / 2))


def test_bootstrap_is_reproducible_with_a_seed_and_contains_the_delta(data: Data) -> None:
    args = [data.base, data.worse, data.close, "--target", data.target, "--loss", "mse", "--loss", "mae",
            "--bootstrap", "400", "--ci", "0.9"]
    first = compare_json(*args, "--seed", "7")
    again = compare_json(*args, "--seed", "7")
    other = compare_json(*args, "--seed", "8")
    assert first["bootstrap"] == {"resamples": 400, "ci": 0.9, "seed": 7}
    assert [(r["ci_low"], r["ci_high"]) for r in first["rows"]] == [(r["ci_low"], r["ci_high"]) for r in again["rows"]]
    assert [(r["ci_low"], r["ci_high"]) for r in first["rows"]] != [(r["ci_low"], r["ci_high"]) for r in other["rows"]]
    terms = {"mse": lambda p: (p - data.y) ** 2, "mae": lambda p: np.abs(p - data.y)}
    for row in first["rows"]:
        assert list(row)[-2:] == ["ci_low", "ci_high"]
        assert row["ci_low"] < row["delta"] < row["ci_high"]
        # an independent percentile bootstrap of the same paired rows agrees roughly
        b, c = terms[row["loss"]](data.preds[str(data.base)]), terms[row["loss"]](data.preds[row["run"]])
        low, high = _independent_interval(b, c, 4000, 0.9, 99)
        width = high - low
        assert abs(row["ci_low"] - low) < 0.25 * width and abs(row["ci_high"] - high) < 0.25 * width
    header = next(csv.reader(io.StringIO(invoke("compare", *args, "--seed", "7", "--format", "csv"))))
    assert header == ["loss", "run", "baseline", "candidate", "delta", "rel_delta", "ci_low", "ci_high"]
    md = invoke("compare", *args, "--seed", "7", "--format", "md")
    assert "400 resamples" in md and "seed 7" in md


def test_bootstrap_on_saved_runs_is_a_usage_error(data: Data) -> None:
    base = save_eval(data.base, data.target, data.root / "base.json", "mse")
    cand = save_eval(data.worse, data.target, data.root / "cand.json", "mse")
    usage_error(cli("compare", base, cand, "--bootstrap", "100", "--format", "json"), "--bootstrap", "paired")


def test_require_significant_needs_bootstrap(data: Data) -> None:
    usage_error(cli("compare", data.base, data.worse, "--target", data.target, "--loss", "mse", "--require-significant",
                    "--max-increase", "mse=0", "--format", "json"), "--require-significant", "--bootstrap")


def test_require_significant_both_ways(data: Data) -> None:
    # a candidate a little worse than the baseline on average, with a noisy per-row difference
    rng = np.random.default_rng(5)
    base_err = rng.normal(0, 1, N)
    cand_err = base_err * np.where(np.arange(N) % 2 == 0, 1.45, 0.5)
    noisy = data.root / "noisy.csv"
    base_file = data.root / "noisy_base.csv"
    pd.DataFrame({"pred": data.y + base_err}).to_csv(base_file, index=False, float_format="%.17g")
    pd.DataFrame({"pred": data.y + cand_err}).to_csv(noisy, index=False, float_format="%.17g")
    delta = float(np.mean(cand_err**2) - np.mean(base_err**2))
    assert delta > 0
    common = ["--target", data.target, "--loss", "mse", "--max-increase", "mse=0", "--bootstrap", "300", "--seed", "3",
              "--format", "json"]
    plain = cli("compare", base_file, noisy, *common)
    assert plain.exit_code == 1
    [row] = strict_json(plain.stdout)["rows"]
    assert row["ci_low"] < 0 < row["ci_high"]  # not significant
    lenient = cli("compare", base_file, noisy, *common, "--require-significant")
    assert lenient.exit_code == 0 and lenient.stderr == ""
    assert strict_json(lenient.stdout)["gates"][0]["passed"] is True
    # a clearly worse candidate fails even with --require-significant
    strict = cli("compare", data.base, data.worse, *common, "--require-significant")
    assert strict.exit_code == 1
    [row] = strict_json(strict.stdout)["rows"]
    assert row["ci_low"] > 0
    [line] = gate_lines(strict.stderr)
    assert "excludes 0" in line


# --- groups and worst samples ------------------------------------------------------------------


def test_compare_group_by_matches_numpy_per_group(data: Data) -> None:
    args = [data.base, data.worse, "--target", data.target, "--loss", "mse", "--loss", "rmse", "--group-by", "grp"]
    doc = compare_json(*args)
    groups = doc["groups"]
    assert groups["column"] == "grp"
    names = sorted(set(data.groups))
    assert [r["group"] for r in groups["rows"]] == [g for g in names for _ in ("mse", "rmse")]
    base, worse = data.preds[str(data.base)], data.preds[str(data.worse)]
    for row in groups["rows"]:
        mask = data.groups == row["group"]
        fn = LOSS_FUNCTIONS[row["loss"]]
        assert row["n"] == int(mask.sum())
        assert row["run"] == str(data.worse)
        assert row["baseline"] == pytest.approx(fn(base[mask], data.y[mask]), rel=1e-12)
        assert row["candidate"] == pytest.approx(fn(worse[mask], data.y[mask]), rel=1e-12)
        assert row["delta"] == pytest.approx(row["candidate"] - row["baseline"], rel=1e-12)
    text = invoke("compare", *args, "--format", "csv")
    rows = _rows_of(text, ",")
    assert list(rows[0]) == ["grp", "n", "loss", "run", "baseline", "candidate", "delta"]
    assert len(rows) == len(groups["rows"])


def test_group_by_and_worst_on_saved_runs_are_usage_errors(data: Data) -> None:
    base = save_eval(data.base, data.target, data.root / "base.json", "mse")
    cand = save_eval(data.worse, data.target, data.root / "cand.json", "mse")
    usage_error(cli("compare", base, cand, "--group-by", "grp", "--format", "json"), "--group-by")
    usage_error(cli("compare", base, cand, "--worst", "2", "--format", "json"), "--worst")


def test_a_saved_result_compared_with_itself_has_zero_deltas(data: Data) -> None:
    base = save_eval(data.base, data.target, data.root / "base.json", "mse", "mae")
    doc = compare_json(base, base)
    assert [r["loss"] for r in doc["rows"]] == ["mse", "mae"]
    assert all(r["delta"] == 0 for r in doc["rows"])


def test_worst_lists_the_largest_increases_with_ids(data: Data) -> None:
    k = 4
    doc = compare_json(data.base, data.worse, data.close, "--target", data.target, "--loss", "mae", "--loss", "mse",
                       "--worst", str(k), "--id-col", "id", "--id-col", "grp")
    assert doc["worst"]["loss"] == "mae"
    rows = doc["worst"]["rows"]
    assert len(rows) == 2 * k
    base_err = np.abs(data.preds[str(data.base)] - data.y)
    for j, run in enumerate((data.worse, data.close)):
        mine = rows[j * k:(j + 1) * k]
        cand_err = np.abs(data.preds[str(run)] - data.y)
        order = np.argsort(-(cand_err - base_err), kind="stable")[:k]
        assert [r["index"] for r in mine] == order.tolist()
        for r, i in zip(mine, order):
            assert list(r) == ["run", "index", "id", "grp", "baseline", "candidate", "delta"]
            assert r["run"] == str(run) and r["id"] == data.ids[i] and r["grp"] == data.groups[i]
            assert r["baseline"] == pytest.approx(base_err[i], rel=1e-12)
            assert r["candidate"] == pytest.approx(cand_err[i], rel=1e-12)
            assert r["delta"] == pytest.approx(cand_err[i] - base_err[i], rel=1e-9)


def test_id_col_needs_worst(data: Data) -> None:
    usage_error(cli("compare", data.base, data.worse, "--target", data.target, "--loss", "mse", "--id-col", "id",
                    "--format", "json"), "--worst")


# --- job summary ------------------------------------------------------------------------------


def test_summary_appends_to_github_step_summary(data: Data) -> None:
    summary = data.root / "summary.md"
    summary.write_text("earlier step\n")
    args = ["compare", data.base, data.worse, "--target", data.target, "--loss", "mse", "--max-increase", "mse=0",
            "--label", "pr", "--summary", "--format", "json"]
    for _ in range(2):
        result = cli(*args, env={"GITHUB_STEP_SUMMARY": str(summary)})
        assert result.exit_code == 1
        strict_json(result.stdout)  # stdout keeps the requested format
        assert len(gate_lines(result.stderr)) == 1
    text = summary.read_text()
    assert text.startswith("earlier step\n")
    assert text.count("<!-- losscli:pr -->") == 2 and text.count("### losscli compare: pr") == 2
    assert text.count("❌") == 2


def test_summary_without_github_step_summary_notes_it_and_keeps_the_exit_code(data: Data) -> None:
    base = ["compare", data.base, data.worse, "--target", data.target, "--loss", "mse", "--summary", "--format", "json"]
    ok = cli(*base, env={"GITHUB_STEP_SUMMARY": None})
    assert ok.exit_code == 0
    strict_json(ok.stdout)
    assert "GITHUB_STEP_SUMMARY" in ok.stderr and not ok.stderr.startswith(ERROR)
    failing = cli(*base, "--max-increase", "mse=0", env={"GITHUB_STEP_SUMMARY": None})
    assert failing.exit_code == 1
    assert "GITHUB_STEP_SUMMARY" in failing.stderr and GATE in failing.stderr


# --- eval gates and groups --------------------------------------------------------------------


@pytest.fixture
def exact(tmp_path: Path) -> Path:
    """Errors 0, 1, -1, 2: mse is exactly 1.5."""
    path = tmp_path / "exact.csv"
    path.write_text("pred,target\n0,0\n1,0\n-1,0\n2,0\n")
    return path


def test_eval_fail_above_pass_fail_and_boundary(exact: Path) -> None:
    assert float(np.mean(np.array([0.0, 1.0, -1.0, 2.0]) ** 2)) == 1.5
    at = cli("eval", exact, "--loss", "mse", "--fail-above", "mse=1.5", "--format", "json")
    assert at.exit_code == 0 and at.stderr == ""
    doc = strict_json(at.stdout)
    assert doc["passed"] is True and doc["gates"][0]["option"] == "--fail-above" and doc["gates"][0]["limit"] == "1.5"
    below = cli("eval", exact, "--loss", "mse", "--fail-above", "mse=1.4999", "--format", "json")
    assert below.exit_code == 1
    doc = strict_json(below.stdout)
    assert doc["passed"] is False and doc["losses"]["mse"]["value"] == 1.5
    [line] = gate_lines(below.stderr)
    assert "mse" in line and "1.4999" in line
    usage_error(cli("eval", exact, "--loss", "mse", "--fail-above", "mse=2%", "--format", "json"), "--fail-above")
    usage_error(cli("eval", exact, "--loss", "mse", "--fail-above", "mae=1", "--format", "json"), "'mae'")


def test_eval_fail_above_on_a_nan_value_fails(tmp_path: Path) -> None:
    path = tmp_path / "nan.csv"
    path.write_text("pred,target\n1,1\nnan,2\n3,3\n")
    result = cli("eval", path, "--loss", "mse", "--nan", "propagate", "--fail-above", "mse=1e9", "--format", "json")
    assert result.exit_code == 1
    doc = strict_json(result.stdout)
    assert doc["losses"]["mse"]["value"] is None and doc["passed"] is False
    assert doc["gates"][0]["value"] is None
    [line] = gate_lines(result.stderr)
    assert "nan" in line
    omitted = cli("eval", path, "--loss", "mse", "--nan", "omit", "--fail-above", "mse=0", "--format", "json")
    assert omitted.exit_code == 0  # the two finite rows have zero error


def test_eval_markdown_verdict(exact: Path) -> None:
    ok = cli("eval", exact, "--loss", "mse", "--loss", "mae", "--fail-above", "mse=2", "--fail-above", "mae=1",
             "--format", "md", "--label", "nightly")
    assert ok.exit_code == 0
    lines = ok.stdout.splitlines()
    assert lines[0] == "<!-- losscli:nightly -->" and lines[1] == "### losscli eval: nightly"
    assert "✅ **All 2 gates hold.**" in lines
    bad = cli("eval", exact, "--loss", "mse", "--loss", "mae", "--fail-above", "mse=1", "--fail-above", "mae=1",
              "--format", "md")
    assert bad.exit_code == 1
    verdict = next(line for line in bad.stdout.splitlines() if line.startswith(("❌", "✅")))
    assert verdict.startswith("❌") and "1 of 2 gates failed" in verdict and "mse" in verdict
    assert bad.stdout.splitlines()[1] == "### losscli eval"


def test_eval_group_by_json_and_csv(data: Data) -> None:
    weights = np.random.default_rng(1).uniform(0.5, 2.0, N)
    table = data.root / "table.parquet"
    pd.DataFrame({"pred": data.preds[str(data.base)], "target": data.y, "grp": data.groups, "w": weights}).to_parquet(table)
    doc = strict_json(invoke("eval", table, "--loss", "mae", "--loss", "rmse", "--group-by", "grp", "--format", "json"))
    err = data.preds[str(data.base)] - data.y
    names = sorted(set(data.groups))
    assert doc["groups"]["column"] == "grp"
    assert [(r["group"], r["loss"]) for r in doc["groups"]["rows"]] == [(g, loss) for g in names for loss in ("mae", "rmse")]
    for row in doc["groups"]["rows"]:
        mask = data.groups == row["group"]
        want = np.mean(np.abs(err[mask])) if row["loss"] == "mae" else np.sqrt(np.mean(err[mask] ** 2))
        assert row["n"] == int(mask.sum()) and row["value"] == pytest.approx(want, rel=1e-12)
    text = invoke("eval", table, "--loss", "mae", "--group-by", "grp", "--format", "csv")
    rows = _rows_of(text, ",")
    assert list(rows[0]) == ["grp", "n", "loss", "value"]
    for row in rows:
        mask = data.groups == row["grp"]
        assert int(row["n"]) == int(mask.sum())
        assert float(row["value"]) == pytest.approx(np.mean(np.abs(err[mask])), rel=1e-5)
    weighted = strict_json(invoke("eval", table, "--loss", "mse", "--weight-col", "w", "--group-by", "grp", "--format", "json"))
    for row in weighted["groups"]["rows"]:
        mask = data.groups == row["group"]
        want = np.sum(weights[mask] * err[mask] ** 2) / np.sum(weights[mask])
        assert row["value"] == pytest.approx(want, rel=1e-12)


def test_eval_group_by_with_input_bindings(data: Data) -> None:
    result = cli("eval", "--input", f"pred={data.base}", "--input", f"target={data.target}", "--loss", "mse",
                 "--group-by", "grp", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = strict_json(result.stdout)["groups"]["rows"]
    err = data.preds[str(data.base)] - data.y
    for row in rows:
        mask = data.groups == row["group"]
        assert row["value"] == pytest.approx(np.mean(err[mask] ** 2), rel=1e-12)


@pytest.mark.parametrize("command", ["compare", "check"])
def test_reports_offer_only_the_formats_they_write(data: Data, command: str) -> None:
    """jsonl is per-sample rows: compare and check neither offer it in --help nor take it."""
    assert "jsonl" not in cli(command, "--help").stdout
    args = [data.base, data.worse, "--target", data.target, "--loss", "mse"] if command == "compare" else []
    usage_error(cli(command, *args, "--format", "jsonl"), "jsonl")


# --- real processes ---------------------------------------------------------------------------


def run_losscli(*args: Any, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_STEP_SUMMARY", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "losscli", *map(str, args)], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=60)


def test_subprocess_gate_failure_keeps_the_report_on_stdout(data: Data) -> None:
    d = {p: data.value("mae", p) - data.value("mae", data.base) for p in (data.worse, data.close)}
    tol = (d[data.worse] + d[data.close]) / 2
    proc = run_losscli("compare", "base.csv", "worse.parquet", "close.csv", "--target", "targets.csv", "--loss", "mae",
                       "--max-increase", f"mae={tol!r}", cwd=data.root)  # a pipe: JSON by default
    assert proc.returncode == 1
    doc = strict_json(proc.stdout)
    assert [r["gate"] for r in doc["rows"]] == ["fail", "pass"]
    assert doc["rows"][0]["delta"] == pytest.approx(d[data.worse], rel=1e-9)
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(GATE) and "worse.parquet" in lines[0]


def test_subprocess_usage_error_exit_2(data: Data) -> None:
    base = save_eval(data.base, data.target, data.root / "base.json", "mse")
    cand = save_eval(data.worse, data.target, data.root / "cand.json", "mae")
    proc = run_losscli("compare", base.name, cand.name, "--max-increase", "*=1", cwd=data.root)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(ERROR) and "cand.json" in lines[0]


def test_a_target_from_stdin_serves_every_run() -> None:
    """`--target -`: stdin is read once and each run scores against all of it (the second read was exit 3)."""
    samples = Path(__file__).resolve().parent.parent / "sample_data"
    args = [sys.executable, "-m", "losscli", "compare", str(samples / "forecast_base.csv"), str(samples / "forecast_new.csv"),
            "--loss", "mae", "--format", "json"]
    piped = subprocess.run([*args, "--target", "-", "--input-format", "csv"], capture_output=True,
                           input=(samples / "forecast_targets.csv").read_bytes(), timeout=60)
    assert piped.returncode == 0, piped.stderr.decode()
    from_file = subprocess.run([*args, "--target", str(samples / "forecast_targets.csv")], capture_output=True, timeout=60)
    assert strict_json(piped.stdout)["rows"] == strict_json(from_file.stdout)["rows"]
