"""Runs that used to exit 0 with a wrong or meaningless answer: each is now an error or a warning."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import cli, strict_json, usage_error

S = "sample_data/"
WARNING = "losscli: warning: "
BEYOND = 2**53 + 1  # the first integer float64 cannot hold


def warnings_of(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(WARNING)]


# --- integers beyond 2^53 ---------------------------------------------------------------------

def _npy(tmp: Path) -> list[str]:
    np.save(tmp / "p.npy", np.array([BEYOND, 5], dtype=np.int64))
    np.save(tmp / "t.npy", np.array([BEYOND - 1, 5], dtype=np.int64))
    return [str(tmp / "p.npy"), str(tmp / "t.npy")]


def _parquet(tmp: Path) -> list[str]:
    pq.write_table(pa.table({"pred": pa.array([BEYOND, 5]), "target": pa.array([BEYOND - 1, 5])}), tmp / "i.parquet")
    return [str(tmp / "i.parquet")]


def _parquet_nulls(tmp: Path) -> list[str]:
    pq.write_table(pa.table({"pred": pa.array([BEYOND, 5, None]), "target": pa.array([BEYOND - 1, 5, 1])}), tmp / "n.parquet")
    return [str(tmp / "n.parquet")]


def _csv(tmp: Path) -> list[str]:
    (tmp / "i.csv").write_text(f"pred,target\n5,5\n{BEYOND},{BEYOND - 1}\n")
    return [str(tmp / "i.csv")]


@pytest.mark.parametrize("make", [_npy, _parquet, _parquet_nulls, _csv])
def test_integers_float64_cannot_hold_are_refused(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    line = usage_error(cli("eval", *make(tmp_path), "--loss", "mse", "--format", "json"), str(BEYOND))
    assert "2^53" in line


def test_sample_weights_are_checked_too(tmp_path: Path) -> None:
    np.save(tmp_path / "w.npy", np.arange(120, dtype=np.int64) + 2**60 + 1)
    usage_error(cli("eval", S + "regression.csv", "--input", f"weight={tmp_path / 'w.npy'}", "--loss", "mse"), "2^53")


def test_large_integers_float64_holds_exactly_still_compute(tmp_path: Path) -> None:
    big = np.array([2**60, 2**53, -(2**62)], dtype=np.int64)  # powers of two: exact in float64
    np.save(tmp_path / "p.npy", big)
    np.save(tmp_path / "t.npy", big)
    (tmp_path / "f.csv").write_text("pred,target\n1.5e300,1.5e300\n9007199254740992,9007199254740992\n")
    for args in ([tmp_path / "p.npy", tmp_path / "t.npy"], [tmp_path / "f.csv"]):
        result = cli("eval", *args, "--loss", "mse", "--format", "json")
        assert result.exit_code == 0, result.stderr
        assert strict_json(result.stdout)["losses"]["mse"]["value"] == 0.0


# --- roles no loss declares ---------------------------------------------------------------------

@pytest.mark.parametrize("args, role, close", [
    (("--input", f"weights={S}regression.csv"), "weights", "weight"),
    (("--col", "wieght=weight"), "wieght", "weight"),
    (("--col", "targte=target"), "targte", "target"),
    (("--col", "zzz=pred"), "zzz", None),
])
def test_a_role_no_loss_declares_is_refused_with_the_closest_name(args: tuple[str, ...], role: str, close: str | None) -> None:
    line = usage_error(cli("eval", S + "regression.csv", "--loss", "mse", *args), repr(role), "pred, target, weight")
    assert (f"did you mean {close!r}" in line) if close else "losscli info" in line


def test_a_role_of_one_of_the_losses_is_accepted() -> None:
    result = cli("eval", S + "gaussian.csv", "--loss", "mse", "--loss", "gaussian_nll", "--col", "var=var", "--format", "json")
    assert result.exit_code == 0, result.stderr


def test_compare_refuses_an_unknown_role_too() -> None:
    usage_error(cli("compare", S + "forecast_base.csv", S + "forecast_new.csv", "--target", S + "forecast_targets.csv",
                    "--loss", "mae", "--input", f"wieght={S}forecast_targets.csv"), "'wieght'", "did you mean 'weight'")


# --- options that do nothing where they are given -------------------------------------------------

@pytest.mark.parametrize("args, fragment", [
    (("--limit", "3", "--format", "json"), "--limit 3 does nothing"),
    (("--limit", "3", "--format", "json", "--per-sample"), "give every row"),
    (("--limit", "3", "--format", "table"), "add --per-sample"),
    (("--precision", "3", "--format", "json"), "--precision 3 does nothing with --format json"),
    (("--precision", "3", "--format", "jsonl", "--per-sample"), "--precision 3 does nothing with --format jsonl"),
    (("--label", "nightly", "--format", "csv", "--per-sample"), "--label 'nightly' does nothing with --format csv"),
])
def test_an_option_without_effect_is_warned(args: tuple[str, ...], fragment: str) -> None:
    result = cli("eval", S + "regression.csv", "--loss", "mse", *args)
    assert result.exit_code == 0, result.stderr
    (line,) = warnings_of(result.stderr)
    assert fragment in line


@pytest.mark.parametrize("args", [
    ("--limit", "3", "--per-sample", "--format", "md"),
    ("--precision", "3", "--format", "md"),
    ("--label", "nightly", "--format", "table"),
    ("--limit", "3", "--per-sample", "--format", "json", "--summary"),
])
def test_an_option_with_effect_is_not_warned(args: tuple[str, ...], tmp_path: Path) -> None:
    result = cli("eval", S + "regression.csv", "--loss", "mse", *args, env={"GITHUB_STEP_SUMMARY": str(tmp_path / "s.md")})
    assert result.exit_code == 0, result.stderr
    assert warnings_of(result.stderr) == []


@pytest.mark.parametrize("option", [("--ci", "0.9"), ("--seed", "7")])
def test_bootstrap_settings_without_a_bootstrap_are_an_error(option: tuple[str, str]) -> None:
    usage_error(cli("compare", S + "forecast_base.csv", S + "forecast_new.csv", "--target", S + "forecast_targets.csv",
                    "--loss", "mae", *option), f"{option[0]} (", "--bootstrap")


def test_summary_without_its_variable_is_a_warning() -> None:
    result = cli("eval", S + "regression.csv", "--loss", "mse", "--summary", "--format", "json", env={"GITHUB_STEP_SUMMARY": None})
    assert result.exit_code == 0
    (line,) = warnings_of(result.stderr)
    assert "GITHUB_STEP_SUMMARY is not set" in line


# --- TOML paths ---------------------------------------------------------------------------------

def test_a_toml_path_that_means_another_file_from_here_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "ci").mkdir()
    (tmp_path / "y.csv").write_text("pred,target\n1,2\n")
    (tmp_path / "ci" / "losscli.toml").write_text('[eval]\npredictions = "y.csv"\nlosses = ["mse"]\n')
    monkeypatch.chdir(tmp_path)
    line = usage_error(cli("check", "ci/losscli.toml", "--format", "json"), os.path.join("ci", "y.csv"), "'../y.csv'")
    assert "relative to its folder" in line
    (tmp_path / "ci" / "y.csv").write_text("pred,target\n5,2\n")
    result = cli("check", "ci/losscli.toml", "--format", "json")
    assert result.exit_code == 0
    assert strict_json(result.stdout)["eval"]["losses"]["mse"]["value"] == 9.0  # the TOML's own folder wins
    (line,) = warnings_of(result.stderr)
    assert "read as ci/y.csv" in line and "not ./y.csv" in line
    monkeypatch.chdir(tmp_path / "ci")
    quiet = cli("check", "losscli.toml", "--format", "json")
    assert quiet.exit_code == 0 and warnings_of(quiet.stderr) == []


def test_toml_ci_without_bootstrap_is_an_error(tmp_path: Path) -> None:
    for name in ("forecast_base.csv", "forecast_new.csv", "forecast_targets.csv"):
        (tmp_path / name).write_text(Path(S + name).read_text())
    (tmp_path / "losscli.toml").write_text('[compare]\nbaseline = "forecast_base.csv"\ncandidates = ["forecast_new.csv"]\n'
                                           'target = "forecast_targets.csv"\nlosses = ["mae"]\nci = 0.9\n')
    usage_error(cli("check", tmp_path / "losscli.toml"), "ci in a TOML file", "--bootstrap")


# --- group labels -------------------------------------------------------------------------------

def test_a_literal_na_label_is_a_group_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("pred,target,g\n1,2,NA\n2,2,\n3,1,NA\n4,4,null\n5,6,\n")
    result = cli("eval", path, "--loss", "mse", "--group-by", "g", "--format", "json")
    assert result.exit_code == 0, result.stderr
    groups = {row["group"]: (row["n"], row["value"]) for row in strict_json(result.stdout)["groups"]["rows"]}
    assert groups == {"NA": (2, 2.5), "": (2, 0.5), "null": (1, 0.0)}


# --- --nan propagate keeps every row -------------------------------------------------------------

def test_propagate_keeps_rows_even_when_every_one_is_non_finite(tmp_path: Path) -> None:
    path = tmp_path / "nan.csv"
    path.write_text("pred,target\nnan,1\n2,inf\n")
    result = cli("eval", path, "--loss", "mse", "--nan", "propagate", "--format", "json")
    assert result.exit_code == 0, result.stderr
    loss = strict_json(result.stdout)["losses"]["mse"]
    assert (loss["value"], loss["n"], loss["n_nonfinite"]) == (None, 2, 2)
    usage_error(cli("eval", path, "--loss", "mse", "--nan", "omit"), "nothing is left", "--nan propagate")
