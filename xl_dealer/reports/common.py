"""What every report builder shares: periods, rows across workbooks, customer keys, safe division.

Builders read ``Checked.values`` only (the one normaliser's output), never raw cells.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.kinds import KINDS
from xl_dealer.read.values import phone_key
from xl_dealer.reports.data import Column, Table
from xl_dealer.rules.base import Checked

Row = dict[str, Any]
SOURCE = "_src"  # (path, sheet, Excel row) of a record, for ordering and tracing
RAW = "_raw"  # the record's cells as written, {field: raw value}: only to show a value as the clerk typed it


# ---------------------------------------------------------------- periods

def yesterday(as_of: dt.date) -> tuple[dt.date, dt.date]:
    d = as_of - dt.timedelta(days=1)
    return d, d


def last_week(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete Monday–Sunday before ``as_of`` (on a Sunday, the week before it)."""
    end = as_of - dt.timedelta(days=as_of.weekday() + 1)
    return end - dt.timedelta(days=6), end


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    return first, add_months(first, 1) - dt.timedelta(days=1)


def last_month(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month before the one ``as_of`` falls in (run on the 3rd: last month)."""
    return month_of(as_of.replace(day=1) - dt.timedelta(days=1))


def add_months(day: dt.date, n: int) -> dt.date:
    """``day`` moved by ``n`` calendar months, clamped to the month's last day (8-31 − 6 months = 2-28)."""
    y, m = divmod(day.month - 1 + n, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def within(d: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return d is not None and start <= d <= end


def period_text(start: dt.date, end: dt.date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()} 至 {end.isoformat()}"


# ---------------------------------------------------------------- records

def tables_of(checked: Iterable[Checked], kind: str) -> list[Checked]:
    return [c for c in checked if c.kind == kind]


def records(checked: Iterable[Checked], kind: str) -> Iterator[Row]:
    """Every row of ``kind`` across workbooks as ``{field: normalised value}``; missing columns are None."""
    keys = [f.key for f in KINDS[kind].fields]
    for c in tables_of(checked, kind):
        cols = [c.col(k) for k in keys]
        t = c.table
        for i, excel_row in enumerate(t.rows):
            r: Row = {k: col[i] for k, col in zip(keys, cols, strict=True)}
            r[SOURCE] = (t.path, t.sheet, excel_row)
            r[RAW] = _RawRow(t.raw, i)
            yield r


class _RawRow:
    """One row of a table's raw cells, looked up on demand (records are many, raw look-ups few)."""

    __slots__ = ("_raw", "_i")

    def __init__(self, raw: dict[str, list[Any]], i: int) -> None:
        self._raw, self._i = raw, i

    def get(self, key: str) -> Any:
        column = self._raw.get(key)
        return column[self._i] if column is not None and self._i < len(column) else None


def score_texts(r: Row, items: Iterable[str]) -> str:
    """"接待速度2分、总体评价3/10分": each item as the customer gave it (``scores.score_text``)."""
    from xl_dealer.rules.scores import item_header, score_text

    return "、".join(f"{item_header(it)}{score_text(r[RAW].get(it), r.get(it))}" for it in items)


def customer_key(r: Row) -> str | None:
    """Unique customer: the plate, else the phone (without extension), else None (unknown)."""
    return r.get("plate") or phone_key(r.get("phone"))


def person_key(r: Row, fallback: Any) -> str:
    """A customer who left no phone still counts once: keyed by their row."""
    return phone_key(r.get("phone")) or f"row:{fallback}"


def missing_note(checked: list[Checked], *kinds: str) -> list[str]:
    """A line for the sheet when an input the report needs was not given at all."""
    out = []
    for k in kinds:
        if not tables_of(checked, k):
            out.append(f"未提供{KINDS[k].title}（没有该类工作表）/ no {k} sheet among the inputs")
    return out


# ---------------------------------------------------------------- arithmetic

def ratio(num: int | float, den: int | float) -> float | None:
    """num ÷ den, or None (shown "—") when there is nothing to divide by."""
    return num / den if den else None


def sum_row(t: Table, label_key: str, label: str = "合计") -> Row:
    """A totals row: sums of the ``total="sum"`` columns; rates are filled by the caller."""
    row: Row = {c.key: None for c in t.columns}
    row[label_key] = label
    for c in t.columns:
        if c.total == "sum":
            row[c.key] = sum(r.get(c.key) or 0 for r in t.rows)
    return row


def with_totals(t: Table, label_key: str, rates: dict[str, tuple[str, str]] | None = None) -> Table:
    """Fill ``t.total_row`` (sums, then each rate column as num ÷ den of the summed columns)."""
    row = sum_row(t, label_key)
    for key, (num, den) in (rates or {}).items():
        row[key] = ratio(row[num] or 0, row[den] or 0)
    t.totals = True
    t.total_row = row
    return t


def col(key: str, header: str, fmt: str = "text", total: str | None = None, width: float | None = None) -> Column:
    return Column(key, header, fmt, width, total)  # type: ignore[arg-type]


def level_order(config: Config) -> list[str]:
    return list(config.levels)


def date_of(as_of: dt.date) -> dt.datetime:
    """A report's as-of stamp; the I/O layer replaces it with the run time (builders stay pure)."""
    return dt.datetime.combine(as_of, dt.time())
