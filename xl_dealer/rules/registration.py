"""Rules of the visitor log (来店(来电)客户登记表) that look at more than one cell."""

from __future__ import annotations

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key
from xl_dealer.rules.base import Checked, Emitter, display_header


def check_registration(c: Checked, config: Config, em: Emitter) -> None:
    t = c.table
    arrive, leave = c.col("arrive_time"), c.col("leave_time")
    start_column = display_header(t.headers.get("arrive_time", "来店时间"))
    column = None
    if "leave_time" in t.columns and t.columns.get("arrive_time") == t.columns["leave_time"]:  # 在店时段 9:30-10:15
        en = em.lang == "en"
        column = f"{start_column} (leaving)" if en else f"{start_column}的离店时间"
        start_column = f"{start_column} (arriving)" if en else "来店时间"
    for i, (a, b) in enumerate(zip(arrive, leave, strict=True)):
        if a is not None and b is not None and b < a:
            extra = {"column": column} if column else {}
            em.at(t, i, "leave_time", "time.order", b, start_column=start_column, start=_hm(a), **extra)
    # the same phone twice on one day: flagged on the later rows
    seen: dict[tuple, int] = {}
    for i, (d, p) in enumerate(zip(c.col("date"), c.col("phone"), strict=True)):
        if d is None or p is None:
            continue
        k = (d, phone_key(p))
        if k in seen:
            em.at(t, i, "phone", "duplicate", p, first_row=t.rows[seen[k]],
                  what=f"同一天（{d.isoformat()}）的电话「{p}」", what_en=f"Phone '{p}' on {d.isoformat()}")
        else:
            seen[k] = i
    if c.has("card"):
        card = c.col("card")
        for i, p in enumerate(c.col("phone")):
            # a phone in the cell was left, whatever 未留电话 or 备注 say
            if p is not None and card[i] is not True and i not in c.bad.get("card", ()):
                em.at(t, i, "card", "card.required", p)


def _hm(t) -> str:
    return t.strftime("%H:%M")
