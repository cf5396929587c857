"""scikit-learn-compatible losses: ``sklearn.<metric name>`` from ``sklearn.metrics``.

Each reproduces the ``sklearn.metrics`` function with its default arguments. Roles keep
scikit-learn's argument names (``y_pred``/``y_proba``/``pred_decision`` and ``y_true``) but
the prediction comes first, as everywhere in losscli. Sample weights act as scikit-learn's
``sample_weight`` (``np.average``: Σ w·l / Σ w). For (N, K) multi-output regression the
default ``multioutput='uniform_average'`` averages the per-output means, which equals the
mean of per-sample means over K; where scikit-learn instead takes a root or a median per
output before averaging, only one output is accepted.
"""

from __future__ import annotations

import numpy as np

from losscli.errors import LossCliError
from losscli.losses._math import per_sample_mean, xlogy
from losscli.losses.sklearn_labels import check_binary, class_count, encode, one_hot, positive_label, shown, whole_numbers
from losscli.registry import Example, Kind, Param, Reducer, Role, Shape, register
from losscli.registry.validation import shown as shown_value

NP_AVERAGE = "sample_weight as scikit-learn's np.average: Σ w·l / Σ w."
UNIFORM_AVERAGE = ("(N, K) outputs: the mean over outputs per sample, so the mean equals"
                   " multioutput='uniform_average'; multioutput=[…] (one weight per output) averages the outputs"
                   " with those weights, as scikit-learn's array multioutput. " + NP_AVERAGE)
MULTIOUTPUT = Param("multioutput", "float_list", None, "one weight per output: their weighted average (none: uniform)", low=0.0)
REGRESSION_EXAMPLE = Example({"y_pred": [2.5, 0.0, 2.0, 8.0], "y_true": [3.0, -0.5, 2.0, 7.0]})
DEVIANCE_EXAMPLE = Example({"y_pred": [0.5, 0.5, 2.0, 2.0], "y_true": [2.0, 0.0, 1.0, 4.0]})
PRED = Role("y_pred", Kind.VALUES, Shape.ANY, "estimated target values, (N,) or (N, K) outputs")
TRUE = Role("y_true", Kind.VALUES, doc="true target values, same shape")
VALUE_ROLES = (PRED, TRUE)
ONE_OUTPUT_ROLES = (
    Role("y_pred", Kind.VALUES, doc="estimated target values: (N,) or (N, 1), one output (see convention)"),
    TRUE,
)
VECTOR_ROLES = (Role("y_pred", Kind.VALUES, Shape.VECTOR, "estimated target values, (N,)"), TRUE)


def _sklearn(name: str, canonical: str, **declarations):  # type: ignore[no-untyped-def]
    return register(name=f"sklearn.{name}", follows="sklearn", canonical=canonical, **declarations)


# --- checks only the function can see ------------------------------------------------------

def _first_bad(values: np.ndarray, bad: np.ndarray) -> str:
    """``3 values (the first: -0.5)``: how many of ``values`` are ``bad``, and the first of them."""
    count = int(bad.sum())
    first = values.reshape(-1)[int(np.argmax(bad.reshape(-1)))]
    return f"{count} value{'s' if count > 1 else ''} (the first: {shown_value(first)})"


def _zero_one_rows(y_true: np.ndarray, name: str) -> None:
    bad = (y_true != 0) & (y_true != 1)
    if bad.any():
        raise LossCliError(
            f"sklearn.{name}: (N, K) y_true must hold 0/1 indicator rows, but has {_first_bad(y_true, bad)} that are not",
            "give (N,) labels, one per sample, or 0/1 rows",
        )


def _outputs(elementwise: np.ndarray, multioutput: list[float] | None, name: str) -> np.ndarray:
    """Each sample's average over its K outputs: uniform, or Σ_k m_k·e_k / Σ_k m_k with the ``multioutput`` weights."""
    if multioutput is None:
        return per_sample_mean(elementwise)
    values = elementwise.reshape(len(elementwise), -1)
    if values.shape[1] != len(multioutput):
        raise LossCliError(f"sklearn.{name}: multioutput has {len(multioutput)} weights but there are {values.shape[1]} outputs",
                           "give one weight per output column")
    weights = np.asarray(multioutput, dtype=np.float64)
    if not weights.sum() > 0:
        raise LossCliError(f"sklearn.{name}: the multioutput weights sum to 0", "give at least one output a positive weight")
    return values @ weights / weights.sum()


def _one_output(y_pred: np.ndarray, name: str, per_output: str) -> None:
    """Refuse (N, K > 1): scikit-learn's value is not a mean of per-sample values there."""
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        raise LossCliError(
            f"sklearn.{name} takes a single output here, got {y_pred.shape[1]} outputs: with several outputs"
            f" scikit-learn takes the {per_output} of each output over the samples, then averages those {y_pred.shape[1]}"
            " numbers, which is not a reduction of per-sample losses",
            "select one output column (and evaluate each output separately)",
        )


def _multiclass_targets(
    y_proba: np.ndarray, y_true: np.ndarray, labels: list | None, classes: np.ndarray | None, name: str,
) -> tuple[np.ndarray, np.ndarray]:
    """(N, C) probabilities and one-hot targets as scikit-learn builds them; (N,) y_proba p is [1 − p, p].

    Labels take columns by their sorted distinct values (of ``labels=`` when given, else of y_true);
    (N, K) 0/1 y_true rows (no ``classes``) are used as they are.
    """
    prob = np.stack([1 - y_proba, y_proba], axis=1) if y_proba.ndim == 1 else y_proba
    if classes is None:
        _zero_one_rows(y_true, name)
        return prob, y_true.astype(prob.dtype, copy=False)
    whole_numbers(classes, name)
    what = "y_proba" if y_proba.ndim == 2 else "(N,) y_proba (as [1 − p, p])"
    class_count(classes, prob.shape[1], labels is not None, name, what)
    return prob, one_hot(encode(y_true.reshape(-1), classes, name), prob.shape[1], prob.dtype)


def _flat(y_proba: np.ndarray) -> np.ndarray:
    """(N, 1) as (N,): one column is the probability of the positive class."""
    return y_proba.reshape(-1) if y_proba.ndim == 2 and y_proba.shape[1] == 1 else y_proba


def _tweedie_domain(y_pred: np.ndarray, y_true: np.ndarray, power: float, name: str) -> None:
    """scikit-learn's domain rules for the Tweedie deviance of a given power."""
    if 0 < power < 1:
        raise LossCliError(f"sklearn.{name}: power={power:g} is not allowed", "power must be <= 0 or >= 1")
    if power < 0:
        bad_true, needs = np.zeros(y_true.shape, dtype=bool), "strictly positive y_pred"
    elif power == 0:
        return
    elif power < 2:
        bad_true, needs = y_true < 0, "non-negative y_true and strictly positive y_pred"
    else:
        bad_true, needs = y_true <= 0, "strictly positive y_true and y_pred"
    bad_pred = y_pred <= 0
    for role, values, bad in (("y_pred", y_pred, bad_pred), ("y_true", y_true, bad_true)):
        if bad.any():
            raise LossCliError(
                f"sklearn.{name} with power={power:g} needs {needs}, but {role} has {_first_bad(values, bad)} outside that range",
                "power=0 (squared error) takes any real values; power < 0 needs only y_pred > 0",
            )


def tweedie_deviance(y_pred: np.ndarray, y_true: np.ndarray, power: float) -> np.ndarray:
    """Elementwise unit deviance of a Tweedie distribution with the given power (scikit-learn's cases)."""
    p, y = y_pred, y_true
    if power == 0:
        return np.square(y - p)
    if power == 1:
        return 2 * (xlogy(y, y / p) - y + p)
    if power == 2:
        return 2 * (np.log(p / y) + y / p - 1)
    a, b = 1 - power, 2 - power
    y_term = np.power(np.maximum(y, 0) if power < 0 else y, b)
    return 2 * (y_term / (a * b) - y * np.power(p, a) / a + np.power(p, b) / b)


# --- classification ------------------------------------------------------------------------

LABELS = Param("labels", "label_list", None, "every class, e.g. [cat,dog] or [0,1,2]; columns follow their sorted order")
NORMALIZE = Param("normalize", "bool", True, "false: the (weighted) sum Σ w·l instead of the mean")
LABEL_TRUE = Role("y_true", Kind.LABELS, Shape.INDEX_OR_SAME,
                  "labels: numbers or text, one per sample (or (N, K) 0/1 indicator rows like y_proba)")
LABEL_MAPPING = ("Labels are numbers or text; class c has the column of c among the sorted distinct values of labels="
                 " when given, else of the whole y_true (read once before the pass; from a stream, give labels=).")


@_sklearn(
    "log_loss", "bce", task="binary",
    roles=(Role("y_proba", Kind.PROBABILITIES, Shape.ANY,
                "(N,) probability of the larger class, or (N, K) class probabilities (columns in sorted label order)"),
           LABEL_TRUE),
    params=(NORMALIZE, LABELS),
    formula="l = −log clip(p_c, eps, 1 − eps),  c = the column of the sample's label,  eps = machine epsilon of y_proba's"
    " dtype; (N,) y_proba p means the columns [1 − p, p]",
    convention="Clipped to [eps, 1 − eps] with eps = np.finfo(y_proba.dtype).eps (2.2e-16 for float64,"
    " 1.19e-7 for float32), so p = 0 for the true class costs −log(eps) ≈ 36.04 in float64. Rows that do not sum"
    " to 1 are used as given (scikit-learn only warns). " + LABEL_MAPPING + " There must be as many classes as"
    " columns (two for (N,) y_proba) and at least two. normalize=false gives the sum. " + NP_AVERAGE,
    example=Example({"y_proba": [[0.1, 0.9], [0.9, 0.1], [0.8, 0.2], [0.35, 0.65]], "y_true": ["dog", "cat", "cat", "dog"]}),
    keeps_dtype=True, classes_of="y_true",
)
def sklearn_log_loss(
    y_proba: np.ndarray, y_true: np.ndarray, normalize: bool, labels: list | None,
    classes: np.ndarray | None = None, seen: np.ndarray | None = None,
) -> np.ndarray:
    """sklearn.metrics.log_loss.

    ``normalize`` acts on the reduction (false: the sum, see LossEntry.reducer_for), not on each sample.
    """
    eps = np.finfo(y_proba.dtype).eps  # of the input's precision, as scikit-learn; the arithmetic is float64
    prob, target = _multiclass_targets(_flat(y_proba).astype(np.float64), y_true, labels, classes, "log_loss")
    return -(target * np.log(np.clip(prob, eps, 1 - eps))).sum(axis=1)


@_sklearn(
    "hinge_loss", "hinge", task="binary",
    roles=(Role("pred_decision", Kind.VALUES, Shape.ANY,
                "(N,) decision values (two classes), or (N, K) one per class (three or more)"),
           Role("y_true", Kind.LABELS, Shape.INDEX_OR_SAME, "labels: numbers or text, one per sample")),
    params=(LABELS,),
    formula="binary: l = max(0, 1 − y·s), y = +1 for the larger label, −1 for the other;"
    "  multiclass: l = max(0, 1 − (s_y − max_{c≠y} s_c))",
    convention="Two classes (or fewer) in labels= or y_true: (N,) decision values, the larger label is +1 (so −1/1,"
    " 0/1 and −1/0 work, as do text labels); a y_true of one label only scores every sample as −1, as scikit-learn."
    " Three or more: (N, K) decision values, one column per class in sorted label order, and the Crammer–Singer"
    " margin. " + LABEL_MAPPING + " " + NP_AVERAGE,
    example=Example({"pred_decision": [-2.18, 2.36, 0.09], "y_true": [-1, 1, 1]}), classes_of="y_true",
)
def sklearn_hinge_loss(
    pred_decision: np.ndarray, y_true: np.ndarray, labels: list | None,
    classes: np.ndarray | None = None, seen: np.ndarray | None = None,
) -> np.ndarray:
    """sklearn.metrics.hinge_loss."""
    assert classes is not None  # y_true is one label per sample
    s, y = pred_decision, y_true.reshape(-1)
    position = encode(y, classes, "hinge_loss")
    if len(classes) > 2:
        if s.ndim == 1 or s.shape[1] != len(classes):
            raise LossCliError(
                f"sklearn.hinge_loss: {'labels=' if labels is not None else 'y_true'} has {len(classes)} classes"
                f" {shown(classes)}, so pred_decision must be (N, {len(classes)}), got {s.shape[1] if s.ndim == 2 else 1}"
                " column(s)" + ("" if labels is not None else " (when y_true lacks some classes, list them all in labels=)"),
                "give one decision value per class, in the sorted order of the labels",
            )
        rows = np.arange(len(y))
        others = s.copy()
        others[rows, position] = -np.inf
        return np.maximum(0, 1 - (s[rows, position] - others.max(axis=1)))
    if s.ndim == 2 and s.shape[1] != 1:
        raise LossCliError(
            f"sklearn.hinge_loss: {len(classes)} class{'es' if len(classes) > 1 else ''} {shown(classes)} take (N,) decision"
            f" values, but pred_decision has {s.shape[1]} columns",
            "give (N,) decision values, or list every class in labels= for (N, K) values",
        )
    binarized = seen if seen is not None else classes  # scikit-learn binarizes y_true's own labels
    whole_numbers(binarized, "hinge_loss")
    sign = np.where(y == binarized[-1], 1.0, -1.0) if len(binarized) == 2 else np.full(len(y), -1.0)
    return np.maximum(0, 1 - sign * s.reshape(-1))


@_sklearn(
    "brier_score_loss", "brier", task="binary",
    roles=(Role("y_proba", Kind.PROBABILITIES, Shape.ANY,
                "(N,) probability of the positive class, or (N, K) class probabilities (columns in sorted label order)"),
           LABEL_TRUE),
    params=(Param("pos_label", "label", None, "(N,) y_proba: the positive class (default: 1 for 0/1 or −1/1 labels,"
                  " else the larger number)"),
            LABELS,
            Param("scale_by_half", "auto_bool", "auto", "halve the score: auto halves with (N,) or (N, 2) y_proba")),
    formula="l = s·Σ_c (t_c − p_c)²,  s = ½ for two classes ((N,) or (N, 2)), 1 for K ≥ 3;"
    "  binary: l = (t − p)²,  t = [label = pos_label]",
    convention="scale_by_half='auto': the binary score is halved to lie in [0, 1] (so (N,) gives (t − p)²);"
    " three or more classes are not halved (range [0, 2]). Probabilities are not clipped or renormalised."
    " (N,) y_proba is the probability of pos_label: y_true must hold at most two labels; text labels need"
    " pos_label. (N, K) y_proba: " + LABEL_MAPPING + " " + NP_AVERAGE,
    example=Example({"y_proba": [0.1, 0.9, 0.8, 0.3], "y_true": [0, 1, 1, 0]}), zero_at_perfect=True, classes_of="y_true",
)
def sklearn_brier_score_loss(
    y_proba: np.ndarray, y_true: np.ndarray, pos_label: float | str | None, labels: list | None,
    scale_by_half: bool | str, classes: np.ndarray | None = None, seen: np.ndarray | None = None,
) -> np.ndarray:
    """sklearn.metrics.brier_score_loss."""
    p = _flat(y_proba)
    if p.ndim == 1 and classes is not None:  # binary: labels= is not used, y_true's own labels are
        y = y_true.reshape(-1)
        if seen is not None:
            check_binary(seen, "brier_score_loss")
        if pos_label is None:
            pos_label = positive_label(seen if seen is not None else classes, "brier_score_loss")
        _same_type_label(y, pos_label)
        t = (y == pos_label).astype(np.float64)
        prob, target = np.stack([1 - p, p], axis=1), np.stack([1 - t, t], axis=1)
    else:
        prob, target = _multiclass_targets(p, y_true, labels, classes, "brier_score_loss")
    score = np.square(target - prob).sum(axis=1)
    half = prob.shape[1] < 3 if scale_by_half == "auto" else scale_by_half
    return score * 0.5 if half else score


def _same_type_label(y: np.ndarray, label: float | str) -> None:
    if (y.dtype.kind in "US") != isinstance(label, str):
        raise LossCliError(f"sklearn.brier_score_loss: pos_label={label!r} is {'text' if isinstance(label, str) else 'a number'}"
                           f" but y_true holds {'text' if y.dtype.kind in 'US' else 'numbers'}",
                           "give pos_label of y_true's type ('1' quotes digits as text)")


def _mismatch(y_pred: np.ndarray, y_true: np.ndarray, name: str) -> np.ndarray:
    """Where the labels differ (numbers with numbers, text with text)."""
    if (y_pred.dtype.kind in "US") != (y_true.dtype.kind in "US"):
        raise LossCliError(f"sklearn.{name}: y_pred holds {'text' if y_pred.dtype.kind in 'US' else 'numbers'} but y_true"
                           f" {'text' if y_true.dtype.kind in 'US' else 'numbers'}", "give labels of one type to both")
    return np.asarray(y_pred != y_true)


LABEL_ROLES = (Role("y_pred", Kind.LABELS, Shape.ANY, "predicted labels (N,): numbers or text; or (N, K) 0/1 label indicators"),
               Role("y_true", Kind.LABELS, doc="true labels, same shape"))


@_sklearn(
    "zero_one_loss", "zero_one", task="multiclass", roles=LABEL_ROLES, params=(NORMALIZE,),
    formula="l = 1 if y_pred ≠ y_true else 0  ((N, K): 1 unless every label of the row matches)",
    convention="normalize=true: the mean is the (weighted) fraction misclassified, 1 − accuracy_score; normalize=false:"
    " the (weighted) number misclassified. (N, K) multilabel rows are the subset zero-one loss. Labels are numbers or"
    " text, compared exactly (scikit-learn also rejects continuous values and non-0/1 indicator matrices). " + NP_AVERAGE,
    example=Example({"y_pred": [1, 2, 3, 4], "y_true": [2, 2, 3, 4]}), zero_at_perfect=True,
)
def sklearn_zero_one_loss(y_pred: np.ndarray, y_true: np.ndarray, normalize: bool) -> np.ndarray:
    """sklearn.metrics.zero_one_loss.

    ``normalize`` acts on the reduction (false: the sum, see LossEntry.reducer_for), not on each sample.
    """
    wrong = _mismatch(y_pred, y_true, "zero_one_loss")
    return wrong.reshape(len(wrong), -1).any(axis=1).astype(np.float64)


@_sklearn(
    "hamming_loss", "zero_one", task="multilabel", roles=LABEL_ROLES, params=(),
    formula="l = mean_k [y_pred_k ≠ y_true_k]",
    convention="The fraction of wrong labels: for (N,) the zero-one loss, for (N, K) multilabel rows the"
    " fraction of the K labels that differ (so the mean is wrong labels / (N·K)). Labels are numbers or text,"
    " compared exactly. " + NP_AVERAGE,
    example=Example({"y_pred": [[0, 0], [0, 0]], "y_true": [[0, 1], [1, 1]]}), zero_at_perfect=True,
)
def sklearn_hamming_loss(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """sklearn.metrics.hamming_loss."""
    return per_sample_mean(_mismatch(y_pred, y_true, "hamming_loss").astype(np.float64))


# --- regression ----------------------------------------------------------------------------

@_sklearn("mean_squared_error", "mse", task="regression", roles=VALUE_ROLES, params=(MULTIOUTPUT,),
          formula="l = mean_k (y_pred_k − y_true_k)²", convention=UNIFORM_AVERAGE,
          example=REGRESSION_EXAMPLE, zero_at_perfect=True)
def sklearn_mean_squared_error(y_pred: np.ndarray, y_true: np.ndarray, multioutput: list[float] | None) -> np.ndarray:
    """sklearn.metrics.mean_squared_error."""
    return _outputs(np.square(y_pred - y_true), multioutput, "mean_squared_error")


@_sklearn("root_mean_squared_error", "rmse", task="regression", roles=ONE_OUTPUT_ROLES, params=(),
          formula="l = |y_pred − y_true|;  reduced: sqrt(Σ w·l² / Σ w)",
          convention="The root of the weighted mean squared error, not a mean of per-sample values (each sample's"
          " value is its absolute error). One output only: for (N, K) scikit-learn averages the K per-output"
          " roots, which no per-sample reduction gives, so K > 1 is refused. " + NP_AVERAGE,
          example=REGRESSION_EXAMPLE, reducer=Reducer.ROOT_MEAN, zero_at_perfect=True)
def sklearn_root_mean_squared_error(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """sklearn.metrics.root_mean_squared_error."""
    _one_output(y_pred, "root_mean_squared_error", "root mean square")
    return np.abs(y_pred - y_true).reshape(-1)


@_sklearn("mean_absolute_error", "mae", task="regression", roles=VALUE_ROLES, params=(MULTIOUTPUT,),
          formula="l = mean_k |y_pred_k − y_true_k|", convention=UNIFORM_AVERAGE,
          example=REGRESSION_EXAMPLE, zero_at_perfect=True)
def sklearn_mean_absolute_error(y_pred: np.ndarray, y_true: np.ndarray, multioutput: list[float] | None) -> np.ndarray:
    """sklearn.metrics.mean_absolute_error."""
    return _outputs(np.abs(y_pred - y_true), multioutput, "mean_absolute_error")


@_sklearn("mean_absolute_percentage_error", "mape", task="regression", roles=VALUE_ROLES, params=(MULTIOUTPUT,),
          formula="l = mean_k |y_pred_k − y_true_k| / max(|y_true_k|, eps),  eps = 2.220446e-16",
          convention="A fraction, not a percentage (0.5 means 50 %); eps is np.finfo(np.float64).eps, so a zero"
          " y_true gives a huge but finite value. " + UNIFORM_AVERAGE,
          example=REGRESSION_EXAMPLE, zero_at_perfect=True)
def sklearn_mean_absolute_percentage_error(
    y_pred: np.ndarray, y_true: np.ndarray, multioutput: list[float] | None,
) -> np.ndarray:
    """sklearn.metrics.mean_absolute_percentage_error."""
    eps = np.asarray(np.finfo(np.float64).eps, dtype=y_true.dtype)
    return _outputs(np.abs(y_pred - y_true) / np.maximum(np.abs(y_true), eps), multioutput, "mean_absolute_percentage_error")


LOG_ROLES = (Role("y_pred", Kind.ABOVE_MINUS_ONE, Shape.ANY, "estimated target values, > -1"),
             Role("y_true", Kind.ABOVE_MINUS_ONE, doc="true target values, > -1, same shape"))
LOG_EXAMPLE = Example({"y_pred": [2.5, 5.0, 4.0, 8.0], "y_true": [3.0, 5.0, 2.5, 7.0]})
ABOVE_MINUS_ONE = ("Values in (−1, 0) are accepted, as scikit-learn 1.9 does (log1p is defined above −1);"
                   " −1 and below are refused.")


@_sklearn("mean_squared_log_error", "msle", task="regression", roles=LOG_ROLES, params=(MULTIOUTPUT,),
          formula="l = mean_k (log1p(y_pred_k) − log1p(y_true_k))²",
          convention=f"{ABOVE_MINUS_ONE} {UNIFORM_AVERAGE}", example=LOG_EXAMPLE, zero_at_perfect=True)
def sklearn_mean_squared_log_error(y_pred: np.ndarray, y_true: np.ndarray, multioutput: list[float] | None) -> np.ndarray:
    """sklearn.metrics.mean_squared_log_error."""
    return _outputs(np.square(np.log1p(y_pred) - np.log1p(y_true)), multioutput, "mean_squared_log_error")


@_sklearn("root_mean_squared_log_error", "msle", task="regression",
          roles=(Role("y_pred", Kind.ABOVE_MINUS_ONE, doc="estimated target values, > -1: (N,) or (N, 1), one output"),
                 LOG_ROLES[1]),
          params=(),
          formula="l = |log1p(y_pred) − log1p(y_true)|;  reduced: sqrt(Σ w·l² / Σ w)",
          convention="The root of the weighted mean squared log error (each sample's value is its absolute log"
          " error). One output only: for (N, K) scikit-learn averages the K per-output roots, so K > 1 is refused."
          f" {ABOVE_MINUS_ONE} {NP_AVERAGE}",
          example=LOG_EXAMPLE, reducer=Reducer.ROOT_MEAN, zero_at_perfect=True)
def sklearn_root_mean_squared_log_error(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """sklearn.metrics.root_mean_squared_log_error."""
    _one_output(y_pred, "root_mean_squared_log_error", "root mean square of the log errors")
    return np.abs(np.log1p(y_pred) - np.log1p(y_true)).reshape(-1)


@_sklearn("median_absolute_error", "mae", task="regression", roles=ONE_OUTPUT_ROLES, params=(),
          formula="l = |y_pred − y_true|;  reduced: the median of l;  weighted: sort l, c = cumulative weights,"
          " h = c_N / 2, i the first with c_i ≥ h: l_i if c_i − h > eps, else (l_i + l_j)/2, j the next of non-zero weight",
          convention="The median over samples (the mean of the two middle values for even N). With sample weights,"
          " scikit-learn's weighted median (_weighted_percentile at 50 with average=True, the averaged inverted CDF):"
          " the value where the cumulative weight passes half the total, or the mean of it and the next value when"
          " it lands on half within eps = 2.2e-16; all weights 0 give null. One output only: for (N, K)"
          " scikit-learn averages the K per-output medians, so K > 1 is refused.",
          example=REGRESSION_EXAMPLE, reducer=Reducer.MEDIAN, zero_at_perfect=True)
def sklearn_median_absolute_error(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """sklearn.metrics.median_absolute_error."""
    _one_output(y_pred, "median_absolute_error", "median")
    return np.abs(y_pred - y_true).reshape(-1)


@_sklearn("max_error", "mae", task="regression", roles=VECTOR_ROLES, params=(),
          formula="l = |y_pred − y_true|;  reduced: the max of l",
          convention="The largest absolute error. One output only, as scikit-learn (multioutput is not supported);"
          " max_error takes no sample_weight.",
          example=Example({"y_pred": [4.0, 2.0, 7.0, 1.0], "y_true": [3.0, 2.0, 7.0, 1.0]}),
          reducer=Reducer.MAX, sample_weights=False, zero_at_perfect=True)
def sklearn_max_error(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """sklearn.metrics.max_error."""
    return np.abs(y_pred - y_true)


@_sklearn("mean_pinball_loss", "quantile", task="regression", roles=VALUE_ROLES,
          params=(Param("alpha", "float", 0.5, "the quantile predicted (slope of the pinball loss)", low=0.0, high=1.0),
                  MULTIOUTPUT),
          formula="l = mean_k max(α·(y_true_k − y_pred_k), (α − 1)·(y_true_k − y_pred_k))",
          convention="Under-prediction costs α per unit, over-prediction 1 − α; α = 0.5 is half the absolute error."
          " " + UNIFORM_AVERAGE,
          example=Example({"y_pred": [0.0, 2.0, 3.0], "y_true": [1.0, 2.0, 3.0]}, {"alpha": 0.1}), zero_at_perfect=True)
def sklearn_mean_pinball_loss(
    y_pred: np.ndarray, y_true: np.ndarray, alpha: float, multioutput: list[float] | None,
) -> np.ndarray:
    """sklearn.metrics.mean_pinball_loss."""
    diff = y_true - y_pred
    return _outputs(np.maximum(alpha * diff, (alpha - 1) * diff), multioutput, "mean_pinball_loss") + 0.0  # −0.0 to 0.0


TWEEDIE_FORMULA = ("p = 0: (y − μ)²;  p = 1: 2·(y·log(y/μ) − y + μ);  p = 2: 2·(log(μ/y) + y/μ − 1);"
                   "  otherwise 2·(max(y, 0)^(2−p)/((1−p)(2−p)) − y·μ^(1−p)/(1−p) + μ^(2−p)/(2−p))")


@_sklearn("mean_tweedie_deviance", "mse", task="regression",
          roles=(Role("y_pred", Kind.VALUES, Shape.VECTOR, "predicted mean μ, (N,); > 0 unless power = 0"),
                 Role("y_true", Kind.VALUES, doc="observed y: any real (power <= 0), >= 0 (1 <= power < 2), > 0 (power >= 2)")),
          params=(Param("power", "float", 0.0, "Tweedie power: <= 0 or >= 1 (0 normal, 1 Poisson, 2 gamma, 3 inverse Gaussian)"),),
          formula=f"l = unit deviance: {TWEEDIE_FORMULA}",
          convention="scikit-learn's domain rules raise an error: power < 0 needs y_pred > 0; power = 0 takes any"
          " values (the squared error); 1 <= power < 2 needs y_true >= 0 and y_pred > 0; power >= 2 needs both > 0;"
          " 0 < power < 1 is refused. One output only (scikit-learn has no multioutput here). " + NP_AVERAGE,
          example=Example(DEVIANCE_EXAMPLE.inputs, {"power": 1.0}), zero_at_perfect=True)
def sklearn_mean_tweedie_deviance(y_pred: np.ndarray, y_true: np.ndarray, power: float) -> np.ndarray:
    """sklearn.metrics.mean_tweedie_deviance."""
    _tweedie_domain(y_pred, y_true, power, "mean_tweedie_deviance")
    return tweedie_deviance(y_pred, y_true, power)


@_sklearn("mean_poisson_deviance", "poisson_nll", task="regression",
          roles=(Role("y_pred", Kind.POSITIVE, Shape.VECTOR, "predicted mean μ > 0, (N,)"),
                 Role("y_true", Kind.NON_NEGATIVE, doc="observed counts y >= 0")),
          params=(),
          formula="l = 2·(y·log(y/μ) − y + μ),  0·log 0 = 0",
          convention="The Tweedie deviance with power = 1: twice the Poisson negative log-likelihood minus its"
          " value at μ = y. One output only. " + NP_AVERAGE,
          example=DEVIANCE_EXAMPLE)
def sklearn_mean_poisson_deviance(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """sklearn.metrics.mean_poisson_deviance."""
    return tweedie_deviance(y_pred, y_true, 1)


@_sklearn("mean_gamma_deviance", "poisson_nll", task="regression",
          roles=(Role("y_pred", Kind.POSITIVE, Shape.VECTOR, "predicted mean μ > 0, (N,)"),
                 Role("y_true", Kind.POSITIVE, doc="observed y > 0")),
          params=(),
          formula="l = 2·(log(μ/y) + y/μ − 1)",
          convention="The Tweedie deviance with power = 2; invariant to scaling y and μ together (a relative"
          " error). One output only. " + NP_AVERAGE,
          example=Example({"y_pred": [0.5, 0.5, 2.0, 2.0], "y_true": [2.0, 0.5, 1.0, 4.0]}), zero_at_perfect=True)
def sklearn_mean_gamma_deviance(y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """sklearn.metrics.mean_gamma_deviance."""
    return tweedie_deviance(y_pred, y_true, 2)
