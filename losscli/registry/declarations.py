"""What every loss declares: its roles (inputs), parameters, reducer, formula and convention.

These are plain data; :mod:`losscli.registry.catalog` holds the entries and
:mod:`losscli.losses` defines them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, NamedTuple


class Kind(str, Enum):
    """What the numbers of an input mean; each kind has a range the inputs are checked against."""

    VALUES = "values"
    PROBABILITIES = "probabilities"
    LOGITS = "logits"
    LOG_PROBABILITIES = "log-probabilities"
    CLASS_INDICES = "class indices"
    CLASS_TARGETS = "class indices or class probabilities"
    SOFT_TARGETS = "one-hot or soft targets"
    BINARY_LABELS = "{0,1} labels"
    SIGNED_LABELS = "{-1,1} labels"
    HINGE_LABELS = "{-1,1} or {0,1} labels"
    DISTANCES = "distances"
    EMBEDDINGS = "embeddings"
    POSITIVE = "positive values"
    NON_NEGATIVE = "non-negative values"
    ABOVE_MINUS_ONE = "values > -1"
    LABELS = "class labels (numbers or text)"
    LABEL_LISTS = "class indices padded with -1"
    ZERO_PADDED_LABELS = "class indices from 1, padded with 0"
    LENGTHS = "lengths"


class Shape(str, Enum):
    """Shape contract of a role, relative to the first role (N samples, K columns)."""

    ANY = "(N,) or (N, K)"
    VECTOR = "(N,)"
    MATRIX = "(N, K)"
    SEQUENCE = "(N, T, C)"
    SAME = "same shape as the first input"
    INDEX = "(N,) class indices"
    INDEX_OR_SAME = "(N,) class indices or (N, K) like the first input"


class Reducer(str, Enum):
    """How per-sample losses l_i with sample weights w_i become one number (``--reduction mean``).

    Every reducer but the median accumulates running sums (or a running max), so a reduction
    can be built chunk by chunk; the median keeps the per-sample values. ``sum`` is Σ w_i·l_i, except
    for POOLED, where (as in Keras) it is the batch loss L unweighted and L·Σ w with weights.
    """

    MEAN = "mean: Σ w·l / Σ w"
    BATCH_MEAN = "batch mean: Σ w·l / N"  # N counts the rows the loss keeps (masked rows leave it)
    ROOT_MEAN = "root mean square: sqrt(Σ w·l² / Σ w)"
    POOLED = "pooled: one loss from sums over the whole batch, times Σ w / N"
    MEDIAN = "median: median of l (weighted: scikit-learn's averaged inverted CDF at 50%)"
    MAX = "max: max of l"
    SUM = "sum: Σ w·l"


@dataclass(frozen=True)
class Role:
    """One input of a loss, in call order."""

    name: str
    kind: Kind
    shape: Shape = Shape.SAME
    doc: str = ""
    kind_flag: str | None = None  # a bool parameter that, when true, makes this input flag_kind
    flag_kind: Kind = Kind.LOGITS

    def kind_for(self, params: dict[str, Any]) -> Kind:
        """The input's kind under ``params`` (e.g. logits with from_logits=true)."""
        return self.flag_kind if self.kind_flag and params.get(self.kind_flag) else self.kind


@dataclass(frozen=True)
class Param:
    """A loss parameter with its type, default and valid range.

    ``type`` is one of ``float``, ``int``, ``bool``, ``float_list`` (one value per class),
    ``float_or_list`` (a number or one per class), ``int_or_none``, ``axes`` (none, an axis or
    a list of axes), ``label`` (none, a number or a text label), ``label_list`` (none or a list
    of labels, all numbers or all text) and ``auto_bool`` (``auto``, true or false). ``low``/``high``
    bound numbers (and every list item); ``*_open`` makes a bound exclusive. Values are finite
    unless ``finite`` is False (a norm's order, where ``inf`` is the largest difference).
    """

    name: str
    type: str
    default: Any
    doc: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    finite: bool = True

    def range_text(self) -> str:
        if self.low is None and self.high is None:
            return "any"
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "inf" if self.high is None else f"{self.high:g}"
        return f"{'(' if self.low_open or self.low is None else '['}{lo}, {hi}{')' if self.high_open or self.high is None else ']'}"


class Weighted(NamedTuple):
    """A loss result whose mean divides by its own per-sample weights (class weights, ignored rows).

    ``values`` are the per-sample numerators (what the library returns for ``reduction='none'``),
    ``weights`` the per-sample denominators of the mean.
    """

    values: Any
    weights: Any


class Pooled(NamedTuple):
    """A loss whose batch value is computed once from sums over every sample (Keras's axis=None).

    ``values`` are the per-sample losses (each sample scored alone), ``parts`` (n, m) per-sample
    terms whose column sums over the batch ``combine`` turns into the batch loss.
    """

    values: Any
    parts: Any
    combine: Callable[[Any], float]


@dataclass(frozen=True)
class Example:
    """A worked example shown by ``losscli info``: inputs by role and parameters."""

    inputs: dict[str, list[Any]]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LossEntry:
    """A registered loss: declarations plus ``fn(*inputs, **params) -> (N,) losses or Weighted``."""

    name: str
    fn: Callable[..., Any]
    task: str
    roles: tuple[Role, ...]
    params: tuple[Param, ...]
    formula: str
    convention: str
    example: Example
    aliases: tuple[str, ...] = ()
    follows: str = "losscli"
    reducer: Reducer = Reducer.MEAN
    sample_weights: bool = True
    zero_at_perfect: bool = False
    non_negative: bool = True  # false for log-likelihoods without their constant, similarities, raw distances
    logits_twin: str | None = None
    canonical: str | None = None  # for a library entry: the canonical loss computing the same quantity
    better: str = "lower"  # which way is an improvement: "lower" (every loss here) or "higher" (scores)
    keeps_dtype: bool = False  # float inputs reach fn in their own dtype (a library constant depends on it); else float64
    classes_of: str | None = None  # a LABELS role whose sorted distinct values fn takes as ``classes`` (see engine.classes)

    @property
    def summary(self) -> str:
        return (self.fn.__doc__ or "").strip().splitlines()[0]

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    def reducer_for(self, params: dict[str, Any]) -> Reducer:
        """The reducer under ``params``: scikit-learn's ``normalize=false`` makes a mean a sum."""
        return Reducer.SUM if params.get("normalize") is False else self.reducer

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)
