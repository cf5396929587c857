"""Hostile inputs, options, environments and output streams, run as real processes.

Every case ends with exit 2, nothing on stdout and one ``losscli: error:`` line on stderr (or,
where the input is in fact valid, exit 0 with the numbers NumPy gives): never exit 3 ("internal
error"), exit 1 (a failed gate's code) or a traceback.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import ERROR, strict_json, usage_error

TIMEOUT = 120  # seconds before a child process counts as hung


@dataclass
class Outcome:
    """A finished process, with the attributes :func:`conftest.usage_error` reads."""

    exit_code: int
    stdout: str
    stderr: str


def losscli(*args: Any, cwd: Path, env: dict[str, str] | None = None, prefix: list[str] | None = None,
            stdout: Any = subprocess.PIPE) -> Outcome:
    """``python -m losscli ARGS`` as a real process (``prefix`` runs it under another command)."""
    command = [*(prefix or []), sys.executable, "-m", "losscli", *map(str, args)]
    result = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, stdout=stdout, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, timeout=TIMEOUT)
    out = result.stdout.decode("utf-8", "replace") if result.stdout is not None else ""
    return Outcome(result.returncode, out, result.stderr.decode("utf-8", "replace"))


def shell(line: str, cwd: Path, env: dict[str, str] | None = None) -> Outcome:
    """A /bin/sh command line where ``losscli`` stands for this interpreter's ``python -m losscli``."""
    command = line.replace("losscli", f"{shlex.quote(sys.executable)} -m losscli")
    result = subprocess.run(["/bin/sh", "-c", command], cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True,
                            timeout=TIMEOUT)
    return Outcome(result.returncode, result.stdout.decode("utf-8", "replace"), result.stderr.decode("utf-8", "replace"))


def valid(result: Outcome) -> Any:
    """Exit 0, strict JSON on stdout, and only warnings on stderr; returns the document."""
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert all(line.startswith("losscli: warning:") for line in result.stderr.splitlines()), result.stderr
    return strict_json(result.stdout)


PRED = np.random.default_rng(7).normal(size=40)
TARGET = np.random.default_rng(8).normal(size=40)
MSE = float(np.mean((PRED - TARGET) ** 2))


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A directory with one valid run in every format, and a saved result of it."""
    np.save(tmp_path / "pred.npy", PRED)
    np.save(tmp_path / "target.npy", TARGET)
    np.savez(tmp_path / "run.npz", pred=PRED, target=TARGET)
    (tmp_path / "run.csv").write_text("pred,target\n" + "".join(f"{p!r},{t!r}\n" for p, t in zip(PRED.tolist(), TARGET.tolist())))
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"pred": PRED, "target": TARGET}), tmp_path / "run.parquet")
    (tmp_path / "run.toml").write_text('[eval]\npredictions = "run.csv"\nlosses = ["mse"]\n')
    saved = losscli("eval", "run.csv", "--loss", "mse", "--format", "json", cwd=tmp_path)
    (tmp_path / "saved.json").write_text(saved.stdout)
    return tmp_path


PAIRED = ("run.csv", "run.csv", "--target", "run.csv", "--loss", "mse")


# --- stdout, stderr and the job summary ------------------------------------------------------

@pytest.mark.parametrize("line", [
    "losscli eval run.csv --loss mse >&-",
    "losscli eval run.csv --loss mse --per-sample --format jsonl >&-",
    "losscli compare saved.json saved.json >&-",
    "losscli check run.toml >&-",
    "losscli list >&-",
    "losscli info huber >&-",
    "losscli --version >&-",
    "losscli eval --help >&-",
])
def test_closed_stdout_is_an_error(data: Path, line: str) -> None:
    usage_error(shell(line, data), "standard output is closed")


@pytest.mark.parametrize("args", [
    ("eval", "run.csv", "--loss", "mse"),
    ("eval", "run.csv", "--loss", "mse", "--per-sample", "--format", "csv"),
    ("compare", *PAIRED),
    ("check", "run.toml"),
    ("list",),
    ("info", "huber", "--format", "json"),
    ("--version",),
    ("--help",),
])
def test_full_stdout_is_an_error(data: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "wb") as full:
        usage_error(losscli(*args, cwd=data, stdout=full), "cannot write to standard output", "No space left on device")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "md"])
def test_stdout_cut_short_leaves_no_partial_document(data: Path, fmt: str) -> None:
    """A file-size limit stops the write part way: the file is cut back to where the output began."""
    values = np.random.default_rng(9).normal(size=3000).tolist()
    (data / "big.csv").write_text("pred,target\n" + "".join(f"{v!r},0\n" for v in values))
    (data / "out").write_bytes(b"kept\n")
    result = shell(f"ulimit -f 8; losscli eval big.csv --loss mse --per-sample --limit 3000 --format {fmt} >> out", data)
    usage_error(result, "cannot write to standard output", "File too large")
    assert (data / "out").read_bytes() == b"kept\n"


@pytest.mark.parametrize(("args", "env"), [
    (("eval", "run.csv", "--loss", "mse", "--format", "md", "--label", "résumé"), {"PYTHONIOENCODING": "ascii"}),
    (("eval", "accents.csv", "--pred-col", "prédiction", "--loss", "mse", "--format", "json"), {"PYTHONIOENCODING": "ascii"}),
    (("eval", "accents.csv", "--pred-col", "prédiction", "--loss", "mse", "--format", "table"), {"PYTHONIOENCODING": "ascii"}),
    (("list", "--format", "table"), {"PYTHONIOENCODING": "ascii"}),
    (("info", "huber", "--format", "md"), {"PYTHONIOENCODING": "ascii"}),
])
def test_ascii_stdout_refuses_what_it_cannot_hold(data: Path, args: tuple[str, ...], env: dict[str, str]) -> None:
    (data / "accents.csv").write_text("prédiction,target\n1,2\n3,5\n", encoding="utf-8")
    usage_error(losscli(*args, cwd=data, env=env), "standard output's encoding (ascii) cannot represent", "PYTHONIOENCODING=utf-8")


def test_c_locale_writes_utf8(data: Path) -> None:
    """Python coerces the C locale to UTF-8: a non-ASCII column name is simply written."""
    (data / "accents.csv").write_text("prédiction,target\n1,2\n3,5\n", encoding="utf-8")
    result = losscli("eval", "accents.csv", "--pred-col", "prédiction", "--loss", "mse", "--format", "json", cwd=data,
                     env={"LC_ALL": "C", "LANG": "C", "PYTHONIOENCODING": ""})
    assert valid(result)["inputs"]["pred"]["columns"] == ["prédiction"]


@pytest.mark.parametrize("line", [
    "losscli eval missing.csv --loss mse 2>&-",
    "losscli eval run.csv --loss nope 2>&-",
    "losscli eval run.csv --bogus-option 2>&-",
    "losscli eval missing.csv --loss mse 2>/dev/full",
    "losscli check missing.toml 2>&-",
])
def test_bad_input_exits_2_whatever_stderr_is(data: Path, line: str) -> None:
    result = shell(line, data)
    assert result.exit_code == 2 and result.stdout == "", result


def test_closed_stdin_is_an_empty_stream(data: Path) -> None:
    usage_error(shell("losscli eval - --input-format csv --loss mse <&-", data), "<stdin>: the file is empty")


def _summary_cases(data: Path) -> dict[str, str]:
    (data / "readonly.md").write_text("")
    (data / "readonly.md").chmod(0o444)
    return {"a directory": str(data), "a missing directory": str(data / "nope" / "summary.md"),
            "under a file": str(data / "run.csv" / "summary.md"), "a full device": "/dev/full",
            "read-only": str(data / "readonly.md")}


@pytest.mark.parametrize("where", ["a directory", "a missing directory", "under a file", "a full device", "read-only"])
@pytest.mark.parametrize("args", [
    ("eval", "run.csv", "--loss", "mse", "--summary"),
    ("eval", "run.csv", "--loss", "mse", "--summary", "--per-sample", "--format", "jsonl"),
    ("compare", *PAIRED, "--summary"),
    ("check", "run.toml", "--summary"),
])
def test_unwritable_job_summary_is_an_error(data: Path, where: str, args: tuple[str, ...]) -> None:
    path = _summary_cases(data)[where]
    prefix = _unprivileged() if where == "read-only" else []
    result = losscli(*args, cwd=data, env={"GITHUB_STEP_SUMMARY": path}, prefix=prefix)
    if where == "a full device" and "jsonl" in args:  # writable until written: the rows streamed first stay
        result.stdout = ""
    usage_error(result, "--summary", "GITHUB_STEP_SUMMARY=")


def test_writable_job_summary_gets_the_report(data: Path) -> None:
    summary = data / "summary.md"
    result = losscli("compare", "saved.json", "saved.json", "--summary", "--format", "json", cwd=data,
                     env={"GITHUB_STEP_SUMMARY": str(summary)})
    valid(result)
    assert "<!-- losscli:losscli -->" in summary.read_text()


def _unprivileged() -> list[str]:
    """A command prefix under which file permissions hold (root reads mode-000 files otherwise)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]
    probe = subprocess.run([*prefix, "true"], capture_output=True, timeout=TIMEOUT)
    if probe.returncode != 0:
        pytest.skip("setpriv cannot drop capabilities here")
    return prefix
