"""Rules of the after-service callbacks (售后回访记录): timing, call window, repeated RO numbers.

The score items' requirements (all when 已回访, 喷漆质量 only for 钣喷) are declared
in ``kinds.py``; problem customers without a quick-handling row are in ``complaint.py``.
"""

from __future__ import annotations

import datetime as dt

from xl_dealer.model.config import Config
from xl_dealer.model.messages import register
from xl_dealer.read.values import ro_key
from xl_dealer.rules.base import Checked, Emitter, display_header

register("callback.late",
         "交车日期{delivered}后第{days}天才回访，超过{limit}天的回访时限{what}：请在时限内回访。",
         "Called {days} days after delivery on {delivered}, later than the {limit}-day limit{what_en}.")
register("callback.window",
         "回访时间{value}不在建议时段{windows}内（提示：客户在这些时段更方便接听）。",
         "Called at {value}, outside the preferred windows {windows}.")

NEW_CAR = "新车交付"
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


def _in_windows(tm: dt.time, windows: list[tuple[dt.time, dt.time]]) -> bool:
    return any(a <= tm <= b for a, b in windows)
