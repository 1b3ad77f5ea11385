"""回访日报: yesterday's after-service calls (汇总每天回访中有问题的客户，并对其分类统计出售后各个部门的客户满意度).

Per caller the calls made and how they went; each problem customer with the departments their
answers speak for, their own words and where their quick-handling case stands; and the day's
satisfaction per department. A manager report: phones masked. The arithmetic is the weekly
report's (``satisfaction``): a call row is an attempt, satisfaction counts each reached service
visit's last reached call, per answered item.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from xl_dealer.model.config import Config
from xl_dealer.reports.common import (
    col,
    date_of,
    fed_by,
    missing_note,
    records_where,
    with_totals,
    yesterday,
)
from xl_dealer.reports.data import Chart, Report, Table
from xl_dealer.reports.satisfaction import (
    NEW_CAR,
    NEW_CAR_NOTE,
    PROBLEM_FORMULA,
    REACHED,
    TOTAL_LABEL,
    problem_list,
    visits,
)
from xl_dealer.rules import scores

OUTCOMES = ("已回访", "未接通", "拒访", "空号")


def build(checked: list, *, as_of: dt.date, config: Config) -> Report:
    day, _ = yesterday(as_of)
    per: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(("calls", *OUTCOMES, "new_car"), 0))
    items = scores.score_items()
    for r in records_where(checked, "service_callback", "called", lambda d: d == day,
                           ("called", "caller", "outcome", "service_type", *items)):
        g = per[r["caller"] or "（未填）"]
        g["calls"] += 1
        outcome = r["outcome"]
        if outcome is None and any(r[it] is not None for it in items):
            outcome = REACHED  # scores written, result left blank: they talked (as the weekly report reads it)
        if outcome in OUTCOMES:
            g[outcome] += 1
        g["new_car"] += r["service_type"] == NEW_CAR
    call_rows = [{"caller": who, "calls": g["calls"], "reached": g["已回访"], "unanswered": g["未接通"],
                  "refused": g["拒访"], "wrong": g["空号"], "new_car": g["new_car"],
                  "rate": g["已回访"] / g["calls"] if g["calls"] else None} for who, g in sorted(per.items())]
    calls = with_totals(Table("calls", "昨日回访（按回访人）", [
        col("caller", "回访人"), col("calls", "拨打", "int", "sum"), col("reached", "接通", "int", "sum"),
        col("unanswered", "未接通", "int", "sum"), col("refused", "拒访", "int", "sum"), col("wrong", "空号", "int", "sum"),
        col("new_car", "其中新车交付", "int", "sum"), col("rate", "接通率", "percent", "rate"),
    ], call_rows, empty_text="昨日没有回访记录"), "caller", {"rate": ("reached", "calls")})

    vs = visits(checked, day, day)
    reached = [v.reached for v in vs if v.reached]
    problems = Table("problems", "问题客户（部门、客户原话、快速处理）", [
        col("caller", "回访人"), col("ro_no", "维修单号"), col("plate", "车牌号"), col("customer", "客户姓名"),
        col("phone", "联系电话", "phone"), col("service_type", "维修类型"), col("advisor", "服务顾问"),
        col("department", "部门"), col("problems", "不满意项目"), col("comment", "客户原话", width=34),
        col("case_no", "处理编号"), col("status", "快速处理"),
    ], problem_list(vs, checked, config, as_of), empty_text="昨日回访中没有问题客户")

    by_item = scores.item_rates(reached, config)
    bad: dict[str, int] = defaultdict(int)
    for a in reached:
        for it in scores.problem_items(a, config):
            d = scores.department_of(it, config)
            if d is not None:
                bad[d] += 1
    dept_rows = [{"department": d, "answered": r.answered, "satisfied": r.satisfied, "rate": r.rate,
                  "problems": bad.get(d, 0)}
                 for d, r in scores.department_rates(by_item, config).items() if r.answered or bad.get(d)]
    by_department = with_totals(Table("by_department", "昨日各部门满意率", [
        col("department", "部门"), col("answered", "有效回答", "int", "sum"), col("satisfied", "满意回答", "int", "sum"),
        col("rate", "满意率", "percent", "rate"), col("problems", "不满意回答", "int", "sum"),
    ], dept_rows, empty_text="昨日没有接通的回访"), "department")
    assert by_department.total_row is not None
    total = scores.overall_rate(by_item)
    by_department.total_row.update(department=TOTAL_LABEL, answered=total.answered, satisfied=total.satisfied,
                                   rate=total.rate)

    notes = missing_note(checked, "service_callback")
    if not per and fed_by(checked, "service_callback"):
        notes.insert(0, f"昨天（{day.isoformat()}）没有回访记录（回访日期为昨天的）。")
    return Report(
        name="daily", sheet="回访日报", title=f"售后回访日报 {day.isoformat()}（周{'一二三四五六日'[day.weekday()]}）",
        period_start=day, period_end=day, as_of=date_of(as_of), tables=[calls, problems, by_department],
        charts=[Chart("col", "by_department", "department", ["rate"], "昨日各部门满意率", percent=True)],
        notes=notes, fed=fed_by(checked, "service_callback"),
        footnotes=[
            f"统计对象：回访日期为 {day.isoformat()} 的回访记录。拨打 = 回访记录的行数（每次拨打一行）；接通率 = 接通 ÷ 拨打。",
            PROBLEM_FORMULA.format(p=f"{config.score_problem_max:g}")
            + "部门 = 不满意项目所属的部门（只有投诉时取快速处理表的责任部门）。",
            scores.RATE_FORMULA + f"；满意 = ≥{config.score_satisfied_min:g} 分。同一维修单当天多次拨打，取最后一次接通的回答。"
            f"“{TOTAL_LABEL}”为全部项目的回答。",
            scores.STAFF_FORMULA + NEW_CAR_NOTE,
        ],
    )
