"""Everything one ``eval`` or ``compare`` run needs, whether it came from the command line or a TOML file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from losscli.errors import LossCliError

if TYPE_CHECKING:  # the readers import NumPy: keep `losscli --help` light
    from losscli.readers import InputOptions

MAX_RESAMPLES = 1_000_000  # bootstrap resamples: each draws n indices, and their values are kept (8 bytes each per loss)


@dataclass
class Settings:
    runs: list[str]  # eval: PRED [TARGET]; compare: BASELINE CANDIDATE...
    losses: list[str]
    target: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)  # --input ROLE=PATH
    columns: dict[str, list[str]] = field(default_factory=dict)  # --col ROLE=SEL, --pred-col, ...
    input_format: str | None = None
    reduction: str = "mean"
    nan: str = "error"
    fmt: str | None = None
    fail_above: list[str] = field(default_factory=list)
    max_increase: list[str] = field(default_factory=list)
    bootstrap: int | None = None
    seed: int | None = None
    ci: float = 0.95
    require_significant: bool = False
    group_by: str | None = None
    worst: int | None = None
    id_cols: list[str] = field(default_factory=list)
    label: str = "losscli"
    summary: bool = False
    precision: int = 6
    per_sample: bool = False
    limit: int = 20
    quiet: bool = False
    strict: bool = False  # a library entry's warnings about inputs its canonical loss refuses become errors
    given: frozenset[str] = frozenset()  # settings set by the user (not defaults): limit, precision, label, ci, seed

    def idle_settings(self, fmt: str, show_samples: bool) -> list[tuple[str, str]]:
        """The settings given that do nothing with output ``fmt``: (message, hint), one warning each."""
        text_report = fmt in ("table", "md") or self.summary
        idle = []
        if "limit" in self.given and not (show_samples and text_report):
            idle.append((f"--limit {self.limit} does nothing here: it caps the per-sample rows of table and md output",
                         "JSON and the row formats give every row" if show_samples else "add --per-sample, or drop --limit"))
        if "precision" in self.given and fmt in ("json", "jsonl") and not self.summary:
            idle.append((f"--precision {self.precision} does nothing with --format {fmt}: JSON keeps every digit",
                         "drop --precision, or use a text format"))
        if "label" in self.given and fmt not in ("table", "md") and not self.summary:
            idle.append((f"--label {self.label!r} does nothing with --format {fmt}: it names the table and Markdown report",
                         "drop --label, or use --format md"))
        return idle

    def check_bootstrap_settings(self) -> None:
        """``ci`` and ``seed`` shape a bootstrap interval: given without ``--bootstrap`` they would be ignored."""
        for name in ("ci", "seed"):
            if name in self.given and self.bootstrap is None:
                raise LossCliError(f"--{name} ({name} in a TOML file) sets the bootstrap interval, but no --bootstrap N is given",
                                   f"add --bootstrap 1000, or drop --{name}")

    def __post_init__(self) -> None:
        if self.group_by is not None and not self.group_by.strip():
            raise LossCliError(f"--group-by {self.group_by!r} names no column", "name a column of the TARGET or PRED input")

    def input_options(self, positional: list[str]) -> InputOptions:
        from losscli.readers import InputOptions

        return InputOptions(positional, dict(self.inputs), {k: v for k, v in self.columns.items() if v}, self.input_format)


def given_options(ctx: object, names: tuple[str, ...] = ("limit", "precision", "label", "ci", "seed")) -> frozenset[str]:
    """Which of ``names`` the command line (or the environment) set, as opposed to their defaults."""
    sources = {n: ctx.get_parameter_source(n) for n in names}  # type: ignore[attr-defined]
    return frozenset(n for n, source in sources.items() if source is not None and source.name != "DEFAULT")


def parse_inputs(texts: list[str]) -> dict[str, str]:
    from losscli.readers import parse_binding

    bindings: dict[str, str] = {}
    for text in texts:
        role, path = parse_binding(text, "--input")
        if role in bindings:
            raise LossCliError(f"--input {role} is given twice", "give each input once")
        bindings[role] = path
    return bindings


def parse_columns(pred_col: list[str], target_col: list[str], weight_col: str | None, col: list[str]) -> dict[str, list[str]]:
    from losscli.readers import parse_binding

    columns: dict[str, list[str]] = {"pred": list(pred_col), "target": list(target_col),
                                     "weight": [weight_col] if weight_col is not None else []}
    for text in col:
        role, selector = parse_binding(text, "--col")
        columns.setdefault(role, []).append(selector)
    return columns
