"""战败分析: the period's lost cards by reason, model, source and consultant, with the reasons as typed.

A typed 战败原因 goes to the first group of ``lost_reasons`` (config, in order) that has a
keyword in it, else 其他, so each card counts once and the shares add up to 100 %.
Lost and ordered customers are dated as ``deals`` says; 战败率 = lost ÷ (lost + ordered)
in the period: of the customers decided in the period, the share lost.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import fold, mask_phone
from xl_dealer.reports import deals
from xl_dealer.reports.common import (
    PERIODS,
    Buckets,
    change,
    col,
    date_of,
    fed_by,
    missing_note,
    no_previous_note,
    period_name,
    period_range,
    previous_range,
    ratio,
    with_totals,
)
from xl_dealer.reports.data import FORMATS_KEY, Chart, Report, Table

OTHER = "其他"
UNTYPED = "（未填原因）"


def reason_group(text: str | None, config: Config) -> str:
    """The group of a typed reason: the first group (config order) with a keyword in it."""
    if not text or not str(text).strip():
        return UNTYPED
    t = fold(str(text)).lower()
    for group, words in config.lost_reasons.items():
        if any(fold(w).lower() in t for w in words if w):
            return group
    return OTHER


def build(checked: list, *, as_of: dt.date, config: Config, period: str | None = None) -> Report:
    period = period or "month"
    cur = period_range(period, as_of)
    prev = previous_range(period, cur[0])
    buckets = Buckets(cur, prev)
    lost = [[], []]  # type: list[list[deals.Deal]]
    won = [[], []]  # type: list[list[deals.Deal]]
    found_deals = deals.collect(checked, config)
    for found, into in ((found_deals.lost, lost), (found_deals.orders, won)):
        for d in found.values():
            b = buckets.of(d.date)
            if b is not None:
                into[b].append(d)
    has_prev = bool(lost[1] or won[1])

    def rate(n_lost: int, n_won: int) -> float | None:
        return ratio(n_lost, n_lost + n_won)

    now = (len(lost[0]), len(won[0]))
    before = (len(lost[1]), len(won[1])) if has_prev else (None, None)
    rate_now, rate_before = rate(*now), (rate(*before) if has_prev else None)  # type: ignore[arg-type]
    summary = Table("summary", f"战败概况：{period_name(period, *cur)} 与上期 {period_name(period, *prev)}", [
        col("measure", "指标"), col("current", "本期", "int"), col("previous", "上期", "int"),
        col("change", "变化", "delta"),
    ], [
        {"key": "lost", "measure": "战败客户", "current": now[0], "previous": before[0],
         "change": change(now[0], before[0], False)},
        {"key": "orders", "measure": "订单客户", "current": now[1], "previous": before[1],
         "change": change(now[1], before[1], False)},
        {"key": "lost_rate", "measure": "战败率", "current": rate_now, "previous": rate_before,
         "change": change(rate_now, rate_before, True),
         FORMATS_KEY: {"current": "percent", "previous": "percent", "change": "pp"}},
    ])

    groups: dict[str, list[int]] = {g: [0, 0] for g in [*config.lost_reasons, OTHER, UNTYPED]}
    reason_of: dict[int, str] = {}
    for b in (0, 1):
        for d in lost[b]:
            g = reason_group(d.reason, config)
            groups[g][b] += 1
            if b == 0:
                reason_of[id(d)] = g
    n_lost = now[0]
    reason_rows = [{"reason": g, "lost": c[0], "share": ratio(c[0], n_lost),
                    "previous": c[1] if has_prev else None, "change": change(c[0], c[1] if has_prev else None, False)}
                   for g, c in groups.items() if c[0] or c[1] or g != UNTYPED]
    by_reason = with_totals(Table("by_reason", "按战败原因（关键词归类）", [
        col("reason", "原因"), col("lost", "战败", "int", "sum"), col("share", "占比", "percent"),
        col("previous", "上期", "int", "sum"), col("change", "变化", "delta", "sum"),
    ], reason_rows), "reason")
    assert by_reason.total_row is not None
    by_reason.total_row["share"] = 1.0 if n_lost else None
    if not has_prev:
        by_reason.total_row["previous"] = by_reason.total_row["change"] = None

    tables = [summary, by_reason]
    for attr, header, key in (("model", "意向车型", "by_model"), ("source", "信息来源", "by_source"),
                              ("consultant", "销售顾问", "by_consultant")):
        tables.append(_breakdown(lost[0], won[0], attr, header, key))

    listing_rows = []
    for d in sorted(lost[0], key=lambda d: (d.date, d.consultant or "", d.customer or "")):
        listing_rows.append({
            "date": d.date, "consultant": d.consultant or deals.BLANK, "customer": d.customer,
            "phone": mask_phone(d.phone), "model": d.model, "source": d.source, "group": reason_of[id(d)],
            "reason": d.reason,
        })
    tables.append(Table("list", "本期战败客户及原因（原文）", [
        col("date", "战败日期", "date"), col("consultant", "销售顾问"), col("customer", "客户姓名"),
        col("phone", "联系电话", "phone"), col("model", "意向车型"), col("source", "信息来源"),
        col("group", "原因归类"), col("reason", "战败原因（原文）", width=40),
    ], listing_rows, empty_text="本期没有战败客户"))

    notes = missing_note(checked, "followup_card")
    if not lost[0] and not won[0]:
        notes.insert(0, f"本期（{period_name(period, *cur)}）没有战败或订单客户。")
    if not has_prev:
        notes.append(no_previous_note("战败或订单客户", period, *prev))
    keywords = "；".join(f"{g}：{'、'.join(w)}" for g, w in config.lost_reasons.items())
    return Report(
        name="lost", sheet="战败分析", title=f"战败分析（{PERIODS[period]}）{period_name(period, *cur)}",
        period_start=cur[0], period_end=cur[1], as_of=date_of(as_of), tables=tables,
        charts=[Chart("bar", "by_reason", "reason", ["lost"], "战败原因分布")],
        notes=notes, fed=fed_by(checked, "followup_card"),
        footnotes=[
            f"战败客户 = 状态为{'/'.join(config.lost_statuses)}的客户跟进卡，按电话去重；战败日期 = 跟进记录中该客户首次记为"
            f"{'/'.join(sorted(deals.lost_levels(config)))}级的日期，没有则取卡上最近跟进日期，再没有则最后一次跟进或建卡日期。",
            "订单客户 = 首次以 O/D 级出现在登记表或跟进记录中的日期在该期的客户（跟进卡已订车/成交而无此记录的按最近跟进日期计）。",
            "战败率 = 战败客户 ÷（战败客户 + 订单客户），即该期有结果的客户中战败的比例；占比 = 该原因的战败客户 ÷ 战败客户。",
            f"原因归类：战败原因含下列关键词之一即归入该类，按顺序取第一个（dealer.toml [lost_reasons] 可改）：{keywords}；"
            f"都不含的归入{OTHER}。变化 = 本期 − 上期；比率以百分点计。",
            "车型、来源取该客户跟进卡上的，没有则取其最早的来店登记。客户原话中的电话和身份证号已遮蔽。",
        ],
    )


def _breakdown(lost: list[deals.Deal], won: list[deals.Deal], attr: str, header: str, key: str) -> Table:
    g: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for i, ds in enumerate((lost, won)):
        for d in ds:
            g[getattr(d, attr) or deals.BLANK][i] += 1
    rows: list[dict[str, Any]] = [{attr: name, "lost": c[0], "orders": c[1], "lost_rate": ratio(c[0], c[0] + c[1])}
                                  for name, c in sorted(g.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))]
    t = with_totals(Table(key, f"按{header}", [
        col(attr, header), col("lost", "战败", "int", "sum"), col("orders", "订单", "int", "sum"),
        col("lost_rate", "战败率", "percent", "rate"),
    ], rows), attr)
    assert t.total_row is not None
    t.total_row["lost_rate"] = ratio(t.total_row["lost"], t.total_row["lost"] + t.total_row["orders"])
    return t
