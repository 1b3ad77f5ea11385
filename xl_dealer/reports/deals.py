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
from dataclasses import dataclass
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key
from xl_dealer.reports.common import SOURCE, records, shared

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
    reason: str | None = None  # 战败原因 as typed (full-width forms folded, as every text is)
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
    """Every customer's order and loss (see the module docstring), keyed by customer: one
    pass over each kind, with only the columns it needs."""
    orders: dict[str, Deal] = {}
    first_visit: dict[str, tuple[tuple, str | None, str | None]] = {}  # phone → (order, model, source)
    for i, r in enumerate(records(checked, "registration", ("date", "arrive_time", "level", "consultant", "phone",
                                                             "customer", "model", "source"))):
        k = phone_key(r["phone"])
        o = (r["date"] or dt.date.max, r["arrive_time"] or dt.time(), r[SOURCE])
        if k and (k not in first_visit or o < first_visit[k][0]):
            first_visit[k] = (o, r["model"], r["source"])
        if r["level"] in ORDER_LEVELS and r["date"] is not None:
            key = k or f"row:{('registration', i)}"
            if key not in orders or o < orders[key].order:
                orders[key] = Deal(key, r["date"], r["consultant"], r["model"], r["source"], r["customer"], r["phone"],
                                   order=o)

    closing = lost_levels(config)
    went_lost: dict[str, dt.date] = {}
    last_log: dict[str, dt.date] = {}
    for i, r in enumerate(records(checked, "followup_log", ("date", "time", "level", "consultant", "phone",
                                                             "customer"))):
        d = r["date"]
        if d is None:
            continue
        k = phone_key(r["phone"])
        if k:
            if d > last_log.get(k, dt.date.min):
                last_log[k] = d
            if r["level"] in closing and d < went_lost.get(k, dt.date.max):
                went_lost[k] = d
        if r["level"] in ORDER_LEVELS:
            key = k or f"row:{('followup_log', i)}"
            o = (d, r["time"] or dt.time(), r[SOURCE])
            if key not in orders or o < orders[key].order:
                orders[key] = Deal(key, d, r["consultant"], None, None, r["customer"], r["phone"], order=o)

    statuses = set(config.lost_statuses)
    lost: dict[str, Deal] = {}
    cards: dict[str, tuple[str | None, str | None]] = {}  # phone → the card's (model, source)
    card_orders: list[dict[str, Any]] = []
    for i, r in enumerate(records(checked, "followup_card", ("card_date", "last_contact", "status", "level", "consultant",
                                                              "phone", "customer", "model", "source", "lost_reason"))):
        k = phone_key(r["phone"])
        if k and k not in cards:
            cards[k] = (r["model"], r["source"])
        if r["status"] in statuses:
            key = k or f"row:{('card', i)}"
            day = went_lost.get(key) or r["last_contact"] or last_log.get(key) or r["card_date"]
            if day is not None and key not in lost:
                lost[key] = Deal(key, day, r["consultant"], r["model"], r["source"], r["customer"], r["phone"],
                                 reason=r["lost_reason"], order=(day, dt.time(), r[SOURCE]))
        elif k and (r["status"] in ORDER_STATUSES or r["level"] in ORDER_LEVELS):
            card_orders.append(r)
    for r in card_orders:  # after every log and visitor-log row: a card only dates an order nothing else dates
        k = phone_key(r["phone"])
        day = r["last_contact"] or r["card_date"]
        if k and k not in orders and day is not None:
            orders[k] = Deal(k, day, r["consultant"], r["model"], r["source"], r["customer"], r["phone"],
                             order=(day, dt.time(), r[SOURCE]))

    # a deal missing its model or source (an order in the follow-up log) takes the customer's:
    # the card's, else the first visit's
    for d in (*orders.values(), *lost.values()):
        if d.model is None or d.source is None:
            model, source = cards.get(d.key) or (first_visit[d.key][1:] if d.key in first_visit else (None, None))
            d.model = d.model or model
            d.source = d.source or source
    return Deals(orders, lost)


def orders(checked: list, config: Config | None = None) -> dict[str, Deal]:
    return collect(checked, config or Config()).orders


def lost(checked: list, config: Config) -> dict[str, Deal]:
    return collect(checked, config).lost
