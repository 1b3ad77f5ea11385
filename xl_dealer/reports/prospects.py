"""价格战败客户: nearby customers who did not buy here because of the price, to win for service
(对其来我店购车由于价格原因没有我店购车的附近客户，在来店登记表中查到客户信息，进行追踪，争取客户来我店维修、保养).

From the follow-up cards: a lost card (状态 in ``lost_statuses``) whose 战败原因 holds one of
``prospect_price_words``, lost within ``prospect_months``; joined by phone with the visitor
log for the 区域 (the latest one written), and kept only when it holds one of ``nearby_areas``
(when the store lists them). A customer who later ordered or took delivery here, or who is
already in the after-service log or the customer file, is a customer now and left out. The
clerk writes the call on the card (流失回访日期, 流失回访结果), which takes it off the morning
call list. A call list: phones shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import compress, count

from xl_dealer.model.config import Config
from xl_dealer.read.values import fold, phone_key
from xl_dealer.reports.common import (
    add_months,
    col,
    date_of,
    fed_by,
    missing_note,
    phone_keys,
    records_filled,
    shared,
    tables_of,
)
from xl_dealer.reports.data import Report, Table
from xl_dealer.reports.reminders import windows_text


@dataclass(slots=True)
class Prospect:
    key: str
    customer: str | None
    phone: str
    model: str | None
    region: str | None
    reason: str
    consultant: str | None
    lost_on: dt.date
    called: dt.date | None
    result: str | None


def price_lost(reason: str | None, config: Config) -> bool:
    return bool(reason) and any(fold(w) in fold(reason) for w in config.prospect_price_words)


def nearby(region: str | None, config: Config) -> bool:
    """In one of the store's nearby areas (when it lists them): the 区域 holds the area's name."""
    if not config.nearby_areas:
        return True
    return region is not None and any(a in region for a in config.nearby_areas)


@dataclass(slots=True)
class Found:
    prospects: list[Prospect]
    far: int  # price-lost, but the visitor log puts them outside the nearby areas
    unknown_region: int  # price-lost, no 区域 in the visitor log (only counted when areas are configured)
    now_customers: int  # price-lost, but they bought or serviced here since


@shared
def prospects(checked: list, as_of: dt.date, config: Config) -> Found:
    from xl_dealer.reports import deals

    since = add_months(as_of, -config.prospect_months)
    found = deals.collect(checked, config)
    ours: set[str] = set(found.orders)
    for kind in ("delivery", "service_callback", "customer_file"):
        for c in tables_of(checked, kind):
            ours.update(filter(None, phone_keys(c)))
    # the visitor log's 区域 of the price-lost customers only (the latest one written)
    wanted = {k for k, d in found.lost.items() if d.phone is not None and k not in ours}
    regions: dict[str, tuple[tuple, str]] = {}
    for c in tables_of(checked, "registration") if wanted else ():
        keys = phone_keys(c)
        dates, times, places = c.col("date"), c.col("arrive_time"), c.col("region")
        for i in compress(count(), map(wanted.__contains__, keys)):
            k = keys[i]
            if places[i]:
                order = (dates[i] or dt.date.min, times[i] or dt.time())
                if k not in regions or order >= regions[k][0]:
                    regions[k] = (order, places[i])
    calls: dict[str, tuple[dt.date | None, str | None]] = {}
    for r in records_filled(checked, "followup_card", ("churn_call", "churn_result"),
                            ("phone", "churn_call", "churn_result")):
        k = phone_key(r["phone"])
        if k and (r["churn_call"] or r["churn_result"]):
            cur = calls.get(k)
            if cur is None or (r["churn_call"] or dt.date.min) >= (cur[0] or dt.date.min):
                calls[k] = (r["churn_call"], r["churn_result"])
    out: list[Prospect] = []
    far = unknown = now_customers = 0
    for k, d in found.lost.items():
        if d.phone is None or not price_lost(d.reason, config) or not since <= d.date <= as_of:
            continue
        if k in ours:
            now_customers += 1
            continue
        region = regions.get(k, (None, None))[1]
        if not nearby(region, config):
            if region is None:
                unknown += 1
            else:
                far += 1
            continue
        called, result = calls.get(k, (None, None))
        out.append(Prospect(k, d.customer, d.phone, d.model, region, d.reason or "", d.consultant, d.date,
                            called, result))
    out.sort(key=lambda p: (p.called is not None, -p.lost_on.toordinal(), p.customer or ""))
    return Found(out, far, unknown, now_customers)


def build(checked: list, *, as_of: dt.date, config: Config) -> Report:
    found = prospects(checked, as_of, config)
    windows = windows_text(config)
    rows = [{"customer": p.customer, "phone": p.phone, "model": p.model, "region": p.region, "reason": p.reason,
             "consultant": p.consultant, "lost_on": p.lost_on, "called": p.called, "result": p.result,
             "status": "已回访" if p.called else "待回访", "windows": windows} for p in found.prospects]
    table = Table("list", "因价格未在本店购车的附近客户（未回访的在前）", [
        col("customer", "客户姓名"), col("phone", "联系电话", "phone"), col("model", "意向车型"), col("region", "区域"),
        col("reason", "战败原因", width=26), col("consultant", "销售顾问"), col("lost_on", "战败日期", "date"),
        col("status", "状态"), col("called", "流失回访日期", "date"), col("result", "流失回访结果", width=26),
        col("windows", "建议致电时段"),
    ], rows, empty_text="没有因价格战败的附近客户")
    by_region: dict[str, dict[str, int]] = {}
    for p in found.prospects:
        g = by_region.setdefault(p.region or "（未登记区域）", {"prospects": 0, "called": 0})
        g["prospects"] += 1
        g["called"] += p.called is not None
    summary = Table("by_region", "按区域", [
        col("region", "区域"), col("prospects", "客户", "int", "sum"), col("called", "已回访", "int", "sum"),
    ], [{"region": k, **v} for k, v in sorted(by_region.items(), key=lambda kv: -kv[1]["prospects"])],
        empty_text="没有因价格战败的附近客户")
    if summary.rows:
        from xl_dealer.reports.common import with_totals

        with_totals(summary, "region")
    notes = missing_note(checked, "followup_card")
    if tables_of(checked, "followup_card") and not tables_of(checked, "registration"):
        notes.append("未提供来店(来电)客户登记表：查不到客户的区域" + ("，无法按附近区域筛选，本表没有列出客户。"
                                                        if config.nearby_areas else "，区域一列为空。"))
    areas = "、".join(config.nearby_areas)
    skipped = []
    if found.far:
        skipped.append(f"{found.far} 位不在附近区域")
    if found.unknown_region:
        skipped.append(f"{found.unknown_region} 位来店登记中没有区域")
    if found.now_customers:
        skipped.append(f"{found.now_customers} 位之后已在本店订车、交车或进厂")
    return Report(
        name="prospects", sheet="价格战败客户", title=f"价格战败客户追踪清单 {as_of.isoformat()}",
        period_start=add_months(as_of, -config.prospect_months), period_end=as_of, as_of=date_of(as_of),
        tables=[table, summary], call_list=True, notes=notes, fed=fed_by(checked, "followup_card"),
        footnotes=[
            f"对象：跟进卡状态为{'、'.join(config.lost_statuses)}、战败原因含“{'、'.join(config.prospect_price_words)}”之一，"
            f"且在最近 {config.prospect_months} 个月内战败的客户；战败日期按销售报表的口径（跟进记录中首次记为战败的日期，"
            "否则最近跟进日期，否则建卡日期）。",
            ("附近区域：" + areas + "（来店登记表中该电话最近一次登记的区域含其中之一）。" if areas else
             "设置中没有列出附近区域（nearby_areas），所有区域的客户都列出；区域取来店登记表中该电话最近一次登记的区域。")
            + ("未列出：" + "，".join(skipped) + "。" if skipped else ""),
            "回访后请在跟进卡上填写流失回访日期和流失回访结果，该客户就不再出现在今日回访清单中。"
            f"建议致电时段 {windows}。本表为拨打清单，电话完整显示，请勿外传。",
        ],
    )
