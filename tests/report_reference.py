"""The reports' indexes as they were built before issue 19's column passes: a dict per row, every
row read. ``test_report_columns`` holds the column-wise versions to these (kept as written then,
but for their imports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key
from xl_dealer.reports.common import SOURCE, records, records_where
from xl_dealer.reports.customers import Words, keys_of, said
from xl_dealer.reports.deals import ORDER_LEVELS, ORDER_STATUSES, Deal, Deals, lost_levels


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


def latest_words(checked: list) -> dict[str, Words]:
    """key → the latest thing the customer said in any workbook of the run (客户意见 of a call, a
    complaint's 问题描述 and its 二次回访结果, a reminder's 备注, a 流失回访结果, a follow-up's 客户反馈)."""
    out: dict[str, Words] = {}

    def put(day: dt.date | None, where: str, text: Any, *key: Any) -> None:
        if day is None or not said(text):
            return
        w = Words(day, where, text.strip())
        for k in keys_of(*key):
            if k not in out or day >= out[k].day:
                out[k] = w

    # only the rows where something was said: ``put`` passes over the others (most of every log)
    def any_said(texts: tuple[Any, ...]) -> bool:
        return any(map(said, texts))

    for r in records_where(checked, "service_callback", ("comment", "churn_result"), any_said,
                           ("plate", "phone", "vin", "called", "comment", "churn_call", "churn_result")):
        put(r["called"], "回访", r["comment"], r["plate"], r["phone"], r["vin"])
        put(r["churn_call"], "流失回访", r["churn_result"], r["plate"], r["phone"], r["vin"])
    for r in records_where(checked, "complaint", ("issue", "second_result"), any_said,
                           ("phone", "date", "issue", "second_call", "second_result")):
        put(r["date"], "投诉", r["issue"], None, r["phone"])
        put(r["second_call"], "二次回访", r["second_result"], None, r["phone"])
    for r in records_where(checked, "maintenance_list", "remark", said,
                           ("plate", "phone", "reminded", "letter_sent", "remark")):
        put(r["reminded"] or r["letter_sent"], "保养提醒", r["remark"], r["plate"], r["phone"])
    for r in records_where(checked, "customer_file", "churn_result", said,
                           ("plate", "phone", "vin", "churn_call", "churn_result")):
        put(r["churn_call"], "流失回访", r["churn_result"], r["plate"], r["phone"], r["vin"])
    for r in records_where(checked, "followup_card", "churn_result", said, ("phone", "churn_call", "churn_result")):
        put(r["churn_call"], "回访", r["churn_result"], None, r["phone"])
    for r in records_where(checked, "followup_log", "feedback", said, ("phone", "date", "feedback")):
        put(r["date"], "跟进", r["feedback"], None, r["phone"])
    return out
