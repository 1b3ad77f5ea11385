"""销售漏斗: the period's visitors → cards → test drives → orders, by source and by model (SPEC §4).

A cohort of unique customers (by phone; a visitor who left none counts once):
everyone who came or called in the period, and how far each of them got by
the period's end. Counting people, not visits, keeps every rate ≤ 100 %.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key
from xl_dealer.reports.common import (
    PERIODS,
    col,
    date_of,
    fed_by,
    missing_note,
    period_name,
    period_range,
    period_text,
    person_key,
    phone_keys,
    ratio,
    records_where,
    tables_of,
    with_totals,
    within,
)
from xl_dealer.reports.data import Chart, Report, Table

ORDER_LEVELS = ("O", "D")
ORDER_STATUSES = ("已订车", "成交")
STAGES = (("visits", "来店/来电"), ("cards", "建卡"), ("test_drives", "试驾"), ("orders", "订单"))
RATES = {"card_rate": ("cards", "visits"), "test_drive_rate": ("test_drives", "visits"),
         "order_rate": ("orders", "visits")}


def build(checked: list, *, as_of: dt.date, config: Config, period: str | None = None) -> Report:
    period = period or "month"
    start, end = period_range(period, as_of)
    people: dict[str, dict] = {}
    def in_period(d: dt.date | None) -> bool:
        return within(d, start, end)

    regs = sorted(records_where(checked, "registration", "date", in_period,
                                ("date", "arrive_time", "phone", "source", "model", "card", "test_drive", "level")),
                  key=lambda r: (r["date"], r["arrive_time"] or dt.time(), r["_src"]))
    for i, r in enumerate(regs):
        k = person_key(r, i)
        p = people.setdefault(k, {"source": r["source"] or "（未填）", "model": r["model"] or "（未填）",
                                  "cards": False, "test_drives": False, "orders": False})
        p["cards"] |= r["card"] is True
        p["test_drives"] |= r["test_drive"] is True
        p["orders"] |= r["level"] in ORDER_LEVELS
    for c in tables_of(checked, "followup_card"):  # down three columns: a card of a cohort's customer
        for k, status, level in zip(phone_keys(c), c.col("status"), c.col("level"), strict=True):
            p = people.get(k or "")
            if p:
                p["cards"] = True
                p["orders"] |= status in ORDER_STATUSES or level in ORDER_LEVELS
    for r in records_where(checked, "test_drive", "date", in_period, ("phone", "date")):
        p = people.get(phone_key(r["phone"]) or "")
        if p and within(r["date"], start, end):
            p["test_drives"] = True
    for r in records_where(checked, "followup_log", "date", in_period, ("phone", "date", "level")):
        p = people.get(phone_key(r["phone"]) or "")
        if p and within(r["date"], start, end) and r["level"] in ORDER_LEVELS:
            p["orders"] = True

    total = len(people)
    stage_rows = []
    for i, (key, label) in enumerate(STAGES):
        n = total if i == 0 else sum(bool(p[key]) for p in people.values())
        row = {"stage": label, "customers": n, "from_visits": ratio(n, total),
               "through_previous": None, "from_previous": None}
        if i > 0:  # every customer of the cohort came or called: the visit stage holds them all
            before = STAGES[i - 1][0]
            both = sum(bool(p[key] and (i == 1 or p[before])) for p in people.values())
            row["through_previous"] = both
            # a true previous stage only when every customer of this one went through it
            # (orders are often taken without a test drive: then no ratio, not a wrong one)
            if both == n:
                row["from_previous"] = ratio(n, stage_rows[-1]["customers"])
        stage_rows.append(row)
    stages = Table("stages", "漏斗各阶段（去重客户数）", [
        col("stage", "阶段"), col("customers", "客户数", "int"), col("from_visits", "占来店/来电", "percent"),
        col("through_previous", "其中经过上一阶段", "int"), col("from_previous", "较上一阶段", "percent"),
    ], stage_rows)

    tables = [stages, _breakdown(people, "source", "信息来源", "by_source"),
              _breakdown(people, "model", "意向车型", "by_model")]
    notes = missing_note(checked, "registration")
    if not total:
        notes.insert(0, f"{period_text(start, end)} 没有来店/来电登记。")
    return Report(
        name="funnel", sheet="销售漏斗", title=f"销售漏斗（{PERIODS[period]}）{period_name(period, start, end)}",
        period_start=start, period_end=end, as_of=date_of(as_of), tables=tables, fed=fed_by(checked, "registration"),
        charts=[Chart("bar", "stages", "stage", ["customers"], "销售漏斗（去重客户数）"),
                Chart("col", "by_source", "source", ["card_rate", "test_drive_rate", "order_rate"],
                      "各信息来源转化率", percent=True)],
        notes=notes,
        footnotes=[
            "客户按电话去重（未留电话的来访各算一位）；对象为本期来店/来电的客户，统计其到期末为止走到哪一步。",
            "建卡：登记表“是否建卡”为是，或有同一电话的客户跟进卡。试驾：登记表“是否试驾”为是，或本期试乘试驾登记表有同一电话。",
            "订单：登记/跟进记录中意向级别为 O/D，或跟进卡状态为已订车/成交。来源与车型取该客户本期首次登记。",
            "建卡率 = 建卡客户 ÷ 来店/来电客户；试驾率 = 试驾客户 ÷ 来店/来电客户；成交率 = 订单客户 ÷ 来店/来电客户（即“占来店/来电”）。",
            "其中经过上一阶段 = 本阶段客户中也到过上一阶段的（如订单客户中试驾过的）；较上一阶段 = 本阶段客户 ÷ 上一阶段客户，"
            "只在本阶段客户都经过上一阶段时计算，否则显示“—”（订车不一定先试驾，试驾不一定先建卡）。",
        ],
    )


def _breakdown(people: dict[str, dict], by: str, header: str, key: str) -> Table:
    groups: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("visits", "cards", "test_drives", "orders"), 0))
    for p in people.values():
        g = groups[p[by]]
        g["visits"] += 1
        for k in ("cards", "test_drives", "orders"):
            g[k] += p[k]
    rows = []
    for name, g in sorted(groups.items(), key=lambda kv: (-kv[1]["visits"], kv[0])):
        rows.append({by: name, **g, **{r: ratio(g[n], g[d]) for r, (n, d) in RATES.items()}})
    t = Table(key, f"按{header}", [
        col(by, header),
        col("visits", "来店/来电", "int", "sum"), col("cards", "建卡", "int", "sum"),
        col("test_drives", "试驾", "int", "sum"), col("orders", "订单", "int", "sum"),
        col("card_rate", "建卡率", "percent", "rate"), col("test_drive_rate", "试驾率", "percent", "rate"),
        col("order_rate", "成交率", "percent", "rate"),
    ], rows)
    return with_totals(t, by, RATES)
