"""scikit-learn's labels in the sklearn.* entries: numbers or text, mapped to columns by sorted value.

Every value is compared with live scikit-learn: property-based over random labels (text, numbers
not starting at 0, classes absent from y_true but named by labels=), weights and pos_label; then
the real command on files and stdin, and the errors for labels that do not fit.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import cli, per_sample, strict_json, usage_error, value
from losscli.errors import LossCliError
from losscli.spec import parse_spec
from test_hostile_exits import losscli, shell

metrics = pytest.importorskip("sklearn.metrics")
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WORDS = ["ant", "bee", "cat", "dog", "eel", "Fox", "gnu", "10", "9"]  # "10" < "9" as text; "Fox" < "ant"


def _spec(name: str, **params: Any) -> str:
    """A loss spec with list and text parameters written as the command line takes them."""
    def shown(v: Any) -> str:
        if isinstance(v, list):
            return "[" + ",".join(shown(i) for i in v) + "]"
        return f"'{v}'" if isinstance(v, str) else repr(v)

    items = [f"{k}={shown(v)}" for k, v in params.items() if v is not None]
    return name + (":" + ",".join(items) if items else "")


@st.composite
def labelled(draw: st.DrawFn, min_classes: int = 2, max_classes: int = 5) -> dict[str, Any]:
    """Random labels: text or integers from an offset; sometimes labels= naming classes y_true lacks."""
    n_classes = draw(st.integers(min_classes, max_classes))
    if draw(st.booleans()):
        classes: list[Any] = sorted(draw(st.lists(st.sampled_from(WORDS), min_size=n_classes, max_size=n_classes, unique=True)))
    else:
        start = draw(st.integers(-5, 5))
        step = draw(st.integers(1, 3))
        classes = [start + step * i for i in range(n_classes)]
    n = draw(st.integers(3, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    give_labels = draw(st.booleans())
    present = classes if not give_labels else [c for c in classes if draw(st.booleans())] or classes[:1]
    if not give_labels:  # every class occurs
        y = np.array([*present, *rng.choice(np.array(present, dtype=object), n)], dtype=object)
    else:
        y = rng.choice(np.array(present, dtype=object), n + len(present))
    y = np.array(y.tolist())  # str or int dtype
    weights = rng.uniform(0, 3, len(y)) if draw(st.booleans()) else None
    if weights is not None:
        weights[rng.uniform(size=len(y)) < 0.2] = 0.0
        weights[0] = 1.0  # never all zero
    listed = None
    if give_labels:
        listed = list(classes)
        rng.shuffle(listed)  # any order: columns follow the sorted order
    return {"classes": classes, "y": y, "weights": weights, "labels": listed, "rng": rng}


def _probabilities(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    p = rng.dirichlet(np.ones(k), size=n)
    p[rng.uniform(size=n) < 0.1] = np.eye(k)[0]  # saturated rows: clipped
    return p


def _sklearn(fn: Any, *args: Any, **kwargs: Any) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # labels= out of order, rows not summing to 1
        return float(fn(*args, **{k: v for k, v in kwargs.items() if v is not None}))


def _close(got: float, expected: float) -> None:
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-14)


@SETTINGS
@given(case=labelled())
def test_log_loss_maps_labels_like_scikit_learn(case: dict[str, Any]) -> None:
    y, w, labels, k = case["y"], case["weights"], case["labels"], len(case["classes"])
    p = _probabilities(case["rng"], len(y), k)
    expected = _sklearn(metrics.log_loss, y, p, sample_weight=w, labels=labels)
    _close(value(_spec("sklearn.log_loss", labels=labels), p, y, w), expected)
    if k == 2:  # (N,) probabilities of the larger class
        _close(value(_spec("sklearn.log_loss", labels=labels), p[:, 1], y, w),
               _sklearn(metrics.log_loss, y, p[:, 1], sample_weight=w, labels=labels))


@SETTINGS
@given(case=labelled())
def test_log_loss_normalize_false_is_the_weighted_sum(case: dict[str, Any]) -> None:
    y, w, labels, k = case["y"], case["weights"], case["labels"], len(case["classes"])
    p = _probabilities(case["rng"], len(y), k)
    expected = _sklearn(metrics.log_loss, y, p, sample_weight=w, labels=labels, normalize=False)
    _close(value(_spec("sklearn.log_loss", labels=labels, normalize=False), p, y, w), expected)


@SETTINGS
@given(case=labelled(min_classes=3))
def test_multiclass_brier_maps_labels_like_scikit_learn(case: dict[str, Any]) -> None:
    y, w, labels, k = case["y"], case["weights"], case["labels"], len(case["classes"])
    p = _probabilities(case["rng"], len(y), k)
    for scale in ("auto", True, False):
        expected = _sklearn(metrics.brier_score_loss, y, p, sample_weight=w, labels=labels, scale_by_half=scale)
        spec = _spec("sklearn.brier_score_loss", labels=labels, scale_by_half=None if scale == "auto" else scale)
        _close(value(spec.replace("True", "true").replace("False", "false"), p, y, w), expected)


@SETTINGS
@given(case=labelled(min_classes=1, max_classes=2), choose=st.booleans())
def test_binary_brier_and_pos_label_like_scikit_learn(case: dict[str, Any], choose: bool) -> None:
    y, w = case["y"], case["weights"]
    p = case["rng"].uniform(0, 1, len(y))
    text = y.dtype.kind == "U"
    pos_label = case["classes"][0] if (choose or text) else None  # text labels need pos_label
    expected = _sklearn(metrics.brier_score_loss, y, p, sample_weight=w, pos_label=pos_label)
    _close(value(_spec("sklearn.brier_score_loss", pos_label=pos_label), p, y, w), expected)


@SETTINGS
@given(case=labelled(min_classes=1))
def test_hinge_loss_maps_labels_like_scikit_learn(case: dict[str, Any]) -> None:
    y, w, labels, k = case["y"], case["weights"], case["labels"], len(case["classes"])
    rng = case["rng"]
    n_classes = len(np.unique(labels if labels is not None else y))
    s = rng.normal(0, 1.5, (len(y), k)) if n_classes > 2 else rng.normal(0, 1.5, len(y))
    expected = _sklearn(metrics.hinge_loss, y, s, sample_weight=w, labels=labels)
    _close(value(_spec("sklearn.hinge_loss", labels=labels), s, y, w), expected)


@SETTINGS
@given(case=labelled(min_classes=1, max_classes=6), wrong=st.floats(0, 1))
def test_zero_one_and_hamming_compare_labels_like_scikit_learn(case: dict[str, Any], wrong: float) -> None:
    y, w, rng = case["y"], case["weights"], case["rng"]
    pred = np.where(rng.uniform(size=len(y)) < wrong, rng.choice(y, len(y)), y)
    _close(value("sklearn.zero_one_loss", pred, y, w), _sklearn(metrics.zero_one_loss, y, pred, sample_weight=w))
    assert value("sklearn.zero_one_loss:normalize=false", pred, y, w) == pytest.approx(
        _sklearn(metrics.zero_one_loss, y, pred, sample_weight=w, normalize=False), rel=1e-12, abs=1e-12)
    _close(value("sklearn.hamming_loss", pred, y, w), _sklearn(metrics.hamming_loss, y, pred, sample_weight=w))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_weighted_median_is_scikit_learns(data: st.DataObject) -> None:
    n = data.draw(st.integers(1, 30))
    errors = st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.5]) if data.draw(st.booleans()) else st.floats(-5, 5)  # ties, or not
    pred = np.array(data.draw(st.lists(errors, min_size=n, max_size=n)))
    weights = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.0]) | st.floats(0, 4), min_size=n, max_size=n)))
    assume(weights.any())  # scikit-learn refuses all-zero weights (losscli's median is then null)
    true = np.zeros(n)
    expected = _sklearn(metrics.median_absolute_error, true, pred, sample_weight=weights)
    got = value("sklearn.median_absolute_error", pred, true, weights)
    assert (np.isnan(got) and np.isnan(expected)) or got == expected


def test_weighted_median_by_hand() -> None:
    # errors 1, 2, 3 with weights 1, 1, 2: half the total is 2, reached exactly at 2, so (2 + 3) / 2
    assert value("sklearn.median_absolute_error", [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [1.0, 1.0, 2.0]) == 2.5
    # weights 1, 1, 3: half is 2.5, passed at 3 only
    assert value("sklearn.median_absolute_error", [1.0, 2.0, 3.0], [0.0, 0.0, 0.0], [1.0, 1.0, 3.0]) == 3.0
    # the next value of zero weight is skipped: (2 + 4) / 2
    assert value("sklearn.median_absolute_error", [1.0, 2.0, 3.0, 4.0], [0.0] * 4, [1.0, 1.0, 0.0, 2.0]) == 3.0
    # unit weights on an even count: the midpoint, as the unweighted median; all weights zero: null
    assert value("sklearn.median_absolute_error", [1.0, 2.0], [0.0, 0.0], [1.0, 1.0]) == 1.5
    assert np.isnan(value("sklearn.median_absolute_error", [1.0, 2.0], [0.0, 0.0], [0.0, 0.0]))


def test_log_loss_docstring_example_with_text_labels() -> None:
    # log_loss(["spam", "ham", "ham", "spam"], [[.1, .9], [.9, .1], [.8, .2], [.35, .65]]) -> 0.21616
    proba = [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]]
    y = np.array(["spam", "ham", "ham", "spam"])
    assert value("sklearn.log_loss", proba, y) == pytest.approx(metrics.log_loss(y, proba), rel=1e-12)
    assert value("sklearn.log_loss:labels=[spam,ham]", proba, y) == value("sklearn.log_loss", proba, y)


def test_labels_are_sorted_as_text_not_as_numbers() -> None:
    # as text "10" < "9": the first column is class "10"
    y = np.array(["9", "10", "9"])
    proba = [[0.2, 0.8], [0.7, 0.3], [0.4, 0.6]]
    assert value("sklearn.log_loss", proba, y) == pytest.approx(metrics.log_loss(y, proba), rel=1e-12)
    np.testing.assert_allclose(per_sample("sklearn.log_loss", proba, y), -np.log([0.8, 0.7, 0.6]))


@pytest.mark.parametrize(("spec", "pred", "true", "fragment"), [
    ("sklearn.log_loss:labels=[cat,dog]", [[0.5, 0.5]] * 2, ["cat", "bird"], "holds the label bird, not among labels=[cat, dog]"),
    ("sklearn.log_loss", [[0.2, 0.3, 0.5]] * 2, ["cat", "dog"], "y_true has 2 classes [cat, dog] but y_proba has 3 columns"),
    ("sklearn.log_loss", [[0.5, 0.5]] * 3, ["a", "b", "c"], "y_true has 3 classes [a, b, c] but y_proba has 2 columns"),
    ("sklearn.log_loss:labels=[a,b,c]", [[0.5, 0.5]] * 2, ["a", "b"], "labels= has 3 classes [a, b, c] but y_proba has 2"),
    ("sklearn.log_loss", [0.5, 0.5], ["a", "a"], "y_true holds one label only (a)"),
    ("sklearn.log_loss:labels=[1,2]", [0.5, 0.5], ["1", "2"], "labels= are numbers but y_true (2,) from test holds text"),
    ("sklearn.brier_score_loss", [0.5, 0.5], ["a", "b"], "pos_label is not given"),
    ("sklearn.brier_score_loss", [0.5, 0.5, 0.1], [1, 2, 3], "must hold two labels at most, but holds [1, 2, 3]"),
    ("sklearn.brier_score_loss:pos_label=1", [0.5, 0.5], ["1", "2"], "pos_label=1 is a number but y_true holds text"),
    ("sklearn.hinge_loss:labels=[a,b,c]", [[0.5, 0.5, 0.1]] * 2, ["a", "d"], "holds the label d, not among labels=[a, b, c]"),
    ("sklearn.zero_one_loss", [1, 2], ["1", "2"], "y_pred holds numbers but y_true text"),
])
def test_labels_that_do_not_fit_are_errors(spec: str, pred: Any, true: Any, fragment: str) -> None:
    with pytest.raises(LossCliError) as info:
        value(spec, pred, np.array(true))
    assert fragment in str(info.value)


@pytest.mark.parametrize(("text", "params"), [
    ("sklearn.log_loss:labels=[cat,dog]", {"labels": ["cat", "dog"]}),
    ("sklearn.log_loss:labels=['New York',\"a,b\",'1']", {"labels": ["New York", "a,b", "1"]}),
    ("sklearn.brier_score_loss:pos_label=dog,labels=[0,1]", {"pos_label": "dog", "labels": [0, 1]}),
    ("sklearn.brier_score_loss:scale_by_half=auto", {"scale_by_half": "auto"}),
])
def test_specs_take_text_labels(text: str, params: dict[str, Any]) -> None:
    assert parse_spec(text).params == params


@pytest.mark.parametrize(("text", "fragment"), [
    ("sklearn.log_loss:labels=[1,cat]", "mixes numbers and text labels"),
    ("sklearn.log_loss:labels=cat", "takes a list of labels"),
    ("sklearn.log_loss:labels=[]", "must not be an empty list"),
    ("sklearn.brier_score_loss:pos_label=[1,2]", "takes one label, not a list"),
    ("sklearn.brier_score_loss:scale_by_half=maybe", "must be auto, true or false"),
    ("huber:delta=big", "must be a number, got 'big'"),
    ("sklearn.log_loss:labels=['cat]", "unbalanced quotes"),
])
def test_bad_label_parameters_are_usage_errors(text: str, fragment: str) -> None:
    usage_error(cli("eval", "x.csv", "--loss", text), fragment)


# --- the real command ---------------------------------------------------------------------

CAT_DOG = "p_cat,p_dog,label,w\n0.9,0.1,cat,1\n0.2,0.8,dog,2\n0.6,0.4,dog,0.5\n0.3,0.7,cat,1\n"


def _cat_dog(tmp_path: Path) -> Path:
    path = tmp_path / "pets.csv"
    path.write_text(CAT_DOG)
    return path


def _expected(**kwargs: Any) -> float:
    y = ["cat", "dog", "dog", "cat"]
    p = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]]
    return float(metrics.log_loss(y, p, **kwargs))


def test_cat_dog_csv_with_sklearn_log_loss(tmp_path: Path) -> None:
    path = _cat_dog(tmp_path)
    result = losscli("eval", path, "--pred-col", "p_*", "--target-col", "label", "--loss", "sklearn.log_loss",
                     "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    doc = strict_json(result.stdout)
    assert doc["losses"]["sklearn.log_loss"]["value"] == pytest.approx(_expected(), rel=1e-12)
    assert doc["losses"]["sklearn.log_loss"]["params"] == {"normalize": True, "labels": None}


def test_cat_dog_csv_weighted_with_labels_and_other_losses(tmp_path: Path) -> None:
    path = _cat_dog(tmp_path)
    doc = strict_json(cli("eval", path, "--pred-col", "p_*", "--target-col", "label", "--weight-col", "w",
                          "--loss", "sklearn.log_loss:labels=[dog,cat]", "--loss", "sklearn.brier_score_loss",
                          "--format", "json").stdout)
    w = [1, 2, 0.5, 1]
    assert doc["losses"]["sklearn.log_loss:labels=[dog,cat]"]["value"] == pytest.approx(_expected(sample_weight=w), rel=1e-12)
    y, p = ["cat", "dog", "dog", "cat"], np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    assert doc["losses"]["sklearn.brier_score_loss"]["value"] == pytest.approx(
        metrics.brier_score_loss(y, p, sample_weight=w), rel=1e-12)


def test_cat_dog_one_column_with_pos_label_and_groups(tmp_path: Path) -> None:
    path = _cat_dog(tmp_path)
    doc = strict_json(cli("eval", path, "--pred-col", "p_dog", "--target-col", "label", "--group-by", "label",
                          "--loss", "sklearn.brier_score_loss:pos_label=dog", "--loss", "sklearn.hinge_loss",
                          "--format", "json").stdout)
    y, p = np.array(["cat", "dog", "dog", "cat"]), np.array([0.1, 0.8, 0.4, 0.7])
    assert doc["losses"]["sklearn.brier_score_loss:pos_label=dog"]["value"] == pytest.approx(
        metrics.brier_score_loss(y, p, pos_label="dog"), rel=1e-12)
    assert doc["losses"]["sklearn.hinge_loss"]["value"] == pytest.approx(metrics.hinge_loss(y, p), rel=1e-12)
    assert {row["group"] for row in doc["groups"]["rows"]} == {"cat", "dog"}


def test_numeric_csv_labels_are_numbers_not_text(tmp_path: Path) -> None:
    # 1.0 and 1 are one class, and 10 sorts after 9 (as numbers)
    (tmp_path / "n.csv").write_text("a,b,label\n0.2,0.8,10\n0.7,0.3,9\n0.4,0.6,1e1\n0.5,0.5,9.0\n")
    doc = strict_json(cli("eval", tmp_path / "n.csv", "--pred-col", "a,b", "--target-col", "label",
                          "--loss", "sklearn.log_loss", "--format", "json").stdout)
    y, p = [10, 9, 10, 9], [[0.2, 0.8], [0.7, 0.3], [0.4, 0.6], [0.5, 0.5]]
    assert doc["losses"]["sklearn.log_loss"]["value"] == pytest.approx(metrics.log_loss(y, p), rel=1e-12)


def test_text_labels_in_parquet_and_npz(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    y, p = np.array(["b", "c", "a", "c"]), np.array([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [0.6, 0.2, 0.2], [0.3, 0.3, 0.4]])
    pq.write_table(pa.table({"p0": p[:, 0], "p1": p[:, 1], "p2": p[:, 2], "y": y}), tmp_path / "t.parquet")
    np.savez(tmp_path / "t.npz", pred=p, target=y)
    expected = metrics.log_loss(y, p)
    for args in ([tmp_path / "t.parquet", "--pred-col", "p*", "--target-col", "y"], [tmp_path / "t.npz"]):
        doc = strict_json(cli("eval", *args, "--loss", "sklearn.log_loss", "--format", "json").stdout)
        assert doc["losses"]["sklearn.log_loss"]["value"] == pytest.approx(expected, rel=1e-12)


def test_integer_labels_from_one_in_npy(tmp_path: Path) -> None:
    y, s = np.array([1, 2, 3, 2, 1]), np.random.default_rng(0).normal(size=(5, 3))
    np.save(tmp_path / "s.npy", s)
    np.save(tmp_path / "y.npy", y)
    doc = strict_json(cli("eval", tmp_path / "s.npy", tmp_path / "y.npy", "--loss", "sklearn.hinge_loss", "--format", "json").stdout)
    assert doc["losses"]["sklearn.hinge_loss"]["value"] == pytest.approx(metrics.hinge_loss(y, s), rel=1e-12)


def test_stdin_needs_labels(tmp_path: Path) -> None:
    _cat_dog(tmp_path)
    line = "losscli eval - --input-format csv --pred-col 'p_*' --target-col label --loss {} < pets.csv"
    usage_error(shell(line.format("sklearn.log_loss"), tmp_path), "can be read only once", "labels=[")
    result = shell(line.format("sklearn.log_loss:labels=[cat,dog]") + " --format json", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["losses"]["sklearn.log_loss:labels=[cat,dog]"]["value"] == pytest.approx(_expected(), rel=1e-12)


def test_stdin_label_missing_from_labels_is_an_error(tmp_path: Path) -> None:
    _cat_dog(tmp_path)
    line = "losscli eval - --input-format csv --pred-col 'p_*' --target-col label --loss 'sklearn.log_loss:labels=[cat,cow]' < pets.csv"
    usage_error(shell(line, tmp_path), "holds the label dog, not among labels=[cat, cow]")


def test_too_many_labels_for_the_columns(tmp_path: Path) -> None:
    (tmp_path / "z.csv").write_text("p_a,p_b,label\n0.5,0.5,a\n0.5,0.5,b\n0.5,0.5,c\n")
    usage_error(cli("eval", tmp_path / "z.csv", "--pred-col", "p_*", "--target-col", "label", "--loss", "sklearn.log_loss"),
                "y_true has 3 classes [a, b, c] but y_proba has 2 columns")


def test_the_label_read_is_bounded(tmp_path: Path) -> None:
    rows = "".join(f"0.5,0.5,c{i}\n" for i in range(50))
    (tmp_path / "many.csv").write_text("p_a,p_b,label\n" + rows)
    usage_error(losscli("eval", "many.csv", "--pred-col", "p_*", "--target-col", "label", "--loss", "sklearn.log_loss",
                        cwd=tmp_path, env={"LOSSCLI_MAX_CLASSES": "20"}),
                "more than 20 distinct values", "LOSSCLI_MAX_CLASSES")


def test_an_empty_text_label_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("p_a,p_b,label\n0.5,0.5,a\n0.5,0.5,\n0.5,0.5,b\n")
    usage_error(cli("eval", tmp_path / "e.csv", "--pred-col", "p_*", "--target-col", "label", "--loss", "sklearn.log_loss"),
                "has an empty label")


def test_zero_one_loss_on_text_columns(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("pred,target\ncat,cat\ndog,cat\nbird,bird\ncat,dog\n")
    doc = strict_json(cli("eval", tmp_path / "c.csv", "--loss", "sklearn.zero_one_loss", "--loss", "sklearn.hamming_loss",
                          "--loss", "sklearn.zero_one_loss:normalize=false", "--format", "json").stdout)
    assert doc["losses"]["sklearn.zero_one_loss"]["value"] == 0.5
    assert doc["losses"]["sklearn.hamming_loss"]["value"] == 0.5
    assert doc["losses"]["sklearn.zero_one_loss:normalize=false"]["value"] == 2.0


def test_compare_runs_scored_against_text_labels(tmp_path: Path) -> None:
    (tmp_path / "y.csv").write_text("label\ncat\ndog\ndog\ncat\n")
    (tmp_path / "a.csv").write_text("p_cat,p_dog\n0.9,0.1\n0.2,0.8\n0.6,0.4\n0.3,0.7\n")
    (tmp_path / "b.csv").write_text("p_cat,p_dog\n0.8,0.2\n0.1,0.9\n0.3,0.7\n0.6,0.4\n")
    result = cli("compare", tmp_path / "a.csv", tmp_path / "b.csv", "--target", tmp_path / "y.csv", "--pred-col", "p_*",
                 "--target-col", "label", "--loss", "sklearn.log_loss", "--bootstrap", "50", "--seed", "0", "--format", "json")
    assert result.exit_code == 0, result.stderr
    doc = strict_json(result.stdout)
    assert doc["paired"] is True
    y = ["cat", "dog", "dog", "cat"]
    a = metrics.log_loss(y, [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.3, 0.7]])
    b = metrics.log_loss(y, [[0.8, 0.2], [0.1, 0.9], [0.3, 0.7], [0.6, 0.4]])
    assert doc["rows"][0]["baseline"] == pytest.approx(a, rel=1e-12)
    assert doc["rows"][0]["delta"] == pytest.approx(b - a, rel=1e-9)
