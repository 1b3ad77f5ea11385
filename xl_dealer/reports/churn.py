"""客户流失: customers whose last service is older than N months, and the churn rate (SPEC §4).

Cut-off = as-of − N months (config ``churn_months``, default 6). The base is the
unique customers (plate, else phone) served in the 12 months before the cut-off;
lost = those of them with no service since. Churn = lost ÷ base, 回厂率 = 1 − churn.
The service history is every callback row's 交车日期 across all workbooks given.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key
from xl_dealer.reports.common import (
    add_months,
    col,
    customer_key,
    date_of,
    missing_note,
    ratio,
    records,
    score_texts,
    with_totals,
)
from xl_dealer.reports.data import Report, Table
from xl_dealer.reports.satisfaction import case_status
from xl_dealer.rules.scores import is_problem, score_items

BASE_MONTHS = 12


def build(checked: list, *, as_of: dt.date, config: Config) -> Report:
    n = config.churn_months
    cutoff = add_months(as_of, -n)
    base_start = add_months(cutoff, -BASE_MONTHS)
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records(checked, "service_callback"):
        k = customer_key(r)
        if k and r["delivered"] and r["delivered"] <= as_of:
            history[k].append(r)

    cases: dict[str, dict[str, Any]] = {}
    for r in sorted(records(checked, "complaint"), key=lambda r: r["date"] or dt.date.min):
        k = phone_key(r["phone"])
        if k:
            cases[k] = r  # the latest complaint of that phone

    base: dict[str, list] = {}
    lost: list[dict[str, Any]] = []
    lost_keys: set[str] = set()
    items = score_items()
    for k, rows in history.items():
        served = sorted({r["delivered"] for r in rows})
        if not any(base_start <= d < cutoff for d in served):
            continue
        base[k] = rows
        last_day = served[-1]
        if last_day >= cutoff:
            continue
        last = max((r for r in rows if r["delivered"] == last_day), key=lambda r: r["called"] or dt.date.min)
        case = cases.get(phone_key(last["phone"]) or "")
        bad = [it for it in items if is_problem(last.get(it), config)]
        reason = None
        if case is not None:
            reason = case["issue"]
        elif bad:
            reason = last["comment"]
        lost_keys.add(k)
        lost.append({
            "plate": last["plate"], "customer": last["customer"], "phone": last["phone"],
            "advisor": last["advisor"], "last_service": last_day, "service_type": last["service_type"],
            "months": _months_between(last_day, as_of), "visits": len(served),
            "problems": score_texts(last, bad) or None, "reason": reason,
            "status": "待回访" if case is None else f"投诉{case_status(case, as_of)}",
        })
    _first_service_lost(checked, config, base_start, cutoff, as_of, base, lost, lost_keys)
    lost.sort(key=lambda x: (x["last_service"], x["plate"] or ""))

    total, n_lost = len(base), len(lost)
    summary = Table("summary", "流失率", [
        col("cutoff", "流失截止日", "date"), col("base", "基数客户", "int"), col("lost", "流失客户", "int"),
        col("churn_rate", "流失率", "percent"), col("return_rate", "回厂率", "percent"),
    ], [{"cutoff": cutoff, "base": total, "lost": n_lost, "churn_rate": ratio(n_lost, total),
         "return_rate": None if not total else 1 - n_lost / total}])

    per: dict[str, dict[str, int]] = defaultdict(lambda: {"base": 0, "lost": 0})
    for k, rows in base.items():
        adv = max(rows, key=lambda r: r["delivered"])["advisor"] or "（未填）"
        per[adv]["base"] += 1
        per[adv]["lost"] += k in lost_keys
    adv_rows = [{"advisor": a, **v, "churn_rate": ratio(v["lost"], v["base"])} for a, v in sorted(per.items())]
    by_advisor = with_totals(Table("by_advisor", "按服务顾问（最近一次接待）", [
        col("advisor", "服务顾问"), col("base", "基数客户", "int", "sum"), col("lost", "流失客户", "int", "sum"),
        col("churn_rate", "流失率", "percent", "rate"),
    ], adv_rows), "advisor", {"churn_rate": ("lost", "base")})

    listing = Table("lost", "流失客户回访清单", [
        col("plate", "车牌号"), col("customer", "客户姓名"), col("phone", "联系电话", "phone"),
        col("advisor", "服务顾问"), col("last_service", "最后进厂", "date"), col("service_type", "维修类型"),
        col("months", "未回厂(月)", "int"), col("visits", "期内进厂次数", "int"),
        col("problems", "最后一次不满意项"), col("reason", "流失原因(记录)", width=32), col("status", "跟进状态"),
    ], lost, empty_text="没有流失客户 / no lost customers")
    notes = missing_note(checked, "service_callback")
    if not total:
        notes.insert(0, f"{base_start.isoformat()} 至 {cutoff - dt.timedelta(days=1)} 没有进厂记录 / no services in the base period")
    return Report(
        name="churn", sheet="客户流失", title=f"客户流失分析（{n}个月未回厂） 截至 {as_of.isoformat()}",
        period_start=base_start, period_end=cutoff - dt.timedelta(days=1), as_of=date_of(as_of),
        tables=[summary, by_advisor, listing], call_list=True, notes=notes,
        footnotes=[
            f"流失截止日 = 统计日 − {n} 个月；客户按车牌去重（无车牌按电话）；进厂日期取回访记录的交车日期。",
            f"基数客户 = 截止日前 {BASE_MONTHS} 个月内（{base_start.isoformat()} 至 {(cutoff - dt.timedelta(days=1)).isoformat()}）进过厂的客户。",
            "流失客户 = 基数客户中截止日之后再未进厂的客户。流失率 = 流失客户 ÷ 基数客户；回厂率 = 1 − 流失率。",
            "流失原因：该客户最近的投诉问题描述，否则最后一次回访中不满意时的客户意见。本表含拨打清单，电话完整显示。",
            "本店售出的车（交车登记表，或客户信息卡中购车类型为本店的）在基数期内交车、之后从未回厂（首保也没做）的，计入基数客户和流失客户。",
        ],
    )


def _first_service_lost(checked: list, config: Config, base_start: dt.date, cutoff: dt.date, as_of: dt.date,
                        base: dict[str, list], lost: list[dict[str, Any]], lost_keys: set[str]) -> None:
    """A car sold here in the base year that never came back, not even for its 首保, is a lost
    customer too (when the delivery register or the customer file is given)."""
    from xl_dealer.reports.deliveries import sold_cars

    for car in sold_cars(checked, config):
        k = car.key
        if car.came_back or not k or k in base or not base_start <= car.sold < cutoff:
            continue
        base[k] = [{"delivered": car.sold, "advisor": car.advisor}]
        lost_keys.add(k)
        lost.append({
            "plate": car.plate, "customer": car.customer, "phone": car.phone, "advisor": car.advisor,
            "last_service": car.sold, "service_type": "新车交付（未回厂首保）", "months": _months_between(car.sold, as_of),
            "visits": 0, "problems": None, "reason": "购车后未回厂首保", "status": "待回访",
        })


def _months_between(a: dt.date, b: dt.date) -> int:
    """Whole calendar months from a to b (2026-01-31 → 2026-07-30 is 5)."""
    m = (b.year - a.year) * 12 + b.month - a.month
    return m - (b.day < a.day)
