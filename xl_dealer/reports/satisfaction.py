"""周回访报表 and 月度满意度: after-service calls, satisfaction and complaint resolution (SPEC §2.4–2.5, §4, §7).

The unit of a call is the service visit (维修单号): ringing a customer twice
for one repair is one visit called, reached if any attempt got through, on time
if the first attempt was within the deadline. Satisfaction itself is counted
per answered item (SPEC §2.4) through ``xl_dealer.rules.scores``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import mask_phone, phone_key, ro_key
from xl_dealer.reports.common import (
    SOURCE,
    add_months,
    col,
    date_of,
    last_month,
    last_week,
    missing_note,
    month_of,
    period_text,
    ratio,
    records,
    score_texts,
    with_totals,
    within,
)
from xl_dealer.reports.data import Chart, Report, Table
from xl_dealer.rules import scores

REACHED = "已回访"
NEW_CAR = "新车交付"
ON_TIME_FORMULA = "回访及时率 = 及时回访的维修单 ÷ 已回访拨打的维修单；及时 = 首次拨打在交车后 {d} 天内（新车交付 {n} 天内），交车日期缺失不算及时。"
REACH_FORMULA = "回访成功率 = 接通（已回访）的维修单 ÷ 拨打的维修单（同一单多次拨打算一单）。"


@dataclass(slots=True)
class Visit:
    """One service visit's calls in the period."""

    key: str
    first_called: dt.date
    delivered: dt.date | None
    service_type: str | None
    reached: dict[str, Any] | None  # the last call that got through

    def on_time(self, config: Config) -> bool:
        if self.delivered is None:
            return False
        days = config.callback_new_car_days if self.service_type == NEW_CAR else config.callback_days
        return self.delivered <= self.first_called <= self.delivered + dt.timedelta(days=days)


def _is_reached(r: dict[str, Any], items: list[str]) -> bool:
    if r["outcome"] is None:  # outcome left blank but the clerk wrote scores: they talked
        return any(r.get(it) is not None for it in items)
    return r["outcome"] == REACHED


def visits(checked: list, start: dt.date, end: dt.date) -> list[Visit]:
    """Callback rows whose 回访日期 is in [start, end], grouped by 维修单号 (a row without one stands alone)."""
    items = scores.score_items()
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in records(checked, "service_callback"):
        if within(r["called"], start, end):
            groups[ro_key(r["ro_no"]) or f"row:{r[SOURCE]}"].append(r)
    out = []
    for key, rows in groups.items():
        rows.sort(key=lambda r: (r["called"], r["call_time"] or dt.time(), r[SOURCE]))
        reached = [r for r in rows if _is_reached(r, items)]
        out.append(Visit(
            key=key, first_called=rows[0]["called"],
            delivered=next((r["delivered"] for r in rows if r["delivered"]), None),
            service_type=next((r["service_type"] for r in rows if r["service_type"]), None),
            reached=reached[-1] if reached else None,
        ))
    out.sort(key=lambda v: (v.first_called, v.key))
    return out


def _rate_cols(first: tuple[str, str]) -> list:
    return [col(*first), col("answered", "有效回答", "int", "sum"), col("satisfied", "满意回答", "int", "sum"),
            col("rate", "满意率", "percent", "rate")]


def department_table(by_item: dict[str, scores.Rate], config: Config) -> Table:
    rows = [{"department": d, "answered": r.answered, "satisfied": r.satisfied, "rate": r.rate}
            for d, r in scores.department_rates(by_item, config).items()]
    t = Table("by_department", "各部门满意率", _rate_cols(("department", "部门")), rows)
    return with_totals(t, "department", {"rate": ("satisfied", "answered")})


def _complaints(checked: list) -> tuple[dict[str, dict], dict[str, dict]]:
    by_ro: dict[str, dict] = {}
    by_phone: dict[str, dict] = {}
    for r in records(checked, "complaint"):
        if ro_key(r["ro_no"]):
            by_ro.setdefault(ro_key(r["ro_no"]), r)
        k = phone_key(r["phone"])
        if k:
            by_phone.setdefault(k, r)
    return by_ro, by_phone


def case_status(case: dict[str, Any] | None, as_of: dt.date) -> str:
    if case is None:
        return "未登记快速处理"
    if case["resolved"] is not None:
        return "已解决"
    if case["due"] is not None and case["due"] < as_of:
        return "逾期未解决"
    return "处理中"


# ---------------------------------------------------------------- weekly

def build_weekly(checked: list, *, as_of: dt.date, config: Config) -> Report:
    start, end = last_week(as_of)
    items = scores.score_items()
    vs = visits(checked, start, end)
    answered_rows = [v.reached for v in vs if v.reached]
    by_item = scores.item_rates(answered_rows, config, items)
    total = scores.overall_rate(by_item)
    calls, reached = len(vs), len(answered_rows)
    on_time = sum(v.on_time(config) for v in vs)

    overall = Table("overall", "总体", [
        col("calls", "拨打维修单", "int"), col("reached", "接通", "int"), col("on_time", "及时回访", "int"),
        col("answered", "有效回答", "int"), col("satisfied", "满意回答", "int"), col("rate", "满意率", "percent"),
    ], [{"calls": calls, "reached": reached, "on_time": on_time, "answered": total.answered,
         "satisfied": total.satisfied, "rate": total.rate}])
    kpis = Table("kpis", "关键指标", [
        col("metric", "指标"), col("numerator", "分子", "int"), col("denominator", "分母", "int"),
        col("value", "比率", "percent"),
    ], [
        {"metric": "回访成功率", "numerator": reached, "denominator": calls, "value": ratio(reached, calls)},
        {"metric": "回访及时率", "numerator": on_time, "denominator": calls, "value": ratio(on_time, calls)},
        {"metric": "满意率", "numerator": total.satisfied, "denominator": total.answered, "value": total.rate},
    ])
    item_rows = [{"item": scores.item_header(it), "department": scores.department_of(it, config),
                  "answered": r.answered, "satisfied": r.satisfied, "rate": r.rate,
                  "problems": sum(scores.is_problem(a.get(it), config) for a in answered_rows)}
                 for it, r in by_item.items()]
    by_item_t = with_totals(Table("by_item", "各项目满意率", [
        col("item", "项目"), col("department", "部门"), *_rate_cols(("item", "项目"))[1:],
        col("problems", "不满意回答(≤2分)", "int", "sum"),
    ], item_rows), "item", {"rate": ("satisfied", "answered")})

    by_ro, by_phone = _complaints(checked)
    problem_rows = []
    for v in vs:
        a = v.reached
        if a is None:
            continue
        bad = scores.problem_items(a, config, items)
        if not bad and a["complaint"] is not True:
            continue
        case = (by_ro.get(ro_key(a["ro_no"]) or "") if a["ro_no"] else None) or by_phone.get(phone_key(a["phone"]) or "")
        problem_rows.append({
            "called": a["called"], "ro_no": a["ro_no"], "plate": a["plate"], "customer": a["customer"],
            "phone": mask_phone(a["phone"]), "advisor": a["advisor"],
            "problems": score_texts(a, bad) or "投诉",
            "comment": a["comment"], "case_no": case and case["case_no"],
            "status": case_status(case, as_of), "resolved": case and case["resolved"],
            "result": case and case["result"],
        })
    problems = Table("problems", "问题客户及处理情况", [
        col("called", "回访日期", "date"), col("ro_no", "维修单号"), col("plate", "车牌号"),
        col("customer", "客户姓名"), col("phone", "联系电话", "phone"), col("advisor", "服务顾问"),
        col("problems", "不满意项目"), col("comment", "客户意见", width=36), col("case_no", "处理编号"),
        col("status", "处理状态"), col("resolved", "解决日期", "date"), col("result", "处理结果", width=30),
    ], problem_rows, empty_text="本周没有问题客户 / no problem customers this week")

    notes = missing_note(checked, "service_callback")
    if not vs:
        notes.insert(0, f"{period_text(start, end)} 没有回访记录 / no calls in this week")
    return Report(
        name="weekly", sheet="周回访报表", title=f"售后回访周报 {period_text(start, end)}",
        period_start=start, period_end=end, as_of=date_of(as_of),
        tables=[overall, kpis, department_table(by_item, config), by_item_t, problems],
        charts=[Chart("col", "by_department", "department", ["rate"], "各部门满意率", percent=True)],
        notes=notes,
        footnotes=[
            "统计对象：回访日期在本周（周一至周日）内的回访记录，按维修单号去重。",
            REACH_FORMULA,
            ON_TIME_FORMULA.format(d=config.callback_days, n=config.callback_new_car_days),
            scores.RATE_FORMULA + f"；满意 = ≥{config.score_satisfied_min:g} 分（5 分制，10 分制折半）。",
            f"问题客户 = 任一项 ≤{config.score_problem_max:g} 分或“是否投诉”为是；按维修单号（否则电话）匹配快速处理表。",
        ],
    )


# ---------------------------------------------------------------- monthly

def _month_rates(checked: list, start: dt.date, end: dt.date, config: Config) -> tuple[dict[str, scores.Rate], list]:
    answered = [v.reached for v in visits(checked, start, end) if v.reached]
    return scores.item_rates(answered, config), answered


def build_monthly(checked: list, *, as_of: dt.date, config: Config) -> Report:
    start, end = last_month(as_of)
    p_start, p_end = month_of(start - dt.timedelta(days=1))
    by_item, answered = _month_rates(checked, start, end, config)
    prev_item, _ = _month_rates(checked, p_start, p_end, config)
    depts = scores.department_rates(by_item, config)
    prev = scores.department_rates(prev_item, config)
    cases = [r for r in records(checked, "complaint") if within(r["date"], start, end)]

    problems: dict[str, int] = defaultdict(int)
    for a in answered:
        for it in scores.problem_items(a, config):
            problems[scores.department_of(it, config)] += 1
    n_cases: dict[str, int] = defaultdict(int)
    for c in cases:
        n_cases[c["department"] or "（未填）"] += 1

    rows = []
    for d in dict.fromkeys([*depts, *prev, *n_cases]):
        now, before = depts.get(d, scores.Rate(0, 0)), prev.get(d, scores.Rate(0, 0))
        change = now.rate - before.rate if now.rate is not None and before.rate is not None else None
        rows.append({"department": d, "answered": now.answered, "satisfied": now.satisfied, "rate": now.rate,
                     "prev_rate": before.rate, "change": change, "problems": problems.get(d, 0),
                     "complaints": n_cases.get(d, 0)})
    t_now, t_prev = scores.overall_rate(by_item), scores.overall_rate(prev_item)
    by_dept = Table("by_department", f"各部门满意率（{start:%Y-%m} 与上月 {p_start:%Y-%m}）", [
        col("department", "部门"), col("answered", "有效回答", "int", "sum"),
        col("satisfied", "满意回答", "int", "sum"), col("rate", "本月满意率", "percent", "rate"),
        col("prev_rate", "上月满意率", "percent", "rate"), col("change", "变化", "pp"),
        col("problems", "不满意回答", "int", "sum"), col("complaints", "投诉/问题单", "int", "sum"),
    ], rows)
    with_totals(by_dept, "department", {"rate": ("satisfied", "answered")})
    assert by_dept.total_row is not None
    by_dept.total_row["prev_rate"] = t_prev.rate
    by_dept.total_row["change"] = t_now.rate - t_prev.rate if t_now.rate is not None and t_prev.rate is not None else None

    trend_rows = []
    for k in range(5, -1, -1):
        m_start, m_end = month_of(add_months(start, -k))
        r = scores.overall_rate(_month_rates(checked, m_start, m_end, config)[0])
        trend_rows.append({"month": f"{m_start:%Y-%m}", "answered": r.answered, "satisfied": r.satisfied,
                           "rate": r.rate})
    trend = Table("trend", "近6个月总体满意率", _rate_cols(("month", "月份")), trend_rows)

    notes = missing_note(checked, "service_callback", "complaint")
    if not answered and not cases:
        notes.insert(0, f"{period_text(start, end)} 没有回访或投诉记录 / no calls or complaints in this month")
    return Report(
        name="monthly", sheet="月度满意度", title=f"月度满意度 {start:%Y年%m月}",
        period_start=start, period_end=end, as_of=date_of(as_of),
        tables=[by_dept, complaint_table(cases, as_of, config), trend],
        charts=[Chart("col", "by_department", "department", ["rate", "prev_rate"], "各部门满意率：本月与上月", percent=True),
                Chart("line", "trend", "month", ["rate"], "近6个月总体满意率", percent=True)],
        notes=notes,
        footnotes=[
            "统计对象：回访日期在该月内、接通（已回访）的回访记录，按维修单号去重；投诉按登记日期计入该月。",
            scores.RATE_FORMULA + f"；满意 = ≥{config.score_satisfied_min:g} 分。变化 = 本月满意率 − 上月满意率（百分点）。",
            f"不满意回答 = ≤{config.score_problem_max:g} 分的回答数，按项目所属部门归集。",
            "结案率 = 已解决 ÷ 登记；逾期 = 过了承诺解决日期仍未解决，或解决晚于承诺日期；"
            f"二次回访率 = 已二次回访 ÷ 已解决（应在解决后 {config.complaint_second_call_days} 天内）。",
        ],
    )


def complaint_table(cases: list[dict[str, Any]], as_of: dt.date, config: Config) -> Table:
    groups: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(("registered", "resolved", "open", "overdue", "second_called", "satisfied"), 0))
    for c in cases:
        g = groups[c["department"] or "（未填）"]
        g["registered"] += 1
        done = c["resolved"] is not None and c["resolved"] <= as_of
        g["resolved"] += done
        g["open"] += not done
        late = c["due"] is not None and ((not done and c["due"] < as_of) or (done and c["resolved"] > c["due"]))
        g["overdue"] += late
        g["second_called"] += done and c["second_call"] is not None
        g["satisfied"] += c["satisfied"] is True
    rows = [{"department": d, **g, "close_rate": ratio(g["resolved"], g["registered"]),
             "second_call_rate": ratio(g["second_called"], g["resolved"])}
            for d, g in sorted(groups.items(), key=lambda kv: -kv[1]["registered"])]
    t = Table("complaints", "投诉处理（快速处理表）", [
        col("department", "责任部门"), col("registered", "登记", "int", "sum"), col("resolved", "已解决", "int", "sum"),
        col("open", "未解决", "int", "sum"), col("overdue", "逾期", "int", "sum"),
        col("second_called", "已二次回访", "int", "sum"), col("satisfied", "二次回访满意", "int", "sum"),
        col("close_rate", "结案率", "percent", "rate"), col("second_call_rate", "二次回访率", "percent", "rate"),
    ], rows, empty_text="本月没有登记投诉 / no complaints registered this month")
    return with_totals(t, "department", {"close_rate": ("resolved", "registered"),
                                         "second_call_rate": ("second_called", "resolved")})
