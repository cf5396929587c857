"""Progress on stderr: shown on a terminal (a real pty here), never in a pipe or with --quiet, never on stdout."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from losscli.cli.progress import Progress, amount

pty = pytest.importorskip("pty")


def test_amounts_read_as_a_person_would() -> None:
    assert amount("rows", 1200, 5000) == "1,200 / 5,000 rows"
    assert amount("rows", 1200, None) == "1,200 rows"
    assert amount("bytes", 12_500_000, 80_000_000) == "12.5 / 80.0 MB"
    assert amount("bytes", 3_100_000, None) == "3.1 MB"
    assert amount("resamples", 300, 1000) == "300 / 1,000 resamples"


def test_a_display_shows_the_latest_amount_and_erases_itself() -> None:
    from rich.console import Console

    screen = io.StringIO()
    with Progress(True, Console(file=screen, force_terminal=True, width=100), delay=0) as progress:
        meter = progress.meter("data.csv")
        meter.update(10, None, (2_000_000, 8_000_000))
        meter.update(20, None, (4_000_000, 8_000_000))
    text = screen.getvalue()
    assert "data.csv" in text and "4.0 / 8.0 MB" in text
    assert text.endswith("\x1b[2K")  # transient: the line is cleared at the end


def test_nothing_before_the_delay_or_when_disabled() -> None:
    from rich.console import Console

    for progress in (Progress(True, Console(file=io.StringIO(), force_terminal=True), delay=3600),
                     Progress(False, Console(file=io.StringIO(), force_terminal=True), delay=0)):
        with progress:
            progress.meter("x").update(5, 10, None)
            progress.resamples(1, 2)
        assert progress.console.file.getvalue() == ""


def run_with_terminal_stderr(args: list[str], tmp_path: Path) -> tuple[subprocess.CompletedProcess[bytes], str]:
    """Run losscli with stderr on a pseudo-terminal and stdout on a pipe; returns the run and what the terminal got."""
    leader, follower = pty.openpty()
    env = {**os.environ, "LOSSCLI_PROGRESS_DELAY": "0", "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    child = subprocess.Popen([sys.executable, "-m", "losscli", *args], stdout=subprocess.PIPE, stderr=follower,
                             stdin=subprocess.DEVNULL, env=env, cwd=tmp_path)
    os.close(follower)
    screen = bytearray()
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed its end
            break
        if not data:
            break
        screen += data
    out = child.stdout.read() if child.stdout else b""
    child.wait()
    os.close(leader)
    return subprocess.CompletedProcess(child.args, child.returncode, out, b""), screen.decode("utf-8", "replace")


@pytest.fixture
def parquet_file(tmp_path: Path) -> Path:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    path = tmp_path / "run.parquet"
    pq.write_table(pa.table({"pred": rng.normal(size=300_000), "target": rng.normal(size=300_000)}), path)
    return path


def test_a_pass_shows_rows_on_a_terminal_and_stdout_stays_clean(parquet_file: Path, tmp_path: Path) -> None:
    done, screen = run_with_terminal_stderr(["eval", str(parquet_file), "--loss", "mse", "--format", "json"], tmp_path)
    assert done.returncode == 0, screen
    assert "/ 300,000 rows" in screen and "run.parquet" in screen
    doc = json.loads(done.stdout)  # nothing of the display on stdout
    assert doc["losses"]["mse"]["n"] == 300_000


def test_a_csv_pass_shows_bytes(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    path = tmp_path / "run.csv"
    np.savetxt(path, rng.normal(size=(200_000, 2)), delimiter=",", header="pred,target", comments="", fmt="%.17g")
    done, screen = run_with_terminal_stderr(["eval", str(path), "--loss", "mae", "--format", "json"], tmp_path)
    assert done.returncode == 0, screen
    assert f"/ {path.stat().st_size / 1e6:,.1f} MB" in screen


def test_bootstrap_shows_resamples(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    target = rng.normal(size=2000)
    for name, noise in (("a.npy", 1.0), ("b.npy", 1.1)):
        np.save(tmp_path / name, target + rng.normal(0, noise, 2000))
    np.save(tmp_path / "y.npy", target)
    args = ["compare", "a.npy", "b.npy", "--target", "y.npy", "--loss", "mse", "--bootstrap", "400", "--seed", "0",
            "--format", "json"]
    done, screen = run_with_terminal_stderr(args, tmp_path)
    assert done.returncode == 0, screen
    assert "/ 400 resamples" in screen
    json.loads(done.stdout)


def test_quiet_or_a_pipe_shows_nothing(parquet_file: Path, tmp_path: Path) -> None:
    done, screen = run_with_terminal_stderr(["eval", str(parquet_file), "--loss", "mse", "--quiet"], tmp_path)
    assert done.returncode == 0 and screen == ""
    piped = subprocess.run([sys.executable, "-m", "losscli", "eval", str(parquet_file), "--loss", "mse"],
                           capture_output=True, env={**os.environ, "LOSSCLI_PROGRESS_DELAY": "0"}, check=True)
    assert piped.stderr == b""
