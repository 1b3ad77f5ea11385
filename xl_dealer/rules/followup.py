"""Rules of the follow-up cards (客户跟进卡) and the follow-up log (意向客户跟进记录).

Per-table rules look at one sheet; the run rules (overdue, quota) read every
card, log and visitor-log sheet of the run, since a consultant's cards, log
and the reception's log are often separate workbooks.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from xl_dealer.model.config import Config
from xl_dealer.model.messages import register
from xl_dealer.read.table import Table
from xl_dealer.rules.base import Checked, Emitter, display_header
from xl_dealer.rules.cadence import CardDue, card_due, latest_log_contacts
from xl_dealer.rules.cross import ready, usable
from xl_dealer.rules.delivery import delivered_card, deliveries_by_phone
from xl_dealer.rules.shared import phone_keys, shared

register("followup.quota",
         "{subject}：当天只跟进了{value}位在跟的意向客户（同一客户多次只算一位，战败/交车等已关闭的不算），"
         "少于每天至少{target}位的要求，请补记或补做跟进。",
         "{subject}: {value} open intent customers followed up, fewer than the daily target of {target} "
         "(one customer called twice counts once; closed customers do not count).")
register("followup.window",
         "跟进时间{value}不在建议时段{window}内（提示：客户在这个时段更容易接听）。",
         "Follow-up at {value}, outside the preferred window {window}.")
register("followup.overdue", "{problem}", "{problem_en}")
register("followup.late_submit", "{problem}", "{problem_en}")


def _header(t: Table, key: str) -> str:
    return display_header(t.headers.get(key) or t.kind.field(key).header)


def _time_order(c: Checked, em: Emitter, end_key: str, start_key: str) -> None:
    """``end_key`` (a date) must not be before ``start_key`` on the same row."""
    t = c.table
    if not (c.has(end_key) and c.has(start_key)):
        return
    for i, (a, b) in enumerate(zip(c.values[start_key], c.values[end_key], strict=True)):
        if a is not None and b is not None and b < a:
            em.at(t, i, end_key, "time.order", b, start_column=_header(t, start_key), start=a.isoformat())


def check_card(c: Checked, config: Config, em: Emitter) -> None:
    """下次跟进日期 before 建卡日期 (战败/流失 without a reason is a declared ``required``)."""
    _time_order(c, em, "next_date", "card_date")


def _hm(t: dt.time) -> str:
    return t.strftime("%H:%M")


def check_log(c: Checked, config: Config, em: Emitter) -> None:
    """下次跟进日期 before 跟进日期; a contact outside the preferred window (info);
    the day's log handed in late or not signed (one finding per consultant-day)."""
    t = c.table
    _time_order(c, em, "next_date", "date")
    lo, hi = config.followup_window
    exempt = set(config.followup_window_exempt_channels)
    window = f"{_hm(lo)}~{_hm(hi)}"
    channels = c.col("channel")
    for i, tm in enumerate(c.col("time")):
        if tm is not None and not lo <= tm <= hi and channels[i] not in exempt:
            em.at(t, i, "time", "followup.window", tm, window=window)
    _late_submit(c, config, em)


def _late_submit(c: Checked, config: Config, em: Emitter) -> None:
    """The day's log goes to the manager by ``followup_submit_by`` and is signed.

    One finding per consultant-day, on a row of that day so the clerk can click it:
    lateness on the row with the latest 提交时间, a missing signature on the day's
    first row. The as-of day itself is not yet due for a signature.
    """
    t = c.table
    if not (c.has("submitted_at") or c.has("manager_signed")):
        return
    days: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for i, (who, d) in enumerate(zip(c.col("consultant"), c.col("date"), strict=True)):
        if who is not None and d is not None:
            days[(who, d)].append(i)
    by = config.followup_submit_by
    submitted, signed = c.col("submitted_at"), c.col("manager_signed")
    for (who, d), rows in days.items():
        subject = f"{who} {d.isoformat()}"
        if c.has("submitted_at"):
            times = [(submitted[i], i) for i in rows if submitted[i] is not None]
            if times:
                last, i = max(times)
                if last > by:
                    em.at(t, i, "submitted_at", "followup.late_submit", last,
                          problem=f"{subject}的跟进记录{_hm(last)}才提交，晚于每天{_hm(by)}的要求，请按时交销售经理检查签字。",
                          problem_en=f"{subject}: the log was submitted at {_hm(last)}, after {_hm(by)}.")
        if c.has("manager_signed") and d < em.as_of and not any(signed[i] is True for i in rows):
            i = rows[0]
            em.at(t, i, "manager_signed", "followup.late_submit", signed[i],
                  problem=f"{subject}的跟进记录没有销售经理签字，请交经理检查签字。",
                  problem_en=f"{subject}: the log is not signed by the sales manager.")


# ---------------------------------------------------------------- run rules


def check_overdue(checked: list[Checked], config: Config, em: Emitter) -> None:
    """An open card not followed up within its level's cadence, or past its 下次跟进日期
    (``cadence.card_due`` decides, the same definition the 今日跟进 list uses)."""
    cards = [c for c in checked if c.kind == "followup_card"]
    if not cards:
        return
    logs = [c for c in checked if c.kind == "followup_log"]
    what, what_en = "跟进卡是否逾期未跟进", "whether the cards are overdue"
    # a log whose contacts cannot be matched to a card would make its customers look overdue
    if not ready(em, "followup.overdue", logs, ("phone", "date"), what, what_en):
        return
    if logs:  # a card without a phone cannot be matched to its contacts in the log
        cards = usable(em, "followup.overdue", cards, ("phone",), what, what_en)
    as_of = em.as_of
    dues = card_dues(checked, config, as_of)
    for c in cards:
        t = c.table
        for i, (due, phone, level, name) in enumerate(zip(dues[id(c)], c.col("phone"), c.col("level"),
                                                          c.col("customer"), strict=True)):
            if due is None or as_of <= due.due:
                continue
            gap = (as_of - due.last).days
            who = name or (phone or "")
            head = (f"客户「{who}」（{due.level}级，至少每{due.cadence}天跟进一次）最近一次跟进是"
                    f"{due.last.isoformat()}，已{gap}天")
            head_en = (f"Customer '{who}' (level {due.level}, every {due.cadence} days) was last followed up on "
                       f"{due.last.isoformat()}, {gap} days ago")
            if due.planned == "card":
                em.at(t, i, "next_date", "followup.overdue", due.due,
                      problem=f"{head}，计划跟进日期{due.due.isoformat()}已过：请尽快跟进并更新跟进卡。",
                      problem_en=f"{head_en}; the planned date {due.due.isoformat()} has passed. Follow up now.")
            else:
                em.at(t, i, "level", "followup.overdue", level,
                      problem=f"{head}未跟进：请尽快跟进并更新跟进卡。",
                      problem_en=f"{head_en}. Follow up now.")


@shared  # followup.overdue and 今日跟进
def card_dues(checked: list[Checked], config: Config, as_of: dt.date) -> dict[int, list[CardDue | None]]:
    """id of each follow-up card sheet → per row, when the card is next due (``cadence.card_due``),
    or None: closed, or its customer's car delivered since (``card.not_closed`` says that)."""
    latest = latest_log_contacts(checked, as_of)
    delivered = deliveries_by_phone(checked)
    out: dict[int, list[CardDue | None]] = {}
    for c in checked:
        if c.kind != "followup_card":
            continue
        dues: list[CardDue | None] = []
        cols = zip(c.col("card_date"), c.col("phone"), phone_keys(c), c.col("level"), c.col("status"),
                   c.col("last_contact"), c.col("next_date"), strict=True)
        for made, phone, k, level, status, last_card, nxt in cols:
            if delivered and delivered_card(phone, made, delivered, as_of):
                dues.append(None)
                continue
            dues.append(card_due(level, status, made, last_card, nxt, latest.get(k) if phone else None, as_of,
                                 config))
        out[id(c)] = dues
    return out


@dataclass(slots=True)
class QuotaDays:
    """Who logged how many follow-ups on which day, who worked, and which log covers a day."""

    count: dict[tuple[str, dt.date], int]
    worked: set[tuple[str, dt.date]]
    home: dict[tuple[str, dt.date], Table]
    spans: list[tuple[dt.date, dt.date, Table]]

    def covering(self, d: dt.date) -> Table | None:
        for lo, hi, t in self.spans:
            if lo <= d <= hi:
                return t
        return None


@shared  # followup.quota and 晨会日报
def quota_days(checked: list[Checked], config: Config, as_of: dt.date) -> QuotaDays:
    """The facts behind ``followup.quota`` (and the morning report's 跟进达标, so both agree).

    The seed asks each consultant to follow up at least N intent customers a day, so a
    day's count is the distinct customers (by phone) followed up on an open level (one with
    a cadence: not 战败/F, D, L): six calls to one customer, or calls to closed customers, do
    not fill it. A row without a level takes its card's; one with neither counts. Only days
    a follow-up log sheet covers (its first to last date) count. Worked = any row of theirs
    that day in a visitor log or follow-up log, or the day is on their roster.
    """
    q = QuotaDays(defaultdict(int), set(), {}, [])
    open_levels = config.open_levels()
    card_level: dict[str, str] = {}
    for c in checked:
        if c.kind == "followup_card":
            for k, level in zip(phone_keys(c), c.col("level"), strict=True):
                if k and level:
                    card_level.setdefault(k, level)
    customers: dict[tuple[str, dt.date], set] = defaultdict(set)
    for c in checked:
        if c.kind != "followup_log":
            continue
        dates = [d for d in c.col("date") if d is not None and d <= as_of]
        if not dates:
            continue
        q.spans.append((min(dates), max(dates), c.table))
        cols = zip(c.col("consultant"), c.col("date"), phone_keys(c), c.col("level"), c.col("customer"), strict=True)
        for i, (who, d, k, level, name) in enumerate(cols):
            if who is None or d is None or d > as_of:
                continue
            day = (who, d)
            q.worked.add(day)
            q.home.setdefault(day, c.table)
            level = level or (card_level.get(k) if k else None)
            if level is not None and level not in open_levels:
                continue
            customers[day].add(k or (f"name:{name}" if name else f"row:{c.table.sheet}:{i}"))
    q.count.update({key: len(v) for key, v in customers.items()})
    for c in checked:
        if c.kind == "registration":
            q.worked.update((who, d) for who, d in zip(c.col("consultant"), c.col("date"), strict=True)
                            if who is not None and d is not None)
    for who, days in config.roster.items():
        q.worked.update((who, d) for d in days)
    return q


def check_quota(checked: list[Checked], config: Config, em: Emitter) -> None:
    """Fewer than ``followup_daily_target`` open customers followed up on a day the consultant worked (``quota_days``);
    a rest day gives nothing. One group finding per consultant-day, filed on the log sheet
    that holds (or covers) that day."""
    target = config.followup_daily_target
    logs = [c for c in checked if c.kind == "followup_log"]
    if target <= 0 or not logs:
        return
    # a log whose rows cannot be counted per consultant and day would put its consultants below target
    if not ready(em, "followup.quota", logs, ("consultant", "date"), "每位顾问每天的跟进数是否达标",
                 "whether each consultant met the daily follow-up target"):
        return
    q = quota_days(checked, config, em.as_of)
    for who, d in sorted(q.worked, key=lambda k: (k[1], k[0])):
        n = q.count.get((who, d), 0)
        if n >= target:
            continue
        t = q.home.get((who, d)) or q.covering(d)
        if t is None:
            continue
        em.group(t.path, t.sheet, f"{who} {d.isoformat()}", "followup.quota", field_key="consultant",
                 value=n, target=target)
