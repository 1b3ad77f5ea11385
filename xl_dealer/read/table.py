"""A sheet of a known kind as a table: its columns below the header, blank, total and
repeated-header rows dropped, every row at its real Excel row number."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import compress, zip_longest
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.schema import Kind
from xl_dealer.read.header import AliasIndex, classify, col_letter, header_key
from xl_dealer.read.values import ERROR_VALUES

_TOTAL_ROW = re.compile(r"^(合计|小计|总计|总数|共计|累计)")
_YEAR = re.compile(r"(20\d\d)\s*年")


@dataclass(slots=True)
class Table:
    """One sheet of a known kind, column-wise: ``raw[field][i]`` is on Excel row ``rows[i]``."""

    path: str
    sheet: str
    kind: Kind
    header_row: int  # Excel row number of the header
    columns: dict[str, int]  # field key -> 0-based column index
    headers: dict[str, str]  # field key -> header text as written
    unmapped: list[str]
    rows: list[int]
    raw: dict[str, list[Any]]
    duplicates: list[tuple[str, str, int]] = field(default_factory=list)  # (field, header, column)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) -> "#N/A"
    year: int | None = None  # the year "11月3日" means, from the title or sheet name
    # field key -> the set of its raw values (a superset: skipped rows too), built for the
    # row checks and handed to the normalisation, which takes it (it is not kept)
    distinct: dict[str, set[Any]] = field(default_factory=dict, repr=False, compare=False)

    def cell(self, key: str, i: int) -> str:
        return f"{col_letter(self.columns[key])}{self.rows[i]}"

    def info(self) -> dict[str, Any]:
        return {
            "name": self.sheet,
            "kind": self.kind.key,
            "header_row": self.header_row,
            "rows": len(self.rows),
            "columns": dict(self.headers),
            "unmapped": list(self.unmapped),
        }


@dataclass(slots=True)
class SkippedSheet:
    path: str
    sheet: str
    reason: str

    def info(self) -> dict[str, Any]:
        return {"name": self.sheet, "kind": None, "header_row": None, "rows": 0,
                "columns": {}, "unmapped": [], "skipped": self.reason}


def table_from_rows(
    path: str, sheet: str, rows: list[list[Any]], index: AliasIndex, config: Config,
    errors: dict[tuple[int, int], str] | None = None, row_numbers: list[int] | None = None,
) -> Table | SkippedSheet:
    """Build a Table from a sheet's rows as any reader gives them: index 0 = Excel row 1,
    or, for a sparse read, ``rows[k]`` is Excel row ``row_numbers[k]``."""
    if not any(v is not None and v != "" for row in rows for v in row) and not errors:
        return SkippedSheet(path, sheet, "empty")
    if row_numbers is not None:
        limit = sum(1 for n in row_numbers if n <= config.header_search_rows)
        hit = classify(rows, index, limit)
    else:
        hit = classify(rows, index, config.header_search_rows)
    if hit is None:
        return SkippedSheet(path, sheet, "not a known kind")
    kind, h = hit
    body = rows[h + 1:]
    # column-wise from here on; zip_longest pads short rows as a ragged reader gives them
    transposed = list(zip_longest(*body, fillvalue=None))
    blank: tuple[Any, ...] = (None,) * len(body)
    table = build_table(path, sheet, kind, rows[:h + 1], len(body),
                        lambda c: transposed[c] if c < len(transposed) else blank, index, errors)
    if row_numbers is not None:
        table.rows = [row_numbers[r - 1] for r in table.rows]
        table.header_row = row_numbers[h]
    return table


def build_table(
    path: str, sheet: str, kind: Kind, head: list[list[Any]], n: int,
    column: Callable[[int], Sequence[Any]], index: AliasIndex,
    errors: dict[tuple[int, int], str] | None = None,
) -> Table:
    """A Table from the rows down to the header (``head[-1]``, on Excel row ``len(head)``) and
    the ``n`` rows below it, given column-wise: ``column(c)[j]`` is column ``c`` of Excel row
    ``len(head) + 1 + j``.

    Column-wise because a Python loop over 100k rows × 20 cells costs seconds; here the
    per-cell work is in C (set, map, compress) and Python only looks at distinct values
    and at the few rows that are blank, 合计 or a repeated header.
    """
    h = len(head) - 1
    header = head[h]
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    unmapped: list[str] = []
    duplicates: list[tuple[str, str, int]] = []
    for c, cellv in enumerate(header):
        if not isinstance(cellv, str) or not cellv.strip():
            if cellv not in (None, "") and not isinstance(cellv, str):
                unmapped.append(str(cellv))
            continue
        key = index.lookup(kind, cellv)
        if key is None:
            unmapped.append(cellv.strip())
        elif key in columns:
            duplicates.append((key, cellv.strip(), c))
        else:
            columns[key] = c
            headers[key] = cellv.strip()

    year = _title_year(head[:h], sheet)
    first = h + 2  # Excel row of body index 0
    mapped = {k: column(c) for k, c in columns.items()}
    distinct = _Distinct(column)
    skip = _blank_rows(list(mapped.values()), n)
    skip |= _total_rows([column(c) for c in range(6)], distinct, skip)
    skip |= _header_again_rows(mapped, columns, {k: header_key(headers[k]) for k in columns}, distinct, skip)
    data_rows = list(range(first, first + n))
    raw = {k: _drop(col, skip) for k, col in mapped.items()}
    if skip:
        data_rows = _drop(data_rows, skip)
    return Table(path, sheet, kind, h + 1, columns, headers, unmapped, data_rows, raw,
                 duplicates, dict(errors or {}), year,
                 {k: distinct.sets[c] for k, c in columns.items() if c in distinct.sets})


def _drop(col: Sequence[Any], skip: set[int]) -> list[Any]:
    """``col`` without the rows in ``skip``. A list is ours to edit (the readers build fresh
    ones): a few deletions in place cost less time and memory than a copy."""
    if isinstance(col, list) and len(skip) <= 64:
        for j in sorted(skip, reverse=True):
            del col[j]
        return col
    if not skip:
        return list(col)
    keep = bytearray(b"\x01") * len(col)
    for j in skip:
        keep[j] = 0
    return list(compress(col, keep))


class _Distinct:
    """The set of values of a body column, built once and shared by the row checks."""

    def __init__(self, column: Callable[[int], Sequence[Any]]) -> None:
        self.column = column
        self.sets: dict[int, set[Any]] = {}

    def __call__(self, c: int) -> set[Any]:
        s = self.sets.get(c)
        if s is None:
            s = self.sets[c] = set(self.column(c))
        return s

    def estimate(self, c: int) -> int:
        """Distinct values in the first 2,000 cells: cheap, enough to rank columns."""
        s = self.sets.get(c)
        return len(s) if s is not None else len(set(self.column(c)[:2000]))




def _blank_rows(cols: list[Sequence[Any]], n: int) -> set[int]:
    """Rows whose mapped cells are all blank (a pre-numbered template row counts as blank).
    A formula error counts as blank here: a formula column dragged down past the data (a
    VLOOKUP showing #N/A in the empty rows) does not make a row of data, and what the columns we
    do not map hold never does. The candidates shrink column by column."""
    if not cols:
        cand: Iterable[int] = range(n)
    else:
        first_col = cols[0]
        cand = [j for j in range(n) if _empty(first_col[j])]
        for col in cols[1:]:
            if not cand:
                break
            cand = [j for j in cand if col[j] is None or col[j] == "" or _empty(col[j])]
    return set(cand)


def _empty(v: Any) -> bool:
    """Blank, spaces, or a formula error's text (how the sparse reader and xlrd give one)."""
    return v is None or (v.__class__ is str and (not v.strip() or v in ERROR_VALUES))


_TOTAL_FIRST = frozenset("合小总共累")


def _is_total_text(v: Any) -> bool:
    return v.__class__ is str and v and v.lstrip()[:1] in _TOTAL_FIRST and _TOTAL_ROW.match(v.strip()) is not None


def _total_rows(first_cols: list[Sequence[Any]], distinct: _Distinct, skip: set[int]) -> set[int]:
    """合计/小计 rows: one of the first six cells starts with such a word."""
    out: set[int] = set()
    for c, col in enumerate(first_cols):
        hits = {v for v in distinct(c) if _is_total_text(v)}
        if hits:
            out.update(j for j in compress(range(len(col)), map(hits.__contains__, col)) if j not in skip)
    return out


def _header_again_rows(mapped: dict[str, Sequence[Any]], columns: dict[str, int], keys: dict[str, str],
                       distinct: _Distinct, skip: set[int]) -> set[int]:
    """A printed page header repeated lower down: most mapped cells equal their header.

    A row needs ``need`` matching cells, so it has at least one among any
    ``len - need + 1`` columns: only rows with a match in the columns with the fewest
    distinct values are candidates, and usually there are none.
    """
    if not mapped:
        return set()
    need = max(2, len(mapped) // 2)
    if need > len(mapped):
        return set()
    probe = sorted(mapped, key=lambda k: distinct.estimate(columns[k]))[:len(mapped) - need + 1]
    cand: set[int] = set()
    for k in probe:
        hits = {v for v in distinct(columns[k]) if v.__class__ is str and v and header_key(v) == keys[k]}
        if hits:
            col = mapped[k]
            cand.update(compress(range(len(col)), map(hits.__contains__, col)))
    out = set()
    for j in cand - skip:
        same = sum(1 for k, col in mapped.items()
                   if col[j].__class__ is str and col[j] and header_key(col[j]) == keys[k])
        if same >= need:
            out.add(j)
    return out


def _title_year(title_rows: list[list[Any]], sheet: str) -> int | None:
    for text in [sheet, *(c for row in title_rows for c in row if isinstance(c, str))]:
        m = _YEAR.search(text)
        if m:
            return int(m[1])
    return None
