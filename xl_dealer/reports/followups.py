"""今日跟进: each consultant's open cards due today or overdue by their level's cadence (SPEC §2.3, §4).

A call list: phones are shown in full. Which cards are due comes from
``cadence.card_due``, the definition the ``followup.overdue`` rule uses too.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from xl_dealer.model.config import Config
from xl_dealer.reports.common import col, date_of, fed_by, missing_note, tables_of, with_totals
from xl_dealer.reports.data import Report, Table
from xl_dealer.rules.followup import card_dues


def build(checked: list, *, as_of: dt.date, config: Config) -> Report:
    # the cards' due dates as the followup.overdue rule found them (one definition, computed once a
    # run: cadence.card_due; a delivered customer is off the list, card.not_closed says so)
    dues = card_dues(checked, config, as_of)
    items = []
    for c in tables_of(checked, "followup_card"):
        for due, who, customer, phone, model in zip(dues[id(c)], c.col("consultant"), c.col("customer"),
                                                    c.col("phone"), c.col("model"), strict=True):
            if due is None or due.due > as_of:
                continue
            overdue = due.days_overdue(as_of)
            items.append({
                "consultant": who or "（未填）",
                "customer": customer,
                "phone": phone,
                "level": due.level,
                "model": model,
                "last_contact": due.last,
                "due": due.due,
                "days_overdue": overdue,
                "status": "逾期" if overdue else "今日到期",
            })
    items.sort(key=lambda x: (x["consultant"], -x["days_overdue"], x["customer"] or ""))

    per: dict[str, dict[str, int]] = defaultdict(lambda: {"due_today": 0, "overdue": 0})
    for it in items:
        per[it["consultant"]]["overdue" if it["days_overdue"] else "due_today"] += 1
    summary_rows = [{"consultant": k, **v, "total": v["due_today"] + v["overdue"]} for k, v in sorted(per.items())]
    summary = with_totals(Table("by_consultant", "各顾问今日应跟进", [
        col("consultant", "销售顾问"),
        col("due_today", "今日到期", "int", "sum"),
        col("overdue", "已逾期", "int", "sum"),
        col("total", "合计应跟进", "int", "sum"),
    ], summary_rows, empty_text="今天没有到期或逾期的跟进卡"), "consultant")
    listing = Table("list", "跟进清单（按顾问，逾期最久的在前）", [
        col("consultant", "销售顾问"),
        col("customer", "客户姓名"),
        col("phone", "联系电话", "phone"),
        col("level", "意向级别"),
        col("model", "意向车型"),
        col("last_contact", "最近联系", "date"),
        col("due", "应跟进日期", "date"),
        col("days_overdue", "逾期天数", "int"),
        col("status", "状态"),
    ], items, empty_text="今天没有到期或逾期的跟进卡")
    cadence = "，".join(f"{k} 每{v.cadence_days}天" for k, v in config.levels.items() if v.cadence_days)
    return Report(
        name="followups", sheet="今日跟进", title=f"今日跟进清单 {as_of.isoformat()}",
        period_start=as_of, period_end=as_of, as_of=date_of(as_of), tables=[listing, summary],
        call_list=True, notes=missing_note(checked, "followup_card"), fed=fed_by(checked, "followup_card"),
        footnotes=[
            "应跟进日期 = min(下次跟进日期, 最近联系日期 + 级别跟进周期)；最近联系取建卡日期、最近跟进日期与跟进记录中最晚的一天；"
            "下次跟进日期取跟进卡或最近一条跟进记录中、在最近联系之后的一天。",
            f"跟进周期：{cadence}；状态为{'、'.join(config.card_closed_statuses)}的卡及没有跟进周期的级别不列出；"
            "交车登记表中已交车的客户（按电话，建卡后交车）不列出。",
            "逾期天数 = 今天 − 应跟进日期。本表为拨打清单，电话完整显示，请勿外传。",
        ],
    )
