"""What every report builder shares: periods, rows across workbooks, customer keys, safe division.

Builders read ``Checked.values`` only (the one normaliser's output), never raw cells.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import compress, count, repeat
from operator import is_not, itemgetter, or_
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.model.kinds import KINDS
from xl_dealer.read.values import phone_key
from xl_dealer.reports.data import Column, Table
from xl_dealer.rules.base import Checked

# one run's shared indexes live with the rules, which share them too
from xl_dealer.rules.shared import phone_keys as phone_keys
from xl_dealer.rules.shared import shared as shared
from xl_dealer.rules.shared import sharing as sharing

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


# the periods a report may cover (``--period``): always the last complete one before as-of
PERIODS: dict[str, str] = {"day": "日", "week": "周", "month": "月", "quarter": "季度", "half": "半年", "year": "年"}
# what people type for a period: the Chinese names and their usual variants
PERIOD_WORDS: dict[str, str] = {**{zh: key for key, zh in PERIODS.items()}, "天": "day", "日报": "day", "周报": "week",
                                "月度": "month", "月报": "month", "季": "quarter", "季报": "quarter",
                                "上半年": "half", "下半年": "half", "半年度": "half", "年度": "year", "全年": "year"}


def period_key(period: str | None) -> str | None:
    """``--period`` as typed (quarter, 季度) → its key; unknown words are returned as given."""
    if period is None:
        return None
    p = period.strip()
    return PERIOD_WORDS.get(p, p.lower())


def quarter_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return first, add_months(first, 3) - dt.timedelta(days=1)


def half_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = dt.date(day.year, 1 if day.month <= 6 else 7, 1)
    return first, add_months(first, 6) - dt.timedelta(days=1)


def year_of(day: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def _span_of(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period of kind ``period`` that ``day`` falls in."""
    if period == "day":
        return day, day
    if period == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    return {"month": month_of, "quarter": quarter_of, "half": half_of, "year": year_of}[period](day)


def period_range(period: str, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete ``period`` before ``as_of``: yesterday, last Mon–Sun, last month, quarter, half, year."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}; choose one of {', '.join(PERIODS)}")
    start, _ = _span_of(period, as_of)
    return _span_of(period, start - dt.timedelta(days=1))


def previous_range(period: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same kind just before the one starting on ``start``."""
    return _span_of(period, start - dt.timedelta(days=1))


def period_name(period: str, start: dt.date, end: dt.date) -> str:
    """How a manager names the period: 2026年11月, 2026年第3季度, 2026年上半年, 2026年, or the dates."""
    if period == "month":
        return f"{start.year}年{start.month}月"
    if period == "quarter":
        return f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    if period == "half":
        return f"{start.year}年{'上' if start.month == 1 else '下'}半年"
    if period == "year":
        return f"{start.year}年"
    return period_text(start, end)


def period_days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def months_of(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar months that [start, end] touches, in order."""
    out = []
    m = start.replace(day=1)
    while m <= end:
        out.append(month_of(m))
        m = add_months(m, 1)
    return out


def month_share(start: dt.date, end: dt.date) -> float:
    """How many months' worth [start, end] is: each day counts 1/(days in its month).

    A monthly target times this is the period's target: a full month is 1, a quarter 3,
    a week about 0.23; a week across a month end takes each day from its own month.
    """
    total = 0.0
    for m_start, m_end in months_of(start, end):
        lo, hi = max(start, m_start), min(end, m_end)
        total += period_days(lo, hi) / period_days(m_start, m_end)
    return total


class Buckets:
    """Which of two periods (0 = this one, 1 = the previous) a date falls in, or None.

    Builders walk their rows once and drop each into its bucket, so a report with the
    previous period beside it still reads every row only once.
    """

    __slots__ = ("spans", "_of")

    def __init__(self, *spans: tuple[dt.date, dt.date]) -> None:
        self.spans = spans
        self._of: dict[dt.date, int | None] = {}  # a day → its bucket: a log's days repeat by the thousand

    def of(self, d: dt.date | None) -> int | None:
        if d is None:
            return None
        try:
            return self._of[d]
        except KeyError:
            b = self._of[d] = next((i for i, (lo, hi) in enumerate(self.spans) if lo <= d <= hi), None)
            return b

    @property
    def start(self) -> dt.date:
        return min(lo for lo, _ in self.spans)

    @property
    def end(self) -> dt.date:
        return max(hi for _, hi in self.spans)


def within(d: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return d is not None and start <= d <= end


def period_text(start: dt.date, end: dt.date) -> str:
    return start.isoformat() if start == end else f"{start.isoformat()} 至 {end.isoformat()}"


# ---------------------------------------------------------------- records

@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while reports are built and drawn.

    A builder keeps hundreds of thousands of row dicts and index entries alive while it
    works; each collection walks all of them, so the collector's share grew faster than
    the rows (half of reading the records at 4x rows, and churn's 6x for 4x rows). Builders
    make next to no reference cycles; collection resumes afterwards (nested: the outermost)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def tables_of(checked: Iterable[Checked], kind: str) -> list[Checked]:
    return [c for c in checked if c.kind == kind]


def records(checked: Iterable[Checked], kind: str, fields: Iterable[str] | None = None) -> Iterator[Row]:
    """Every row of ``kind`` across workbooks as ``{field: normalised value}``; missing columns are None.

    ``fields``: only these keys (a builder that walks a big log for three columns need not
    build a dict of eighteen for every row)."""
    keys = list(fields) if fields is not None else [f.key for f in KINDS[kind].fields]
    for c in tables_of(checked, kind):
        yield from _dicts(c, keys, [c.col(k) for k in keys], c.table.rows, range(len(c.table.rows)))


def _dicts(c: Checked, keys: list[str], cells: list[Sequence[Any]], excel_rows: Sequence[int],
           indexes: Sequence[int]) -> Iterator[Row]:
    """The records of the rows at ``indexes``, given each key's ``cells`` there and their Excel rows:
    every dict built in C, no Python step per row (records are read by the million in report
    all: a generator step and two stores per row were a third of its reports)."""
    t = c.table
    n = len(indexes)
    sources = zip(repeat(t.path, n), repeat(t.sheet, n), excel_rows, strict=True)
    raws = map(_RawRow, zip(repeat(t.raw, n), indexes, strict=True))
    return map(dict, map(zip, repeat([*keys, SOURCE, RAW]), zip(*cells, sources, raws, strict=True)))


def records_where(checked: Iterable[Checked], kind: str, key: str | tuple[str, ...], test: Callable[[Any], bool],
                  fields: Iterable[str] | None = None) -> Iterator[Row]:
    """``records`` of only the rows whose ``key`` value passes ``test`` (several keys: ``test`` gets
    their values as a tuple), in the same order: the test runs down the column and only the rows
    that pass get a dict (yesterday's rows of a two-month log are a thirtieth of it)."""
    keys = list(fields) if fields is not None else [f.key for f in KINDS[kind].fields]
    for c in tables_of(checked, kind):
        if isinstance(key, str):
            rows = passing(c.col(key), test)
        else:  # a tuple's items are not told apart by type: asked row by row
            rows = [i for i, v in enumerate(zip(*map(c.col, key), strict=True)) if test(v)]
        yield from records_at(c, rows, keys)


def records_filled(checked: Iterable[Checked], kind: str, keys: tuple[str, ...],
                   fields: Iterable[str] | None = None) -> Iterator[Row]:
    """``records`` of only the rows with a value in any of the ``keys`` columns, in order: found
    down those columns in C (the few hundred rows of a log that say anything of churn)."""
    fields = list(fields) if fields is not None else [f.key for f in KINDS[kind].fields]
    for c in tables_of(checked, kind):
        filled = None
        for k in keys:
            if c.has(k):
                here = map(is_not, c.col(k), repeat(None))
                filled = here if filled is None else map(or_, filled, here)
        if filled is not None:
            yield from records_at(c, list(compress(count(), filled)), fields)


def records_at(c: Checked, rows: list[int], keys: list[str]) -> Iterator[Row]:
    """The records of these rows (indexes) of one table, with these fields, as ``records`` makes them."""
    t = c.table
    cols = [c.col(k) for k in keys]
    if any(len(v) != len(t.rows) for v in cols):
        raise ValueError(f"{t.sheet}: a column of another length than the table")
    if not rows:
        return
    # each column's cells at these rows picked in C, a column at a time (in order down it, not
    # hopping across ten columns per row)
    pick = itemgetter(*rows) if len(rows) > 1 else lambda v: (v[rows[0]],)
    yield from _dicts(c, keys, list(map(pick, cols)), pick(t.rows), rows)


def passing(values: list[Any], test: Callable[[Any], bool]) -> list[int]:
    """The indexes of the ``values`` that pass ``test``, in order. The test runs once per distinct
    value (a column of dates holds a few dozen; a column of numbers by type too, so 1 and True
    are asked apart), the rest in C: a builder's test (yesterday? this period?) is a pure
    function of the value."""
    distinct = set(values)
    if _NUMBERS.isdisjoint(map(type, distinct)):  # no number (1 == 1.0 == True): by value
        ok = {v for v in distinct if test(v)}
        return list(compress(count(), map(ok.__contains__, values)))
    typed = list(zip(map(type, values), values, strict=True))
    ok_typed = {tv for tv in set(typed) if test(tv[1])}
    return list(compress(count(), map(ok_typed.__contains__, typed)))


_NUMBERS = frozenset({bool, int, float})  # types whose values can be equal to another type's


class _RawRow(tuple):
    """One row of a table's raw cells, ``(raw columns, row index)``, looked up on demand (records
    are many, raw look-ups few). A tuple, so making one per record runs no Python code."""

    __slots__ = ()

    def get(self, key: str) -> Any:
        raw, i = self
        column = raw.get(key)
        return column[i] if column is not None and i < len(column) else None


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
    """A line for the sheet (and stderr) for each input the report needs that was not given at all."""
    out = []
    for k in kinds:
        if not tables_of(checked, k):
            out.append(f"未提供{KINDS[k].title}：输入中没有这类工作表，相关数字无法统计；请把它一并列入输入的文件或文件夹。")
    return out


def fed_by(checked: list[Checked], *kinds: str) -> bool:
    """Does any input of these kinds exist? A report fed by none of them is not written (exit 2)."""
    return any(c.kind in kinds for c in checked)


def no_previous_note(what: str, period: str, start: dt.date, end: dt.date) -> str:
    """Why the 上期 columns show "—": the inputs hold nothing for the previous period."""
    return (f"上期（{period_name(period, start, end)}）没有{what}，上期与变化显示“—”；"
            "如需对比，请把上期的工作簿一并列入输入。")


def drop_empty_columns(t: Table, keys: Iterable[str]) -> Table:
    """Remove the columns among ``keys`` that no row fills: an always-empty column only
    makes a reader wonder what is missing."""
    if not t.rows:
        return t
    empty = {k for k in keys if all(r.get(k) in (None, "") for r in t.rows)}
    t.columns = [c for c in t.columns if c.key not in empty]
    return t


# ---------------------------------------------------------------- arithmetic

def ratio(num: int | float, den: int | float) -> float | None:
    """num ÷ den, or None (shown "—") when there is nothing to divide by."""
    return num / den if den else None


def change(now: Any, before: Any, rate: bool) -> Any:
    """This period − the previous one: a count's difference; a rate's in percentage points
    (0.62 − 0.38 → 24.0), rounded as the sheet shows it so the JSON says the same."""
    if now is None or before is None:
        return None
    return round((now - before) * 100, 1) if rate else now - before


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
