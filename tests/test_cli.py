"""The real commands through Typer's CliRunner: every input format, every output format."""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from conftest import strict_json, value
from losscli import __version__
from losscli.cli.app import app

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
runner = CliRunner()


def invoke(*args: str, stdin: bytes | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def eval_json(*args: str, stdin: bytes | None = None) -> dict:
    return strict_json(invoke("eval", *args, "--format", "json", stdin=stdin))


def sample_csv(name: str) -> list[dict[str, str]]:
    with open(SAMPLES / name, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t" if name.endswith(".tsv") else ","))


def test_version() -> None:
    assert invoke("--version").strip() == f"losscli {__version__}"


def test_json_document_schema() -> None:
    doc = eval_json(str(SAMPLES / "regression.csv"), "--loss", "mse", "--loss", "huber:delta=0.5")
    rows = sample_csv("regression.csv")
    pred = np.array([float(r["pred"]) for r in rows])
    target = np.array([float(r["target"]) for r in rows])
    assert doc["schema_version"] == 1 and doc["losscli_version"] == __version__
    assert doc["n_samples"] == len(rows) and doc["n_omitted"] == 0
    assert doc["inputs"]["pred"]["columns"] == ["pred"] and doc["inputs"]["target"]["shape"] == [len(rows)]
    assert list(doc["losses"]) == ["mse", "huber:delta=0.5"]
    mse = doc["losses"]["mse"]
    assert mse["value"] == pytest.approx(np.mean((pred - target) ** 2), rel=1e-12)
    assert mse["n"] == len(rows) and mse["n_nonfinite"] == 0 and mse["reduction"] == "mean"
    assert doc["losses"]["huber:delta=0.5"]["params"] == {"delta": 0.5}
    assert "per_sample" not in mse


def test_weight_column_gives_weighted_mean() -> None:
    rows = sample_csv("regression.csv")
    err2 = np.array([(float(r["pred"]) - float(r["target"])) ** 2 for r in rows])
    w = np.array([float(r["weight"]) for r in rows])
    doc = eval_json(str(SAMPLES / "regression.csv"), "--loss", "mse", "--weight-col", "weight")
    assert doc["losses"]["mse"]["value"] == pytest.approx((w * err2).sum() / w.sum(), rel=1e-12)
    assert doc["inputs"]["weight"]["columns"] == ["weight"]


@pytest.mark.parametrize("name", ["regression.csv", "regression.parquet", "regression.tsv.gz"])
def test_table_formats_agree_with_a_direct_computation(name: str, tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.read_parquet(SAMPLES / name) if name.endswith("parquet") else pd.read_csv(
        SAMPLES / name, sep="\t" if ".tsv" in name else ",")
    expected = float(np.mean(np.abs(frame["pred"] - frame["target"])))
    assert eval_json(str(SAMPLES / name), "--loss", "mae")["losses"]["mae"]["value"] == pytest.approx(expected, rel=1e-12)


def test_multi_output_parquet_with_globs() -> None:
    import pandas as pd

    frame = pd.read_parquet(SAMPLES / "regression_multi.parquet")
    doc = eval_json(str(SAMPLES / "regression_multi.parquet"), "--pred-col", "pred_*", "--target-col", "target_x,target_y",
                    "--loss", "mse")
    expected = np.mean((frame[["pred_x", "pred_y"]].to_numpy() - frame[["target_x", "target_y"]].to_numpy()) ** 2)
    assert doc["losses"]["mse"]["value"] == pytest.approx(expected, rel=1e-12)
    assert doc["inputs"]["pred"]["shape"] == [len(frame), 2]


def test_npy_pair_and_npz() -> None:
    logits = np.load(SAMPLES / "multiclass_logits.npy")
    labels = np.load(SAMPLES / "multiclass_labels.npy")
    doc = eval_json(str(SAMPLES / "multiclass_logits.npy"), str(SAMPLES / "multiclass_labels.npy"),
                    "--loss", "cross_entropy:label_smoothing=0.1")
    assert doc["losses"]["cross_entropy:label_smoothing=0.1"]["value"] == pytest.approx(
        value("cross_entropy:label_smoothing=0.1", logits, labels), rel=1e-12)
    archive = np.load(SAMPLES / "multilabel.npz")
    doc = eval_json(str(SAMPLES / "multilabel.npz"), "--loss", "bce")
    assert doc["inputs"]["weight"]["shape"] == [len(archive["weight"])]
    assert doc["losses"]["bce"]["value"] == pytest.approx(
        value("bce", archive["pred"], archive["target"], archive["weight"]), rel=1e-12)


def test_input_option_binds_roles(tmp_path: Path) -> None:
    np.save(tmp_path / "p.npy", np.array([1.0, 2.0, 3.0]))
    np.save(tmp_path / "t.npy", np.array([1.0, 1.0, 1.0]))
    np.save(tmp_path / "w.npy", np.array([1.0, 0.0, 1.0]))
    doc = eval_json("--input", f"pred={tmp_path / 'p.npy'}", "--input", f"target={tmp_path / 't.npy'}",
                    "--input", f"weight={tmp_path / 'w.npy'}", "--loss", "mse")
    assert doc["losses"]["mse"]["value"] == pytest.approx((0 + 4) / 2)


@pytest.mark.parametrize("fmt", ["csv", "npy", "parquet"])
def test_stdin_in_text_and_binary_formats(fmt: str, tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame({"pred": [0.9, 0.2, 0.6], "label": [1, 0, 0]})
    if fmt == "csv":
        data = frame.to_csv(index=False).encode()
        args = ["-"]
    elif fmt == "parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer)
        data, args = buffer.getvalue(), ["-"]
    else:
        buffer = io.BytesIO()
        np.save(buffer, frame["pred"].to_numpy())
        frame[["label"]].to_csv(tmp_path / "t.csv", index=False)  # --input-format is for stdin; files keep their own
        data, args = buffer.getvalue(), ["-", str(tmp_path / "t.csv")]
    doc = eval_json(*args, "--input-format", fmt, "--loss", "bce", stdin=data)
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.4)) / 3
    assert doc["losses"]["bce"]["value"] == pytest.approx(expected, rel=1e-6)


def test_per_sample_and_worst_in_json() -> None:
    doc = eval_json(str(SAMPLES / "binary_probs.csv"), "--loss", "bce", "--worst", "5")
    values = doc["losses"]["bce"]["per_sample"]
    assert len(values) == 5 == len(doc["index"]) and values == sorted(values, reverse=True)
    full = eval_json(str(SAMPLES / "binary_probs.csv"), "--loss", "bce", "--reduction", "none")
    assert full["losses"]["bce"]["value"] is None
    assert max(full["losses"]["bce"]["per_sample"]) == values[0]
    assert full["losses"]["bce"]["per_sample"][doc["index"][0]] == values[0]


def test_nan_policies(tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("pred,target\n1,0\n,0\n3,1\nnan,2\n")
    omitted = eval_json(str(path), "--loss", "mae", "--nan", "omit", "--per-sample")
    assert omitted["n_omitted"] == 2 and omitted["n_samples"] == 2
    assert omitted["losses"]["mae"]["value"] == pytest.approx(1.5) and omitted["index"] == [0, 2]
    propagated = eval_json(str(path), "--loss", "mae", "--nan", "propagate", "--per-sample")
    assert propagated["losses"]["mae"]["value"] is None
    assert propagated["losses"]["mae"]["per_sample"] == [1.0, None, 2.0, None]
    assert propagated["losses"]["mae"]["n_nonfinite"] == 2


def test_csv_tsv_jsonl_rows_join_back_to_the_data() -> None:
    args = (str(SAMPLES / "regression.csv"), "--loss", "mse", "--loss", "mae")
    rows = list(csv.DictReader(io.StringIO(invoke("eval", *args, "--format", "csv"))))
    source = sample_csv("regression.csv")
    assert len(rows) == len(source) and list(rows[0]) == ["index", "mse", "mae"]
    r = 17
    err = float(source[r]["pred"]) - float(source[r]["target"])
    assert float(rows[r]["mae"]) == pytest.approx(abs(err), rel=1e-5) and rows[r]["index"] == str(r)
    tsv = invoke("eval", *args, "--format", "tsv", "--precision", "3").splitlines()
    assert tsv[0] == "index\tmse\tmae" and len(tsv[1].split("\t")[1].replace(".", "").lstrip("0")) <= 3
    lines = [strict_json(line) for line in invoke("eval", *args, "--format", "jsonl").splitlines()]
    assert len(lines) == len(source) and lines[r]["mae"] == pytest.approx(abs(err), rel=1e-12)


def test_markdown_and_table_output() -> None:
    md = invoke("eval", str(SAMPLES / "binary_logits.csv"), "--loss", "bce_with_logits", "--format", "md",
                "--per-sample", "--limit", "3")
    lines = md.splitlines()
    assert lines[:2] == ["<!-- losscli:losscli -->", "### losscli eval"]  # marker for CI comment updates, heading
    assert "| loss | params |" in md and "| bce_with_logits |" in md
    assert "<details>\n<summary>First 3 of 150 samples</summary>" in md
    assert sum(line.startswith("| ") for line in lines) == 2 + 1 + 3  # two summary rows, sample header, 3 rows
    table = invoke("eval", str(SAMPLES / "binary_logits.csv"), "--loss", "bce_with_logits", "--format", "table")
    assert "bce_with_logits" in table and "\x1b[" not in table  # no colour outside a terminal


def test_text_formats_round_to_precision() -> None:
    table = invoke("eval", str(SAMPLES / "regression.csv"), "--loss", "mse", "--format", "md", "--precision", "3")
    doc = eval_json(str(SAMPLES / "regression.csv"), "--loss", "mse")
    assert f"| {doc['losses']['mse']['value']:.3g} |" in table


def test_list_and_info() -> None:
    listed = strict_json(invoke("list", "--format", "json"))["losses"]
    names = {e["name"] for e in listed}
    assert {"mse", "huber", "torch.cross_entropy", "keras.huber"} <= names
    binary = strict_json(invoke("list", "--task", "binary", "--format", "json"))["losses"]
    assert binary and all(e["task"] == "binary" for e in binary)
    info = strict_json(invoke("info", "torch.HuberLoss", "--format", "json"))
    assert info["name"] == "torch.huber_loss" and info["params"][0]["name"] == "delta"
    example = info["example"]["losses"]["torch.huber_loss"]
    assert example["value"] == pytest.approx(np.mean(example["per_sample"]))
    text = invoke("info", "huber", "--format", "table")
    assert "formula" in text and "delta" in text and "example" in text


def test_terminal_gets_a_coloured_table_unless_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("losscli.cli.options.stdout_is_terminal", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = invoke("eval", str(SAMPLES / "regression.csv"), "--loss", "mse")
    assert "\x1b[" in coloured and "┃ loss" in coloured.replace("\x1b[1m", "").replace("\x1b[0m", "")
    monkeypatch.setenv("NO_COLOR", "1")
    plain = invoke("eval", str(SAMPLES / "regression.csv"), "--loss", "mse")
    assert "\x1b[" not in plain and "mse" in plain


def test_pipe_gets_json_by_default() -> None:
    assert strict_json(invoke("eval", str(SAMPLES / "regression.csv"), "--loss", "mse"))["schema_version"] == 1


def test_info_shows_where_library_twins_part() -> None:
    info = strict_json(invoke("info", "bce", "--format", "json"))
    twins = {row["name"]: row for row in info["twins"]}
    assert {"bce", "torch.binary_cross_entropy", "keras.binary_crossentropy"} <= set(twins)
    logs = [-math.log(0.9), -math.log(0.8), -math.log(0.4)]  # the example: p = [.9, .2, .6, 0], t = [1, 0, 0, 1]
    assert twins["torch.binary_cross_entropy"]["value"] == pytest.approx((sum(logs) + 100) / 4)
    clipped = [*logs, -math.log(1e-7)]
    assert twins["keras.binary_crossentropy"]["value"] == pytest.approx(sum(clipped) / 4, rel=1e-6)
    weighted = sum((i + 1) * v for i, v in enumerate(clipped))
    assert twins["keras.binary_crossentropy"]["weighted_value"] == pytest.approx(weighted / 4, rel=1e-6)
    assert twins["bce"]["weighted_value"] == pytest.approx(weighted / 10, rel=1e-6)
    eps = np.finfo(np.float64).eps  # scikit-learn clips at the float64 epsilon: −log(eps) ≈ 36.04
    assert twins["sklearn.log_loss"]["value"] == pytest.approx((sum(logs) - math.log(eps)) / 4)
    from_library = strict_json(invoke("info", "torch.BCELoss", "--format", "json"))
    assert [row["name"] for row in from_library["twins"]] == [row["name"] for row in info["twins"]]


def test_roles_bind_by_name_from_npz_columns_and_files(tmp_path: Path) -> None:
    triplets = np.load(SAMPLES / "triplets.npz")
    a, p, n = triplets["anchor"], triplets["positive"], triplets["negative"]
    expected = np.mean(np.maximum(0, np.linalg.norm(a - p, axis=1) - np.linalg.norm(a - n, axis=1) + 1))
    from_npz = eval_json(str(SAMPLES / "triplets.npz"), "--loss", "triplet")
    assert from_npz["losses"]["triplet"]["value"] == pytest.approx(expected, rel=1e-12)
    assert set(from_npz["inputs"]) == {"pred", "target", "negative"}  # the first two roles report as pred and target
    for name, data in (("a", a), ("p", p), ("n", n)):
        np.save(tmp_path / f"{name}.npy", data)
    from_files = eval_json(str(tmp_path / "a.npy"), str(tmp_path / "p.npy"), "--input", f"negative={tmp_path / 'n.npy'}",
                           "--loss", "triplet")
    assert from_files["losses"]["triplet"]["value"] == from_npz["losses"]["triplet"]["value"]


def test_col_picks_columns_for_a_role_in_one_table(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("mu,y,sigma2\n1.0,1.5,0.5\n2.0,2.0,2.0\n")
    doc = eval_json(str(path), "--col", "pred=mu", "--col", "target=y", "--col", "var=sigma2", "--loss", "gaussian_nll")
    expected = np.mean([0.5 * (math.log(0.5) + 0.25 / 0.5), 0.5 * math.log(2.0)])
    assert doc["losses"]["gaussian_nll"]["value"] == pytest.approx(expected)
    assert doc["inputs"]["var"]["columns"] == ["sigma2"]


def test_a_missing_role_is_named(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("pred,target\n1.0,1.5\n")
    result = runner.invoke(app, ["eval", str(path), "--loss", "gaussian_nll"])
    assert result.exit_code == 2 and result.stdout == ""
    assert "no var column" in result.stderr and "--col var=" in result.stderr
