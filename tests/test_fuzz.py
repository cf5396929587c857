"""Property-based fuzzing: losscli treated like a parser facing the internet.

Every example ends in one of three ways:

* exit 0, with a result equal to NumPy's own computation wherever the test can compute it (the
  reduced mean is the exact sum correctly rounded: ``float(Fraction(sum) / n)``, README
  "One streaming pass, exact sums");
* exit 1, only where a gate was given, with one ``losscli: gate failed:`` line per failing gate;
* exit 2, with nothing on stdout and exactly one ``losscli: error:`` line on stderr.

Never exit 3, never a traceback, never a hang (each in-process run has a 20 s alarm, and a few
examples run as real processes with a timeout). The inputs are loss specs and option texts
(random text and grammar-built), random bytes in every input format, and random mutations (byte
flips, truncation, insertion, deletion, duplicated ranges) of valid CSV, TSV, gzip CSV, NPY,
NPZ, Parquet, TOML and saved-JSON files built in a session temporary directory.

Bugs found are kept as ``@example`` cases of ``xfail(strict=True)`` tests at the end of the file.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import re
import signal
import string
import subprocess
import sys
import zipfile
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, note, settings
from hypothesis import strategies as st

from conftest import ERROR, GATE, cli, strict_json, usage_error
from losscli.errors import LossCliError
from losscli.spec import LossSpec, parse_spec

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

WARNING = "losscli: warning: "
TIMEOUT = 20  # seconds: an in-process run (or a real process) taking longer counts as hung
REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_data"

FUZZ = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


SCALE = float(os.environ.get("LOSSCLI_FUZZ_SCALE", "1"))  # e.g. 20 for a deeper run than the default ~60 s


def fuzz(n: int) -> settings:
    return settings(FUZZ, max_examples=max(1, int(n * SCALE)))


# --- running the command ---------------------------------------------------------------------------

class Hung(BaseException):
    """An in-process run passed TIMEOUT (a BaseException, so the CLI's own ``except Exception`` lets it through)."""


def run_cli(*args: Any, stdin: bytes | None = None, env: dict[str, str | None] | None = None) -> Any:
    """``losscli ARGS`` in process (``conftest.cli``, or a CliRunner fed ``stdin``), under a TIMEOUT alarm."""

    def expire(signum: int, frame: Any) -> None:
        raise Hung(f"losscli {' '.join(map(str, args))[:300]} ran for more than {TIMEOUT} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        if stdin is None:
            return cli(*args, env=env)
        from typer.testing import CliRunner

        from losscli.cli.app import app

        return CliRunner().invoke(app, [str(a) for a in args], input=stdin, env=env)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def settled(result: Any, gates: bool = False) -> int:
    """The run ended as documented (0; 1 only with ``gates``; 2 with one error line); returns the exit code."""
    code = result.exit_code
    shown = (code, result.stdout[:1500], result.stderr[:1500])
    assert result.exception is None or isinstance(result.exception, SystemExit), (*shown, repr(result.exception))
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, shown
    assert code in ((0, 1, 2) if gates else (0, 2)), shown
    lines = result.stderr.splitlines()
    if code == 2:
        assert result.stdout == "", shown
        errors = [line for line in lines if line.startswith(ERROR)]
        assert len(errors) == 1 and lines[-1] == errors[0], shown
        assert all(line.startswith(WARNING) for line in lines[:-1]), shown
    elif code == 1:
        assert any(line.startswith(GATE) for line in lines), shown
        assert all(line.startswith((GATE, WARNING)) for line in lines), shown
    else:
        assert all(line.startswith(WARNING) for line in lines), shown
    return code


def document(result: Any) -> dict[str, Any]:
    """The strict JSON document of a run that ended with exit 0 or 1."""
    return strict_json(result.stdout)


# --- what NumPy says ----------------------------------------------------------------------------

def exact_mean(terms: np.ndarray, weights: np.ndarray | None = None) -> float | None:
    """The documented reduced mean: Σ w·l / Σ w of the float64 terms, exact sums, one rounding (None if non-finite)."""
    terms = np.asarray(terms, dtype=np.float64)
    if weights is None:
        if not np.isfinite(terms).all():
            return None
        return float(sum(map(Fraction, terms.tolist()), Fraction(0)) / len(terms))
    weights = np.asarray(weights, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        products = weights * terms
    if not np.isfinite(products).all():
        return None
    total = sum(map(Fraction, weights.tolist()), Fraction(0))
    return float(sum(map(Fraction, products.tolist()), Fraction(0)) / total) if total else None


def errors_of(pred: Any, target: Any) -> tuple[np.ndarray, np.ndarray]:
    """Per-sample squared and absolute errors, as NumPy computes them in float64 (mean over a row's outputs)."""
    p, t = np.asarray(pred, dtype=np.float64), np.asarray(target, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        diff = p - t
        squared, absolute = np.square(diff), np.abs(diff)
    if squared.ndim > 1:
        squared, absolute = squared.reshape(len(squared), -1).mean(axis=1), absolute.reshape(len(absolute), -1).mean(axis=1)
    return squared, absolute


def same(value: Any, expected: float | None) -> bool:
    """A JSON value equals the expected float bit for bit (null for None)."""
    if expected is None:
        return value is None
    return isinstance(value, float) and value == expected and math.copysign(1, value) == math.copysign(1, expected)


# --- the valid files every mutation starts from --------------------------------------------------

BASE_PRED = np.array([0.5, -1.25, 3.0, 2.75, -0.125, 10.5, 4.0, -7.5, 0.0, 1.0e3, 2.5e-3, 6.0])
BASE_TARGET = np.array([1.0, -1.0, 2.5, 3.0, 0.25, 9.0, 4.0, -6.0, 1.5, 999.0, 0.0, 5.5])
BASE_WEIGHT = np.array([1.0, 2.0, 0.5, 1.5, 1.0, 3.0, 0.25, 1.0, 2.0, 1.0, 0.5, 1.0])


def table_text(delimiter: str = ",") -> str:
    rows = [delimiter.join(("pred", "target", "weight"))]
    rows += [delimiter.join(repr(v) for v in row) for row in zip(BASE_PRED.tolist(), BASE_TARGET.tolist(), BASE_WEIGHT.tolist())]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session directory holding one valid run in every format, a TOML file and a saved result."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("fuzz")
    (root / "run.csv").write_text(table_text(","))
    (root / "run.tsv").write_text(table_text("\t"))
    (root / "run.csv.gz").write_bytes(gzip.compress(table_text(",").encode(), mtime=0))
    np.save(root / "pred.npy", BASE_PRED)
    np.save(root / "target.npy", BASE_TARGET)
    np.savez(root / "run.npz", pred=BASE_PRED, target=BASE_TARGET)
    np.savez_compressed(root / "packed.npz", pred=BASE_PRED, target=BASE_TARGET, weight=BASE_WEIGHT)
    pq.write_table(pa.table({"pred": BASE_PRED, "target": BASE_TARGET, "weight": BASE_WEIGHT}), root / "run.parquet",
                   row_group_size=5)
    (root / "run.toml").write_text(
        '[eval]\npredictions = "run.csv"\nlosses = ["mse", "mae"]\nfail_above = { mse = 100.0 }\n\n'
        '[compare]\nbaseline = "saved.json"\ncandidates = ["run.csv"]\nlosses = ["mse"]\nmax_increase = { mse = "5%" }\n\n'
        '[report]\nformat = "json"\n')
    saved = run_cli("eval", root / "run.csv", "--loss", "mse", "--loss", "mae", "--format", "json")
    assert saved.exit_code == 0, saved.stderr
    (root / "saved.json").write_text(saved.stdout)
    (root / "folder.csv").mkdir()
    return root


BASE_MSE = exact_mean(errors_of(BASE_PRED, BASE_TARGET)[0])
BASE_MAE = exact_mean(errors_of(BASE_PRED, BASE_TARGET)[1])


def test_the_corpus_is_valid(corpus: Path) -> None:
    """Every base file gives NumPy's numbers: the mutations below start from valid inputs."""
    for args in (["run.csv"], ["run.tsv"], ["run.csv.gz"], ["pred.npy", "target.npy"], ["run.npz"], ["run.parquet"]):
        result = run_cli("eval", *(corpus / a for a in args), "--loss", "mse", "--loss", "mae", "--format", "json")
        assert settled(result) == 0
        losses = document(result)["losses"]
        assert same(losses["mse"]["value"], BASE_MSE) and same(losses["mae"]["value"], BASE_MAE), (args, losses)
    weighted = run_cli("eval", corpus / "packed.npz", "--loss", "mse", "--format", "json")
    assert same(document(weighted)["losses"]["mse"]["value"], exact_mean(errors_of(BASE_PRED, BASE_TARGET)[0], BASE_WEIGHT))
    check = run_cli("check", corpus / "run.toml")
    assert settled(check, gates=True) == 0 and document(check)["passed"] is True


# --- 1. loss specs ------------------------------------------------------------------------------

def _registry() -> tuple[list[str], dict[str, Any]]:
    from losscli.registry import entries

    everything = entries()
    names = sorted({n for e in everything for n in (e.name, *e.aliases)})
    return names, {n: e for e in everything for n in (e.name, *e.aliases)}


LOSS_NAMES, ENTRIES = _registry()
PARAM_NAMES = sorted({p.name for e in ENTRIES.values() for p in e.params})
ODD_TEXT = ["é", "١", "²", "∞", "\u00a0", "\u2003", "\u200b", "\ufeff", "\U0001f600", "\x00", "\x7f", "\n", "\t", "\\", "'",
            '"', "%", "*", "#", "$(", "`", "\ud800"]  # accents, Arabic and superscript digits, odd spaces, NUL, a lone surrogate

big_digits = st.integers(1, 5000).map(lambda k: "9" * k)
number_texts = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10 ** 30), 10 ** 30).map(str),
    st.integers(-(2 ** 64), 2 ** 64).map(str),
    big_digits, big_digits.map(lambda d: "-" + d), big_digits.map(lambda d: "0." + d),
    st.integers(-100_000, 100_000).map(lambda e: f"1e{e}"),
    st.sampled_from(["inf", "-inf", "+inf", "nan", "NaN", "-nan", "Infinity", "1e309", "-1e309", "1e-400", "4.9e-324",
                     "1.7976931348623157e308", "0", "-0", "+0.0", ".5", "5.", "1_000", "0x10", "1e", "e1", "--1", "1.2.3"]),
)
value_texts = st.recursive(
    st.one_of(number_texts, st.sampled_from(["true", "false", "True", "FALSE", "none", "null", "None", "", " ", "yes"])),
    lambda inner: st.lists(inner, max_size=4).map(lambda items: "[" + ",".join(items) + "]"),
    max_leaves=6,
) | st.sampled_from(["[", "]", "[[1]]", "[1,2", "1,2]", "[1,,2]", "[]", "[ ]", "[" * 50 + "]" * 50, "][", "[1]x"])
key_texts = st.one_of(st.sampled_from(PARAM_NAMES), st.sampled_from(["", " delta ", "x", "_", "1a", "a-b", "delta.x", "DELTA"]),
                      st.text(max_size=6))
item_texts = st.one_of(
    st.tuples(key_texts, st.sampled_from(["=", "==", ""]), value_texts).map("".join),
    st.text(max_size=8),
)
name_texts = st.one_of(st.sampled_from(LOSS_NAMES), st.sampled_from(LOSS_NAMES).map(str.upper),
                       st.sampled_from(["", " ", "mse ", " mse", "torch.", ".mse", "torch..mse", "m se", "1mse", "mse!",
                                        "nope", "torch.nope", "keras.MSE", "a" * 300]),
                       st.text(max_size=12))
spec_texts = st.one_of(
    st.tuples(name_texts, st.sampled_from([":", "", "::", ": "]), st.lists(item_texts, max_size=4).map(",".join),
              st.sampled_from(["", "", ",", " ", "]", "["] + ODD_TEXT)).map("".join),
    st.text(max_size=40),
    st.text(alphabet="mseaeluhbr_.:=,[]-+0123456789eEinfatn " + "".join(ODD_TEXT), max_size=40),
)

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")


def _raw_value_ok(value: Any) -> bool:
    if isinstance(value, list):
        return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    return value is None or isinstance(value, (bool, int, float))


@fuzz(400)
@given(text=spec_texts)
@example(text="huber:delta=" + "9" * 5000)
@example(text="cross_entropy:weight=[" + "9" * 4301 + "]")
@example(text="mse:" + ",".join(f"k{i}=1" for i in range(300)))
def test_parse_spec_returns_a_spec_or_a_loss_cli_error(text: str) -> None:
    """Any text: a LossSpec whose parts hold what the grammar says, or a LossCliError (nothing else)."""
    try:
        spec = parse_spec(text)
    except LossCliError as exc:
        assert str(exc) and exc.code == 2
        return
    assert isinstance(spec, LossSpec) and spec.text == text
    assert NAME_RE.match(spec.name) and spec.name == text.strip().partition(":")[0]
    assert all(NAME_RE.match(k) and "." not in k for k in spec.params)
    assert all(_raw_value_ok(v) for v in spec.params.values()), spec.params
    for key, value in spec.params.items():  # an infinite or NaN float only where one was typed as such
        for number in value if isinstance(value, list) else [value]:
            if isinstance(number, float) and not math.isfinite(number):
                assert re.search(r"inf|nan", text, re.I), (key, value)


plain_floats = st.floats(allow_nan=False, allow_infinity=False)
raw_values = st.one_of(
    plain_floats, st.integers(-(10 ** 40), 10 ** 40), st.booleans(), st.none(),
    st.lists(st.one_of(plain_floats, st.integers(-(10 ** 6), 10 ** 6)), max_size=5),
)


def _typed(value: Any, upper: bool) -> str:
    if isinstance(value, bool):
        return str(value).upper() if upper else str(value).lower()
    if value is None:
        return "None" if upper else "none"
    if isinstance(value, list):
        return "[" + " , ".join(_typed(v, upper) for v in value) + "]"
    return repr(value)


@fuzz(200)
@given(name=st.from_regex(NAME_RE, fullmatch=True).filter(lambda n: len(n) < 40),
       params=st.dictionaries(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True), raw_values, max_size=5),
       upper=st.booleans(), pad=st.sampled_from(["", " ", "  "]))
def test_parse_spec_reads_back_what_the_grammar_writes(name: str, params: dict[str, Any], upper: bool, pad: str) -> None:
    """NAME:KEY=VALUE,... written from known values parses back to the same values (floats bit for bit)."""
    text = pad + name + (":" + ",".join(f"{pad}{k}{pad}={pad}{_typed(v, upper)}{pad}" for k, v in params.items()) if params else "")
    spec = parse_spec(text)
    assert spec.name == name and list(spec.params) == list(params)
    for key, value in params.items():
        got = spec.params[key]
        assert got == value and type(got) is type(value), (key, value, got)
        if isinstance(value, float):
            assert math.copysign(1, got) == math.copysign(1, value)


TASK_DATA = {  # inputs a loss of each task can be scored on (others, and wrong kinds, give exit 2)
    "binary": [SAMPLES / "binary_probs.csv"],
    "multiclass": [SAMPLES / "multiclass_logits.npy", SAMPLES / "multiclass_labels.npy"],
    "multilabel": [SAMPLES / "multilabel.npz"],
    "segmentation": [SAMPLES / "multilabel.npz"],
    "distribution": [SAMPLES / "distributions.npz"],
    "embedding": [SAMPLES / "triplets.npz"],
}


def entry_of(text: str) -> Any:
    """The registry entry a spec names (names are looked up case-insensitively), or None."""
    from losscli.registry import lookup

    try:
        return lookup(parse_spec(text).name)
    except LossCliError:
        return None


def _data_for(text: str, corpus: Path) -> list[Path]:
    entry = entry_of(text)
    return TASK_DATA.get(entry.task if entry else "", [corpus / "run.csv"])


@fuzz(250)
@given(text=spec_texts)
@example(text="huber:delta=1e-400")
@example(text="keras.dice:axis=[1,1]")
@example(text="mse:")
@example(text="torch.triplet_margin_loss:p=inf")
def test_loss_option_on_the_command_line(corpus: Path, text: str) -> None:
    """``eval --loss TEXT``: exit 0 labelled by TEXT exactly (mse/mae equal to NumPy's), or one error line."""
    assume("\x00" not in text and "\ud800" not in text)  # an argv string holds neither
    result = run_cli("eval", *_data_for(text, corpus), "--loss", text, "--format", "json")
    if settled(result) == 0:
        doc = document(result)
        assert list(doc["losses"]) == [text]
        loss = doc["losses"][text]
        entry = entry_of(text)
        assert loss["name"] == entry.name
        assert loss["value"] is None or math.isfinite(loss["value"])
        expected = {"mse": BASE_MSE, "mae": BASE_MAE}.get(entry.name)
        if expected is not None:
            assert same(loss["value"], expected), (text, loss["value"], expected)


@st.composite
def declared_parameter_specs(draw: st.DrawFn) -> str:
    """A loss that has parameters, with one to three of its own parameters set to fuzzed values."""
    entry = draw(st.sampled_from([e for e in ENTRIES.values() if e.params]))
    params = draw(st.lists(st.sampled_from([p.name for p in entry.params]), min_size=1, max_size=3, unique=True))
    values = [draw(value_texts) for _ in params]
    return draw(st.sampled_from([entry.name, *entry.aliases])) + ":" + ",".join(f"{k}={v}" for k, v in zip(params, values))


@fuzz(250)
@given(text=declared_parameter_specs())
def test_declared_parameters_with_fuzzed_values(corpus: Path, text: str) -> None:
    """Every declared parameter of every loss, set to numbers, huge numbers, inf/nan, lists and junk."""
    result = run_cli("eval", *_data_for(text, corpus), "--loss", text, "--format", "json")
    if settled(result) == 0:
        loss = document(result)["losses"][text]
        assert loss["value"] is None or math.isfinite(loss["value"])
