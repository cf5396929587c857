"""What one evaluation gives: each loss's finished state, and the rows an output asked to keep."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from losscli.engine.losses import ResolvedLoss
from losscli.engine.samples import SampleRows
from losscli.reduction import SampleTerms, shown_values
from losscli.state import GroupIndex, GroupStates, LossState


@dataclass(frozen=True)
class InputInfo:
    """An input as the JSON ``inputs`` block shows it."""

    source: str
    columns: tuple[str, ...] | None
    shape: tuple[int, ...]


@dataclass
class LossResult:
    """One loss evaluated: its state (sums, counts), per group when asked, and per-row terms when kept."""

    loss: ResolvedLoss
    state: LossState
    reduction: str
    groups: GroupStates | None = None
    terms: SampleTerms | None = None

    @property
    def value(self) -> float:
        return self.state.value(self.reduction)

    @property
    def per_sample(self) -> np.ndarray:
        """Every row's loss as reports show it (NaN for rows ``--nan propagate`` kept out); needs ``keep_terms``.

        A library entry's values are what its ``reduction='none'`` returns: weighted where the
        library weights them (``entry.weighted_per_sample``), a sample's elements summed for PyTorch.
        """
        terms = self.terms
        if terms is None:
            raise AttributeError("per-sample values were not kept: evaluate(..., keep_terms=True)")
        return shown_values(terms.values, terms.reported, terms.sample_weight, self.loss.entry.weighted_per_sample)


@dataclass
class Evaluation:
    """Every loss over the same rows.

    ``n_rows`` rows were read and ``n_samples`` evaluated (``n_omitted`` dropped by ``--nan
    omit``). ``rows`` holds the file rows evaluated, when per-row terms were kept.
    ``fingerprint`` identifies the rows and every input but the predictions (compare pairs runs by it).
    ``warnings`` say what a library entry accepted that its canonical loss refuses, and where a value
    is null though every input was finite (float64 overflow).
    """

    inputs: dict[str, InputInfo]
    n_rows: int
    n_omitted: int
    results: list[LossResult]
    samples: SampleRows | None = None
    group_index: GroupIndex | None = None
    rows: np.ndarray | None = None
    fingerprint: str | None = None
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (message, hint): results to read with care

    @property
    def n_samples(self) -> int:
        return self.n_rows - self.n_omitted

