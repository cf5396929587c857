"""Library entries accept what their library accepts, with one warning; ``--strict`` and the canonical twins refuse.

Every expected value is derived by hand from the library's documented formula or source
(PyTorch's aten Loss.cpp, Keras 3's keras/src/losses/losses.py, scikit-learn 1.9 run live),
never from losscli itself.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from conftest import ERROR, cli, run, strict_json, usage_error
from losscli.errors import LossCliError
from losscli.registry import Check, LossEntry, entries, lookup

LN2 = math.log(2)
EPS = 1e-7
WARNING = "losscli: warning: "


def softplus(x: float) -> float:
    return math.log1p(math.exp(x))


@dataclass(frozen=True)
class Case:
    """A lenient input: the library's per-sample values for it, a fragment of the one warning, and whether the
    canonical twin takes the same two inputs (and so must refuse them)."""

    spec: str
    pred: Any
    target: Any
    expected: list[float]
    fragment: str
    extra: dict[str, Any] = field(default_factory=dict)
    twin: bool = True


CASES = [
    # torch: nll_loss is −input[target], whatever the input holds
    Case("torch.nll_loss", [[0.5, -1.0], [-0.2, -2.0]], [0, 1], [-0.5, 2.0],
         "input should be log-probabilities (<= 0), but test index [0, 0] is 0.5 (1 such value); PyTorch takes"),
    # −[t·log p + (1 − t)·log(1 − p)] with t = 1.5, p = 0.5: −(1.5 − 0.5)·log 0.5
    Case("torch.binary_cross_entropy", [0.5, 0.25], [1.5, 0.0], [LN2, -math.log(0.75)],
         "target should be one-hot or soft targets in [0, 1], but test index [0] is 1.5"),
    # t·softplus(−x) + (1 − t)·softplus(x): 2·ln 2 − ln 2, and softplus(−1)
    Case("torch.binary_cross_entropy_with_logits", [0.0, 1.0], [2.0, 1.0], [LN2, softplus(-1.0)], "is 2 (1 such value)"),
    # −Σ t_c·log_softmax(x)_c = −(1.5 − 0.5)·(−ln 2)
    Case("torch.cross_entropy", [[0.0, 0.0]], [[1.5, -0.5]], [LN2], "target should be one-hot or soft targets",),
    # Σ t·(log t − x): 0.5·(ln 0.5 − 0.5) + 0.5·(ln 0.5 + 1), and 2·(ln 2 + 1) for a target above 1
    Case("torch.kl_div", [[0.5, -1.0]], [[0.5, 0.5]], [math.log(0.5) + 0.25], "input should be log-probabilities", twin=False),
    Case("torch.kl_div", [[-1.0, -1.0]], [[2.0, 0.0]], [2 * LN2 + 2], "target should be one-hot or soft targets in [0, 1]",
         twin=False),
    # PyTorch adds x where y ≠ −1 and max(0, margin − x) where y ≠ 1: 0 + 1.5, then 0.8 + 0.2
    Case("torch.hinge_embedding_loss", [1.5, 0.2], [0.0, 2.0], [1.5, 1.0], "target should be -1 or 1, but test index [0] is 0"),
    # e^x − t·x with a negative count
    Case("torch.poisson_nll_loss", [0.0, 1.0], [-1.0, -1.0], [1.0, math.e + 1], "target should be non-negative"),
    # softplus(−y·x)
    Case("torch.soft_margin_loss", [1.0, 2.0], [0.0, 0.5], [LN2, softplus(-1.0)], "(2 such values)", twin=False),
    # (1/C)·Σ [t·softplus(−x) + (1 − t)·softplus(x)] = (2·ln 2 − ln 2 + ln 2) / 2
    Case("torch.multilabel_soft_margin_loss", [[0.0, 0.0]], [[2.0, 1.0]], [LN2], "target should be one-hot or soft targets"),
    # 1 − cos where y = 1, max(0, cos − margin) where y = −1, 0 otherwise
    Case("torch.cosine_embedding_loss", [[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0], [0.0, 1.0]], [0.0, 1.0],
         "target should be -1 or 1, but test index [0] is 0", extra={"target": [0, 1]}, twin=False),
    # max(0, −y·(x1 − x2) + margin)
    Case("torch.margin_ranking_loss", [1.0, 1.0], [0.0, 0.0], [0.0, 2.0], "target should be -1 or 1, but test index [0] is 0.5",
         extra={"target": [0.5, -2.0]}, twin=False),
    # one time step, one label: the only alignment emits class 1, so −log_probs[0, 0, 1] / target length 1
    Case("torch.ctc_loss", [[[0.0, 0.5]]], [[1]], [-0.5], "log_probs should be log-probabilities",
         extra={"input_lengths": [1], "target_lengths": [1]}, twin=False),
    # keras: probabilities clipped to [1e-7, 1 − 1e-7]; a target of 2 enters the formula as given
    Case("keras.binary_crossentropy", [1.000000001, -1e-12], [1.0, 0.0], [-math.log(1 - EPS), -math.log1p(-EPS)],
         "pred should be probabilities in [0, 1], but test index [0] is 1.000000001 (2 such values); Keras clips them"),
    Case("keras.binary_crossentropy", [0.5], [2.0], [LN2], "target should be one-hot or soft targets in [0, 1], but test index [0] is 2"),
    # divided by the row sum (1), then clipped: −log(1 − 1e-7); a row summing to 0.4 is renormalised without a warning
    Case("keras.categorical_crossentropy", [[1.2, -0.2], [0.2, 0.2]], [[1.0, 0.0], [1.0, 0.0]], [-math.log(1 - EPS), LN2],
         "but test index [0, 0] is 1.2 (2 such values); Keras divides each row by its sum"),
    Case("keras.sparse_categorical_crossentropy", [[1.2, -0.2]], [0], [-math.log(1 - EPS)], "pred should be probabilities"),
    # −1, 0, 1 together: not all 0/1, so Keras uses them as given: max(0, 1 − y·s)
    Case("keras.hinge", [0.5, 0.5, 0.5], [-1.0, 0.0, 1.0], [1.5, 1.0, 0.5],
         "target mixes 0 with labels other than 1, but test index [1] is 0 (1 such value); Keras converts 0/1 labels"),
    Case("keras.squared_hinge", [0.5, 0.5, 0.5], [-1.0, 0.0, 1.0], [2.25, 1.0, 0.25], "the canonical 'squared_hinge' refuses them"),
    Case("keras.hinge", [0.5, 0.5], [2.0, 1.0], [0.0, 0.5], "target should be -1/1 or 0/1 labels, but test index [0] is 2"),
    # pos = Σ t·s = −1.5, neg = max((1 − t)·s) = 4: max(0, 4 + 1.5 + 1)
    Case("keras.categorical_hinge", [[2.0, 0.5]], [[-1.0, 1.0]], [6.5], "target should be one-hot", twin=False),
    # both clipped to [1e-7, 1]: p = [1, 1e-7], q = [0.5, 0.5]
    Case("keras.kl_divergence", [[0.5, 0.5]], [[2.0, 0.0]], [LN2 + EPS * math.log(EPS / 0.5)], "Keras clips them to [1e-7, 1]"),
    # λ − t·log(λ + 1e-7), finite just below 0; a negative count as given
    Case("keras.poisson", [-1e-9], [1.0], [-1e-9 - math.log(EPS - 1e-9)], "pred should be non-negative, but test index [0] is -1e-09"),
    Case("keras.poisson", [1.0], [-1.0], [1 + math.log(1 + EPS)], "target should be non-negative"),
    # (1 − p_t)^γ·bce with the unclipped p = 1.5 in p_t: (1 − 1.5)² · −log(1 − 1e-7)
    Case("keras.binary_focal_crossentropy", [1.5], [1.0], [0.25 * -math.log(1 - EPS)], "is 1.5"),
    # renormalised and clipped p = [1 − 1e-7, 1e-7]: −α·(1 − p)^γ·log p for the true class
    Case("keras.categorical_focal_crossentropy", [[1.2, -0.2]], [[1.0, 0.0]],
         [-0.25 * (1 - (1 - EPS)) ** 2 * math.log(1 - EPS)], "is 1.2"),
    # (1 − p_y^q) / q with p_y = 1.21 and q = 0.5: (1 − 1.1) / 0.5
    Case("keras.categorical_generalized_cross_entropy:q=0.5", [[1.21, 0.0]], [0], [-0.2], "is 1.21 (1 such value)", twin=False),
    # one sample: 1 − 2·Σ p·t / (Σ p + Σ t + 1e-7)
    Case("keras.dice", [[1.5, 0.0]], [[1.0, 0.0]], [1 - 3 / (2.5 + EPS)], "Keras sums them as given"),
    # TP = 1.5, FP = 0, FN = Σ (1 − p)·t = −0.5: 1 − TP / (TP + 0.5·FP + 0.5·FN + 1e-7)
    Case("keras.tversky", [[1.5, 0.0]], [[1.0, 0.0]], [1 - 1.5 / (1.25 + EPS)], "Keras sums them as given"),
]  # scikit-learn 1.9's log errors take (−1, 0) silently, as it does: tests/test_sklearn_compat.py
IDS = [f"{c.spec}-{i}" for i, c in enumerate(CASES)]


def _entry(case: Case) -> LossEntry:
    return lookup(case.spec.split(":")[0])


def _run(case: Case, strict: bool = False) -> Any:
    return run(case.spec, case.pred, case.target, extra=case.extra, strict=strict)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_the_library_value_with_one_warning(case: Case) -> None:
    evaluation = _run(case)
    np.testing.assert_allclose(evaluation.results[0].per_sample, case.expected, rtol=1e-12, atol=1e-300)
    assert len(evaluation.warnings) == 1, evaluation.warnings
    message, hint = evaluation.warnings[0]
    line = f"{message}; {hint}"
    assert line.startswith(f"loss {case.spec!r}: ") and case.fragment in line
    assert f"the canonical {_entry(case).canonical!r} refuses them" in hint


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_strict_and_the_canonical_twin_refuse(case: Case) -> None:
    with pytest.raises(LossCliError, match="must be|mixes 0 and -1") as refused:
        _run(case, strict=True)
    assert "drop --strict to accept them with a warning" in str(refused.value.hint)
    if case.twin:
        with pytest.raises(LossCliError, match="must be|mixes 0 and -1"):
            run(_entry(case).canonical or "", case.pred, case.target)


def test_sklearn_agrees_live() -> None:
    from sklearn import metrics

    for case in CASES:
        if case.spec.startswith("sklearn."):
            expected = getattr(metrics, case.spec.split(".", 1)[1])(case.target, case.pred)
            assert run(case.spec, case.pred, case.target).results[0].value == pytest.approx(expected, rel=1e-14)


def test_the_library_still_refuses_what_it_refuses() -> None:
    with pytest.raises(LossCliError, match=r"input must be probabilities in \[0, 1\].* is 1.000000001"):  # PyTorch raises
        run("torch.binary_cross_entropy", [1.000000001], [1.0])
    with pytest.raises(LossCliError, match="must be class indices in"):  # PyTorch: target out of bounds
        run("torch.nll_loss", [[0.5, -1.0]], [2])
    with pytest.raises(LossCliError, match="target·log.target. is NaN"):  # PyTorch's xlogy: NaN for a negative target
        run("torch.kl_div", [[-1.0, -1.0]], [[1.5, -0.5]])
    with pytest.raises(LossCliError, match="must be non-negative.*is -1 .*log.λ \\+ 1e-7. is not finite"):
        run("keras.poisson", [-1.0], [1.0])
    with pytest.raises(LossCliError, match="p_y\\^q is NaN"):
        run("keras.categorical_generalized_cross_entropy", [[1.5, -0.5]], [0])
    with pytest.raises(LossCliError, match=r"must be probabilities in \[0, 1\]"):  # scikit-learn 1.9 raises
        run("sklearn.log_loss", [1.000000001, 0.5], [1, 0])
    with pytest.raises(LossCliError, match="must be greater than -1"):
        run("sklearn.mean_squared_log_error", [-1.0, 1.0], [1.0, 1.0])


def test_the_warning_counts_the_whole_pass_and_names_the_first_place() -> None:
    pred = np.full(40, 0.5)
    pred[[5, 17, 33]] = [1.25, -0.5, 1.000000001]
    evaluation = run("keras.binary_crossentropy", pred, np.ones(40), chunk_values=8)
    assert len(evaluation.warnings) == 1
    assert "test index [5] is 1.25 (3 such values)" in evaluation.warnings[0][0]
    whole = run("keras.binary_crossentropy", pred, np.ones(40))
    assert evaluation.results[0].value == whole.results[0].value


def test_keras_hinge_decides_over_the_whole_batch() -> None:
    # every label 0 or 1, across chunks: converted, no warning
    clean = run("keras.hinge", np.full(20, 0.5), np.tile([0.0, 1.0], 10), chunk_values=4)
    assert clean.warnings == [] and clean.results[0].value == pytest.approx((1.5 + 0.5) / 2)
    # a chunk of 0/1 labels already converted, then a -1 in a later chunk: Keras would not have converted
    labels = np.tile([0.0, 1.0], 10)
    labels[15] = -1
    with pytest.raises(LossCliError, match="decides over the whole batch"):
        run("keras.hinge", np.full(20, 0.5), labels, chunk_values=4)
    # the same labels in one chunk: used as given, so a 0 label costs 1
    whole = run("keras.hinge", np.full(20, 0.5), labels)
    assert whole.results[0].per_sample[0] == 1.0 and len(whole.warnings) == 1


def test_no_canonical_entry_is_lenient() -> None:
    canonical = [e.name for e in entries() if e.follows == "losscli" and e.lenient]
    assert canonical == []
    for entry in entries():
        for item in entry.lenient:
            assert item.role in {r.name for r in entry.roles} and entry.canonical
            assert item.check is Check.RANGE or entry.roles[[r.name for r in entry.roles].index(item.role)].kind.name == "HINGE_LABELS"


# --- the command line ---------------------------------------------------------------------------

@pytest.fixture
def keras_run(tmp_path: Path) -> Path:
    path = tmp_path / "run.csv"
    path.write_text("p,t\n0.9,1\n1.000000001,1\n0.2,0\n-1e-12,0\n")
    return path


def test_eval_warns_once_and_strict_refuses(keras_run: Path) -> None:
    args = ["eval", keras_run, "--pred-col", "p", "--target-col", "t", "--loss", "keras.binary_crossentropy", "-f", "json"]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(WARNING)
    assert f"{keras_run} row 2, column 'p' is 1.000000001 (2 such values); Keras clips them" in lines[0]
    expected = (-math.log(0.9) - math.log(1 - EPS) - math.log(0.8) - math.log(1 - EPS)) / 4
    assert strict_json(result.stdout)["losses"]["keras.binary_crossentropy"]["value"] == pytest.approx(expected, rel=1e-12)
    usage_error(cli(*args, "--strict"), "must be probabilities in [0, 1]", "is 1.000000001 (2 such values)")
    canonical = [a if a != "keras.binary_crossentropy" else "bce" for a in args]
    usage_error(cli(*canonical), "loss 'bce': pred must be probabilities in [0, 1]", "is 1.000000001")


def test_compare_warns_per_run_and_strict_refuses(keras_run: Path, tmp_path: Path) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text("p,t\n0.9,1\n0.9,1\n0.2,0\n0.1,0\n")
    args = ["compare", clean, keras_run, "--pred-col", "p", "--target-col", "t", "--loss", "keras.binary_crossentropy", "-f", "json"]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{WARNING}{keras_run}: loss 'keras.binary_crossentropy'")
    usage_error(cli(*args, "--strict"), "must be probabilities")


def test_check_reads_strict_from_the_toml_file(keras_run: Path, tmp_path: Path) -> None:
    config = tmp_path / "losscli.toml"
    body = '[eval]\npredictions = "run.csv"\nlosses = ["keras.binary_crossentropy"]\n{}[columns]\npred = "p"\ntarget = "t"\n'
    config.write_text(body.format(""))
    result = cli("check", config, "--format", "json")
    assert result.exit_code == 0 and result.stderr.count(WARNING) == 1, result.stderr
    config.write_text(body.format("strict = true\n"))
    usage_error(cli("check", config, "--format", "json"), "must be probabilities")
    config.write_text(body.format('strict = "yes"\n'))
    assert cli("check", config).stderr.startswith(ERROR)


def test_a_real_process_warns_once_and_strict_exits_2(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "run.csv").write_text("s,y\n0.5,-1\n0.5,0\n0.5,1\n")
    args = [sys.executable, "-m", "losscli", "eval", "run.csv", "--pred-col", "s", "--target-col", "y", "--loss", "keras.hinge",
            "-f", "json"]
    done = subprocess.run(args, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count(WARNING) == 1 and "run.csv row 2, column 'y' is 0 (1 such value)" in done.stderr
    assert strict_json(done.stdout)["losses"]["keras.hinge"]["value"] == pytest.approx((1.5 + 1.0 + 0.5) / 3)
    strict = subprocess.run([*args, "--strict"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert strict.returncode == 2 and strict.stdout == ""
    assert strict.stderr.count("\n") == 1 and strict.stderr.startswith(f"{ERROR}loss 'keras.hinge': target") and "mixes 0 and -1" in strict.stderr


def test_a_lenient_role_bound_positionally_from_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """PRED binds torch's `input` role: its leniency is the entry's, whatever name the user bound it by."""
    np.save(tmp_path / "scores.npy", np.array([[0.5, -1.0], [-0.2, -2.0]]))
    np.save(tmp_path / "labels.npy", np.array([0, 1]))
    args = ["eval", str(tmp_path / "scores.npy"), str(tmp_path / "labels.npy"), "--loss", "torch.nll_loss", "--format", "json"]
    out = cli(*args)
    assert out.exit_code == 0, out.stderr
    assert out.stderr.count("losscli: warning:") == 1
    assert json.loads(out.stdout)["losses"]["torch.nll_loss"]["value"] == pytest.approx((-0.5 + 2.0) / 2)
    assert cli(*args, "--strict").exit_code == 2
