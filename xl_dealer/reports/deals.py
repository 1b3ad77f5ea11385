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
from xl_dealer.reports.common import SOURCE, person_key, records

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


def _profiles(checked: list) -> dict[str, tuple[str | None, str | None]]:
    """phone key → (model, source): the card's, else the customer's first visitor-log row."""
    out: dict[str, tuple[str | None, str | None]] = {}
    for r in records(checked, "followup_card"):
        k = phone_key(r["phone"])
        if k and k not in out:
            out[k] = (r["model"], r["source"])
    first: dict[str, tuple[tuple, str | None, str | None]] = {}
    for r in records(checked, "registration"):
        k = phone_key(r["phone"])
        if not k or k in out:
            continue
        o = (r["date"] or dt.date.max, r["arrive_time"] or dt.time(), r[SOURCE])
        if k not in first or o < first[k][0]:
            first[k] = (o, r["model"], r["source"])
    out.update({k: (m, s) for k, (_, m, s) in first.items()})
    return out


def orders(checked: list) -> dict[str, Deal]:
    """Each customer's order (see the module docstring), keyed by customer."""
    out: dict[str, Deal] = {}
    for kind, time_key in (("registration", "arrive_time"), ("followup_log", "time")):
        for i, r in enumerate(records(checked, kind)):
            if r["level"] not in ORDER_LEVELS or r["date"] is None:
                continue
            k = person_key(r, (kind, i))
            o = (r["date"], r[time_key] or dt.time(), r[SOURCE])
            if k not in out or o < out[k].order:
                out[k] = Deal(k, r["date"], r["consultant"], r["model"] if kind == "registration" else None,
                              r["source"] if kind == "registration" else None, r["customer"], r["phone"], order=o)
    for r in records(checked, "followup_card"):
        if r["status"] not in ORDER_STATUSES and r["level"] not in ORDER_LEVELS:
            continue
        k = phone_key(r["phone"])
        day = r["last_contact"] or r["card_date"]
        if not k or k in out or day is None:
            continue
        out[k] = Deal(k, day, r["consultant"], r["model"], r["source"], r["customer"], r["phone"],
                      order=(day, dt.time(), r[SOURCE]))
    _fill_profiles(out, checked)
    return out


def lost(checked: list, config: Config) -> dict[str, Deal]:
    """Each lost card's customer (see the module docstring), keyed by customer."""
    statuses = set(config.lost_statuses)
    cards = [r for r in records(checked, "followup_card") if r["status"] in statuses]
    if not cards:
        return {}
    closing = lost_levels(config)
    went_lost: dict[str, dt.date] = {}
    last_log: dict[str, dt.date] = {}
    for r in records(checked, "followup_log"):
        k = phone_key(r["phone"])
        d = r["date"]
        if not k or d is None:
            continue
        if d > last_log.get(k, dt.date.min):
            last_log[k] = d
        if r["level"] in closing and d < went_lost.get(k, dt.date.max):
            went_lost[k] = d
    out: dict[str, Deal] = {}
    for i, r in enumerate(cards):
        k = person_key(r, ("card", i))
        day = went_lost.get(k) or r["last_contact"] or last_log.get(k) or r["card_date"]
        if day is None or k in out:
            continue
        out[k] = Deal(k, day, r["consultant"], r["model"], r["source"], r["customer"], r["phone"],
                      reason=r["lost_reason"], order=(day, dt.time(), r[SOURCE]))
    _fill_profiles(out, checked)
    return out


def _fill_profiles(deals: dict[str, Deal], checked: list) -> None:
    """An order taken in the follow-up log has no model or source there: take the customer's."""
    if not any(d.model is None or d.source is None for d in deals.values()):
        return
    profiles = _profiles(checked)
    for d in deals.values():
        model, source = profiles.get(d.key, (None, None))
        d.model = d.model or model
        d.source = d.source or source
