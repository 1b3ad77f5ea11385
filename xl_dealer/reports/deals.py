"""When each customer ordered or was lost (战败), by whom, for what model and source.

The sales reports count these per period, so each needs a date. An order is the
customer's first row at an order level (O/D) in any visitor log or follow-up log; a
card marked 已订车/成交 (or at O/D) without such a row is dated by its 最近跟进日期,
else its 建卡日期. A lost card (状态 in ``lost_statuses``) has no date column either: it
is dated by the first follow-up log row of that phone at a lost level (F, L: the closed
levels that are no order), else the card's 最近跟进日期, else the customer's last log
row, else the 建卡日期. Every builder reads these through here, so the 销售总结 and the
战败分析 agree. One pass over each kind, whatever the number of periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import compress
from operator import or_
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key
from xl_dealer.reports.common import phone_keys, shared, tables_of
from xl_dealer.rules.base import Checked

ORDER_LEVELS = ("O", "D")
ORDER_STATUSES = ("已订车", "成交")
BLANK = "（未填）"


@dataclass(slots=True)
class Deal:
    """One customer's order or loss."""

    key: str  # the customer: phone key, or the row for one who left no phone
    date: dt.date
    consultant: str | None
    model: str | None = None
    source: str | None = None
    customer: str | None = None
    phone: str | None = None
    reason: str | None = None  # 战败原因 as typed (not folded: fold it to match words)
    order: tuple[Any, ...] = ()  # (date, time, source row): which record came first


def lost_levels(config: Config) -> set[str]:
    """The closed levels that are no order: 战败 (F) and 失控 (L) by default."""
    return {k for k, lv in config.levels.items() if lv.cadence_days is None} - set(ORDER_LEVELS)


@dataclass(slots=True)
class Deals:
    orders: dict[str, Deal]
    lost: dict[str, Deal]


@shared
def collect(checked: list, config: Config) -> Deals:
    """Every customer's order and loss (see the module docstring), keyed by customer.

    Down the columns: only the rows that can be an order (an order level or status) or a loss (a
    lost status) are read as rows, and the other rows only for the customers those need (a lost
    card's log dates, a deal's model and source): most of a log's rows are neither."""
    orders: dict[str, Deal] = {}
    for kind in ("registration", "followup_log"):
        i = 0  # the row's index among the kind's rows across workbooks: the key of one without a phone
        for c in tables_of(checked, kind):
            t = c.table
            dates, times, phones = c.col("date"), c.col("arrive_time" if kind == "registration" else "time"), c.col("phone")
            consultants, customers = c.col("consultant"), c.col("customer")
            models, sources = (c.col("model"), c.col("source")) if kind == "registration" else (None, None)
            for j in compress(range(len(t.rows)), map(_ORDER_LEVELS.__contains__, c.col("level"))):
                d = dates[j]
                if d is None:
                    continue
                key = phone_key(phones[j]) or f"row:{(kind, i + j)}"
                o = (d, times[j] or dt.time(), (t.path, t.sheet, t.rows[j]))
                if key not in orders or o < orders[key].order:
                    orders[key] = Deal(key, d, consultants[j], models[j] if models else None,
                                       sources[j] if sources else None, customers[j], phones[j], order=o)
            i += len(t.rows)

    statuses = set(config.lost_statuses)
    lost_rows: list[tuple[Checked, int, str]] = []  # the lost cards: (sheet, row, customer key)
    card_orders: list[tuple[Checked, int, str]] = []  # the cards at an order status or level
    i = 0
    for c in tables_of(checked, "followup_card"):
        phones, status, levels = c.col("phone"), c.col("status"), c.col("level")
        maybe = map(or_, map(or_, map(statuses.__contains__, status), map(_ORDER_STATUSES.__contains__, status)),
                    map(_ORDER_LEVELS.__contains__, levels))
        for j in compress(range(len(c.table.rows)), maybe):
            k = phone_key(phones[j])
            if status[j] in statuses:
                lost_rows.append((c, j, k or f"row:{('card', i + j)}"))
            elif k:
                card_orders.append((c, j, k))
        i += len(c.table.rows)

    # a lost card is dated by its customer's log: the first row at a lost level, else the last row
    closing = lost_levels(config)
    went_lost: dict[str, dt.date] = {}
    last_log: dict[str, dt.date] = {}
    for c, found in _rows_of(checked, "followup_log", {k for _, _, k in lost_rows}):
        dates, levels = c.col("date"), c.col("level")
        for j, k in found:
            d = dates[j]
            if d is None:
                continue
            if d > last_log.get(k, dt.date.min):
                last_log[k] = d
            if levels[j] in closing and d < went_lost.get(k, dt.date.max):
                went_lost[k] = d
    lost: dict[str, Deal] = {}
    card_fields = ("card_date", "last_contact", "consultant", "phone", "customer", "model", "source", "lost_reason")
    row = _Rows(card_fields)
    for c, j, key in lost_rows:
        r = row(c, j)
        day = went_lost.get(key) or r["last_contact"] or last_log.get(key) or r["card_date"]
        if day is not None and key not in lost:
            lost[key] = Deal(key, day, r["consultant"], r["model"], r["source"], r["customer"], r["phone"],
                             reason=r["lost_reason"], order=(day, dt.time(), _source(c, j)))
    for c, j, k in card_orders:  # after every log and visitor-log row: a card only dates an order nothing else dates
        r = row(c, j)
        day = r["last_contact"] or r["card_date"]
        if k not in orders and day is not None:
            orders[k] = Deal(k, day, r["consultant"], r["model"], r["source"], r["customer"], r["phone"],
                             order=(day, dt.time(), _source(c, j)))

    # a deal missing its model or source (an order in the follow-up log) takes the customer's:
    # the card's (the first card of that phone), else the first visit's
    lacking = [d for d in (*orders.values(), *lost.values()) if d.model is None or d.source is None]
    if lacking:
        cards: dict[str, tuple[str | None, str | None]] = {}
        for c, found in _rows_of(checked, "followup_card", {d.key for d in lacking}):
            models, sources = c.col("model"), c.col("source")
            for j, k in found:
                if k not in cards:
                    cards[k] = (models[j], sources[j])
        first_visit: dict[str, tuple[tuple, str | None, str | None]] = {}
        for c, found in _rows_of(checked, "registration", {d.key for d in lacking} - cards.keys()):
            dates, times, models, sources = c.col("date"), c.col("arrive_time"), c.col("model"), c.col("source")
            for j, k in found:
                o = (dates[j] or dt.date.max, times[j] or dt.time(), _source(c, j))
                if k not in first_visit or o < first_visit[k][0]:
                    first_visit[k] = (o, models[j], sources[j])
        for d in lacking:
            model, source = cards.get(d.key) or (first_visit[d.key][1:] if d.key in first_visit else (None, None))
            d.model = d.model or model
            d.source = d.source or source
    return Deals(orders, lost)


_ORDER_LEVELS = frozenset(ORDER_LEVELS)
_ORDER_STATUSES = frozenset(ORDER_STATUSES)


def _rows_of(checked: list, kind: str, phones: set[str]) -> Iterator[tuple[Checked, list[tuple[int, str]]]]:
    """Each sheet of ``kind`` with (row, phone key) of its rows whose phone is one of ``phones``, in
    order: the test runs down the phone column, so the other rows cost no Python step of their own."""
    if not phones:
        return
    for c in tables_of(checked, kind):
        keys = phone_keys(c)
        yield c, [(j, keys[j]) for j in compress(range(len(keys)), map(phones.__contains__, keys))]  # type: ignore[misc]


class _Rows:
    """A few rows of a sheet as ``{field: value}``, each column looked up once per sheet (a column
    the sheet lacks is a fresh list of None each time it is asked for)."""

    def __init__(self, fields: tuple[str, ...]) -> None:
        self.fields = fields
        self.sheet: Checked | None = None
        self.cols: list[list[Any]] = []

    def __call__(self, c: Checked, j: int) -> dict[str, Any]:
        if c is not self.sheet:
            self.sheet, self.cols = c, [c.col(k) for k in self.fields]
        return {k: v[j] for k, v in zip(self.fields, self.cols, strict=True)}


def _source(c: Checked, j: int) -> tuple:
    """A row's ``SOURCE``: (path, sheet, Excel row)."""
    return (c.table.path, c.table.sheet, c.table.rows[j])


def orders(checked: list, config: Config | None = None) -> dict[str, Deal]:
    return collect(checked, config or Config()).orders


def lost(checked: list, config: Config) -> dict[str, Deal]:
    return collect(checked, config).lost
