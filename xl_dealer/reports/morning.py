"""晨会日报: yesterday's showroom traffic and follow-up work per sales consultant (SPEC §4)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import compress, count

from xl_dealer.model.config import Config
from xl_dealer.reports.common import (
    col,
    date_of,
    fed_by,
    missing_note,
    person_key,
    records_where,
    tables_of,
    with_totals,
    yesterday,
)
from xl_dealer.reports.data import Chart, Report, Table
from xl_dealer.rules.followup import quota_days

ORDER_LEVELS = ("O", "D")  # ordered / delivered: an order was taken
_ORDER_LEVELS = frozenset(ORDER_LEVELS)


def _new_orders(checked: list, day: dt.date) -> dict[str, set[str]]:
    """Consultant → customers whose FIRST row at an order level (O/D) in any visitor log or
    follow-up log is on ``day``: an ordered customer followed up again is not a new order."""
    first: dict[str, tuple[dt.date, str]] = {}
    for kind in ("registration", "followup_log"):
        i = 0  # the row's index among the kind's rows across workbooks: the key of one without a phone
        for c in tables_of(checked, kind):
            # the order-level rows only (found down the level column in C): they are few
            dates, consultants, phones = c.col("date"), c.col("consultant"), c.col("phone")
            for j in compress(count(), map(_ORDER_LEVELS.__contains__, c.col("level"))):
                d, who = dates[j], consultants[j]
                if d is not None:
                    k = person_key({"phone": phones[j]}, (kind, i + j))
                    if k not in first or d < first[k][0]:
                        first[k] = (d, who)
            i += len(c.table.rows)
    out: dict[str, set[str]] = defaultdict(set)
    for k, (d, who) in first.items():
        if d == day and who:
            out[who].add(k)
    return out


def build(checked: list, *, as_of: dt.date, config: Config) -> Report:
    day, _ = yesterday(as_of)
    def on_day(d: dt.date | None) -> bool:
        return d == day

    regs = list(records_where(checked, "registration", "date", on_day, ("consultant", "visit_type", "card",
                                                                        "test_drive")))
    logs = list(records_where(checked, "followup_log", "date", on_day, ("consultant", "submitted_at",
                                                                        "manager_signed")))
    has_td_register = bool(tables_of(checked, "test_drive"))
    drives = list(records_where(checked, "test_drive", "date", on_day, ("consultant",)))
    # open as the followup.overdue rule says: an O card (已订车) is followed up until delivery
    closed = {*config.card_closed_statuses, *config.lost_statuses}
    open_levels = [lv for lv in config.levels if config.levels[lv].cadence_days is not None]

    names: set[str] = set()
    for r in (*regs, *logs, *drives):
        if r.get("consultant"):
            names.add(r["consultant"])
    names.update(n for n, days in config.roster.items() if day in days)

    stats: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    levels = set(open_levels)
    for c in tables_of(checked, "followup_card"):  # the open cards made by then, down four columns
        for status, made, who, level in zip(c.col("status"), c.col("card_date"), c.col("consultant"), c.col("level"),
                                            strict=True):
            if status in closed or (made is not None and made > day):
                continue
            if who:
                names.add(who)
            if level in levels:
                stats[who][f"level_{level}"] += 1
    ordered = _new_orders(checked, day)
    for r in regs:
        s = stats[r["consultant"]]
        s["walk_ins" if r["visit_type"] == "来店" else "phone_ins"] += r["visit_type"] is not None
        s["new_cards"] += r["card"] is True
        if not has_td_register:
            s["test_drives"] += r["test_drive"] is True
    for r in drives:
        stats[r["consultant"]]["test_drives"] += 1
    submitted: dict[str, list] = defaultdict(list)
    signed: dict[str, list] = defaultdict(list)
    for r in logs:
        stats[r["consultant"]]["log_rows"] += 1
        submitted[r["consultant"]].append(r["submitted_at"])
        signed[r["consultant"]].append(r["manager_signed"])

    target = config.followup_daily_target
    # the same facts as the followup.quota rule: a rest day or a day no log covers is not 未达标
    quota = quota_days(checked, config, as_of)
    covered = quota.covering(day) is not None
    rows = []
    for name in sorted(n for n in names if n):
        s = stats[name]
        n_logs = s["log_rows"]
        worked = (name, day) in quota.worked
        customers = quota.count.get((name, day), 0)  # distinct open customers: what the quota counts
        row = {
            "consultant": name,
            "walk_ins": s["walk_ins"],
            "phone_ins": s["phone_ins"],
            "new_cards": s["new_cards"],
            **{f"level_{lv}": s[f"level_{lv}"] for lv in open_levels},
            "test_drives": s["test_drives"],
            "orders": len(ordered[name]),
            "followups": customers,
            "target": target if worked else None,  # a consultant on 休息 has no target that day
            "target_met": ("—" if not covered else "休息" if not worked
                           else "达标" if customers >= target else "未达标"),
            "log_on_time": _on_time(submitted[name], config) if n_logs else "—",
            "log_signed": ("已签" if all(signed[name]) else "未签") if n_logs else "—",
        }
        rows.append(row)

    columns = [
        col("consultant", "销售顾问"),
        col("walk_ins", "来店", "int", "sum"),
        col("phone_ins", "来电", "int", "sum"),
        col("new_cards", "新建卡", "int", "sum"),
        *[col(f"level_{lv}", f"{lv}级在跟", "int", "sum") for lv in open_levels],
        col("test_drives", "试驾", "int", "sum"),
        col("orders", "订单", "int", "sum"),
        col("followups", "跟进客户", "int", "sum"),
        col("target", "目标", "int", "sum"),
        col("target_met", "跟进达标"),
        col("log_on_time", "按时提交"),
        col("log_signed", "经理签字"),
    ]
    table = with_totals(Table("by_consultant", "各销售顾问昨日工作", columns, rows), "consultant")
    tables = [table]
    if tables_of(checked, "delivery"):  # the delivery step, when its register is given
        from xl_dealer.reports.deliveries import deliveries_table

        tables.append(deliveries_table(checked, day, config))
    notes = missing_note(checked, "registration", "followup_log")
    if not regs and not logs:
        notes.insert(0, f"{day.isoformat()} 没有来店/来电登记和跟进记录。")
    td_source = "试乘试驾登记表" if has_td_register else "登记表“是否试驾”为是"
    return Report(
        name="morning", sheet="晨会日报", title=f"晨会日报 {day.isoformat()}（{'一二三四五六日'[day.weekday()]}）",
        period_start=day, period_end=day, as_of=date_of(as_of), tables=tables,
        fed=fed_by(checked, "registration", "followup_log", "followup_card", "test_drive", "delivery"),
        charts=[Chart("col", "by_consultant", "consultant", ["walk_ins", "phone_ins", "followups"],
                      "各顾问来店、来电与跟进")],
        notes=notes,
        footnotes=[
            f"来店、来电 = 当日登记条数（每次来访算一次）；新建卡 = 登记表“是否建卡”为是的条数；试驾 = {td_source}的当日记录数。",
            "订单 = 当日首次以 O/D 级出现在来店登记或跟进记录中的客户数（按电话去重，已订车客户再跟进不重复计）。",
            f"X级在跟 = 截至当日未关闭（状态不是{'/'.join(sorted(closed))}）的跟进卡，按当前意向级别计；O 级跟到交车为止。",
            f"跟进客户 = 当日跟进的不同在跟意向客户（按电话去重，已关闭级别不计）；达标 = 跟进客户 ≥ 目标 {target}。"
            "当天没有登记、跟进且不在排班表的顾问为“休息”，不计目标；“—” = 跟进记录未覆盖该日。",
            f"按时提交 = 当日跟进记录的提交时间都不晚于 {config.followup_submit_by:%H:%M}；经理签字 = 当日记录全部已签。",
            *([f"交车（有交车登记表时）：感谢电话及时 = 交车后 {config.delivery_thanks_minutes} 分钟内打了感谢电话；"
               "感谢电话及时率 = 及时台数 ÷ 交车台数；已介绍售后 = 填了服务顾问且介绍售后不为否。"]
              if len(tables) > 1 else []),
        ],
    )


def _on_time(times: list, config: Config) -> str:
    if any(t is None for t in times):
        return "未填"
    return "按时" if max(times) <= config.followup_submit_by else "超时"
