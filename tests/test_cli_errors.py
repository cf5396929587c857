"""The error contract of ``losscli eval``.

Every bad input must end with exit code 2, exactly one ``losscli: error: …`` line on stderr
that says what is wrong, where and how to fix it, an empty stdout, and no traceback.
Each case writes its bad files into ``tmp_path`` (the working directory of the test).
"""

from __future__ import annotations

import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Union

import numpy as np
import pytest
from typer.testing import CliRunner

from losscli.cli.app import app
from losscli.errors import LossCliError

PREFIX = "losscli: error: "

# A file's content: text, raw bytes, or a function that creates the file (or directory) at a path.
Content = Union[str, bytes, Callable[[Path], Any]]

GOOD_CSV = "pred,target,weight\n1.0,1.5,1.0\n2.0,1.0,0.5\n3.0,3.5,2.0\n"
NOISE = np.random.default_rng(0).bytes(512)  # neither Parquet's nor NumPy's magic bytes


def multiclass_csv(*labels: str) -> str:
    """Three logit columns ``p_a, p_b, p_c`` and a ``label`` column holding ``labels``."""
    rows = [f"{0.1 * i},{-0.2 * i},{0.3},{label}" for i, label in enumerate(labels)]
    return "\n".join(["p_a,p_b,p_c,label", *rows]) + "\n"


def npy(array: np.ndarray, **kwargs: Any) -> Callable[[Path], None]:
    return lambda path: np.save(path, array, **kwargs)


def mkdir(path: Path) -> None:
    path.mkdir()


@dataclass
class Case:
    args: list[str]
    fragments: tuple[str, ...]
    files: dict[str, Content] = field(default_factory=dict)
    stdin: str | None = None


def case(case_id: str, args: list[str], *fragments: str, files: dict[str, Content] | None = None,
         stdin: str | None = None) -> Any:
    """A parametrized case; ``files`` default to a good ``run.csv`` (pred, target, weight)."""
    return pytest.param(Case(args, fragments, {"run.csv": GOOD_CSV} if files is None else files, stdin), id=case_id)


def eval_args(*args: str, loss: str = "mse") -> list[str]:
    """``eval ARGS --loss LOSS``."""
    return [*args, "--loss", loss]


# --------------------------------------------------------------------------- helpers

runner = CliRunner()


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in ``tmp_path`` so that file names in arguments and messages stay short."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write_files(root: Path, files: dict[str, Content]) -> None:
    for name, content in files.items():
        path = root / name
        if isinstance(content, str):
            path.write_text(content)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            content(path)


def invoke(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin)


def _outcome(result: Any) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of a CliRunner result or a text-mode CompletedProcess."""
    if isinstance(result, subprocess.CompletedProcess):
        return result.returncode, result.stdout, result.stderr
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_error(result: Any, *fragments: str) -> str:
    """Exit 2, empty stdout, one ``losscli: error:`` line on stderr containing every fragment."""
    code, out, err = _outcome(result)
    detail = f"exit code {code}\n--- stdout:\n{out}\n--- stderr:\n{err}"
    assert code == 2, detail
    assert out == "", detail
    assert "Traceback" not in err, detail
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n"), f"expected one stderr line\n{detail}"
    assert lines[0].startswith(PREFIX), detail
    message = lines[0][len(PREFIX):]
    missing = [f for f in fragments if f not in message]
    assert not missing, f"message lacks {missing}: {message}"
    return message


def test_cli_runner_keeps_stdout_and_stderr_apart(in_tmp: Path) -> None:
    """The assertions below rely on stdout and stderr being captured separately."""
    result = invoke("eval", "missing.csv", "--loss", "mse")
    assert result.stderr.startswith(PREFIX)
    assert result.stdout == ""


# --------------------------------------------------------------------------- the bad inputs

BAD_INPUTS = [
    # files and readers
    case("non_numeric_cell", eval_args("run.csv"), "run.csv", "'abc'", "row 2", "column 'target'",
         files={"run.csv": "pred,target\n1.0,2.0\n0.5,abc\n3.0,4.0\n"}),
    case("ragged_row", eval_args("run.csv"), "run.csv", "line 3", "as many fields as the header",
         files={"run.csv": "pred,target\n1,2\n3,4,5\n6,7\n"}),
    case("every_row_longer_than_header", eval_args("run.csv"), "run.csv", "more fields than the header",
         files={"run.csv": "pred,target\n1,2,3\n4,5,6\n"}),
    case("empty_file", eval_args("empty.csv"), "empty.csv", "empty", files={"empty.csv": ""}),
    case("header_only_csv", eval_args("head.csv"), "head.csv", "no data rows", files={"head.csv": "pred,target\n"}),
    case("missing_file", eval_args("nope.csv"), "nope.csv", "no such file"),
    case("directory", eval_args("runs"), "runs", "is a directory", files={"runs": mkdir}),
    case("directory_named_like_a_table", eval_args("runs.csv"), "runs.csv", "is a directory", files={"runs.csv": mkdir}),
    case("corrupt_parquet", eval_args("bad.parquet"), "bad.parquet", "not a valid Parquet file", files={"bad.parquet": NOISE}),
    case("corrupt_npy", eval_args("bad.npy"), "bad.npy", "not a valid NPY", files={"bad.npy": NOISE}),
    case("pickled_npy", eval_args("objects.npy"), "objects.npy", "pickled",
         files={"objects.npy": npy(np.array([{"a": 1}, None], dtype=object), allow_pickle=True)}),
    case("unsupported_extension", eval_args("run.xlsx"), "run.xlsx", "'.xlsx'", "--input-format", files={"run.xlsx": NOISE}),
    case("stdin_without_input_format", eval_args("-"), "standard input", "--input-format", stdin=GOOD_CSV),
    # loss specs
    case("unknown_loss", eval_args("run.csv", loss="hubr"), "'hubr'", "did you mean huber"),
    case("unknown_parameter", eval_args("run.csv", loss="huber:alpha=2"), "'alpha'", "delta"),
    case("ill_typed_parameter", eval_args("run.csv", loss="huber:delta=true"), "delta", "must be a number", "true"),
    case("out_of_range_parameter", eval_args("run.csv", loss="huber:delta=-1"), "delta=-1", "out of range", "(0, inf)"),
    case("spec_without_value", eval_args("run.csv", loss="huber:delta"), "'huber:delta'", "'delta' is not KEY=VALUE"),
    case("spec_with_empty_params", eval_args("run.csv", loss="huber:"), "'huber:'", "nothing after ':'"),
    case("spec_with_unclosed_list", eval_args("run.csv", loss="cross_entropy:weight=[1,2"),
         "'cross_entropy:weight=[1,2'", "unbalanced brackets"),
    case("no_loss", ["run.csv"], "no loss given", "--loss"),
    # columns
    case("missing_column", eval_args("run.csv", "--pred-col", "nope"), "'nope'", "'pred', 'target', 'weight'"),
    case("no_default_columns", eval_args("ab.csv"), "ab.csv", "no pred column", "'a', 'b'", "--pred-col",
         files={"ab.csv": "a,b\n1,2\n3,4\n"}),
    # data against the loss
    case("length_mismatch", eval_args("p.csv", "t.csv"), "length mismatch", "(3,)", "p.csv", "(2,)", "t.csv",
         files={"p.csv": "pred\n1\n2\n3\n", "t.csv": "target\n1\n2\n"}),
    case("shape_mismatch", eval_args("p.npy", "t.npy"), "'mse'", "(4, 3)", "(4, 2)",
         files={"p.npy": npy(np.zeros((4, 3))), "t.npy": npy(np.zeros((4, 2)))}),
    case("probabilities_out_of_range", eval_args("probs.csv", loss="bce"), "row 2", "column 'pred'", "1.5", "bce_with_logits",
         files={"probs.csv": "pred,target\n0.2,0\n1.5,1\n0.7,1\n"}),
    case("non_integer_class_labels", eval_args("mc.csv", "--pred-col", "p_*", "--target-col", "label", loss="cross_entropy"),
         "integer class indices", "row 3", "column 'label'", "1.5", files={"mc.csv": multiclass_csv("0", "2", "1.5")}),
    case("class_label_out_of_range", eval_args("mc.csv", "--pred-col", "p_*", "--target-col", "label", loss="cross_entropy"),
         "[0, 3)", "row 2", "column 'label'", "0 to 2", files={"mc.csv": multiclass_csv("0", "3", "1")}),
    case("negative_weight", eval_args("w.csv", "--weight-col", "weight"), "non-negative", "row 2", "column 'weight'", "-1",
         files={"w.csv": "pred,target,weight\n1,1,1\n2,1,-1\n3,2,1\n"}),
    case("nan_with_default_policy", eval_args("nan.csv"), "row 2", "column 'target'", "--nan omit",
         files={"nan.csv": "pred,target\n1,2\n3,\n5,6\n"}),
    case("weights_for_unweighted_loss", eval_args("run.csv", "--weight-col", "weight", loss="torch.mse_loss"),
         "'torch.mse_loss'", "no sample weights"),
    # option values
    case("invalid_reduction", eval_args("run.csv", "--reduction", "foo"), "--reduction", "'foo'"),
]


@pytest.mark.parametrize("bad", BAD_INPUTS)
def test_bad_input_is_one_error_line(bad: Case, in_tmp: Path) -> None:
    write_files(in_tmp, bad.files)
    assert_one_line_error(invoke("eval", *bad.args, stdin=bad.stdin), *bad.fragments)


# --------------------------------------------------------------------------- --debug

@pytest.mark.parametrize("args", [("--debug", "eval", "nope.csv", "--loss", "mse"), ("eval", "nope.csv", "--debug", "--loss", "mse"),
                                  ("eval", "nope.csv", "--loss", "mse", "--debug")])
def test_debug_anywhere_shows_the_traceback_and_keeps_the_exit_code(in_tmp: Path, args: tuple[str, ...]) -> None:
    result = run_losscli(*args, cwd=in_tmp)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("Traceback") and "LossCliError" in result.stderr
    assert result.stderr.splitlines()[-1].startswith(PREFIX) and "nope.csv" in result.stderr.splitlines()[-1]
    assert result.stdout == ""


@pytest.mark.parametrize("args", [("--label", "--debug"), ("--pred-col", "--debug"), ("--", "--debug")])
def test_debug_as_a_value_or_after_a_double_dash_is_not_the_flag(in_tmp: Path, args: tuple[str, ...]) -> None:
    result = run_losscli("eval", "nope.csv", "--loss", "mse", *args, cwd=in_tmp)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.startswith(PREFIX) and len(result.stderr.splitlines()) == 1


# --------------------------------------------------------------------------- real processes

def run_losscli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "losscli", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_subprocess_bad_input_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "run.csv").write_text("pred,target\n1.0,2.0\n0.5,abc\n")
    result = run_losscli("eval", "run.csv", "--loss", "mse", cwd=tmp_path)
    assert_one_line_error(result, "run.csv", "row 2", "column 'target'")


def test_subprocess_closed_pipe_is_quiet(tmp_path: Path) -> None:
    n = 200_000
    values = np.arange(n, dtype=np.float64) / 7
    lines = [f"{p:.6f},{p + 0.5:.6f}" for p in values]
    (tmp_path / "big.csv").write_text("pred,target\n" + "\n".join(lines) + "\n")
    command = (
        f"{shlex.quote(sys.executable)} -m losscli eval big.csv --loss mse --per-sample --format csv | head -n 2"
    )
    result = subprocess.run(["/bin/sh", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert len(result.stdout.splitlines()) == 2, result.stdout
    for word in ("BrokenPipe", "Traceback", "Exception"):
        assert word not in result.stderr, result.stderr
