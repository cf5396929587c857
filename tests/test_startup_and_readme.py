"""Start-up cost and the README: its commands must keep working."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from losscli.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
HEAVY = ("numpy", "pandas", "pyarrow")


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["eval", "--help"], ["compare", "--help"], ["check", "--help"]])
def test_help_and_version_import_no_heavy_module(args: list[str]) -> None:
    probe = (
        "import sys; from losscli.cli.app import app\n"
        f"try:\n    app({args!r})\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        f"print('loaded:', *(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stderr.strip().splitlines()[-1] == "loaded:"


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run([sys.executable, "-m", "losscli", "eval", "sample_data/regression.csv", "--loss", "mae",
                          "--format", "json"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0 and out.stderr == "" and '"mae"' in out.stdout


def _opening_commands() -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"<!-- (?:main|test)-command -->\n```sh\n(.+?)\n```", README)]


def test_readme_opens_with_the_two_setup_commands() -> None:
    main, tests = _opening_commands()
    assert "pip install ." in main and "losscli eval sample_data/" in main
    assert "pip install '.[test]'" in tests and "pytest" in tests
    assert README.index("<!-- test-command -->") < README.index("## A tour")


def _tour_commands() -> list[str]:
    main = _opening_commands()[0].split("&& ")[-1]
    block = README.split("## A tour", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [main, *(line for line in block.splitlines() if line.strip())]


@pytest.mark.parametrize("command", _tour_commands())
def test_readme_examples_run(command: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    stdin = None
    if command.startswith("cat "):
        source, command = command.split(" | ", 1)
        stdin = (ROOT / source.split()[1]).read_bytes()
    argv = shlex.split(command)
    assert argv[0] == "losscli"
    result = CliRunner().invoke(app, argv[1:], input=stdin)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() and result.stderr == ""


def test_sample_data_readme_examples_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    text = (ROOT / "sample_data" / "README.md").read_text()
    commands = re.findall(r"^(losscli eval .+)$", text, flags=re.M) + re.findall(r"`(losscli eval [^`]+)`", text)
    assert len(commands) >= 10
    for command in dict.fromkeys(commands):
        result = CliRunner().invoke(app, shlex.split(command)[1:] + ["--format", "json"])
        assert result.exit_code == 0, f"{command}: {result.stderr}"


def test_loss_reference_is_current() -> None:
    from losscli.render.reference import reference_markdown

    committed = (ROOT / "docs" / "losses.md").read_text()
    assert committed == reference_markdown(), "docs/losses.md is stale: python -m losscli.render.reference > docs/losses.md"


def test_readme_check_example_is_the_sample_file() -> None:
    block = README.split("<!-- check-example -->\n```toml\n", 1)[1].split("\n```", 1)[0]
    assert block + "\n" == (ROOT / "sample_data" / "losscli.toml").read_text()
