"""Text tables fit the terminal (``COLUMNS``), show data brackets as typed, never cut a spec, style the verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import cli

SAMPLES = Path(__file__).resolve().parent.parent / "sample_data"
LONG_SPEC = "torch.CrossEntropyLoss:label_smoothing=0.1,weight=[1,2,0.5,1]"


@pytest.mark.parametrize("columns", [80, 100, 160])
def test_every_line_fits_the_width(columns: int) -> None:
    out = cli("eval", SAMPLES / "multiclass_logits.npy", SAMPLES / "multiclass_labels.npy", "--loss", LONG_SPEC,
              "--loss", "torch.nll_loss", "--format", "table", "--per-sample", env={"COLUMNS": str(columns)})
    assert out.exit_code == 0, out.stderr
    lines = out.stdout.splitlines()
    assert max(len(line) for line in lines) <= columns
    summary = out.stdout.split("└")[0]  # the first table
    first_column = "".join(line.split("│")[1].strip() for line in summary.splitlines() if line.startswith("│"))
    assert LONG_SPEC in first_column  # folded across lines, never cut with an ellipsis
    assert "…" not in out.stdout


def test_brackets_from_the_registry_are_not_markup() -> None:
    out = cli("info", "bce", "--format", "table", env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.stderr
    assert "probabilities are clipped to [eps, 1 − eps]" in out.stdout


def test_the_verdict_is_styled_text_not_markdown() -> None:
    out = cli("eval", SAMPLES / "regression.csv", "--loss", "mse", "--fail-above", "mse=1000", "--format", "table",
              env={"COLUMNS": "100"})
    assert out.exit_code == 0, out.stderr
    assert "All 1 gates hold." in out.stdout and "**" not in out.stdout


def test_keras_string_aliases_resolve() -> None:
    from losscli.registry import lookup

    for short, name in (("mse", "mean_squared_error"), ("MAE", "mean_absolute_error"), ("kld", "kl_divergence"),
                        ("BCE", "binary_crossentropy"), ("mape", "mean_absolute_percentage_error"),
                        ("MSLE", "mean_squared_logarithmic_error")):
        assert lookup(f"keras.{short}").name == f"keras.{name}"  # as keras.losses.get(short)


def test_list_names_an_unknown_filter_value() -> None:
    out = cli("list", "--follows", "tensorflow")
    assert out.exit_code == 2 and out.stdout == ""
    assert "--follows 'tensorflow'" in out.stderr and "keras, losscli, sklearn, torch" in out.stderr
    assert "None" not in out.stderr


def test_eval_json_always_says_whether_gates_passed() -> None:
    import json

    out = cli("eval", SAMPLES / "regression.csv", "--loss", "mse", "--format", "json")
    doc = json.loads(out.stdout)
    assert doc["passed"] is True and doc["gates"] == []


@pytest.mark.parametrize("command", [[], ["eval"], ["compare"]])
def test_no_arguments_give_a_short_usage_and_a_hint(command: list[str]) -> None:
    out = cli(*command)
    assert out.exit_code == 2 and out.stdout == ""
    lines = out.stderr.splitlines()
    assert lines[0].startswith("Usage: losscli") and len(lines) <= 3
    assert any(line.startswith("Try: losscli") for line in lines) and "--help" in lines[-1]


@pytest.mark.parametrize("command", [[], ["eval"], ["info"]])
def test_dash_h_is_help(command: list[str]) -> None:
    out = cli(*command, "-h")
    assert out.exit_code == 0 and out.stdout.startswith("Usage: losscli")


@pytest.mark.parametrize("command", ["eval", "compare", "check", "list", "info"])
def test_help_shows_readable_metavars(command: str) -> None:
    """Options name what they take (SPEC, COL, K, LOSS=VALUE), not Python types."""
    text = cli(command, "--help").stdout
    options = [line for line in text.splitlines() if line.lstrip().startswith("-")]
    assert options and not any("<list[str]>" in line or "<str>" in line or "<int range>" in line for line in options)


def test_list_in_a_pipe_is_tsv_and_info_is_text() -> None:
    listed = cli("list", "--task", "regression")
    lines = listed.stdout.splitlines()
    assert lines[0].split("\t") == ["name", "aliases", "task", "follows", "inputs", "params"]
    assert all(len(line.split("\t")) == 6 for line in lines) and any(line.startswith("mse\t") for line in lines)
    info = cli("info", "huber")
    assert info.stdout.startswith("huber — ") and "formula:" in info.stdout


@pytest.mark.parametrize("name", ["torch.CrossEntropyLoss", "torch.ctc_loss", "keras.tversky", "sklearn.log_loss"])
def test_info_text_fits_80_columns(name: str) -> None:
    out = cli("info", name, "--format", "table", env={"COLUMNS": "80"})
    assert out.exit_code == 0, out.stderr
    assert max(len(line) for line in out.stdout.splitlines()) <= 80
    assert "convention:" in out.stdout and "example:" in out.stdout
