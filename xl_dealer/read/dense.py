"""The dense reader: a sheet as python-calamine reads it, whole or stitched from the pieces of a
cut sheet (``pieces.py``), turned into columns a chunk of rows at a time."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.header import AliasIndex, find_header
from xl_dealer.read.table import SkippedSheet, Table, build_table, table_from_rows


class GiveUp(Exception):
    """The rows are not what the sheet should give: read it the other way."""


class Grid:
    """The rows of a sheet as calamine reads it whole: from Excel row 1, padded on the left to
    column A; from one calamine sheet or stitched from a cut sheet's pieces, each given as
    (a call that returns its calamine sheet, its first row), in order.

    ``iter_rows`` yields every row from Excel row 1 but drops the empty columns left of
    ``start``; a piece's rows above its own start are empty, so each piece gives the rows
    from where the one before ended to its own end. A piece is only waited for when its
    rows are wanted. Rows of different pieces may differ in length (their extents differ).
    """

    def __init__(self, parts: list[tuple[Callable[[], Any], int]]) -> None:
        self.parts = parts
        self.bottom = -1  # the last row given, once all are

    def rows(self) -> Iterator[list[Any]]:
        import python_calamine as pc

        his = [lo for _, lo in self.parts[1:]] + [1 << 40]
        for (get, lo), hi in zip(self.parts, his, strict=True):
            try:
                sh = get()
            except (pc.CalamineError, OSError, ValueError):
                raise GiveUp from None  # a piece calamine refuses
            if sh.start is None or sh.end is None or not sh.height or not sh.width:
                continue
            (top, left), (bottom, _) = sh.start, sh.end
            if not lo <= top <= bottom < hi:
                raise GiveUp  # the XML had rows out of order: a piece holds another's rows
            cur = self.bottom + 1
            it: Iterator[list[Any]] = islice(sh.iter_rows(), cur, None) if cur else sh.iter_rows()
            del sh
            if left:
                pad = [""] * left
                it = (pad + r for r in it)
            yield from it
            self.bottom = bottom


_CHUNK = 256  # rows turned into columns at a time: their cells still in the CPU cache (4096 cost 2×)


def from_calamine(name: str, sheet: str, grid: Grid, index: AliasIndex, config: Config,
                   errors: dict[tuple[int, int], str] | None,
                   whole: Callable[[], list[list[Any]]] | None = None) -> Table | SkippedSheet | None:
    """A calamine sheet row by row (``iter_rows``), keeping only the columns the table needs.

    ``to_python`` would build the whole grid as Python lists first: the rows we keep
    are built once, in chunks, straight into columns, so a 100k-row sheet costs less
    memory than the bare grid. For an empty sheet, one of no known kind (small, rare,
    told apart as before) or rows that do not fit what calamine said of the sheet, the
    sheet is read ``whole``; None when there is no such fallback here (a cut sheet: its
    caller reads it uncut).
    """
    try:
        table = _columns(name, sheet, grid, index, config, errors)
    except GiveUp:
        table = None
    if table is None and whole is not None:
        return table_from_rows(name, sheet, whole(), index, config, errors)
    return table


def _columns(name: str, sheet: str, grid: Grid, index: AliasIndex, config: Config,
             errors: dict[tuple[int, int], str] | None) -> Table | None:
    it = grid.rows()
    head = list(islice(it, config.header_search_rows))
    hit = find_header(head, index, config.header_search_rows) if head else None
    if hit is None:
        return None
    kind, h, two = hit
    if two is not None:
        head = [*head[:h], two, *head[h + 1:]]
    # every column: which is which is decided with the values (map_columns), and a 合计 may
    # stand in any of them
    width = max(6, len(head[h]))
    cols = _Columns(width)
    seen = len(head)
    chunk = head[h + 1:]
    while True:
        if chunk:
            m = len(chunk[0])
            if any(map(m.__ne__, map(len, chunk))):  # rows of two pieces, or a piece's first rows
                m = max(map(len, chunk))
                chunk = [r + [""] * (m - len(r)) for r in chunk]
            cols.add(list(zip(*chunk, strict=True)), len(chunk))
        chunk = list(islice(it, _CHUNK))
        if not chunk:
            break
        seen += len(chunk)
    if seen != grid.bottom + 1:
        return None
    n = seen - h - 1
    return build_table(name, sheet, kind, head[:h + 1], n, _get(cols.lists, n), index, errors,
                       width=width, distinct=cols.distinct(), header_rows=1 if two is None else 2)


class _Columns:
    """A sheet's columns as they are read, each cell interned: equal values are one object.

    calamine makes a new object per cell; a column repeats its values (dates, consultants,
    sources, blanks), so keeping one object per distinct value holds a fraction of the
    memory, and the dict that interns them is the column's set of distinct values, which the
    row checks and the normalisation need anyway (``build_table``, ``rules.fields``).

    As dict keys True == 1 == 1.0 and 0.0 == -0.0 == False: interning would turn an Excel TRUE
    into the 1.0 above it. A column holding a value equal to 0 or 1 keeps its cells as read
    from the chunk that brings one (calamine gives an .xlsx number as a float, never an int, so
    no other values of two types are equal).
    """

    def __init__(self, width: int) -> None:
        self.lists: dict[int, list[Any]] = {c: [] for c in range(width)}
        self.sets: dict[int, dict[Any, Any] | None] = {c: {} for c in range(width)}

    def add(self, t: list[tuple[Any, ...]], n: int) -> None:
        m = len(t)
        for c, acc in self.lists.items():
            cells = t[c] if c < m else ("",) * n
            d = self.sets[c]
            if d is None:
                acc.extend(cells)
                continue
            acc.extend(map(d.setdefault, cells, cells))
            if 0 in d or 1 in d:
                del acc[len(acc) - n:]
                acc.extend(cells)
                self.sets[c] = None

    def distinct(self) -> dict[int, Any]:
        return {c: d.keys() for c, d in self.sets.items() if d is not None}


def _get(cols: dict[int, list[Any]], n: int) -> Callable[[int], Sequence[Any]]:
    blank = ("",) * n
    return lambda c: cols[c] if c in cols else blank
