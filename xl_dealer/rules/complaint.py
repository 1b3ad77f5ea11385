"""Rules of the quick-handling form (快速处理表), and problem customers left without one."""

from __future__ import annotations

from xl_dealer.model.config import Config
from xl_dealer.model.kinds import SERVICE_CALLBACK
from xl_dealer.model.messages import register
from xl_dealer.read.values import phone_key, ro_key
from xl_dealer.rules.base import Checked, Emitter, display_header, show_value
from xl_dealer.rules.cross import ready, usable
from xl_dealer.rules.scores import problem_customers

register("complaint.unhandled",
         "{why}，但快速处理表中没有该客户的记录（按维修单号，否则按电话查找）：请登记快速处理表并跟进处理。",
         "{why_en}, but the quick-handling form has no row for this customer (by RO number, else phone): register it.")
register("complaint.open_overdue",
         "承诺解决日期{value}已过（检查日{as_of}），问题仍未解决：请尽快处理，解决后填写实际解决日期。",
         "The promised date {value} has passed (as of {as_of}) and the case is not resolved.")
register("complaint.no_second_call",
         "问题已于{resolved}解决，{days}天后仍没有二次回访（要求{limit}天内）：请回访客户并填写二次回访日期。",
         "Resolved on {resolved}, {days} days ago, with no second call (due within {limit} days).")


def check_complaint(c: Checked, config: Config, em: Emitter) -> None:
    t = c.table
    as_of = em.as_of
    start_col = display_header(t.headers.get("date") or "登记日期")
    resolved_col = display_header(t.headers.get("resolved") or "实际解决日期")
    dates, due, resolved, second = c.col("date"), c.col("due"), c.col("resolved"), c.col("second_call")
    bad_resolved = c.bad.get("resolved", set())
    limit = config.complaint_second_call_days
    for i in range(len(t.rows)):
        d, r, s = dates[i], resolved[i], second[i]
        if d is not None and r is not None and r < d:
            em.at(t, i, "resolved", "time.order", r, start_column=start_col, start=d.isoformat())
        if r is not None and s is not None and s < r:
            em.at(t, i, "second_call", "time.order", s, start_column=resolved_col, start=r.isoformat())
        if r is None and i not in bad_resolved and due[i] is not None and due[i] < as_of:
            em.at(t, i, "due", "complaint.open_overdue", due[i])
        if r is not None and s is None and r <= as_of and (as_of - r).days > limit:
            em.at(t, i, "second_call", "complaint.no_second_call", None,
                  cell_key="second_call" if c.has("second_call") else "resolved",
                  resolved=r.isoformat(), days=(as_of - r).days, limit=limit)


def check_unhandled(checked: list[Checked], config: Config, em: Emitter) -> None:
    """A problem customer on a callback row with no quick-handling row (only when a form is in the run).

    Matching: the callback's RO number against the forms' RO numbers; a form row without
    an RO number matches by phone (so does a callback row without one).
    """
    forms = [c for c in checked if c.kind == "complaint"]
    calls = [c for c in checked if c.kind == "service_callback"]
    if not forms or not calls:
        return
    what, what_en = "问题客户是否都有快速处理记录", "whether every problem customer has a quick-handling row"
    needs = (("ro_no", "phone"),)
    if not ready(em, "complaint.unhandled", forms, needs, what, what_en):
        return
    ros: set[str] = set()
    phones_no_ro: set[str] = set()
    phones_all: set[str] = set()
    for c in forms:
        for ro, p in zip(c.col("ro_no"), c.col("phone"), strict=True):
            k = ro_key(ro)
            pk = phone_key(p)
            if k:
                ros.add(k)
            elif pk:
                phones_no_ro.add(pk)
            if pk:
                phones_all.add(pk)
    for c in usable(em, "complaint.unhandled", calls, needs, what, what_en):
        t = c.table
        ro_col, phone_col = c.col("ro_no"), c.col("phone")
        for i, why in sorted(problem_customers(c.values, config).items()):
            k, pk = ro_key(ro_col[i]), phone_key(phone_col[i])
            if k is not None and (k in ros or (pk is not None and pk in phones_no_ro)):
                continue
            if k is None and pk is not None and pk in phones_all:
                continue
            raw = t.raw.get(why)
            value = raw[i] if raw is not None else None
            if why == "complaint":
                text, text_en = "客户投诉", "The customer complained"
            else:
                f = SERVICE_CALLBACK.field(why)
                text = f"客户对「{display_header(t.headers.get(why) or f.header)}」的评价是「{show_value(value)}」（不满意）"
                text_en = f"The customer rated '{f.header}' as '{show_value(value)}' (a problem answer)"
            em.at(t, i, why, "complaint.unhandled", value, why=text, why_en=text_en)
