"""Option values converted without pydantic, for a fast start.

Typer 0.2x builds a pydantic ``TypeAdapter`` for every parameter it converts, which costs about
100 ms of imports on every run. losscli's parameters are only ``str``, ``int``, ``float``,
``bool`` and ``Enum`` values (optional, or lists of them), so :func:`install` gives each Typer
parameter a small converter with the same rules and messages instead. Older Typer releases,
which convert through click's own types, have no such hook and are left alone.
"""

from __future__ import annotations

import enum
import types
import typing
from typing import Any


class LightCoercion:
    """Converts one parameter's raw value(s) to its annotation, checking ``min``/``max``."""

    def __init__(self, annotation: Any, low: Any, high: Any) -> None:
        self.annotation, self.low, self.high = annotation, low, high

    def coerce(self, value: Any, param: Any = None, ctx: Any = None) -> Any:
        import typer

        kind, many = _unwrap(self.annotation)
        if value is None:
            return [] if many else None
        if many:
            if isinstance(value, str):
                raise typer.BadParameter("Value must be an iterable.", ctx=ctx, param=param)
            return [self._one(kind, v, param, ctx) for v in value]
        return self._one(kind, value, param, ctx)

    def _one(self, kind: Any, value: Any, param: Any, ctx: Any) -> Any:
        import typer

        def bad(message: str) -> Exception:
            return typer.BadParameter(message, ctx=ctx, param=param)

        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            if isinstance(value, kind):
                return value
            choices = [m.value for m in kind]
            if value not in choices:
                raise bad(f"{value!r} is not one of {', '.join(repr(c) for c in choices)}.")
            return kind(value)
        if kind is bool:
            if isinstance(value, bool):
                return value
            raise bad("Input should be a valid boolean")
        if kind in (int, float):
            try:
                number = kind(value) if not isinstance(value, bool) else None
                if kind is int and isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
                    number = None
            except (TypeError, ValueError):
                number = None
            if number is None:
                raise bad("Input should be a valid integer" if kind is int else
                          "Input should be a valid number, unable to parse string as a number")
            if self.low is not None and number < self.low:
                raise bad(f"Input should be greater than or equal to {self.low}")
            if self.high is not None and number > self.high:
                raise bad(f"Input should be less than or equal to {self.high}")
            return number
        return value if kind is not str else str(value)


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(item type, is a list) of ``Optional[X]``, ``List[X]``, ``X``."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, getattr(types, "UnionType", None)):
        annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        origin = typing.get_origin(annotation)
    if origin in (list, typing.List):  # noqa: UP006
        return typing.get_args(annotation)[0], True
    return annotation, False


def install_one(param: Any) -> Any:
    """Give one Typer parameter a :class:`LightCoercion` (when it converts a type handled here); returns it."""
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is None or getattr(param, "_runtime_param", "absent") is not None:
        return param
    kind, _ = _unwrap(descriptor.annotation)
    if kind in (str, int, float, bool) or (isinstance(kind, type) and issubclass(kind, enum.Enum)):
        info = descriptor.parameter_info
        param._runtime_param = LightCoercion(descriptor.annotation, getattr(info, "min", None), getattr(info, "max", None))
    return param


def install(command: Any) -> None:
    """Give every Typer parameter of ``command`` (and of its subcommands) a :class:`LightCoercion`."""
    for param in getattr(command, "params", []):
        install_one(param)
    for sub in getattr(command, "commands", {}).values():
        install(sub)
