"""The lab's parameter checks: a bad value is a ParameterError naming the parameter (the CLI's
argument types check the same before a command starts; these guard the Python API)."""

from __future__ import annotations

import math

from rnnlab.errors import ParameterError, is_real, is_whole, shown


def whole(name: str, value, least: int) -> int:
    """`value`, a whole number of at least `least`."""
    if not is_whole(value, least):
        raise ParameterError(
            name, f"{{name}} must be a whole number >= {least} (got {shown(value)})"
        )
    return int(value)


def number(name: str, value, above: float | None = None) -> float:
    """`value`, a finite number, greater than `above` when given."""
    ok = is_real(value) and math.isfinite(value)
    if not ok or (above is not None and value <= above):
        rule = "a finite number" + ("" if above is None else f" above {above:g}")
        raise ParameterError(name, f"{{name}} must be {rule} (got {shown(value)})")
    return float(value)


def several(name: str, values, check, allow_empty: bool = False) -> tuple:
    """A tuple of `values`, each passed through check(name, value)."""
    if isinstance(values, str | bytes) or not hasattr(values, "__iter__"):
        raise ParameterError(name, f"{{name}} must be a list of values (got {shown(values)})")
    values = tuple(check(name, v) for v in values)
    if not values and not allow_empty:
        raise ParameterError(name, "{name} must hold at least one value (got none)")
    return values
