"""客户流失: customers whose last service is older than N months, and the churn rate (SPEC §4).

Cut-off = as-of − N months (config ``churn_months``, default 6). The base is the
unique customers (plate, else phone) served in the 12 months before the cut-off;
lost = those of them with no service since. Churn = lost ÷ base, 回厂率 = 1 − churn.
The service history is every callback row's 交车日期 across all workbooks given, except
the visits of the store's free campaigns (我店搞活动期间来免费维修除外: ``customers.campaign_visit``),
which are neither service nor return.

A manager acts on the list: each lost customer with the reason where one is known (流失原因
typed in the log or the customer file, else their latest complaint, else what they said when
they were unhappy), the call to win them back (流失回访日期, 流失回访结果) and a car whose owner
changed in the customer file (``customer.mismatch``) marked beside its plate; members first.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from typing import Any

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key
from xl_dealer.reports.common import (
    PERIODS,
    add_months,
    change,
    col,
    customer_key,
    date_of,
    drop_empty_columns,
    fed_by,
    missing_note,
    period_name,
    period_range,
    previous_range,
    ratio,
    records,
    score_texts,
    shared,
    tables_of,
    with_totals,
)
from xl_dealer.reports.customers import ChurnNote, campaign_visit, churn_notes, members, note_of
from xl_dealer.reports.data import Report, Table
from xl_dealer.reports.satisfaction import case_status
from xl_dealer.rules.scores import answer_items, is_problem

BASE_MONTHS = 12


def _rate_at(served: dict[str, list[dt.date]], sold: list, at: dt.date, months: int) -> tuple[int, int]:
    """(base, lost) measured on ``at``: from each customer's sorted service dates, no row read again;
    a car sold here in that base year that never came back counts as in ``_first_service_lost``."""
    cutoff = add_months(at, -months)
    base_start = add_months(cutoff, -BASE_MONTHS)
    base = lost = 0
    in_base: set[str] = set()
    for k, days in served.items():
        i = bisect.bisect_left(days, base_start)
        if i == len(days) or days[i] >= cutoff:
            continue  # not served in the base year
        base += 1
        in_base.add(k)
        j = bisect.bisect_right(days, at)
        lost += days[j - 1] < cutoff  # the last service up to ``at`` is before the cut-off
    for car in sold:
        if not car.came_back and car.key and car.key not in in_base and base_start <= car.sold < cutoff:
            base += 1
            lost += 1
    return base, lost


@shared
def build(checked: list, *, as_of: dt.date, config: Config, period: str | None = None) -> Report:
    n = config.churn_months
    # with a period: measured on the last day of the last complete one, beside the one before
    at, before = as_of, None
    if period:
        start, at = period_range(period, as_of)
        before = previous_range(period, start)[1]
    cutoff = add_months(at, -n)
    base_start = add_months(cutoff, -BASE_MONTHS)
    history: dict[str, list[dict[str, Any]]] = defaultdict(list)
    campaign_rows = 0
    items = answer_items()
    # the columns the history is read for (a callback row has 37): the visit, its customer, its answers
    fields = ("plate", "phone", "vin", "delivered", "service_type", "called", "comment", "customer", "advisor", *items)
    campaign: dict[tuple[str | None, dt.date], bool] = {}  # (维修类型, day) → a campaign visit: pairs repeat
    for r in records(checked, "service_callback", fields):
        k = customer_key(r)
        if k and r["delivered"] and r["delivered"] <= at:
            pair = (r["service_type"], r["delivered"])
            free = campaign.get(pair)
            if free is None:
                free = campaign[pair] = campaign_visit(*pair, config)
            if free:
                campaign_rows += 1
                continue  # a free campaign visit is no return (and no service either)
            history[k].append(r)

    cases: dict[str, dict[str, Any]] = {}
    for r in sorted(records(checked, "complaint"), key=lambda r: r["date"] or dt.date.min):
        k = phone_key(r["phone"])
        if k:
            cases[k] = r  # the latest complaint of that phone

    base: dict[str, list] = {}
    lost: list[dict[str, Any]] = []
    lost_keys: set[str] = set()
    notes_by = churn_notes(checked)
    club = members(checked)
    for k, rows in history.items():
        served = sorted({r["delivered"] for r in rows})
        if not any(base_start <= d < cutoff for d in served):
            continue
        base[k] = rows
        last_day = served[-1]
        if last_day >= cutoff:
            continue
        last = max((r for r in rows if r["delivered"] == last_day), key=lambda r: r["called"] or dt.date.min)
        case = cases.get(phone_key(last["phone"]) or "")
        bad = [it for it in items if is_problem(last.get(it), config)]
        note = fresh(note_of(notes_by, last["plate"], last["phone"], last["vin"]), last_day)
        reason, reason_from = None, None
        if note is not None and note.reason:
            reason, reason_from = note.reason, "记录"
        elif case is not None:
            reason, reason_from = case["issue"], "投诉"
        elif bad and last["comment"]:
            reason, reason_from = last["comment"], "不满意时的客户意见"
        lost_keys.add(k)
        lost.append({
            "member": "会员" if club.of(last["plate"], last["phone"], last["vin"]) else None,
            "plate": last["plate"], "customer": last["customer"], "phone": last["phone"],
            "advisor": last["advisor"], "last_service": last_day, "service_type": last["service_type"],
            "months": _months_between(last_day, at), "visits": len(served),
            "problems": score_texts(last, bad) or None, "reason": reason, "reason_from": reason_from,
            "called": note.call if note else None, "call_result": note.result if note else None,
            "status": _status(note, case, at), "file": None, "_vin": last["vin"],
        })
    sold = _sold(checked, config)
    _first_service_lost(sold, base_start, cutoff, at, base, lost, lost_keys, notes_by)
    for x in lost:
        if x["member"] is None and club.of(x["plate"], x["phone"], x["_vin"]):
            x["member"] = "会员"
    _owner_changed(checked, lost)
    lost.sort(key=lambda x: (x["member"] is None, x["last_service"], x["plate"] or ""))
    follow = _follow_up(history, notes_by, lost, at)

    total, n_lost = len(base), len(lost)
    summary_rows = [{"label": "本期末" if period else "统计日", "at": at, "cutoff": cutoff, "base": total,
                     "lost": n_lost, "churn_rate": ratio(n_lost, total),
                     "return_rate": None if not total else 1 - n_lost / total, "change": None}]
    if before is not None:
        served_days = {k: sorted({r["delivered"] for r in rows}) for k, rows in history.items()}
        p_base, p_lost = _rate_at(served_days, sold, before, n)
        p_rate = ratio(p_lost, p_base)
        summary_rows[0]["change"] = change(summary_rows[0]["churn_rate"], p_rate, True)
        summary_rows.append({"label": "上期末", "at": before, "cutoff": add_months(before, -n), "base": p_base,
                             "lost": p_lost, "churn_rate": p_rate,
                             "return_rate": None if not p_base else 1 - p_lost / p_base, "change": None})
    summary = Table("summary", "流失率", [
        col("label", "统计时点"), col("at", "统计日", "date"),
        col("cutoff", "流失截止日", "date"), col("base", "基数客户", "int"), col("lost", "流失客户", "int"),
        col("churn_rate", "流失率", "percent"), col("return_rate", "回厂率", "percent"),
        col("change", "流失率变化", "pp"),
    ], summary_rows)
    if before is None:
        drop_empty_columns(summary, ["change"])
        del summary_rows[0]["change"]

    per: dict[str, dict[str, int]] = defaultdict(lambda: {"base": 0, "lost": 0})
    for k, rows in base.items():
        adv = max(rows, key=lambda r: r["delivered"])["advisor"] or "（未填）"
        per[adv]["base"] += 1
        per[adv]["lost"] += k in lost_keys
    adv_rows = [{"advisor": a, **v, "churn_rate": ratio(v["lost"], v["base"])} for a, v in sorted(per.items())]
    by_advisor = with_totals(Table("by_advisor", "按服务顾问（最近一次接待）", [
        col("advisor", "服务顾问"), col("base", "基数客户", "int", "sum"), col("lost", "流失客户", "int", "sum"),
        col("churn_rate", "流失率", "percent", "rate"),
    ], adv_rows), "advisor", {"churn_rate": ("lost", "base")})

    listing = Table("lost", "流失客户回访清单（会员在前）", [
        col("member", "会员"), col("plate", "车牌号"), col("file", "车主已变更为", width=22),
        col("customer", "客户姓名"), col("phone", "联系电话", "phone"),
        col("advisor", "服务顾问"), col("last_service", "最后进厂", "date"), col("service_type", "维修类型"),
        col("months", "未回厂(月)", "int"), col("visits", "期内进厂次数", "int"),
        col("problems", "最后一次不满意项"), col("reason", "流失原因", width=28), col("reason_from", "原因来源"),
        col("status", "跟进状态"), col("called", "流失回访日期", "date"), col("call_result", "流失回访结果", width=28),
    ], lost, empty_text="没有流失客户")
    # nothing in the inputs feeds these for any lost customer: say so once rather than print empty columns
    drop_empty_columns(listing, ["member", "file", "problems", "reason", "reason_from", "called", "call_result"])
    reasons_shown = any(c.key == "reason" for c in listing.columns)
    notes = missing_note(checked, "service_callback")
    if not total and fed_by(checked, "service_callback"):
        notes.insert(0, f"{base_start.isoformat()} 至 {cutoff - dt.timedelta(days=1)} 没有进厂记录。")
    when = f"{period_name(period, *period_range(period, as_of))}末 {at.isoformat()}" if period else at.isoformat()
    return Report(
        name="churn", sheet="客户流失",
        title=f"客户流失分析（{n}个月未回厂）{'（' + PERIODS[period] + '）' if period else ''} 截至 {when}",
        period_start=base_start, period_end=cutoff - dt.timedelta(days=1), as_of=date_of(as_of),
        tables=[summary, follow, by_advisor, listing], call_list=True, notes=notes,
        fed=fed_by(checked, "service_callback", "delivery", "customer_file"),
        footnotes=[
            f"流失截止日 = 统计日 − {n} 个月；客户按车牌去重（无车牌按电话）；进厂日期取回访记录的交车日期。"
            + (f"按{PERIODS[period]}统计时，统计日 = 该期最后一天，上期末同样计算以作对比；变化以百分点计。" if period else ""),
            f"基数客户 = 截止日前 {BASE_MONTHS} 个月内（{base_start.isoformat()} 至 {(cutoff - dt.timedelta(days=1)).isoformat()}）进过厂的客户。",
            "流失客户 = 基数客户中截止日之后再未进厂的客户。流失率 = 流失客户 ÷ 基数客户；回厂率 = 1 − 流失率。",
            ("流失原因：回访记录或客户信息卡中填写的流失原因，否则该客户最近的投诉问题描述，否则最后一次回访中不满意时的客户意见。"
             if reasons_shown else
             "流失客户都没有记录的流失原因、投诉或不满意项，所以本表不列不满意项和流失原因。")
            + "本表含拨打清单，电话完整显示；会员排在前面。",
            "跟进情况：已回访 = 最后一次进厂之后有流失回访日期；原因已知 = 有流失原因；已挽回 = 有流失回访日期、之后又回厂（活动免费进厂不算）的客户，"
            "这些客户已不在流失名单中。车主已变更为 = 客户信息卡中这辆车的车主或电话与最近的回访、交车记录不同（校验规则「客户信息不一致」，customer.mismatch），回访前请先核实。",
            (f"本店免费活动（维修类型为{'、'.join(config.campaign_service_types)}"
             + ("，或设置中的活动日期" if config.campaigns else "") + "）期间的进厂不算回厂，也不算进厂"
             + (f"：本期共剔除 {campaign_rows} 条。" if campaign_rows else "。")),
            "本店售出的车（交车登记表，或客户信息卡中购车类型为本店的）在基数期内交车、之后从未回厂（首保也没做）的，计入基数客户和流失客户。",
        ],
    )


def fresh(note: ChurnNote | None, last: dt.date) -> ChurnNote | None:
    """What was recorded about this loss: a call or reason dated before the customer's last visit
    was about an earlier absence (they came back after it), not this one."""
    if note is None:
        return None
    out = ChurnNote()
    if note.call is not None and note.call >= last:
        out.call, out.result = note.call, note.result
    if note.reason and (note.reason_on is None or note.reason_on >= last):
        out.reason, out.reason_on = note.reason, note.reason_on
    return out if (out.call or out.reason) else None


def _status(note: Any, case: dict[str, Any] | None, at: dt.date) -> str:
    """Where the win-back stands: called (and how it went), else the complaint, else waiting for the call."""
    if note is not None and note.call is not None:
        return "已回访"
    if case is not None:
        return f"投诉{case_status(case, at)}"
    return "待回访"


def _follow_up(history: dict[str, list[dict[str, Any]]], notes_by: dict, lost: list[dict[str, Any]],
               at: dt.date) -> Table:
    """Lost, called, reason known, and won back: called as lost, served again since the call."""
    n_lost = len(lost)
    called = sum(x["called"] is not None for x in lost)
    known = sum(x["reason"] is not None for x in lost)
    won = 0
    for rows in history.values():
        r0 = rows[0]
        note = note_of(notes_by, r0["plate"], r0["phone"], r0["vin"])
        if note is None or note.call is None or note.call > at:
            continue
        won += any(note.call < r["delivered"] <= at for r in rows)
    row = {"lost": n_lost, "called": called, "call_rate": ratio(called, n_lost), "known": known,
           "known_rate": ratio(known, n_lost), "won_back": won}
    return Table("follow_up", "流失客户跟进情况", [
        col("lost", "流失客户", "int"), col("called", "已回访", "int"), col("call_rate", "回访率", "percent"),
        col("known", "原因已知", "int"), col("known_rate", "原因已知率", "percent"), col("won_back", "已挽回", "int"),
    ], [row])


def _owner_changed(checked: list, lost: list[dict[str, Any]]) -> None:
    """Beside a lost car whose owner or phone is another in the customer file (``customer.mismatch``):
    the file's, so the call goes to the right person."""
    from xl_dealer.rules.customer import mismatches_in

    found = {}
    for m in mismatches_in(checked):
        found[m.car] = " ".join(str(x) for x in (m.customer, m.phone) if x)
    if not found:
        return
    for x in lost:
        for car in (x["_vin"], x["plate"]):
            if car and car in found:
                x["file"] = found[car]
                break


def _sold(checked: list, config: Config) -> list:
    """The cars sold here (delivery register, customer file); none read when neither is given."""
    if not (tables_of(checked, "delivery") or tables_of(checked, "customer_file")):
        return []
    from xl_dealer.reports.deliveries import sold_cars

    return sold_cars(checked, config)


def _first_service_lost(sold: list, base_start: dt.date, cutoff: dt.date, as_of: dt.date,
                        base: dict[str, list], lost: list[dict[str, Any]], lost_keys: set[str],
                        notes_by: dict | None = None) -> None:
    """A car sold here in the base year that never came back, not even for its 首保, is a lost
    customer too (when the delivery register or the customer file is given)."""
    for car in sold:
        k = car.key
        if car.came_back or not k or k in base or not base_start <= car.sold < cutoff:
            continue
        base[k] = [{"delivered": car.sold, "advisor": car.advisor}]
        lost_keys.add(k)
        note = fresh(note_of(notes_by or {}, car.plate, car.phone, car.vin), car.sold)
        lost.append({
            "member": "会员" if car.member else None, "plate": car.plate, "customer": car.customer, "phone": car.phone,
            "advisor": car.advisor, "last_service": car.sold, "service_type": "新车交付（未回厂首保）",
            "months": _months_between(car.sold, as_of), "visits": 0, "problems": None,
            "reason": (note.reason if note and note.reason else "购车后未回厂首保"),
            "reason_from": "记录" if note and note.reason else "交车记录", "called": note.call if note else None,
            "call_result": note.result if note else None, "status": _status(note, None, as_of), "file": None,
            "_vin": car.vin,
        })


def _months_between(a: dt.date, b: dt.date) -> int:
    """Whole calendar months from a to b (2026-01-31 → 2026-07-30 is 5)."""
    m = (b.year - a.year) * 12 + b.month - a.month
    return m - (b.day < a.day)
