"""销售总结: each consultant's period against the previous one and against target (issue 17).

For a day, week, month, quarter, half or year (the last complete one before as-of;
default last month), one pass over each kind of input drops every record into this
period, the previous one, or neither. Customers are unique by phone and each is counted
once per measure, for the consultant of their earliest record in the period, so the
consultants add up to the store's total. Orders and lost cards are dated as
``deals`` says.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.reports import deals
from xl_dealer.reports.common import (
    PERIODS,
    SOURCE,
    Buckets,
    change,
    col,
    date_of,
    drop_empty_columns,
    fed_by,
    missing_note,
    month_share,
    no_previous_note,
    period_name,
    period_range,
    person_key,
    phone_keys,
    previous_range,
    ratio,
    records_where,
    tables_of,
    with_totals,
)
from xl_dealer.reports.data import FORMATS_KEY, Chart, Report, Table
from xl_dealer.rules.base import Checked

BLANK = deals.BLANK
NEEDS = ("registration", "followup_card", "followup_log", "test_drive", "delivery")


@dataclass(frozen=True, slots=True)
class Measure:
    key: str
    label: str
    rate_of: tuple[str, str] | None = None  # (numerator, denominator) for a rate


MEASURES = (
    Measure("walk_ins", "来店"),
    Measure("phone_ins", "来电"),
    Measure("first", "首次客户"),
    Measure("again", "再次客户"),
    Measure("phones", "留电客户"),
    Measure("phone_rate", "留电率", ("phones", "first")),
    Measure("new_cards", "新建卡"),
    Measure("test_drives", "试驾客户"),
    Measure("test_drive_rate", "试驾率", ("test_drives", "first")),
    Measure("orders", "订单"),
    Measure("deliveries", "交车"),  # only with a delivery register among the inputs
    Measure("order_rate", "成交率", ("orders", "first")),
    Measure("lost", "战败"),
)
COUNTS = [m.key for m in MEASURES if m.rate_of is None]
TARGETED = (("orders", "订单"), ("deliveries", "交车"), ("test_drives", "试驾客户"))  # what [targets] sets, per month


class _Credit:
    """Each customer once per period and measure, credited to the consultant of their earliest record."""

    def __init__(self) -> None:
        self.best: dict[tuple[int, str, str], tuple[tuple, str]] = {}

    def add(self, bucket: int | None, measure: str, key: str, order: tuple, who: str | None) -> None:
        if bucket is None:
            return
        k = (bucket, measure, key)
        got = self.best.get(k)
        if got is None or order < got[0]:
            self.best[k] = (order, who or BLANK)

    def into(self, per: list[dict[str, dict[str, int]]]) -> None:
        for (b, measure, _), (_, who) in self.best.items():
            per[b][who][measure] += 1


def _values(counts: dict[str, int], fed: set[str]) -> dict[str, Any]:
    """A consultant's (or the store's) counts and rates for one period; a measure whose inputs
    hold nothing for the period is None ("—"), not 0."""
    out: dict[str, Any] = {k: counts.get(k, 0) if k in fed else None for k in COUNTS}
    for m in MEASURES:
        if m.rate_of:
            num, den = out[m.rate_of[0]], out[m.rate_of[1]]
            out[m.key] = ratio(num, den) if num is not None and den is not None else None
    return out


def fed_measures(seen: set[str], has_cards: bool, has_register: bool, has_delivery: bool = False) -> set[str]:
    """The counts that the inputs feed in a period: the visitor log's only when it has rows then, …"""
    feeds = {
        "walk_ins": {"registration"}, "phone_ins": {"registration"}, "first": {"registration"},
        "again": {"registration"}, "phones": {"registration"},
        "new_cards": {"followup_card"} if has_cards else {"registration"},
        "test_drives": {"test_drive"} if has_register else {"registration"},
        # a card alone (created that month) says nothing about that month's orders or losses
        "orders": {"registration", "followup_log", "orders"},
        "lost": {"followup_log", "lost"} if has_cards else set(),
        "deliveries": {"delivery"} if has_delivery else set(),
    }
    return {m for m, kinds in feeds.items() if kinds & seen}


def _changes(now: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    return {m.key: change(now[m.key], before[m.key], m.rate_of is not None) for m in MEASURES}


CHANGE_FORMATS = {m.key: ("pp" if m.rate_of else "delta") for m in MEASURES}


def build(checked: list, *, as_of: dt.date, config: Config, period: str | None = None) -> Report:
    period = period or "month"
    cur = period_range(period, as_of)
    prev = previous_range(period, cur[0])
    buckets = Buckets(cur, prev)
    per: list[dict[str, dict[str, int]]] = [defaultdict(lambda: defaultdict(int)) for _ in range(2)]
    seen: list[set[str]] = [set(), set()]  # kinds with a record in the period: a measure fed by none shows "—"
    credit = _Credit()
    has_cards = bool(tables_of(checked, "followup_card"))
    has_register = bool(tables_of(checked, "test_drive"))

    # the visitor log: one pass; a blank 首次/再次 is inferred from the phone's earliest row
    # down the columns: each row's order (date, time, source row) and phone key, a row of the two
    # periods kept as (sheet, row); a record is never made
    first_seen: dict[str, tuple] = {}
    kept: list[tuple[int, tuple, str | None, Checked, int]] = []
    for c in tables_of(checked, "registration"):
        t = c.table
        cols = zip(c.col("date"), c.col("arrive_time"), phone_keys(c), t.rows, strict=True)
        for i, (d, tm, k, excel_row) in enumerate(cols):
            o = (d or dt.date.max, tm or dt.time(), (t.path, t.sheet, excel_row))
            if k and (k not in first_seen or o < first_seen[k]):
                first_seen[k] = o
            b = buckets.of(d)
            if b is not None:
                kept.append((b, o, k, c, i))
    columns: dict[int, list[list[Any]]] = {}  # a sheet's columns read below, asked for once
    for b, o, k, c, i in kept:
        cols = columns.get(id(c))
        if cols is None:
            cols = columns[id(c)] = [c.col(f) for f in ("consultant", "visit_type", "visit_seq", "card", "test_drive")]
        consultants, kinds, seqs, cards, drives = cols
        seen[b].add("registration")
        who = consultants[i] or BLANK
        if kinds[i] == "来店":
            per[b][who]["walk_ins"] += 1
        elif kinds[i] == "来电":
            per[b][who]["phone_ins"] += 1
        key = k or f"row:{o[2]}"
        seq = seqs[i] or ("首次" if k is None or first_seen[k] == o else "再次")
        if seq == "首次":
            credit.add(b, "first", key, o, who)
            if k:
                credit.add(b, "phones", key, o, who)
        else:
            credit.add(b, "again", key, o, who)
        if not has_cards and cards[i] is True:
            credit.add(b, "new_cards", key, o, who)
        if not has_register and drives[i] is True:
            credit.add(b, "test_drives", key, o, who)

    def in_buckets(d: dt.date | None) -> bool:
        return buckets.of(d) is not None

    # the other kinds: only their rows of the two periods
    for r in records_where(checked, "test_drive", "date", in_buckets, ("date", "phone", "consultant")):
        b = buckets.of(r["date"])
        if b is not None:
            seen[b].add("test_drive")
            credit.add(b, "test_drives", person_key(r, r[SOURCE]), (r["date"], dt.time(), r[SOURCE]), r["consultant"])
    for r in records_where(checked, "followup_card", "card_date", in_buckets, ("card_date", "phone", "consultant")):
        b = buckets.of(r["card_date"])
        if b is not None:
            seen[b].add("followup_card")
            credit.add(b, "new_cards", person_key(r, r[SOURCE]), (r["card_date"], dt.time(), r[SOURCE]),
                       r["consultant"])
    for c in tables_of(checked, "followup_log"):  # only whether the log covers a period: its dates, no rows
        for d in set(c.col("date")):
            b = buckets.of(d)
            if b is not None:
                seen[b].add("followup_log")
    # cars handed over: the delivery register's rows (one car once, by VIN), its consultant's
    has_delivery = bool(tables_of(checked, "delivery"))
    for r in records_where(checked, "delivery", "delivered", in_buckets, ("delivered", "vin", "phone", "consultant")):
        b = buckets.of(r["delivered"])
        if b is not None:
            seen[b].add("delivery")
            credit.add(b, "deliveries", r["vin"] or f"row:{r[SOURCE]}", (r["delivered"], dt.time(), r[SOURCE]),
                       r["consultant"])
    found_deals = deals.collect(checked, config)
    for measure, found in (("orders", found_deals.orders), ("lost", found_deals.lost)):
        for d in found.values():
            b = buckets.of(d.date)
            if b is not None:
                seen[b].add(measure)
            credit.add(b, measure, d.key, d.order, d.consultant)
    credit.into(per)

    listed = {n for n in config.enums.get("consultant", []) if n} | set(config.targets.per_consultant)
    names = sorted({*per[0], *per[1], *listed} - {BLANK}) + ([BLANK] if BLANK in per[0] or BLANK in per[1] else [])
    fed = [fed_measures(seen[b], has_cards, has_register, has_delivery) for b in (0, 1)]
    period_label = PERIODS[period]

    def store(b: int) -> dict[str, Any]:  # the consultants add up: each customer is credited once
        total: dict[str, int] = defaultdict(int)
        for name in names:
            for k, v in per[b][name].items():
                total[k] += v
        return _values(total, fed[b])

    store_now, store_before = store(0), store(1)
    rows = []
    for name in names:
        now, before = _values(per[0][name], fed[0]), _values(per[1][name], fed[1])
        rows.append({"consultant": name, "period": "本期", **now})
        rows.append({"consultant": name, "period": "上期", **before})
        rows.append({"consultant": name, "period": "变化", **_changes(now, before), FORMATS_KEY: CHANGE_FORMATS})
    for label, values in (("本期", store_now), ("上期", store_before)):
        rows.append({"consultant": "合计", "period": label, **values})
    rows.append({"consultant": "合计", "period": "变化", **_changes(store_now, store_before),
                 FORMATS_KEY: CHANGE_FORMATS})
    by_consultant = Table(
        "by_consultant",
        f"各销售顾问（本期 {period_name(period, *cur)}，上期 {period_name(period, *prev)}）",
        [col("consultant", "销售顾问"), col("period", "期间"),
         *[col(m.key, m.label, "percent" if m.rate_of else "int") for m in MEASURES]],
        rows)

    targets, target_rows = _targets(config, names, per, cur)
    summary_rows = []
    for m in MEASURES:
        is_rate = m.rate_of is not None
        row: dict[str, Any] = {"key": m.key, "measure": m.label, "current": store_now[m.key],
                               "previous": store_before[m.key],
                               "change": change(store_now[m.key], store_before[m.key], is_rate),
                               "target": None, "completion": None}
        if is_rate:
            row[FORMATS_KEY] = {"current": "percent", "previous": "percent", "change": "pp"}
        if m.key in targets:
            row["target"], row["completion"] = targets[m.key]
        summary_rows.append(row)
    summary = Table("summary", f"全店合计：{period_name(period, *cur)} 与上期 {period_name(period, *prev)}", [
        col("measure", "指标"), col("current", "本期", "int"), col("previous", "上期", "int"),
        col("change", "变化", "delta"), col("target", "目标", "number"), col("completion", "完成率", "percent"),
    ], summary_rows)

    has_targets = config.targets.any()
    target_table = with_totals(Table("targets", "各顾问订单、试驾与目标（本期）" if has_targets else "各顾问订单与试驾客户（本期）", [
        col("consultant", "销售顾问"),
        col("orders", "订单", "int", "sum"), col("orders_target", "订单目标", "number"),
        col("orders_completion", "订单完成率", "percent"),
        col("deliveries", "交车", "int", "sum"), col("deliveries_target", "交车目标", "number"),
        col("deliveries_completion", "交车完成率", "percent"),
        col("test_drives", "试驾客户", "int", "sum"), col("test_drives_target", "试驾目标", "number"),
        col("test_drives_completion", "试驾完成率", "percent"),
    ], target_rows), "consultant")
    assert target_table.total_row is not None
    for key, _ in TARGETED:
        if key in targets:
            target_table.total_row[f"{key}_target"], target_table.total_row[f"{key}_completion"] = targets[key]
    target_keys = [f"{k}_{s}" for k, _ in TARGETED for s in ("target", "completion")]
    if not has_targets:
        drop_empty_columns(target_table, target_keys)
        drop_empty_columns(summary, ["target", "completion"])
    if not has_delivery:  # no register, no deliveries: the column would only say "—"
        _drop_measure(by_consultant, summary, target_table, "deliveries")
    else:
        target_table.title = target_table.title.replace("订单、试驾", "订单、交车、试驾").replace("订单与试驾客户", "订单、交车与试驾客户")
    # against target: each consultant's 完成率 (100 % = on target); without targets, the counts
    series = ([f"{k}_completion" for k, _ in TARGETED
               if any(r.get(f"{k}_completion") is not None for r in target_table.rows)]
              if has_targets else [k for k, _ in TARGETED if any(c.key == k for c in target_table.columns)])

    notes = missing_note(checked, "registration", "followup_card")
    for b, (lo, hi) in ((0, cur), (1, prev)):
        unfed = [m.label for m in MEASURES if m.rate_of is None and m.key not in fed[b]
                 and (m.key != "lost" or has_cards) and (m.key != "deliveries" or has_delivery)]
        if not unfed:
            continue
        if b == 0:
            notes.insert(0, f"本期（{period_name(period, lo, hi)}）输入中没有{'、'.join(unfed)}的来源记录，这些数字显示“—”。")
        else:
            notes.append(no_previous_note("、".join(unfed) + "的来源记录", period, lo, hi))
    if not has_targets:
        notes.append("dealer.toml 没有设销售目标（[targets] 的 orders、deliveries、test_drives），本表不计完成率。")
    share = month_share(*cur)
    return Report(
        name="sales", sheet="销售总结", title=f"销售总结（{period_label}）{period_name(period, *cur)}",
        period_start=cur[0], period_end=cur[1], as_of=date_of(as_of),
        tables=[summary, target_table, by_consultant],
        charts=[Chart("col", "targets", "consultant", series, "各顾问目标完成率", percent=True,
                      open_top=True) if has_targets else
                Chart("col", "targets", "consultant", series, "各顾问订单与试驾客户")],
        notes=notes, fed=fed_by(checked, *NEEDS),
        footnotes=[
            f"本期 {period_name(period, *cur)}（{cur[0]} 至 {cur[1]}），上期 {period_name(period, *prev)}"
            f"（{prev[0]} 至 {prev[1]}）。客户按电话去重（未留电话的每条登记算一位）；同一客户在每项指标中只算一次，"
            "记在其该期最早一条记录的销售顾问名下，所以各顾问之和等于合计。",
            "来店、来电 = 该期登记表的来店/来电登记条数（批次）。首次客户、再次客户 = 该期有首次/再次登记的客户；"
            "“首次/再次”未填时，输入中该电话最早的一条登记算首次，之后的算再次。",
            "留电率 = 留下电话的首次客户 ÷ 首次客户。",
            ("新建卡 = 建卡日期在该期的客户跟进卡。" if has_cards else "新建卡 = 登记表“是否建卡”为是的客户（未提供跟进卡）。")
            + ("试驾客户 = 该期试乘试驾登记表中的客户。" if has_register
               else "试驾客户 = 登记表“是否试驾”为是的客户（未提供试乘试驾登记表）。")
            + "试驾率 = 试驾客户 ÷ 首次客户。",
            "订单 = 首次以 O/D 级出现在登记表或跟进记录中的日期在该期的客户；跟进卡为已订车/成交而没有这样一条记录的，"
            "按其最近跟进日期（没有则建卡日期）计。成交率 = 订单 ÷ 首次客户（订单可能来自上期的首次客户，可超过 100%）。",
            *(["交车 = 交车日期在该期的交车登记表行（按车架号，一台车算一次），记在其销售顾问名下。"] if has_delivery else []),
            f"战败 = 状态为{'/'.join(config.lost_statuses)}的跟进卡，按跟进记录中该客户首次记为"
            f"{'/'.join(sorted(deals.lost_levels(config)))}级的日期计（没有则最近跟进日期，再没有则最后一次跟进或建卡日期）。",
            "变化 = 本期 − 上期；比率的变化以百分点计。上期没有任何记录时显示“—”。",
            f"目标 = dealer.toml [targets] 的月目标按天折算到本期（本期 = {share:.2f} 个月）；完成率 = 实际 ÷ 目标；"
            "合计的完成率只计有目标的顾问。",
        ],
    )


def _drop_measure(by_consultant: Table, summary: Table, targets: Table, key: str) -> None:
    """Take a measure off every table (and JSON row) of the report."""
    for t in (by_consultant, targets):
        t.columns = [c for c in t.columns if not c.key.startswith(key)]
        for r in [*t.rows, *([t.total_row] if t.total_row else [])]:
            for k in [k for k in r if k.startswith(key)]:
                del r[k]
            if FORMATS_KEY in r:
                r[FORMATS_KEY] = {k: v for k, v in r[FORMATS_KEY].items() if not k.startswith(key)}
    summary.rows = [r for r in summary.rows if r["key"] != key]


def _targets(config: Config, names: list[str], per: list, cur: tuple[dt.date, dt.date]
             ) -> tuple[dict[str, tuple[float, float | None]], list[dict[str, Any]]]:
    """Per consultant: actual, prorated target and 完成率; and the store's (target, 完成率) per measure."""
    share = month_share(*cur)
    listed = {n for n in config.enums.get("consultant", []) if n} | set(config.targets.per_consultant)
    rows = []
    sums: dict[str, list[float]] = {k: [0.0, 0.0, 0] for k, _ in TARGETED}  # actual, target, consultants
    for name in names:
        if name == BLANK and not any(per[0][BLANK].get(k) for k, _ in TARGETED):
            continue  # rows without a consultant that hold no order or drive: nothing to set against a target
        row: dict[str, Any] = {"consultant": name}
        active = name in per[0] or name in listed
        ts = config.targets.of(name) if name != BLANK and active else None
        for key, _ in TARGETED:
            actual = per[0][name].get(key, 0) if name in per[0] else 0
            monthly = getattr(ts, key) if ts else None
            target = round(monthly * share, 1) if monthly is not None else None
            row[key] = actual
            row[f"{key}_target"] = target
            row[f"{key}_completion"] = ratio(actual, target) if target is not None else None
            if target is not None:
                s = sums[key]
                s[0] += actual
                s[1] += target
                s[2] += 1
        rows.append(row)
    store = {key: (round(s[1], 1), ratio(s[0], s[1])) for key, s in sums.items() if s[2]}
    return store, rows
