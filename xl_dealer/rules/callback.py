"""Rules of the after-service callbacks (售后回访记录): timing, call window, repeated RO numbers,
the next maintenance told on a reached call.

The score items' requirements (those the row's 维修类型 asks, ``callback_items``, when 已回访)
are declared in ``kinds.py``; problem customers without a quick-handling row are in
``complaint.py``. A row may be written before the call (the day's repair orders, for the
morning call list): its blank 回访日期 is then due, and ``callback.late`` once it is overdue.
"""

from __future__ import annotations

import datetime as dt

from xl_dealer.model.config import Config
from xl_dealer.model.messages import register
from xl_dealer.read.values import ro_key
from xl_dealer.rules.base import Checked, Emitter, display_header
from xl_dealer.rules.scores import answer_items

register("callback.late",
         "交车日期{delivered}后第{days}天才回访，超过{limit}天的回访时限{what}：请在时限内回访。",
         "Called {days} days after delivery on {delivered}, later than the {limit}-day limit{what_en}.")
register("callback.late.not_called",  # a variant of callback.late: the row is waiting for its call
         "交车日期{delivered}后已{days}天，还没有回访（要求{limit}天内{what}）：请尽快回访，回访后填写回访日期和回访结果。",
         "Delivered on {delivered}, {days} days ago, and not called yet (due within {limit} days{what_en}).")
register("required.undated",
         "已填回访结果或评分，但「{column}」为空：请填写这次回访的日期。",
         "The call has a result or scores but '{column}' is blank: fill in the day of the call.")
register("required.next_service",
         "已回访，但「{column}」和「{other}」都为空：回访时应提醒客户下次保养的日期或里程，请至少填写一项。",
         "Reached, but '{column}' and '{other}' are both blank: tell the customer the next maintenance date or "
         "mileage and fill in at least one.")
register("callback.window",
         "回访时间{value}不在建议时段{windows}内（提示：客户在这些时段更方便接听）。",
         "Called at {value}, outside the preferred windows {windows}.")

NEW_CAR = "新车交付"
REACHED = "已回访"
RETRY_AFTER = "未接通"  # a second row for the same RO number is a retry only after an unanswered call


def check_callback(c: Checked, config: Config, em: Emitter) -> None:
    t = c.table
    delivered, called, types = c.col("delivered"), c.col("called"), c.col("service_type")
    outcomes = c.col("outcome")
    # repeated RO numbers: the later rows are duplicates unless every earlier call went unanswered
    first: dict[str, int] = {}
    final: dict[str, int] = {}  # RO → first row whose outcome was not a retryable 未接通
    later: set[int] = set()
    for i, ro in enumerate(c.col("ro_no")):
        k = ro_key(ro)
        if k is None:
            continue
        if k in first:
            later.add(i)
            if k in final:
                em.at(t, i, "ro_no", "duplicate", ro, first_row=t.rows[final[k]],
                      what=f"维修单号「{ro}」", what_en=f"RO number '{ro}'")
        else:
            first[k] = i
        if k not in final and outcomes[i] != RETRY_AFTER:
            final[k] = i
    start_col = display_header(t.headers.get("delivered") or "交车日期")
    # without a 维修类型 column a new-car call cannot be told apart: the longer limit, no false alarm
    typed = "service_type" in t.columns
    for i, (d, called_on) in enumerate(zip(delivered, called, strict=True)):
        if d is None or called_on is None:
            continue
        if called_on < d:
            em.at(t, i, "called", "time.order", called_on, start_column=start_col, start=d.isoformat())
            continue
        if i in later:
            continue  # a retry or a duplicate: the first call decides lateness
        new_car = types[i] == NEW_CAR
        limit = config.callback_new_car_days if new_car else config.callback_days
        if not typed:
            limit = max(config.callback_days, config.callback_new_car_days)
        days = (called_on - d).days
        if days > limit:
            em.at(t, i, "called", "callback.late", called_on, delivered=d.isoformat(), days=days, limit=limit,
                  what="（新车交付）" if new_car else "", what_en=" (new-car delivery)" if new_car else "")
    windows = config.callback_windows
    shown = "、".join(f"{a:%H:%M}~{b:%H:%M}" for a, b in windows)
    for i, tm in enumerate(c.col("call_time")):
        if tm is not None and not _in_windows(tm, windows):
            em.at(t, i, "call_time", "callback.window", tm, windows=shown)
    _not_called(c, config, em, typed)
    _next_service(c, config, em)


def _not_called(c: Checked, config: Config, em: Emitter, typed: bool) -> None:
    """Rows with no 回访日期: a call already made (a result or a score written) lacks its date
    (``required``); a row written before the call is overdue once its deadline has passed
    (``callback.late``), unless another row of the same 维修单号 holds the call."""
    t = c.table
    if "called" not in t.columns:
        return  # column.missing (or the day from the title) covers the sheet
    called, delivered, types = c.col("called"), c.col("delivered"), c.col("service_type")
    bad = c.bad.get("called", set())
    made = {ro_key(ro) for ro, d in zip(c.col("ro_no"), called, strict=True) if d is not None}
    talked = [c.col(k) for k in ("outcome", *answer_items(), "comment") if c.has(k)]
    for i, d in enumerate(called):
        if d is not None or i in bad:
            continue
        if any(col[i] is not None for col in talked):
            em.at(t, i, "called", "required", None, msg="required.undated")
            continue
        k = ro_key(c.col("ro_no")[i])
        if k is not None and k in made:
            continue  # a retry row, or the call is on another row of this repair
        day = delivered[i]
        if day is None:
            continue
        new_car = types[i] == NEW_CAR
        limit = config.callback_new_car_days if new_car else config.callback_days
        if not typed:
            limit = max(config.callback_days, config.callback_new_car_days)
        days = (em.as_of - day).days
        if days > limit:
            em.at(t, i, "called", "callback.late", None, msg="callback.late.not_called", delivered=day.isoformat(),
                  days=days, limit=limit, what="，新车交付" if new_car else "", what_en=", new-car delivery" if new_car else "")


def _next_service(c: Checked, config: Config, em: Emitter) -> None:
    """提醒客户下次保养项目及里程: a reached call names the next maintenance's date or mileage."""
    t = c.table
    have = [k for k in ("next_service_date", "next_service_km") if k in t.columns]
    if not config.callback_next_service_required or not have:
        return
    dates, kms = c.col("next_service_date"), c.col("next_service_km")
    bad = c.bad.get("next_service_date", set()) | c.bad.get("next_service_km", set())
    cell = have[0]
    other = "next_service_km" if cell == "next_service_date" else "next_service_date"
    other_head = display_header(t.headers.get(other) or t.kind.field(other).header)
    for i, outcome in enumerate(c.col("outcome")):
        if outcome != REACHED or dates[i] is not None or kms[i] is not None or i in bad:
            continue
        em.at(t, i, cell, "required", None, msg="required.next_service", other=other_head)


def _in_windows(tm: dt.time, windows: list[tuple[dt.time, dt.time]]) -> bool:
    return any(a <= tm <= b for a, b in windows)
