"""What the information clerk's lists know about one customer across every workbook of the run.

Club members (会员: the customer file, the delivery register, the callback log's 会员 and
是否入会), the free campaign visits that are no return (我店搞活动期间来免费维修除外), the churn
follow-up a sheet or the customer file keeps (流失原因, 流失回访日期, 流失回访结果), and the latest
words the customer said anywhere (客户意见, a complaint, a reminder's 备注, a 流失回访结果). A
customer is found by plate, VIN or phone, as the clerk would look them up. Each index is built
in one pass over the rows it reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from operator import is_, or_
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import fold, phone_key
from xl_dealer.reports.common import phone_keys, records_filled, shared, tables_of

NO_WORDS = frozenset({"无", "没有", "暂无", "无意见", "没意见", "没有意见", "无建议", "没有建议", "/", "-", "—", "无。"})


def keys_of(plate: str | None = None, phone: str | None = None, vin: str | None = None) -> list[str]:
    """The keys one customer is found by: ("p", plate), ("t", phone), ("v", VIN), as strings."""
    out = []
    if plate:
        out.append(f"p:{plate}")
    pk = phone_key(phone)
    if pk:
        out.append(f"t:{pk}")
    if vin:
        out.append(f"v:{vin}")
    return out


def said(text: Any) -> bool:
    """Is this text something the customer said (not blank, not 无/没有意见)?"""
    return isinstance(text, str) and fold(text) not in NO_WORDS and bool(text.strip())


# ---------------------------------------------------------------- campaigns

def campaign_visit(service_type: str | None, day: dt.date | None, config: Config) -> bool:
    """A visit during one of the store's free campaigns: its 维修类型 is a campaign type (免费检测,
    活动), or its day falls in a configured campaign (of the campaign's types, when it lists any)."""
    if service_type is not None and service_type in config.campaign_service_types:
        return True
    if day is None:
        return False
    return any(cp.start <= day <= cp.end and (not cp.types or service_type in cp.types) for cp in config.campaigns)


# ---------------------------------------------------------------- members

@dataclass(slots=True)
class Members:
    keys: set[str] = field(default_factory=set)

    def of(self, plate: str | None = None, phone: str | None = None, vin: str | None = None) -> bool:
        return any(k in self.keys for k in keys_of(plate, phone, vin))


@shared
def members(checked: list) -> Members:
    """Every club member the run knows: 会员 = 是 in the customer file, the delivery register or the
    callback log, or 是否入会 = 是 on a call (joined during it)."""
    m = Members()
    for kind in ("customer_file", "delivery", "service_callback"):
        for c in tables_of(checked, kind):
            yes = map(is_, c.col("member"), repeat(True))
            if kind == "service_callback":
                yes = map(or_, yes, map(is_, c.col("club_joined"), repeat(True)))
            plates, phones, vins = c.col("plate"), c.col("phone"), c.col("vin")
            for i in compress(count(), list(yes)):  # the members' rows only
                m.keys.update(keys_of(plates[i], phones[i], vins[i]))
    return m


# ---------------------------------------------------------------- churn follow-up

@dataclass(slots=True)
class ChurnNote:
    """What the inputs record about a lost customer: the reason, the call to win them back and its result."""

    reason: str | None = None
    reason_on: dt.date | None = None
    call: dt.date | None = None
    result: str | None = None


@shared
def churn_notes(checked: list) -> dict[str, ChurnNote]:
    """key → the latest 流失原因 and the latest 流失回访 (date and result) of that customer, from the
    callback log and the customer file."""
    out: dict[str, ChurnNote] = {}
    sources = (("service_callback", ("plate", "phone", "vin", "called", "delivered", "churn_reason", "churn_call",
                                     "churn_result")),
               ("customer_file", ("plate", "phone", "vin", "last_visit", "churn_reason", "churn_call", "churn_result")))
    for kind, fields in sources:
        # the rows that say anything of churn (a few hundred of a log), found down their three columns
        for r in records_filled(checked, kind, ("churn_reason", "churn_call", "churn_result"), fields):
            on = r["churn_call"] or r.get("called") or r.get("delivered") or r.get("last_visit") or dt.date.min
            for k in keys_of(r["plate"], r["phone"], r["vin"]):
                note = out.setdefault(k, ChurnNote())
                if r["churn_reason"] and (note.reason_on is None or on >= note.reason_on):
                    note.reason, note.reason_on = r["churn_reason"], on
                if r["churn_call"] and (note.call is None or r["churn_call"] >= note.call):
                    note.call, note.result = r["churn_call"], r["churn_result"] or note.result
                elif r["churn_result"] and note.call is None:
                    note.result = r["churn_result"]
    return out


def note_of(notes: dict[str, ChurnNote], plate: str | None = None, phone: str | None = None,
            vin: str | None = None) -> ChurnNote | None:
    """The customer's churn note, by plate, else phone, else VIN (the latest call of those found)."""
    found = [notes[k] for k in keys_of(plate, phone, vin) if k in notes]
    if not found:
        return None
    best = ChurnNote()
    for n in found:
        if n.reason and (best.reason_on is None or (n.reason_on or dt.date.min) >= best.reason_on):
            best.reason, best.reason_on = n.reason, n.reason_on
        if n.call and (best.call is None or n.call >= best.call):
            best.call, best.result = n.call, n.result
        elif n.result and best.result is None:
            best.result = n.result
    return best


# ---------------------------------------------------------------- the latest words

@dataclass(frozen=True, slots=True)
class Words:
    day: dt.date
    where: str  # 回访, 投诉, 二次回访, 保养提醒, 流失回访, 跟进
    text: str

    def shown(self) -> str:
        return f"{self.day.isoformat()} {self.where}：{self.text}"


def latest_words(checked: list, wanted: set[str]) -> dict[str, Words]:
    """key → the latest thing the customer said in any workbook of the run (客户意见 of a call, a
    complaint's 问题描述 and its 二次回访结果, a reminder's 备注, a 流失回访结果, a follow-up's 客户反馈),
    for the customers of ``wanted`` (``keys_of`` keys): the call list's few hundred, not the logs'
    every customer. Of several on the latest day, the last one read (in the order below, row by row).

    Only the rows of a wanted customer are read as rows; which they are is found down the key
    columns (in C, but for a phone's extension)."""
    best: dict[str, Words] = {}
    plates = {k[2:] for k in wanted if k.startswith("p:")}
    phones = {k[2:] for k in wanted if k.startswith("t:")}
    vins = {k[2:] for k in wanted if k.startswith("v:")}
    pieces = (  # kind, (plate, phone, vin) columns, then (day, text, where) of each thing said on a row
        ("service_callback", ("plate", "phone", "vin"), (("called", "comment", "回访"),
                                                         ("churn_call", "churn_result", "流失回访"))),
        ("complaint", (None, "phone", None), (("date", "issue", "投诉"), ("second_call", "second_result", "二次回访"))),
        ("maintenance_list", ("plate", "phone", None), ((("reminded", "letter_sent"), "remark", "保养提醒"),)),
        ("customer_file", ("plate", "phone", "vin"), (("churn_call", "churn_result", "流失回访"),)),
        ("followup_card", (None, "phone", None), (("churn_call", "churn_result", "回访"),)),
        ("followup_log", (None, "phone", None), (("date", "feedback", "跟进"),)),
    )
    for kind, who, said_on in pieces:
        for c in tables_of(checked, kind):
            n = len(c.table.rows)
            rows: set[int] = set()
            for by, values in zip(who, (plates, phones, vins), strict=True):
                if by and values and c.has(by):
                    keys = phone_keys(c) if values is phones else c.col(by)
                    rows.update(compress(range(n), map(values.__contains__, keys)))
            if not rows:
                continue
            cols = [c.col(k) if k else [None] * n for k in who]
            # each said thing's day column(s) and text column, asked for once (a missing one is a new list)
            said_cols = [([c.col(day)] if isinstance(day, str) else [c.col(d) for d in day], c.col(text), where)
                         for day, text, where in said_on]
            for i in sorted(rows):
                plate, phone, vin = (v[i] for v in cols)
                for days, texts, where in said_cols:
                    d = days[0][i] if len(days) == 1 else (days[0][i] or days[1][i])
                    words = texts[i]
                    if d is None or not said(words):
                        continue
                    w = Words(d, where, words.strip())
                    for k in keys_of(plate, phone, vin):
                        if k not in best or d >= best[k].day:
                            best[k] = w
    return {k: w for k, w in best.items() if k in wanted}  # a row's other keys saw only some of their rows


def words_of(words: dict[str, Words], plate: str | None = None, phone: str | None = None,
             vin: str | None = None) -> Words | None:
    found = [words[k] for k in keys_of(plate, phone, vin) if k in words]
    return max(found, key=lambda w: w.day) if found else None
