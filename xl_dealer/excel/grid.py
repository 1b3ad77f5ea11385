"""Cell values as a live book gives them → the engine's tables. No xlwings here.

``used_range`` starts wherever the clerk's data starts (B3, say); padding it back to
A1 makes list index + 1 the real Excel row, so findings name the cell the clerk sees.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from xl_dealer.excel import rowcheck
from xl_dealer.model.config import Config
from xl_dealer.model.findings import Finding
from xl_dealer.read.header import AliasIndex, find_header
from xl_dealer.read.table import SkippedSheet, Table, table_from_rows
from xl_dealer.rules import check_tables

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


def as_rows(values: Any) -> list[list[Any]]:
    """A range's ``.value`` (scalar, one row, or rows) as a list of rows."""
    if not isinstance(values, list | tuple):
        return [[values]]
    if values and all(isinstance(r, list | tuple) for r in values):
        return [list(r) for r in values]
    return [list(values)]


def pad(values: Any, top_row: int, left_col: int) -> list[list[Any]]:
    """Rows from a range that starts at (top_row, left_col), shifted so index 0 is Excel row 1."""
    rows = as_rows(values)
    lead = [None] * (left_col - 1)
    return [[] for _ in range(top_row - 1)] + [lead + r for r in rows]


_INDEX: dict[int, tuple[Config, AliasIndex]] = {}


def alias_index(config: Config) -> AliasIndex:
    """The alias index of ``config``, built once: a worksheet function calls this per row, and
    building it (every kind, field and alias) cost more than checking the row."""
    hit = _INDEX.get(id(config))
    if hit is None or hit[0] is not config:
        if len(_INDEX) > 8:
            _INDEX.clear()
        hit = _INDEX[id(config)] = (config, AliasIndex(config))
    return hit[1]


_ACROSS: dict[tuple[int, tuple[tuple[Any, ...], ...]], tuple[Config, list[Any] | None]] = {}


def header_of(rows: list[list[Any]], config: Config) -> list[Any] | None:
    """The header row DEALER_CHECK_ROW reads from the rows of the header range it is given: a
    header on two rows (来店时间 merged over 到店 | 离店, 日期 merged down) read across both as the
    full way reads it, or the one row of the range that is the header (a title above it); None
    when no row is. Kept per range: Excel asks again for every row of the sheet."""
    if len(rows) == 1:
        return rows[0]
    try:
        key = (id(config), tuple(map(tuple, rows)))
        hit = _ACROSS.get(key)
    except TypeError:  # an unhashable cell
        key, hit = None, None
    if hit is None or hit[0] is not config:
        found = find_header(rows, alias_index(config), len(rows))
        header = None if found is None else found[2] if found[2] is not None else rows[found[1]]
        if key is None:
            return header
        if len(_ACROSS) > 64:
            _ACROSS.clear()
        hit = _ACROSS[key] = (config, header)
    return hit[1]


def tables_of(sheets: Sequence[tuple[str, list[list[Any]]]], path: str, config: Config) -> list[Table]:
    """(sheet name, rows) → the tables of the sheets of a known kind (others are skipped)."""
    index = alias_index(config)
    out: list[Table] = []
    for name, rows in sheets:
        t = table_from_rows(path, name, rows, index, config)
        if isinstance(t, Table):
            out.append(t)
    return out


def check_rows(rows: list[list[Any]], config: Config, as_of: dt.date, path: str = "",
               sheet: str = "") -> tuple[Table | SkippedSheet, list[Finding]]:
    """One block of rows (header included) checked as one sheet."""
    t = table_from_rows(path, sheet, rows, alias_index(config), config)
    if isinstance(t, SkippedSheet):
        return t, []
    _, findings = check_tables([t], config, as_of)
    findings.sort(key=Finding.sort_key)
    return t, findings


def check_row(header: list[Any], row: list[Any], config: Config, as_of: dt.date) -> list[Finding] | None:
    """``check_rows([header, row])``'s findings (None when the header is no known kind's), through
    the fast path of ``rowcheck`` when it can vouch for the row: DEALER_CHECK_ROW's per-row call."""
    plan = rowcheck.plan_for(header, config, as_of, alias_index)
    if plan is not None:
        found = rowcheck.check_row(plan, row)
        if found is not None:
            return found
    t, findings = check_rows([list(header), list(row)], config, as_of)  # the caller's lists stay as they were
    return None if isinstance(t, SkippedSheet) else findings
