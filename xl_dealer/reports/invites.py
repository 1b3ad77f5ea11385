"""邀约到店: invitations in the follow-up log and whether the customer then came in (issue 17).

An invitation is a follow-up log row whose 跟进方式, 跟进内容 or 客户反馈 holds one of the
``invite_keywords`` (邀约, 预约到店, …). The customer arrived when the visitor log has a
来店 row with their phone within ``invite_arrival_days`` after an invitation of the period
(the same day counts when the invitation was not itself made in the showroom and the
visit came after it). Customers are unique by phone, credited to the consultant of their
first invitation in the period.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import fold, phone_key
from xl_dealer.reports import deals
from xl_dealer.reports.common import (
    PERIODS,
    SOURCE,
    Buckets,
    change,
    col,
    date_of,
    fed_by,
    missing_note,
    no_previous_note,
    period_name,
    period_range,
    person_key,
    previous_range,
    ratio,
    records,
    records_where,
    with_totals,
)
from xl_dealer.reports.data import Chart, Report, Table

IN_SHOWROOM = "到店"  # an invitation made during a visit: that visit is not its arrival


@dataclass(slots=True)
class Invited:
    """One customer's invitations in a period."""

    first: tuple  # (date, time, source row) of the first invitation
    consultant: str
    customer: str | None
    phone: str | None
    text: str | None
    invites: list[tuple[dt.date, dt.time | None, bool]] = field(default_factory=list)  # (date, time, in showroom)
    arrived: dt.date | None = None


def is_invitation(r: dict[str, Any], words: list[str]) -> bool:
    # 跟进方式 as read (a store that logs 邀约 as a channel lists it in [enums] channel)
    texts = (r["channel"], r["content"], r["feedback"])
    folded = [fold(str(t)) for t in texts if t]
    return any(w in t for t in folded for w in words)


def _arrival(visits: list[tuple[dt.date, dt.time | None]], dates: list[dt.date], day: dt.date,
             time: dt.time | None, in_showroom: bool, days: int) -> dt.date | None:
    """The first 来店 of the customer within ``days`` after an invitation made on ``day``
    (``visits`` sorted, ``dates`` their dates)."""
    last = day + dt.timedelta(days=days)
    for vd, vt in visits[bisect.bisect_left(dates, day):]:
        if vd > last:
            return None
        if vd > day or (not in_showroom and (time is None or vt is None or vt >= time)):
            return vd
    return None


def build(checked: list, *, as_of: dt.date, config: Config, period: str | None = None) -> Report:
    period = period or "month"
    cur = period_range(period, as_of)
    prev = previous_range(period, cur[0])
    buckets = Buckets(cur, prev)
    n_days = config.invite_arrival_days
    words = [fold(w) for w in config.invite_keywords if w]

    invited: list[dict[str, Invited]] = [{}, {}]
    def in_buckets(d: dt.date | None) -> bool:
        return buckets.of(d) is not None

    for r in records_where(checked, "followup_log", "date", in_buckets, ("date", "time", "consultant", "customer",
                                                                         "phone", "channel", "content", "feedback")):
        b = buckets.of(r["date"])
        if b is None or not is_invitation(r, words):
            continue
        key = person_key(r, r[SOURCE])
        o = (r["date"], r["time"] or dt.time(), r[SOURCE])
        got = invited[b].get(key)
        if got is None or o < got.first:
            text = "；".join(str(t) for t in (r["content"], r["feedback"]) if t)
            fresh = Invited(o, r["consultant"] or deals.BLANK, r["customer"], r["phone"], text)
            if got is not None:
                fresh.invites = got.invites
            invited[b][key] = got = fresh
        got.invites.append((r["date"], r["time"], r["channel"] == IN_SHOWROOM))

    wanted = {k for b in (0, 1) for k in invited[b] if not k.startswith("row:")}
    visits: dict[str, list[tuple[dt.date, dt.time | None]]] = defaultdict(list)
    if wanted:
        for r in records(checked, "registration", ("phone", "visit_type", "date", "arrive_time")):
            k = phone_key(r["phone"])
            if k in wanted and r["visit_type"] == "来店" and r["date"] is not None:
                visits[k].append((r["date"], r["arrive_time"]))
    dates: dict[str, list[dt.date]] = {}
    for k, vs in visits.items():
        vs.sort(key=lambda v: (v[0], v[1] or dt.time.min))
        dates[k] = [d for d, _ in vs]
    for b in (0, 1):
        for key, inv in invited[b].items():
            vs = visits.get(key, [])
            hits = [a for d, t, s in inv.invites
                    if (a := _arrival(vs, dates.get(key, []), d, t, s, n_days)) is not None]
            inv.arrived = min(hits) if hits else None

    has_prev = bool(invited[1])
    per: dict[str, dict[str, Any]] = defaultdict(lambda: {"invited": [0, 0], "arrived": [0, 0], "pending": 0})
    for b in (0, 1):
        for inv in invited[b].values():
            s = per[inv.consultant]
            s["invited"][b] += 1
            s["arrived"][b] += inv.arrived is not None
            if b == 0 and inv.arrived is None and _open(inv, as_of, n_days):
                s["pending"] += 1
    rows = []
    for name in sorted(per, key=lambda n: (n == deals.BLANK, n)):
        s = per[name]
        rows.append(_row(name, s["invited"], s["arrived"], s["pending"], has_prev))
    t = Table("by_consultant", f"各顾问邀约到店（本期 {period_name(period, *cur)}，上期 {period_name(period, *prev)}）", [
        col("consultant", "销售顾问"), col("invited", "邀约客户", "int", "sum"), col("arrived", "到店客户", "int", "sum"),
        col("rate", "邀约到店率", "percent"), col("pending", "观察期未满", "int", "sum"),
        col("prev_invited", "上期邀约", "int", "sum"), col("prev_arrived", "上期到店", "int", "sum"),
        col("prev_rate", "上期到店率", "percent"), col("change", "变化", "pp"),
    ], rows)
    with_totals(t, "consultant")
    assert t.total_row is not None
    tot = t.total_row
    tot.update({k: v for k, v in _row("合计", [sum(r["invited"] for r in rows), sum(r["prev_invited"] or 0 for r in rows)],
                                      [sum(r["arrived"] for r in rows), sum(r["prev_arrived"] or 0 for r in rows)],
                                      tot["pending"], has_prev).items()})

    notes = missing_note(checked, "followup_log", "registration")
    if not invited[0]:
        notes.insert(0, f"本期（{period_name(period, *cur)}）跟进记录中没有邀约（跟进方式、内容或反馈含"
                        f"“{'、'.join(config.invite_keywords)}”）。")
    if not has_prev:
        notes.append(no_previous_note("邀约记录", period, *prev))
    return Report(
        name="invites", sheet="邀约到店", title=f"邀约到店（{PERIODS[period]}）{period_name(period, *cur)}",
        period_start=cur[0], period_end=cur[1], as_of=date_of(as_of), tables=[t],
        charts=[Chart("col", "by_consultant", "consultant", ["invited", "arrived"], "各顾问邀约与到店客户")],
        notes=notes, fed=fed_by(checked, "followup_log"),
        footnotes=[
            f"邀约 = 跟进记录中跟进方式、跟进内容或客户反馈含“{'、'.join(config.invite_keywords)}”之一的一行"
            "（dealer.toml invite_keywords 可改）；按邀约日期（跟进日期）计入该期，客户按电话去重，记在其该期第一次邀约的顾问名下。",
            f"到店 = 登记表中同一电话在任一次邀约后 {n_days} 天内有来店登记（首次/再次不论；邀约当天来店也算，"
            "除非那次邀约本身就是在店里做的）；dealer.toml invite_arrival_days 可改。",
            "邀约到店率 = 到店客户 ÷ 邀约客户。变化 = 本期 − 上期（百分点）。",
            f"观察期未满 = 截至统计日 {as_of.isoformat()}，最后一次邀约还不满 {n_days} 天、尚未到店的客户：他们仍可能到店，"
            "也计入邀约客户。",
        ],
    )


def _open(inv: Invited, as_of: dt.date, days: int) -> bool:
    """Is the customer's window still open on ``as_of`` (the last invitation less than N days ago)?"""
    return max(d for d, _, _ in inv.invites) + dt.timedelta(days=days) >= as_of


def _row(name: str, invited: list[int], arrived: list[int], pending: int, has_prev: bool) -> dict[str, Any]:
    rate, prev_rate = ratio(arrived[0], invited[0]), ratio(arrived[1], invited[1]) if has_prev else None
    return {"consultant": name, "invited": invited[0], "arrived": arrived[0], "rate": rate, "pending": pending,
            "prev_invited": invited[1] if has_prev else None, "prev_arrived": arrived[1] if has_prev else None,
            "prev_rate": prev_rate, "change": change(rate, prev_rate, True)}
