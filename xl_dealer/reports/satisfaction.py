"""周回访报表 and 月度满意度: after-service calls, satisfaction and complaint resolution (SPEC §2.4–2.5, §4, §7).

The unit of a call is the service visit (维修单号): ringing a customer twice
for one repair is one visit called, reached if any attempt got through, on time
if the first attempt was within the deadline. Satisfaction itself is counted
per answered item (SPEC §2.4) through ``xl_dealer.rules.scores``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import fold, mask_phone, phone_key, ro_key
from xl_dealer.reports import PERIOD_SHEETS
from xl_dealer.reports.common import (
    PERIODS,
    SOURCE,
    add_months,
    change,
    col,
    date_of,
    fed_by,
    missing_note,
    month_of,
    months_of,
    no_previous_note,
    period_name,
    period_range,
    previous_range,
    ratio,
    records,
    records_where,
    score_texts,
    tables_of,
    with_totals,
    within,
)
from xl_dealer.reports.data import Chart, Report, Table
from xl_dealer.rules import scores

REACHED = "已回访"
NEW_CAR = "新车交付"
ON_TIME_FORMULA = "回访及时率 = 及时回访的维修单 ÷ 已回访拨打的维修单；及时 = 首次拨打在交车后 {d} 天内（新车交付 {n} 天内），交车日期缺失不算及时。"
NO_DEPARTMENT = "（不计部门）"  # 总体评价: counted in the overall rate only
TOTAL_LABEL = "合计（含总体评价）"  # the departments' answers and 总体评价's: SPEC's overall rate
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
    return visits_by(checked, lambda d: [0] if start <= d <= end else []).get(0, [])


def visits_by(checked: list, buckets: Callable[[dt.date], list[Any]]) -> dict[Any, list[Visit]]:
    """Callback rows grouped by 维修单号 within each bucket their 回访日期 falls in (a period, a
    month of the trend): one pass over the rows however many buckets a report shows."""
    items = scores.score_items()
    groups: dict[tuple[Any, str], list[dict[str, Any]]] = defaultdict(list)
    def counted(d: dt.date | None) -> bool:
        return d is not None and bool(buckets(d))

    for r in records_where(checked, "service_callback", "called", counted):
        for b in buckets(r["called"]):
            groups[(b, ro_key(r["ro_no"]) or f"row:{r[SOURCE]}")].append(r)
    out: dict[Any, list[Visit]] = defaultdict(list)
    for (b, key), rows in groups.items():
        rows.sort(key=lambda r: (r["called"], r["call_time"] or dt.time(), r[SOURCE]))
        reached = [r for r in rows if _is_reached(r, items)]
        out[b].append(Visit(
            key=key, first_called=rows[0]["called"],
            delivered=next((r["delivered"] for r in rows if r["delivered"]), None),
            service_type=next((r["service_type"] for r in rows if r["service_type"]), None),
            reached=reached[-1] if reached else None,
        ))
    for vs in out.values():
        vs.sort(key=lambda v: (v.first_called, v.key))
    return out


def _rate_cols(first: tuple[str, str]) -> list:
    return [col(*first), col("answered", "有效回答", "int", "sum"), col("satisfied", "满意回答", "int", "sum"),
            col("rate", "满意率", "percent", "rate")]


def department_table(by_item: dict[str, scores.Rate], config: Config) -> Table:
    rows = [{"department": d, "answered": r.answered, "satisfied": r.satisfied, "rate": r.rate}
            for d, r in scores.department_rates(by_item, config).items()]
    t = Table("by_department", "各部门满意率", _rate_cols(("department", "部门")), rows)
    with_totals(t, "department")
    assert t.total_row is not None
    overall = scores.overall_rate(by_item)  # every item: the departments' and 总体评价's answers
    t.total_row.update(department=TOTAL_LABEL, answered=overall.answered, satisfied=overall.satisfied,
                       rate=overall.rate)
    return t


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


PROBLEM_FORMULA = ("问题客户 = 任一项 ≤{p} 分、“是否投诉”为是，或主动报价/讲解维修项目为否；前两种按维修单号（否则电话）"
                   "匹配快速处理表，只答了否的是服务规范问题，不需处理单。")
NEW_CAR_NOTE = ("每种维修类型只统计它要问的项目（可在设置中按维修类型调整）：新车交付回访问交车满意度（计入销售）和总体评价，"
                "维修评分不计入车间、配件等部门。")
NO_CASE_NEEDED = "服务规范（不需处理单）"


def problem_list(vs: list[Visit], checked: list, config: Config, as_of: dt.date,
                 cases: tuple[dict[str, dict], dict[str, dict]] | None = None) -> list[dict[str, Any]]:
    """The reached calls with a problem answer (a score ≤ the threshold, 否 to a staff question) or a
    complaint, each with its departments, the customer's words and its quick-handling case: the rows of
    the weekly, daily and monthly problem tables."""
    by_ro, by_phone = cases or _complaints(checked)
    out = []
    for v in vs:
        a = v.reached
        if a is None:
            continue
        bad = scores.problem_items(a, config)
        if not bad and a["complaint"] is not True:
            continue
        case = (by_ro.get(ro_key(a["ro_no"]) or "") if a["ro_no"] else None) or by_phone.get(phone_key(a["phone"]) or "")
        needs_case = a["complaint"] is True or any(it not in scores.STAFF_QUESTIONS for it in bad)
        departments = list(dict.fromkeys(d for it in bad if (d := scores.department_of(it, config))))
        if not departments and case is not None and case["department"]:
            departments = [case["department"]]
        out.append({
            "called": a["called"], "ro_no": a["ro_no"], "plate": a["plate"], "customer": a["customer"],
            "phone": mask_phone(a["phone"]), "advisor": a["advisor"], "caller": a["caller"],
            "service_type": a["service_type"], "department": "、".join(departments) or None,
            "problems": score_texts(a, bad) or "投诉",
            "comment": a["comment"], "case_no": case and case["case_no"],
            "status": case_status(case, as_of) if needs_case or case is not None else NO_CASE_NEEDED,
            "resolved": case and case["resolved"], "result": case and case["result"],
            "_items": bad,
        })
    return out


def case_status(case: dict[str, Any] | None, as_of: dt.date) -> str:
    if case is None:
        return "未登记快速处理"
    if case["resolved"] is not None:
        return "已解决"
    if case["due"] is not None and case["due"] < as_of:
        return "逾期未解决"
    return "处理中"


# ---------------------------------------------------------------- weekly

WEEKLY_TITLES = {"day": "日报", "week": "周报", "month": "月报", "quarter": "季报", "half": "半年报", "year": "年报"}


def build_weekly(checked: list, *, as_of: dt.date, config: Config, period: str | None = None) -> Report:
    period = period or "week"
    start, end = period_range(period, as_of)
    items = scores.answer_items()
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
    item_rows = [{"item": scores.item_header(it), "department": scores.department_of(it, config) or NO_DEPARTMENT,
                  "answered": r.answered, "satisfied": r.satisfied, "rate": r.rate,
                  "problems": scores.problem_count((a.get(it) for a in answered_rows), config)}
                 for it, r in by_item.items()]
    by_item_t = with_totals(Table("by_item", "各项目满意率", [
        col("item", "项目"), col("department", "部门"), *_rate_cols(("item", "项目"))[1:],
        col("problems", "不满意回答(≤2分或否)", "int", "sum"),
    ], item_rows), "item", {"rate": ("satisfied", "answered")})

    problems = Table("problems", "问题客户及处理情况", [
        col("called", "回访日期", "date"), col("ro_no", "维修单号"), col("plate", "车牌号"),
        col("customer", "客户姓名"), col("phone", "联系电话", "phone"), col("advisor", "服务顾问"),
        col("problems", "不满意项目"), col("comment", "客户意见", width=36), col("case_no", "处理编号"),
        col("status", "处理状态"), col("resolved", "解决日期", "date"), col("result", "处理结果", width=30),
    ], problem_list(vs, checked, config, as_of), empty_text="本期没有问题客户")

    notes = missing_note(checked, "service_callback")
    if not vs and fed_by(checked, "service_callback"):
        notes.insert(0, f"{period_name(period, start, end)} 没有回访记录（回访日期在本期内的）。")
    return Report(
        name="weekly", sheet=PERIOD_SHEETS["weekly"][period],
        title=f"售后回访{WEEKLY_TITLES[period]} {period_name(period, start, end)}",
        period_start=start, period_end=end, as_of=date_of(as_of), fed=fed_by(checked, "service_callback"),
        tables=[overall, kpis, department_table(by_item, config), by_item_t, problems],
        charts=[Chart("col", "by_department", "department", ["rate"], "各部门满意率", percent=True)],
        notes=notes,
        footnotes=[
            f"统计对象：回访日期在本期（{start.isoformat()} 至 {end.isoformat()}）内的回访记录，按维修单号去重。",
            REACH_FORMULA,
            ON_TIME_FORMULA.format(d=config.callback_days, n=config.callback_new_car_days),
            scores.RATE_FORMULA + f"；满意 = ≥{config.score_satisfied_min:g} 分（5 分制，10 分制折半）。",
            PROBLEM_FORMULA.format(p=f"{config.score_problem_max:g}")
            + f"总体评价不属于任何部门，只计入总体满意率：各部门满意率表的“{TOTAL_LABEL}”= 各部门的回答加上总体评价的回答。",
            scores.STAFF_FORMULA + NEW_CAR_NOTE,
        ],
    )


# ---------------------------------------------------------------- monthly

def build_monthly(checked: list, *, as_of: dt.date, config: Config, period: str | None = None) -> Report:
    period = period or "month"
    start, end = period_range(period, as_of)
    p_start, p_end = previous_range(period, start)
    # the trend: the months up to the period's end, at least 6 (12 for a year)
    months = months_of(start, end)
    first_month = add_months(month_of(end)[0], -(max(6, len(months)) - 1))
    trend_months = months_of(first_month, end)

    def buckets(d: dt.date) -> list[Any]:
        out: list[Any] = []
        if start <= d <= end:
            out.append("now")
        elif p_start <= d <= p_end:
            out.append("before")
        if first_month <= d <= end:
            out.append(d.replace(day=1))
        return out

    grouped = visits_by(checked, buckets)
    answered = [v.reached for v in grouped.get("now", []) if v.reached]
    answered_before = [v.reached for v in grouped.get("before", []) if v.reached]
    by_item, prev_item = scores.item_rates(answered, config), scores.item_rates(answered_before, config)
    depts = scores.department_rates(by_item, config)
    prev = scores.department_rates(prev_item, config)
    cases = [r for r in records(checked, "complaint") if r["date"] is not None and start <= r["date"] <= end]

    problems: dict[str, int] = defaultdict(int)
    for a in answered:
        for it in scores.problem_items(a, config):
            d = scores.department_of(it, config)
            if d is not None:
                problems[d] += 1
    n_cases: dict[str, int] = defaultdict(int)
    for c in cases:
        n_cases[c["department"] or "（未填）"] += 1

    has_prev = bool(answered_before)
    rows = []
    for d in dict.fromkeys([*depts, *prev, *n_cases]):
        now, before = depts.get(d, scores.Rate(0, 0)), prev.get(d, scores.Rate(0, 0))
        rows.append({"department": d, "answered": now.answered, "satisfied": now.satisfied, "rate": now.rate,
                     "prev_rate": before.rate, "change": change(now.rate, before.rate, True),
                     "problems": problems.get(d, 0), "complaints": n_cases.get(d, 0)})
    t_now, t_prev = scores.overall_rate(by_item), scores.overall_rate(prev_item)
    is_month = period == "month"
    now_word, before_word = ("本月", "上月") if is_month else ("本期", "上期")
    by_dept = Table("by_department",
                    f"各部门满意率（{period_name(period, start, end)} 与{before_word} {period_name(period, p_start, p_end)}）", [
        col("department", "部门"), col("answered", "有效回答", "int", "sum"),
        col("satisfied", "满意回答", "int", "sum"), col("rate", f"{now_word}满意率", "percent", "rate"),
        col("prev_rate", f"{before_word}满意率", "percent", "rate"), col("change", "变化", "pp"),
        col("problems", "不满意回答", "int", "sum"), col("complaints", "投诉/问题单", "int", "sum"),
    ], rows)
    with_totals(by_dept, "department")
    assert by_dept.total_row is not None
    by_dept.total_row.update(department=TOTAL_LABEL, answered=t_now.answered, satisfied=t_now.satisfied,
                             rate=t_now.rate, prev_rate=t_prev.rate)
    by_dept.total_row["change"] = change(t_now.rate, t_prev.rate, True)

    trend_rows = []
    for m_start, _ in trend_months:
        month_answered = [v.reached for v in grouped.get(m_start, []) if v.reached]
        r = scores.overall_rate(scores.item_rates(month_answered, config))
        trend_rows.append({"month": f"{m_start:%Y-%m}", "answered": r.answered, "satisfied": r.satisfied,
                           "rate": r.rate})
    trend = Table("trend", f"近{len(trend_months)}个月总体满意率", _rate_cols(("month", "月份")), trend_rows)

    notes = missing_note(checked, "service_callback", "complaint")
    if not answered and not cases and fed_by(checked, "service_callback", "complaint"):
        notes.insert(0, f"{period_name(period, start, end)} 没有接通的回访或登记的投诉。")
    if not has_prev and fed_by(checked, "service_callback"):
        notes.append(no_previous_note("接通的回访记录", period, p_start, p_end))
    label = "月度" if is_month else PERIODS[period]
    return Report(
        name="monthly", sheet=PERIOD_SHEETS["monthly"][period],
        title=f"{label}满意度 {period_name(period, start, end)}",
        period_start=start, period_end=end, as_of=date_of(as_of),
        # the long listings last: the one at the foot repeats its header on every printed page
        tables=[by_dept, complaint_table(cases, as_of, config, now_word), case_table(cases, as_of),
                club_table(checked, start, end), trend,
                department_problems(problem_list(grouped.get("now", []), checked, config, as_of), config),
                member_suggestions(grouped.get("now", []), checked, config)],
        charts=[Chart("col", "by_department", "department", ["rate", "prev_rate"],
                      f"各部门满意率：{now_word}与{before_word}", percent=True),
                Chart("line", "trend", "month", ["rate"], f"近{len(trend_months)}个月总体满意率", percent=True)],
        notes=notes, fed=fed_by(checked, "service_callback", "complaint"),
        footnotes=[
            f"统计对象：回访日期在该期内、接通（已回访）的回访记录，按维修单号去重；投诉按登记日期计入该期。"
            f"{now_word} {start.isoformat()} 至 {end.isoformat()}，{before_word} {p_start.isoformat()} 至 {p_end.isoformat()}。",
            scores.RATE_FORMULA + f"；满意 = ≥{config.score_satisfied_min:g} 分。"
            f"变化 = {now_word}满意率 − {before_word}满意率，单位为百分点。"
            f"总体评价不属于任何部门，只计入“{TOTAL_LABEL}”（即总体满意率 = 全部项目的回答）。",
            f"不满意回答 = ≤{config.score_problem_max:g} 分的回答数（主动报价、讲解维修项目答否也算），按项目所属部门归集；"
            "各部门存在的问题逐条列出客户原话，一次回访涉及几个部门就在每个部门下各列一次。",
            "结案率 = 已解决 ÷ 登记；逾期 = 过了承诺解决日期仍未解决，或解决晚于承诺日期；"
            f"二次回访率 = 已二次回访 ÷ 已解决（应在解决后 {config.complaint_second_call_days} 天内）。"
            "投诉明细的解决天数 = 实际解决日期 − 登记日期；客户反映 = 二次回访结果。",
            "会员建议：本期接通的回访中俱乐部会员（会员或本次入会）说的客户意见，按意见中提到的部门归类（没提到部门的为“未指明”）。"
            "俱乐部邀请：邀请入会或本次入会为是的客户（按车牌，否则电话去重）；入会率 = 入会 ÷ 邀请。",
            scores.STAFF_FORMULA + NEW_CAR_NOTE,
        ],
    )


UNNAMED = "（未指明）"


def department_problems(problems: list[dict[str, Any]], config: Config) -> Table:
    """Each department's problems in the customers' words: one row per department a call's problem
    answers speak for (a complaint alone goes to its case's department)."""
    order = {d: i for i, d in enumerate(config.enums.get("department", []))}
    rows = []
    for p in problems:
        items = p["_items"]
        by_dept: dict[str, list[str]] = defaultdict(list)
        for it in items:
            by_dept[scores.department_of(it, config) or NO_DEPARTMENT].append(it)
        if not by_dept:
            by_dept[p["department"] or UNNAMED] = []
        for d, its in by_dept.items():
            rows.append({"department": d, "called": p["called"], "plate": p["plate"], "customer": p["customer"],
                         "problems": "、".join(scores.item_header(it) for it in its) or "投诉",
                         "comment": p["comment"], "status": p["status"]})
    rows.sort(key=lambda r: (order.get(r["department"], len(order)), r["called"] or dt.date.min, r["plate"] or ""))
    return Table("department_problems", "各部门存在的问题（客户原话）", [
        col("department", "部门"), col("called", "回访日期", "date"), col("plate", "车牌号"), col("customer", "客户姓名"),
        col("problems", "不满意项目"), col("comment", "客户原话", width=40), col("status", "处理状态"),
    ], rows, empty_text="本期回访中没有不满意的回答")


def case_table(cases: list[dict[str, Any]], as_of: dt.date) -> Table:
    """客户投诉问题解决情况表, case by case: the result and the customer's reaction on the second call."""
    rows = []
    for c in sorted(cases, key=lambda c: (c["date"], c["case_no"] or "")):
        done = c["resolved"] is not None and c["resolved"] <= as_of
        status = case_status(c, as_of)
        if done:
            status += "，已二次回访" if c["second_call"] is not None else "，未二次回访"
        reaction = c["second_result"]
        if c["satisfied"] is not None:
            reaction = "；".join(x for x in (reaction, "满意" if c["satisfied"] else "不满意") if x)
        rows.append({"case_no": c["case_no"], "date": c["date"], "department": c["department"], "owner": c["owner"],
                     "issue": c["issue"], "result": c["result"], "reaction": reaction,
                     "days": (c["resolved"] - c["date"]).days if done and c["resolved"] >= c["date"] else None,
                     "status": status})
    return Table("cases", "客户投诉问题解决情况（逐案）", [
        col("case_no", "编号"), col("date", "登记日期", "date"), col("department", "责任部门"), col("owner", "负责人"),
        col("issue", "问题描述", width=26), col("result", "处理结果", width=22),
        col("reaction", "客户反映（二次回访）", width=22), col("days", "解决天数", "int"), col("status", "状态"),
    ], rows, empty_text="本期没有登记投诉")


def named_department(text: str | None, config: Config) -> str | None:
    """The department a customer's words name (洗车 → 美容/洗车, 前台 → 服务接待), the first one said."""
    if not text:
        return None
    text = fold(text)  # the words as typed (full width too), the vocabulary folded
    words = {fold(d): d for d in config.enums.get("department", []) if d != "其他"}
    words.update({fold(w): d for w, d in config.synonyms.get("department", {}).items() if d != "其他"})
    hits = [(text.find(w), -len(w), d) for w, d in words.items() if w in text]
    return min(hits)[2] if hits else None


def member_suggestions(vs: list[Visit], checked: list, config: Config) -> Table:
    """会员的合理化建议: what club members said on the period's reached calls, by the department they name."""
    from xl_dealer.reports.customers import members, said

    club = members(checked)
    order = {d: i for i, d in enumerate(config.enums.get("department", []))}
    rows = []
    for v in vs:
        a = v.reached
        if a is None or not said(a["comment"]):
            continue
        if not (club.of(a["plate"], a["phone"], a["vin"]) or a["member"] is True or a["club_joined"] is True):
            continue
        rows.append({"department": named_department(a["comment"], config) or UNNAMED, "called": a["called"],
                     "customer": a["customer"], "plate": a["plate"], "service_type": a["service_type"],
                     "comment": a["comment"].strip()})
    rows.sort(key=lambda r: (order.get(r["department"], len(order)), r["called"], r["plate"] or ""))
    return Table("member_suggestions", "会员建议汇总", [
        col("department", "涉及部门"), col("called", "回访日期", "date"), col("customer", "会员"), col("plate", "车牌号"),
        col("service_type", "维修类型"), col("comment", "会员原话", width=44),
    ], rows, empty_text="本期回访中没有会员的意见建议")


def club_table(checked: list, start: dt.date, end: dt.date) -> Table:
    """回访中推出俱乐部: per caller, the customers invited to the club and those who joined."""
    from xl_dealer.reports.common import customer_key

    per: dict[str, dict[str, set]] = defaultdict(lambda: {"invited": set(), "joined": set()})
    everyone: dict[str, set] = {"invited": set(), "joined": set()}
    # does any row fill the club columns at all (else the sheet lacks them, and says so)
    seen_columns = any(v is not None for c in tables_of(checked, "service_callback")
                       for k in ("club_invited", "club_joined") for v in c.col(k))
    for r in records_where(checked, "service_callback", "called", lambda d: within(d, start, end),
                           ("called", "caller", "plate", "phone", "club_invited", "club_joined", SOURCE)):
        k = customer_key(r) or f"row:{r[SOURCE]}"
        who = r["caller"] or "（未填）"
        if r["club_invited"] is True or r["club_joined"] is True:
            per[who]["invited"].add(k)
            everyone["invited"].add(k)
        if r["club_joined"] is True:
            per[who]["joined"].add(k)
            everyone["joined"].add(k)
    rows = [{"caller": who, "invited": len(g["invited"]), "joined": len(g["joined"]),
             "rate": ratio(len(g["joined"]), len(g["invited"]))} for who, g in sorted(per.items())]
    t = Table("club", "俱乐部邀请与入会（按回访人）", [
        col("caller", "回访人"), col("invited", "邀请入会", "int", "sum"), col("joined", "入会", "int", "sum"),
        col("rate", "入会率", "percent", "rate"),
    ], rows, empty_text="本期回访中没有邀请入会" if seen_columns else "回访记录没有「邀请入会」「是否入会」列")
    if rows:
        t.totals = True
        t.total_row = {"caller": "合计", "invited": len(everyone["invited"]), "joined": len(everyone["joined"]),
                       "rate": ratio(len(everyone["joined"]), len(everyone["invited"]))}
    return t


def complaint_table(cases: list[dict[str, Any]], as_of: dt.date, config: Config, now_word: str = "本月") -> Table:
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
    ], rows, empty_text=f"{now_word}没有登记投诉")
    return with_totals(t, "department", {"close_rate": ("resolved", "registered"),
                                         "second_call_rate": ("second_called", "resolved")})
