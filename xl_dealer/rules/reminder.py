"""Rules of the maintenance list (定期保养一览表): the letter, then the phone reminder, then its result.

The seed's daily work: 根据上周已经发出邀请信的定期保养一览表，对已发信的用户进行电话提醒，并把联系
结果记录在一览表内. So a letter sent in one week is phoned the week after (due from that week's
Monday, late after ``reminder_call_days`` more), and every reminder has its 联系结果 written back.
A row with a 联系结果 but no reminder date was handled (the customer came in first, or the
clerk kept no date): it is not "not called".
"""

from __future__ import annotations

import datetime as dt

from xl_dealer.model.config import Config
from xl_dealer.model.messages import register
from xl_dealer.read.table import Table
from xl_dealer.rules.base import Checked, Emitter, display_header

register("reminder.not_called", "{problem}", "{problem_en}")
register("reminder.no_result", "{problem}", "{problem_en}")


def reminder_due(letter: dt.date) -> dt.date:
    """The Monday of the week after the letter's week: the phone reminders of last week's letters."""
    return letter + dt.timedelta(days=7 - letter.weekday())


def reminder_late(letter: dt.date, config: Config) -> dt.date:
    """The last day the phone reminder of this letter is on time."""
    return reminder_due(letter) + dt.timedelta(days=config.reminder_call_days)


def _header(t: Table, key: str) -> str:
    return display_header(t.headers.get(key) or t.kind.field(key).header)


def check_maintenance_list(c: Checked, config: Config, em: Emitter) -> None:
    t = c.table
    as_of = em.as_of
    letters, reminded, results = c.col("letter_sent"), c.col("reminded"), c.col("contact_result")
    bad = c.bad.get("reminded", set()) | c.bad.get("contact_result", set())
    has_reminded, has_result = t.has("reminded"), t.has("contact_result")
    unseen_calls = unseen_results = 0
    for i, letter in enumerate(letters):
        if letter is None or letter > as_of or i in bad or reminded[i] is not None or results[i] is not None:
            continue
        late = reminder_late(letter, config)
        if as_of <= late:
            continue
        if not has_reminded:
            unseen_calls += 1
            continue
        em.at(t, i, "reminded", "reminder.not_called", None,
              problem=f"邀请信已于{letter.isoformat()}发出，到{as_of.isoformat()}还没有电话提醒（应在"
                      f"{reminder_due(letter).isoformat()}至{late.isoformat()}之间打）：请给客户打电话提醒保养，"
                      f"并填写「{_header(t, 'reminded')}」和联系结果。",
              problem_en=f"The letter went out on {letter.isoformat()} and no phone reminder is recorded by "
                         f"{as_of.isoformat()} (due {reminder_due(letter).isoformat()} to {late.isoformat()}).")
    for i, day in enumerate(reminded):
        if day is None or day > as_of or i in bad or results[i] is not None:
            continue
        if not has_result:
            unseen_results += 1
            continue
        em.at(t, i, "contact_result", "reminder.no_result", None,
              problem=f"{day.isoformat()}已电话提醒，但「{_header(t, 'contact_result')}」为空：请把联系结果"
                      f"（{'、'.join(config.enums.get('reminder_result', []))}）记录在一览表内。",
              problem_en=f"Reminded by phone on {day.isoformat()} with no 联系结果: write down how the call went.")
    if unseen_calls:
        em.sheet(t, "reminded", "reminder.not_called", value=unseen_calls,
                 problem=f"本表没有「电话提醒日期」列：{unseen_calls}封上周以前发出的邀请信无法确认是否电话提醒过，"
                         "请加上这一列并填写。",
                 problem_en=f"The sheet has no 电话提醒日期 column: for {unseen_calls} letters of earlier weeks the "
                            "phone reminder cannot be seen; add the column.")
    if unseen_results:
        em.sheet(t, "contact_result", "reminder.no_result", value=unseen_results,
                 problem=f"本表没有「联系结果」列：{unseen_results}次电话提醒的结果没有地方记录，请加上这一列并填写。",
                 problem_en=f"The sheet has no 联系结果 column: {unseen_results} phone reminders have nowhere to keep "
                            "their result; add the column.")
