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
    CLASSES_FIRST = "(N, C) or (N, C, d1, …): classes on axis 1, as PyTorch's spatial losses"
    SPATIAL_INDEX = "(N,) class indices, or (N, d1, …) for a (N, C, d1, …) first input"
    SPATIAL_INDEX_OR_SAME = "(N,) or (N, d1, …) class indices, or probabilities like the first input"
    CLASSES_LAST = "(N, K) or (N, d1, …, K): classes (features) on the last axis, as Keras"
    LAST_INDEX = "(N,) class indices, or (N, d1, …) for a (N, d1, …, K) first input"


class Reducer(str, Enum):
    """How per-sample losses l_i with sample weights w_i become one number (``--reduction mean``).

    Every reducer but the median accumulates running sums (or a running max), so a reduction
    can be built chunk by chunk; the median keeps the per-sample values. ``sum`` is Σ w_i·l_i, except
    for POOLED, where (as in Keras) it is the batch loss L unweighted and L·Σ w with weights.
    """

    MEAN = "mean: Σ w·l / Σ w"
    BATCH_MEAN = "batch mean: Σ w·l / N"  # N counts the rows the loss keeps (masked rows leave it); 0 when it keeps none
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


class Reported(NamedTuple):
    """A library loss whose per-sample output is not the term its mean averages.

    ``values`` are what the library returns per sample for ``reduction='none'`` and adds up for
    ``reduction='sum'`` (PyTorch: a sample's elements summed; CTC: the raw negative
    log-likelihood); ``mean_terms`` what its ``mean`` averages over samples (the mean over a
    sample's elements; CTC: the likelihood divided by the target length).
    """

    values: Any
    mean_terms: Any


class Pooled(NamedTuple):
    """A loss whose batch value is computed once from sums over every sample (Keras's axis=None).

    ``values`` are the per-sample losses (each sample scored alone), ``parts`` (n, m) per-sample
    terms whose column sums over the batch ``combine`` turns into the batch loss.
    """

    values: Any
    parts: Any
    combine: Callable[[Any], float]


class Check(str, Enum):
    """An input check a library entry may declare lenient (see :class:`Lenient`)."""

    RANGE = "range"  # the range of the role's kind
    LABEL_MIX = "label mix"  # hinge labels mixing 0 with -1 (or with any label but 0 and 1)


@dataclass(frozen=True)
class Lenient:
    """A check of the canonical loss that the library does not make, for one role of a library entry.

    Values the check flags give one warning per pass instead of an error (``--strict``: the error),
    and the entry's function computes what the library computes on them (``does`` says what).
    ``refused`` masks the flagged values the library still refuses, or turns into NaN; those stay errors.
    """

    role: str
    does: str
    check: Check = Check.RANGE
    refused: Callable[[Any], Any] | None = None
    refused_why: str = ""


@dataclass(frozen=True)
class Example:
    """A worked example shown by ``losscli info``: inputs by role and parameters."""

    inputs: dict[str, list[Any]]
    params: dict[str, Any] = field(default_factory=dict)


SAMPLE_SUM = "Σ w·l over samples"


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
    weighted_per_sample: bool = False  # per-sample values are w·l, as the library's reduction='none' returns them
    element_weights: str | None = None  # "elements": weights may be (N, K) like the first input (PyTorch);
    # "positions": (N, d1, …) for a (N, d1, …, K) first input (Keras); fn takes them as element_weight
    sum_rule: str = SAMPLE_SUM  # what --reduction sum adds up (a library entry: as the library's 'sum')
    lenient: tuple[Lenient, ...] = ()  # checks of the canonical loss this library entry only warns about
    classes_of: str | None = None  # a LABELS role whose sorted distinct values fn takes as ``classes`` (see engine.classes)

    def __post_init__(self) -> None:
        roles = {r.name for r in self.roles}
        if self.lenient and self.follows == "losscli":
            raise ValueError(f"{self.name}: a canonical loss is strict, it declares no lenient checks")
        unknown = [item.role for item in self.lenient if item.role not in roles]
        if unknown:
            raise ValueError(f"{self.name}: lenient check of unknown role {unknown[0]!r}")

    @property
    def summary(self) -> str:
        return (self.fn.__doc__ or "").strip().splitlines()[0]

    @property
    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}

    @property
    def reductions_text(self) -> str:
        """What ``--reduction sum`` adds and what per-sample values are, as ``info`` states them."""
        text = f"--reduction sum: {self.sum_rule}"
        if self.sum_rule != SAMPLE_SUM and self.canonical:
            text += f" (the canonical '{self.canonical}' adds its per-sample values: {SAMPLE_SUM})"
        if self.weighted_per_sample:
            text += "; per-sample values carry the sample weight (w·l), as the library's reduction='none' returns them"
        return text

    def reducer_for(self, params: dict[str, Any]) -> Reducer:
        """The reducer under ``params``: scikit-learn's ``normalize=false`` makes a mean a sum."""
        return Reducer.SUM if params.get("normalize") is False else self.reducer

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def lenient_text(self) -> str:
        """What this library entry accepts with a warning (``--strict``: refuses), as ``losscli info`` shows it."""
        what = {Check.RANGE: "outside the range of its kind", Check.LABEL_MIX: "mixing 0 with -1 labels"}
        return "; ".join(f"{item.role} {what[item.check]}: {item.does}" for item in self.lenient)

    def lenient_check(self, role: str, check: Check) -> Lenient | None:
        """The declared leniency of ``check`` on ``role``, if any."""
        return next((item for item in self.lenient if item.role == role and item.check is check), None)
