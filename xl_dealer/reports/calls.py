"""今日回访清单: the information clerk's one morning list of whom to call, and where each result goes.

Everything due today or overdue, from every workbook of the run:

- 回访: repairs delivered up to ``callback_days`` ago whose row in the callback log is written but
  not yet called (the day's repair orders, entered before the calls), from the day after delivery;
  a 新车交付 row from ``callback_new_car_days`` after the delivery (对7天前离店(已交车)用户进行电话跟踪);
- 新车回访: cars in the delivery register with no 新车交付 row in the callback log (as the
  ``delivery.new_car_call`` rule matches them: VIN, plate or phone);
- 重拨: a call that went unanswered (未接通), again the next days, up to ``callback_retry_days``
  after the first attempt; the same for a maintenance reminder;
- 保养提醒: the 定期保养一览表's letters of an earlier week with no phone reminder yet (the
  ``reminder.not_called`` definition: due from the Monday after the letter's week);
- 投诉二次回访: complaints resolved without a second call (due within ``complaint_second_call_days``);
- 流失回访: lost customers (客户流失's definition) not called yet, ``calls_daily_churn`` a day;
- 战败客户: price-lost prospects nearby (``prospects``) not called yet, ``calls_daily_prospects`` a day.

A customer with several things due is one call (one row, every reason). Rows are in call-window
order (``callback_windows``: 10:00–12:00, 15:00–18:00): a customer goes in the window they were
reached in last time (the other one after an unanswered call), the rest fill the windows evenly;
within a window club members first, then the most overdue. Each row says why it is on the list,
the customer's latest words anywhere, and where to write the result so that tomorrow's list and
the evening check find it. A call list: phones shown, ID numbers masked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import compress, count, repeat
from operator import eq
from pathlib import Path

from xl_dealer.model.config import Config
from xl_dealer.read.values import phone_key, ro_key
from xl_dealer.reports.common import (
    SOURCE,
    Row,
    col,
    date_of,
    fed_by,
    phone_keys,
    records,
    records_at,
    tables_of,
)
from xl_dealer.reports.customers import keys_of, latest_words, members, words_of
from xl_dealer.reports.data import Report, Table
from xl_dealer.rules.base import Checked
from xl_dealer.rules.cadence import NEW_CAR
from xl_dealer.rules.reminder import reminder_due, reminder_late
from xl_dealer.rules.scores import answer_items

REACHED = "已回访"
UNANSWERED = "未接通"
CLOSED = ("拒访", "空号")  # the customer said no, or the number is wrong: no more calls
CATEGORIES = ("投诉二次回访", "回访", "新车回访", "重拨", "保养提醒", "流失回访", "战败客户")
FEEDS = ("service_callback", "delivery", "maintenance_list", "complaint", "followup_card", "customer_file")


@dataclass(slots=True)
class Call:
    category: str
    customer: str | None
    phone: str | None
    plate: str | None
    why: str
    due: dt.date  # the first day the call is due
    deadline: dt.date | None  # the last day it is on time (None: no deadline)
    owner: str | None  # the advisor, the case owner, the consultant
    write_back: str
    vin: str | None = None
    window: int | None = None  # preferred call window (index into callback_windows)
    avoid: int | None = None  # the window an unanswered call was made in
    categories: list[str] = field(default_factory=list)
    member: bool = False
    words: str | None = None

    def overdue(self, as_of: dt.date) -> int:
        return max(0, (as_of - self.deadline).days) if self.deadline else 0

    @property
    def key(self) -> str:
        return phone_key(self.phone) or self.plate or f"{self.customer}:{self.why}"


def _where(src: tuple, what: str) -> str:
    path, sheet, row = src
    return f"{Path(path).stem}「{sheet}」第{row}行：{what}"


def _window_of(tm: dt.time | None, config: Config) -> int | None:
    """The call window a time of day falls in (the nearest one for a time outside them)."""
    if tm is None or not config.callback_windows:
        return None
    minutes = tm.hour * 60 + tm.minute

    def gap(w: tuple[dt.time, dt.time]) -> int:
        a, b = (x.hour * 60 + x.minute for x in w)
        return 0 if a <= minutes <= b else min(abs(minutes - a), abs(minutes - b))

    return min(range(len(config.callback_windows)), key=lambda i: (gap(config.callback_windows[i]), i))


def _callbacks(checked: list, as_of: dt.date, config: Config, skipped: dict[str, int]) -> list[Call]:
    """Rows of the callback log waiting for their call, and unanswered calls to try again."""
    items = answer_items()
    # each repair order's rows, and whether a call of it got through or closed it (most have):
    # down the columns, a dict only for the rows of the orders still waiting
    groups: dict[str, list[tuple[Checked, int]]] = {}
    answered: set[str] = set()
    for c in tables_of(checked, "service_callback"):
        t = c.table
        called, outcome = c.col("called"), c.col("outcome")
        scored = [c.col(it) for it in items if c.has(it)]
        for i, ro in enumerate(map(ro_key, c.col("ro_no"))):
            key = ro or f"row:{(t.path, t.sheet, t.rows[i])}"
            groups.setdefault(key, []).append((c, i))
            if called[i] is not None:
                o = outcome[i]
                if o == REACHED or (o is None and any(s[i] is not None for s in scored)) or o in CLOSED:
                    answered.add(key)
    fields = ["ro_no", "plate", "vin", "customer", "phone", "service_type", "advisor", "delivered", "called",
              "call_time", "outcome", *items]
    waiting = [at for key, at in groups.items() if key not in answered]
    # the waiting orders' rows as records, a sheet at a time and in order down its columns (one
    # records_at a row hopped across seventeen columns for each)
    by_sheet: dict[int, tuple[Checked, list[int]]] = {}
    for at in waiting:
        for c, i in at:
            by_sheet.setdefault(id(c), (c, []))[1].append(i)
    record: dict[tuple[int, int], Row] = {}
    for k, (c, rows) in by_sheet.items():
        rows.sort()
        record.update(zip(zip(repeat(k), rows), records_at(c, rows, fields), strict=True))
    out: list[Call] = []
    for at in waiting:
        rows = [record[id(c), i] for c, i in at]
        made = [r for r in rows if r["called"] is not None]
        first = rows[0]
        delivered = next((r["delivered"] for r in rows if r["delivered"]), None)
        stype = next((r["service_type"] for r in rows if r["service_type"]), None)
        new_car = stype == NEW_CAR
        limit = config.callback_new_car_days if new_car else config.callback_days
        deadline = delivered + dt.timedelta(days=limit) if delivered else None
        what = stype or "维修"
        if made:  # every attempt so far went unanswered
            tries = sorted((r for r in made if r["outcome"] == UNANSWERED),
                           key=lambda r: (r["called"], r["call_time"] or dt.time()))
            if not tries:
                continue  # a call without its result: validate asks for it (required)
            last, start = tries[-1], tries[0]["called"]
            if last["called"] >= as_of or (as_of - start).days > config.callback_retry_days:
                continue
            out.append(Call(
                "重拨", first["customer"], first["phone"], first["plate"],
                f"{what}回访{start.isoformat()}起未接通{len(tries)}次（最近{last['called']:%m-%d}）", as_of, deadline,
                first["advisor"], _where(last[SOURCE], "下面加一行同单号：回访日期、结果、评分、原话"),
                first["vin"], avoid=_window_of(last["call_time"], config)))
            continue
        if delivered is None:
            continue
        due = deadline if new_car else delivered + dt.timedelta(days=1)
        assert deadline is not None
        if as_of < due:
            continue
        if (as_of - deadline).days > config.calls_max_overdue_days:
            skipped["old_callbacks"] = skipped.get("old_callbacks", 0) + 1
            continue
        days = (as_of - delivered).days
        why = (f"{delivered.isoformat()}交车已{days}天，新车交付回访（交车后{limit}天）" if new_car else
               f"{delivered.isoformat()}{what}交车，今天第{days}天（{limit}天内回访）")
        out.append(Call("回访", first["customer"], first["phone"], first["plate"], why, due, deadline, first["advisor"],
                        _where(first[SOURCE], "回访日期、结果、评分、原话、下次保养"), first["vin"]))
    return out


def _new_cars(checked: list, as_of: dt.date, config: Config, skipped: dict[str, int]) -> list[Call]:
    """Delivered cars with no 新车交付 row in the callback log (VIN, plate or phone, as the rule matches)."""
    vins, plates, phones = set(), set(), set()
    first_call: dt.date | None = None
    for c in tables_of(checked, "service_callback"):  # down the columns: the 新车交付 rows are few
        first_call = min(filter(None, [first_call, *c.col("called")]), default=None)
        cvins, cplates, cphones = c.col("vin"), c.col("plate"), c.col("phone")
        for i in compress(count(), map(eq, c.col("service_type"), repeat(NEW_CAR))):
            vins.update([cvins[i]] if cvins[i] else [])
            plates.update([cplates[i]] if cplates[i] else [])
            phones.update([phone_key(cphones[i])] if cphones[i] else [])
    days = config.callback_new_car_days
    out = []
    for r in records(checked, "delivery", ("delivered", "customer", "phone", "plate", "vin", "model", "consultant",
                                           "advisor")):
        d = r["delivered"]
        if d is None or (first_call is not None and d < first_call):
            continue  # before the callback log begins: its call may be in an older log
        if (r["vin"] and r["vin"] in vins) or (r["plate"] and r["plate"] in plates) or (
                r["phone"] and phone_key(r["phone"]) in phones):
            continue
        due = d + dt.timedelta(days=days)
        if as_of < due:
            continue
        if (as_of - due).days > config.calls_max_overdue_days:
            skipped["old_callbacks"] = skipped.get("old_callbacks", 0) + 1
            continue
        out.append(Call("新车回访", r["customer"], r["phone"], r["plate"],
                        f"{d.isoformat()}交车{'（' + r['model'] + '）' if r['model'] else ''}，销售顾问{r['consultant'] or '—'}，"
                        f"交车后{days}天回访", due, due, r["advisor"],
                        f"售后回访记录新加一行：新车交付，交车日期{d:%m-%d}，客户原话", r["vin"]))
    return out


def _reminders(checked: list, as_of: dt.date, config: Config, skipped: dict[str, int]) -> list[Call]:
    """定期保养一览表: last week's letters to phone, and reminders that went unanswered."""
    out = []
    for c in tables_of(checked, "maintenance_list"):
        has_letters = c.table.has("letter_sent")
        for r in records([c], "maintenance_list"):
            nxt, km, items = r["next_service_date"], r["next_service_km"], r["next_service_items"]
            what = "下次保养" + "，".join(x for x in (nxt.isoformat() if nxt else None,
                                                  f"{km:g}公里" if isinstance(km, int | float) else None, items) if x)
            back = _where(r[SOURCE], "提醒日期、联系结果、预约日期")
            if r["contact_result"] == UNANSWERED and r["reminded"] is not None:
                if r["reminded"] < as_of and (as_of - r["reminded"]).days <= config.callback_retry_days:
                    out.append(Call("重拨", r["customer"], r["phone"], r["plate"],
                                    f"保养提醒{r['reminded']:%m-%d}未接通；{what}", as_of, None, None, back))
                continue
            if r["reminded"] is not None or r["contact_result"] is not None:
                continue
            if has_letters:
                if r["letter_sent"] is None:
                    continue  # no letter yet: the letter comes first (对已发信的用户进行电话提醒)
                due, deadline = reminder_due(r["letter_sent"]), reminder_late(r["letter_sent"], config)
                why = f"{r['letter_sent'].isoformat()}已发邀请信；{what}"
            else:  # a list kept without the letters: phone the week before the date
                if nxt is None:
                    continue
                due, deadline = nxt - dt.timedelta(days=7), nxt
                why = what
            if as_of < due:
                continue
            if (as_of - deadline).days > config.calls_max_overdue_days:
                skipped["old_reminders"] = skipped.get("old_reminders", 0) + 1
                continue
            out.append(Call("保养提醒", r["customer"], r["phone"], r["plate"], why, due, deadline, None, back))
    return out


def _second_calls(checked: list, as_of: dt.date, config: Config) -> list[Call]:
    """Complaints resolved and not yet called back (对于客户投诉要在为客户解决问题之后进行二次回访)."""
    out = []
    days = config.complaint_second_call_days
    for r in records(checked, "complaint", ("case_no", "customer", "phone", "issue", "owner", "department",
                                            "resolved", "result", "second_call")):
        done = r["resolved"]
        if done is None or done >= as_of or r["second_call"] is not None:
            continue
        why = (f"{r['case_no'] or ''} {r['department'] or ''}：{r['issue'] or ''}；{done.isoformat()}已解决"
               + (f"（{r['result']}）" if r["result"] else "") + "，二次回访问客户是否满意").strip()
        out.append(Call("投诉二次回访", r["customer"], r["phone"], None, why, done + dt.timedelta(days=1),
                        done + dt.timedelta(days=days), r["owner"],
                        _where(r[SOURCE], "二次回访日期、结果（客户反映）、是否满意")))
    return out


def _churn(checked: list, as_of: dt.date, config: Config, skipped: dict[str, int]) -> list[Call]:
    from xl_dealer.reports import churn

    if not tables_of(checked, "service_callback") and not tables_of(checked, "delivery"):
        return []
    lost = [x for x in churn.build(checked, as_of=as_of, config=config, period=None).table("lost").rows if x["called"] is None]
    lost.sort(key=lambda x: (x["member"] is None, -(x["last_service"].toordinal()), x["plate"] or ""))
    skipped["churn"] = max(0, len(lost) - config.calls_daily_churn)
    files = tables_of(checked, "customer_file")
    back = ("客户信息卡该车一行：流失回访日期、结果、原因" if files else
            "售后回访记录该车最后一行：流失回访日期、结果、原因")
    sheets = files or tables_of(checked, "service_callback")
    if not any(c.table.has("churn_call") for c in sheets):
        back += "（表中还没有这几列，请加上）"
    out = []
    for x in lost[:config.calls_daily_churn]:
        why = f"最后进厂{x['last_service'].isoformat()}（{x['service_type'] or ''}），{x['months']}个月未回厂"
        if x["reason"]:
            why += f"；原因：{x['reason']}"
        if x.get("file"):
            why += f"；客户信息卡车主已变更为{x['file']}，请先核实"
        out.append(Call("流失回访", x["customer"], x["phone"], x["plate"], why, as_of, None, x["advisor"], back,
                        x.get("_vin")))
    return out


def _prospects(checked: list, as_of: dt.date, config: Config, skipped: dict[str, int]) -> list[Call]:
    from xl_dealer.reports.prospects import prospects

    if not tables_of(checked, "followup_card"):
        return []
    todo = [p for p in prospects(checked, as_of, config).prospects if p.called is None]
    skipped["prospects"] = max(0, len(todo) - config.calls_daily_prospects)
    add = "" if any(c.table.has("churn_call") for c in tables_of(checked, "followup_card")) else "（请先加上这两列）"
    return [Call("战败客户", p.customer, p.phone, None,
                 f"{p.lost_on.isoformat()}因价格未在本店购车（{p.reason}）"
                 + (f"，意向{p.model}" if p.model else "") + (f"，{p.region}" if p.region else "")
                 + "：邀请来店维修保养", as_of, None, p.consultant,
                 f"跟进卡该客户一行（{p.consultant or '—'}）：流失回访日期、结果{add}")
            for p in todo[:config.calls_daily_prospects]]


def _preferred_windows(checked: list, config: Config) -> dict[str, int]:
    """key → the window the customer was last reached in (their latest reached call's time)."""
    latest: dict[str, tuple[dt.date, int]] = {}
    windows: dict[dt.time, int | None] = {}  # call time → its window: times repeat, windows are few
    for c in tables_of(checked, "service_callback"):  # the reached calls with a time, down the columns
        for outcome, called, t, phone, plate in zip(c.col("outcome"), c.col("called"), c.col("call_time"),
                                                    phone_keys(c), c.col("plate"), strict=True):
            if outcome != REACHED or called is None or t is None:
                continue
            w = windows[t] if t in windows else windows.setdefault(t, _window_of(t, config))
            if w is None:
                continue
            for k in (phone, plate):
                if k and (k not in latest or called >= latest[k][0]):
                    latest[k] = (called, w)
    return {k: w for k, (_, w) in latest.items()}


def _merge(calls: list[Call]) -> list[Call]:
    """One row per customer: every reason they are due for, in one call."""
    by: dict[str, Call] = {}
    for c in calls:
        hit = by.get(c.key)
        if hit is None:
            c.categories = [c.category]
            by[c.key] = c
            continue
        hit.categories.append(c.category)
        hit.why += f"；{c.why}"
        if c.write_back not in hit.write_back:
            hit.write_back += f"；{c.write_back}"
        hit.due = min(hit.due, c.due)
        if c.deadline is not None and (hit.deadline is None or c.deadline < hit.deadline):
            hit.deadline = c.deadline
        hit.plate = hit.plate or c.plate
        hit.vin = hit.vin or c.vin
        hit.owner = hit.owner or c.owner
        hit.avoid = hit.avoid if hit.avoid is not None else c.avoid
    return list(by.values())


def build(checked: list, *, as_of: dt.date, config: Config) -> Report:
    skipped: dict[str, int] = {}
    calls = [*_second_calls(checked, as_of, config), *_callbacks(checked, as_of, config, skipped),
             *_new_cars(checked, as_of, config, skipped), *_reminders(checked, as_of, config, skipped),
             *_churn(checked, as_of, config, skipped), *_prospects(checked, as_of, config, skipped)]
    calls = _merge(calls)
    club, prefer = members(checked), _preferred_windows(checked, config)
    words = latest_words(checked, {k for c in calls for k in keys_of(c.plate, c.phone, c.vin)})
    rank = {c: i for i, c in enumerate(CATEGORIES)}
    n_windows = max(1, len(config.callback_windows))
    for c in calls:
        c.member = club.of(c.plate, c.phone, c.vin)
        w = words_of(words, c.plate, c.phone, c.vin)
        c.words = w.shown() if w else None
        if c.avoid is not None and n_windows > 1:
            c.window = (c.avoid + 1) % n_windows  # try the other window after an unanswered call
        else:
            c.window = prefer.get(phone_key(c.phone) or "") if c.phone else None
            if c.window is None and c.plate:
                c.window = prefer.get(c.plate)

    def urgency(c: Call) -> tuple:
        return (not c.member, -c.overdue(as_of), min(rank[x] for x in c.categories), c.due, c.customer or "")

    load = [0] * n_windows
    for c in calls:
        if c.window is not None:
            load[c.window] += 1
    for c in sorted((c for c in calls if c.window is None), key=urgency):
        c.window = min(range(n_windows), key=lambda i: (load[i], i))  # the rest fill the windows evenly
        load[c.window] += 1
    calls.sort(key=lambda c: (c.window, *urgency(c)))

    windows = [f"{a:%H:%M}–{b:%H:%M}" for a, b in config.callback_windows] or ["—"]
    rows = [{"n": i, "window": windows[c.window] if c.window is not None else "—", "member": "会员" if c.member else None,
             "category": "、".join(dict.fromkeys(c.categories)), "customer": c.customer, "phone": c.phone,
             "plate": c.plate, "why": c.why, "due": c.due, "overdue": c.overdue(as_of) or None, "words": c.words,
             "owner": c.owner, "write_back": c.write_back} for i, c in enumerate(calls, start=1)]
    listing = Table("list", "今日回访清单（按致电时段，会员在前，逾期最久的在前）", [
        col("window", "致电时段"), col("n", "序号", "int"), col("member", "会员"), col("category", "类别"),
        col("customer", "客户姓名"), col("phone", "联系电话", "phone"), col("plate", "车牌号"),
        col("why", "为什么打", width=34), col("due", "应联系日", "date"), col("overdue", "逾期天数", "int"),
        col("words", "客户最近的原话", width=28), col("owner", "负责人"), col("write_back", "结果写在", width=30),
    ], rows, empty_text="今天没有要打的电话")

    per = {cat: {"calls": 0, "overdue": 0, "members": 0} for cat in CATEGORIES}
    for c in calls:
        for cat in dict.fromkeys(c.categories):
            per[cat]["calls"] += 1
            per[cat]["overdue"] += c.overdue(as_of) > 0
            per[cat]["members"] += c.member
    summary = Table("by_category", "今日要打的电话（按类别）", [
        col("category", "类别"), col("calls", "客户", "int"), col("overdue", "其中逾期", "int"),
        col("members", "其中会员", "int"),
    ], [{"category": k, **v} for k, v in per.items() if v["calls"]], empty_text="今天没有要打的电话")
    if summary.rows:
        summary.totals = True
        summary.total_row = {"category": "合计（客户数）", "calls": len(calls),
                             "overdue": sum(c.overdue(as_of) > 0 for c in calls), "members": sum(c.member for c in calls)}

    notes = []
    if skipped.get("old_callbacks"):
        notes.append(f"另有 {skipped['old_callbacks']} 个回访已逾期超过 {config.calls_max_overdue_days} 天，不再列入今日清单"
                     "（校验结果中的 callback.late 仍逐条列出）。")
    if skipped.get("old_reminders"):
        notes.append(f"另有 {skipped['old_reminders']} 个保养提醒已逾期超过 {config.calls_max_overdue_days} 天，不再列入今日清单。")
    if skipped.get("churn"):
        notes.append(f"另有 {skipped['churn']} 位流失客户待回访，每天列 {config.calls_daily_churn} 位（见「客户流失」报表）。")
    if skipped.get("prospects"):
        notes.append(f"另有 {skipped['prospects']} 位价格战败客户待回访，每天列 {config.calls_daily_prospects} 位"
                     "（见「价格战败客户」报表）。")
    absent = [t for k, t in (("service_callback", "售后回访记录"), ("maintenance_list", "定期保养一览表"),
                             ("complaint", "快速处理表")) if not tables_of(checked, k)]
    if absent and fed_by(checked, *FEEDS):
        notes.append(f"输入中没有{'、'.join(absent)}：其中的回访、提醒和二次回访无法列出。")
    if not fed_by(checked, *FEEDS):
        notes.append("输入中没有售后回访记录、交车登记表、定期保养一览表、快速处理表、跟进卡或客户信息卡，无法列出要打的电话；"
                     "请把它们一并列入输入的文件或文件夹。")
    return Report(
        name="calls", sheet="今日回访清单", title=f"今日回访清单 {as_of.isoformat()}（周{'一二三四五六日'[as_of.weekday()]}）",
        period_start=as_of, period_end=as_of, as_of=date_of(as_of), tables=[summary, listing], call_list=True,
        notes=notes, fed=fed_by(checked, *FEEDS),
        footnotes=[
            f"回访：回访记录中已登记、还没回访的维修单，交车次日起、{config.callback_days} 天内回访；新车交付交车后 "
            f"{config.callback_new_car_days} 天回访（交车登记表中没有新车交付回访的车也列入）。重拨：未接通的电话，首次拨打后 "
            f"{config.callback_retry_days} 天内每天再打，换一个时段。",
            f"保养提醒：定期保养一览表中上周及以前发出邀请信、还没电话提醒的客户（发信后的下周一起，"
            f"{config.reminder_call_days} 天内打完）。投诉二次回访：快速处理表中已解决、还没二次回访的（解决后 "
            f"{config.complaint_second_call_days} 天内）。流失回访、战败客户：还没有流失回访日期的，最近流失的在前。",
            "一位客户有几件事时合为一行。致电时段：上次接通时所在的时段，未接通的换另一个时段，其余平均分配；"
            "同一时段内会员在前，其次逾期最久的。逾期天数 = 今天 − 最后期限。",
            "打完请按“结果写在”一列把结果填回原表：明天的清单和晚上的校验就会看到。本表为拨打清单，电话完整显示，请勿外传。",
        ],
    )
