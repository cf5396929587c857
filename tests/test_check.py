"""``losscli check``: a TOML file of eval and compare sections, with gates, run as one CI command.

The data live in ``tmp_path/data``, the TOML file in ``tmp_path/ci`` (with paths relative to it), and the
command runs from a third directory, so a path resolved against the working directory would not be found.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import ERROR, GATE, cli, strict_json, usage_error

N = 50


@dataclass
class Project:
    root: Path
    ci: Path  # the folder of the TOML file
    y: np.ndarray
    base: np.ndarray
    new: np.ndarray
    stations: np.ndarray

    def mae(self, pred: np.ndarray) -> float:
        return float(np.mean(np.abs(pred - self.y)))

    def rmse(self, pred: np.ndarray) -> float:
        return float(np.sqrt(np.mean((pred - self.y) ** 2)))

    def write(self, text: str, name: str = "losscli.toml") -> Path:
        path = self.ci / name
        path.write_text(text)
        return path


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    rng = np.random.default_rng(77)
    y = rng.normal(20.0, 4.0, N)
    stations = rng.choice(["north", "coast"], N)
    base = y + rng.normal(0, 1.0, N)
    new = y + rng.normal(0.5, 1.5, N)
    data = tmp_path / "data"
    data.mkdir()
    ci = tmp_path / "ci"
    ci.mkdir()
    elsewhere = tmp_path / "work" / "deeper"  # not a sibling of ci/: "../data" from here is no data folder
    elsewhere.mkdir(parents=True)
    ids = [f"d{i:03d}" for i in range(N)]
    pd.DataFrame({"id": ids, "station": stations, "target": y}).to_csv(data / "targets.csv", index=False)
    pd.DataFrame({"id": ids, "pred": base}).to_csv(data / "base.csv", index=False, float_format="%.17g")
    pd.DataFrame({"id": ids, "p": new}).to_parquet(data / "new.parquet")
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return Project(tmp_path, ci, y, base, new, stations)


def config(p: Project, *, fail_above: str, max_increase: str, report: str = "", extra_compare: str = "") -> str:
    return f"""
[columns]
pred = "p*"

[eval]
predictions = "../data/new.parquet"
target = "../data/targets.csv"
losses = ["mae", "rmse"]
fail_above = {{ {fail_above} }}

[compare]
baseline = "../data/base.csv"
candidates = ["../data/new.parquet"]
target = "../data/targets.csv"
losses = ["mae", "rmse"]
max_increase = {{ {max_increase} }}
{extra_compare}
{report}
"""


def generous(p: Project) -> dict[str, str]:
    return {"fail_above": f"mae = {p.mae(p.new) + 1:.6f}, rmse = {p.rmse(p.new) + 1:.6f}",
            "max_increase": '"*" = "500%"'}


def test_passing_check_exits_0_with_a_combined_json_document(project: Project) -> None:
    p = project
    assert p.mae(p.new) > p.mae(p.base)  # the new run is worse, but within the tolerances below
    path = p.write(config(p, **generous(p)))
    result = cli("check", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    doc = strict_json(result.stdout)
    assert doc["schema_version"] == 1 and doc["kind"] == "check" and doc["passed"] is True
    assert set(doc) == {"schema_version", "kind", "passed", "eval", "compare"}
    ev = doc["eval"]
    assert ev["n_samples"] == N
    assert ev["losses"]["mae"]["value"] == pytest.approx(p.mae(p.new), rel=1e-12)
    assert ev["losses"]["rmse"]["value"] == pytest.approx(p.rmse(p.new), rel=1e-12)
    assert all(g["passed"] for g in ev["gates"]) and len(ev["gates"]) == 2
    cmp = doc["compare"]
    assert cmp["kind"] == "compare" and cmp["paired"] is True
    rows = {r["loss"]: r for r in cmp["rows"]}
    assert rows["mae"]["baseline"] == pytest.approx(p.mae(p.base), rel=1e-12)
    assert rows["mae"]["candidate"] == pytest.approx(p.mae(p.new), rel=1e-12)
    assert rows["rmse"]["delta"] == pytest.approx(p.rmse(p.new) - p.rmse(p.base), rel=1e-9)
    assert all(r["gate"] == "pass" for r in cmp["rows"])
    assert Path(cmp["baseline"]["source"]).resolve() == (p.root / "data" / "base.csv").resolve()


def test_a_failing_compare_gate_exits_1(project: Project) -> None:
    p = project
    d_mae = p.mae(p.new) - p.mae(p.base)
    assert d_mae > 0.2
    opts = generous(p)
    opts["max_increase"] = f"mae = {d_mae / 2:.6f}"
    path = p.write(config(p, **opts))
    result = cli("check", path, "--format", "json")
    assert result.exit_code == 1
    doc = strict_json(result.stdout)  # the whole report is still there
    assert doc["passed"] is False and "eval" in doc and "compare" in doc
    assert [g["passed"] for g in doc["compare"]["gates"]] == [False]
    assert all(g["passed"] for g in doc["eval"]["gates"])
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(GATE) and "mae" in lines[0] and "new.parquet" in lines[0]


def test_a_failing_eval_gate_exits_1(project: Project) -> None:
    p = project
    opts = generous(p)
    opts["fail_above"] = f"rmse = {p.rmse(p.new) - 0.01:.6f}"
    result = cli("check", p.write(config(p, **opts)), "--format", "json")
    assert result.exit_code == 1
    doc = strict_json(result.stdout)
    assert doc["passed"] is False and doc["eval"]["passed"] is False and doc["compare"]["passed"] is True
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(GATE) and "rmse" in lines[0]


def test_bootstrap_group_by_and_worst_from_the_file(project: Project) -> None:
    p = project
    extra = 'bootstrap = 200\nseed = 4\ngroup_by = "station"\nworst = 3\nid_col = "id"'
    path = p.write(config(p, **generous(p), extra_compare=extra))
    doc = strict_json(cli("check", path, "--format", "json").stdout)["compare"]
    assert doc["bootstrap"] == {"resamples": 200, "ci": 0.95, "seed": 4}
    assert all(r["ci_low"] < r["delta"] < r["ci_high"] for r in doc["rows"])
    assert sorted({r["group"] for r in doc["groups"]["rows"]}) == sorted(set(p.stations))
    for row in doc["groups"]["rows"]:
        mask = p.stations == row["group"]
        for key, pred in (("baseline", p.base), ("candidate", p.new)):
            err = pred[mask] - p.y[mask]
            want = np.mean(np.abs(err)) if row["loss"] == "mae" else np.sqrt(np.mean(err**2))
            assert row[key] == pytest.approx(want, rel=1e-12)
        assert row["n"] == int(mask.sum())
    increase = np.abs(p.new - p.y) - np.abs(p.base - p.y)
    top = np.argsort(-increase, kind="stable")[:3]
    assert [r["index"] for r in doc["worst"]["rows"]] == top.tolist()
    assert [r["id"] for r in doc["worst"]["rows"]] == [f"d{i:03d}" for i in top]


def test_markdown_report_from_the_report_section(project: Project) -> None:
    p = project
    path = p.write(config(p, **generous(p), report='[report]\nformat = "md"\nlabel = "forecast"'))
    result = cli("check", path)
    assert result.exit_code == 0
    md = result.stdout
    assert md.startswith("<!-- losscli:forecast -->\n")
    assert md.count("<!-- losscli:") == 1  # one marker for the whole report
    assert "### losscli eval: forecast" in md and "### losscli compare: forecast" in md
    assert md.index("### losscli eval") < md.index("### losscli compare")
    assert md.count("✅") == 2
    # --format on the command line wins over the file
    strict_json(cli("check", path, "--format", "json").stdout)


def test_the_default_file_is_losscli_toml_in_the_working_directory(project: Project,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    p = project
    p.write(config(p, **generous(p)))
    monkeypatch.chdir(p.ci)
    result = cli("check", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert strict_json(result.stdout)["passed"] is True


def test_only_a_compare_section(project: Project) -> None:
    p = project
    path = p.write("""
[compare]
baseline = "../data/base.csv"
candidates = "../data/new.parquet"
target = "../data/targets.csv"
losses = "mae"
[columns]
pred = "p*"
""")
    result = cli("check", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = strict_json(result.stdout)
    assert "eval" not in doc and doc["passed"] is True
    assert doc["compare"]["rows"][0]["delta"] == pytest.approx(p.mae(p.new) - p.mae(p.base), rel=1e-9)


def test_summary_from_the_report_section_and_the_flag(project: Project, tmp_path: Path) -> None:
    p = project
    summary = tmp_path / "step_summary.md"
    opts = generous(p)
    opts["max_increase"] = '"*" = 0'
    path = p.write(config(p, **opts, report="[report]\nsummary = true\nlabel = \"ci\""))
    result = cli("check", path, "--format", "json", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 1
    strict_json(result.stdout)
    text = summary.read_text()
    assert text.count("<!-- losscli:ci -->") == 1
    assert "### losscli eval: ci" in text and "### losscli compare: ci" in text and "❌" in text
    # without the summary key, the --summary flag appends a second report
    path = p.write(config(p, **generous(p)), name="plain.toml")
    result = cli("check", path, "--format", "json", "--summary", env={"GITHUB_STEP_SUMMARY": str(summary)})
    assert result.exit_code == 0 and result.stderr == ""
    assert summary.read_text().count("<!-- losscli:") == 2
    # and with GITHUB_STEP_SUMMARY unset, a note, the same exit code
    result = cli("check", path, "--format", "json", "--summary", env={"GITHUB_STEP_SUMMARY": None})
    assert result.exit_code == 0 and "GITHUB_STEP_SUMMARY" in result.stderr


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        pytest.param('[evaluate]\npredictions = "x.csv"\n', ("unknown section", "[evaluate]"), id="unknown-section"),
        pytest.param('[eval]\npredictions = "../data/new.parquet"\nthreshold = 1\n', ("[eval]", "'threshold'"),
                     id="unknown-eval-key"),
        pytest.param('[compare]\nbaseline = "a.csv"\ncandidates = ["b.csv"]\nmax_increse = {mae = 1}\n',
                     ("[compare]", "'max_increse'"), id="unknown-compare-key"),
        pytest.param('[report]\nformat = "md"\ncolour = true\n', ("[report]", "'colour'"), id="unknown-report-key"),
        pytest.param('[columns]\nprediction = "p"\n', ("[columns]", "'prediction'"), id="unknown-columns-key"),
        pytest.param('format = "md"\n[eval]\npredictions = "../data/new.parquet"\n', ("unknown section",),
                     id="top-level-key"),
        pytest.param('[report]\nformat = "md"\n', ("nothing to check",), id="no-eval-or-compare"),
        pytest.param('[compare]\nbaseline = "../data/base.csv"\n', ("baseline and candidates",), id="no-candidates"),
        pytest.param("[eval\n", ("not valid TOML",), id="bad-toml"),
    ],
)
def test_bad_files_are_usage_errors(project: Project, text: str, fragments: tuple[str, ...]) -> None:
    path = project.write(text)
    usage_error(cli("check", path, "--format", "json"), *fragments)


def test_missing_files_are_usage_errors(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    usage_error(cli("check", project.ci / "nope.toml", "--format", "json"), "nope.toml", "no such file")
    usage_error(cli("check", "--format", "json"), "losscli.toml")  # no default file in the working directory
    path = project.write('[eval]\npredictions = "../data/missing.csv"\nlosses = ["mae"]\n')
    usage_error(cli("check", path, "--format", "json"), "missing.csv")
    # paths are relative to the TOML file, not to the working directory
    path = project.write('[eval]\npredictions = "data/new.parquet"\ntarget = "data/targets.csv"\nlosses = ["mae"]\n'
                         '[columns]\npred = "p"\n')
    monkeypatch.chdir(project.root)  # where data/new.parquet would be found
    usage_error(cli("check", path, "--format", "json"))


def test_a_malformed_gate_in_the_file_is_a_usage_error(project: Project) -> None:
    p = project
    opts = generous(p)
    opts["fail_above"] = 'mae = "5%"'
    usage_error(cli("check", p.write(config(p, **opts)), "--format", "json"), "--fail-above", "percentage")
    opts = generous(p)
    opts["max_increase"] = "mae = -1"
    usage_error(cli("check", p.write(config(p, **opts)), "--format", "json"), "--max-increase")


BASE_EVAL = '[eval]\npredictions = "../data/base.csv"\ntarget = "../data/targets.csv"\nlosses = ["mae"]\n'
BASE_COMPARE = ('[compare]\nbaseline = "../data/base.csv"\ncandidates = ["../data/base.csv"]\n'
                'target = "../data/targets.csv"\nlosses = ["mae"]\n')


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(BASE_EVAL + '[report]\nformat = "xml"\n', id="report-format"),
        pytest.param(BASE_EVAL + 'reduction = "median"\n', id="eval-reduction"),
        pytest.param(BASE_EVAL + 'nan = "skip"\n', id="eval-nan"),
        pytest.param(BASE_EVAL + 'worst = "3"\n', id="eval-worst-string"),
        pytest.param(BASE_EVAL + '[report]\nprecision = "high"\n', id="report-precision-string"),
        pytest.param(BASE_COMPARE + 'bootstrap = 100\nseed = "1"\n', id="compare-seed-string"),
        pytest.param(BASE_COMPARE + 'bootstrap = 0\n', id="compare-bootstrap-zero"),
    ],
)
def test_bad_values_in_the_file_are_usage_errors(project: Project, text: str) -> None:
    result = cli("check", project.write(text), "--format", "json")
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith(ERROR) and "internal error" not in result.stderr
