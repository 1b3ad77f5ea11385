"""Rules of the visitor log (来店(来电)客户登记表) that look at more than one cell."""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Iterator
from itertools import compress, repeat
from typing import Any

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
    for i in _earlier(leave, arrive):
        extra = {"column": column} if column else {}
        em.at(t, i, "leave_time", "time.order", leave[i], start_column=start_column, start=_hm(arrive[i]), **extra)
    # the same phone twice on one day: flagged on the later rows
    dates, phones = c.col("date"), c.col("phone")
    for i, j in repeats(dates, phones):
        d, p = dates[i], phones[i]
        em.at(t, i, "phone", "duplicate", p, first_row=t.rows[j],
              what=f"同一天（{d.isoformat()}）的电话「{p}」", what_en=f"Phone '{p}' on {d.isoformat()}")
    if c.has("card"):
        card = c.col("card")
        bad = c.bad.get("card", ())
        # a phone in the cell was left, whatever 未留电话 or 备注 say
        for i in compress(range(len(card)), map(operator.is_not, card, repeat(True))):
            p = phones[i]
            if p is not None and i not in bad:
                em.at(t, i, "card", "card.required", p)


def repeats(dates: list[Any], phones: list[Any]) -> Iterator[tuple[int, int]]:
    """(row, the first row) for each row whose phone (without its extension) was on an earlier
    row of the same day; rows missing either are neither. Only the rows of a number on more
    than one row are looked at one by one (a C pass finds them)."""
    n = len(phones)
    present = set(phones)
    present.discard(None)
    # 0755-…-123; most logs have no extension at all, which one join in C tells
    keys = {p: phone_key(p) for p in present if "-" in p} if "-" in "".join(present) else {}
    numbers = list(map(keys.get, phones, phones)) if keys else phones
    earlier: dict[Any, int] = {}
    repeated = set(compress(numbers, map(operator.ne, map(earlier.setdefault, numbers, range(n)), range(n))))
    seen: dict[tuple, int] = {}
    for i in compress(range(n), map(repeated.__contains__, numbers)) if repeated else ():
        d, p = dates[i], numbers[i]
        if d is None or p is None:
            continue
        j = seen.setdefault((d, p), i)
        if j != i:
            yield i, j


def _earlier(leave: list[Any], arrive: list[Any]) -> Iterator[int]:
    """Rows where both times are given and ``leave`` is before ``arrive``, in row order.

    Times of day compare as their seconds (and microseconds); a blank one is infinitely late
    on the left and early on the right, so its row never compares true. Values that are not
    times (a moment with its day) are compared as they are, one row at a time."""
    keys: dict[Any, float] = {None: math.inf}
    for v in set(leave) | set(arrive):
        if v is None:
            continue
        if v.__class__ is not dt.time or v.tzinfo is not None:
            yield from (i for i, (a, b) in enumerate(zip(arrive, leave, strict=True))
                        if a is not None and b is not None and b < a)
            return
        keys[v] = ((v.hour * 60 + v.minute) * 60 + v.second) * 1e6 + v.microsecond
    left = list(map(keys.__getitem__, leave))
    keys[None] = -math.inf
    right = map(keys.__getitem__, arrive)
    yield from compress(range(len(leave)), map(operator.lt, left, right))


def _hm(t) -> str:
    return t.strftime("%H:%M")
