"""Runs to compare: a predictions file scored against the shared targets, or a saved result.

A saved result is the output of ``losscli eval --format json`` (schema version 1); its losses
are matched to the ``--loss`` specs by loss name and effective parameters, so
``huber:delta=0.50`` and ``huber:delta=0.5`` are the same loss.
"""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import dataclass
from collections.abc import Callable
from typing import IO, Any

from losscli.engine import Evaluation, Meter, Outputs, ResolvedLoss, evaluate, resolve_losses
from losscli.errors import LossCliError
from losscli.output import warn
from losscli.readers import InputOptions, InputResolver
from losscli.readers.formats import STDIN
from losscli.readers.streams import spool
from losscli.render.numbers import json_params


@dataclass
class Run:
    """One run: its label (the path as given) and either an evaluation or saved values."""

    label: str
    evaluation: Evaluation | None = None
    options: InputOptions | None = None  # how its inputs were bound (to read an id column again)
    saved: dict[str, float | None] | None = None  # spec text -> value
    saved_n: int | None = None

    @property
    def kind(self) -> str:
        return "predictions" if self.evaluation is not None else "saved"

    @property
    def n_samples(self) -> int:
        if self.evaluation is not None:
            return self.evaluation.n_samples
        assert self.saved_n is not None
        return self.saved_n

    def value(self, index: int, spec: str) -> float | None:
        if self.evaluation is not None:
            value = self.evaluation.results[index].value
            return value if math.isfinite(value) else None
        assert self.saved is not None
        return self.saved[spec]


def is_saved(path: str) -> bool:
    return path.lower().endswith(".json")


def read_saved(path: str) -> dict[str, Any]:
    """A saved ``losscli eval --format json`` document, checked for its schema version."""
    save = "save one with: losscli eval ... --format json > FILE.json"
    try:
        with open(path, encoding="utf-8") as fh:
            doc = json.load(fh, parse_constant=_refuse_constant)
    except FileNotFoundError:
        raise LossCliError(f"{path}: no such file", "check the path") from None
    except IsADirectoryError:
        raise LossCliError(f"{path}: is a directory, not a JSON result", "name a file saved by losscli eval --format json") from None
    except OSError as exc:
        raise LossCliError(f"{path}: cannot read ({exc.strerror or exc})", "check the file's permissions") from None
    except UnicodeDecodeError:
        raise LossCliError(f"{path}: not a JSON result (not UTF-8 text)", save) from None
    except json.JSONDecodeError as exc:
        raise LossCliError(f"{path}: not a JSON result ({exc})", save) from None
    except _NotStrict as exc:
        raise LossCliError(f"{path}: not a JSON result ({exc})", save) from None
    except ValueError:  # an integer of more digits than Python converts
        raise LossCliError(f"{path}: not a JSON result (an integer is too long to read)", save) from None
    except RecursionError:
        raise LossCliError(f"{path}: not a JSON result (arrays or objects nested too deeply)", save) from None
    if not isinstance(doc, dict) or doc.get("schema_version") != 1 or not isinstance(doc.get("losses"), dict):
        raise LossCliError(
            f"{path}: not a losscli eval result (schema_version 1 with 'losses')",
            "save one with: losscli eval ... --format json > FILE.json",
        )
    if doc.get("kind", "eval") != "eval":
        raise LossCliError(f"{path}: holds a {doc.get('kind')!r} report, not an eval result", "compare results of losscli eval")
    return doc


class _NotStrict(ValueError):
    """A NaN or Infinity token: JSON as Python writes it, not as losscli does."""


def _refuse_constant(token: str) -> None:
    raise _NotStrict(f"{token} is not strict JSON; losscli writes a non-finite value as null")


def saved_specs(doc: dict[str, Any]) -> list[str]:
    """The loss specs a saved result holds, in order."""
    return list(doc["losses"])


def load_saved_run(path: str, doc: dict[str, Any], losses: list[ResolvedLoss], reduction: str) -> Run:
    """The values of ``losses`` in a saved result; a clear error names any loss it lacks."""
    by_identity = {}
    for spec, item in doc["losses"].items():
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not isinstance(item.get("params"), dict):
            raise LossCliError(f"{path}: loss {spec!r} is not an eval result entry (an object with name, params and value)",
                               "save the result again with losscli eval --format json")
        by_identity[(item["name"], _canonical(item["params"]))] = (spec, item)
    values: dict[str, float | None] = {}
    for loss in losses:
        found = by_identity.get((loss.entry.name, _canonical(json_params(loss.params))))  # as the saved JSON spells them
        if found is None:
            raise LossCliError(
                f"{path}: has no loss {loss.spec.text!r} (it has {', '.join(doc['losses']) or 'none'})",
                "compare the same --loss specs that the saved result was made with",
            )
        spec, item = found
        if item.get("reduction") != reduction:
            raise LossCliError(
                f"{path}: {spec!r} was reduced with {item.get('reduction')!r}, not {reduction!r}",
                f"pass --reduction {item.get('reduction')} or save the result again",
            )
        values[loss.spec.text] = _saved_value(path, spec, item.get("value"))
    n = doc.get("n_samples")
    if not isinstance(n, int) or isinstance(n, bool) or n < 0:
        raise LossCliError(f"{path}: has no n_samples (a whole number of samples), got {_shown(n)}",
                           "save the result again with losscli eval --format json")
    return Run(path, saved=values, saved_n=n)


def _saved_value(path: str, spec: str, value: Any) -> float | None:
    """A saved loss value: a finite number, or null (what eval writes for a non-finite value)."""
    if value is None:
        return None
    number = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= sys.float_info.max \
        else math.nan
    if not math.isfinite(number):
        raise LossCliError(f"{path}: the value of {spec!r} is {_shown(value)}, not a finite number",
                           "compare results saved by losscli eval --format json (a non-finite value is null there)")
    return number


def _shown(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, float) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _canonical(params: Any) -> str:
    return json.dumps(params, sort_keys=True) if isinstance(params, dict) else ""


def _shared_stdin(target: str | None, options: InputOptions) -> IO[bytes] | None:
    """stdin copied to disk once, when an input every run reads (the target, a ``--input``) is ``-``."""
    if STDIN not in (target, *options.bindings.values()):
        return None
    return spool(sys.stdin.buffer, "<stdin>")


def _from_start(copy: IO[bytes]) -> IO[bytes]:
    """A stream of ``copy`` from its first byte, for one run (closing it leaves ``copy`` open)."""
    copy.seek(0)
    return os.fdopen(os.dup(copy.fileno()), "rb")


def load_runs(
    paths: list[str], loss_texts: list[str], options: InputOptions, target: str | None, reduction: str, nan: str,
    group_by: str | None = None, keep_terms: bool = False, meter: Callable[[str], Meter] | None = None,
    strict: bool = False,
) -> tuple[list[ResolvedLoss], list[Run]]:
    """Every run, scored or read, with the losses resolved (from the baseline when none is given).

    Each predictions file is one pass; ``keep_terms`` keeps every row's terms (bootstrap, worst
    rows); ``meter(path)`` is told each pass's progress; ``strict`` refuses what a library loss only warns about.
    """
    docs = {path: read_saved(path) for path in paths if is_saved(path)}
    if not loss_texts and all(path in docs for path in paths):
        loss_texts = saved_specs(docs[paths[0]])
    losses = resolve_losses(loss_texts)
    shared_stdin = _shared_stdin(target, options)
    runs = []
    for path in paths:
        if path in docs:
            runs.append(load_saved_run(path, docs[path], losses, reduction))
            continue
        positional = [path] if target is None else [path, target]
        run_options = InputOptions(positional, dict(options.bindings), dict(options.columns), options.input_format)
        outputs = Outputs(group_by=group_by, keep_terms=keep_terms, fingerprint=True, meter=meter(path) if meter else None)
        resolver = InputResolver(run_options, _from_start(shared_stdin) if shared_stdin is not None else None)
        evaluation = evaluate(losses, resolver, reduction=reduction, nan=nan, outputs=outputs, strict=strict)
        for message, hint in evaluation.warnings:
            warn(f"{path}: {message}", hint)
        runs.append(Run(path, evaluation, run_options))
    counts = {run.label: run.n_samples for run in runs}
    if len(set(counts.values())) > 1:
        shown = ", ".join(f"{label}: {n}" for label, n in counts.items())
        raise LossCliError(f"the runs have different sample counts ({shown})", "compare runs over the same samples")
    return losses, runs
