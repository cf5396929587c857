"""Parse loss specs typed on the command line: ``NAME[:KEY=VALUE[,KEY=VALUE]...]``.

A VALUE is a number, ``true``/``false``, ``none``, a word (a class label: ``dog``, or quoted
``'New York'``, ``'1'`` to make digits text), or a bracketed list of those ``[1,2,0.5]``,
``[cat,dog]``. Parsing only checks the syntax; the registry checks names, types and ranges.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from losscli.errors import LossCliError

RawValue = float | int | bool | str | None | list[float | int | str]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|nan)\Z", re.I)
_WORD = re.compile(r"[^\s,\[\]='\"]+\Z")  # an unquoted text value: no blanks, separators or quotes
_QUOTED = re.compile(r"'([^']*)'\Z|\"([^\"]*)\"\Z")


@dataclass(frozen=True)
class LossSpec:
    """A parsed spec. ``text`` is the spec exactly as typed: it labels the loss in every output."""

    text: str
    name: str
    params: dict[str, RawValue]


def parse_spec(text: str) -> LossSpec:
    """Split ``text`` into a loss name and raw parameter values."""
    name, sep, rest = text.strip().partition(":")
    if not _NAME.match(name):
        raise LossCliError(
            f"malformed loss spec {text!r}: {name!r} is not a loss name",
            "write NAME or NAME:KEY=VALUE[,KEY=VALUE...], e.g. huber:delta=0.5",
        )
    params: dict[str, RawValue] = {}
    if sep:
        if not rest:
            raise LossCliError(
                f"malformed loss spec {text!r}: nothing after ':'",
                "drop the ':' or add KEY=VALUE pairs, e.g. huber:delta=0.5",
            )
        for item in _split_top_level(rest, text):
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not _KEY.match(key):
                raise LossCliError(
                    f"malformed loss spec {text!r}: {item!r} is not KEY=VALUE",
                    "separate parameters with commas, e.g. cross_entropy:label_smoothing=0.1,ignore_index=-1",
                )
            if key in params:
                raise LossCliError(f"malformed loss spec {text!r}: parameter {key!r} given twice")
            params[key] = _parse_value(value.strip(), key, text)
    return LossSpec(text=text, name=name, params=params)


def _split_top_level(rest: str, text: str, top: bool = True) -> list[str]:
    """Split on commas that are not inside ``[...]`` (with ``top``) or quotes."""
    items, depth, start, quote = [], 0, 0, ""
    for i, ch in enumerate(rest):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[" and top:
            depth += 1
        elif ch == "]" and top:
            depth -= 1
            if depth < 0:
                break
        elif ch == "," and depth == 0:
            items.append(rest[start:i])
            start = i + 1
    if quote:
        raise LossCliError(f"malformed loss spec {text!r}: unbalanced quotes", "close every quoted label, e.g. pos_label='New York'")
    if depth != 0:
        raise LossCliError(f"malformed loss spec {text!r}: unbalanced brackets", "write lists as [1,2,0.5]")
    items.append(rest[start:])
    return items


def _parse_value(value: str, key: str, text: str) -> RawValue:
    lowered = value.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    if lowered in ("none", "null"):
        return None
    if value.startswith("[") and value.endswith("]"):
        inner = value[1:-1].strip()
        parts = [p.strip() for p in _split_top_level(inner, text, top=False)] if inner else []
        return [_parse_item(p, key, text) for p in parts]
    return _parse_item(value, key, text)


def _parse_item(value: str, key: str, text: str) -> float | int | str:
    """A number, or a text label (a word, or quoted)."""
    quoted = _QUOTED.match(value)
    if quoted:
        return quoted.group(1) if quoted.group(1) is not None else quoted.group(2)
    if _NUMBER.match(value):
        return _parse_number(value, key, text)
    if not _WORD.match(value):
        raise LossCliError(
            f"malformed loss spec {text!r}: {key}={value!r} is not a number, word, true/false, none or [list]",
            "write e.g. huber:delta=0.5, cross_entropy:weight=[1,2,0.5] or sklearn.log_loss:labels=[cat,dog]"
            " (quote a label with blanks or commas: 'New York')",
        )
    return value


def _parse_number(value: str, key: str, text: str) -> float | int:
    try:
        return int(value)
    except ValueError:
        number = float(value)
    if math.isinf(number) and "inf" not in value.lower():
        raise LossCliError(f"malformed loss spec {text!r}: {key}={value} is beyond the range of a double (about 1.8e308)")
    return number
