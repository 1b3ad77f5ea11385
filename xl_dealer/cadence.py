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

from xl_dealer.config import Config

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
    if planned is not None and last < planned < due:
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


def callback_limit(new_car: bool, config: Config) -> int:
    return config.callback_new_car_days if new_car else config.callback_days


def callback_due(delivered: dt.date, new_car: bool, config: Config) -> dt.date:
    """The last day the after-service call is on time."""
    return delivered + dt.timedelta(days=callback_limit(new_car, config))


def callback_late(delivered: dt.date, called: dt.date, new_car: bool, config: Config) -> bool:
    return (called - delivered).days > callback_limit(new_car, config)
