"""Shapes and failures of worksheet-function arguments, without xlwings.

Excel hands a UDF a scalar for one cell and (with ``ndim=2``) a list of rows for a
range. A function that maps cells keeps the shape, so ``=DEALER_PHONE(H2:H500)``
spills a column; it never returns a 1-D list, which Excel would lay out as a row.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from xl_dealer.read.values import to_date

F = TypeVar("F", bound=Callable[..., Any])
ERROR_PREFIX = "错误："


class CellError(Exception):
    """A problem the clerk can fix, shown in the cell as ``错误：…``."""


def excel_safe(f: F) -> F:
    """Never let a Python exception reach Excel (it shows #VALUE! and hides the reason)."""

    @functools.wraps(f)
    def wrapper(*args: Any) -> Any:
        try:
            return f(*args)
        except Exception as e:  # noqa: BLE001 - the cell shows the reason instead of #VALUE!
            return error_text(e)

    return wrapper  # type: ignore[return-value]


def error_text(e: Exception) -> str:
    """What a cell shows for an exception: a CellError's reason, any other's type and text."""
    if isinstance(e, CellError):
        return f"{ERROR_PREFIX}{e}"
    return f"{ERROR_PREFIX}{type(e).__name__}: {e}"


def grid(v: Any) -> list[list[Any]]:
    """Any argument as a list of rows (a scalar is a 1×1 grid, a flat list one row)."""
    if isinstance(v, list | tuple):
        if not v:
            return [[]]
        if all(isinstance(r, list | tuple) for r in v):
            return [list(r) for r in v]
        return [list(v)]
    return [[v]]


def flat(v: Any) -> list[Any]:
    return [c for row in grid(v) for c in row]


def map_cells(fn: Callable[[Any], Any], v: Any) -> Any:
    """``fn`` over every cell; a scalar back for one cell, else rows of the same shape."""
    g = grid(v)
    out = [[fn(c) for c in row] for row in g]
    if len(out) == 1 and len(out[0]) == 1:
        return out[0][0]
    return out


def as_date(v: Any, what: str) -> dt.date | None:
    """A date from a date cell, an Excel serial (array formulas), or text; blank → None."""
    d, problem = to_date(v)
    if problem:
        raise CellError(f"{what}「{v}」不是日期")
    return d


def day_or_today(v: Any, what: str) -> dt.date:
    return as_date(v, what) or dt.date.today()


def excel_date(d: dt.date | None) -> dt.datetime | None:
    """Dates go back as datetimes: pywin32 turns them into real Excel dates."""
    return None if d is None else dt.datetime(d.year, d.month, d.day)


def rows_of(header: Any, *rows: Iterable[Any]) -> list[list[Any]]:
    return [flat(header), *(list(r) for r in rows)]
