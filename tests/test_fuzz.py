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

Bugs found keep their failing inputs as ``@example`` cases of regression properties at the end of
the file (seven, all fixed).
"""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import zlib
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, assume, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st

from conftest import ERROR, GATE, cli, strict_json
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

SCALE = float(os.environ.get("LOSSCLI_FUZZ_SCALE", "1"))  # e.g. 20 for a deeper run than the default ~60 s
# The default run is derandomized, so CI's verdict is the same on every run of a commit; a deeper run
# (LOSSCLI_FUZZ_SCALE, or LOSSCLI_FUZZ_RANDOM=1) explores new cases, and what it finds becomes an @example.
EXPLORE = "LOSSCLI_FUZZ_SCALE" in os.environ or os.environ.get("LOSSCLI_FUZZ_RANDOM") == "1"
FUZZ = settings(deadline=None, database=None, derandomize=not EXPLORE,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def fuzz(n: int) -> settings:
    return settings(FUZZ, max_examples=max(1, int(n * SCALE)))


# --- running the command ---------------------------------------------------------------------------

class Hung(BaseException):
    """An in-process run passed TIMEOUT (a BaseException, so the CLI's own ``except Exception`` lets it through)."""


def run_cli(*args: Any, stdin: bytes | None = None, debug_value: bool = False) -> Any:
    """``losscli ARGS`` in process (``conftest.cli``, or a CliRunner fed ``stdin``), under a TIMEOUT alarm.

    An argument that is exactly ``--debug`` may stand as the flag itself (a traceback on purpose), so
    such examples are skipped unless ``debug_value`` (the test of ``--debug`` as a value).
    """
    if not debug_value and currently_in_test_context():
        assume("--debug" not in map(str, args))

    def expire(signum: int, frame: Any) -> None:
        raise Hung(f"losscli {' '.join(map(str, args))[:300]} ran for more than {TIMEOUT} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, TIMEOUT)
    try:
        if stdin is None:
            return cli(*args)
        from typer.testing import CliRunner

        from losscli.cli.app import app

        return CliRunner().invoke(app, [str(a) for a in args], input=stdin)
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
    with np.errstate(all="ignore"):
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
    np.save(root / "weight.npy", BASE_WEIGHT)
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


@fuzz(150)
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


def check_declared_parameters(corpus: Path, text: str) -> None:
    result = run_cli("eval", *_data_for(text, corpus), "--loss", text, "--format", "json")
    if settled(result) == 0:
        loss = document(result)["losses"][text]
        assert loss["value"] is None or math.isfinite(loss["value"])


@fuzz(150)
@given(text=declared_parameter_specs())
def test_declared_parameters_with_fuzzed_values(corpus: Path, text: str) -> None:
    """Every declared parameter of every loss, set to numbers, huge numbers, inf/nan, lists and junk."""
    check_declared_parameters(corpus, text)


# --- 2. option parsers --------------------------------------------------------------------------

GATE_LOSSES = ["mse", "mae", "l2", "l1", "mean_squared_error", "mean_absolute_error", "*", " mse ", "MSE", "", " ", "mse:",
               "huber", "nope", "mse=1", "**", "m*"]
GATE_NAMES = {"mse": ["mse"], "l2": ["mse"], "mean_squared_error": ["mse"], "mae": ["mae"], "l1": ["mae"],
              "mean_absolute_error": ["mae"], "*": ["mse", "mae"]}
limit_texts = st.one_of(
    plain_floats.map(repr), st.integers(-(10 ** 20), 10 ** 20).map(str),
    st.floats(0, 100).map(lambda x: f"{x:.3g}"),
    number_texts, number_texts.map(lambda n: n + "%"), st.text(max_size=6),
    st.sampled_from(["", " ", "%", "%%", "2 %", " 0.5 ", "1e-3%", "-0", "+5"]),
)
gate_texts = st.tuples(st.one_of(st.sampled_from(GATE_LOSSES), st.text(max_size=5)), st.sampled_from(["=", "=", "==", "", " = "]),
                       limit_texts).map("".join)


def python_number(text: str) -> float | None:
    """What the documented VALUE means: a number (as Python reads one), None when it is not one."""
    try:
        return float(text)
    except ValueError:
        return None


def expected_fail_above(gates: list[str], values: dict[str, float]) -> int:
    """The exit code ``--fail-above`` gates must give for losses mse and mae (2 when a gate is malformed)."""
    failed = False
    for text in gates:
        loss, eq, raw = text.rpartition("=")
        number = python_number(raw.strip()) if raw.strip() and not raw.strip().endswith("%") else None
        targets = GATE_NAMES.get(loss.strip()) if eq else None
        if number is None or not math.isfinite(number) or not targets:
            return 2
        failed |= any(values[t] > number for t in targets)
    return 1 if failed else 0


@fuzz(150)
@given(gates=st.lists(gate_texts, min_size=1, max_size=3))
@example(gates=["mse=" + repr(BASE_MSE)])
@example(gates=["*=" + "9" * 400])
@example(gates=["mse=1e309"])
@example(gates=["mse=2%"])
@example(gates=["l1=0", "l2=1e9"])
def test_fail_above_gates(corpus: Path, gates: list[str]) -> None:
    """``--fail-above LOSS=VALUE``: exit 0 when every named loss is at most VALUE, 1 when one is above, 2 when malformed."""
    assume(all("\x00" not in g and "\ud800" not in g for g in gates))
    args = [a for g in gates for a in ("--fail-above", g)]
    result = run_cli("eval", corpus / "run.csv", "--loss", "mse", "--loss", "mae", *args, "--format", "json")
    code = settled(result, gates=True)
    assert code == expected_fail_above(gates, {"mse": BASE_MSE, "mae": BASE_MAE}), gates
    if code != 2:
        doc = document(result)
        assert doc["passed"] is (code == 0) and len(doc["gates"]) >= len(gates)
        assert len(result.stderr.splitlines()) == sum(not g["passed"] for g in doc["gates"])


def _saved_with(corpus: Path, name: str, mse: float | None) -> Path:
    """The saved result of run.csv with its mse value replaced."""
    doc = json.loads((corpus / "saved.json").read_text())
    doc["losses"]["mse"]["value"] = mse
    path = corpus / name
    path.write_text(json.dumps(doc))
    return path


def increase_verdict(tolerance: str, baseline: float | None, candidate: float | None) -> set[int]:
    """The exit codes ``--max-increase mse=TOLERANCE`` may give, from exact arithmetic.

    An increase at most the tolerance passes; one beyond it by more than a few ulps (the documented
    slack) fails; in between either is right.
    """
    raw = tolerance.strip()
    relative = raw.endswith("%")
    number = python_number(raw[:-1] if relative else raw) if raw else None
    if number is None or not math.isfinite(number) or number < 0:
        return {2}
    if baseline is None or candidate is None:
        return {1}
    allowed = Fraction(number) / 100 * abs(Fraction(baseline)) if relative else Fraction(number)
    delta = Fraction(candidate) - Fraction(baseline)
    slack = Fraction(8 * sys.float_info.epsilon) * max(abs(Fraction(baseline)), abs(Fraction(candidate)), allowed)
    if delta <= allowed:
        return {0} if delta < allowed - slack or delta <= 0 else {0, 1}
    return {1} if delta > allowed + slack else {0, 1}


loss_values = st.one_of(plain_floats, st.floats(0, 10), st.none())


@fuzz(150)
@given(baseline=loss_values, candidate=loss_values,
       tolerance=st.one_of(limit_texts, st.floats(0, 1e6).map(repr), st.floats(0, 200).map(lambda x: f"{x!r}%")),
       loss=st.sampled_from(["mse", "*", "l2", "mse ", "mae", "nope", ""]))
@example(baseline=0.25, candidate=0.26, tolerance="0.01", loss="mse")
@example(baseline=100.0, candidate=102.0, tolerance="2%", loss="mse")
@example(baseline=-1.7976931348623157e308, candidate=1.7976931348623157e308, tolerance="1e308", loss="mse")
@example(baseline=5e-324, candidate=1.0, tolerance="1e308%", loss="mse")
@example(baseline=1.0, candidate=None, tolerance="1e308", loss="*")
def test_max_increase_gates(corpus: Path, baseline: float | None, candidate: float | None, tolerance: str, loss: str) -> None:
    """``compare base.json cand.json --max-increase LOSS=TOL`` on saved values: the verdict exact arithmetic gives."""
    assume("\x00" not in tolerance and "\ud800" not in tolerance)
    gate = f"{loss}={tolerance}"
    base, cand = _saved_with(corpus, "base.json", baseline), _saved_with(corpus, "cand.json", candidate)
    result = run_cli("compare", base, cand, "--loss", "mse", "--max-increase", gate, "--format", "json")
    code = settled(result, gates=True)
    allowed = increase_verdict(tolerance, baseline, candidate) if loss.strip() in ("mse", "*", "l2") else {2}
    if "=" in tolerance and allowed != {2}:  # LOSS=TOL splits at the last '=': 'mse=a=1' names the loss 'mse=a'
        allowed = {2}
    assert code in allowed, (gate, baseline, candidate, allowed)
    if code != 2:
        row = document(result)["rows"][0]
        assert same(row["baseline"], baseline) and same(row["candidate"], candidate)


INPUT_ROLES = ["pred", "target", "weight", "var", "anchor", "", " ", "PRED", "pred ", "préd", "input", "*", "pred=x"]
INPUT_PATHS = ["pred.npy", "target.npy", "weight.npy", "run.csv", "run.npz", "missing.npy", "folder.csv", "-", "", "=", "x=y",
               "run.csv.gz", "pred.npy ", "PRED.NPY", "run.toml", "a" * 5000 + ".npy"]


@st.composite
def input_bindings(draw: st.DrawFn) -> list[str]:
    role = st.one_of(st.sampled_from(INPUT_ROLES), st.text(max_size=5))
    path = st.one_of(st.sampled_from(INPUT_PATHS), st.text(max_size=8))
    return draw(st.lists(st.tuples(role, st.sampled_from(["=", "=", ""]), path).map("".join), min_size=1, max_size=4))


def expected_from_bindings(bindings: list[str], positional: list[str]) -> float | None:
    """NumPy's mse when the bindings are exactly pred, target (and maybe weight) bound once each to their files."""
    if positional:
        return None
    chosen = {}
    for text in bindings:
        role, _, path = text.partition("=")
        if role in chosen or {"pred": "pred.npy", "target": "target.npy", "weight": "weight.npy"}.get(role) != path:
            return None
        chosen[role] = path
    if not {"pred", "target"} <= set(chosen):
        return None
    return exact_mean(errors_of(BASE_PRED, BASE_TARGET)[0], BASE_WEIGHT if "weight" in chosen else None)


@fuzz(150)
@given(bindings=input_bindings(), positional=st.sampled_from([[], [], ["run.csv"], ["pred.npy"], ["pred.npy", "target.npy"]]))
@example(bindings=["pred=pred.npy", "target=target.npy", "weight=weight.npy"], positional=[])
@example(bindings=["target=target.npy", "pred=pred.npy"], positional=[])
@example(bindings=["pred=pred.npy", "pred=pred.npy", "target=target.npy"], positional=[])
@example(bindings=["weight=weight.npy"], positional=["run.csv"])
def test_input_bindings(corpus: Path, bindings: list[str], positional: list[str]) -> None:
    """``--input ROLE=PATH`` with random roles and paths (run from the corpus folder): NumPy's mse or one error line."""
    assume(all("\x00" not in b and "\ud800" not in b for b in bindings))
    cwd = os.getcwd()
    os.chdir(corpus)
    try:
        result = run_cli("eval", *positional, *(a for b in bindings for a in ("--input", b)), "--loss", "mse", "--format", "json")
    finally:
        os.chdir(cwd)
    code = settled(result)
    expected = expected_from_bindings(bindings, positional)
    if expected is not None:
        assert code == 0, result.stderr
        assert same(document(result)["losses"]["mse"]["value"], expected)


WIDE = {"p_0": [1.5, -2.0, 3.25, 0.0, 8.0], "p_1": [0.5, 1.0, -1.0, 2.0, 4.0], "p_2": [7.0, 1e10, -3.5, 0.125, 2.0],
        "t_0": [1.0, -2.5, 3.0, 1.0, 6.0], "t_1": [0.0, 0.0, 0.0, 0.0, 1.0], "t_2": [6.0, 1e10, -3.0, 0.0, 2.5],
        "a": [1.0, 2.0, 3.0, 4.0, 5.0], "é": [2.0, 1.0, 0.0, 1.0, 2.0], "x y": [0.0, 0.0, 1.0, 1.0, 0.0],
        "w": [1.0, 2.0, 0.5, 0.25, 3.0], "txt": ["a", "b", "c", "d", "e"]}
SELECTOR_ITEMS = [*WIDE, "p_*", "t_?", "[pt]_0", "*", "?", "p_[0-1]", "[!p]_*", "x*", "*y", "nomatch*", "nope", "", " ", "p_0 ",
                  "[", "[]", "p_[", "*_2", "??", "[a-z]", "\\*", "P_0", "é*"]


def model_selection(items: list[str]) -> list[str] | None:
    """The columns a list of selectors picks (names, comma lists, globs, in order, once each); None when one matches nothing."""
    import fnmatch

    names = list(WIDE)
    chosen: list[str] = []
    for selector in (s.strip() for item in items for s in item.split(",")):
        if not selector:
            continue
        matches = fnmatch.filter(names, selector) if any(c in selector for c in "*?[") else ([selector] if selector in names else [])
        if not matches:
            return None
        chosen += [m for m in matches if m not in chosen]
    return chosen or None


selector_texts = st.lists(st.sampled_from(SELECTOR_ITEMS), min_size=1, max_size=3).map(",".join) | st.text(max_size=6)


@fuzz(150)
@given(pred=st.lists(selector_texts, max_size=2), target=st.lists(selector_texts, max_size=2),
       col_pred=st.lists(selector_texts, max_size=1), col_target=st.lists(selector_texts, max_size=1),
       weight=st.none() | st.sampled_from(["w", "w*", "a", "w,a", "nope", "", "txt"]))
@example(pred=["p_*"], target=["t_*"], col_pred=[], col_target=[], weight=None)
@example(pred=["p_0,p_1"], target=["t_?"], col_pred=[], col_target=[], weight=None)
@example(pred=["[!t]_0"], target=["t_0"], col_pred=[], col_target=[], weight="w")
@example(pred=[], target=[], col_pred=["p_2, p_0"], col_target=["t_2,t_0"], weight=None)
def test_column_selectors(corpus: Path, pred: list[str], target: list[str], col_pred: list[str], col_target: list[str],
                          weight: str | None) -> None:
    """``--pred-col``/``--target-col``/``--col ROLE=SEL``/``--weight-col``: NumPy's mse over the columns the selectors name."""
    texts = [*pred, *target, *col_pred, *col_target, weight or ""]
    assume(all("\x00" not in t and "\ud800" not in t for t in texts))
    path = corpus / "wide.csv"
    if not path.exists():
        columns = list(WIDE)
        rows = [",".join(f'"{c}"' if " " in c else c for c in columns)]
        rows += [",".join(str(WIDE[c][i]) for c in columns) for i in range(5)]
        path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    args = [*(a for s in pred for a in ("--pred-col", s)), *(a for s in target for a in ("--target-col", s)),
            *(a for s in col_pred for a in ("--col", f"pred={s}")), *(a for s in col_target for a in ("--col", f"target={s}"))]
    if weight is not None:
        args += ["--weight-col", weight]
    result = run_cli("eval", path, "--loss", "mse", *args, "--format", "json")
    code = settled(result)
    p_cols, t_cols = model_selection([*pred, *col_pred]), model_selection([*target, *col_target])
    w_cols = model_selection([weight]) if weight is not None else []
    numeric = all(c != "txt" for c in (p_cols or []) + (t_cols or []) + (w_cols or []))
    if "" in col_pred + col_target:  # --col ROLE= names no selector at all
        p_cols = None
    if not (p_cols and t_cols and w_cols is not None and len(w_cols) <= 1 and numeric and len(p_cols) == len(t_cols)):
        assert code == 2, (p_cols, t_cols, w_cols, result.stdout[:300])
        return
    assert code == 0, (p_cols, t_cols, result.stderr)
    doc = document(result)
    assert doc["inputs"]["pred"]["columns"] == p_cols and doc["inputs"]["target"]["columns"] == t_cols
    squared = errors_of(np.array([WIDE[c] for c in p_cols]).T, np.array([WIDE[c] for c in t_cols]).T)[0]
    expected = exact_mean(squared, np.array(WIDE[w_cols[0]]) if w_cols else None)
    assert same(doc["losses"]["mse"]["value"], expected), (p_cols, t_cols, w_cols)


# --- 3. readers: random bytes, and mutations of valid files -----------------------------------------

SNIPPETS = [b",", b"\t", b"\n", b"\r", b"\r\n", b'"', b" ", b"-", b"+", b".", b"e", b"E", b"0", b"9", b"nan", b"inf", b"NA",
            b"1e400", b"9" * 20, b"9" * 400, b"\x00", b"\xff", b"\xef\xbb\xbf", b"\x1f\x8b", b"\x93NUMPY", b"PK\x03\x04", b"PAR1",
            b"pred", b"target", b"weight", b"=", b"[", b"]", b"{", b"}", b"'", b"\\", b"#", b"true", b"null", b"\xc3\xa9"]


@st.composite
def mutations(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` after one to four edits: byte flips and sets, truncation, insertion, deletion, a range duplicated."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 4))):
        n = len(data)
        op = draw(st.sampled_from(["flip", "set", "truncate", "insert", "delete", "duplicate"]))
        at = draw(st.integers(0, max(0, n - 1)))
        if op == "flip" and n:
            data[at] ^= draw(st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128, 255]) | st.integers(1, 255))
        elif op == "set" and n:
            data[at] = draw(st.integers(0, 255) | st.sampled_from(b"0123456789,.\n\r\"e- \x00"))
        elif op == "truncate":
            data = data[: draw(st.integers(0, n))]
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(SNIPPETS) | st.binary(min_size=1, max_size=12))
        elif op == "delete":
            del data[at: at + draw(st.integers(1, 16))]
        elif op == "duplicate" and n:
            end = draw(st.integers(at, min(n, at + 64)))
            to = draw(st.integers(0, n))
            data[to:to] = data[at:end]
    return bytes(data)


def _write(corpus: Path, name: str, content: bytes) -> Path:
    path = corpus / "mutated" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    return path


def _eval(*paths: Path, extra: tuple[str, ...] = ()) -> Any:
    return run_cli("eval", *paths, "--loss", "mse", "--loss", "mae", *extra, "--format", "json")


def _check_values(result: Any, pred: np.ndarray, target: np.ndarray, weight: np.ndarray | None = None) -> None:
    assert settled(result) == 0, result.stderr
    losses = document(result)["losses"]
    squared, absolute = errors_of(pred, target)
    for name, terms in (("mse", squared), ("mae", absolute)):
        assert same(losses[name]["value"], exact_mean(terms, weight)), (name, losses[name]["value"], exact_mean(terms, weight))


ASCII_NUMBER = re.compile(r" *[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?) *\Z", re.ASCII)
PRED_NAMES, TARGET_NAMES = ("pred", "prediction", "y_pred", "yhat", "output"), ("target", "label", "y_true", "y", "truth")


def clean_table(content: bytes, delimiter: str) -> tuple[np.ndarray, np.ndarray] | None:
    """The pred and target columns of a plainly valid table, as a strict reader of the documented format sees it.

    None unless the text is UTF-8 without quotes, the header line (up to the first LF) holds no other
    line break, every row has as many fields as the header, and every pred/target cell is a finite
    decimal number that float64 holds (integers within ±2^53): anything else has no oracle here.
    """
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    text = text[1:] if text.startswith("\ufeff") else text
    if '"' in text or "\x00" in text:
        return None
    header, _, body = text.partition("\n")
    header = header.rstrip("\r")
    if "\r" in header or not header.strip():
        return None
    names = header.split(delimiter)
    pred = next((n for n in PRED_NAMES if n in names), None)
    target = next((n for n in TARGET_NAMES if n in names), None)
    if pred is None or target is None or names.count(pred) > 1 or names.count(target) > 1:
        return None
    rows = [line.split(delimiter) for line in re.split(r"\r\n|\n|\r", body) if line != ""]
    if not rows or any(len(row) != len(names) for row in rows):
        return None
    columns = []
    for name in (pred, target):
        cells = [row[names.index(name)] for row in rows]
        if not all(ASCII_NUMBER.match(c) for c in cells):
            return None
        values = [float(c) for c in cells]
        if not all(math.isfinite(v) for v in values):
            return None
        if any(re.fullmatch(r" *[+-]?\d+ *", c) and abs(int(c)) > 2 ** 53 for c in cells):
            return None
        columns.append(np.array(values))
    return columns[0], columns[1]


def check_table(corpus: Path, name: str, content: bytes, delimiter: str) -> None:
    """A CSV/TSV (maybe gzip) table: NumPy's numbers when it is plainly valid, else exit 0 or one error line."""
    plain = content
    if content[:2] == b"\x1f\x8b":
        try:
            plain = gzip.decompress(content)
        except (OSError, EOFError, zlib.error):
            result = _eval(_write(corpus, name, content))
            assert settled(result) == 2, "a damaged gzip stream was read"
            return
    result = _eval(_write(corpus, name, content))
    code = settled(result)
    reference = clean_table(plain, delimiter)
    event(f"exit {code}, {'clean' if reference is not None else 'no oracle'}")
    if reference is not None:
        _check_values(result, *reference)
    elif code == 0:
        doc = document(result)
        assert doc["n_samples"] >= 1 and all(v["value"] is None or math.isfinite(v["value"]) for v in doc["losses"].values())


CSV_BASE, TSV_BASE = table_text(",").encode(), table_text("\t").encode()
GZ_BASE = gzip.compress(CSV_BASE, mtime=0)


@fuzz(200)
@given(content=mutations(CSV_BASE))
@example(content=CSV_BASE.replace(b"\n", b"\r\n"))
@example(content=b"pred,target,weight\r" + CSV_BASE.split(b"\n", 1)[1].replace(b"\n", b"\r"))
@example(content=CSV_BASE + b"\n\n\n")
@example(content=CSV_BASE.replace(b"0.5,", b" 0.5 ,", 1))
@example(content=b"\xef\xbb\xbf" + CSV_BASE)
@example(content=CSV_BASE.replace(b"3.0", b"9007199254740992", 1))
def test_mutated_csv(corpus: Path, content: bytes) -> None:
    """A damaged CSV: NumPy's numbers when a strict reader finds it plainly valid, else exit 0 or one error line."""
    check_table(corpus, "m.csv", content, ",")


@fuzz(100)
@given(content=mutations(TSV_BASE))
def test_mutated_tsv(corpus: Path, content: bytes) -> None:
    """The same for a damaged TSV."""
    check_table(corpus, "m.tsv", content, "\t")


@fuzz(120)
@given(content=mutations(GZ_BASE))
def test_mutated_gzip_csv(corpus: Path, content: bytes) -> None:
    """A damaged .csv.gz: a gzip stream Python's gzip refuses is an error; else as for the CSV inside."""
    check_table(corpus, "m.csv.gz", content, ",")


@fuzz(100)
@given(content=st.one_of(mutations(GZ_BASE), mutations(CSV_BASE)).map(lambda c: gzip.compress(c, mtime=0)))
def test_gzip_of_mutated_csv(corpus: Path, content: bytes) -> None:
    """Valid gzip around damaged (or doubly compressed) text: the same verdicts as the text itself."""
    check_table(corpus, "g.csv.gz", content, ",")


def _npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _npz_bytes(compressed: bool, **arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buffer, **arrays)
    return buffer.getvalue()


def _parquet_bytes() -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"pred": BASE_PRED, "target": BASE_TARGET}), sink, row_group_size=5)
    return sink.getvalue().to_pybytes()


NPY_BASE = _npy_bytes(BASE_PRED)
NPZ_BASE = _npz_bytes(False, pred=BASE_PRED, target=BASE_TARGET)
NPZ_PACKED = _npz_bytes(True, pred=BASE_PRED, target=BASE_TARGET, weight=BASE_WEIGHT)
PARQUET_BASE = _parquet_bytes()
HEADER_END = NPY_BASE.index(b"}") + 1  # the end of the NPY header's dict, before its padding


def usable(array: Any, n: int = len(BASE_PRED)) -> np.ndarray | None:
    """``array`` as the float64 vector losscli should score, when it is one it must accept: numbers (not beyond
    ±2^53 for 64-bit integers), finite, shaped (n,) or (n, 1); else None."""
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "fiub" or array.shape not in ((n,), (n, 1)):
        return None
    with np.errstate(all="ignore"):
        values = array.astype(np.float64).reshape(n)
    if array.dtype.kind in "iu" and array.dtype.itemsize == 8 and (np.abs(values) > 2 ** 53).any():
        return None
    return values if np.isfinite(values).all() else None


LEGACY = "a header only NumPy's Python 2 fallback parses"


def numpy_reads(content: bytes) -> Any:
    """What ``np.load`` (pickles refused) reads from ``content``: an array, a dict of an NPZ's arrays, or None.

    A header NumPy parses only through its fallback for files written by Python 2 (tokenised again,
    with a UserWarning) gives LEGACY: losscli may refuse such a header, so there is no oracle.
    """
    import warnings

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = np.load(io.BytesIO(content), allow_pickle=False)
            if isinstance(loaded, np.lib.npyio.NpzFile):  # member by member: losscli reads only those it uses
                with loaded:
                    loaded = {name: _member(loaded, name) for name in loaded.files}
    except Exception:  # noqa: BLE001 - whatever NumPy refuses, there is no oracle
        return None
    return LEGACY if any("Python 2" in str(w.message) for w in caught) else loaded


BROKEN = "a member NumPy cannot read"


def _member(archive: Any, name: str) -> Any:
    """One member as NumPy reads it, or BROKEN (an unused broken member is no reason to refuse the archive)."""
    try:
        return archive[name]
    except Exception:  # noqa: BLE001 - a damaged member NumPy refuses: none to compare with
        return BROKEN


@fuzz(150)
@given(content=mutations(NPY_BASE))
@example(content=NPY_BASE[:-8])
@example(content=NPY_BASE + b"\x00" * 8)
@example(content=NPY_BASE.replace(b"'<f8'", b"'>f8'"))
@example(content=NPY_BASE.replace(b"'<f8'", b"'<f4'"))
@example(content=NPY_BASE.replace(b"(12,)", b"(6, 2)"))
@example(content=NPY_BASE.replace(b"False", b"True "))
@example(content=NPY_BASE[:HEADER_END] + b"\n" + NPY_BASE[HEADER_END:127] + NPY_BASE[128:])  # only NumPy's Python 2 fallback reads it
@example(content=NPY_BASE[:7] + b"\x01" + NPY_BASE[8:])  # version 1.1: NumPy refuses it, losscli reads it as 1.0
def test_mutated_npy(corpus: Path, content: bytes) -> None:
    """A damaged PRED array against a valid TARGET: when NumPy reads a usable vector, losscli's numbers are NumPy's."""
    result = _eval(_write(corpus, "m.npy", content), corpus / "target.npy")
    code = settled(result)
    loaded = numpy_reads(content)
    pred = usable(loaded)
    event(f"exit {code}, {'numpy reads a usable vector' if pred is not None else 'no oracle'}")
    if pred is not None:
        _check_values(result, pred, BASE_TARGET)
    elif code == 0 and loaded is None and len(content) > 7 and content[7] != 0:
        # losscli reads minor versions NumPy refuses (it checks the major version only): the data must still be NumPy's
        mended = content[:7] + b"\x00" + content[8:]
        pred = usable(numpy_reads(mended))
        assert pred is not None, "losscli read an NPY that NumPy cannot, whatever its minor version"
        _check_values(result, pred, BASE_TARGET)
    elif code == 0:
        assert isinstance(loaded, np.ndarray) or loaded is LEGACY, "losscli read an NPY that NumPy cannot"


def check_npz(corpus: Path, content: bytes, name: str = "m.npz") -> None:
    result = _eval(_write(corpus, name, content))
    code = settled(result)
    arrays = numpy_reads(content)
    arrays = arrays if isinstance(arrays, dict) else {}
    pred, target = usable(arrays.get("pred")), usable(arrays.get("target"))
    weight = usable(arrays.get("weight")) if "weight" in arrays else None
    ok = pred is not None and target is not None and ("weight" not in arrays or (weight is not None and (weight >= 0).all()))
    event(f"exit {code}, {'numpy reads usable arrays' if ok else 'no oracle'}")
    if ok:
        _check_values(result, pred, target, weight)
    elif code == 0:
        assert arrays or numpy_reads(content) is LEGACY, "losscli read an NPZ that NumPy cannot"


@fuzz(150)
@given(content=mutations(NPZ_BASE))
@example(content=NPZ_BASE[: len(NPZ_BASE) // 2])
@example(content=NPZ_BASE + b"junk")
@example(content=b"junk" + NPZ_BASE)
def test_mutated_npz(corpus: Path, content: bytes) -> None:
    """A damaged NPZ (stored members): when NumPy reads usable arrays, losscli's numbers are NumPy's; else one error line."""
    check_npz(corpus, content)


def _damaged_member(archive: bytes, name: bytes) -> bytes:
    """``archive`` with the deflated data of member ``name`` overwritten in its middle (its headers intact)."""
    at = archive.index(b"PK\x03\x04" + archive[4:6])  # the first local header, to learn the layout
    at = archive.index(name, at) + len(name)
    extra = int.from_bytes(archive[at - len(name) - 2:at - len(name)], "little")
    start = at + extra + 4
    return archive[:start] + b"\xff" * 8 + archive[start + 8:]


@fuzz(120)
@given(content=mutations(NPZ_PACKED))
@example(content=_damaged_member(NPZ_PACKED, b"weight.npy"))  # NumPy reads pred and target; losscli needs the weight too
@example(content=_damaged_member(NPZ_PACKED, b"pred.npy"))
@example(content=NPZ_PACKED[::-1].replace(b"weight.npy"[::-1], b"veight.npy"[::-1], 1)[::-1])  # an unused member, misnamed
def test_mutated_compressed_npz(corpus: Path, content: bytes) -> None:
    """The same for a deflated NPZ with a weight array (used as sample weights)."""
    check_npz(corpus, content)


@fuzz(150)
@given(content=mutations(PARQUET_BASE))
@example(content=PARQUET_BASE[:-9] + b"PAR1")
@example(content=PARQUET_BASE[:4] + PARQUET_BASE[-8:])
def test_mutated_parquet(corpus: Path, content: bytes) -> None:
    """A damaged Parquet file: when pyarrow reads usable pred/target columns, losscli's numbers are those; else one error line."""
    import pyarrow.parquet as pq

    result = _eval(_write(corpus, "m.parquet", content))
    code = settled(result)
    try:
        table = pq.read_table(io.BytesIO(content), columns=["pred", "target"])
        columns = [table.column(n).to_numpy() for n in ("pred", "target")] if table.num_rows else None
    except Exception:  # noqa: BLE001 - what pyarrow refuses has no oracle
        columns = None
    pred, target = (usable(c) for c in columns) if columns else (None, None)
    event(f"exit {code}, {'pyarrow reads usable columns' if pred is not None and target is not None else 'no oracle'}")
    if pred is not None and target is not None:
        _check_values(result, pred, target)



@fuzz(100)
@given(content=mutations(CSV_BASE), extra=st.sampled_from([(), ("--bootstrap", "20", "--seed", "0"), ("--worst", "3", "--id-col", "weight"),
                                                           ("--group-by", "weight"), ("--max-increase", "*=5%")]))
@example(content=CSV_BASE, extra=("--bootstrap", "20", "--seed", "0"))
def test_compare_with_a_damaged_candidate(corpus: Path, content: bytes, extra: tuple[str, ...]) -> None:
    """``compare run.csv damaged.csv --target run.csv``: the candidate scored as NumPy scores it, or one error line."""
    result = run_cli("compare", corpus / "run.csv", _write(corpus, "cand.csv", content), "--target", corpus / "run.csv",
                     "--loss", "mse", *extra, "--format", "json")
    code = settled(result, gates="--max-increase" in extra)
    reference = clean_table(content, ",")
    event(f"exit {code}, {'clean' if reference is not None else 'no oracle'}")
    if reference is not None and len(reference[0]) == len(BASE_TARGET):
        assert code in (0, 1), result.stderr
        row = document(result)["rows"][0]
        assert same(row["baseline"], BASE_MSE)
        assert same(row["candidate"], exact_mean(errors_of(reference[0], BASE_TARGET)[0]))


TOML_BASE = ('[eval]\npredictions = "run.csv"\nlosses = ["mse", "mae"]\nfail_above = { mse = 100.0, "*" = 1e9 }\n\n'
             '[compare]\nbaseline = "saved.json"\ncandidates = ["run.csv"]\nlosses = ["mse"]\nmax_increase = { mse = "5%" }\n\n'
             '[report]\nformat = "json"\nprecision = 6\n').encode()


def toml_reads(content: bytes) -> dict[str, Any] | None:
    try:
        return tomllib.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, RecursionError):
        return None


@fuzz(150)
@given(content=mutations(TOML_BASE))
@example(content=TOML_BASE.replace(b"100.0", b"nan"))
@example(content=TOML_BASE.replace(b'"5%"', b"5"))
@example(content=TOML_BASE.replace(b'"5%"', b'"-5%"'))
@example(content=TOML_BASE.replace(b"precision = 6", b"precision = 99999999999999999999"))
def test_mutated_toml(corpus: Path, content: bytes) -> None:
    """``losscli check FILE`` on a damaged TOML file (paths relative to it): 0, 1 for a gate, or one error line."""
    config = toml_reads(content)
    path = corpus / "m.toml"  # beside run.csv and saved.json, which it names
    path.write_bytes(content)
    result = run_cli("check", path)
    code = settled(result, gates=True)
    event(f"exit {code}, {'TOML' if config is not None else 'not TOML'}")
    if config is None:
        assert code == 2, "a file tomllib refuses was read as TOML"
    report = config.get("report") if config is not None else None
    if code != 2 and isinstance(report, dict) and report.get("format") == "json":
        doc = document(result)
        assert doc["kind"] == "check" and doc["passed"] is (code == 0)


def saved_base(corpus: Path) -> bytes:
    return (corpus / "saved.json").read_bytes()


def refuse_constant(token: str) -> None:
    raise ValueError(f"{token} is not strict JSON")


def saved_value(doc: Any, name: str) -> tuple[bool, float | None]:
    """The value ``compare --loss NAME`` takes from a saved document: (found, value)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("losses"), dict):
        return False, None
    for item in doc["losses"].values():
        if isinstance(item, dict) and item.get("name") == name and item.get("params") == {}:
            return True, item.get("value")
    return False, None


@fuzz(150)
@given(data=st.data())
def test_mutated_saved_json(corpus: Path, data: st.DataObject) -> None:
    """``compare damaged.json saved.json``: the values the damaged document holds, or one error line."""
    content = data.draw(mutations(saved_base(corpus)))
    position = data.draw(st.sampled_from(["baseline", "candidate"]))
    path = _write(corpus, "m.json", content)
    runs = (path, corpus / "saved.json") if position == "baseline" else (corpus / "saved.json", path)
    result = run_cli("compare", *runs, "--loss", "mse", "--format", "json")
    code = settled(result)
    try:
        doc = json.loads(content.decode("utf-8"), parse_constant=refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        doc = None
    event(f"exit {code}, {'JSON' if doc is not None else 'not strict JSON'}")
    if doc is None:
        assert code == 2, "a file that is not strict UTF-8 JSON was read as a saved result"
    if code == 0:
        found, value = saved_value(doc, "mse")
        assert found
        row = document(result)["rows"][0]
        assert same(row[position], None if value is None else float(value)), (row, value)
        assert same(row["candidate" if position == "baseline" else "baseline"], BASE_MSE)


FORMATS = {"csv": "csv", "tsv": "tsv", "csv.gz": "csv", "npy": "npy", "npz": "npz", "parquet": "parquet"}
MAGIC = {"csv.gz": b"\x1f\x8b", "npy": b"\x93NUMPY", "npz": b"PK\x03\x04", "parquet": b"PAR1"}


@fuzz(150)
@given(ext=st.sampled_from(sorted(FORMATS)), content=st.binary(max_size=600), magic=st.booleans(), tail=st.booleans())
@example(ext="npy", content=b"\x01\x00\xff\xff", magic=True, tail=False)
@example(ext="npy", content=b"\x03\x00\x10\x00\x00\x00{'descr': '<f8'}", magic=True, tail=False)
@example(ext="parquet", content=b"\xff\xff\xff\x7f", magic=True, tail=True)
@example(ext="csv", content=b"", magic=False, tail=False)
@example(ext="csv", content=b"\n\n\n", magic=False, tail=False)
def test_random_bytes_in_every_format(corpus: Path, ext: str, content: bytes, magic: bool, tail: bool) -> None:
    """Random bytes (after the format's magic bytes, and Parquet's trailing magic, when drawn so) under each extension."""
    blob = (MAGIC.get(ext, b"") if magic else b"") + content + (b"PAR1" if tail and ext == "parquet" else b"")
    path = _write(corpus, f"random.{ext}", blob)
    args = (path, corpus / "target.npy") if ext == "npy" else (path,)
    settled(_eval(*args))


STDIN_BASES = {"csv": CSV_BASE, "tsv": TSV_BASE, "npy": NPY_BASE, "npz": NPZ_BASE, "parquet": PARQUET_BASE}


@fuzz(100)
@given(fmt=st.sampled_from(sorted(STDIN_BASES)), data=st.data())
def test_stdin_in_every_format(corpus: Path, fmt: str, data: st.DataObject) -> None:
    """``eval - --input-format F`` on random bytes, a damaged valid file, or the valid file itself, fed to stdin."""
    base = STDIN_BASES[fmt]
    content = data.draw(st.one_of(st.just(base), st.binary(max_size=400), mutations(base)), label="stdin")
    target = [corpus / "target.npy"] if fmt == "npy" else []  # a lone NPY is PRED only
    result = run_cli("eval", "-", *target, "--input-format", fmt, "--loss", "mse", "--format", "json", stdin=content)
    code = settled(result)
    if content == base:
        assert code == 0 and same(document(result)["losses"]["mse"]["value"], BASE_MSE)


# --- 4. valid random data, end to end ---------------------------------------------------------------

any_float = st.floats(allow_nan=False, allow_infinity=False)
data_values = st.one_of(any_float, st.floats(-1e6, 1e6), st.integers(-(2 ** 53), 2 ** 53).map(float),
                        st.sampled_from([0.0, -0.0, 5e-324, 1.7976931348623157e308, -1.7976931348623157e308, 1e154, 0.1]))
weight_values = st.one_of(st.floats(0, 1e300), st.floats(0, 10), st.sampled_from([0.0, 5e-324, 1.7976931348623157e308, 1.0]))


def number_text(value: float, style: int) -> str:
    if style == 1 and value.is_integer() and abs(value) <= 2 ** 53:
        return str(int(value))  # integer text
    if style == 2:
        return f"{value:.17E}"
    return repr(value)


@st.composite
def random_runs(draw: st.DrawFn) -> dict[str, Any]:
    n = draw(st.integers(1, 40))
    columns = {name: np.array(draw(st.lists(data_values, min_size=n, max_size=n))) for name in ("pred", "target")}
    if draw(st.booleans()):
        columns["weight"] = np.array(draw(st.lists(weight_values, min_size=n, max_size=n)))
    return {"columns": columns, "style": draw(st.integers(0, 2)), "reduction": draw(st.sampled_from(["mean", "mean", "sum"]))}


def exact_sum(terms: np.ndarray, weights: np.ndarray | None) -> float | None:
    """Σ w·l exactly, correctly rounded; None when a term or the sum is beyond the float range."""
    with np.errstate(over="ignore", invalid="ignore"):
        products = terms if weights is None else weights * terms
    if not np.isfinite(products).all():
        return None
    try:
        return float(sum(map(Fraction, products.tolist()), Fraction(0)))  # int / int: correctly rounded, or OverflowError
    except OverflowError:
        return None


def write_run(folder: Path, columns: dict[str, np.ndarray], style: int) -> dict[str, list[Path]]:
    """The same numbers as a CSV, a TSV, a gzip CSV, an NPY pair (+ weights), an NPZ and a Parquet file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(exist_ok=True)
    names = list(columns)
    for delimiter, name in ((",", "e2e.csv"), ("\t", "e2e.tsv")):
        lines = [delimiter.join(names)]
        lines += [delimiter.join(number_text(float(columns[c][i]), style) for c in names) for i in range(len(columns["pred"]))]
        (folder / name).write_text("\n".join(lines) + "\n")
    (folder / "e2e.csv.gz").write_bytes(gzip.compress((folder / "e2e.csv").read_bytes()))
    for name, values in columns.items():
        np.save(folder / f"e2e_{name}.npy", values)
    np.savez(folder / "e2e.npz", **columns)
    pq.write_table(pa.table(columns), folder / "e2e.parquet", row_group_size=7)
    return {"csv": [folder / "e2e.csv"], "tsv": [folder / "e2e.tsv"], "gz": [folder / "e2e.csv.gz"],
            "npy": [folder / "e2e_pred.npy", folder / "e2e_target.npy"], "npz": [folder / "e2e.npz"],
            "parquet": [folder / "e2e.parquet"]}


@fuzz(40)
@given(run=random_runs())
@example(run={"columns": {"pred": np.array([1.7976931348623157e308, -1.7976931348623157e308]), "target": np.array([0.0, 0.0])},
              "style": 0, "reduction": "mean"})
@example(run={"columns": {"pred": np.array([1e200, 3.0]), "target": np.array([-1e200, 1.0])}, "style": 0, "reduction": "sum"})
@example(run={"columns": {"pred": np.array([1.0, 2.0]), "target": np.array([0.0, 0.0]), "weight": np.array([0.0, 0.0])},
              "style": 0, "reduction": "mean"})
@example(run={"columns": {"pred": np.array([3.0, 1.0]), "target": np.array([0.0, 0.0]),
                          "weight": np.array([1.7976931348623157e308, 1.7976931348623157e308])}, "style": 1, "reduction": "mean"})
@example(run={"columns": {"pred": np.array([0.1, 0.2, 0.3]), "target": np.array([0.3, 0.2, 0.1])}, "style": 2, "reduction": "mean"})
def test_random_numbers_give_numpys_values_in_every_format(corpus: Path, run: dict[str, Any]) -> None:
    """Valid random numbers (subnormal to the float maximum, weights included): mse and mae are the exact sums
    correctly rounded, with the same bits from every format; a value beyond the float range is null with a warning."""
    columns, reduction = run["columns"], run["reduction"]
    weight = columns.get("weight")
    squared, absolute = errors_of(columns["pred"], columns["target"])
    reduce = exact_mean if reduction == "mean" else exact_sum
    expected = {"mse": reduce(squared, weight), "mae": reduce(absolute, weight)}
    files = write_run(corpus / "e2e", columns, run["style"])
    for fmt, paths in files.items():
        extra = ["--reduction", reduction]
        if weight is not None:
            extra += ["--input", f"weight={corpus / 'e2e' / 'e2e_weight.npy'}"] if fmt == "npy" else (
                [] if fmt == "npz" else ["--weight-col", "weight"])
        result = _eval(*paths, extra=tuple(extra))
        assert settled(result) == 0, (fmt, result.stderr)
        losses = document(result)["losses"]
        for name, value in expected.items():
            assert same(losses[name]["value"], value), (fmt, name, losses[name]["value"], value)
            nulled = value is None and (reduction == "sum" or weight is None or sum(map(Fraction, weight.tolist())) != 0)
            assert (WARNING in result.stderr) >= nulled, (fmt, result.stderr)



@fuzz(40)
@given(pred=st.lists(data_values, min_size=1, max_size=30), data=st.data(),
       labels=st.sampled_from([["a", "b", "c"], ["1", "2", "10"], ["x y", "é", "-"], ["0.5", "nan", "inf"]]))
def test_random_groups_give_numpys_values(corpus: Path, pred: list[float], data: st.DataObject, labels: list[str]) -> None:
    """``--group-by g`` on random numbers: each group's mse is the exact mean of its rows' squared errors."""
    n = len(pred)
    target = data.draw(st.lists(data_values, min_size=n, max_size=n), label="target")
    groups = data.draw(st.lists(st.sampled_from(labels), min_size=n, max_size=n), label="groups")
    lines = ["pred,target,g", *(f"{p!r},{t!r},{g}" for p, t, g in zip(pred, target, groups))]
    path = _write(corpus, "groups.csv", ("\n".join(lines) + "\n").encode())
    result = run_cli("eval", path, "--loss", "mse", "--group-by", "g", "--format", "json")
    assert settled(result) == 0, result.stderr
    squared = errors_of(pred, target)[0]
    rows = document(result)["groups"]["rows"]
    assert sorted(str(r["group"]) for r in rows) == sorted(set(groups)), rows
    for row in rows:
        mine = [i for i, g in enumerate(groups) if g == str(row["group"])]
        assert row["n"] == len(mine) and same(row["value"], exact_mean(squared[mine])), (row, mine)


# --- 2 (continued). the other options, and TOML files built from their grammar ------------------------

int_texts = st.one_of(st.integers(-5, 60).map(str), st.integers(2 ** 31, 2 ** 70).map(str), big_digits,
                      st.sampled_from(["", " ", "1.0", "1e3", "0x10", "+3", " 7", "٣", "²", "nan", "-0", "1_0"]))
float_texts = st.one_of(st.floats(-2, 2).map(repr), number_texts)
OPTION_VALUES = {
    "eval": {"--worst": int_texts, "--limit": int_texts, "--precision": int_texts,
             "--reduction": st.sampled_from(["mean", "sum", "none", "MEAN", "", "avg"]),
             "--nan": st.sampled_from(["error", "omit", "propagate", "", "ignore"]),
             "--format": st.sampled_from(["table", "json", "jsonl", "csv", "tsv", "md", "JSON", "", "xml"]),
             "--group-by": st.sampled_from(["weight", "pred", "nope", "", " ", "*"]) | st.text(max_size=4),
             "--label": st.text(max_size=10), "--input-format": st.sampled_from(["csv", "npy", "parquet", "", "CSV", "x"]),
             "--weight-col": st.sampled_from(["weight", "pred", "nope", "", ",", "w*", "*"])},
    "compare": {"--bootstrap": st.one_of(st.integers(-3, 200).map(str), st.integers(10 ** 6 + 1, 10 ** 30).map(str),
                                         st.sampled_from(["", "1e3", "nan", "10.0"])),
                "--seed": int_texts, "--ci": float_texts, "--worst": int_texts, "--id-col": st.sampled_from(["pred", "", "nope"]),
                "--group-by": st.sampled_from(["weight", "nope", ""]), "--precision": int_texts,
                "--format": st.sampled_from(["json", "md", "csv", "jsonl", "table", ""])},
}


@st.composite
def option_sets(draw: st.DrawFn) -> tuple[str, list[str]]:
    command = draw(st.sampled_from(["eval", "compare"]))
    options = draw(st.lists(st.sampled_from(sorted(OPTION_VALUES[command])), min_size=1, max_size=3, unique=True))
    args = [a for o in options for a in (o, draw(OPTION_VALUES[command][o]))]
    if command == "compare" and draw(st.booleans()):
        args.append("--require-significant")
    return command, args


@fuzz(120)
@given(case=option_sets())
@example(case=("compare", ["--bootstrap", "20", "--seed", "9" * 30, "--ci", "0.9"]))
@example(case=("compare", ["--bootstrap", "10", "--ci", "1e-320"]))
@example(case=("eval", ["--worst", "9" * 30, "--limit", "1"]))
@example(case=("eval", ["--group-by", "weight", "--reduction", "sum"]))
def test_other_options(corpus: Path, case: tuple[str, list[str]]) -> None:
    """Numbers, huge numbers, unicode digits and junk for every other option of eval and compare."""
    command, args = case
    assume(all("\x00" not in a and "\ud800" not in a for a in args))
    runs = [corpus / "run.csv"] if command == "eval" else [corpus / "run.csv", corpus / "run.csv", "--target", corpus / "run.csv"]
    result = run_cli(command, *runs, "--loss", "mse", "--format", "json", *args)
    code = settled(result)
    if code == 0 and dict(zip(args[::2], args[1::2])).get("--format", "json") == "json":
        doc = document(result)
        weight_col = dict(zip(args[::2], args[1::2])).get("--weight-col")
        if command == "eval" and doc["losses"]["mse"]["reduction"] == "mean" and weight_col in (None, "weight", "w*"):
            weights = BASE_WEIGHT if weight_col else None
            assert same(doc["losses"]["mse"]["value"], exact_mean(errors_of(BASE_PRED, BASE_TARGET)[0], weights))
        if command == "compare":
            assert all(same(row["baseline"], BASE_MSE) and row["delta"] == 0 for row in doc["rows"])


def toml_text(value: Any) -> str:
    """A TOML value as text (strings as JSON escapes them, which TOML basic strings share)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return {math.inf: "inf", -math.inf: "-inf"}.get(value, "nan" if value != value else repr(value))
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_text(v) for v in value) + "]"
    return "{ " + ", ".join(f"{json.dumps(k)} = {toml_text(v)}" for k, v in value.items()) + " }"


PATHS = ["run.csv", "run.tsv", "run.parquet", "pred.npy", "target.npy", "run.npz", "saved.json", "missing.csv", "", "-",
         "folder.csv", "../fuzz0/run.csv", "/dev/null", "run.toml"]
toml_scalars = st.one_of(st.sampled_from(PATHS), st.text(max_size=6), st.integers(-3, 30), st.integers(-(2 ** 70), 2 ** 70),
                         st.floats(), st.booleans())
toml_values = st.recursive(toml_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
    st.sampled_from(["mse", "mae", "*", "nope", "mse:", ""]), inner, max_size=2), max_leaves=5)
TOML_KEYS = {"eval": ["predictions", "target", "losses", "fail_above", "group_by", "worst", "per_sample", "reduction", "nan",
                      "weight", "junk"],
             "compare": ["baseline", "candidates", "target", "losses", "max_increase", "bootstrap", "seed", "ci",
                         "require_significant", "group_by", "worst", "id_col", "reduction", "nan", "weight"],
             "report": ["format", "label", "summary", "precision"], "columns": ["pred", "target", "weight"], "junk": ["x"]}
GOOD = {"predictions": st.sampled_from(["run.csv", "run.parquet", ["run.csv"]]), "target": st.sampled_from(["run.csv", "target.npy"]),
        "losses": st.sampled_from([["mse"], "mse", ["mse", "mae"], ["mae", "huber:delta=0.5"]]),
        "fail_above": st.dictionaries(st.sampled_from(["mse", "*"]), st.floats(0, 1e3), max_size=2),
        "max_increase": st.dictionaries(st.sampled_from(["mse", "*"]), st.sampled_from([0.0, 1.0, "2%", "0%"]), max_size=1),
        "baseline": st.sampled_from(["saved.json", "run.csv"]), "candidates": st.sampled_from([["run.csv"], "saved.json"]),
        "bootstrap": st.integers(1, 30), "seed": st.integers(0, 2 ** 70), "format": st.sampled_from(["json", "md", "csv"]),
        "group_by": st.just("weight"), "worst": st.integers(1, 5), "per_sample": st.booleans(), "require_significant": st.booleans(),
        "reduction": st.sampled_from(["mean", "sum"]), "nan": st.sampled_from(["error", "omit", "propagate"]),
        "weight": st.just("weight.npy"), "ci": st.floats(0.5, 0.99), "id_col": st.just("pred"), "label": st.text(max_size=5),
        "summary": st.just(False), "precision": st.integers(1, 17), "pred": st.just("pred"), "weight_col": st.just("weight")}


REQUIRED = {"eval": ["predictions", "losses"], "compare": ["baseline", "candidates", "losses"]}


@st.composite
def toml_documents(draw: st.DrawFn) -> dict[str, dict[str, Any]]:
    """Mostly well-formed files: each section's required keys (sometimes fuzzed), then a few more keys, good or fuzzed."""
    config: dict[str, dict[str, Any]] = {}
    sections = draw(st.lists(st.sampled_from(["eval", "eval", "compare", "report", "columns", "junk"]), min_size=1, max_size=3,
                             unique=True))
    for section in sections:
        keys = [*REQUIRED.get(section, []), *draw(st.lists(st.sampled_from(TOML_KEYS[section]), max_size=3, unique=True))]
        table = config.setdefault(section, {})
        for key in dict.fromkeys(keys):
            good = key in GOOD and draw(st.integers(0, 3)) > 0
            table[key] = draw(GOOD[key] if good else toml_values)
    return config


def render_toml(config: dict[str, dict[str, Any]]) -> str:
    return "".join(f"[{section}]\n" + "".join(f"{k} = {toml_text(v)}\n" for k, v in table.items()) + "\n"
                   for section, table in config.items())


def check_toml_document(corpus: Path, config: dict[str, dict[str, Any]]) -> None:
    (corpus / "g.toml").write_text(render_toml(config), encoding="utf-8", errors="surrogatepass")
    result = run_cli("check", corpus / "g.toml", "--format", "json")
    code = settled(result, gates=True)
    event(f"exit {code}")
    if code == 2 or "eval" not in config:
        return
    section = config["eval"]
    predictions = section["predictions"]
    assert not (isinstance(predictions, list) and len(predictions) > 1), "[eval] scores one predictions file, not several"
    doc = document(result)["eval"]
    named = [*(predictions if isinstance(predictions, list) else [predictions]), *([section["target"]] if "target" in section else [])]
    sources = [doc["inputs"]["pred"]["source"], doc["inputs"]["target"]["source"]]
    assert [Path(s).name for s in sources[: len(named)]] == [Path(p).name for p in named], (named, sources)
    if named == ["run.csv"] and section.get("losses") in (["mse"], "mse") and section.get("reduction", "mean") == "mean" \
            and "columns" not in config:
        weights = BASE_WEIGHT if section.get("weight") == "weight.npy" else None
        assert same(doc["losses"]["mse"]["value"], exact_mean(errors_of(BASE_PRED, BASE_TARGET)[0], weights))


@fuzz(150)
@given(config=toml_documents())
@example(config={"eval": {"predictions": "run.csv", "losses": ["mse"], "fail_above": {"mse": 1e308}}})
@example(config={"eval": {"predictions": ["run.csv"], "target": "run.csv", "losses": "mse"}, "report": {"format": "md"}})
@example(config={"compare": {"baseline": "saved.json", "candidates": "saved.json", "bootstrap": 5}})
def test_toml_documents_from_the_grammar(corpus: Path, config: dict[str, dict[str, Any]]) -> None:
    """``losscli check`` on TOML files built from its sections and keys with good and fuzzed values: an exit 0
    scores the files the [eval] section names, in that order (NumPy's mse for run.csv)."""
    check_toml_document(corpus, config)


# --- real processes: nothing hangs, whatever the input ------------------------------------------------

class Finished:
    """A finished process, read like a CliRunner result."""

    exception = None

    def __init__(self, completed: subprocess.CompletedProcess[bytes]) -> None:
        self.exit_code = completed.returncode
        self.stdout = completed.stdout.decode("utf-8", "replace")
        self.stderr = completed.stderr.decode("utf-8", "replace")


def process(*args: Any, stdin: bytes = b"") -> Finished:
    """``python -m losscli ARGS`` as a real process; a run past TIMEOUT fails the test as a hang."""
    try:
        completed = subprocess.run([sys.executable, "-m", "losscli", *map(str, args)], input=stdin, capture_output=True,
                                   timeout=TIMEOUT, cwd=REPO)
    except subprocess.TimeoutExpired:
        pytest.fail(f"losscli {' '.join(map(str, args))[:200]} hung (no exit within {TIMEOUT} s)")
    return Finished(completed)


BASES = {"csv": CSV_BASE, "csv.gz": GZ_BASE, "npy": NPY_BASE, "npz": NPZ_PACKED, "parquet": PARQUET_BASE, "toml": TOML_BASE}


@fuzz(6)
@given(ext=st.sampled_from(sorted(BASES)), data=st.data(), via_stdin=st.booleans())
def test_real_processes_end_on_damaged_input(corpus: Path, ext: str, data: st.DataObject, via_stdin: bool) -> None:
    """A damaged file as a path or on stdin, run as ``python -m losscli``: it ends within the timeout, as documented."""
    content = data.draw(mutations(BASES[ext]) | st.binary(max_size=2000), label="content")
    if ext == "toml":
        result = process("check", _write(corpus, "p.toml", content))
        assert settled(result, gates=True) in (0, 1, 2)
        return
    fmt = {"csv.gz": "csv"}.get(ext, ext)
    target = [corpus / "target.npy"] if ext == "npy" else []
    if via_stdin:
        result = process("eval", "-", *target, "--input-format", fmt, "--loss", "mse", "--format", "json", stdin=content)
    else:
        result = process("eval", _write(corpus, f"p.{ext}", content), *target, "--loss", "mse", "--format", "json")
    settled(result)


def test_real_process_reads_an_endless_stream() -> None:
    """/dev/zero and /dev/urandom on stdin: each ends with one error line (limits, not a hang)."""
    for device, fmt in (("/dev/zero", "csv"), ("/dev/urandom", "csv"), ("/dev/zero", "npy"), ("/dev/urandom", "parquet")):
        with open(device, "rb") as stream:
            try:
                completed = subprocess.run([sys.executable, "-m", "losscli", "eval", "-", "--input-format", fmt, "--loss", "mse"],
                                           stdin=stream, capture_output=True, timeout=TIMEOUT, cwd=REPO)
            except subprocess.TimeoutExpired:
                pytest.fail(f"losscli eval - --input-format {fmt} < {device} hung")
        assert settled(Finished(completed)) == 2, (device, fmt)


# --- CSV cells the reader must refuse, naming them ----------------------------------------------------

@st.composite
def tables_with_a_bad_cell(draw: st.DrawFn, duplicated: bool) -> tuple[bytes, str, int, str]:
    """A CSV with pred, target and extra columns (one name twice when ``duplicated``), one non-numeric cell in
    pred or target: (content, its column, its row counted from 1 under the header, its text)."""
    extra = draw(st.lists(st.sampled_from(["id", "x", "y2", "note"]), max_size=3, unique=True))
    if duplicated:
        extra = [*extra, draw(st.sampled_from(["x", "id"]))] if extra else ["x", "x"]
        extra = [*extra, extra[-1]] if len(set(extra)) == len(extra) else extra
    names = draw(st.permutations(["pred", "target", *extra]))
    n = draw(st.integers(1, 12))
    column, row = draw(st.sampled_from(["pred", "target"])), draw(st.integers(1, n))
    cell = draw(st.sampled_from(["abc", "1.2.3", "--1", "0x10", "é", "1e", "one"]))
    lines = [",".join(names)]
    for i in range(1, n + 1):
        lines.append(",".join(cell if (name == column and i == row) else str(i + j) for j, name in enumerate(names)))
    return ("\n".join(lines) + "\n").encode(), column, row, cell


def check_bad_cell(corpus: Path, case: tuple[bytes, str, int, str]) -> None:
    content, column, row, cell = case
    result = _eval(_write(corpus, "cell.csv", content))
    assert settled(result) == 2
    assert f"non-numeric value {cell!r} in row {row}, column {column!r}" in result.stderr, result.stderr


@fuzz(60)
@given(case=tables_with_a_bad_cell(duplicated=False))
def test_a_non_numeric_cell_is_named(corpus: Path, case: tuple[bytes, str, int, str]) -> None:
    """A non-numeric pred or target cell: one error line naming its text, row and column."""
    check_bad_cell(corpus, case)


@fuzz(60)
@given(magnitude=st.integers(2 ** 53 + 1, 2 ** 64 - 2 ** 11).filter(lambda v: int(float(v)) != v), negative=st.booleans(),
       row=st.integers(0, len(BASE_PRED) - 1), column=st.sampled_from(["pred", "target"]))
def test_csv_integers_float64_cannot_hold_are_refused(corpus: Path, magnitude: int, negative: bool, row: int, column: str) -> None:
    """README, "No silent wrong numbers": integer text float64 cannot hold exactly is refused, naming it."""
    check_inexact_integer(corpus, -magnitude if negative else magnitude, row, column)


def check_inexact_integer(corpus: Path, value: int, row: int, column: str) -> None:
    lines = CSV_BASE.decode().splitlines()
    cells = lines[row + 1].split(",")
    cells[lines[0].split(",").index(column)] = str(value)
    lines[row + 1] = ",".join(cells)
    result = _eval(_write(corpus, "int.csv", ("\n".join(lines) + "\n").encode()))
    assert settled(result) == 2, f"{value} was read as {float(value)!r}"
    assert str(value) in result.stderr and "cannot hold" in result.stderr, result.stderr


# --- bugs this file found, kept as properties with their first failing examples --------------------------
#
# Each failed (exit 3, a wrong column named, exit 0 for input the README says is refused, or a traceback)
# at commit b5ddcc9; the first five were fixed in 7cba032, the last two in the commit after it.

@fuzz(40)
@given(case=tables_with_a_bad_cell(duplicated=True))
@example(case=(b"x,x,pred,target\n1,2,3,4\n1,2,3,abc\n", "target", 2, "abc"))  # exited 3 (IndexError)
@example(case=(b"x,x,pred,target\n1,2,3,4\n1,2,abc,4\n", "pred", 2, "abc"))  # named column 'target'
def test_a_header_naming_a_column_twice_still_places_a_bad_cell(corpus: Path, case: tuple[bytes, str, int, str]) -> None:
    """A repeated unused column name before pred/target: the bad cell is still named by its own column."""
    check_bad_cell(corpus, case)


@fuzz(40)
@given(content=st.tuples(st.sampled_from([b"9007199254740992", b"-9007199254740992", b"18446744073709551616"]),
                         st.integers(309, 5000), st.sampled_from([b"", b"-", b"+"]))
       .map(lambda t: b"id,pred,target\n1,1," + t[0] + b"\n2,2," + t[2] + b"9" * t[1] + b"\n"))
@example(content=b"pred,target\n9007199254740992,1\n" + b"9" * 400 + b",1\n")  # exited 3 (OverflowError)
@example(content=b"pred,target\n9007199254740992,1\n" + b"9" * 5000 + b",1\n")  # exited 3 (ValueError: 4300 digits)
@example(content=b"id,pred,target\n1,1,-9007199254740992\n2,2,-" + b"1" * 320 + b"\n")
def test_csv_integer_text_beyond_the_double_range(corpus: Path, content: bytes) -> None:
    """Integer text of 309+ digits beside one of 2^53 or more: one error line, never exit 3."""
    result = _eval(_write(corpus, "huge.csv", content))
    assert settled(result) == 2 and "huge.csv" in result.stderr


@fuzz(40)
@given(value=st.integers(2 ** 64 - 2 ** 10, 2 ** 80).filter(lambda v: int(float(v)) != v),
       negative=st.booleans(), row=st.integers(0, len(BASE_PRED) - 1), column=st.sampled_from(["pred", "target"]))
@example(value=2 ** 64 + 1, negative=False, row=0, column="pred")  # all four read as the nearest float, exit 0
@example(value=18446744073709550592, negative=False, row=0, column="pred")
@example(value=99999999999999999999, negative=False, row=3, column="target")
@example(value=2 ** 70 + 1, negative=True, row=11, column="pred")
def test_csv_integers_from_2_64_are_refused(corpus: Path, value: int, negative: bool, row: int, column: str) -> None:
    """Integer text float64 rounds to 2^64 or beyond is refused too (README: integers it cannot hold exactly)."""
    check_inexact_integer(corpus, -value if negative else value, row, column)


@st.composite
def odd_axes(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(n for n, e in ENTRIES.items() if any(p.name == "axis" for p in e.params))))
    odd = draw(st.sampled_from(["inf", "-inf", "nan", "NaN", "1e308", "-1e300", "9" * 309, "-" + "9" * 400, "9" * 5000,
                                "[1,inf]", "[nan]", "[1," + "9" * 320 + "]", "2.5", "[1,1.5]"]))
    return f"{name}:axis={odd}"


@fuzz(40)
@given(text=odd_axes())
@example(text="keras.dice:axis=inf")  # exited 3 (OverflowError)
@example(text="keras.dice:axis=nan")  # exited 3 (ValueError)
@example(text="keras.tversky:axis=[1,-inf]")
@example(text="keras.cosine_similarity:axis=" + "9" * 400)  # exited 3 (OverflowError: int too large to convert to float)
def test_an_axis_beyond_any_array_is_refused(corpus: Path, text: str) -> None:
    """``axis`` set to inf, nan, a fraction or an integer beyond the double range: one error line."""
    result = run_cli("eval", *_data_for(text, corpus), "--loss", text, "--format", "json")
    assert settled(result) == 2 and "axis" in result.stderr


@fuzz(30)
@given(predictions=st.lists(st.sampled_from(["run.csv", "run.tsv", "run.parquet", "pred.npy", "target.npy"]), min_size=2,
                            max_size=4),
       target=st.none() | st.sampled_from(["target.npy", "run.csv"]))
@example(predictions=["run.csv", "run.parquet"], target="target.npy")  # scored run.csv against run.parquet, exit 0
@example(predictions=["run.csv", "run.tsv", "run.parquet"], target=None)  # ignored run.parquet, exit 0
@example(predictions=["pred.npy", "pred.npy"], target=None)
def test_an_eval_section_listing_several_predictions_is_refused(corpus: Path, predictions: list[str], target: str | None) -> None:
    """``[eval] predictions`` naming several files: one error line (it used to score the first against the second)."""
    section: dict[str, Any] = {"predictions": predictions, "losses": ["mse"]}
    if target is not None:
        section["target"] = target
    check_toml_document(corpus, {"eval": section})
    result = run_cli("check", corpus / "g.toml", "--format", "json")
    assert settled(result) == 2 and "predictions" in result.stderr


@settings(FUZZ, phases=[Phase.explicit])
@given(content=mutations(PARQUET_BASE), via_stdin=st.booleans())
@example(content=PARQUET_BASE.replace(b"\x18\x06target", b"\x18\x06\xf4arget", 1), via_stdin=False)
@example(content=PARQUET_BASE.replace(b"\x18\x04pred", b"\x18\x04\xffred", 1), via_stdin=False)
@example(content=PARQUET_BASE.replace(b"\x18\x06target", b"\x18\x06\xf4arget", 1), via_stdin=True)
def test_a_parquet_field_name_not_utf8_is_an_input_error(corpus: Path, content: bytes, via_stdin: bool) -> None:
    """Found by test_mutated_parquet: one flipped byte in a field name of the footer's schema (exited 3)."""
    if via_stdin:
        settled(run_cli("eval", "-", "--input-format", "parquet", "--loss", "mse", "--format", "json", stdin=content))
    else:
        settled(_eval(_write(corpus, "names.parquet", content)))


@settings(FUZZ, phases=[Phase.explicit])
@given(args=st.lists(st.text(), max_size=4))
@example(args=["--label", "--debug", "--weight-col", "pred"])  # the example test_other_options found
@example(args=["--pred-col", "--debug"])
@example(args=["--loss", "nope", "--label", "--debug"])
def test_debug_as_an_option_value_is_only_a_value(corpus: Path, args: list[str]) -> None:
    """Found by test_other_options: a label (or selector) that reads ``--debug`` is only a value (it was a traceback, exit 1)."""
    settled(run_cli("eval", corpus / "run.csv", "--loss", "mse", *args, "--format", "json", debug_value=True))
