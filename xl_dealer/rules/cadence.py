"""Due dates the clerks live by: the next follow-up of an intent customer, the after-service call.

Same arithmetic as the rules ``followup.overdue`` and ``callback.late`` (SPEC §2.3, §2.4):
overdue once more than the level's cadence has passed since the last contact, or a
planned 下次跟进日期 is in the past with no contact since; a call is late when made
more than ``callback_days`` (``callback_new_car_days`` after a new-car delivery) after
delivery. The worksheet functions wrap these, so a cell and a check agree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xl_dealer.model.config import Config
from xl_dealer.rules.shared import phone_keys, shared

NEW_CAR = "新车交付"


def cadence_of(level: str | None, config: Config) -> int | None:
    """Days between follow-ups for a level; None for a closed level (D/F/L) or an unknown one."""
    if not level:
        return None
    lv = config.levels.get(level.strip().upper())
    return lv.cadence_days if lv else None


def next_followup(level: str, last: dt.date, config: Config, planned: dt.date | None = None) -> dt.date | None:
    """When the customer must be followed up next: the cadence from the last contact, or the
    planned date when that is earlier and still after the last contact; None when closed."""
    days = cadence_of(level, config)
    if days is None:
        return None
    due = last + dt.timedelta(days=days)
    if planned is not None and last < planned <= due:
        return planned
    return due


@dataclass(frozen=True, slots=True)
class FollowupStatus:
    state: str  # closed, ok, due_today, overdue
    days_overdue: int = 0
    due: dt.date | None = None

    def text(self) -> str:
        return {
            "closed": "已关闭，无需跟进",
            "ok": f"正常（{self.due.isoformat() if self.due else ''}前跟进）",
            "due_today": "今日到期",
            "overdue": f"逾期{self.days_overdue}天",
        }[self.state]


def followup_status(level: str, last: dt.date, config: Config, as_of: dt.date,
                    planned: dt.date | None = None) -> FollowupStatus:
    due = next_followup(level, last, config, planned)
    if due is None:
        return FollowupStatus("closed")
    if as_of > due:
        return FollowupStatus("overdue", (as_of - due).days, due)
    if as_of == due:
        return FollowupStatus("due_today", 0, due)
    return FollowupStatus("ok", 0, due)


@dataclass(frozen=True, slots=True)
class LogContact:
    """The latest follow-up log row of a customer: when, the level after it, the date it planned."""

    date: dt.date
    level: str | None
    next_date: dt.date | None


@shared  # followup.overdue and 今日跟进
def latest_log_contacts(checked: list, as_of: dt.date) -> dict[str, LogContact]:
    """phone key → the latest follow-up log row on or before ``as_of``, across every log of the run."""
    latest: dict[str | None, tuple[dt.date, list, int]] = {}  # key → (date, sheet's columns, row): the latest
    for c in checked:
        if c.kind != "followup_log":
            continue
        cols = (c.col("level"), c.col("next_date"))
        for i, (d, p, k) in enumerate(zip(c.col("date"), c.col("phone"), phone_keys(c), strict=True)):
            if d is None or p is None or d > as_of:
                continue
            cur = latest.get(k)
            if cur is None or d >= cur[0]:
                latest[k] = (d, cols, i)
    # the contact made only for each customer's latest row (a log's rows come mostly in date order)
    return {k: LogContact(d, cols[0][i], cols[1][i]) for k, (d, cols, i) in latest.items()}


def card_open(level: str | None, status: str | None, config: Config) -> bool:
    """A card still followed up: a status that is not closed (``card_closed_statuses``) and a
    level with a cadence (D/F/L have none); a card without a level may still get one from the log."""
    if status is None or status in config.card_closed_statuses:
        return False
    return level is None or cadence_of(level, config) is not None


@dataclass(frozen=True, slots=True)
class CardDue:
    level: str  # the card's level (the log's when the card has none): it sets the cadence
    cadence: int
    last: dt.date  # last contact: latest of 建卡日期, 最近跟进日期, the log
    due: dt.date  # the cadence from the last contact, or an earlier planned date
    planned: str | None  # where the due date was planned: "card" (下次跟进日期), "log", or None (cadence)

    def days_overdue(self, as_of: dt.date) -> int:
        return max(0, (as_of - self.due).days)


def card_due(level: str | None, status: str | None, made: dt.date | None, last_card: dt.date | None,
             next_card: dt.date | None, log: LogContact | None, as_of: dt.date, config: Config) -> CardDue | None:
    """When an open follow-up card must next be contacted; None when the card is closed.

    The one definition behind the ``followup.overdue`` rule, the 今日跟进 list and the
    worksheet functions. Open: status not in ``card_closed_statuses`` and a level with a
    cadence. Due: the cadence from the last contact, or a planned date (the card's
    下次跟进日期 or the latest log row's) when one lies after the last contact and earlier.
    """
    if status is None or status in config.card_closed_statuses or made is None or made > as_of:
        return None
    level = level or (log.level if log else None)
    days = cadence_of(level, config)
    if days is None:
        return None
    last = max(d for d in (made, last_card, log.date if log else None) if d is not None and d <= as_of)
    due, source = last + dt.timedelta(days=days), None
    # a plan on the cadence day itself still counts as the plan the clerk wrote (its cell is shown)
    if next_card is not None and last < next_card <= due:
        due, source = next_card, "card"
    if log is not None and log.next_date is not None and last < log.next_date < due:
        due, source = log.next_date, "log"
    return CardDue(level, days, last, due, source)


def callback_limit(new_car: bool, config: Config) -> int:
    return config.callback_new_car_days if new_car else config.callback_days


def callback_due(delivered: dt.date, new_car: bool, config: Config) -> dt.date:
    """The last day the after-service call is on time."""
    return delivered + dt.timedelta(days=callback_limit(new_car, config))


def callback_late(delivered: dt.date, called: dt.date, new_car: bool, config: Config) -> bool:
    return (called - delivered).days > callback_limit(new_car, config)
