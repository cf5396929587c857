"""The one pass: read every input a chunk at a time, evaluate every loss on it, fold the states.

Per chunk (cache-sized, ~64K values): rows with non-finite inputs follow ``--nan`` (``error``
stops with the first one's place, ``omit`` drops them, ``propagate`` gives them a NaN loss);
each loss checks its inputs' shapes and kinds, returns one loss per sample, and folds the
chunk into its :class:`~losscli.state.LossState` (and per group, with ``--group-by``). Rows
are kept only as far as an output asks (:mod:`losscli.engine.samples`), so the default eval
holds a few states whatever the number of rows.
"""

from __future__ import annotations

import difflib
import hashlib
import math
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from losscli.engine.classes import prepare_labels
from losscli.engine.heap import keep_heap_pages
from losscli.engine.losses import ResolvedLoss, check_weight_support
from losscli.engine.results import Evaluation, InputInfo, LossResult
from losscli.engine.samples import FirstRows, Sink, TopRows
from losscli.errors import LossCliError
from losscli.exact import all_finite
from losscli.inputs import BoundInput, InputArray, role_keys
from losscli.readers.base import LABEL, NUMBER, Source
from losscli.readers.scan import scan
from losscli.reduction import SampleTerms
from losscli.registry import Pooled, Reducer, Reported, Weighted
from losscli.registry.lenience import Lenience
from losscli.registry.validation import check_element_weights, check_weights, prepare_inputs
from losscli.state import Fold, GroupIndex, GroupStates, LossState

CHUNK_VALUES = 65_536  # values of every input a chunk holds: a chunk and its scratch arrays stay in a 2 MiB L2 (96K values measured 1.7× slower)
NAN_POLICIES = ("error", "omit", "propagate")


class Binder(Protocol):
    """Finds the inputs of a loss's roles (files: InputResolver; memory: StaticInputs)."""

    def bind(self, role_names: list[str]) -> list[BoundInput]: ...

    def weight(self) -> BoundInput | None: ...

    def column(self, name: str, option: str) -> BoundInput: ...

    def named_roles(self) -> dict[str, str]:
        """Each role the user named (``--input``, ``--col``), with the option text that named it."""
        ...


class Meter(Protocol):
    """Told after every chunk how far the pass has got (a progress display)."""

    def update(self, rows: int, total_rows: int | None, read: tuple[int, int | None] | None) -> None:
        """``rows`` read of ``total_rows`` (when the format records it), else bytes ``read`` (done, size)."""


@dataclass
class Outputs:
    """What the outputs need beyond the reduced values.

    ``sinks`` receive each chunk's file rows and per-sample values (first rows, worst rows, a
    row writer); ``group_by`` names the column to reduce per group; ``keep_terms`` keeps every
    row's terms (compare's intervals, worst rows and groups; the tests); ``fingerprint`` hashes
    the rows and the non-prediction inputs (compare pairs runs by it); ``meter`` is told the
    progress.
    """

    sinks: list[Sink] = field(default_factory=list)
    group_by: str | None = None
    keep_terms: bool = False
    fingerprint: bool = False
    meter: Meter | None = None


def evaluate(
    losses: list[ResolvedLoss], binder: Binder, reduction: str = "mean", nan: str = "error",
    chunk_values: int = CHUNK_VALUES, outputs: Outputs | None = None, keep_terms: bool = False, strict: bool = False,
) -> Evaluation:
    """Evaluate every loss over the same rows of the inputs ``binder`` finds for it, in one pass.

    A library entry's lenient checks warn (in ``Evaluation.warnings``); ``strict`` makes them errors.
    """
    outputs = outputs or Outputs(keep_terms=keep_terms)
    keep_heap_pages()
    _check_named_roles(losses, binder)
    bound = [binder.bind([r.name for r in loss.entry.roles]) for loss in losses]
    weight = binder.weight()
    for loss in losses:
        check_weight_support(loss, weight is not None)
    labels = binder.column(outputs.group_by, "--group-by") if outputs.group_by else None
    bound, classes = prepare_labels(losses, bound)
    return _Pass(losses, bound, weight, labels, reduction, nan, chunk_values, outputs, strict, classes).run()


class _Pass:
    def __init__(
        self, losses: list[ResolvedLoss], bound: list[list[BoundInput]], weight: BoundInput | None,
        labels: BoundInput | None, reduction: str, nan: str, chunk_values: int, outputs: Outputs, strict: bool,
        classes: list[dict[str, np.ndarray | None]],
    ) -> None:
        self.losses, self.bound, self.weight, self.labels, self.classes = losses, bound, weight, labels, classes
        self.reduction, self.nan, self.outputs = reduction, nan, outputs
        self.used: list[BoundInput] = list({id(b): b for inputs in bound for b in inputs}.values())
        if weight is not None:
            self.used.append(weight)
        _check_known_lengths(self.used)
        width = sum(b.width() for b in self.used)
        self.chunk_rows = max(1, chunk_values // max(1, width))
        self.states = [LossState(loss.entry.reducer_for(loss.params)) for loss in losses]
        self.groups = [GroupStates(loss.entry.reducer_for(loss.params)) for loss in losses] if labels is not None else None
        self.group_index = GroupIndex(labels.names[0]) if labels is not None else None
        self.terms: list[list[Fold]] | None = [[] for _ in losses] if outputs.keep_terms else None
        self.kept_rows: list[np.ndarray] = []
        self.n_rows = 0
        self.n_bad = 0
        self.overflows = [_Overflow() for _ in losses]
        self.lenience = {id(loss): Lenience(loss.entry, strict) for loss in losses}
        self.first_pred = {id(inputs[0]) for inputs in bound}
        self.digest = hashlib.blake2b(digest_size=16) if outputs.fingerprint else None

    def run(self) -> Evaluation:
        reads, slots = _reads([*self.used, *([self.labels] if self.labels is not None else [])])
        meter = self.outputs.meter
        total = next((b.n_rows for b in self.used if b.n_rows is not None), None)
        try:
            for chunk in scan(reads, self.chunk_rows, self._mismatch):
                arrays = {id(b): b.chunk(chunk.arrays[slot], chunk.offset, b.n_rows) for b, slot in slots.items()}
                self._chunk(chunk.offset, chunk.n, arrays)
                self.n_rows += chunk.n
                if meter is not None:
                    meter.update(self.n_rows, total, None if total is not None else reads[0][0].read_position())
        finally:  # a source is read once: let its file (and pyarrow's reader threads) go now
            for source, _ in reads:
                source.close()
        if self.n_rows == 0:
            raise LossCliError(f"{self.used[0].label}: no samples to evaluate")
        if self.n_bad == self.n_rows and self.nan == "omit":  # under propagate every row stays, with a null loss
            raise LossCliError("every row has a non-finite input value, so nothing is left to evaluate",
                               "fix the data, or pass --nan propagate to report null")
        return self._evaluation()

    def _mismatch(self, counts: list[int]) -> LossCliError:
        first = self.used[0]
        by_source = dict(zip(_source_order(self.used), counts))
        for other in self.used[1:]:
            if by_source[id(other.source)] != by_source[id(first.source)]:
                return LossCliError(
                    f"length mismatch: {first.describe(by_source[id(first.source)])} but {other.describe(by_source[id(other.source)])}",
                    "every input needs one row per sample",
                )
        return LossCliError(f"the inputs have different lengths ({counts})", "every input needs one row per sample")

    def _chunk(self, offset: int, n: int, arrays: dict[int, InputArray]) -> None:
        mask = self._finite_rows(arrays)
        rows: np.ndarray | None = None  # file rows of the kept rows, when some were dropped
        kept = arrays
        if mask is not None:
            self.n_bad += int(n - mask.sum())
            rows = offset + np.flatnonzero(mask)
            kept = {k: inp.with_data(inp.data[mask]) for k, inp in arrays.items()}
        evaluated = rows if (rows is not None and self.nan == "omit") else None  # file rows of the output rows
        if self.digest is not None:
            self._hash(arrays, mask)
        w = check_weights(kept[id(self.weight)], rows) if self.weight is not None else None
        codes = None
        if self.labels is not None and self.group_index is not None:
            labels = arrays[id(self.labels)].data
            codes = self.group_index.encode(labels[mask] if evaluated is not None else labels)
        values = []
        for i, (loss, inputs) in enumerate(zip(self.losses, self.bound)):
            fold = computed = self._fold(i, [kept[id(b)] for b in inputs], w, rows) if rows is None or len(rows) else _empty_fold()
            if mask is not None and self.nan == "propagate":
                fold = _widen(fold, mask)
            before = self.states[i].n_nonfinite
            self.states[i].fold(fold)
            if self.states[i].n_nonfinite != before:
                self.overflows[i].note(computed, rows, offset)
            if codes is not None and self.groups is not None:
                self.groups[i].fold(fold, codes, len(self.group_index or ()))
            if self.terms is not None:
                self.terms[i].append(fold)
            values.append(fold.shown(loss.entry.weighted_per_sample))
        index = evaluated if evaluated is not None else None
        if self.outputs.sinks or self.terms is not None:
            index = index if index is not None else np.arange(offset, offset + n, dtype=np.int64)
            for sink in self.outputs.sinks:
                if not (isinstance(sink, FirstRows) and sink.full):
                    sink.fold(index, values)
            if self.terms is not None:
                self.kept_rows.append(index)

    def _fold(self, i: int, inputs: list[InputArray], w: np.ndarray | None, rows: np.ndarray | None) -> Fold:
        loss = self.losses[i]
        data = prepare_inputs(loss.entry, loss.params, inputs, loss.spec.text, rows, self.lenience[id(loss)])
        if w is not None and w.ndim == 2:  # one weight per element: the loss applies them itself
            assert self.weight is not None
            check_element_weights(loss.entry, loss.params, loss.spec.text, data[0], w, self.weight)
            with np.errstate(all="ignore"):
                out = loss.entry.fn(*data, **loss.params, **self.classes[i], element_weight=w)
            if isinstance(out, Weighted):  # masked rows (Keras's ignore_class): their own denominator
                return Fold(_float(out.values), None, _float(out.weights), element_weighted=True)
            values, reported = (out.mean_terms, out.values) if isinstance(out, Reported) else (out, None)
            return Fold(_float(values), reported=None if reported is None else _float(reported), element_weighted=True)
        with np.errstate(all="ignore"):
            out = loss.entry.fn(*data, **loss.params, **self.classes[i])
        if isinstance(out, Reported):
            return Fold(_float(out.mean_terms), w, reported=_float(out.values))
        if isinstance(out, Weighted):
            return Fold(_float(out.values), w, _float(out.weights))
        if isinstance(out, Pooled):
            self.states[i].combine = out.combine
            if self.groups is not None:
                self.groups[i].combine = out.combine
            return Fold(_float(out.values), w, None, np.asarray(out.parts, dtype=np.float64))
        return Fold(_float(out), w)

    def _finite_rows(self, arrays: dict[int, InputArray]) -> np.ndarray | None:
        """Rows whose every input value is finite (None: all of them); under ``error`` a bad row is reported."""
        mask: np.ndarray | None = None
        first: tuple[InputArray, int] | None = None
        count = 0
        for b in self.used:
            inp = arrays[id(b)]
            data = inp.data
            if data.dtype.kind != "f" or all_finite(data):
                continue
            bad = ~np.isfinite(data.reshape(len(data), -1))
            count += int(bad.sum())
            first = first or (inp, int(np.argmax(bad.reshape(-1))))
            row_ok = ~bad.any(axis=1)
            mask = row_ok if mask is None else mask & row_ok
        if first is not None and self.nan == "error":
            inp, flat = first
            raise LossCliError(
                f"non-finite input value (NaN, inf or empty cell): {inp.role} at {inp.locate(flat)} is"
                f" {inp.data.reshape(-1)[flat]}" + (f" ({count} in rows {inp.offset + 1} to {inp.offset + len(inp.data)})" if count > 1 else ""),
                "fix the data, or pass --nan omit to drop those rows, or --nan propagate to report null",
            )
        return mask

    def _hash(self, arrays: dict[int, InputArray], mask: np.ndarray | None) -> None:
        assert self.digest is not None
        for b in self.used:
            if id(b) not in self.first_pred and b is not self.weight:
                data = arrays[id(b)].data
                self.digest.update(np.char.encode(data.astype(str)).tobytes() if data.dtype.kind in "US"
                                   else np.ascontiguousarray(data, dtype=np.float64).tobytes())
        if mask is not None and self.nan == "omit":  # the rows left out
            self.digest.update(np.flatnonzero(~mask).astype(np.int64).tobytes())
        self.digest.update(b"|")

    def _evaluation(self) -> Evaluation:
        results = []
        for i, loss in enumerate(self.losses):
            terms = _terms(self.states[i], self.terms[i]) if self.terms is not None else None
            results.append(LossResult(loss, self.states[i], self.reduction, self.groups[i] if self.groups else None, terms))
        n_rows = self.n_rows
        inputs = {}
        for inputs_of_loss in self.bound:
            for b in inputs_of_loss:
                inputs.setdefault(b.role, InputInfo(b.label, b.columns, (n_rows, *b.trailing)))
        if self.weight is not None:
            inputs["weight"] = InputInfo(self.weight.label, self.weight.columns, (n_rows, *self.weight.trailing))
        samples = None
        for sink in self.outputs.sinks:
            if isinstance(sink, (FirstRows, TopRows)):
                samples = sink.rows(len(self.losses))
        rows = np.concatenate(self.kept_rows) if self.terms is not None and self.kept_rows else None
        omitted = self.n_bad if self.nan == "omit" else 0
        fingerprint = None
        if self.digest is not None:
            self.digest.update(str((n_rows, omitted)).encode())
            fingerprint = self.digest.hexdigest()
        warnings = [w for loss in self.losses for w in self.lenience[id(loss)].warnings()]
        warnings += [w for loss, result, overflow in zip(self.losses, results, self.overflows)
                     if (w := overflow.warning(loss, result)) is not None]
        return Evaluation(inputs, n_rows, omitted, results, samples, self.group_index, rows, fingerprint, warnings)


@dataclass
class _Overflow:
    """Per-sample losses (or w·l) that came out non-finite from finite inputs: how many, and the first row."""

    count: int = 0
    first_row: int | None = None
    weights_to_blame: bool = False

    def note(self, fold: Fold, rows: np.ndarray | None, offset: int) -> None:
        bad = np.flatnonzero(~np.isfinite(fold.weighted_loss()))
        if not len(bad):  # only rows --nan propagate filled in
            return
        self.count += len(bad)
        if self.first_row is None:
            self.first_row = int(rows[bad[0]] if rows is not None else offset + bad[0])
            self.weights_to_blame = bool(np.isfinite(fold.values[bad[0]]))

    def warning(self, loss: ResolvedLoss, result: LossResult) -> tuple[str, str] | None:
        """(message, hint) when the reduced value is not finite though every input was."""
        reducer = result.state.effective_reducer
        if self.first_row is not None:  # set with the first overflowing row
            what = "w·loss" if self.weights_to_blame else "loss"
            hint = ("divide the weights by a constant (a weighted mean depends only on their ratios)" if self.weights_to_blame
                    else "rescale the inputs or the loss parameters; values near the float64 limit overflow")
            return (f"{loss.spec.text}: {self.count} per-sample {what} value{'s' if self.count > 1 else ''} from finite inputs"
                    f" overflowed float64 (first at row {self.first_row + 1}), so the {result.reduction} is null", hint)
        if result.reduction == "none" or (result.reduction == "mean" and reducer in (Reducer.MEDIAN, Reducer.MAX)):
            return None
        if result.state.n_nonfinite == 0 and math.isinf(result.value):
            return (f"{loss.spec.text}: the {result.reduction} of finite per-sample losses exceeds the float64 range,"
                    " so it is reported as null", "rescale the inputs" + (", or use --reduction mean" if result.reduction == "sum" else ""))
        return None


def _float(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _empty_fold() -> Fold:
    return Fold(np.zeros(0))


def _widen(fold: Fold, kept: np.ndarray) -> Fold:
    """A fold over every row of the chunk: NaN losses for the rows ``--nan propagate`` kept out."""
    def spread(column: np.ndarray | None, fill: float) -> np.ndarray | None:
        if column is None:
            return None
        full = np.full((len(kept), *column.shape[1:]), fill)
        full[kept] = column
        return full

    return Fold(spread(fold.values, np.nan), spread(fold.sample_weight, 1.0), spread(fold.loss_weight, 1.0),  # type: ignore[arg-type]
                spread(fold.parts, np.nan), spread(fold.reported, np.nan), fold.element_weighted)


def _terms(state: LossState, folds: list[Fold]) -> SampleTerms:
    def joined(name: str) -> np.ndarray | None:
        columns = [getattr(f, name) for f in folds if len(f.values)]
        return np.concatenate(columns) if columns and columns[0] is not None else None

    def reported() -> np.ndarray | None:  # a fold without reported values of its own reports its losses
        kept = [f for f in folds if len(f.values)]
        if all(f.reported is None for f in kept):
            return None
        return np.concatenate([f.values if f.reported is None else f.reported for f in kept])

    values = joined("values")
    return SampleTerms(state.reducer, values if values is not None else np.zeros(0), joined("sample_weight"),
                       joined("loss_weight"), joined("parts"), state.combine, reported())


def _source_order(inputs: list[BoundInput]) -> list[int]:
    return list(dict.fromkeys(id(b.source) for b in inputs))


def _reads(inputs: list[BoundInput]) -> tuple[list[tuple[Source, dict[str, str]]], dict[BoundInput, int]]:
    """One read per source, wanting every field any input needs from it (as numbers when any wants numbers)."""
    order = _source_order(inputs)
    wanted: dict[int, dict[str, str]] = {sid: {} for sid in order}
    sources = {id(b.source): b.source for b in inputs}
    for b in inputs:
        fields = wanted[id(b.source)]
        for name in b.names:
            fields[name] = NUMBER if NUMBER in (fields.get(name), b.how) else LABEL
    slots = {b: order.index(id(b.source)) for b in inputs}
    return [(sources[sid], wanted[sid]) for sid in order], slots


def _check_named_roles(losses: list[ResolvedLoss], binder: Binder) -> None:
    """A role the options name that no loss declares (``--input weights=…``) would be silently unused: refuse it."""
    known = {"weight"}
    for loss in losses:
        names = [r.name for r in loss.entry.roles]
        known.update(key for i in range(len(names)) for key in role_keys(names, i))
    for role, option in binder.named_roles().items():
        if role not in known:
            close = difflib.get_close_matches(role, sorted(known), n=1)
            raise LossCliError(f"{option}: no loss here has a role {role!r} (its roles: {', '.join(sorted(known))})",
                               f"did you mean {close[0]!r}?" if close else "'losscli info LOSS' lists a loss's roles")


def _check_known_lengths(inputs: list[BoundInput]) -> None:
    """Inputs whose formats record their length must agree before anything is read."""
    known = [b for b in inputs if b.n_rows is not None]
    for other in known[1:]:
        if other.n_rows != known[0].n_rows:
            raise LossCliError(f"length mismatch: {known[0].describe()} but {other.describe()}",
                               "every input needs one row per sample")

